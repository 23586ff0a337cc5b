#include "registry/stats.h"

#include <algorithm>

#include "core/region.h"

namespace yanglao::registry {

const std::vector<StatsCircumstance>& StatsCircumstances() {
  static const std::vector<StatsCircumstance>* const list = new std::vector<StatsCircumstance>{
      {"dibao", "低保"},        {"low_income", "低收入"},
      {"tekun", "特困"},        {"disability_grade", "持证残疾"},
      {"living_alone", "独居"}, {"empty_nest", "空巢"},
      {"left_behind", "留守"},  {"family_planning_special", "计划生育特殊家庭"},
      {"dementia", "失智"},     {"veteran", "退役军人"},
  };
  return *list;
}

Result<RegistryStats> ComputeStats(Registry& registry, CivilDate as_of, CivilDate known_on) {
  const RegionTable& regions = RegionTable::Builtin();
  const std::vector<StatsCircumstance>& circumstances = StatsCircumstances();
  RegistryStats stats;
  stats.as_of = as_of;
  stats.all.circumstances.assign(circumstances.size(), 0);
  stats.groups.assign(RegistryStats::GroupIndex(kMaxStatsAge + 1, 0, StatsArea::kUrban),
                      StatsGroup{0, std::vector<int64_t>(circumstances.size(), 0)});
  Status s = registry.ForEachPerson(as_of, known_on, [&](const PersonView& v) {
    ++stats.total;
    if (v.deceased_on(as_of)) {
      ++stats.deceased;
      return;
    }
    auto res = v.facts.find("residence_region");
    std::string county = res == v.facts.end() ? "未知" : res->second.value.substr(0, 6);
    StatsCounts& k = stats.by_county[county];
    if (k.circumstances.empty()) k.circumstances.assign(circumstances.size(), 0);
    ++k.people;
    int age = std::clamp(AgeOn(v.birth_date, as_of), 0, kMaxStatsAge);
    for (size_t b = 0; b < kStatsBands; ++b) {
      if (age >= kStatsBandEdges[b] && age < kStatsBandEdges[b + 1]) ++k.bands[b];
    }
    StatsArea area = StatsArea::kUnknown;
    if (res != v.facts.end()) {
      if (const Region* r = regions.Find(res->second.value);
          r != nullptr && r->level == RegionLevel::kVillage) {
        area = r->is_urban_community() ? StatsArea::kUrban : StatsArea::kRural;
      }
    }
    k.urban += area == StatsArea::kUrban;
    k.placed += area != StatsArea::kUnknown;
    StatsGroup& g = stats.groups[RegistryStats::GroupIndex(age, v.sex == Sex::kMale ? 0 : 1, area)];
    ++g.people;
    for (size_t i = 0; i < circumstances.size(); ++i) {
      auto it = v.facts.find(std::string(circumstances[i].fact));
      if (it != v.facts.end() && it->second.value != "0" && it->second.value != "none") {
        ++k.circumstances[i];
        ++g.with[i];
      }
    }
  });
  if (!s.ok()) return s;
  for (const auto& [county, k] : stats.by_county) {
    stats.all.people += k.people;
    stats.all.urban += k.urban;
    stats.all.placed += k.placed;
    for (size_t b = 0; b < kStatsBands; ++b) stats.all.bands[b] += k.bands[b];
    for (size_t i = 0; i < circumstances.size(); ++i)
      stats.all.circumstances[i] += k.circumstances[i];
  }
  return stats;
}

}  // namespace yanglao::registry
