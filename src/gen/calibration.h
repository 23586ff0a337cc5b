// The calibration of `yanglao gen`: the published rates (and the labelled
// estimates) a synthetic city is drawn from, read from a YAML file in the
// format of data/calibration/README.md. The default file,
// data/calibration/calibration.yaml, is embedded in the binary at build time.
//
// A Calibration is a plain value, immutable once loaded; safe to share
// between threads.
#ifndef YANGLAO_GEN_CALIBRATION_H_
#define YANGLAO_GEN_CALIBRATION_H_

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace yanglao::gen {

// A value that depends on age in completed years: bands "50-59", "100+".
// Bands do not overlap; ages outside every band have the value 0.
struct AgeTable {
  struct Band {
    int lo = 0;
    int hi = 0;  // inclusive; a large number for "100+"
    double value = 0;
  };
  std::vector<Band> bands;  // sorted by lo

  double At(int age) const;
};

// One of two values by the area of residence.
struct ByArea {
  double urban = 0;  // 城镇: the residence is a 社区居委会
  double rural = 0;  // 农村: the residence is a 村委会
  double Of(bool is_urban) const { return is_urban ? urban : rural; }
};

// One of two values by sex.
struct BySex {
  double male = 0;
  double female = 0;
  double Of(bool is_male) const { return is_male ? male : female; }
};

// What the file says about one entry, for listings (`manifest.yaml`,
// reports): every rate keeps its unit and its source.
struct RateInfo {
  std::string name;       // "dibao_60_plus", or "cities.4213.population"
  std::string unit;       // as written
  std::string source;     // "document / table / year / url", or the estimate text
  bool estimate = false;  // the source is a labelled estimate ("估计 ...")
};

// The figures of one city (a 4-digit code).
struct CityCalibration {
  std::string code;                                 // "4213"
  std::string name;                                 // "随州市"
  double population = 0;                            // resident population, 7th census
  double share_60_plus = 0;                         // of the population
  double share_65_plus = 0;                         // of the population
  double urbanization = 0;                          // urban share of the population
  double separated_within_city = 0;                 // 市内人户分离, share of the population
  double floating_within_province = 0;              // 省内流动
  double floating_other_province = 0;               // 跨省流动
  double centenarians_per_100k = -1;                // < 0: use the national rate
  std::map<std::string, double> county_population;  // 6-digit code -> people
};

// Everything the generator draws from. Shares are in [0, 1].
struct Calibration {
  std::string source_name;  // "builtin:data/calibration/calibration.yaml" or a path
  std::vector<CityCalibration> cities;

  // Age and sex.
  double share_50_59 = 0;
  AgeTable age_groups;  // relative sizes of 5-year groups (shape only)
  double share_80_plus_of_60_plus = 0;
  double centenarians_per_100k = 0;
  AgeTable male_share_by_age;
  // Place.
  double elderly_urban_factor = 0;
  double elderly_mobility_factor = 0;
  std::array<double, 3> hukou_code_length{};  // shares of 12, 9 and 6 digits
  double residence_street_only = 0;
  double id_old_address_code_share = 0;
  double move_per_year = 0;
  // Households and phones.
  AgeTable couple_share_by_age;  // men living with their wife (one 户号)
  AgeTable mobile_phone_by_age;
  double landline_share = 0;  // of households whose members have no mobile
  // Deaths.
  AgeTable mortality_per_1000;
  BySex mortality_sex_factor;
  double death_reported_by_health = 0;
  double death_reported_by_civil_affairs = 0;
  double death_date_conflict = 0;
  // Social assistance.
  ByArea dibao_60_plus;
  AgeTable dibao_age_factor;
  double dibao_hardship_share = 0;
  double dibao_exit_per_year = 0;
  ByArea low_income_60_plus;
  ByArea tekun_60_plus;
  AgeTable tekun_age_factor;
  ByArea tekun_centralized_share;
  double able_supporter_share = 0;
  // Health, disability, care.
  AgeTable disability_cert_by_age;
  std::array<double, 7> disability_category{};  // 视力 听力 言语 肢体 智力 精神 多重
  std::array<std::array<double, 4>, 7> disability_grade_by_category{};  // 一级..四级
  double disability_cert_expired_share = 0;
  AgeTable cannot_self_care_by_age;
  std::array<double, 5> capability_level_60_plus{};  // not used by the generator
  AgeTable dementia_prevalence_by_age;
  double dementia_diagnosed_share = 0;
  double long_term_care_given_dementia = 0;
  double long_term_care_given_severe_disability = 0;
  // Living arrangements.
  AgeTable living_alone_by_age;
  ByArea empty_nest_60_plus;
  double left_behind_rural_60_plus = 0;
  AgeTable in_institution_by_age;
  double vagrant_60_plus = 0;
  // Family planning.
  ByArea family_planning_special_50_79;
  // Pensions: shares of 未参保, 职工, 城乡居民.
  std::array<double, 3> pension_scheme_urban{};
  std::array<double, 3> pension_scheme_rural{};
  double pension_female_employee_age_50 = 0;  // share retiring at 50 (the rest at 55)
  // Veterans' care.
  BySex veteran_60_plus;
  BySex demobilized_soldier_90_plus;
  BySex disabled_soldier_60_plus;
  double martyr_family_60_plus = 0;
  double duty_death_family_60_plus = 0;
  double illness_death_family_60_plus = 0;
  double active_duty_family_50_64 = 0;
  double state_pension_benefit_veteran_share = 0;
  // Dirty rows.
  double dirty_row_share = 0;

  // Every entry of the file with its unit and source, in file order.
  std::vector<RateInfo> rates;

  // The city with this 4-digit code, or nullptr.
  const CityCalibration* FindCity(std::string_view code) const;
};

// Reads a calibration from YAML text; `name` is used as the file in error
// locations and kept as source_name. Fails with a located Status:
//   gen.calibration_yaml     not YAML
//   gen.calibration_format   wrong `format`, wrong shape of an entry
//   gen.calibration_missing  a rate or city field the generator needs is absent
//   gen.calibration_unknown  an entry the generator does not know (a typo?)
//   gen.calibration_source   an entry without unit or source
//   gen.calibration_value    a value out of range (a share outside [0, 1] ...)
Result<Calibration> ParseCalibration(std::string_view text, const std::string& name);

// Reads the file at `path` (errors as ParseCalibration, plus gen.io when it
// cannot be read).
Result<Calibration> LoadCalibrationFile(const std::filesystem::path& path);

// The text of data/calibration/calibration.yaml as built into the binary.
std::string_view BuiltinCalibrationText();
// The built-in calibration, parsed once; thread-safe. The shipped file is
// checked by tests, so a failure here is a build defect and aborts.
const Calibration& BuiltinCalibration();

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_CALIBRATION_H_
