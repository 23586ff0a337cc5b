// Planning over a city's facilities (docs/facility.md): the indicators of a
// facility policy per level (city, county, street), 配建 compliance of
// estates, the 15-minute walking circles and suggested sites.
//
// The older population comes from the registry through its public API
// (OlderByCommunity: Registry::ForEachPersonCoded), never its tables. People
// are placed at the centre of their community (CommunityPoint); walking
// distance is the straight line times the policy's detour factor.
#ifndef YANGLAO_FACILITY_PLANNING_H_
#define YANGLAO_FACILITY_PLANNING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/civil_date.h"
#include "core/region.h"
#include "core/status.h"
#include "facility/model.h"
#include "facility/policy.h"
#include "registry/registry.h"

namespace yanglao::facility {

// Living people aged `min_age` and over on `as_of`, by the code of their
// residence (12 digits: a community; shorter: known only to that level) and
// under "" those with no residence record. BuildCityView counts the codes of
// its city that are not communities, and "", as unplaced: in the totals,
// never in a circle.
Result<std::unordered_map<std::string, int64_t>> OlderByCommunity(registry::Registry& registry,
                                                                  CivilDate as_of,
                                                                  int min_age = 60);

// One community or village of the city.
struct Area {
  const Region* region = nullptr;
  std::string street, county;  // codes
  bool urban = false;          // 社区居委会
  bool rural = false;          // 村委会
  bool placed = false;         // has a CommunityPoint
  double x = 0, y = 0;
  int64_t older = 0;
  uint32_t served_kinds = 0;  // bit per Kind: an active facility stands in or serves it
};

// A township-level or county-level unit.
struct Unit {
  const Region* region = nullptr;
  uint32_t kinds = 0;  // bit per Kind of the active facilities standing in it
};

struct CityView {
  const FacilityPolicy* policy = nullptr;
  const Region* root = nullptr;  // the policy's jurisdiction
  std::vector<Area> areas;       // code order
  std::unordered_map<std::string, size_t> area_index;
  std::vector<Unit> townships, counties;
  std::vector<Facility> facilities;
  std::vector<Estate> estates;
  int64_t older_unplaced = 0;  // older people whose community is not known
  bool synthetic = false;      // any point or facility is generated
};

// Builds the view of the policy's jurisdiction. Facilities, estates and
// points outside it are left out. Fails with facility.region when the
// jurisdiction is not in the built-in region table.
Result<CityView> BuildCityView(const FacilityPolicy& policy, std::vector<Facility> facilities,
                               std::vector<Estate> estates,
                               const std::vector<CommunityPoint>& points,
                               const std::unordered_map<std::string, int64_t>& older);

// A computed indicator. `known` is false when the data cannot give it
// (`why` says what is missing).
struct Indicator {
  bool known = false;
  double value = 0;  // a share (0..1) or a count
  int64_t numerator = 0, denominator = 0;
  std::string why;
};

// The indicator of `target` over the units at or below `scope` (a region
// code; empty = the whole jurisdiction).
Indicator Compute(const CityView& view, const Target& target, std::string_view scope = {});

// One line of the coverage table: a target, where, the value now and the
// target of each year asked for.
struct CoverageLine {
  const Target* target = nullptr;
  std::string scope, scope_name;
  Indicator now;
  std::vector<std::optional<double>> goals;  // per year asked
  std::vector<std::optional<bool>> met;      // per year: nullopt when no goal or unknown
};

enum class GroupBy { kCity, kCounty, kStreet };
std::vector<CoverageLine> CoverageTable(const CityView& view, const std::vector<int>& years,
                                        GroupBy by);

// 配建 per estate, and totals per street or county.
struct EstateLine {
  const Estate* estate = nullptr;
  EstateCheck check;
};
struct EstateTotals {
  std::string scope, scope_name;
  int64_t estates = 0, new_estates = 0, known = 0, compliant = 0;
  int64_t required_m2 = 0, provided_m2 = 0, shortfall_m2 = 0;
};
std::vector<EstateLine> CheckEstates(const CityView& view);
std::vector<EstateTotals> EstateTotalsBy(const CityView& view, GroupBy by);

// The 15-minute circle of facilities of `kinds` (active ones).
struct WalkCoverage {
  double radius_m = 0;      // straight-line radius
  int64_t older_total = 0;  // placed and unplaced
  int64_t older_covered = 0;
  std::vector<bool> covered;           // per area
  std::vector<size_t> outside;         // placed areas with older people, not covered
  std::vector<size_t> unplaced_areas;  // areas without a point
};
WalkCoverage Walk(const CityView& view, const std::vector<Kind>& kinds);

// Greedy maximum coverage: `count` new sites among the placed communities,
// each serving at most `capacity` older people (nearest first) within the
// circle, after the existing sites (fixed, uncapped) have covered theirs.
// With `scope` (a region code), only its communities are demand and
// candidates.
struct SuggestedSite {
  size_t area = 0;
  int64_t gain = 0;  // older people newly served
};
struct Suggestion {
  std::vector<SuggestedSite> sites;
  int64_t uncovered_before = 0, uncovered_after = 0;
};
Suggestion SuggestSites(const CityView& view, const std::vector<Kind>& kinds, int count,
                        int64_t capacity, std::string_view scope = {});

}  // namespace yanglao::facility

#endif  // YANGLAO_FACILITY_PLANNING_H_
