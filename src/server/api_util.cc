#include "server/api_util.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "core/csv.h"
#include "core/file_io.h"
#include "xlsx/xlsx.h"

namespace yanglao::server {

namespace json = boost::json;

json::object RegionJson(std::string_view code) {
  json::object o;
  o["code"] = code;
  const RegionTable& t = RegionTable::Builtin();
  if (const Region* r = t.Find(code)) {
    o["code"] = r->DisplayCode();
    o["name"] = r->name;
    o["full_name"] = t.FullName(*r);
    o["level"] = RegionLevelName(r->level);
  }
  return o;
}

json::object PrincipalJson(const Principal& p) {
  json::object o;
  o["id"] = p.user_id;
  o["username"] = p.username;
  o["display_name"] = p.display_name;
  o["unit"] = RegionJson(p.unit_code);
  o["department"] = p.department;
  o["role"] = {{"key", p.role_key}, {"name", p.role_name}};
  o["data_scope"] = {{"key", DataScopeKey(p.scope)}, {"name", DataScopeName(p.scope)}};
  json::array perms;
  for (const std::string& s : p.permissions) perms.push_back(json::string(s));
  o["permissions"] = std::move(perms);
  json::array hidden;
  for (const FieldGroup* g : HiddenGroups(p))
    hidden.push_back({{"key", g->key}, {"label", g->label}});
  o["hidden_field_groups"] = std::move(hidden);
  o["session_expires_at"] = p.expires_at;
  return o;
}

json::object UserJson(const User& u) {
  json::object o;
  o["id"] = u.id;
  o["username"] = u.username;
  o["display_name"] = u.display_name;
  o["unit"] = RegionJson(u.unit_code);
  o["department"] = u.department;
  o["role"] = u.role_key;
  o["active"] = u.active;
  o["created_at"] = u.created_at;
  return o;
}

Result<Paging> PagingOf(const Call& call, int64_t max_size) {
  Paging p;
  Result<int64_t> page = call.QueryInt("page", 1, 1, 1'000'000);
  if (!page.ok()) return page.status();
  Result<int64_t> size = call.QueryInt("size", 20, 1, max_size);
  if (!size.ok()) return size.status();
  p.page = *page;
  p.size = *size;
  return p;
}

json::object PageJson(const Paging& p, int64_t total, json::array items) {
  json::object o;
  o["total"] = total;
  o["page"] = p.page;
  o["size"] = p.size;
  o["items"] = std::move(items);
  return o;
}

Result<Reply> TableDownload(const std::vector<std::vector<std::string>>& rows,
                            std::string_view format, std::string_view sheet,
                            std::string_view file_stem) {
  if (format == "csv") {
    std::string out = "\xEF\xBB\xBF";
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + CsvEscape(r[i]);
      out += "\r\n";
    }
    return Reply::File(std::move(out), "text/csv; charset=utf-8", fmt::format("{}.csv", file_stem));
  }
  if (format != "xlsx") {
    return Status("request.param", "format 应为 csv 或 xlsx",
                  Location{.field = "format", .value = std::string(format.substr(0, 16))});
  }
  static std::atomic<int> counter{0};
  std::filesystem::path tmp = std::filesystem::temp_directory_path() /
                              fmt::format("yanglao-export-{}-{}.xlsx", getpid(), counter++);
  Status s = xlsx::WriteWorkbook(tmp, {xlsx::Sheet{std::string(sheet), rows}});
  if (!s.ok()) return s;
  Result<std::string> bytes = ReadFileBytes(tmp);
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  if (!bytes.ok()) return bytes.status();
  return Reply::File(std::move(*bytes),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     fmt::format("{}.xlsx", file_stem));
}

int ScopeWidth(DataScope s) {
  switch (s) {
    case DataScope::kAll:
      return 3;
    case DataScope::kSubtree:
      return 2;
    case DataScope::kUnit:
      return 1;
    case DataScope::kSelf:
      return 0;
  }
  return 0;
}

}  // namespace yanglao::server
