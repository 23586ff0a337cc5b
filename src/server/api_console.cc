// GET /api/v1/console/menu: the web console's menu and the signed-in user's
// permissions. The console shows a page only when it is in this answer and
// checks buttons against `permissions`; the server checks every call again.
// The menu comes from the module table: each module's menu entries
// (src/<module>/module.h), filtered by the caller's permissions. GET
// /api/v1/console/import-template?source=民政&format=xlsx|csv: a department's blank feed template
// (the header row), for the import page. GET /api/v1/console/conflicts?page=&size=: open conflicts
// between sources of the persons within the caller's scope, on facts the caller may see (the
// dashboard's "awaiting resolution" and its list); audited as conflict.list.
// GET /api/v1/console/facts: the person facts rules read, with their Chinese
// labels and value labels (to show a list's rules in words).
// GET /api/v1/console/ages?region=: registered people by age band in each unit
// below a region (the dashboard), within the caller's data scope.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "core/id_number.h"
#include "core/region.h"
#include "entitle/live.h"
#include "policy/fact_schema.h"
#include "registry/feed_template.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/live_state.h"
#include "server/modules.h"
#include "server/web_routes.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

// The console's menu: the entries of every module of the table
// (db::MenuEntry), in their order, grouped by title (a group where its first
// entry falls), without those the user may not see.
Result<Reply> Menu(Call& call) {
  const Principal& user = *call.user;
  static const std::vector<db::MenuEntry>* const entries = [] {
    auto* out = new std::vector<db::MenuEntry>;
    for (const db::ModuleInfo* m : ModuleInfos()) {
      out->insert(out->end(), m->menu.begin(), m->menu.end());
    }
    std::stable_sort(out->begin(), out->end(), [](const db::MenuEntry& a, const db::MenuEntry& b) {
      return a.order < b.order;
    });
    return out;
  }();
  json::array menus;
  std::map<std::string_view, size_t> group_at;  // group title -> index in menus
  for (const db::MenuEntry& e : *entries) {
    if (!e.permission.empty() && !user.Can(e.permission)) continue;
    json::object item{
        {"path", e.path}, {"title", e.title}, {"icon", e.icon}, {"permission", e.permission}};
    if (e.group.empty()) {
      menus.push_back(std::move(item));
      continue;
    }
    auto [it, added] = group_at.try_emplace(e.group, menus.size());
    if (added) menus.push_back(json::object{{"title", e.group}, {"children", json::array{}}});
    menus[it->second].as_object()["children"].as_array().push_back(std::move(item));
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
  Result<std::optional<std::string>> format_param =
      EnumQuery(call, "format", {{"xlsx", ""}, {"csv", ""}});
  if (!format_param.ok()) return format_param.status();
  const std::string format = format_param->value_or("xlsx");
  return TableDownload({t->Header()}, format, source, fmt::format("{}-数据模板", source));
}

Result<Reply> Conflicts(Call& call) {
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  const Principal& user = *call.user;
  const CivilDate today = call.app.Today();
  Result<std::vector<registry::Registry::OpenConflict>> all =
      call.registry->OpenConflicts(PersonScopeFilters(user, today));
  if (!all.ok()) return all.status();
  std::vector<registry::Registry::OpenConflict> open;
  for (registry::Registry::OpenConflict& c : *all) {
    if (CanSeeFact(user, c.fact)) open.push_back(std::move(c));
  }
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

// Ages for a reader whose scope is a region (or everything): counted from the
// live snapshot of the region as of today (entitle/live.h; everything
// recorded, as the query of AgeBandsByUnit reads), with the scope's
// residence condition (PersonScopeFilters) applied to each row.
Result<Reply> AgesLive(Call& call, const Region& r, const std::vector<const Region*>& children,
                       json::array bands) {
  const Principal& user = *call.user;
  json::array units;
  if (!children.empty()) {
    Result<std::shared_ptr<const entitle::Snapshot>> snap = LiveSnapshotOf(
        *call.registry, call.app.options().db_url, r.code, call.app.Today(), kEverythingRecorded);
    if (!snap.ok()) return snap.status();
    const entitle::Snapshot& s = **snap;
    const RegionTable& regions = RegionTable::Builtin();
    std::function<bool(size_t)> keep;
    if (user.scope != DataScope::kAll) {
      const bool exact = user.scope == DataScope::kUnit;
      keep = [&, exact, memo = std::unordered_map<int32_t, bool>()](size_t row) mutable {
        auto [it, added] = memo.try_emplace(s.residence[row], false);
        if (added) {
          std::string code = regions.all()[static_cast<size_t>(s.residence[row])].DisplayCode();
          it->second = exact ? code == user.unit_code : code.starts_with(user.unit_code);
        }
        return it->second;
      };
    }
    // Counted once per snapshot (so once per watermark) and reader's scope.
    const std::string key =
        fmt::format("console.ages|{}|{}|{}", r.code, static_cast<int>(user.scope),
                    user.scope == DataScope::kAll ? std::string() : user.unit_code);
    auto counted = Derived<std::vector<registry::Registry::AgeBandCounts>>(*snap, key, [&] {
      return entitle::SnapshotAgeBands(s, r.code, children.front()->code.size(),
                                       std::vector<int>(std::begin(kBands), std::end(kBands)),
                                       keep);
    });
    for (const registry::Registry::AgeBandCounts& unit : *counted) {
      json::array by_band;
      int64_t total = 0;
      for (int64_t n : unit.counts) {
        by_band.push_back(n);
        total += n;
      }
      units.push_back(
          {{"region", RegionJson(unit.unit)}, {"counts", std::move(by_band)}, {"total", total}});
    }
  }
  call.Audit("person.stats", r.code, "ok", {{"units", units.size()}});
  return Reply::Json(
      json::object{{"region", RegionJson(r.code)}, {"bands", bands}, {"units", std::move(units)}});
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
  if (user.scope != DataScope::kSelf) return AgesLive(call, *r, children, std::move(bands));
  Result<int64_t> newest = call.registry->LatestFeedId();
  if (!newest.ok()) return newest.status();
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}", call.app.options().db_url, r->code,
                                      DataScopeKey(user.scope), user.unit_code,
                                      user.scope == DataScope::kSelf ? user.user_id : 0,
                                      call.app.Today().ToString(), *newest);
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
    Result<std::vector<registry::Registry::AgeBandCounts>> counts =
        call.registry->AgeBandsByUnit(r->code, children.front()->code.size(),
                                      std::vector<int>(std::begin(kBands), std::end(kBands)), today,
                                      PersonScopeFilters(user, today));
    if (!counts.ok()) return counts.status();
    for (const registry::Registry::AgeBandCounts& unit : *counts) {
      json::array by_band;
      int64_t total = 0;
      for (int64_t n : unit.counts) {
        by_band.push_back(n);
        total += n;
      }
      units.push_back(
          {{"region", RegionJson(unit.unit)}, {"counts", std::move(by_band)}, {"total", total}});
    }
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
