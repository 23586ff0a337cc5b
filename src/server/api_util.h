// Helpers shared by the route groups (api_*.cc); not a public interface.
#ifndef YANGLAO_SERVER_API_UTIL_H_
#define YANGLAO_SERVER_API_UTIL_H_

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/region.h"
#include "server/access.h"
#include "server/app.h"
#include "server/auth.h"

namespace yanglao::server {

// {"code": "421303", "name": "曾都区", "full_name": "湖北省 随州市 曾都区"};
// unknown codes keep only the code.
boost::json::object RegionJson(std::string_view code);
// The signed-in user as /auth/me shows it.
boost::json::object PrincipalJson(const Principal& p);
boost::json::object UserJson(const User& u);
// "page" (from 1) and "size" (1..max) query parameters -> offset, limit.
struct Paging {
  int64_t page = 1, size = 20;
  int64_t offset() const { return (page - 1) * size; }
};
Result<Paging> PagingOf(const Call& call, int64_t max_size = 100);
boost::json::object PageJson(const Paging& p, int64_t total, boost::json::array items);
// Rows as CSV (UTF-8 with BOM, for Excel) or an XLSX workbook with one sheet.
Result<Reply> TableDownload(const std::vector<std::vector<std::string>>& rows,
                            std::string_view format, std::string_view sheet,
                            std::string_view file_stem);
// Scope order for "no wider than": all > subtree > unit > self.
int ScopeWidth(DataScope s);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_API_UTIL_H_
