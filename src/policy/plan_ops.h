// Semantics of single plan operations shared by the person evaluator and the
// population evaluator (internal to src/policy), so the two cannot drift.
#ifndef YANGLAO_POLICY_PLAN_OPS_H_
#define YANGLAO_POLICY_PLAN_OPS_H_

#include <algorithm>
#include <cstdint>

#include "policy/rule_plan.h"

namespace yanglao::policy {

inline bool IsComparison(PlanOp op) {
  return op == PlanOp::kEq || op == PlanOp::kNe || op == PlanOp::kLt || op == PlanOp::kLe ||
         op == PlanOp::kGt || op == PlanOp::kGe;
}

inline bool IsArithmetic(PlanOp op) {
  return op == PlanOp::kAdd || op == PlanOp::kSub || op == PlanOp::kMul || op == PlanOp::kDiv;
}

// x op y  <=>  y Flip(op) x
inline PlanOp FlipComparison(PlanOp op) {
  switch (op) {
    case PlanOp::kLt:
      return PlanOp::kGt;
    case PlanOp::kLe:
      return PlanOp::kGe;
    case PlanOp::kGt:
      return PlanOp::kLt;
    case PlanOp::kGe:
      return PlanOp::kLe;
    default:
      return op;
  }
}

inline int64_t Compare(PlanOp op, int64_t x, int64_t y) {
  switch (op) {
    case PlanOp::kEq:
      return x == y;
    case PlanOp::kNe:
      return x != y;
    case PlanOp::kLt:
      return x < y;
    case PlanOp::kLe:
      return x <= y;
    case PlanOp::kGt:
      return x > y;
    case PlanOp::kGe:
      return x >= y;
    default:
      return 0;
  }
}

// The bracket value for `x`: the entry with the largest min <= x, or 0.
inline int64_t ScaleLookup(const PlanNode& n, int64_t x) {
  int64_t v = 0;
  for (const auto& [min, value] : n.brackets) {
    if (min <= x) v = value;
  }
  return v;
}

inline bool InSet(const PlanNode& n, int64_t x) {
  return std::find(n.set.begin(), n.set.end(), x) != n.set.end();
}

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_PLAN_OPS_H_
