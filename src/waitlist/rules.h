// A city's waitlist rules (policies/waitlist/<city>.waitlist.yaml, format
// yanglao.waitlist/1): the priority classes of applicants for a public
// institution's bed (first class first), the ordering within a class, the
// "同等条件下优先" tie-breakers, who may take each bed type, and what follows
// refusals of an offered bed. Every condition on a person is a rule of the
// city's service list's language (it may use the list's definitions), each
// citing the seed's words; docs/waitlist.md describes the format.
#ifndef YANGLAO_WAITLIST_RULES_H_
#define YANGLAO_WAITLIST_RULES_H_

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "policy/fact_schema.h"
#include "policy/rule_plan.h"
#include "policy/service_list.h"

namespace yanglao::waitlist {

struct RuleText {
  std::string name;      // "烈士遗属"
  std::string rule;      // as written
  std::string basis;     // the seed's words
  bool willing = false;  // classes: only applicants willing to be 集中供养
};

// One key of the ordering within a class.
struct OrderKey {
  enum class Kind { kFact, kTieBreakers, kWaiting } kind = Kind::kWaiting;
  size_t slot = 0;    // kFact
  bool desc = false;  // kFact: larger first
  std::string label;  // the fact's Chinese label
};

// A city's target for its institutions' beds (`targets:` of the rules
// file), quoting the seed. Keys:
//   beds_total               beds in the city (count)
//   nursing_bed_share        护理型 (with 认知障碍照护专区) beds / all beds, city and each county
//   social_bed_share         beds of 公建民营 and 民办 institutions / all beds (city)
//   county_tekun_institution county institutions for 失能特困 people, per county (count)
//   tekun_centralised_rate   admitted / willing 特困 applicants, city and each county
struct Target {
  std::string key;
  std::string label;  // Chinese
  double min = 0;     // shares and rates as fractions (0.6)
  std::string quote;  // the seed's words
  std::string note;
};

// The rules compiled against the city's list: each condition is a node of
// `plan`, evaluated for a person's facts.
class WaitlistRules {
 public:
  // Reads, checks and compiles a rules file on `date`. Fails with
  // waitlist.rules located at file:line:col (bad YAML, a missing field, an
  // unknown fact in `order`, a rule that does not parse or is not boolean,
  // the list failing to load).
  static Result<std::unique_ptr<WaitlistRules>> Load(const std::filesystem::path& path,
                                                     CivilDate date);

  const std::string& path() const { return path_; }
  const std::string& source() const { return source_; }
  // The city's GB/T 2260 code, from its list ("420700").
  const std::string& jurisdiction() const { return list_->jurisdiction; }
  const std::vector<RuleText>& classes() const { return classes_; }
  const std::vector<RuleText>& tie_breakers() const { return tie_breakers_; }
  const std::vector<OrderKey>& order() const { return order_; }
  const std::vector<std::string>& bed_types() const { return bed_types_; }
  int max_refusals() const { return max_refusals_; }
  // Whether a refusal restarts the applicant's waiting time (refusals.waiting:
  // restart; default keep), and the basis of the refusal rule.
  bool refusal_restarts_waiting() const { return refusal_restart_; }
  const std::string& refusal_basis() const { return refusal_basis_; }
  const std::vector<Target>& targets() const { return targets_; }

  // The first class whose rule holds for `facts` (and, for a class that
  // asks for it, the applicant is willing); classes().size() when none.
  size_t ClassOf(const policy::PersonFacts& facts, bool willing) const;
  // The first tie-breaker that holds; tie_breakers().size() when none.
  size_t TieBreakerOf(const policy::PersonFacts& facts) const;
  // Whether a person with `facts` may take a bed of `bed_type`; false for a
  // type the rules do not name.
  bool MayTake(const std::string& bed_type, const policy::PersonFacts& facts) const;

 private:
  WaitlistRules() = default;
  bool Holds(int32_t node, const policy::PersonFacts& facts) const;

  std::string path_, source_;
  std::unique_ptr<policy::ServiceList> list_;
  policy::Plan plan_;
  std::vector<RuleText> classes_, tie_breakers_;
  std::vector<int32_t> class_nodes_, tie_nodes_;
  std::vector<OrderKey> order_;
  std::vector<std::string> bed_types_;
  std::map<std::string, int32_t> bed_nodes_;
  int max_refusals_ = 0;  // 0: no limit
  bool refusal_restart_ = false;
  std::string refusal_basis_;
  std::vector<Target> targets_;
};

// A person's facts from "name=value" pairs (bools true/false or 1/0, ints,
// enum value names), unlisted facts at their defaults. Fails with
// waitlist.fact naming the pair.
Result<policy::PersonFacts> FactsFromText(std::string_view text);
// The reverse, listing only the facts that differ from the default, in
// schema order, separated by spaces.
std::string FactsToText(const policy::PersonFacts& facts);

}  // namespace yanglao::waitlist

#endif  // YANGLAO_WAITLIST_RULES_H_
