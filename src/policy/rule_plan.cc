#include "policy/rule_plan.h"

#include <fmt/format.h>

#include <limits>

#include "policy/fact_schema.h"

namespace yanglao::policy {
namespace {

class Compiler {
 public:
  Compiler(const ServiceList& list, CivilDate date, Plan& plan)
      : list_(list), date_(date), plan_(plan) {}

  Result<int32_t> Compile(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kBool:
      case ExprKind::kInt:
      case ExprKind::kMoney:
        return Add({.op = PlanOp::kConst,
                    .money = e.kind == ExprKind::kMoney,
                    .value = e.value,
                    .origin = &e});
      case ExprKind::kString:
        return Add({.op = PlanOp::kConst, .value = EnumValue(e), .origin = &e});
      case ExprKind::kName:
        return CompileName(e);
      case ExprKind::kCall:
        return CompileCall(e);
      case ExprKind::kList:
        return Status("policy.internal", "列表只能出现在 in 的右边");
      case ExprKind::kNot:
      case ExprKind::kNeg: {
        Result<int32_t> a = Compile(*e.args[0]);
        if (!a.ok()) return a;
        return Add({.op = e.kind == ExprKind::kNot ? PlanOp::kNot : PlanOp::kNeg,
                    .money = e.type.kind == TypeKind::kMoney,
                    .a = *a,
                    .origin = &e});
      }
      case ExprKind::kIn: {
        Result<int32_t> a = Compile(*e.args[0]);
        if (!a.ok()) return a;
        PlanNode n{.op = PlanOp::kIn, .a = *a, .origin = &e};
        for (const ExprPtr& el : e.args[1]->args) {
          n.set.push_back(el->kind == ExprKind::kString ? EnumValue(*el) : el->value);
        }
        return Add(std::move(n));
      }
      case ExprKind::kCond: {
        Result<int32_t> c = Compile(*e.args[0]);
        if (!c.ok()) return c;
        Result<int32_t> a = Compile(*e.args[1]);
        if (!a.ok()) return a;
        Result<int32_t> b = Compile(*e.args[2]);
        if (!b.ok()) return b;
        return Add({.op = PlanOp::kCond,
                    .money = e.type.kind == TypeKind::kMoney,
                    .a = *c,
                    .b = *a,
                    .c = *b,
                    .origin = &e});
      }
      default: {
        Result<int32_t> a = Compile(*e.args[0]);
        if (!a.ok()) return a;
        Result<int32_t> b = Compile(*e.args[1]);
        if (!b.ok()) return b;
        return Add({.op = Binary(e.kind),
                    .money = e.type.kind == TypeKind::kMoney,
                    .a = *a,
                    .b = *b,
                    .origin = &e});
      }
    }
  }

 private:
  static PlanOp Binary(ExprKind k) {
    switch (k) {
      case ExprKind::kAnd:
        return PlanOp::kAnd;
      case ExprKind::kOr:
        return PlanOp::kOr;
      case ExprKind::kEq:
        return PlanOp::kEq;
      case ExprKind::kNe:
        return PlanOp::kNe;
      case ExprKind::kLt:
        return PlanOp::kLt;
      case ExprKind::kLe:
        return PlanOp::kLe;
      case ExprKind::kGt:
        return PlanOp::kGt;
      case ExprKind::kGe:
        return PlanOp::kGe;
      case ExprKind::kAdd:
        return PlanOp::kAdd;
      case ExprKind::kSub:
        return PlanOp::kSub;
      case ExprKind::kMul:
        return PlanOp::kMul;
      default:
        return PlanOp::kDiv;
    }
  }

  int64_t EnumValue(const Expr& literal) const {
    if (literal.type.kind != TypeKind::kEnum) return -1;
    return FactSchema::Person()
        .EnumIndex(static_cast<size_t>(literal.type.enum_slot), literal.text)
        .value_or(-1);
  }

  int32_t Add(PlanNode n) {
    plan_.nodes.push_back(std::move(n));
    return static_cast<int32_t>(plan_.nodes.size() - 1);
  }

  Result<int32_t> CompileName(const Expr& e) {
    if (auto slot = FactSchema::Person().Find(e.text)) {
      return Add({.op = PlanOp::kFact, .value = static_cast<int64_t>(*slot), .origin = &e});
    }
    if (const Definition* d = list_.FindDefinition(e.text)) {
      // Inlined each time it is used: plans stay trees, and definitions are small.
      Result<int32_t> root = Compile(*d->expr);
      if (root.ok() && plan_.nodes[static_cast<size_t>(*root)].name.empty()) {
        plan_.nodes[static_cast<size_t>(*root)].name = d->name;
      }
      return root;
    }
    const Parameter* p = list_.FindParameter(e.text);
    if (p == nullptr) return Status("policy.internal", fmt::format("未检查的名称「{}」", e.text));
    const DatedValue* v = p->At(date_);
    if (v == nullptr) return Missing(*p, e);
    return Add({.op = PlanOp::kConst,
                .money = p->money,
                .value = v->value,
                .origin = &e,
                .name = p->name});
  }

  Result<int32_t> CompileCall(const Expr& e) {
    if (e.text == "min" || e.text == "max") {
      Result<int32_t> acc = Compile(*e.args[0]);
      for (size_t i = 1; acc.ok() && i < e.args.size(); ++i) {
        Result<int32_t> next = Compile(*e.args[i]);
        if (!next.ok()) return next;
        acc = Add({.op = e.text == "min" ? PlanOp::kMin : PlanOp::kMax,
                   .money = e.type.kind == TypeKind::kMoney,
                   .a = *acc,
                   .b = *next,
                   .origin = &e});
      }
      return acc;
    }
    const Parameter* p = list_.FindParameter(e.text);
    if (p == nullptr) return Status("policy.internal", fmt::format("未检查的调用「{}」", e.text));
    const DatedValue* v = p->At(date_);
    if (v == nullptr) return Missing(*p, e);
    Result<int32_t> arg = Compile(*e.args[0]);
    if (!arg.ok()) return arg;
    return Add({.op = PlanOp::kScale,
                .money = p->money,
                .a = *arg,
                .brackets = v->brackets,
                .origin = &e,
                .name = p->name});
  }

  Status Missing(const Parameter& p, const Expr& e) const {
    return Status("policy.param_missing",
                  fmt::format("参数「{}」（{}）在 {} 没有取值；清单未载明数额时，请用参数文件（如 "
                              "policies/demo/）提供",
                              p.name, p.label, date_.ToString()),
                  Location{.file = list_.path, .line = e.line, .column = e.column});
  }

  const ServiceList& list_;
  CivilDate date_;
  Plan& plan_;
};

// Whether `e` (through definitions) names the fact `a` or `b`.
bool Names(const ServiceList& list, const Expr& e, std::string_view a, std::string_view b,
           int depth = 0) {
  if (depth > 64) return false;
  if (e.kind == ExprKind::kName) {
    if (e.text == a || e.text == b) return true;
    if (const Definition* d = list.FindDefinition(e.text); d != nullptr && d->expr)
      return Names(list, *d->expr, a, b, depth + 1);
  }
  for (const ExprPtr& arg : e.args) {
    if (arg && Names(list, *arg, a, b, depth)) return true;
  }
  return false;
}

}  // namespace

std::string_view CoverageName(Coverage c) {
  return c == Coverage::kResidence ? "按居住地（本地常住）" : "按规则（户籍或常住）";
}

Result<CompiledItem> CompileItem(const ServiceList& list, const Item& item, CivilDate date,
                                 Plan& plan) {
  Compiler c(list, date, plan);
  CompiledItem ci{.item = &item};
  if (!item.eligibility)
    return Status("policy.internal", fmt::format("第{}项没有规则", item.number));
  Result<int32_t> e = c.Compile(*item.eligibility);
  if (!e.ok()) return e.status();
  ci.rule = *e;
  // A standing item for the family carer is paid to the carer on record:
  // without one (unknown) the person is to verify, not on the roll.
  if (item.benefit.recipient == Recipient::kFamilyCarer && item.benefit.standing()) {
    static const int64_t kCarer =
        static_cast<int64_t>(*FactSchema::Person().Find("has_family_carer"));
    plan.nodes.push_back(PlanNode{.op = PlanOp::kFact, .value = kCarer});
    auto fact = static_cast<int32_t>(plan.nodes.size() - 1);
    plan.nodes.push_back(PlanNode{.op = PlanOp::kAnd, .a = *e, .b = fact});
    ci.rule = static_cast<int32_t>(plan.nodes.size() - 1);
  }
  ci.eligibility = ci.rule;
  ci.coverage = Names(list, *item.eligibility, "hukou_local", "resident_local")
                    ? Coverage::kRule
                    : Coverage::kResidence;
  if (ci.coverage == Coverage::kResidence) {
    static const int64_t kResident =
        static_cast<int64_t>(*FactSchema::Person().Find("resident_local"));
    // The fact node right before the AND (EntitlePopulation relies on it).
    plan.nodes.push_back(PlanNode{.op = PlanOp::kFact, .value = kResident});
    auto fact = static_cast<int32_t>(plan.nodes.size() - 1);
    plan.nodes.push_back(PlanNode{.op = PlanOp::kAnd, .a = fact, .b = ci.rule});
    ci.eligibility = static_cast<int32_t>(plan.nodes.size() - 1);
  }
  if (item.benefit.amount) {
    Result<int32_t> a = c.Compile(*item.benefit.amount);
    if (!a.ok()) return a.status();
    ci.amount = *a;
  }
  if (item.benefit.percent) {
    Result<int32_t> p = c.Compile(*item.benefit.percent);
    if (!p.ok()) return p.status();
    ci.percent = *p;
  }
  for (const DiscountPart& part : item.benefit.also) {
    if (!part.percent) continue;
    Result<int32_t> p = c.Compile(*part.percent);
    if (!p.ok()) return p.status();
    ci.also_percents.push_back(*p);
  }
  return ci;
}

Result<CompiledList> CompileList(const ServiceList& list, CivilDate date) {
  CompiledList out;
  out.list = &list;
  out.date = date;
  for (const Item& item : list.items) {
    Result<CompiledItem> ci = CompileItem(list, item, date, out.plan);
    if (!ci.ok()) return ci.status();
    out.items.push_back(*ci);
  }
  for (const ExclusiveGroup& g : list.exclusive_groups) {
    std::vector<size_t> members;
    for (const std::string& number : g.items) {
      for (size_t i = 0; i < list.items.size(); ++i) {
        if (list.items[i].number == number) members.push_back(i);
      }
    }
    out.groups.push_back(std::move(members));
  }
  return out;
}

int64_t ApplyArithmetic(PlanOp op, bool money, int64_t x, int64_t y) {
  __extension__ using Int128 = __int128;
  switch (op) {
    // Rules come from files: saturate rather than overflow.
    case PlanOp::kAdd:
    case PlanOp::kSub:
    case PlanOp::kMul: {
      int64_t r = 0;
      bool overflow = op == PlanOp::kAdd   ? __builtin_add_overflow(x, y, &r)
                      : op == PlanOp::kSub ? __builtin_sub_overflow(x, y, &r)
                                           : __builtin_mul_overflow(x, y, &r);
      if (!overflow) return r;
      bool negative = op == PlanOp::kMul   ? ((x < 0) != (y < 0))
                      : op == PlanOp::kAdd ? x < 0
                                           : x < 0;
      return negative ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    }
    case PlanOp::kDiv: {
      if (y == 0) return 0;
      if (y == -1)
        return x == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -x;
      if (!money) return x / y;
      Int128 q = Int128{x} / y, r = Int128{x} % y;
      Int128 ar = r < 0 ? -r : r, ay = y < 0 ? -Int128{y} : Int128{y};
      if (2 * ar >= ay) q += ((x < 0) != (y < 0)) ? -1 : 1;
      return static_cast<int64_t>(q);
    }
    default:
      return 0;
  }
}

}  // namespace yanglao::policy
