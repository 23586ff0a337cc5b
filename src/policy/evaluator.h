// The two evaluators of a plan:
//   - one person, returning the value and, on request, the conditions that
//     decided it (for explanations);
//   - a whole population held in columns, narrowing a selection of rows
//     through each AND so later terms only touch rows still in (the DuckDB
//     model of STYLE.md).
// Both follow the same semantics; tests check that they agree.
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

// A population in columns: one int32 column per fact slot, all of `size` rows.
struct Population {
  size_t size = 0;
  std::vector<std::vector<int32_t>> columns;

  static Population FromPeople(const std::vector<PersonFacts>& people);
};

// Rows of `in` (ascending) for which bool node `root` holds, into `out`.
void SelectRows(const Plan& plan, int32_t root, const Population& pop,
                const std::vector<uint32_t>& in, std::vector<uint32_t>& out);
// Values of node `root` for each row of `rows`, into `out` (same order).
void ComputeValues(const Plan& plan, int32_t root, const Population& pop,
                   const std::vector<uint32_t>& rows, std::vector<int64_t>& out);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_EVALUATOR_H_
