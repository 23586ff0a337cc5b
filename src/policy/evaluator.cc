#include "policy/evaluator.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/plan_ops.h"

namespace yanglao::policy {
namespace {

bool IsBoolNode(const PlanNode& n) {
  if (n.op == PlanOp::kFact) {
    return FactSchema::Person().at(static_cast<size_t>(n.value)).type == FactType::kBool;
  }
  return n.origin != nullptr && n.origin->type.kind == TypeKind::kBool;
}

}  // namespace

void CollectFactSlots(const Plan& plan, int32_t i, std::vector<size_t>& slots) {
  if (i < 0) return;
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  if (n.op == PlanOp::kFact) {
    auto slot = static_cast<size_t>(n.value);
    if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
    return;
  }
  CollectFactSlots(plan, n.a, slots);
  CollectFactSlots(plan, n.b, slots);
  CollectFactSlots(plan, n.c, slots);
}

bool ReadsUnknown(const Plan& plan, int32_t i, const PersonFacts& person) {
  if (i < 0) return false;
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  if (n.op == PlanOp::kFact) return person[static_cast<size_t>(n.value)] == kUnknownFact;
  return ReadsUnknown(plan, n.a, person) || ReadsUnknown(plan, n.b, person) ||
         ReadsUnknown(plan, n.c, person);
}

Truth EvaluateTruth(const Plan& plan, int32_t root, const PersonFacts& person,
                    std::vector<int32_t>* deciding) {
  const PlanNode& n = plan.nodes[static_cast<size_t>(root)];
  auto truth = [&](int32_t i, std::vector<int32_t>* d) {
    return EvaluateTruth(plan, i, person, d);
  };
  switch (n.op) {
    case PlanOp::kConst:
      return n.value != 0 ? Truth::kYes : Truth::kNo;
    case PlanOp::kFact: {
      int64_t v = person[static_cast<size_t>(n.value)];
      if (deciding && IsBoolNode(n)) deciding->push_back(root);
      if (v == kUnknownFact) return Truth::kUnknown;
      return v != 0 ? Truth::kYes : Truth::kNo;
    }
    case PlanOp::kNot: {
      Truth t = truth(n.a, deciding);
      return t == Truth::kUnknown ? t : (t == Truth::kYes ? Truth::kNo : Truth::kYes);
    }
    case PlanOp::kAnd:
    case PlanOp::kOr: {
      // The value that decides alone: no for AND, yes for OR.
      const Truth alone = n.op == PlanOp::kAnd ? Truth::kNo : Truth::kYes;
      std::vector<int32_t> da, db;
      Truth x = truth(n.a, deciding ? &da : nullptr);
      auto take = [&](const std::vector<int32_t>& d) {
        if (deciding) deciding->insert(deciding->end(), d.begin(), d.end());
      };
      if (x == alone) {
        take(da);
        return x;
      }
      Truth y = truth(n.b, deciding ? &db : nullptr);
      if (y == alone) {
        take(db);
        return y;
      }
      if (x == Truth::kUnknown && y == Truth::kUnknown) {
        take(da);
        take(db);
        return Truth::kUnknown;
      }
      if (x == Truth::kUnknown || y == Truth::kUnknown) {
        take(x == Truth::kUnknown ? da : db);
        return Truth::kUnknown;
      }
      take(da);
      take(db);
      return x;
    }
    case PlanOp::kCond: {
      if (!IsBoolNode(n)) break;
      Truth c = truth(n.a, deciding);
      if (c == Truth::kYes) return truth(n.b, deciding);
      if (c == Truth::kNo) return truth(n.c, deciding);
      Truth y = truth(n.b, deciding), z = truth(n.c, deciding);
      return y == z ? y : Truth::kUnknown;
    }
    default:
      break;
  }
  // A comparison, a membership or a value in a boolean position: strict.
  if (deciding && (IsComparison(n.op) || n.op == PlanOp::kIn)) deciding->push_back(root);
  if (ReadsUnknown(plan, root, person)) return Truth::kUnknown;
  return EvaluateNode(plan, root, person) != 0 ? Truth::kYes : Truth::kNo;
}

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

namespace {

std::string ValueWords(const PlanNode& fact, const PlanNode& constant) {
  const FactSchema& schema = FactSchema::Person();
  if (fact.op == PlanOp::kFact) {
    return schema.Describe(static_cast<size_t>(fact.value), constant.value);
  }
  return constant.money ? fmt::format("{}元", static_cast<double>(constant.value) / 100)
                        : std::to_string(constant.value);
}

// "年满80周岁", "年龄（周岁）不满80", "特困人员为分散供养".
std::string CompareWords(PlanOp op, const std::string& label, const std::string& value,
                         bool is_age) {
  if (is_age) {
    switch (op) {
      case PlanOp::kGe:
        return fmt::format("年满{}周岁", value);
      case PlanOp::kGt:
        return fmt::format("超过{}周岁", value);
      case PlanOp::kLt:
        return fmt::format("不满{}周岁", value);
      case PlanOp::kLe:
        return fmt::format("{}周岁及以下", value);
      default:
        break;
    }
  }
  switch (op) {
    case PlanOp::kEq:
      return fmt::format("{}为{}", label, value);
    case PlanOp::kNe:
      return fmt::format("{}不为{}", label, value);
    case PlanOp::kGe:
      return fmt::format("{}{}及以上", label, value);
    case PlanOp::kGt:
      return fmt::format("{}超过{}", label, value);
    case PlanOp::kLe:
      return fmt::format("{}{}及以下", label, value);
    case PlanOp::kLt:
      return fmt::format("{}不满{}", label, value);
    default:
      return label;
  }
}

// Any value node in words: a fact's label, a parameter's name, a number.
std::string TermWords(const Plan& plan, int32_t i) {
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  const FactSchema& schema = FactSchema::Person();
  switch (n.op) {
    case PlanOp::kFact:
      return schema.at(static_cast<size_t>(n.value)).label;
    case PlanOp::kConst:
      if (!n.name.empty()) return fmt::format("「{}」", n.name);
      return n.money ? fmt::format("{}元", static_cast<double>(n.value) / 100)
                     : std::to_string(n.value);
    default:
      return n.origin != nullptr ? ToSource(*n.origin) : "?";
  }
}

}  // namespace

std::string ConditionWords(const Plan& plan, int32_t node) {
  const PlanNode& n = plan.nodes[static_cast<size_t>(node)];
  const FactSchema& schema = FactSchema::Person();
  if (n.op == PlanOp::kFact) return schema.at(static_cast<size_t>(n.value)).label;
  if (n.op == PlanOp::kNot) return "非" + ConditionWords(plan, n.a);
  if (n.op == PlanOp::kIn) {
    const PlanNode& a = plan.nodes[static_cast<size_t>(n.a)];
    std::string values;
    for (int64_t v : n.set) {
      values += (values.empty() ? "" : "、") +
                (a.op == PlanOp::kFact ? schema.Describe(static_cast<size_t>(a.value), v)
                                       : std::to_string(v));
    }
    return fmt::format("{}为{}{}", TermWords(plan, n.a), values, n.set.size() > 1 ? "之一" : "");
  }
  if (IsComparison(n.op)) {
    const PlanNode& a = plan.nodes[static_cast<size_t>(n.a)];
    const PlanNode& b = plan.nodes[static_cast<size_t>(n.b)];
    static const size_t kAge = *schema.Find("age");
    if (a.op == PlanOp::kFact && b.op == PlanOp::kConst && b.name.empty()) {
      return CompareWords(n.op, schema.at(static_cast<size_t>(a.value)).label, ValueWords(a, b),
                          static_cast<size_t>(a.value) == kAge);
    }
    if (b.op == PlanOp::kFact && a.op == PlanOp::kConst && a.name.empty()) {
      return CompareWords(FlipComparison(n.op), schema.at(static_cast<size_t>(b.value)).label,
                          ValueWords(b, a), static_cast<size_t>(b.value) == kAge);
    }
    return CompareWords(n.op, TermWords(plan, n.a), TermWords(plan, n.b), false);
  }
  return n.origin != nullptr ? ToSource(*n.origin) : "?";
}

std::vector<std::string> ExplainNodes(const Plan& plan, const std::vector<int32_t>& deciding,
                                      const PersonFacts& person, bool code) {
  const FactSchema& schema = FactSchema::Person();
  std::vector<std::string> lines;
  for (int32_t i : deciding) {
    const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
    Truth t = EvaluateTruth(plan, i, person);
    const char* value = t == Truth::kYes ? "是" : t == Truth::kNo ? "否" : "未知，待核实";
    std::string source =
        code && n.origin != nullptr ? fmt::format("〔{}〕", ToSource(*n.origin)) : "";
    if (n.op == PlanOp::kFact) {
      lines.push_back(
          fmt::format("{}：{}{}", schema.at(static_cast<size_t>(n.value)).label, value, source));
      continue;
    }
    std::vector<size_t> slots;
    CollectFactSlots(plan, i, slots);
    std::string facts;
    for (size_t slot : slots) {
      facts += fmt::format("{}{}{}", facts.empty() ? "" : "，",
                           slots.size() > 1 ? schema.at(slot).label + " " : std::string(),
                           schema.Describe(slot, person[slot]));
    }
    std::string words = ConditionWords(plan, i);
    lines.push_back(facts.empty()
                        ? fmt::format("{}：{}{}", words, value, source)
                        : fmt::format("{}（此人：{}）：{}{}", words, facts, value, source));
  }
  return lines;
}

}  // namespace yanglao::policy
