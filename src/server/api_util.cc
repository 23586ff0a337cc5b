#include "server/api_util.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <filesystem>

#include "core/csv.h"
#include "core/file_io.h"
#include "core/id_number.h"
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

std::string NeutralizeCsvCell(std::string_view cell) {
  if (cell.empty()) return std::string(cell);
  const char c = cell.front();
  if (c != '=' && c != '+' && c != '-' && c != '@' && c != '\t' && c != '\r') {
    return std::string(cell);
  }
  // A plain negative number stays a number.
  if (c == '-' && cell.size() > 1) {
    bool number = true, point = false;
    for (size_t i = 1; i < cell.size() && number; ++i) {
      if (cell[i] == '.' && !point && i > 1) {
        point = true;
      } else if (cell[i] < '0' || cell[i] > '9') {
        number = false;
      }
    }
    if (number && cell.back() != '.') return std::string(cell);
  }
  return "'" + std::string(cell);
}

Result<Reply> TableDownload(const std::vector<std::vector<std::string>>& rows,
                            std::string_view format, std::string_view sheet,
                            std::string_view file_stem) {
  if (format == "csv") {
    std::string out = "\xEF\xBB\xBF";
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i)
        out += (i ? "," : "") + CsvEscape(NeutralizeCsvCell(r[i]));
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

// --- Lists, persons, scope ------------------------------------------------------

Result<const ServedList*> FindList(const Call& call, const std::string& name,
                                   std::string_view field, bool usable) {
  auto it = call.app.lists().find(name);
  if (it == call.app.lists().end()) {
    return Status("list.not_found", fmt::format("没有名为「{}」的服务清单", name.substr(0, 60)),
                  Location{.field = std::string(field), .value = name.substr(0, 60)});
  }
  if (usable && !it->second.version.loaded.ok()) {
    return Status("list.invalid", fmt::format("服务清单「{}」有错误，不能使用", name),
                  Location{.field = std::string(field), .value = name});
  }
  return &it->second;
}

namespace {
bool LooksLikeIdNumber(std::string_view s) {
  return (s.size() == 18 || s.size() == 15) && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || c == 'X' || c == 'x';
         });
}
}  // namespace

Result<std::string> PersonIdOf(Call& call, const std::string& segment) {
  if (LooksLikeIdNumber(segment)) {
    Result<IdNumber> id = ParseIdNumber(segment, RegionTable::Builtin(), call.app.Today());
    if (!id.ok()) {
      Status s = id.status();
      return Status(s.code(), s.message(),
                    Location{.field = "ref", .value = MaskIdNumber(segment)});
    }
    return id->value;
  }
  return call.app.DecodePersonRef(segment);
}

Status CheckPersonAccess(Call& call, const std::string& id, std::string_view action) {
  registry::Registry& reg = *call.registry;
  Result<bool> passes = reg.PersonPasses(id, PersonScopeFilters(*call.user, call.app.Today()));
  if (!passes.ok()) return passes.status();
  if (*passes) return Status::Ok();
  Result<bool> exists = reg.PersonPasses(id, {});
  if (!exists.ok()) return exists.status();
  if (!*exists && call.user->scope == DataScope::kAll) {
    call.Audit(std::string(action), id, "failed", {{"reason", "not_found"}});
    return Status("person.not_found", "登记中没有此人", Location{.value = MaskIdNumber(id)});
  }
  call.Audit(std::string(action), id, "denied",
             {{"reason", *exists ? "scope" : "not_found"},
              {"data_scope", DataScopeKey(call.user->scope)},
              {"unit_code", call.user->unit_code}});
  return Status("person.scope", "此人不在您的数据范围内，无权查看或处理；本次访问已记录",
                Location{.value = MaskIdNumber(id)});
}

Result<std::set<std::string>> PersonsInScope(Call& call, const std::vector<std::string>& ids) {
  return call.registry->PersonsPassing(ids, PersonScopeFilters(*call.user, call.app.Today()));
}

Result<CivilDate> DateParam(const Call& call, std::string_view name, CivilDate fallback) {
  std::optional<std::string> text = call.Query(name);
  if (!text) return fallback;
  Result<CivilDate> d = CivilDate::Parse(*text);
  if (!d.ok()) {
    return Status("request.param", fmt::format("参数 {} 应为日期 YYYY-MM-DD", name),
                  Location{.field = std::string(name), .value = text->substr(0, 32)});
  }
  return *d;
}

Result<Month> MonthParam(const Call& call, std::string_view name, Month fallback) {
  std::optional<std::string> text = call.Query(name);
  if (!text) return fallback;
  Result<Month> m = Month::Parse(*text);
  if (!m.ok()) {
    return Status("request.param", fmt::format("参数 {} 应为月份 YYYY-MM", name),
                  Location{.field = std::string(name), .value = text->substr(0, 32)});
  }
  return *m;
}

Result<int64_t> IdPath(const Call& call, std::string_view name, std::string_view what) {
  const std::string& text = call.Path(name);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) {
    return Status("request.param", fmt::format("{}应为正整数", what),
                  Location{.field = std::string(name), .value = text.substr(0, 32)});
  }
  return v;
}

Result<std::optional<std::string>> EnumQuery(const Call& call, std::string_view name,
                                             const std::vector<EnumValue>& values) {
  std::optional<std::string> text = call.Query(name);
  if (!text) return text;
  for (const EnumValue& v : values) {
    if (*text == v.key) return text;
  }
  std::string listed;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      // "xlsx 或 csv", "ceased（停发）或 changed（变更）": a space only beside ASCII.
      listed += i + 1 < values.size() ? "、" : values[i - 1].label.empty() ? " 或 " : "或 ";
    }
    listed += values[i].key;
    if (!values[i].label.empty()) listed += fmt::format("（{}）", values[i].label);
  }
  return Status("request.param", fmt::format("{} 应为 {}", name, listed),
                Location{.field = std::string(name), .value = text->substr(0, 16)});
}

Result<const Region*> RegionQuery(const Call& call, std::string_view name,
                                  std::string_view fallback) {
  std::string code = call.Query(name).value_or(std::string(fallback));
  if (code.empty() && !call.Query(name)) return static_cast<const Region*>(nullptr);
  const Region* r = RegionTable::Builtin().Find(code);
  if (r == nullptr) {
    return Status("region.not_found", "没有这个行政区划代码",
                  Location{.field = std::string(name), .value = code.substr(0, 20)});
  }
  return r;
}

std::vector<registry::SqlFilter> RowScopeFilters(const Principal& user,
                                                 std::string_view region_column,
                                                 std::string_view id_column) {
  switch (user.scope) {
    case DataScope::kAll:
      return {};
    case DataScope::kSubtree:
      return {registry::RegionCodeFilter(region_column, user.unit_code, false)};
    case DataScope::kUnit:
      return {registry::RegionCodeFilter(region_column, user.unit_code, true)};
    case DataScope::kSelf:
      return {{std::string(id_column) +
                   " IN (SELECT c.id_number FROM server_caseload c WHERE c.user_id = ?)",
               {user.user_id}}};
  }
  return {{"1 = 0", {}}};
}

bool RowInScope(const Principal& user, std::string_view region,
                const std::set<std::string>& caseload, std::string_view id_number) {
  switch (user.scope) {
    case DataScope::kAll:
      return true;
    case DataScope::kSubtree:
      return !region.empty() && region.starts_with(user.unit_code);
    case DataScope::kUnit:
      return region == user.unit_code;
    case DataScope::kSelf:
      return caseload.contains(std::string(id_number));
  }
  return false;
}

Result<std::set<std::string>> CaseloadOf(Call& call) {
  std::set<std::string> out;
  if (call.user->scope != DataScope::kSelf) return out;
  Status s = call.registry->db().Query("SELECT id_number FROM server_caseload WHERE user_id = ?",
                                       {call.user->user_id}, [&](const db::Row& r) {
                                         out.insert(r.AsText(0));
                                         return true;
                                       });
  if (!s.ok()) return s;
  return out;
}

}  // namespace yanglao::server
