// GET /api/v1/console/menu: the web console's menu and the signed-in user's
// permissions. The console shows a page only when it is in this answer and
// checks buttons against `permissions`; the server checks every call again.
// The menu is data in one table (kMenu) so that it can later come from the
// module table. GET /api/v1/console/import-template?source=民政&format=xlsx|csv:
// a department's blank feed template (the header row), for the import page.
// GET /api/v1/console/conflicts?page=&size=: open conflicts between sources
// of the persons within the caller's scope, on facts the caller may see (the
// dashboard's "awaiting resolution" and its list); audited as conflict.list.
// GET /api/v1/console/facts: the person facts rules read, with their Chinese
// labels and value labels (to show a list's rules in words).
// GET /api/v1/console/ages?region=: registered people by age band in each unit
// below a region (the dashboard), within the caller's data scope.
#include <fmt/format.h>

#include <map>
#include <mutex>
#include <string_view>

#include "core/id_number.h"
#include "core/region.h"
#include "policy/fact_schema.h"
#include "registry/feed_template.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/web_routes.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

struct MenuEntry {
  std::string_view group;       // top-level group title ("" = top level)
  std::string_view path;        // console route
  std::string_view title;       // Chinese label
  std::string_view icon;        // Element Plus icon name
  std::string_view permission;  // needed to see it; "" = every signed-in user
};

// clang-format off
constexpr MenuEntry kMenu[] = {
    {"",         "/dashboard",         "首页",       "Odometer",   ""},
    {"老年人",   "/persons",           "老年人信息", "User",       "person:person:list"},
    {"老年人",   "/conflicts",         "数据冲突",   "Warning",    "person:person:list"},
    {"老年人",   "/assessments",       "能力评估",   "Document",   "assess:due:list"},
    {"政策",     "/lists",             "服务清单",   "Tickets",    "policy:list:read"},
    {"政策",     "/runs",              "月度核定",   "Calendar",   "entitle:run:read"},
    {"政策",     "/whatif",            "政策测算",   "TrendCharts", "entitle:whatif:run"},
    {"助餐",     "/canteen",           "助餐柜台",   "KnifeFork",  "canteen:sale:create"},
    {"数据",     "/imports",           "数据导入",   "Upload",     "registry:import:read"},
    {"系统管理", "/system/users",      "用户管理",   "Avatar",     "system:user:list"},
    {"系统管理", "/system/roles",      "角色管理",   "Lock",       "system:role:list"},
    {"系统管理", "/system/audit",      "审计日志",   "List",       "system:audit:list"},
};
// clang-format on

Result<Reply> Menu(Call& call) {
  const Principal& user = *call.user;
  json::array menus;
  json::object* group = nullptr;
  std::string_view group_title;
  for (const MenuEntry& e : kMenu) {
    if (!e.permission.empty() && !user.Can(e.permission)) continue;
    json::object item{
        {"path", e.path}, {"title", e.title}, {"icon", e.icon}, {"permission", e.permission}};
    if (e.group.empty()) {
      menus.push_back(std::move(item));
      group = nullptr;
      continue;
    }
    if (group == nullptr || group_title != e.group) {
      menus.push_back(json::object{{"title", e.group}, {"children", json::array{}}});
      group = &menus.back().as_object();
      group_title = e.group;
    }
    (*group)["children"].as_array().push_back(std::move(item));
  }
  json::object o;
  o["menus"] = std::move(menus);
  json::array perms;
  for (const std::string& p : user.permissions) perms.push_back(json::string(p));
  o["permissions"] = std::move(perms);
  o["user"] = PrincipalJson(user);
  return Reply::Json(o);
}

Result<Reply> ImportTemplate(Call& call) {
  std::string source = call.Query("source").value_or("");
  const registry::FeedTemplate* t = registry::FindTemplate(source);
  if (t == nullptr) {
    return Status("feed.source", fmt::format("未知的数据来源部门「{}」", source.substr(0, 60)),
                  Location{.field = "source", .value = source.substr(0, 60)});
  }
  std::string format = call.Query("format").value_or("xlsx");
  if (format != "xlsx" && format != "csv") {
    return Status("request.param", "format 应为 xlsx 或 csv",
                  Location{.field = "format", .value = format.substr(0, 16)});
  }
  return TableDownload({t->Header()}, format, source, fmt::format("{}-数据模板", source));
}

Result<Reply> Conflicts(Call& call) {
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  const Principal& user = *call.user;
  const CivilDate today = call.app.Today();
  std::string sql =
      "SELECT c.id, c.id_number, c.fact FROM conflict c JOIN person p ON p.id_number = "
      "c.id_number WHERE c.status = 'open'";
  std::vector<registry::Value> params;
  for (const registry::SqlFilter& f : PersonScopeFilters(user, today)) {
    sql += " AND (" + f.sql + ")";
    params.insert(params.end(), f.params.begin(), f.params.end());
  }
  struct Open {
    int64_t id;
    std::string id_number, fact;
  };
  std::vector<Open> open;
  Status s = call.registry->db().Query(sql + " ORDER BY c.id", params, [&](const registry::Row& r) {
    if (CanSeeFact(user, r.AsText(2))) open.push_back({r.AsInt(0), r.AsText(1), r.AsText(2)});
    return true;
  });
  if (!s.ok()) return s;
  json::array items;
  for (size_t i = static_cast<size_t>(paging->offset());
       i < open.size() && items.size() < static_cast<size_t>(paging->size); ++i) {
    Result<std::optional<registry::PersonView>> v =
        call.registry->Person(open[i].id_number, today, today);
    if (!v.ok()) return v.status();
    items.push_back({{"id", open[i].id},
                     {"ref", call.app.PersonRef(open[i].id_number)},
                     {"id_number", MaskIdNumber(open[i].id_number)},
                     {"name", v->has_value() ? (*v)->name() : std::string()},
                     {"fact", open[i].fact},
                     {"label", registry::FactLabel(open[i].fact)}});
  }
  call.Audit("conflict.list", "", "ok", {{"total", open.size()}});
  return Reply::Json(PageJson(*paging, static_cast<int64_t>(open.size()), std::move(items)));
}

Result<Reply> Facts(Call& call) {
  (void)call;
  const policy::FactSchema& schema = policy::FactSchema::Person();
  json::array facts;
  for (size_t i = 0; i < schema.size(); ++i) {
    const policy::FactInfo& f = schema.at(i);
    json::object values;
    for (size_t v = 0; v < f.enum_values.size() && v < f.value_labels.size(); ++v) {
      values[f.enum_values[v]] = f.value_labels[v];
    }
    facts.push_back({{"name", f.name}, {"label", f.label}, {"values", std::move(values)}});
  }
  return Reply::Json(json::object{{"facts", std::move(facts)}});
}

// Age bands of the dashboard: lower bounds in years (the last is open).
constexpr int kBands[] = {50, 60, 70, 80, 90};

// Answers of Ages by what decides them: the database, the region, the caller's scope (and
// caseload user), the day and the newest feed. A new feed changes the key, so
// an answer is never stale; the counting pass over a large city takes seconds.
struct AgesCache {
  std::mutex mu;
  std::map<std::string, std::string> answers;  // key -> JSON body
};
AgesCache& TheAgesCache() {
  static AgesCache* cache = new AgesCache;
  return *cache;
}

Result<Reply> Ages(Call& call) {
  const Principal& user = *call.user;
  std::string code = call.Query("region").value_or(user.unit_code);
  const RegionTable& regions = RegionTable::Builtin();
  const Region* r = regions.Find(code);
  if (r == nullptr) {
    return Status("region.not_found", "没有这个地区代码",
                  Location{.field = "region", .value = code.substr(0, 16)});
  }
  std::vector<const Region*> children;
  for (const Region& child : regions.all()) {
    if (child.parent >= 0 && &regions.all()[static_cast<size_t>(child.parent)] == r) {
      children.push_back(&child);
    }
  }
  json::array bands;
  for (size_t i = 0; i < std::size(kBands); ++i) {
    bands.push_back(json::string(i + 1 < std::size(kBands)
                                     ? fmt::format("{}-{}岁", kBands[i], kBands[i + 1] - 1)
                                     : fmt::format("{}岁及以上", kBands[i])));
  }
  Result<std::vector<registry::Row>> newest =
      call.registry->db().QueryAll("SELECT COALESCE(MAX(id), 0) FROM feed");
  if (!newest.ok()) return newest.status();
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}", call.app.options().db_url, r->code,
                                      DataScopeKey(user.scope), user.unit_code,
                                      user.scope == DataScope::kSelf ? user.user_id : 0,
                                      call.app.Today().ToString(), (*newest)[0].AsInt(0));
  {
    std::lock_guard lock(TheAgesCache().mu);
    auto hit = TheAgesCache().answers.find(key);
    if (hit != TheAgesCache().answers.end()) {
      call.Audit("person.stats", r->code, "ok", {{"cached", true}});
      Reply reply;
      reply.body = hit->second;
      return reply;
    }
  }
  json::array units;
  if (!children.empty()) {
    const CivilDate today = call.app.Today();
    const std::string d = today.ToString();
    // One pass over the residence records that hold today (the latest one
    // per person, as ResidenceFilter and Registry::Person choose), grouped by
    // the unit below `r`; born on or before cutoff[i] <=> aged kBands[i]+.
    std::vector<std::string> cutoff;
    for (int b : kBands) {
      cutoff.push_back(
          fmt::format("{:04d}-{:02d}-{:02d}", today.year() - b, today.month(), today.day()));
    }
    std::string sql = "SELECT substr(r.value, 1, ?)";
    std::vector<registry::Value> params = {static_cast<int64_t>(children.front()->code.size())};
    for (size_t i = 0; i < cutoff.size(); ++i) {
      sql += fmt::format(", SUM(CASE WHEN p.birth_date <= ?{} THEN 1 ELSE 0 END)",
                         i + 1 < cutoff.size() ? " AND p.birth_date > ?" : "");
      params.emplace_back(cutoff[i]);
      if (i + 1 < cutoff.size()) params.emplace_back(cutoff[i + 1]);
    }
    sql +=
        " FROM person p JOIN fact r ON r.id_number = p.id_number WHERE r.fact = "
        "'residence_region' AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to >= ?) "
        "AND substr(r.value, 1, ?) = ? AND NOT EXISTS (SELECT 1 FROM fact r2 WHERE "
        "r2.id_number = r.id_number AND r2.fact = 'residence_region' AND r2.valid_from <= ? AND "
        "(r2.valid_to IS NULL OR r2.valid_to >= ?) AND (r2.valid_from > r.valid_from OR "
        "(r2.valid_from = r.valid_from AND (r2.feed_id > r.feed_id OR (r2.feed_id = r.feed_id "
        "AND r2.row_no > r.row_no)))))";
    params.insert(params.end(), {d, d, static_cast<int64_t>(r->code.size()), r->code, d, d});
    for (const registry::SqlFilter& f : PersonScopeFilters(user, today)) {
      sql += " AND (" + f.sql + ")";
      params.insert(params.end(), f.params.begin(), f.params.end());
    }
    sql += " GROUP BY 1 ORDER BY 1";
    Status s = call.registry->db().Query(sql, params, [&](const registry::Row& row) {
      json::array counts;
      int64_t total = 0;
      for (size_t i = 0; i < cutoff.size(); ++i) {
        int64_t n = row.IsNull(i + 1) ? 0 : row.AsInt(i + 1);
        counts.push_back(n);
        total += n;
      }
      units.push_back(
          {{"region", RegionJson(row.AsText(0))}, {"counts", counts}, {"total", total}});
      return true;
    });
    if (!s.ok()) return s;
  }
  call.Audit("person.stats", r->code, "ok", {{"units", units.size()}});
  Reply reply = Reply::Json(
      json::object{{"region", RegionJson(r->code)}, {"bands", bands}, {"units", std::move(units)}});
  std::lock_guard lock(TheAgesCache().mu);
  if (TheAgesCache().answers.size() >= 1024) TheAgesCache().answers.clear();
  TheAgesCache().answers[key] = reply.body;
  return reply;
}

}  // namespace

void AddConsoleRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/console/menu", {}, Menu);
  router.Add(verb::get, "/api/v1/console/import-template", {.permission = "registry:import:read"},
             ImportTemplate);
  router.Add(verb::get, "/api/v1/console/ages", {.permission = "person:person:list"}, Ages);
  router.Add(verb::get, "/api/v1/console/conflicts", {.permission = "person:person:list"},
             Conflicts);
  router.Add(verb::get, "/api/v1/console/facts", {.permission = "policy:list:read"}, Facts);
  AddAssessFormRoutes(router);
}

}  // namespace yanglao::server
