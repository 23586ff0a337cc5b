#include "policy/evaluator.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/plan_ops.h"

namespace yanglao::policy {
namespace {

bool IsBoolNode(const PlanNode& n) {
  return n.origin != nullptr && n.origin->type.kind == TypeKind::kBool;
}

void CollectFacts(const Plan& plan, int32_t i, std::vector<size_t>& slots) {
  if (i < 0) return;
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  if (n.op == PlanOp::kFact) {
    auto slot = static_cast<size_t>(n.value);
    if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
    return;
  }
  CollectFacts(plan, n.a, slots);
  CollectFacts(plan, n.b, slots);
  CollectFacts(plan, n.c, slots);
}

}  // namespace

int64_t EvaluateNode(const Plan& plan, int32_t root, const PersonFacts& person,
                     std::vector<int32_t>* deciding) {
  const PlanNode& n = plan.nodes[static_cast<size_t>(root)];
  auto eval = [&](int32_t i, std::vector<int32_t>* d = nullptr) {
    return EvaluateNode(plan, i, person, d);
  };
  switch (n.op) {
    case PlanOp::kConst:
      return n.value;
    case PlanOp::kFact: {
      int64_t v = person[static_cast<size_t>(n.value)];
      if (deciding && IsBoolNode(n)) deciding->push_back(root);
      return v;
    }
    case PlanOp::kScale:
      return ScaleLookup(n, eval(n.a));
    case PlanOp::kNot:
      return eval(n.a, deciding) == 0;
    case PlanOp::kNeg:
      return ApplyArithmetic(PlanOp::kSub, n.money, 0, eval(n.a));
    case PlanOp::kAnd:
    case PlanOp::kOr: {
      bool is_and = n.op == PlanOp::kAnd;
      std::vector<int32_t> da, db;
      int64_t x = eval(n.a, deciding ? &da : nullptr) != 0;
      if (x != is_and) {  // AND false / OR true: the left side decided
        if (deciding) deciding->insert(deciding->end(), da.begin(), da.end());
        return x;
      }
      int64_t y = eval(n.b, deciding ? &db : nullptr) != 0;
      if (deciding) {
        if (y != is_and) {
          deciding->insert(deciding->end(), db.begin(), db.end());
        } else {
          deciding->insert(deciding->end(), da.begin(), da.end());
          deciding->insert(deciding->end(), db.begin(), db.end());
        }
      }
      return y;
    }
    case PlanOp::kIn: {
      int64_t v = InSet(n, eval(n.a));
      if (deciding) deciding->push_back(root);
      return v;
    }
    case PlanOp::kCond:
      return eval(n.a, deciding) != 0 ? eval(n.b, deciding) : eval(n.c, deciding);
    case PlanOp::kMin:
      return std::min(eval(n.a), eval(n.b));
    case PlanOp::kMax:
      return std::max(eval(n.a), eval(n.b));
    default:
      if (IsComparison(n.op)) {
        int64_t v = Compare(n.op, eval(n.a), eval(n.b));
        if (deciding) deciding->push_back(root);
        return v;
      }
      return ApplyArithmetic(n.op, n.money, eval(n.a), eval(n.b));
  }
}

std::vector<std::string> ExplainNodes(const Plan& plan, const std::vector<int32_t>& deciding,
                                      const PersonFacts& person) {
  const FactSchema& schema = FactSchema::Person();
  std::vector<std::string> lines;
  for (int32_t i : deciding) {
    const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
    bool value = EvaluateNode(plan, i, person) != 0;
    if (n.op == PlanOp::kFact) {
      lines.push_back(fmt::format("{}：{}", schema.at(static_cast<size_t>(n.value)).label,
                                  value ? "是" : "否"));
      continue;
    }
    std::vector<size_t> slots;
    CollectFacts(plan, i, slots);
    std::string facts;
    for (size_t slot : slots) {
      facts += fmt::format("{}{}={}", facts.empty() ? "" : "，", schema.at(slot).label,
                           schema.Describe(slot, person[slot]));
    }
    std::string source = n.origin ? ToSource(*n.origin) : "?";
    lines.push_back(facts.empty()
                        ? fmt::format("{}：{}", source, value ? "是" : "否")
                        : fmt::format("{}（{}）：{}", source, facts, value ? "是" : "否"));
  }
  return lines;
}

}  // namespace yanglao::policy
