#include "canteen/coverage.h"

#include <fmt/format.h>

#include <set>

#include "core/region.h"

namespace yanglao::canteen {

Result<CoverageReport> Coverage(const std::vector<Canteen>& canteens, std::string_view jurisdiction,
                                const std::optional<CoverageTarget>& target) {
  const RegionTable& table = RegionTable::Builtin();
  const Region* city = table.Find(jurisdiction);
  if (city == nullptr) {
    return Status("canteen.city", "行政区划代码不在区划表中",
                  Location{.field = "jurisdiction", .value = std::string(jurisdiction)});
  }
  std::set<std::string> covered;  // community codes
  for (const Canteen& c : canteens) {
    covered.insert(c.region);
    for (const std::string& k : c.communities) covered.insert(k);
  }
  std::set<std::string> streets_covered;
  for (const std::string& k : covered) {
    if (k.size() >= 9) streets_covered.insert(k.substr(0, 9));
  }
  CoverageReport out;
  out.jurisdiction = std::string(jurisdiction);
  out.name = city->name;
  CoverageGroup urban{"城市社区"}, rural{"农村社区"}, streets{"街道（乡镇）"};
  auto [begin, end] = table.DescendantRange(*city);
  for (size_t i = begin; i < end; ++i) {
    const Region& r = table.all()[i];
    if (r.level == RegionLevel::kTownship) {
      ++streets.total;
      if (streets_covered.count(r.code)) {
        ++streets.covered;
      } else {
        streets.uncovered.push_back(r.code + " " + r.name);
      }
    }
    if (r.level != RegionLevel::kVillage) continue;
    CoverageGroup* g = r.kind == RegionKind::kUrbanCommunity ? &urban
                       : r.kind == RegionKind::kRuralVillage ? &rural
                                                             : nullptr;
    if (g == nullptr) continue;
    ++g->total;
    if (covered.count(r.code)) {
      ++g->covered;
    } else {
      g->uncovered.push_back(r.code + " " + r.name);
    }
  }
  if (target) {
    out.basis = target->basis;
    out.by = target->by;
    urban.target_percent = target->urban_percent;
    rural.target_percent = target->rural_percent;
    streets.target_percent = target->per_street ? 100 : 0;
  }
  for (CoverageGroup* g : {&urban, &rural, &streets}) {
    // covered / total >= percent / 100, in integers.
    g->met = g->covered * 100 >= g->target_percent * g->total;
    out.groups.push_back(std::move(*g));
  }
  return out;
}

}  // namespace yanglao::canteen
