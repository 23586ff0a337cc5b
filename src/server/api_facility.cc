// Routes: elderly-care facilities and planning (src/facility,
// docs/facility.md): the map of a county or street (facilities, community
// points, 15-minute circles, uncovered communities), coverage against the
// city's targets, 配建 of estates, suggested sites, and the 配建 rule.
//
// Nothing here is a person's data: the older population is counted per
// community. The region asked for must lie within the caller's scope.
#include <fmt/format.h>

#include "core/region.h"
#include "db/migrate.h"
#include "facility/planning.h"
#include "facility/policy.h"
#include "facility/store.h"
#include "server/api_util.h"
#include "server/app.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

using namespace yanglao::facility;

struct Loaded {
  FacilityPolicy policy;
  CityView view;
  const Region* region = nullptr;  // the county or street asked for (or the city)
};

Result<const Region*> RegionOf(Call& call) {
  const Principal& user = *call.user;
  std::string code = call.Query("region").value_or(user.unit_code);
  const Region* r = RegionTable::Builtin().Find(code);
  if (r == nullptr || r->level < RegionLevel::kCity || r->level > RegionLevel::kTownship) {
    return Status("facility.region", "请选择地级市、县级或街道（乡镇）区划",
                  Location{.field = "region", .value = code.substr(0, 20)});
  }
  if (!UnitWithinScope(user, r->code)) {
    return Status("auth.scope", "所选地区超出您的数据范围",
                  Location{.field = "region", .value = r->DisplayCode()});
  }
  return r;
}

Result<std::unique_ptr<Loaded>> Load(Call& call, bool older) {
  Result<const Region*> r = RegionOf(call);
  if (!r.ok()) return r.status();
  auto out = std::make_unique<Loaded>();
  out->region = *r;
  Result<FacilityPolicy> p =
      FindFacilityPolicy(call.app.options().policies_dir / "facility", (*r)->code);
  if (!p.ok()) return p.status();
  out->policy = std::move(*p);
  db::Database& db = call.registry->db();
  FacilityStore store(db);
  auto facilities = store.Facilities(out->policy.jurisdiction);
  if (!facilities.ok()) return facilities.status();
  auto estates = store.Estates(out->policy.jurisdiction);
  if (!estates.ok()) return estates.status();
  auto points = store.Points(out->policy.jurisdiction);
  if (!points.ok()) return points.status();
  std::unordered_map<std::string, int64_t> counts;
  if (older) {
    auto o = OlderByCommunity(*call.registry, call.app.Today());
    if (!o.ok()) return o.status();
    counts = std::move(*o);
  }
  Result<CityView> view =
      BuildCityView(out->policy, std::move(*facilities), std::move(*estates), *points, counts);
  if (!view.ok()) return view.status();
  out->view = std::move(*view);
  return out;
}

std::vector<Kind> KindsOf(Call& call) {
  std::vector<Kind> kinds;
  std::string text = call.Query("kinds").value_or("");
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    if (std::optional<Kind> k = KindFromText(text.substr(i, j - i))) kinds.push_back(*k);
    i = j + 1;
  }
  if (kinds.empty()) kinds = {Kind::kComplex, Kind::kDayCare, Kind::kMutualAid, Kind::kCanteen};
  return kinds;
}

json::object PolicyJson(const FacilityPolicy& p) {
  return {{"city", p.city},
          {"file", p.file.substr(p.file.rfind('/') + 1)},
          {"version", p.version},
          {"document", p.document},
          {"document_title", p.document_title},
          {"source", p.source},
          {"walk",
           {{"minutes", p.walk.minutes},
            {"meters_per_minute", p.walk.meters_per_minute},
            {"detour_factor", p.walk.detour_factor},
            {"radius_m", p.walk.radius_m()}}}};
}

bool Within(std::string_view code, const Region* r) { return code.starts_with(r->code); }

Result<Reply> MapRoute(Call& call) {
  Result<std::unique_ptr<Loaded>> l = Load(call, true);
  if (!l.ok()) return l.status();
  const CityView& v = (*l)->view;
  const Region* r = (*l)->region;
  std::vector<Kind> kinds = KindsOf(call);
  WalkCoverage w = Walk(v, kinds);
  json::array areas, facilities, kinds_json;
  int64_t older = 0, covered = 0;
  for (size_t i = 0; i < v.areas.size(); ++i) {
    const Area& a = v.areas[i];
    if (!Within(a.region->code, r)) continue;
    older += a.older;
    if (w.covered[i]) covered += a.older;
    json::object o{{"code", a.region->code}, {"name", a.region->name},
                   {"street", a.street},     {"urban", a.urban},
                   {"older", a.older},       {"covered", bool(w.covered[i])},
                   {"placed", a.placed}};
    if (a.placed) {
      o["x"] = a.x;
      o["y"] = a.y;
    }
    areas.push_back(std::move(o));
  }
  for (const Facility& f : v.facilities) {
    if (!Within(f.community, r)) continue;
    facilities.push_back({{"id", f.id},
                          {"name", f.name},
                          {"kind", KindCode(f.kind)},
                          {"kind_label", KindLabel(f.kind)},
                          {"community", f.community},
                          {"x", f.x},
                          {"y", f.y},
                          {"beds", f.beds},
                          {"floor_area_m2", f.floor_area_m2},
                          {"status", f.status},
                          {"synthetic", f.synthetic}});
  }
  for (Kind k : kinds) kinds_json.push_back(json::string(KindCode(k)));
  json::array children;
  for (const Region* c : RegionTable::Builtin().Children(*r)) {
    if (c->level <= RegionLevel::kTownship)
      children.push_back({{"code", c->code}, {"name", c->name}});
  }
  call.Audit("facility.map", r->code, "ok", {{"facilities", facilities.size()}});
  return Reply::Json(json::object{{"region", RegionJson(r->code)},
                                  {"children", std::move(children)},
                                  {"policy", PolicyJson((*l)->policy)},
                                  {"synthetic", v.synthetic},
                                  {"kinds", std::move(kinds_json)},
                                  {"radius_m", w.radius_m},
                                  {"older", older},
                                  {"older_covered", covered},
                                  {"areas", std::move(areas)},
                                  {"facilities", std::move(facilities)}});
}

Result<Reply> CoverageRoute(Call& call) {
  Result<std::unique_ptr<Loaded>> l = Load(call, true);
  if (!l.ok()) return l.status();
  std::vector<int> years = {2023, 2024, 2025};
  const Region* r = (*l)->region;
  json::array lines;
  for (const Target& t : (*l)->policy.targets) {
    // Counts and totals are the city's targets: a county is not held to them.
    if (r->level != RegionLevel::kCity &&
        (t.measure == Measure::kUnitCount || t.measure == Measure::kBedsTotal ||
         t.measure == Measure::kNotTracked)) {
      continue;
    }
    std::string scope = r->level == RegionLevel::kCity ? "" : r->code;
    Indicator i = Compute((*l)->view, t, scope);
    json::array goals;
    for (int y : years) {
      std::optional<double> g = t.ValueFor(y);
      json::object o{{"year", y}};
      if (g) {
        o["min"] = *g;
        if (i.known) o["met"] = i.value + 1e-9 >= *g;
      }
      goals.push_back(std::move(o));
    }
    json::object o{{"id", t.id},
                   {"label", t.label},
                   {"ratio", t.is_ratio()},
                   {"known", i.known},
                   {"value", i.value},
                   {"numerator", i.numerator},
                   {"denominator", i.denominator},
                   {"why", i.why},
                   {"quote", t.quote},
                   {"goals", std::move(goals)}};
    lines.push_back(std::move(o));
  }
  return Reply::Json(json::object{{"region", RegionJson(r->code)},
                                  {"policy", PolicyJson((*l)->policy)},
                                  {"synthetic", (*l)->view.synthetic},
                                  {"lines", std::move(lines)}});
}

Result<Reply> EstatesRoute(Call& call) {
  Result<std::unique_ptr<Loaded>> l = Load(call, false);
  if (!l.ok()) return l.status();
  const Region* r = (*l)->region;
  json::array groups;
  GroupBy by = r->level == RegionLevel::kCity ? GroupBy::kCounty : GroupBy::kStreet;
  for (const EstateTotals& t : EstateTotalsBy((*l)->view, by)) {
    if (!Within(t.scope, r)) continue;
    groups.push_back({{"code", t.scope},
                      {"name", t.scope_name},
                      {"estates", t.estates},
                      {"new_estates", t.new_estates},
                      {"known", t.known},
                      {"compliant", t.compliant},
                      {"required_m2", t.required_m2},
                      {"provided_m2", t.provided_m2},
                      {"shortfall_m2", t.shortfall_m2}});
  }
  return Reply::Json(json::object{{"region", RegionJson(r->code)}, {"groups", std::move(groups)}});
}

Result<Reply> SuggestRoute(Call& call) {
  Result<int64_t> count = call.QueryInt("count", 10, 1, 100);
  if (!count.ok()) return count.status();
  Result<int64_t> capacity = call.QueryInt("capacity", 0, 0, 1'000'000);
  if (!capacity.ok()) return capacity.status();
  Result<std::unique_ptr<Loaded>> l = Load(call, true);
  if (!l.ok()) return l.status();
  const CityView& v = (*l)->view;
  const Region* r = (*l)->region;
  Suggestion s = SuggestSites(v, KindsOf(call), static_cast<int>(*count), *capacity,
                              r->level == RegionLevel::kCity ? std::string_view() : r->code);
  json::array sites;
  for (const SuggestedSite& site : s.sites) {
    const Area& a = v.areas[site.area];
    sites.push_back({{"code", a.region->code},
                     {"name", a.region->name},
                     {"x", a.x},
                     {"y", a.y},
                     {"gain", site.gain}});
  }
  return Reply::Json(json::object{{"sites", std::move(sites)},
                                  {"uncovered_before", s.uncovered_before},
                                  {"uncovered_after", s.uncovered_after}});
}

}  // namespace

void AddFacilityRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/facility/map",
             {.permission = "facility:map:read", .blocking = true}, MapRoute);
  router.Add(verb::get, "/api/v1/facility/coverage",
             {.permission = "facility:coverage:read", .blocking = true}, CoverageRoute);
  router.Add(verb::get, "/api/v1/facility/estates",
             {.permission = "facility:coverage:read", .blocking = true}, EstatesRoute);
  router.Add(verb::get, "/api/v1/facility/suggest",
             {.permission = "facility:map:read", .blocking = true}, SuggestRoute);
}

}  // namespace yanglao::server
