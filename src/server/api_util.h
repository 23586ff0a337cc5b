// Helpers shared by the route groups (api_*.cc); not a public interface.
#ifndef YANGLAO_SERVER_API_UTIL_H_
#define YANGLAO_SERVER_API_UTIL_H_

#include <boost/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/region.h"
#include "db/query.h"
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
// A CSV cell that a spreadsheet would not run as a formula: one starting
// with = + - @ tab or CR gets a leading ' (a plain negative number stays).
std::string NeutralizeCsvCell(std::string_view cell);
// Rows as CSV (UTF-8 with BOM, for Excel; cells neutralised as above) or an
// XLSX workbook with one sheet (cells are text there: never formulas).
Result<Reply> TableDownload(const std::vector<std::vector<std::string>>& rows,
                            std::string_view format, std::string_view sheet,
                            std::string_view file_stem);
// Scope order for "no wider than": all > subtree > unit > self.
int ScopeWidth(DataScope s);

// --- Path and query parameters -----------------------------------------------
// Every route parses its parameters with these (and Call::QueryInt): a bad
// value fails with request.param (region.not_found for an unknown region),
// a Chinese message naming the parameter, and Location{field, value}.

// "page" (from 1) and "size" (1..max) query parameters -> offset, limit.
struct Paging {
  int64_t page = 1, size = 20;
  int64_t offset() const { return (page - 1) * size; }
  db::Page db_page() const { return db::Page{page, size}; }
};
Result<Paging> PagingOf(const Call& call, int64_t max_size = 100);
// {"total", "page", "size", "items"}.
boost::json::object PageJson(const Paging& p, int64_t total, boost::json::array items);
// A path segment that is a positive integer (a run's or a job's number);
// `what` names it in the message ("核定编号应为正整数").
Result<int64_t> IdPath(const Call& call, std::string_view name, std::string_view what);
// One of `values` (with Chinese labels, or "" for none) as query parameter
// `name`; nullopt when absent. The message lists them: "kind 应为 new（新增）、
// ceased（停发）或 changed（变更）".
struct EnumValue {
  std::string_view key;
  std::string_view label;
};
Result<std::optional<std::string>> EnumQuery(const Call& call, std::string_view name,
                                             const std::vector<EnumValue>& values);
// A region code (GB/T 2260, any accepted length) as query parameter `name`,
// or `fallback` when absent (nullptr when the fallback is "" too). Fails with
// region.not_found.
Result<const Region*> RegionQuery(const Call& call, std::string_view name,
                                  std::string_view fallback = "");
// A date query parameter (YYYY-MM-DD), or `fallback` when absent.
Result<CivilDate> DateParam(const Call& call, std::string_view name, CivilDate fallback);
// A month query parameter (YYYY-MM), or `fallback` when absent.
Result<Month> MonthParam(const Call& call, std::string_view name, Month fallback);

// The served list `name` (query or body field `field`). Fails with
// list.not_found, and with list.invalid when `usable` and it has errors.
Result<const ServedList*> FindList(const Call& call, const std::string& name,
                                   std::string_view field, bool usable = true);

// The ID number a path segment names: a person ref from a list, or an ID
// number (validated). Fails with person.ref or the ID number's error.
Result<std::string> PersonIdOf(Call& call, const std::string& segment);

// Checks that the caller's data scope reaches the person, recording a
// denied attempt under `action`. Fails with person.scope (403). A person the
// registry does not know is outside every scope but "all" (全部), so that
// the answer does not tell a narrower user whether an ID number is
// registered; for "all" it fails with person.not_found (404).
Status CheckPersonAccess(Call& call, const std::string& id, std::string_view action);

// Of `ids`, those registered and within the caller's data scope today (one
// query per 500 numbers).
Result<std::set<std::string>> PersonsInScope(Call& call, const std::vector<std::string>& ids);

// The conditions that restrict rows carrying a residence code column
// (`region_column`, e.g. "l.community") and an ID number column to `user`'s
// data scope, as PersonScopeFilters does for persons; empty for "all".
std::vector<registry::SqlFilter> RowScopeFilters(const Principal& user,
                                                 std::string_view region_column,
                                                 std::string_view id_column);
// The same test in memory, for one row (a run line, a work-list entry).
// `caseload` holds the caller's caseload when the scope is "self".
bool RowInScope(const Principal& user, std::string_view region,
                const std::set<std::string>& caseload, std::string_view id_number);
// The caller's caseload (ID numbers), for "self" scopes.
Result<std::set<std::string>> CaseloadOf(Call& call);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_API_UTIL_H_
