// A city's canteen rules (policies/canteen/<city>.canteen.yaml, format
// yanglao.canteen/1): which item of its service list is the meal aid, who
// pays for it (funding sources and their shares), how many subsidised meals
// a person may have per meal period and per day, a subsidy per meal where
// the list states none, and the city's coverage target. docs/canteen.md
// describes the format.
//
// What a diner gets is not here: the item's rule and benefit in the list
// (a discount percent, or eligibility for a subsidy) are evaluated for the
// diner on the day of the meal by the rule engine (canteen/counter.h).
#ifndef YANGLAO_CANTEEN_RULES_H_
#define YANGLAO_CANTEEN_RULES_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::canteen {

struct Funding {
  std::string source;  // "市级财政"
  int64_t share = 0;   // percent; the shares of an item sum to 100
};

struct MealItem {
  std::string item;  // the list item's number ("26")
  // For an item whose benefit is no discount: the subsidy per meal (fen).
  std::optional<int64_t> subsidy_per_meal;
  bool demo = false;  // the settings below are demo values, not policy
  std::vector<Funding> funding;
  int per_period = 1;  // subsidised meals per person per meal period (any canteen)
  int per_day = 3;     // subsidised meals per person per day
};

struct CoverageTarget {
  int urban_percent = 0;    // of urban communities (社区居委会) with a canteen or meal point
  int rural_percent = 0;    // of rural ones (村委会)
  bool per_street = false;  // at least one in every 街道 / 镇 / 乡
  std::string basis;        // the seed's words
  std::string by;           // date as written
};

struct CanteenRules {
  std::string path;
  std::filesystem::path list_file;    // resolved against the rules file
  std::filesystem::path params_file;  // empty: none
  std::string source;
  std::vector<MealItem> items;
  std::optional<CoverageTarget> coverage;
};

// Reads and checks a rules file. Fails with canteen.rules located at
// file:line:col (bad YAML, a missing or ill-typed field, shares not summing
// to 100, a limit out of 1..10, a bad amount).
Result<CanteenRules> LoadCanteenRules(const std::filesystem::path& path);
Result<CanteenRules> LoadCanteenRulesFromString(std::string_view text, const std::string& name,
                                                const std::filesystem::path& dir);

// Splits `fen` over `funding` by shares, to the fen: each source gets
// floor(fen * share / 100), the remainder goes one fen at a time to the
// sources in order. The parts always sum to `fen`.
std::vector<int64_t> SplitByShares(int64_t fen, const std::vector<Funding>& funding);

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_RULES_H_
