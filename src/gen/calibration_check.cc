#include "gen/calibration_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace yanglao::gen {
namespace {

using registry::RegistryStats;
using registry::StatsArea;

// The index of a circumstance in registry::StatsCircumstances().
size_t Circumstance(std::string_view fact) {
  const auto& list = registry::StatsCircumstances();
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].fact == fact) return i;
  }
  return list.size();
}

struct Tally {
  double n = 0, observed = 0, expected = 0;
};

}  // namespace

Result<std::vector<RateCheck>> CompareWithCalibration(const RegistryStats& stats,
                                                      const Calibration& cal,
                                                      std::string_view city_code) {
  const CityCalibration* city = cal.FindCity(city_code);
  if (city == nullptr) {
    return Status("gen.no_calibration",
                  fmt::format("校准参数中没有城市 {} 的数据（有：{}）", city_code,
                              [&] {
                                std::string known;
                                for (const CityCalibration& c : cal.cities)
                                  known += (known.empty() ? "" : "、") + c.code + " " + c.name;
                                return known;
                              }()),
                  Location{.value = std::string(city_code)});
  }
  std::map<std::string, bool> estimate;
  for (const RateInfo& r : cal.rates) estimate[r.name] = r.estimate;
  const std::string prefix = fmt::format("cities.{}.", city->code);

  std::vector<RateCheck> out;
  // Sums `expected(age, sex, area)` over the living people of the groups
  // `in(age, sex, area)` selects; `observed` counts those with circumstance
  // `with` (or, when `with` is null, those `hit` selects).
  using Select = std::function<bool(int, int, StatsArea)>;
  using Expect = std::function<double(int, int, StatsArea)>;
  auto add = [&](std::string key, std::string label, std::vector<std::string> rates,
                 const Select& in, const Expect& expected, std::string_view with,
                 const Select& hit) {
    Tally t;
    size_t c = with.empty() ? 0 : Circumstance(with);
    for (int age = 0; age <= registry::kMaxStatsAge; ++age) {
      for (int sex = 0; sex < 2; ++sex) {
        for (StatsArea area : {StatsArea::kUrban, StatsArea::kRural, StatsArea::kUnknown}) {
          if (!in(age, sex, area)) continue;
          const registry::StatsGroup& g = stats.Group(age, sex, area);
          if (g.people == 0) continue;
          auto n = static_cast<double>(g.people);
          t.n += n;
          t.expected += n * expected(age, sex, area);
          if (!with.empty()) {
            t.observed += static_cast<double>(g.with[c]);
          } else if (hit(age, sex, area)) {
            t.observed += n;
          }
        }
      }
    }
    RateCheck r;
    r.key = std::move(key);
    r.label = std::move(label);
    for (const std::string& name : rates) r.estimate = r.estimate || estimate[name];
    r.rates = std::move(rates);
    r.sample = static_cast<int64_t>(t.n);
    r.observed = static_cast<int64_t>(t.observed);
    if (t.n > 0) {
      r.observed_rate = t.observed / t.n;
      r.expected_rate = t.expected / t.n;
      r.se = std::sqrt(r.expected_rate * (1 - r.expected_rate) / t.n);
      r.z = r.se > 0 ? (r.observed_rate - r.expected_rate) / r.se : 0;
    }
    out.push_back(std::move(r));
  };
  auto is_urban = [](StatsArea a) { return a == StatsArea::kUrban; };
  const Select all50 = [](int age, int, StatsArea) { return age >= 50; };
  const Select all60 = [](int age, int, StatsArea) { return age >= 60; };
  const Select placed60 = [](int age, int, StatsArea a) {
    return age >= 60 && a != StatsArea::kUnknown;
  };
  const Select none;

  // Ages.
  double s50 = cal.share_50_59 + city->share_60_plus;
  add(
      "share_60_plus", "60岁及以上（占50岁及以上）", {prefix + "share_60_plus", "share_50_59"},
      all50, [&](int, int, StatsArea) { return city->share_60_plus / s50; }, "",
      [](int age, int, StatsArea) { return age >= 60; });
  add(
      "share_65_plus", "65岁及以上（占60岁及以上）",
      {prefix + "share_65_plus", prefix + "share_60_plus"}, all60,
      [&](int, int, StatsArea) { return city->share_65_plus / city->share_60_plus; }, "",
      [](int age, int, StatsArea) { return age >= 65; });
  add(
      "share_80_plus", "80岁及以上（占60岁及以上）", {"share_80_plus_of_60_plus"}, all60,
      [&](int, int, StatsArea) { return cal.share_80_plus_of_60_plus; }, "",
      [](int age, int, StatsArea) { return age >= 80; });
  // Place.
  add(
      "urban", "居住在城镇社区（50岁及以上，居住地到村级）",
      {prefix + "urbanization", "elderly_urban_factor"},
      [](int age, int, StatsArea a) { return age >= 50 && a != StatsArea::kUnknown; },
      [&](int, int, StatsArea) { return city->urbanization * cal.elderly_urban_factor; }, "",
      [&](int, int, StatsArea a) { return is_urban(a); });
  // Social assistance, by area.
  add(
      "dibao_60_plus", "低保（60岁及以上）", {"dibao_60_plus"}, placed60,
      [&](int, int, StatsArea a) { return cal.dibao_60_plus.Of(is_urban(a)); }, "dibao", none);
  add(
      "low_income_60_plus", "低收入（60岁及以上）", {"low_income_60_plus"}, placed60,
      [&](int, int, StatsArea a) { return cal.low_income_60_plus.Of(is_urban(a)); }, "low_income",
      none);
  add(
      "tekun_60_plus", "特困（60岁及以上）", {"tekun_60_plus"}, placed60,
      [&](int, int, StatsArea a) { return cal.tekun_60_plus.Of(is_urban(a)); }, "tekun", none);
  // Disability, dementia.
  add(
      "disability_cert_by_age", "持证残疾（50岁及以上）", {"disability_cert_by_age"}, all50,
      [&](int age, int, StatsArea) { return cal.disability_cert_by_age.At(age); },
      "disability_grade", none);
  add(
      "dementia_60_plus", "失智（60岁及以上，有诊断）",
      {"dementia_prevalence_by_age", "dementia_diagnosed_share"}, all60,
      [&](int age, int, StatsArea) {
        return cal.dementia_prevalence_by_age.At(age) * cal.dementia_diagnosed_share;
      },
      "dementia", none);
  // Living arrangements.
  add(
      "living_alone_by_age", "独居（60岁及以上）", {"living_alone_by_age"}, all60,
      [&](int age, int, StatsArea) { return cal.living_alone_by_age.At(age); }, "living_alone",
      none);
  add(
      "empty_nest_60_plus", "空巢（60岁及以上）", {"empty_nest_60_plus"}, placed60,
      [&](int, int, StatsArea a) { return cal.empty_nest_60_plus.Of(is_urban(a)); }, "empty_nest",
      none);
  add(
      "left_behind_rural_60_plus", "留守（农村60岁及以上）", {"left_behind_rural_60_plus"},
      [](int age, int, StatsArea a) { return age >= 60 && a == StatsArea::kRural; },
      [&](int, int, StatsArea) { return cal.left_behind_rural_60_plus; }, "left_behind", none);
  add(
      "family_planning_special_50_79", "计划生育特殊家庭（50-79岁）",
      {"family_planning_special_50_79"},
      [](int age, int, StatsArea a) { return age >= 50 && age <= 79 && a != StatsArea::kUnknown; },
      [&](int, int, StatsArea a) { return cal.family_planning_special_50_79.Of(is_urban(a)); },
      "family_planning_special", none);
  add(
      "veteran_60_plus", "退役军人（60岁及以上）", {"veteran_60_plus"}, all60,
      [&](int, int sex, StatsArea) { return cal.veteran_60_plus.Of(sex == 0); }, "veteran", none);
  return out;
}

std::string MainCity(const RegistryStats& stats) {
  std::map<std::string, int64_t> people;
  for (const auto& [county, k] : stats.by_county) {
    if (county.size() == 6 && std::all_of(county.begin(), county.end(), ::isdigit))
      people[county.substr(0, 4)] += k.people;
  }
  std::string best;
  int64_t most = 0;
  for (const auto& [city, n] : people) {
    if (n > most) {
      best = city;
      most = n;
    }
  }
  return best;
}

}  // namespace yanglao::gen
