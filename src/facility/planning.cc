#include "facility/planning.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <map>

namespace yanglao::facility {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<Point>;
using Entry = std::pair<Point, size_t>;
using Tree = bgi::rtree<Entry, bgi::quadratic<16>>;

uint32_t Bit(Kind k) { return 1u << static_cast<unsigned>(k); }
uint32_t Mask(const std::vector<Kind>& kinds) {
  uint32_t m = 0;
  for (Kind k : kinds) m |= Bit(k);
  return m;
}

bool InScope(const Region* r, std::string_view scope) {
  return scope.empty() || std::string_view(r->code).starts_with(scope);
}

bool TownshipMatches(const Region* r, UnitLevel level) {
  switch (level) {
    case UnitLevel::kTownship:
      return r->kind == RegionKind::kStreet || r->kind == RegionKind::kTown ||
             r->kind == RegionKind::kTownship;
    case UnitLevel::kStreet:
      return r->kind == RegionKind::kStreet;
    case UnitLevel::kTown:
      return r->kind == RegionKind::kTown || r->kind == RegionKind::kTownship;
    default:
      return false;
  }
}

Indicator Share(int64_t num, int64_t den, std::string what) {
  Indicator i;
  i.numerator = num;
  i.denominator = den;
  if (den == 0) {
    i.why = fmt::format("没有{}", what);
    return i;
  }
  i.known = true;
  i.value = static_cast<double>(num) / static_cast<double>(den);
  return i;
}

Tree BuildTree(const CityView& view, uint32_t mask) {
  std::vector<Entry> entries;
  for (size_t i = 0; i < view.facilities.size(); ++i) {
    const Facility& f = view.facilities[i];
    if (f.active() && (Bit(f.kind) & mask)) {
      entries.emplace_back(Point(static_cast<double>(f.x), static_cast<double>(f.y)), i);
    }
  }
  return Tree(entries.begin(), entries.end());
}

}  // namespace

Result<std::unordered_map<std::string, int64_t>> OlderByCommunity(registry::Registry& registry,
                                                                  CivilDate as_of, int min_age) {
  std::vector<std::string> codes;
  std::unordered_map<std::string, int32_t> code_index;
  const std::string day = as_of.ToString();
  std::vector<int64_t> counts;
  int64_t unplaced = 0;
  auto encode = [&](size_t fact, std::string_view v) -> int32_t {
    if (fact == 1) return v <= day ? 1 : 0;  // death_date: dead by as_of
    std::string code(v);
    auto it = code_index.find(code);
    if (it == code_index.end()) {
      it = code_index.emplace(code, static_cast<int32_t>(codes.size())).first;
      codes.push_back(code);
      counts.push_back(0);
    }
    return it->second;
  };
  constexpr int32_t kNone = registry::CodedPerson::kNoRecord;
  Status s = registry.ForEachPersonCoded(as_of, as_of, {"residence_region", "death_date"}, encode,
                                         [&](const registry::CodedPerson& p) {
                                           if (p.codes[1] == 1) return;
                                           if (AgeOn(p.birth_date, as_of) < min_age) return;
                                           int32_t c = p.codes[0];
                                           if (c == kNone) {
                                             ++unplaced;
                                           } else {
                                             ++counts[static_cast<size_t>(c)];
                                           }
                                         });
  if (!s.ok()) return s;
  std::unordered_map<std::string, int64_t> out;
  for (size_t i = 0; i < codes.size(); ++i) {
    if (counts[i] > 0) out[codes[i]] = counts[i];
  }
  if (unplaced > 0) out[""] = unplaced;
  return out;
}

Result<CityView> BuildCityView(const FacilityPolicy& policy, std::vector<Facility> facilities,
                               std::vector<Estate> estates,
                               const std::vector<CommunityPoint>& points,
                               const std::unordered_map<std::string, int64_t>& older) {
  const RegionTable& table = RegionTable::Builtin();
  CityView v;
  v.policy = &policy;
  v.root = table.Find(policy.jurisdiction);
  if (v.root == nullptr) {
    return Status("facility.region", "政策的区划不在内置区划表中",
                  Location{.field = "jurisdiction", .value = policy.jurisdiction});
  }
  auto [first, last] = table.DescendantRange(*v.root);
  for (size_t i = first; i < last; ++i) {
    const Region& r = table.all()[i];
    if (r.level == RegionLevel::kCounty) v.counties.push_back(Unit{&r});
    if (r.level == RegionLevel::kTownship) v.townships.push_back(Unit{&r});
    if (r.level != RegionLevel::kVillage) continue;
    Area a;
    a.region = &r;
    a.street = r.code.substr(0, 9);
    a.county = r.code.substr(0, 6);
    a.urban = r.kind == RegionKind::kUrbanCommunity;
    a.rural = r.kind == RegionKind::kRuralVillage;
    if (auto it = older.find(r.code); it != older.end()) a.older = it->second;
    v.area_index.emplace(r.code, v.areas.size());
    v.areas.push_back(std::move(a));
  }
  // People placed in a community the table does not list are unplaced.
  for (const auto& [code, n] : older) {
    if (std::string_view(code).starts_with(policy.jurisdiction) && !v.area_index.contains(code)) {
      v.older_unplaced += n;
    }
  }
  if (auto it = older.find(""); it != older.end()) v.older_unplaced += it->second;
  for (const CommunityPoint& p : points) {
    auto it = v.area_index.find(p.community);
    if (it == v.area_index.end()) continue;
    Area& a = v.areas[it->second];
    a.placed = true;
    a.x = static_cast<double>(p.x);
    a.y = static_cast<double>(p.y);
    v.synthetic = v.synthetic || p.synthetic;
  }
  std::unordered_map<std::string, size_t> township_index, county_index;
  for (size_t i = 0; i < v.townships.size(); ++i) township_index[v.townships[i].region->code] = i;
  for (size_t i = 0; i < v.counties.size(); ++i) county_index[v.counties[i].region->code] = i;
  for (Facility& f : facilities) {
    if (!v.area_index.contains(f.community)) continue;
    v.synthetic = v.synthetic || f.synthetic;
    if (f.active()) {
      uint32_t bit = Bit(f.kind);
      v.areas[v.area_index[f.community]].served_kinds |= bit;
      for (const std::string& c : f.served) {
        if (auto it = v.area_index.find(c); it != v.area_index.end())
          v.areas[it->second].served_kinds |= bit;
      }
      if (auto it = township_index.find(f.community.substr(0, 9)); it != township_index.end()) {
        v.townships[it->second].kinds |= bit;
      }
      if (auto it = county_index.find(f.community.substr(0, 6)); it != county_index.end()) {
        v.counties[it->second].kinds |= bit;
      }
    }
    v.facilities.push_back(std::move(f));
  }
  for (Estate& e : estates) {
    if (v.area_index.contains(e.community)) v.estates.push_back(std::move(e));
  }
  return v;
}

Indicator Compute(const CityView& view, const Target& target, std::string_view scope) {
  const uint32_t mask = Mask(target.kinds);
  switch (target.measure) {
    case Measure::kUnitCoverage:
    case Measure::kUnitCount: {
      int64_t num = 0, den = 0;
      std::string what;
      if (target.level == UnitLevel::kUrbanCommunity ||
          target.level == UnitLevel::kRuralCommunity) {
        bool urban = target.level == UnitLevel::kUrbanCommunity;
        what = urban ? "城市社区" : "行政村";
        for (const Area& a : view.areas) {
          if (!InScope(a.region, scope) || (urban ? !a.urban : !a.rural)) continue;
          ++den;
          if (a.served_kinds & mask) ++num;
        }
      } else if (target.level == UnitLevel::kCounty) {
        what = "县级单位";
        for (const Unit& u : view.counties) {
          if (!InScope(u.region, scope) && !std::string_view(scope).starts_with(u.region->code))
            continue;
          ++den;
          if (u.kinds & mask) ++num;
        }
      } else {
        what = "街道（乡镇）";
        for (const Unit& u : view.townships) {
          if (!TownshipMatches(u.region, target.level)) continue;
          if (!InScope(u.region, scope) && !std::string_view(scope).starts_with(u.region->code))
            continue;
          ++den;
          if (u.kinds & mask) ++num;
        }
      }
      if (target.measure == Measure::kUnitCount) {
        Indicator i;
        i.known = true;
        i.value = static_cast<double>(num);
        i.numerator = num;
        i.denominator = den;
        return i;
      }
      return Share(num, den, what);
    }
    case Measure::kEstateCompliance: {
      int64_t num = 0, den = 0;
      bool unknown = false;
      for (const Estate& e : view.estates) {
        if (!scope.empty() && !std::string_view(e.community).starts_with(scope)) continue;
        EstateCheck c = CheckEstate(*view.policy, e);
        if (target.estates == "new" && !c.req.is_new) continue;
        if (target.estates == "existing" && c.req.is_new) continue;
        if (!c.req.known) {
          unknown = true;
          continue;
        }
        ++den;
        if (c.compliant) ++num;
      }
      if (unknown && den == 0) {
        Indicator i;
        i.why = "原文未载明配建面积标准";
        return i;
      }
      return Share(num, den, "登记的住宅小区");
    }
    case Measure::kBedsTotal:
    case Measure::kNursingBedShare: {
      int64_t beds = 0, nursing = 0;
      for (const Facility& f : view.facilities) {
        if (!f.active() || (!scope.empty() && !std::string_view(f.community).starts_with(scope)))
          continue;
        beds += f.beds;
        nursing += f.nursing_beds;
      }
      if (target.measure == Measure::kNursingBedShare) return Share(nursing, beds, "床位");
      Indicator i;
      i.known = true;
      i.value = static_cast<double>(beds);
      i.numerator = beds;
      return i;
    }
    case Measure::kOlderWithinWalk: {
      WalkCoverage w = Walk(view, target.kinds);
      int64_t num = 0, den = 0;
      for (size_t i = 0; i < view.areas.size(); ++i) {
        if (!InScope(view.areas[i].region, scope)) continue;
        den += view.areas[i].older;
        if (w.covered[i]) num += view.areas[i].older;
      }
      if (scope.empty()) den += view.older_unplaced;
      return Share(num, den, "老年人口数据（先导入登记库）");
    }
    case Measure::kNotTracked:
      break;
  }
  Indicator i;
  i.why = "本模块不登记此项数据";
  return i;
}

std::vector<CoverageLine> CoverageTable(const CityView& view, const std::vector<int>& years,
                                        GroupBy by) {
  std::vector<std::pair<std::string, std::string>> scopes;
  if (by == GroupBy::kCity) scopes.emplace_back("", view.root->name);
  if (by == GroupBy::kCounty) {
    for (const Unit& u : view.counties) scopes.emplace_back(u.region->code, u.region->name);
  }
  if (by == GroupBy::kStreet) {
    for (const Unit& u : view.townships) scopes.emplace_back(u.region->code, u.region->name);
  }
  std::vector<CoverageLine> out;
  for (const auto& [code, name] : scopes) {
    for (const Target& t : view.policy->targets) {
      // Count targets over units and city-wide totals only make sense for the city.
      if (by != GroupBy::kCity &&
          (t.measure == Measure::kUnitCount || t.measure == Measure::kBedsTotal ||
           t.measure == Measure::kNotTracked)) {
        continue;
      }
      if (by == GroupBy::kStreet && t.measure == Measure::kUnitCoverage &&
          t.level != UnitLevel::kUrbanCommunity && t.level != UnitLevel::kRuralCommunity) {
        continue;
      }
      CoverageLine line;
      line.target = &t;
      line.scope = code;
      line.scope_name = name;
      line.now = Compute(view, t, code);
      for (int y : years) {
        std::optional<double> goal = t.ValueFor(y);
        line.goals.push_back(goal);
        if (goal && line.now.known) {
          // Shares are compared at the precision they are shown (0.1%).
          double v = t.is_ratio() ? std::round(line.now.value * 1000) / 1000 : line.now.value;
          line.met.push_back(v + 1e-9 >= *goal);
        } else {
          line.met.push_back(std::nullopt);
        }
      }
      out.push_back(std::move(line));
    }
  }
  return out;
}

std::vector<EstateLine> CheckEstates(const CityView& view) {
  std::vector<EstateLine> out;
  out.reserve(view.estates.size());
  for (const Estate& e : view.estates) out.push_back({&e, CheckEstate(*view.policy, e)});
  return out;
}

std::vector<EstateTotals> EstateTotalsBy(const CityView& view, GroupBy by) {
  const RegionTable& table = RegionTable::Builtin();
  std::map<std::string, EstateTotals> groups;
  for (const Estate& e : view.estates) {
    std::string code = by == GroupBy::kCity     ? view.root->code
                       : by == GroupBy::kCounty ? e.community.substr(0, 6)
                                                : e.community.substr(0, 9);
    EstateTotals& t = groups[code];
    if (t.scope.empty()) {
      t.scope = code;
      const Region* r = table.Find(code);
      t.scope_name = r ? r->name : code;
    }
    EstateCheck c = CheckEstate(*view.policy, e);
    ++t.estates;
    if (c.req.is_new) ++t.new_estates;
    t.provided_m2 += e.area_provided_m2;
    if (c.req.known) {
      ++t.known;
      if (c.compliant) ++t.compliant;
      t.required_m2 += c.req.required_m2;
      t.shortfall_m2 += c.shortfall_m2;
    }
  }
  std::vector<EstateTotals> out;
  for (auto& [code, t] : groups) out.push_back(std::move(t));
  return out;
}

WalkCoverage Walk(const CityView& view, const std::vector<Kind>& kinds) {
  WalkCoverage w;
  w.radius_m = view.policy->walk.radius_m();
  w.covered.assign(view.areas.size(), false);
  Tree tree = BuildTree(view, Mask(kinds));
  const double r2 = w.radius_m * w.radius_m;
  w.older_total = view.older_unplaced;
  for (size_t i = 0; i < view.areas.size(); ++i) {
    const Area& a = view.areas[i];
    w.older_total += a.older;
    if (!a.placed) {
      w.unplaced_areas.push_back(i);
      continue;
    }
    bool hit = false;
    if (!tree.empty()) {
      Point p(a.x, a.y);
      for (auto it = tree.qbegin(bgi::nearest(p, 1)); it != tree.qend(); ++it) {
        double dx = bg::get<0>(it->first) - a.x, dy = bg::get<1>(it->first) - a.y;
        hit = dx * dx + dy * dy <= r2;
      }
    }
    if (hit) {
      w.covered[i] = true;
      w.older_covered += a.older;
    } else if (a.older > 0) {
      w.outside.push_back(i);
    }
  }
  return w;
}

Suggestion SuggestSites(const CityView& view, const std::vector<Kind>& kinds, int count,
                        int64_t capacity, std::string_view scope) {
  Suggestion s;
  WalkCoverage w = Walk(view, kinds);
  const double radius = w.radius_m, r2 = radius * radius;
  std::vector<int64_t> residual(view.areas.size(), 0);
  std::vector<Entry> entries;
  for (size_t i = 0; i < view.areas.size(); ++i) {
    const Area& a = view.areas[i];
    if (!a.placed || !InScope(a.region, scope)) continue;
    entries.emplace_back(Point(a.x, a.y), i);
    if (!w.covered[i]) residual[i] = a.older;
  }
  for (int64_t r : residual) s.uncovered_before += r;
  Tree tree(entries.begin(), entries.end());
  // Each candidate's neighbours within the circle, nearest first.
  std::vector<std::vector<std::pair<double, size_t>>> near(view.areas.size());
  for (const Entry& e : entries) {
    double x = bg::get<0>(e.first), y = bg::get<1>(e.first);
    Box box(Point(x - radius, y - radius), Point(x + radius, y + radius));
    auto& list = near[e.second];
    for (auto it = tree.qbegin(bgi::intersects(box)); it != tree.qend(); ++it) {
      double dx = bg::get<0>(it->first) - x, dy = bg::get<1>(it->first) - y;
      double d2 = dx * dx + dy * dy;
      if (d2 <= r2) list.emplace_back(d2, it->second);
    }
    std::sort(list.begin(), list.end());
  }
  if (capacity <= 0) capacity = INT64_MAX;
  for (int k = 0; k < count; ++k) {
    int64_t best_gain = 0;
    size_t best = 0;
    for (const Entry& e : entries) {
      int64_t gain = 0;
      for (const auto& [d2, j] : near[e.second]) {
        gain += residual[j];
        if (gain >= capacity) break;
      }
      gain = std::min(gain, capacity);
      if (gain > best_gain) {  // ties: the first in code order
        best_gain = gain;
        best = e.second;
      }
    }
    if (best_gain == 0) break;
    int64_t left = capacity;
    for (const auto& [d2, j] : near[best]) {
      int64_t take = std::min(left, residual[j]);
      residual[j] -= take;
      left -= take;
      if (left == 0) break;
    }
    s.sites.push_back({best, best_gain});
  }
  for (int64_t r : residual) s.uncovered_after += r;
  return s;
}

}  // namespace yanglao::facility
