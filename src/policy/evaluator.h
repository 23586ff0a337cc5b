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

// One line in Chinese per deciding node: "年龄（周岁） 82 >= 80：是".
std::vector<std::string> ExplainNodes(const Plan& plan, const std::vector<int32_t>& deciding,
                                      const PersonFacts& person);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_EVALUATOR_H_
