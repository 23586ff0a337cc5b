// The syntax tree of the rule language (docs/policy-format.md): what the
// parser produces and the checker annotates with types.
#ifndef YANGLAO_POLICY_RULE_AST_H_
#define YANGLAO_POLICY_RULE_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace yanglao::policy {

enum class ExprKind : uint8_t {
  kBool,    // true / false: value
  kInt,     // 80: value
  kMoney,   // 100元: value in fen
  kString,  // "dispersed": text
  kName,    // age, economically_difficult, dibao_standard_urban: text
  kCall,    // min(a, b), max(a, b), old_age_allowance(age): text, args
  kList,    // [1, 2]: args
  kNot,     // !a
  kNeg,     // -a
  kAnd,
  kOr,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,  // a in [..]: args[0] a, args[1] the list
  kAdd,
  kSub,
  kMul,
  kDiv,
  kCond,  // c ? a : b
};

// The type of a checked expression.
enum class TypeKind : uint8_t { kUnknown, kBool, kInt, kMoney, kString, kEnum, kList };

struct Type {
  TypeKind kind = TypeKind::kUnknown;
  int enum_slot = -1;  // kEnum: the fact slot whose values it takes
  friend bool operator==(const Type&, const Type&) = default;
};

struct Expr {
  ExprKind kind;
  int line = 0, column = 0;  // position in the file, 1-based
  int64_t value = 0;
  std::string text;
  std::vector<std::unique_ptr<Expr>> args;
  Type type;  // set by the checker
};

using ExprPtr = std::unique_ptr<Expr>;

// The operator as written ("&&", ">=") for messages and printing.
const char* ExprKindSymbol(ExprKind kind);

// Prints the expression back in the rule language (normalised spacing,
// parentheses only where needed).
std::string ToSource(const Expr& e);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_RULE_AST_H_
