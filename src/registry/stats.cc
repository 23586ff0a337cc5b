#include "registry/stats.h"

#include <algorithm>
#include <unordered_map>

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

namespace {

// The all-counties total of a computation.
void SumCounties(RegistryStats& stats) {
  for (const auto& [county, k] : stats.by_county) {
    stats.all.people += k.people;
    stats.all.urban += k.urban;
    stats.all.placed += k.placed;
    for (size_t b = 0; b < kStatsBands; ++b) stats.all.bands[b] += k.bands[b];
    for (size_t i = 0; i < k.circumstances.size(); ++i)
      stats.all.circumstances[i] += k.circumstances[i];
  }
}

}  // namespace

Result<RegistryStats> ComputeStatsReference(Registry& registry, CivilDate as_of,
                                            CivilDate known_on) {
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
  SumCounties(stats);
  return stats;
}

Result<RegistryStats> ComputeStats(Registry& registry, CivilDate as_of, CivilDate known_on) {
  const RegionTable& regions = RegionTable::Builtin();
  const std::vector<StatsCircumstance>& circumstances = StatsCircumstances();
  RegistryStats stats;
  stats.as_of = as_of;
  stats.all.circumstances.assign(circumstances.size(), 0);
  stats.groups.assign(RegistryStats::GroupIndex(kMaxStatsAge + 1, 0, StatsArea::kUrban),
                      StatsGroup{0, std::vector<int64_t>(circumstances.size(), 0)});
  // Facts read: the residence (coded as an index into `places`), the death
  // (a record applies only from its date on: 1), then each circumstance
  // (1 when set).
  enum : size_t { kResidence, kDeath, kFirstCircumstance };
  std::vector<std::string> facts = {"residence_region", "death_date"};
  for (const StatsCircumstance& c : circumstances) facts.emplace_back(c.fact);
  struct Place {
    std::string county;
    StatsArea area = StatsArea::kUnknown;
    StatsCounts* counts = nullptr;
  };
  std::vector<Place> places;
  std::unordered_map<std::string, int32_t> place_of;
  auto encode = [&](size_t fact, std::string_view v) -> int32_t {
    if (fact == kResidence) {
      auto [it, added] = place_of.try_emplace(std::string(v), static_cast<int32_t>(places.size()));
      if (added) {
        Place p;
        p.county = std::string(v.substr(0, 6));
        if (const Region* r = regions.Find(v); r != nullptr && r->level == RegionLevel::kVillage) {
          p.area = r->is_urban_community() ? StatsArea::kUrban : StatsArea::kRural;
        }
        places.push_back(std::move(p));
      }
      return it->second;
    }
    if (fact == kDeath) return 1;
    return v != "0" && v != "none" ? 1 : 0;
  };
  Place nowhere{"未知", StatsArea::kUnknown, nullptr};
  constexpr int32_t kNone = CodedPerson::kNoRecord;
  Status s = registry.ForEachPersonCoded(as_of, known_on, facts, encode, [&](const CodedPerson& v) {
    ++stats.total;
    if (v.codes[kDeath] != kNone) {
      ++stats.deceased;
      return;
    }
    Place& p =
        v.codes[kResidence] == kNone ? nowhere : places[static_cast<size_t>(v.codes[kResidence])];
    if (p.counts == nullptr) {
      StatsCounts& k = stats.by_county[p.county];
      if (k.circumstances.empty()) k.circumstances.assign(circumstances.size(), 0);
      p.counts = &k;
    }
    StatsCounts& k = *p.counts;
    ++k.people;
    int age = std::clamp(AgeOn(v.birth_date, as_of), 0, kMaxStatsAge);
    for (size_t b = 0; b < kStatsBands; ++b) {
      if (age >= kStatsBandEdges[b] && age < kStatsBandEdges[b + 1]) ++k.bands[b];
    }
    k.urban += p.area == StatsArea::kUrban;
    k.placed += p.area != StatsArea::kUnknown;
    StatsGroup& g =
        stats.groups[RegistryStats::GroupIndex(age, v.sex == Sex::kMale ? 0 : 1, p.area)];
    ++g.people;
    for (size_t i = 0; i < circumstances.size(); ++i) {
      if (v.codes[kFirstCircumstance + i] == 1) {
        ++k.circumstances[i];
        ++g.with[i];
      }
    }
  });
  if (!s.ok()) return s;
  SumCounties(stats);
  return stats;
}

}  // namespace yanglao::registry
