#include "gen/calibration.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace yanglao::gen {

double AgeTable::At(int age) const {
  for (const Band& b : bands) {
    if (age >= b.lo && age <= b.hi) return b.value;
  }
  return 0;
}

const CityCalibration* Calibration::FindCity(std::string_view code) const {
  for (const CityCalibration& c : cities) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

namespace {

constexpr std::string_view kFormat = "yanglao.calibration/1";
constexpr int kOpenAge = 1000;  // upper end of a band written "100+"

// One entry as written: value or values, unit and source.
struct Entry {
  YAML::Node node;
  YAML::Node values_node;
  bool has_value = false;
  double value = 0;
  std::vector<std::pair<std::string, std::vector<double>>> values;
};

std::optional<double> Number(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  const std::string& s = n.Scalar();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Reads the YAML of a calibration; the first problem ends the read.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Location At(const YAML::Node& n, std::string value = "") const {
    YAML::Mark m = n.Mark();
    Location where{.file = file_, .value = std::move(value)};
    if (m.line >= 0) {
      where.line = m.line + 1;
      where.column = m.column + 1;
    }
    return where;
  }
  Status Fail(const YAML::Node& n, std::string code, std::string message,
              std::string value = "") const {
    return Status(std::move(code), std::move(message), At(n, std::move(value)));
  }

  Status CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                   std::string_view what) const {
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return Fail(kv.first, "gen.calibration_unknown",
                    fmt::format("{}中有未知的字段「{}」", what, key), key);
      }
    }
    return Status::Ok();
  }

  // Reads one entry {value|values, unit, source, note}; records its RateInfo.
  Status ReadEntry(const YAML::Node& node, const std::string& name, Entry& out,
                   std::vector<RateInfo>& infos) const {
    if (!node.IsMap()) {
      return Fail(node, "gen.calibration_format",
                  fmt::format("「{}」应为映射（value/values、unit、source）", name), name);
    }
    if (Status s = CheckKeys(node, {"value", "values", "unit", "source", "note"},
                             fmt::format("「{}」", name));
        !s.ok()) {
      return s;
    }
    RateInfo info{.name = name};
    YAML::Node unit = node["unit"];
    if (!unit || !unit.IsScalar() || unit.Scalar().empty()) {
      return Fail(node, "gen.calibration_source", fmt::format("「{}」缺少单位（unit）", name),
                  name);
    }
    info.unit = unit.Scalar();
    YAML::Node source = node["source"];
    if (source && source.IsScalar() && !source.Scalar().empty()) {
      info.source = source.Scalar();
      info.estimate = info.source.starts_with("估计");
    } else if (source && source.IsMap()) {
      if (Status s = CheckKeys(source, {"document", "table", "year", "url", "note"},
                               fmt::format("「{}」的来源", name));
          !s.ok()) {
        return s;
      }
      YAML::Node document = source["document"];
      if (!document || !document.IsScalar() || document.Scalar().empty()) {
        return Fail(source, "gen.calibration_source",
                    fmt::format("「{}」的来源缺少文件名（document）", name), name);
      }
      info.source = document.Scalar();
      for (const char* part : {"table", "year", "url"}) {
        if (YAML::Node p = source[part]; p && p.IsScalar() && !p.Scalar().empty()) {
          info.source += "；" + p.Scalar();
        }
      }
    } else {
      return Fail(
          node, "gen.calibration_source",
          fmt::format("「{}」缺少来源（source：文件、表、年份，或“估计 (estimate): 理由”）", name),
          name);
    }

    out.node = node;
    YAML::Node value = node["value"];
    YAML::Node values = node["values"];
    if (static_cast<bool>(value) == static_cast<bool>(values)) {
      return Fail(node, "gen.calibration_format",
                  fmt::format("「{}」应有 value 或 values 之一", name), name);
    }
    if (value) {
      std::optional<double> v = Number(value);
      if (!v) {
        return Fail(value, "gen.calibration_format", fmt::format("「{}」的 value 应为数", name),
                    value.IsScalar() ? value.Scalar() : "");
      }
      out.has_value = true;
      out.value = *v;
    } else {
      if (!values.IsMap()) {
        return Fail(values, "gen.calibration_format",
                    fmt::format("「{}」的 values 应为映射（键: 数 或 [数, ...]）", name), name);
      }
      out.values_node = values;
      for (const auto& kv : values) {
        std::vector<double> numbers;
        if (kv.second.IsSequence()) {
          for (const YAML::Node& item : kv.second) {
            std::optional<double> v = Number(item);
            if (!v) {
              return Fail(item, "gen.calibration_format",
                          fmt::format("「{}」的「{}」应为数的列表", name, kv.first.Scalar()));
            }
            numbers.push_back(*v);
          }
        } else if (std::optional<double> v = Number(kv.second)) {
          numbers.push_back(*v);
        } else {
          return Fail(kv.second, "gen.calibration_format",
                      fmt::format("「{}」的「{}」应为数", name, kv.first.Scalar()));
        }
        out.values.emplace_back(kv.first.Scalar(), std::move(numbers));
      }
    }
    infos.push_back(std::move(info));
    return Status::Ok();
  }

 private:
  std::string file_;
};

// Typed reads of the entries of `rates`, with range checks.
class RateSet {
 public:
  RateSet(const Reader& reader, YAML::Node rates_node) : r_(reader), rates_node_(rates_node) {}

  std::map<std::string, Entry>& entries() { return entries_; }
  Status status() const { return status_; }

  double Scalar(const std::string& name, double lo, double hi) {
    const Entry* e = Find(name);
    if (e == nullptr) return 0;
    if (!e->has_value) {
      Set(r_.Fail(e->node, "gen.calibration_format", fmt::format("「{}」应为单个值（value）", name),
                  name));
      return 0;
    }
    CheckRange(e->node["value"], name, e->value, lo, hi);
    return e->value;
  }

  AgeTable Age(const std::string& name, double lo, double hi) {
    AgeTable t;
    const Entry* e = FindTable(name);
    if (e == nullptr) return t;
    for (const auto& [key, numbers] : e->values) {
      AgeTable::Band b;
      if (!ParseBand(key, b) || numbers.size() != 1) {
        Set(r_.Fail(
            e->values_node, "gen.calibration_format",
            fmt::format("「{}」的键「{}」应为年龄段（如 60-69 或 100+），值应为数", name, key),
            key));
        return t;
      }
      b.value = numbers[0];
      CheckRange(e->values_node[key], name, b.value, lo, hi);
      t.bands.push_back(b);
    }
    std::sort(t.bands.begin(), t.bands.end(),
              [](const AgeTable::Band& a, const AgeTable::Band& b) { return a.lo < b.lo; });
    for (size_t i = 1; i < t.bands.size(); ++i) {
      if (t.bands[i].lo <= t.bands[i - 1].hi) {
        Set(r_.Fail(e->values_node, "gen.calibration_format",
                    fmt::format("「{}」的年龄段重叠", name), name));
      }
    }
    return t;
  }

  // A table with exactly the keys `keys`, each one number, in that order.
  std::vector<double> Keyed(const std::string& name, std::initializer_list<std::string_view> keys,
                            double lo, double hi, size_t width = 1) {
    std::vector<double> out;
    const Entry* e = FindTable(name);
    if (e == nullptr) return out;
    for (std::string_view key : keys) {
      auto it = std::find_if(e->values.begin(), e->values.end(),
                             [&](const auto& kv) { return kv.first == key; });
      if (it == e->values.end() || it->second.size() != width) {
        Set(r_.Fail(e->values_node, "gen.calibration_missing",
                    fmt::format("「{}」缺少「{}」（应有 {} 个数）", name, key, width),
                    std::string(key)));
        return {};
      }
      for (double v : it->second) {
        CheckRange(e->values_node[std::string(key)], name, v, lo, hi);
        out.push_back(v);
      }
    }
    if (e->values.size() != keys.size()) {
      Set(r_.Fail(e->values_node, "gen.calibration_unknown",
                  fmt::format("「{}」有多余的键（应只有 {} 个）", name, keys.size()), name));
    }
    return out;
  }

  ByArea Area(const std::string& name, double lo = 0, double hi = 1) {
    std::vector<double> v = Keyed(name, {"城镇", "农村"}, lo, hi);
    return v.size() == 2 ? ByArea{v[0], v[1]} : ByArea{};
  }
  BySex Sex(const std::string& name, double lo = 0, double hi = 1) {
    std::vector<double> v = Keyed(name, {"男", "女"}, lo, hi);
    return v.size() == 2 ? BySex{v[0], v[1]} : BySex{};
  }

  void Set(Status s) {
    if (status_.ok() && !s.ok()) status_ = std::move(s);
  }

 private:
  static bool ParseBand(std::string_view key, AgeTable::Band& b) {
    auto parse = [](std::string_view s, int& v) {
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      return ec == std::errc() && end == s.data() + s.size() && v >= 0 && v < kOpenAge;
    };
    if (key.ends_with("+")) {
      b.hi = kOpenAge;
      return parse(key.substr(0, key.size() - 1), b.lo);
    }
    size_t dash = key.find('-');
    if (dash == std::string_view::npos) return false;
    return parse(key.substr(0, dash), b.lo) && parse(key.substr(dash + 1), b.hi) && b.lo <= b.hi;
  }

  const Entry* Find(const std::string& name) {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      Set(r_.Fail(rates_node_, "gen.calibration_missing",
                  fmt::format("校准文件的 rates 中缺少「{}」", name), name));
      return nullptr;
    }
    return &it->second;
  }
  const Entry* FindTable(const std::string& name) {
    const Entry* e = Find(name);
    if (e != nullptr && e->has_value) {
      Set(r_.Fail(e->node, "gen.calibration_format", fmt::format("「{}」应为表（values）", name),
                  name));
      return nullptr;
    }
    return e;
  }
  void CheckRange(const YAML::Node& at, const std::string& name, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) {
      Set(r_.Fail(at ? at : rates_node_, "gen.calibration_value",
                  fmt::format("「{}」的值 {} 超出范围 [{}, {}]", name, v, lo, hi),
                  fmt::format("{}", v)));
    }
  }

  const Reader& r_;
  YAML::Node rates_node_;
  std::map<std::string, Entry> entries_;
  Status status_;
};

// The rate names the generator reads; anything else in `rates` is an error.
constexpr std::string_view kRateNames[] = {
    "share_50_59",
    "age_groups",
    "share_80_plus_of_60_plus",
    "centenarians_per_100k",
    "male_share_by_age",
    "elderly_urban_factor",
    "elderly_mobility_factor",
    "hukou_code_length",
    "residence_street_only",
    "id_old_address_code_share",
    "move_per_year",
    "couple_share_by_age",
    "mobile_phone_by_age",
    "landline_share",
    "mortality_per_1000",
    "mortality_sex_factor",
    "death_reported_by_health",
    "death_reported_by_civil_affairs",
    "death_date_conflict",
    "dibao_60_plus",
    "dibao_age_factor",
    "dibao_hardship_share",
    "dibao_exit_per_year",
    "low_income_60_plus",
    "tekun_60_plus",
    "tekun_age_factor",
    "tekun_centralized_share",
    "able_supporter_share",
    "disability_cert_by_age",
    "disability_category",
    "disability_grade_by_category",
    "disability_cert_expired_share",
    "cannot_self_care_by_age",
    "capability_level_60_plus",
    "dementia_prevalence_by_age",
    "dementia_diagnosed_share",
    "long_term_care_given_dementia",
    "long_term_care_given_severe_disability",
    "living_alone_by_age",
    "empty_nest_60_plus",
    "left_behind_rural_60_plus",
    "in_institution_by_age",
    "vagrant_60_plus",
    "family_planning_special_50_79",
    "pension_scheme",
    "pension_female_employee_age",
    "veteran_60_plus",
    "demobilized_soldier_90_plus",
    "disabled_soldier_60_plus",
    "martyr_family_60_plus",
    "duty_death_family_60_plus",
    "illness_death_family_60_plus",
    "active_duty_family_50_64",
    "state_pension_benefit_veteran_share",
    "dirty_row_share",
};

Status ReadCity(const Reader& r, const std::string& code, const YAML::Node& node,
                CityCalibration& city, std::vector<RateInfo>& infos) {
  if (code.size() != 4 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return r.Fail(node, "gen.calibration_format",
                  fmt::format("城市键「{}」应为4位地级区划代码（如 4213）", code), code);
  }
  if (!node.IsMap()) {
    return r.Fail(node, "gen.calibration_format", fmt::format("城市「{}」应为映射", code), code);
  }
  if (Status s = r.CheckKeys(node,
                             {"name", "population", "share_60_plus", "share_65_plus",
                              "urbanization", "separated_within_city", "floating_within_province",
                              "floating_other_province", "centenarians_per_100k", "counties"},
                             fmt::format("城市「{}」", code));
      !s.ok()) {
    return s;
  }
  city.code = code;
  YAML::Node name = node["name"];
  if (!name || !name.IsScalar() || name.Scalar().empty()) {
    return r.Fail(node, "gen.calibration_missing", fmt::format("城市「{}」缺少 name", code), code);
  }
  city.name = name.Scalar();

  struct Field {
    const char* key;
    double* target;
    double lo, hi;
  };
  const Field fields[] = {
      {"population", &city.population, 1, 1e9},
      {"share_60_plus", &city.share_60_plus, 0, 1},
      {"share_65_plus", &city.share_65_plus, 0, 1},
      {"urbanization", &city.urbanization, 0, 1},
      {"separated_within_city", &city.separated_within_city, 0, 1},
      {"floating_within_province", &city.floating_within_province, 0, 1},
      {"floating_other_province", &city.floating_other_province, 0, 1},
  };
  for (const Field& f : fields) {
    YAML::Node n = node[f.key];
    if (!n) {
      return r.Fail(node, "gen.calibration_missing",
                    fmt::format("城市「{}」缺少「{}」", code, f.key), f.key);
    }
    Entry e;
    std::string full = fmt::format("cities.{}.{}", code, f.key);
    if (Status s = r.ReadEntry(n, full, e, infos); !s.ok()) return s;
    if (!e.has_value || !(e.value >= f.lo && e.value <= f.hi)) {
      return r.Fail(n, "gen.calibration_value",
                    fmt::format("「{}」应为 [{}, {}] 中的单个值", full, f.lo, f.hi), full);
    }
    *f.target = e.value;
  }
  if (city.share_65_plus > city.share_60_plus) {
    return r.Fail(node["share_65_plus"], "gen.calibration_value",
                  fmt::format("城市「{}」65岁及以上比例大于60岁及以上比例", code), code);
  }
  if (YAML::Node n = node["centenarians_per_100k"]) {
    Entry e;
    std::string full = fmt::format("cities.{}.centenarians_per_100k", code);
    if (Status s = r.ReadEntry(n, full, e, infos); !s.ok()) return s;
    if (!e.has_value || !(e.value >= 0 && e.value <= 1000)) {
      return r.Fail(n, "gen.calibration_value", fmt::format("「{}」应为 [0, 1000] 中的值", full),
                    full);
    }
    city.centenarians_per_100k = e.value;
  }
  if (YAML::Node counties = node["counties"]) {
    if (!counties.IsMap()) {
      return r.Fail(counties, "gen.calibration_format",
                    fmt::format("城市「{}」的 counties 应为映射（县级代码: 人口）", code), code);
    }
    for (const auto& kv : counties) {
      std::string county = kv.first.Scalar();
      if (county.size() != 6 || !county.starts_with(code)) {
        return r.Fail(kv.first, "gen.calibration_format",
                      fmt::format("「{}」不是 {} 下的6位县级代码", county, code), county);
      }
      Entry e;
      std::string full = fmt::format("cities.{}.counties.{}", code, county);
      if (Status s = r.ReadEntry(kv.second, full, e, infos); !s.ok()) return s;
      if (!e.has_value || !(e.value >= 1 && e.value <= 1e9)) {
        return r.Fail(kv.second, "gen.calibration_value", fmt::format("「{}」应为人口数", full),
                      full);
      }
      city.county_population[county] = e.value;
    }
  }
  return Status::Ok();
}

Status ReadRates(const Reader& r, const YAML::Node& rates, Calibration& c) {
  if (!rates || !rates.IsMap()) {
    return r.Fail(rates, "gen.calibration_format", "校准文件缺少 rates（映射）");
  }
  RateSet set(r, rates);
  for (const auto& kv : rates) {
    std::string name = kv.first.Scalar();
    if (std::find(std::begin(kRateNames), std::end(kRateNames), name) == std::end(kRateNames)) {
      return r.Fail(kv.first, "gen.calibration_unknown",
                    fmt::format("rates 中有未知的参数「{}」", name), name);
    }
    Entry e;
    if (Status s = r.ReadEntry(kv.second, name, e, c.rates); !s.ok()) return s;
    set.entries()[name] = std::move(e);
  }

  c.share_50_59 = set.Scalar("share_50_59", 0, 1);
  c.age_groups = set.Age("age_groups", 0, 1e12);
  c.share_80_plus_of_60_plus = set.Scalar("share_80_plus_of_60_plus", 0, 1);
  c.centenarians_per_100k = set.Scalar("centenarians_per_100k", 0, 1000);
  c.male_share_by_age = set.Age("male_share_by_age", 0, 1);
  c.elderly_urban_factor = set.Scalar("elderly_urban_factor", 0, 2);
  c.elderly_mobility_factor = set.Scalar("elderly_mobility_factor", 0, 2);
  if (std::vector<double> v = set.Keyed("hukou_code_length", {"12", "9", "6"}, 0, 1);
      v.size() == 3) {
    c.hukou_code_length = {v[0], v[1], v[2]};
  }
  c.residence_street_only = set.Scalar("residence_street_only", 0, 1);
  c.id_old_address_code_share = set.Scalar("id_old_address_code_share", 0, 1);
  c.move_per_year = set.Scalar("move_per_year", 0, 1);
  c.couple_share_by_age = set.Age("couple_share_by_age", 0, 1);
  c.mobile_phone_by_age = set.Age("mobile_phone_by_age", 0, 1);
  c.landline_share = set.Scalar("landline_share", 0, 1);
  c.mortality_per_1000 = set.Age("mortality_per_1000", 0, 1000);
  c.mortality_sex_factor = set.Sex("mortality_sex_factor", 0, 5);
  c.death_reported_by_health = set.Scalar("death_reported_by_health", 0, 1);
  c.death_reported_by_civil_affairs = set.Scalar("death_reported_by_civil_affairs", 0, 1);
  c.death_date_conflict = set.Scalar("death_date_conflict", 0, 1);
  c.dibao_60_plus = set.Area("dibao_60_plus");
  c.dibao_age_factor = set.Age("dibao_age_factor", 0, 100);
  c.dibao_hardship_share = set.Scalar("dibao_hardship_share", 0, 1);
  c.dibao_exit_per_year = set.Scalar("dibao_exit_per_year", 0, 1);
  c.low_income_60_plus = set.Area("low_income_60_plus");
  c.tekun_60_plus = set.Area("tekun_60_plus");
  c.tekun_age_factor = set.Age("tekun_age_factor", 0, 100);
  c.tekun_centralized_share = set.Area("tekun_centralized_share");
  c.able_supporter_share = set.Scalar("able_supporter_share", 0, 1);
  c.disability_cert_by_age = set.Age("disability_cert_by_age", 0, 1);
  const std::initializer_list<std::string_view> kCategories = {"视力", "听力", "言语", "肢体",
                                                               "智力", "精神", "多重"};
  if (std::vector<double> v = set.Keyed("disability_category", kCategories, 0, 1); v.size() == 7) {
    std::copy(v.begin(), v.end(), c.disability_category.begin());
  }
  if (std::vector<double> v = set.Keyed("disability_grade_by_category", kCategories, 0, 1, 4);
      v.size() == 28) {
    for (size_t i = 0; i < 7; ++i) {
      for (size_t g = 0; g < 4; ++g) c.disability_grade_by_category[i][g] = v[i * 4 + g];
    }
  }
  c.disability_cert_expired_share = set.Scalar("disability_cert_expired_share", 0, 1);
  c.cannot_self_care_by_age = set.Age("cannot_self_care_by_age", 0, 1);
  if (std::vector<double> v =
          set.Keyed("capability_level_60_plus", {"0", "1", "2", "3", "4"}, 0, 1);
      v.size() == 5) {
    std::copy(v.begin(), v.end(), c.capability_level_60_plus.begin());
  }
  c.dementia_prevalence_by_age = set.Age("dementia_prevalence_by_age", 0, 1);
  c.dementia_diagnosed_share = set.Scalar("dementia_diagnosed_share", 0, 1);
  c.long_term_care_given_dementia = set.Scalar("long_term_care_given_dementia", 0, 1);
  c.long_term_care_given_severe_disability =
      set.Scalar("long_term_care_given_severe_disability", 0, 1);
  c.living_alone_by_age = set.Age("living_alone_by_age", 0, 1);
  c.empty_nest_60_plus = set.Area("empty_nest_60_plus");
  c.left_behind_rural_60_plus = set.Scalar("left_behind_rural_60_plus", 0, 1);
  c.in_institution_by_age = set.Age("in_institution_by_age", 0, 1);
  c.vagrant_60_plus = set.Scalar("vagrant_60_plus", 0, 1);
  c.family_planning_special_50_79 = set.Area("family_planning_special_50_79");
  if (std::vector<double> v = set.Keyed("pension_scheme", {"城镇", "农村"}, 0, 1, 3);
      v.size() == 6) {
    c.pension_scheme_urban = {v[0], v[1], v[2]};
    c.pension_scheme_rural = {v[3], v[4], v[5]};
  }
  if (std::vector<double> v = set.Keyed("pension_female_employee_age", {"50", "55"}, 0, 1);
      v.size() == 2) {
    c.pension_female_employee_age_50 = v[0] + v[1] > 0 ? v[0] / (v[0] + v[1]) : 0;
  }
  c.veteran_60_plus = set.Sex("veteran_60_plus");
  c.demobilized_soldier_90_plus = set.Sex("demobilized_soldier_90_plus");
  c.disabled_soldier_60_plus = set.Sex("disabled_soldier_60_plus");
  c.martyr_family_60_plus = set.Scalar("martyr_family_60_plus", 0, 1);
  c.duty_death_family_60_plus = set.Scalar("duty_death_family_60_plus", 0, 1);
  c.illness_death_family_60_plus = set.Scalar("illness_death_family_60_plus", 0, 1);
  c.active_duty_family_50_64 = set.Scalar("active_duty_family_50_64", 0, 1);
  c.state_pension_benefit_veteran_share = set.Scalar("state_pension_benefit_veteran_share", 0, 1);
  c.dirty_row_share = set.Scalar("dirty_row_share", 0, 0.5);
  if (!set.status().ok()) return set.status();

  // Tables whose coverage the generator relies on.
  if (c.age_groups.At(50) <= 0 || c.age_groups.At(100) <= 0) {
    return r.Fail(rates["age_groups"], "gen.calibration_value",
                  "age_groups 应覆盖 50 岁至 100 岁及以上，且各段大于 0");
  }
  const std::pair<const char*, const AgeTable*> covering[] = {
      {"male_share_by_age", &c.male_share_by_age}, {"mortality_per_1000", &c.mortality_per_1000}};
  for (const auto& [name, table] : covering) {
    for (int age = 50; age <= 109; ++age) {
      if (table->At(age) <= 0) {
        return r.Fail(rates[name], "gen.calibration_value",
                      fmt::format("「{}」未覆盖 {} 岁（应覆盖 50 岁及以上）", name, age), name);
      }
    }
  }
  for (const auto& grades : c.disability_grade_by_category) {
    if (grades[0] + grades[1] + grades[2] + grades[3] <= 0) {
      return r.Fail(rates["disability_grade_by_category"], "gen.calibration_value",
                    "disability_grade_by_category 每一类的四个比例之和应大于 0");
    }
  }
  return Status::Ok();
}

}  // namespace

namespace {

Result<Calibration> ParseCalibrationOrThrow(std::string_view text, const std::string& name) {
  Reader r(name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status("gen.calibration_yaml", fmt::format("校准文件 YAML 格式错误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  if (!root.IsMap()) {
    return Status("gen.calibration_format", "校准文件应为 YAML 映射", Location{.file = name});
  }
  if (Status s = r.CheckKeys(root, {"format", "title", "note", "cities", "rates"}, "校准文件");
      !s.ok()) {
    return s;
  }
  YAML::Node format = root["format"];
  if (!format || !format.IsScalar() || format.Scalar() != kFormat) {
    return r.Fail(format ? format : root, "gen.calibration_format",
                  fmt::format("校准文件的 format 应为 {}", kFormat),
                  format && format.IsScalar() ? format.Scalar() : "");
  }
  Calibration c;
  c.source_name = name;
  YAML::Node cities = root["cities"];
  if (!cities || !cities.IsMap() || cities.size() == 0) {
    return r.Fail(root, "gen.calibration_missing", "校准文件缺少 cities（各城市的人口数据）");
  }
  for (const auto& kv : cities) {
    CityCalibration city;
    if (Status s = ReadCity(r, kv.first.Scalar(), kv.second, city, c.rates); !s.ok()) return s;
    c.cities.push_back(std::move(city));
  }
  if (Status s = ReadRates(r, root["rates"], c); !s.ok()) return s;
  return c;
}

}  // namespace

Result<Calibration> ParseCalibration(std::string_view text, const std::string& name) {
  try {
    return ParseCalibrationOrThrow(text, name);
  } catch (const YAML::Exception& e) {
    // A shape the reader did not expect (yaml-cpp reports it by throwing).
    return Status("gen.calibration_format", fmt::format("校准文件结构错误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
}

Result<Calibration> LoadCalibrationFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status("gen.io", fmt::format("无法读取校准文件：{}", path.string()),
                  Location{.file = path.string()});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseCalibration(text.str(), path.string());
}

const Calibration& BuiltinCalibration() {
  static const Calibration* const builtin = [] {
    Result<Calibration> c =
        ParseCalibration(BuiltinCalibrationText(), "builtin:data/calibration/calibration.yaml");
    if (!c.ok()) {
      std::fprintf(stderr, "yanglao: built-in calibration is broken: %s\n",
                   c.status().ToString().c_str());
      std::abort();
    }
    return new Calibration(std::move(*c));
  }();
  return *builtin;
}

}  // namespace yanglao::gen
