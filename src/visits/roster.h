// The visiting roster of a month: the people the list's visiting item covers
// (its rule, evaluated by the rule engine on the registry as of the month's
// first day: entitle::BuildSnapshot + the population evaluator, the same
// facts and rules as the monthly run), each with the risk tier of the city's
// visit policy (the first tier whose rule holds, else the default). The
// tiers' rules are compiled into the same plan as the item, with the list's
// definitions and facts, so a tier cannot name what the list does not know.
#ifndef YANGLAO_VISITS_ROSTER_H_
#define YANGLAO_VISITS_ROSTER_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "policy/service_list.h"
#include "registry/registry.h"
#include "visits/policy.h"

namespace yanglao::visits {

struct RosterEntry {
  std::string id_number;
  std::string region;  // residence, natural code (12 digits for a 社区/村)
  std::string tier;    // Tier::id
  int every_days = 30;
  int rank = 0;  // the tier's position, 0 = highest risk
};

struct Roster {
  std::string jurisdiction;
  Month month;
  std::string item, item_name, citation;  // "鄂州市基本养老服务清单 第24项 居家探访关爱服务"
  std::vector<RosterEntry> people;  // by ID number
};

// One city's visit policy with its list, the tiers compiled beside the item.
class RosterRules {
 public:
  // Loads the policy file and its list. Fails with visits.policy, or
  // visits.list when the list has errors, lacks the item, or a tier's rule
  // does not parse or type-check (located in the policy file).
  static Result<std::unique_ptr<RosterRules>> Load(const std::filesystem::path& policy_file);
  // Every *.visits.yaml of `dir`, in file-name order.
  static Result<std::vector<std::unique_ptr<RosterRules>>> LoadDirectory(
      const std::filesystem::path& dir);

  const VisitPolicy& policy() const { return policy_; }
  const policy::ServiceList& list() const { return *list_; }
  const std::string& jurisdiction() const { return list_->jurisdiction; }

  // The roster of `month`: the registry as of its first day, as known on
  // `known_on`. Fails with visits.list (a rule needs a parameter without a
  // value then) or the registry's errors.
  Result<Roster> Compute(registry::Registry& registry, Month month, CivilDate known_on) const;

 private:
  RosterRules() = default;
  VisitPolicy policy_;
  std::unique_ptr<policy::ServiceList> list_;
  size_t item_index_ = 0;           // the visiting item in list_->items
  std::vector<size_t> tier_index_;  // per policy tier, its synthetic item
};

// The rules of `region` (a city code like "420700", or a code inside it)
// among `rules`, or nullptr.
const RosterRules* RulesFor(const std::vector<std::unique_ptr<RosterRules>>& rules,
                            std::string_view region);

}  // namespace yanglao::visits

#endif  // YANGLAO_VISITS_ROSTER_H_
