// The counter decision: what a diner gets for one meal, from the city's
// service list evaluated for that person on that day by the rule engine
// (entitle::FactsOf + policy::EntitlePerson, the same facts and rules as the
// monthly run and the care advisor), never from a copy of the tiers.
//
//   discount item (鄂州 第26项): discount = market x percent / 100, rounded
//     half up to the fen, the percent being the item's benefit for the diner;
//   other items (随州 第28项, 助餐补贴): the rules file's subsidy per meal,
//     at most the market price, when the item's rule holds for the diner.
// The amount is split over the item's funding sources to the fen
// (SplitByShares). Where several items apply, the one giving most wins.
#ifndef YANGLAO_CANTEEN_COUNTER_H_
#define YANGLAO_CANTEEN_COUNTER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "canteen/rules.h"
#include "core/civil_date.h"
#include "core/status.h"
#include "entitle/snapshot.h"
#include "policy/rule_plan.h"
#include "policy/service_list.h"
#include "registry/registry.h"

namespace yanglao::canteen {

struct FundPart {
  std::string source;
  int64_t fen = 0;
};

struct Decision {
  int64_t market_fen = 0;
  int64_t discount_fen = 0;  // off the market price (a discount item)
  int64_t subsidy_fen = 0;   // paid for the diner (a subsidy item)
  int64_t paid_fen = 0;      // what the diner pays: market - discount - subsidy
  std::string item;          // the list item applied ("" none)
  std::string item_name;
  int64_t percent = 0;           // discount items
  std::string citation;          // "鄂州市基本养老服务清单 第26项 老年人助餐"
  std::vector<FundPart> funds;   // discount + subsidy split by source
  std::vector<std::string> why;  // the deciding conditions, in words
  std::string words;             // "优惠 40%，减 6.00元" / "不符合助餐优惠条件"
  bool deceased = false;
  int per_period = 1, per_day = 3;  // the applied item's limits
  int64_t benefit() const { return discount_fen + subsidy_fen; }
};

// One city's counter: its list (with demo parameters applied when the rules
// name them) and rules. Thread-safe; the list compiled per day is cached.
class Counter {
 public:
  // Loads the rules file and its list. Fails with canteen.rules, or
  // canteen.list when the list has errors or lacks an item the rules name.
  static Result<std::unique_ptr<Counter>> Load(const std::filesystem::path& rules_file);
  // From a loaded list (kept by the caller, must outlive the counter).
  static Result<std::unique_ptr<Counter>> Make(const policy::ServiceList& list, CanteenRules rules);

  const CanteenRules& rules() const { return rules_; }
  const policy::ServiceList& list() const { return *list_; }
  const std::string& jurisdiction() const { return list_->jurisdiction; }

  // What `person` gets for a meal at `market_fen` on `on`.
  Result<Decision> Decide(const registry::PersonView& person, CivilDate on, int64_t market_fen);
  // No registered person: the market price.
  static Decision MarketPrice(int64_t market_fen);

 private:
  Counter() = default;
  Result<const policy::CompiledList*> CompiledOn(CivilDate on);

  std::unique_ptr<policy::ServiceList> owned_;
  const policy::ServiceList* list_ = nullptr;
  CanteenRules rules_;
  std::optional<entitle::Jurisdiction> where_;
  std::vector<size_t> item_index_;  // per rules item, its index in the list
  std::mutex mu_;
  std::map<CivilDate, std::unique_ptr<policy::CompiledList>> compiled_;
};

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_COUNTER_H_
