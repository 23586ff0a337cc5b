// The plan phase: a checked list bound to one evaluation date becomes a flat
// array of nodes. Definitions are inlined, parameters replaced by their value
// on that date (scaled ones by their brackets), facts by their slots. Both
// evaluators (one person with an explanation, a whole population by columns)
// run the same plan, so they cannot disagree on what a rule means.
#ifndef YANGLAO_POLICY_RULE_PLAN_H_
#define YANGLAO_POLICY_RULE_PLAN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "policy/service_list.h"

namespace yanglao::policy {

enum class PlanOp : uint8_t {
  kConst,  // value
  kFact,   // value = slot
  kScale,  // brackets over a
  kNot,
  kNeg,
  kAnd,
  kOr,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,  // a in set
  kAdd,
  kSub,
  kMul,
  kDiv,   // money: kMul/kDiv round half away from zero to the fen
  kCond,  // a ? b : c
  kMin,
  kMax,  // over a, b
};

struct PlanNode {
  PlanOp op = PlanOp::kConst;
  bool money = false;  // the result is money (fen)
  int32_t a = -1, b = -1, c = -1;
  int64_t value = 0;
  std::vector<int64_t> set;                           // kIn
  std::vector<std::pair<int64_t, int64_t>> brackets;  // kScale, by min
  const Expr* origin = nullptr;                       // for explanations
  std::string name;  // the parameter or definition this node stands for, if any
};

struct Plan {
  std::vector<PlanNode> nodes;
};

// Whom an item of a list covers (docs/policy-format.md, "Jurisdiction"):
// an item whose rule tests hukou_local or resident_local covers the people
// its rule names (本市户籍: by hukou); every other item covers the list's
// residents, its eligibility being `resident_local && <rule>`.
enum class Coverage : uint8_t { kResidence, kRule };
std::string_view CoverageName(Coverage c);  // "按居住地（本地常住）" / "按规则（户籍或常住）"

struct CompiledItem {
  const Item* item = nullptr;
  Coverage coverage = Coverage::kResidence;
  int32_t rule = -1;                   // bool: the item's own rule
  int32_t eligibility = -1;            // bool: coverage and rule
  int32_t amount = -1;                 // money, cash items
  int32_t percent = -1;                // int, discount items
  std::vector<int32_t> also_percents;  // int, a discount item's further discounts (`also`)
};

// A list bound to a date. Points into the ServiceList, which must outlive it.
struct CompiledList {
  const ServiceList* list = nullptr;
  CivilDate date;
  Plan plan;
  std::vector<CompiledItem> items;  // in list order
  // Exclusive groups as item indexes.
  std::vector<std::vector<size_t>> groups;
};

// Compiles one item of `list` into `plan` (appending nodes).
Result<CompiledItem> CompileItem(const ServiceList& list, const Item& item, CivilDate date,
                                 Plan& plan);

// Binds `list` (which must have loaded without errors) to `date`. Fails with
// "policy.param_missing" when a parameter a rule needs has no value in force
// on `date`, naming the parameter.
Result<CompiledList> CompileList(const ServiceList& list, CivilDate date);

// Integer arithmetic of the language: division by zero gives 0, money
// multiplication and division round half away from zero.
int64_t ApplyArithmetic(PlanOp op, bool money, int64_t x, int64_t y);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_RULE_PLAN_H_
