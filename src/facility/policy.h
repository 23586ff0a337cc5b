// A city's facility policy (policies/facility/<city>.yaml, format
// yanglao.facility/1): the 配建 rule for residential estates, the coverage,
// ratio and count targets with the year each applies, and the walking
// parameters of the 15-minute circle. Every rule quotes the seed it comes
// from; nothing of it is written in C++ (docs/facility.md).
#ifndef YANGLAO_FACILITY_POLICY_H_
#define YANGLAO_FACILITY_POLICY_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "facility/model.h"

namespace yanglao::facility {

// One class of estate (new or existing): area per 100 households and the
// smallest single site, when the seed states them.
struct AreaRule {
  std::optional<int64_t> m2_per_100_households;
  std::optional<int64_t> min_single_site_m2;
  std::string quote, note;
};

enum class Measure {
  kUnitCoverage,      // share of units at `level` with an active facility of `kinds`
  kUnitCount,         // units at `level` with one (a count)
  kEstateCompliance,  // share of estates (new / existing / all) meeting the rule
  kBedsTotal,         // beds of active facilities
  kNursingBedShare,   // nursing beds / beds
  kOlderWithinWalk,   // older people within the walk of a facility of `kinds`
  kNotTracked,        // a target whose data this module does not hold
};

enum class UnitLevel { kCounty, kTownship, kStreet, kTown, kUrbanCommunity, kRuralCommunity };

struct TargetValue {
  int year = 0;  // by the end of this year
  double min = 0;
};

struct Target {
  std::string id, label;
  Measure measure = Measure::kNotTracked;
  UnitLevel level = UnitLevel::kCounty;
  std::vector<Kind> kinds;
  std::string estates = "new";  // new | existing | all
  std::vector<TargetValue> values;
  std::string quote, note;
  bool is_ratio() const;
  // The value stated for `year`, if any.
  std::optional<double> ValueFor(int year) const;
};

struct WalkParams {
  double minutes = 15;
  double meters_per_minute = 60;
  double detour_factor = 1.3;
  // Straight-line radius: minutes × speed / detour.
  double radius_m() const { return minutes * meters_per_minute / detour_factor; }
};

struct FacilityPolicy {
  std::string jurisdiction;          // natural region code ("4213")
  std::string jurisdiction_display;  // as written ("421300")
  std::string city, document, document_title, issued, source;
  int version = 0;
  int new_from_year = 0;  // estates built in or after it are new
  std::string new_from_note;
  AreaRule new_rule, existing_rule;
  std::vector<Target> targets;
  WalkParams walk;
  std::string file;  // where it was read from
};

// Parses a policy file's text; `name` is the file in error locations.
// Fails with facility.policy (field, value) on anything it does not know.
Result<FacilityPolicy> ParseFacilityPolicy(std::string_view text, const std::string& name);
Result<FacilityPolicy> LoadFacilityPolicy(const std::filesystem::path& path);
// The policy of `region` (a city code, or a county code inside a city with
// a policy) among `dir`/*.yaml. Fails with facility.no_policy.
Result<FacilityPolicy> FindFacilityPolicy(const std::filesystem::path& dir,
                                          std::string_view region);

// What an estate must provide (配建): the area (households × rate / 100,
// rounded up to whole m²) and the smallest single site, by the rule of its
// class. `known` is false when the seed states no area for the class.
struct Requirement {
  bool is_new = false;
  bool known = false;
  int64_t required_m2 = 0;
  int64_t min_single_site_m2 = 0;  // 0 = no single-site rule
  const AreaRule* rule = nullptr;
};
Requirement Required(const FacilityPolicy& policy, int64_t households, bool is_new);
bool IsNewEstate(const FacilityPolicy& policy, int year_built);

struct EstateCheck {
  Requirement req;
  bool compliant = false;    // meaningful when req.known
  int64_t shortfall_m2 = 0;  // area missing (0 when enough)
  bool single_site_short = false;
};
EstateCheck CheckEstate(const FacilityPolicy& policy, const Estate& estate);

}  // namespace yanglao::facility

#endif  // YANGLAO_FACILITY_POLICY_H_
