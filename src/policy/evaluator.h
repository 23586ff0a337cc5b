// The evaluator of a plan for one person, returning the value and, on
// request, the conditions that decided it (for explanations). The other
// evaluator, over a whole population in columns, is policy/population.h;
// both share the operations of policy/plan_ops.h and tests check that they
// agree.
#ifndef YANGLAO_POLICY_EVALUATOR_H_
#define YANGLAO_POLICY_EVALUATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "policy/fact_schema.h"
#include "policy/rule_plan.h"

namespace yanglao::policy {

// Evaluates node `root` for one person. When `deciding` is given, appends
// the nodes (comparisons, boolean facts, definitions) whose values decided
// the result: for a false AND only the first false side, for a true OR only
// the first true side.
int64_t EvaluateNode(const Plan& plan, int32_t root, const PersonFacts& person,
                     std::vector<int32_t>* deciding = nullptr);

// Three-valued (Kleene) truth of a boolean node for one person whose facts
// may hold kUnknownFact: AND is no when a side is no, OR yes when a side is
// yes, NOT swaps yes and no; a comparison, membership or value is unknown
// when any fact it reads is unknown (strict). A conditional with an unknown
// condition is yes (no) when both branches are, else unknown. The population
// evaluator (PopulationEvaluator::Select3) computes the same.
enum class Truth : uint8_t { kNo, kYes, kUnknown };
// `deciding` as for EvaluateNode; for an unknown result, the unknown sides.
Truth EvaluateTruth(const Plan& plan, int32_t root, const PersonFacts& person,
                    std::vector<int32_t>* deciding = nullptr);
// Whether the subtree at `root` reads a fact that is unknown for `person`.
bool ReadsUnknown(const Plan& plan, int32_t root, const PersonFacts& person);
// The fact slots read under `root` (each once, in order of appearance).
void CollectFactSlots(const Plan& plan, int32_t root, std::vector<size_t>& slots);

// One line in Chinese per deciding node: "年龄（周岁）80及以上（此人 82）：是".
// With `code`, each condition is also shown as written in the rule language.
std::vector<std::string> ExplainNodes(const Plan& plan, const std::vector<int32_t>& deciding,
                                      const PersonFacts& person, bool code = false);

// A condition in Chinese words, without the person: "特困人员为分散供养",
// "年龄（周岁）80及以上", "残疾等级为1、2之一", "非入住养老机构".
std::string ConditionWords(const Plan& plan, int32_t node);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_EVALUATOR_H_
