#include "sql_baseline.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/fact_schema.h"

namespace yanglao::bench {
namespace {

using policy::PlanNode;
using policy::PlanOp;

bool IsBoolOp(PlanOp op) {
  switch (op) {
    case PlanOp::kNot:
    case PlanOp::kAnd:
    case PlanOp::kOr:
    case PlanOp::kEq:
    case PlanOp::kNe:
    case PlanOp::kLt:
    case PlanOp::kLe:
    case PlanOp::kGt:
    case PlanOp::kGe:
    case PlanOp::kIn:
      return true;
    default:
      return false;
  }
}

class Translator {
 public:
  explicit Translator(const policy::Plan& plan) : plan_(plan) {}

  // A node in a boolean position.
  std::string Bool(int32_t i) {
    const PlanNode& n = node(i);
    switch (n.op) {
      case PlanOp::kConst:
        return n.value != 0 ? "(1 = 1)" : "(1 = 0)";
      case PlanOp::kFact:
        return fmt::format("({} <> 0)", FactColumn(static_cast<size_t>(n.value)));
      case PlanOp::kNot:
        return fmt::format("(NOT {})", Bool(n.a));
      case PlanOp::kAnd:
        return fmt::format("({} AND {})", Bool(n.a), Bool(n.b));
      case PlanOp::kOr:
        return fmt::format("({} OR {})", Bool(n.a), Bool(n.b));
      case PlanOp::kIn:
        return fmt::format("({} IN ({}))", Int(n.a), fmt::join(n.set, ", "));
      case PlanOp::kCond:
        return fmt::format("(CASE WHEN {} THEN {} ELSE {} END)", Bool(n.a), Bool(n.b), Bool(n.c));
      case PlanOp::kEq:
        return Cmp(n, "=");
      case PlanOp::kNe:
        return Cmp(n, "<>");
      case PlanOp::kLt:
        return Cmp(n, "<");
      case PlanOp::kLe:
        return Cmp(n, "<=");
      case PlanOp::kGt:
        return Cmp(n, ">");
      case PlanOp::kGe:
        return Cmp(n, ">=");
      default:
        return fmt::format("({} <> 0)", Int(i));
    }
  }

  // A node in an integer position.
  std::string Int(int32_t i) {
    const PlanNode& n = node(i);
    if (IsBoolOp(n.op)) return fmt::format("(CASE WHEN {} THEN 1 ELSE 0 END)", Bool(i));
    switch (n.op) {
      case PlanOp::kConst:
        return fmt::format("{}", n.value);
      case PlanOp::kFact:
        return FactColumn(static_cast<size_t>(n.value));
      case PlanOp::kScale: {
        std::string x = Int(n.a), out = "(CASE";
        std::vector<std::pair<int64_t, int64_t>> b = n.brackets;
        std::sort(b.rbegin(), b.rend());
        for (const auto& [min, value] : b)
          out += fmt::format(" WHEN {} >= {} THEN {}", x, min, value);
        return out + " ELSE 0 END)";
      }
      case PlanOp::kNeg:
        return fmt::format("(0 - {})", Int(n.a));
      case PlanOp::kAdd:
        return fmt::format("({} + {})", Int(n.a), Int(n.b));
      case PlanOp::kSub:
        return fmt::format("({} - {})", Int(n.a), Int(n.b));
      case PlanOp::kMul:
        return fmt::format("({} * {})", Int(n.a), Int(n.b));
      case PlanOp::kDiv: {
        std::string x = Int(n.a), y = Int(n.b);
        if (!n.money) return fmt::format("(CASE WHEN {1} = 0 THEN 0 ELSE {0} / {1} END)", x, y);
        // Truncated quotient, then away from zero when the remainder is at
        // least half the divisor: integer arithmetic in both databases.
        return fmt::format(
            "(CASE WHEN {1} = 0 THEN 0 ELSE {0} / {1} + CASE WHEN 2 * ABS({0} % {1}) >= ABS({1}) "
            "THEN (CASE WHEN ({0} < 0) <> ({1} < 0) THEN -1 ELSE 1 END) ELSE 0 END END)",
            x, y);
      }
      case PlanOp::kCond:
        return fmt::format("(CASE WHEN {} THEN {} ELSE {} END)", Bool(n.a), Int(n.b), Int(n.c));
      case PlanOp::kMin:
        return fmt::format("(CASE WHEN {0} <= {1} THEN {0} ELSE {1} END)", Int(n.a), Int(n.b));
      case PlanOp::kMax:
        return fmt::format("(CASE WHEN {0} >= {1} THEN {0} ELSE {1} END)", Int(n.a), Int(n.b));
      default:
        return "0";
    }
  }

 private:
  const PlanNode& node(int32_t i) const { return plan_.nodes[static_cast<size_t>(i)]; }
  std::string Cmp(const PlanNode& n, const char* op) {
    return fmt::format("({} {} {})", Int(n.a), op, Int(n.b));
  }
  const policy::Plan& plan_;
};

}  // namespace

std::string FactColumn(size_t slot) { return "c_" + policy::FactSchema::Person().at(slot).name; }

std::string ItemQuery(const policy::CompiledList& list, size_t item) {
  Translator t(list.plan);
  const policy::CompiledItem& ci = list.items[item];
  return fmt::format(
      "SELECT row_id, {}, {} FROM person_facts WHERE c_deceased = 0 AND {} ORDER BY row_id",
      ci.amount >= 0 ? t.Int(ci.amount) : "0", ci.percent >= 0 ? t.Int(ci.percent) : "0",
      t.Bool(ci.eligibility));
}

}  // namespace yanglao::bench
