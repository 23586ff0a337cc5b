#include "policy/rule_checker.h"

#include <fmt/format.h>

namespace yanglao::policy {
namespace {

const Type kBool{TypeKind::kBool}, kInt{TypeKind::kInt}, kMoney{TypeKind::kMoney},
    kString{TypeKind::kString}, kUnknown{TypeKind::kUnknown};

class Checker {
 public:
  Checker(ServiceList& list, const FactSchema& schema, std::vector<Status>& errors)
      : list_(list), schema_(schema), errors_(errors) {}

  void Run() {
    for (Definition& d : list_.definitions) CheckDefinition(d);
    for (Item& item : list_.items) {
      std::string where = fmt::format("第{}项「{}」", item.number, item.name);
      if (item.eligibility) Expect(*item.eligibility, kBool, where + "的 eligibility");
      if (item.benefit.amount) Expect(*item.benefit.amount, kMoney, where + "的 amount");
      if (item.benefit.percent) Expect(*item.benefit.percent, kInt, where + "的 percent");
      for (const DiscountPart& part : item.benefit.also) {
        if (part.percent) Expect(*part.percent, kInt, where + "的 also 的 percent");
      }
    }
  }

 private:
  void Error(const Expr& e, std::string code, std::string message) {
    errors_.push_back(Status(std::move(code), std::move(message),
                             Location{.file = list_.path, .line = e.line, .column = e.column}));
  }

  void Expect(Expr& e, const Type& want, const std::string& what) {
    Type got = Check(e);
    if (got.kind == TypeKind::kUnknown) return;  // already reported
    if (got.kind != want.kind) {
      Error(e, "rule.type",
            fmt::format("类型错误：{}应为{}，实际为{}", what, TypeName(want, schema_),
                        TypeName(got, schema_)));
    }
  }

  Type CheckDefinition(Definition& d) {
    auto state = state_.find(d.name);
    if (state != state_.end()) {
      if (state->second == 1) {
        errors_.push_back(
            Status("rule.cycle", fmt::format("定义「{}」循环引用自身", d.name), d.where));
        return kUnknown;
      }
      return d.expr ? d.expr->type : kUnknown;
    }
    state_[d.name] = 1;
    Type t = d.expr ? Check(*d.expr) : kUnknown;
    state_[d.name] = 2;
    return t;
  }

  // Unifies a string literal with an enum: checks the value exists.
  bool UnifyEnum(Expr& literal, const Type& enum_type) {
    if (!schema_.EnumIndex(static_cast<size_t>(enum_type.enum_slot), literal.text)) {
      const FactInfo& f = schema_.at(static_cast<size_t>(enum_type.enum_slot));
      std::string values;
      for (const std::string& v : f.enum_values) values += (values.empty() ? "" : ", ") + v;
      Error(literal, "rule.enum_value",
            fmt::format("「{}」不是 {} 的取值（可选：{}）", literal.text, f.name, values));
      return false;
    }
    literal.type = enum_type;
    return true;
  }

  bool Comparable(Expr& a, Type ta, Expr& b, Type tb, bool ordered, const Expr& op) {
    if (ta.kind == TypeKind::kEnum && tb.kind == TypeKind::kString) return UnifyEnum(b, ta) || true;
    if (tb.kind == TypeKind::kEnum && ta.kind == TypeKind::kString) return UnifyEnum(a, tb) || true;
    if (ta.kind != tb.kind || (ta.kind == TypeKind::kEnum && ta.enum_slot != tb.enum_slot)) {
      Error(op, "rule.type",
            fmt::format("类型错误：{} 两边类型不同（{} 与 {}）", ExprKindSymbol(op.kind),
                        TypeName(ta, schema_), TypeName(tb, schema_)));
      return false;
    }
    if (ordered && ta.kind != TypeKind::kInt && ta.kind != TypeKind::kMoney) {
      Error(op, "rule.type",
            fmt::format("类型错误：{} 只能比较整数或金额，不能比较{}", ExprKindSymbol(op.kind),
                        TypeName(ta, schema_)));
      return false;
    }
    if (ta.kind == TypeKind::kString) {
      Error(op, "rule.type", "类型错误：两个字符串不能直接比较，字符串只能与枚举事实比较");
      return false;
    }
    return true;
  }

  Type Check(Expr& e) {
    e.type = CheckInner(e);
    return e.type;
  }

  Type CheckInner(Expr& e) {
    switch (e.kind) {
      case ExprKind::kBool:
        return kBool;
      case ExprKind::kInt:
        return kInt;
      case ExprKind::kMoney:
        return kMoney;
      case ExprKind::kString:
        return kString;
      case ExprKind::kName:
        return CheckName(e);
      case ExprKind::kCall:
        return CheckCall(e);
      case ExprKind::kList:
        Error(e, "rule.type", "列表只能出现在 in 的右边");
        return kUnknown;
      case ExprKind::kNot: {
        Type t = Check(*e.args[0]);
        if (t.kind != TypeKind::kUnknown && t.kind != TypeKind::kBool) {
          Error(e, "rule.type",
                fmt::format("类型错误：! 需要布尔值，实际为{}", TypeName(t, schema_)));
          return kUnknown;
        }
        return kBool;
      }
      case ExprKind::kNeg: {
        Type t = Check(*e.args[0]);
        if (t.kind == TypeKind::kInt || t.kind == TypeKind::kMoney) return t;
        if (t.kind != TypeKind::kUnknown) {
          Error(e, "rule.type",
                fmt::format("类型错误：负号需要整数或金额，实际为{}", TypeName(t, schema_)));
        }
        return kUnknown;
      }
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        Type a = Check(*e.args[0]), b = Check(*e.args[1]);
        bool bad = false;
        for (auto [t, arg] : {std::pair{a, e.args[0].get()}, std::pair{b, e.args[1].get()}}) {
          if (t.kind != TypeKind::kUnknown && t.kind != TypeKind::kBool) {
            Error(*arg, "rule.type",
                  fmt::format("类型错误：{} 的两边应为布尔值，此处为{}", ExprKindSymbol(e.kind),
                              TypeName(t, schema_)));
            bad = true;
          }
        }
        return bad || a.kind == TypeKind::kUnknown || b.kind == TypeKind::kUnknown ? kUnknown
                                                                                   : kBool;
      }
      case ExprKind::kEq:
      case ExprKind::kNe:
      case ExprKind::kLt:
      case ExprKind::kLe:
      case ExprKind::kGt:
      case ExprKind::kGe: {
        Type a = Check(*e.args[0]), b = Check(*e.args[1]);
        if (a.kind == TypeKind::kUnknown || b.kind == TypeKind::kUnknown) return kUnknown;
        bool ordered = e.kind != ExprKind::kEq && e.kind != ExprKind::kNe;
        return Comparable(*e.args[0], a, *e.args[1], b, ordered, e) ? kBool : kUnknown;
      }
      case ExprKind::kIn: {
        Type a = Check(*e.args[0]);
        if (a.kind == TypeKind::kUnknown) return kUnknown;
        bool ok = true;
        for (ExprPtr& el : e.args[1]->args) {
          if (el->kind != ExprKind::kInt && el->kind != ExprKind::kMoney &&
              el->kind != ExprKind::kString && el->kind != ExprKind::kBool) {
            Error(*el, "rule.type", "in 的列表只能包含常量");
            ok = false;
            continue;
          }
          Type t = Check(*el);
          ok = Comparable(*e.args[0], a, *el, t, false, e) && ok;
        }
        e.args[1]->type = {TypeKind::kList};
        return ok ? kBool : kUnknown;
      }
      case ExprKind::kAdd:
      case ExprKind::kSub:
      case ExprKind::kMul:
      case ExprKind::kDiv:
        return CheckArithmetic(e);
      case ExprKind::kCond: {
        Type c = Check(*e.args[0]), a = Check(*e.args[1]), b = Check(*e.args[2]);
        if (c.kind != TypeKind::kUnknown && c.kind != TypeKind::kBool) {
          Error(*e.args[0], "rule.type",
                fmt::format("类型错误：? 前的条件应为布尔值，实际为{}", TypeName(c, schema_)));
          return kUnknown;
        }
        if (a.kind == TypeKind::kUnknown || b.kind == TypeKind::kUnknown) return kUnknown;
        if (a.kind == TypeKind::kEnum && b.kind == TypeKind::kString && UnifyEnum(*e.args[2], a))
          return a;
        if (b.kind == TypeKind::kEnum && a.kind == TypeKind::kString && UnifyEnum(*e.args[1], b))
          return b;
        if (!(a == b)) {
          Error(e, "rule.type",
                fmt::format("类型错误：条件表达式两个分支类型不同（{} 与 {}）",
                            TypeName(a, schema_), TypeName(b, schema_)));
          return kUnknown;
        }
        return a;
      }
    }
    return kUnknown;
  }

  Type CheckArithmetic(Expr& e) {
    Type a = Check(*e.args[0]), b = Check(*e.args[1]);
    if (a.kind == TypeKind::kUnknown || b.kind == TypeKind::kUnknown) return kUnknown;
    auto numeric = [](Type t) { return t.kind == TypeKind::kInt || t.kind == TypeKind::kMoney; };
    if (!numeric(a) || !numeric(b)) {
      Error(e, "rule.type",
            fmt::format("类型错误：{} 需要整数或金额（{} 与 {}）", ExprKindSymbol(e.kind),
                        TypeName(a, schema_), TypeName(b, schema_)));
      return kUnknown;
    }
    bool ma = a.kind == TypeKind::kMoney, mb = b.kind == TypeKind::kMoney;
    switch (e.kind) {
      case ExprKind::kAdd:
      case ExprKind::kSub:
        if (ma != mb) {
          Error(e, "rule.type", "类型错误：金额只能与金额相加减");
          return kUnknown;
        }
        return a;
      case ExprKind::kMul:
        if (ma && mb) {
          Error(e, "rule.type", "类型错误：两个金额不能相乘");
          return kUnknown;
        }
        return ma || mb ? kMoney : kInt;
      default:  // kDiv
        if (mb) {
          Error(e, "rule.type", "类型错误：不能除以金额");
          return kUnknown;
        }
        return a;
    }
  }

  Type CheckName(Expr& e) {
    if (auto slot = schema_.Find(e.text)) {
      const FactInfo& f = schema_.at(*slot);
      switch (f.type) {
        case FactType::kBool:
          return kBool;
        case FactType::kInt:
          return kInt;
        case FactType::kEnum:
          return Type{TypeKind::kEnum, static_cast<int>(*slot)};
      }
    }
    for (Definition& d : list_.definitions) {
      if (d.name == e.text) return CheckDefinition(d);
    }
    if (const Parameter* p = list_.FindParameter(e.text)) {
      if (p->scale_slot) {
        Error(e, "rule.call",
              fmt::format("参数「{}」按{}分档，应写作 {}({})", p->name,
                          schema_.at(*p->scale_slot).label, p->name,
                          schema_.at(*p->scale_slot).name));
        return kUnknown;
      }
      return p->money ? kMoney : kInt;
    }
    Error(e, "rule.unknown_name", fmt::format("未知的事实、定义或参数「{}」", e.text));
    return kUnknown;
  }

  Type CheckCall(Expr& e) {
    if (e.text == "min" || e.text == "max") {
      if (e.args.size() < 2) {
        Error(e, "rule.call", fmt::format("{} 至少需要两个参数", e.text));
        return kUnknown;
      }
      Type first = Check(*e.args[0]);
      for (size_t i = 1; i < e.args.size(); ++i) {
        Type t = Check(*e.args[i]);
        if (first.kind == TypeKind::kUnknown || t.kind == TypeKind::kUnknown) return kUnknown;
        if (!(t == first) || (t.kind != TypeKind::kInt && t.kind != TypeKind::kMoney)) {
          Error(e, "rule.type", fmt::format("类型错误：{} 的参数应同为整数或同为金额", e.text));
          return kUnknown;
        }
      }
      return first;
    }
    const Parameter* p = list_.FindParameter(e.text);
    if (p == nullptr) {
      Error(e, "rule.call", fmt::format("未知的函数或分档参数「{}」", e.text));
      return kUnknown;
    }
    if (!p->scale_slot) {
      Error(e, "rule.call", fmt::format("参数「{}」不分档，直接写 {} 即可", p->name, p->name));
      return kUnknown;
    }
    if (e.args.size() != 1) {
      Error(e, "rule.call", fmt::format("分档参数「{}」需要一个参数", p->name));
      return kUnknown;
    }
    Type t = Check(*e.args[0]);
    if (t.kind != TypeKind::kUnknown && t.kind != TypeKind::kInt) {
      Error(*e.args[0], "rule.type",
            fmt::format("类型错误：分档参数「{}」的参数应为整数，实际为{}", p->name,
                        TypeName(t, schema_)));
      return kUnknown;
    }
    return p->money ? kMoney : kInt;
  }

  ServiceList& list_;
  const FactSchema& schema_;
  std::vector<Status>& errors_;
  std::map<std::string, int> state_;  // definition name -> 1 in progress, 2 done
};

}  // namespace

void CheckListRules(ServiceList& list, const FactSchema& schema, std::vector<Status>& errors) {
  Checker(list, schema, errors).Run();
}

std::string TypeName(const Type& t, const FactSchema& schema) {
  switch (t.kind) {
    case TypeKind::kUnknown:
      return "未知";
    case TypeKind::kBool:
      return "布尔";
    case TypeKind::kInt:
      return "整数";
    case TypeKind::kMoney:
      return "金额";
    case TypeKind::kString:
      return "字符串";
    case TypeKind::kList:
      return "列表";
    case TypeKind::kEnum:
      return fmt::format("枚举（{}）",
                         t.enum_slot >= 0 ? schema.at(static_cast<size_t>(t.enum_slot)).name : "?");
  }
  return "";
}

}  // namespace yanglao::policy
