// Statistics of the registry on a date (`yanglao registry stats`): the
// living people by county, age band, area and circumstance, and the same
// counts by single year of age, sex and area, from which rates can be
// compared with published figures (gen/calibration_check.h).
#ifndef YANGLAO_REGISTRY_STATS_H_
#define YANGLAO_REGISTRY_STATS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "registry/registry.h"

namespace yanglao::registry {

// A circumstance counted by the statistics: a fact that is "set" when its
// value is neither "0" nor "none" (低保=是, 特困=分散供养, 残疾等级=二级 ...).
struct StatsCircumstance {
  std::string_view fact;   // "dibao"
  std::string_view label;  // "低保"
};
// dibao, low_income, tekun, disability_grade, living_alone, empty_nest,
// left_behind, family_planning_special, dementia, veteran: in this order.
const std::vector<StatsCircumstance>& StatsCircumstances();

// Age bands of the county table: under 50, 50-59, 60-64, 65-69, 70-79,
// 80-89, 90-99, 100+.
inline constexpr std::array<int, 9> kStatsBandEdges = {0, 50, 60, 65, 70, 80, 90, 100, 200};
inline constexpr int kStatsBands = 8;

// Where a person lives, from the chosen residence_region: a 社区居委会
// (urban), a 村委会 (rural), or not known to the village level.
enum class StatsArea { kUrban = 0, kRural = 1, kUnknown = 2 };

struct StatsCounts {
  int64_t people = 0;
  std::array<int64_t, kStatsBands> bands{};
  int64_t urban = 0;                   // residence is a 社区居委会
  int64_t placed = 0;                  // residence known to the village level (urban or rural)
  std::vector<int64_t> circumstances;  // by StatsCircumstances() index
};

// Living people of one age (completed years, capped at kMaxStatsAge), sex
// and area, and how many of them have each circumstance.
struct StatsGroup {
  int64_t people = 0;
  std::vector<int64_t> with;  // by StatsCircumstances() index
};
inline constexpr int kMaxStatsAge = 120;

struct RegistryStats {
  CivilDate as_of;
  int64_t total = 0;     // people known
  int64_t deceased = 0;  // of them, dead on as_of
  // Living people by county (the first 6 digits of the residence, or
  // "未知"), in code order, and all together.
  std::map<std::string, StatsCounts> by_county;
  StatsCounts all;
  // Living people by age, sex (0 male, 1 female) and area: index with
  // GroupIndex.
  std::vector<StatsGroup> groups;

  static size_t GroupIndex(int age, int sex, StatsArea area) {
    return (static_cast<size_t>(age) * 2 + static_cast<size_t>(sex)) * 3 +
           static_cast<size_t>(area);
  }
  const StatsGroup& Group(int age, int sex, StatsArea area) const {
    return groups[GroupIndex(age, sex, area)];
  }
};

// Counts everyone known on `known_on`, resolved as of `as_of`: read
// set-based (Registry::ForEachPersonCoded: the residence, the death and the
// circumstances only).
Result<RegistryStats> ComputeStats(Registry& registry, CivilDate as_of, CivilDate known_on);
// The same counts, every person resolved from all their records one at a
// time (Registry::ForEachPerson): the reference ComputeStats is tested
// against (the two must agree in every count).
Result<RegistryStats> ComputeStatsReference(Registry& registry, CivilDate as_of,
                                            CivilDate known_on);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_STATS_H_
