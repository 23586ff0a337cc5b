#include "policy/rule_ast.h"

#include <fmt/format.h>

namespace yanglao::policy {

const char* ExprKindSymbol(ExprKind kind) {
  switch (kind) {
    case ExprKind::kNot:
      return "!";
    case ExprKind::kNeg:
      return "-";
    case ExprKind::kAnd:
      return "&&";
    case ExprKind::kOr:
      return "||";
    case ExprKind::kEq:
      return "==";
    case ExprKind::kNe:
      return "!=";
    case ExprKind::kLt:
      return "<";
    case ExprKind::kLe:
      return "<=";
    case ExprKind::kGt:
      return ">";
    case ExprKind::kGe:
      return ">=";
    case ExprKind::kIn:
      return "in";
    case ExprKind::kAdd:
      return "+";
    case ExprKind::kSub:
      return "-";
    case ExprKind::kMul:
      return "*";
    case ExprKind::kDiv:
      return "/";
    case ExprKind::kCond:
      return "?:";
    default:
      return "";
  }
}

namespace {

int Precedence(ExprKind k) {
  switch (k) {
    case ExprKind::kCond:
      return 1;
    case ExprKind::kOr:
      return 2;
    case ExprKind::kAnd:
      return 3;
    case ExprKind::kEq:
    case ExprKind::kNe:
    case ExprKind::kLt:
    case ExprKind::kLe:
    case ExprKind::kGt:
    case ExprKind::kGe:
    case ExprKind::kIn:
      return 4;
    case ExprKind::kAdd:
    case ExprKind::kSub:
      return 5;
    case ExprKind::kMul:
    case ExprKind::kDiv:
      return 6;
    case ExprKind::kNot:
    case ExprKind::kNeg:
      return 7;
    default:
      return 8;
  }
}

std::string Wrap(const Expr& child, int parent_precedence, bool right_side = false) {
  std::string s = ToSource(child);
  int p = Precedence(child.kind);
  if (p < parent_precedence || (right_side && p == parent_precedence && p < 7))
    return "(" + s + ")";
  return s;
}

std::string FormatMoney(int64_t fen) {
  if (fen % 100 == 0) return fmt::format("{}元", fen / 100);
  return fmt::format("{}.{:02}元", fen / 100, fen % 100 < 0 ? -(fen % 100) : fen % 100);
}

}  // namespace

std::string ToSource(const Expr& e) {
  auto join = [&](std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < e.args.size(); ++i)
      out += (i ? std::string(sep) : "") + ToSource(*e.args[i]);
    return out;
  };
  switch (e.kind) {
    case ExprKind::kBool:
      return e.value ? "true" : "false";
    case ExprKind::kInt:
      return std::to_string(e.value);
    case ExprKind::kMoney:
      return FormatMoney(e.value);
    case ExprKind::kString:
      return "\"" + e.text + "\"";
    case ExprKind::kName:
      return e.text;
    case ExprKind::kCall:
      return e.text + "(" + join(", ") + ")";
    case ExprKind::kList:
      return "[" + join(", ") + "]";
    case ExprKind::kNot:
    case ExprKind::kNeg:
      return std::string(ExprKindSymbol(e.kind)) + Wrap(*e.args[0], 7);
    case ExprKind::kCond:
      return Wrap(*e.args[0], 2) + " ? " + Wrap(*e.args[1], 1) + " : " + Wrap(*e.args[2], 1);
    default: {
      int p = Precedence(e.kind);
      return Wrap(*e.args[0], p) + " " + ExprKindSymbol(e.kind) + " " + Wrap(*e.args[1], p, true);
    }
  }
}

}  // namespace yanglao::policy
