#include "policy/rule_parser.h"

#include <fmt/format.h>

#include <limits>

#include "core/utf8.h"

namespace yanglao::policy {
namespace {

enum class Tok : uint8_t {
  kEnd,
  kInt,
  kMoney,
  kString,
  kIdent,
  kTrue,
  kFalse,
  kIn,
  kAnd,
  kOr,
  kNot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kQuestion,
  kColon,
};

struct Token {
  Tok tok = Tok::kEnd;
  size_t offset = 0;  // byte offset in the text
  int64_t value = 0;
  std::string text;
};

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view text, const Location& origin) : text_(text), origin_(origin) {}

  Result<ExprPtr> Parse() {
    if (Status s = Lex(); !s.ok()) return s;
    Result<ExprPtr> e = ParseExpr(0);
    if (!e.ok()) return e;
    if (Peek().tok != Tok::kEnd) return Error(Peek().offset, "表达式后有多余内容");
    return e;
  }

 private:
  // --- positions and errors ---
  std::pair<int, int> LineCol(size_t offset) const {
    int line = origin_.line, col = origin_.column;
    size_t line_start = 0;
    int newlines = 0;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++newlines;
        line_start = i + 1;
      }
    }
    std::string_view before = text_.substr(line_start, offset - line_start);
    int chars = static_cast<int>(CodePointCount(before));
    if (newlines == 0) return {line, col + chars};
    return {line + newlines, 1 + chars};
  }

  Status Error(size_t offset, std::string message, std::string code = "rule.syntax") const {
    auto [line, col] = LineCol(offset);
    std::string value(CharacterAt(text_, offset));
    return Status(std::move(code), std::move(message),
                  Location{.file = origin_.file, .line = line, .column = col, .value = value});
  }

  // --- lexer ---
  Status Lex() {
    if (!IsValidUtf8(text_)) return Error(0, "规则不是有效的 UTF-8 文本");
    size_t i = 0;
    while (true) {
      while (i < text_.size() &&
             (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) {
        ++i;
      }
      Token t;
      t.offset = i;
      if (i >= text_.size()) {
        tokens_.push_back(t);
        return Status::Ok();
      }
      char c = text_[i];
      auto two = [&](char next) { return i + 1 < text_.size() && text_[i + 1] == next; };
      if (c >= '0' && c <= '9') {
        if (Status s = LexNumber(i, t); !s.ok()) return s;
      } else if (text_.substr(i).starts_with("¥") || text_.substr(i).starts_with("￥")) {
        i += 2;  // both are two bytes
        if (i >= text_.size() || text_[i] < '0' || text_[i] > '9') {
          return Error(t.offset, "¥ 后应为金额数字");
        }
        if (Status s = LexNumber(i, t, /*money=*/true); !s.ok()) return s;
      } else if (c == '"') {
        size_t j = i + 1;
        while (j < text_.size() && text_[j] != '"' && text_[j] != '\n') ++j;
        if (j >= text_.size() || text_[j] != '"') return Error(i, "字符串缺少结尾的引号");
        t.tok = Tok::kString;
        t.text = std::string(text_.substr(i + 1, j - i - 1));
        i = j + 1;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        size_t j = i;
        while (j < text_.size() &&
               ((text_[j] >= 'a' && text_[j] <= 'z') || (text_[j] >= 'A' && text_[j] <= 'Z') ||
                (text_[j] >= '0' && text_[j] <= '9') || text_[j] == '_')) {
          ++j;
        }
        t.text = std::string(text_.substr(i, j - i));
        t.tok = t.text == "true"    ? Tok::kTrue
                : t.text == "false" ? Tok::kFalse
                : t.text == "in"    ? Tok::kIn
                                    : Tok::kIdent;
        i = j;
      } else if (c == '&' && two('&')) {
        t.tok = Tok::kAnd, i += 2;
      } else if (c == '|' && two('|')) {
        t.tok = Tok::kOr, i += 2;
      } else if (c == '=' && two('=')) {
        t.tok = Tok::kEq, i += 2;
      } else if (c == '!' && two('=')) {
        t.tok = Tok::kNe, i += 2;
      } else if (c == '<' && two('=')) {
        t.tok = Tok::kLe, i += 2;
      } else if (c == '>' && two('=')) {
        t.tok = Tok::kGe, i += 2;
      } else {
        switch (c) {
          case '!':
            t.tok = Tok::kNot;
            break;
          case '<':
            t.tok = Tok::kLt;
            break;
          case '>':
            t.tok = Tok::kGt;
            break;
          case '+':
            t.tok = Tok::kPlus;
            break;
          case '-':
            t.tok = Tok::kMinus;
            break;
          case '*':
            t.tok = Tok::kStar;
            break;
          case '/':
            t.tok = Tok::kSlash;
            break;
          case '(':
            t.tok = Tok::kLParen;
            break;
          case ')':
            t.tok = Tok::kRParen;
            break;
          case '[':
            t.tok = Tok::kLBracket;
            break;
          case ']':
            t.tok = Tok::kRBracket;
            break;
          case ',':
            t.tok = Tok::kComma;
            break;
          case '?':
            t.tok = Tok::kQuestion;
            break;
          case ':':
            t.tok = Tok::kColon;
            break;
          case '=':
            return Error(i, "比较相等应写作 ==");
          case '&':
            return Error(i, "“并且”应写作 &&");
          case '|':
            return Error(i, "“或者”应写作 ||");
          default:
            return Error(i, "无法识别的字符");
        }
        ++i;
      }
      tokens_.push_back(std::move(t));
    }
  }

  // Digits, an optional fraction, an optional 元 (money). `money` is set when
  // a ¥ came first.
  Status LexNumber(size_t& i, Token& t, bool money = false) {
    size_t start = i;
    __extension__ using Int128 = __int128;
    Int128 whole = 0;
    while (i < text_.size() && text_[i] >= '0' && text_[i] <= '9') {
      whole = whole * 10 + (text_[i] - '0');
      if (whole > std::numeric_limits<int64_t>::max() / 100) return Error(start, "数值过大");
      ++i;
    }
    int64_t fraction = 0;
    int decimals = 0;
    if (i < text_.size() && text_[i] == '.') {
      ++i;
      while (i < text_.size() && text_[i] >= '0' && text_[i] <= '9') {
        if (++decimals > 2) return Error(i, "金额最多两位小数（精确到分）");
        fraction = fraction * 10 + (text_[i] - '0');
        ++i;
      }
      if (decimals == 0) return Error(i, "小数点后应有数字");
      if (decimals == 1) fraction *= 10;
    }
    if (text_.substr(i).starts_with("元")) {
      money = true;
      i += std::string_view("元").size();
    }
    if (money) {
      t.tok = Tok::kMoney;
      t.value = static_cast<int64_t>(whole * 100 + fraction);
    } else {
      if (decimals > 0) return Error(start, "整数不能有小数；金额请加“元”，如 12.5元");
      t.tok = Tok::kInt;
      t.value = static_cast<int64_t>(whole);
    }
    return Status::Ok();
  }

  // --- parser ---
  const Token& Peek() const { return tokens_[pos_]; }
  Token Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool Accept(Tok t) {
    if (Peek().tok != t) return false;
    ++pos_;
    return true;
  }

  ExprPtr Node(ExprKind kind, size_t offset) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    auto [line, col] = LineCol(offset);
    e->line = line;
    e->column = col;
    return e;
  }

  ExprPtr Binary(ExprKind kind, size_t offset, ExprPtr a, ExprPtr b) {
    ExprPtr e = Node(kind, offset);
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return e;
  }

  Status Deeper(int depth) const {
    if (depth > kMaxDepth) {
      return Error(Peek().offset, fmt::format("表达式嵌套超过{}层", kMaxDepth), "rule.too_deep");
    }
    return Status::Ok();
  }

  // expr := or ('?' expr ':' expr)?
  Result<ExprPtr> ParseExpr(int depth) {
    if (Status s = Deeper(depth); !s.ok()) return s;
    Result<ExprPtr> c = ParseOr(depth);
    if (!c.ok() || Peek().tok != Tok::kQuestion) return c;
    size_t at = Next().offset;
    Result<ExprPtr> a = ParseExpr(depth + 1);
    if (!a.ok()) return a;
    if (!Accept(Tok::kColon)) return Error(Peek().offset, "条件表达式缺少“:”");
    Result<ExprPtr> b = ParseExpr(depth + 1);
    if (!b.ok()) return b;
    ExprPtr e = Node(ExprKind::kCond, at);
    e->args.push_back(std::move(*c));
    e->args.push_back(std::move(*a));
    e->args.push_back(std::move(*b));
    return e;
  }

  Result<ExprPtr> ParseOr(int depth) {
    Result<ExprPtr> left = ParseAnd(depth);
    while (left.ok() && Peek().tok == Tok::kOr) {
      size_t at = Next().offset;
      Result<ExprPtr> right = ParseAnd(depth);
      if (!right.ok()) return right;
      left = Binary(ExprKind::kOr, at, std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<ExprPtr> ParseAnd(int depth) {
    Result<ExprPtr> left = ParseComparison(depth);
    while (left.ok() && Peek().tok == Tok::kAnd) {
      size_t at = Next().offset;
      Result<ExprPtr> right = ParseComparison(depth);
      if (!right.ok()) return right;
      left = Binary(ExprKind::kAnd, at, std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<ExprPtr> ParseComparison(int depth) {
    Result<ExprPtr> left = ParseAdditive(depth);
    if (!left.ok()) return left;
    ExprKind kind;
    switch (Peek().tok) {
      case Tok::kEq:
        kind = ExprKind::kEq;
        break;
      case Tok::kNe:
        kind = ExprKind::kNe;
        break;
      case Tok::kLt:
        kind = ExprKind::kLt;
        break;
      case Tok::kLe:
        kind = ExprKind::kLe;
        break;
      case Tok::kGt:
        kind = ExprKind::kGt;
        break;
      case Tok::kGe:
        kind = ExprKind::kGe;
        break;
      case Tok::kIn:
        kind = ExprKind::kIn;
        break;
      default:
        return left;
    }
    size_t at = Next().offset;
    Result<ExprPtr> right = ParseAdditive(depth);
    if (!right.ok()) return right;
    if (kind == ExprKind::kIn && (*right)->kind != ExprKind::kList) {
      return Error(at, "in 后应为列表，如 [1, 2]");
    }
    switch (Peek().tok) {
      case Tok::kEq:
      case Tok::kNe:
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe:
      case Tok::kIn:
        return Error(Peek().offset, "比较不能连写（如 60 <= age < 65），请用 && 连接两个比较");
      default:
        break;
    }
    return Binary(kind, at, std::move(*left), std::move(*right));
  }

  Result<ExprPtr> ParseAdditive(int depth) {
    Result<ExprPtr> left = ParseMultiplicative(depth);
    while (left.ok() && (Peek().tok == Tok::kPlus || Peek().tok == Tok::kMinus)) {
      Token op = Next();
      Result<ExprPtr> right = ParseMultiplicative(depth);
      if (!right.ok()) return right;
      left = Binary(op.tok == Tok::kPlus ? ExprKind::kAdd : ExprKind::kSub, op.offset,
                    std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<ExprPtr> ParseMultiplicative(int depth) {
    Result<ExprPtr> left = ParseUnary(depth);
    while (left.ok() && (Peek().tok == Tok::kStar || Peek().tok == Tok::kSlash)) {
      Token op = Next();
      Result<ExprPtr> right = ParseUnary(depth);
      if (!right.ok()) return right;
      left = Binary(op.tok == Tok::kStar ? ExprKind::kMul : ExprKind::kDiv, op.offset,
                    std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<ExprPtr> ParseUnary(int depth) {
    if (Status s = Deeper(depth); !s.ok()) return s;
    if (Peek().tok == Tok::kNot || Peek().tok == Tok::kMinus) {
      Token op = Next();
      Result<ExprPtr> operand = ParseUnary(depth + 1);
      if (!operand.ok()) return operand;
      ExprPtr e = Node(op.tok == Tok::kNot ? ExprKind::kNot : ExprKind::kNeg, op.offset);
      e->args.push_back(std::move(*operand));
      return e;
    }
    return ParsePrimary(depth);
  }

  Result<ExprPtr> ParsePrimary(int depth) {
    Token t = Next();
    switch (t.tok) {
      case Tok::kInt:
      case Tok::kMoney: {
        ExprPtr e = Node(t.tok == Tok::kInt ? ExprKind::kInt : ExprKind::kMoney, t.offset);
        e->value = t.value;
        return e;
      }
      case Tok::kTrue:
      case Tok::kFalse: {
        ExprPtr e = Node(ExprKind::kBool, t.offset);
        e->value = t.tok == Tok::kTrue ? 1 : 0;
        return e;
      }
      case Tok::kString: {
        ExprPtr e = Node(ExprKind::kString, t.offset);
        e->text = t.text;
        return e;
      }
      case Tok::kIdent: {
        if (Peek().tok != Tok::kLParen) {
          ExprPtr e = Node(ExprKind::kName, t.offset);
          e->text = t.text;
          return e;
        }
        Next();
        ExprPtr e = Node(ExprKind::kCall, t.offset);
        e->text = t.text;
        if (Status s = ParseArgs(Tok::kRParen, "）", depth, *e); !s.ok()) return s;
        return e;
      }
      case Tok::kLBracket: {
        ExprPtr e = Node(ExprKind::kList, t.offset);
        if (Status s = ParseArgs(Tok::kRBracket, "]", depth, *e); !s.ok()) return s;
        return e;
      }
      case Tok::kLParen: {
        Result<ExprPtr> inner = ParseExpr(depth + 1);
        if (!inner.ok()) return inner;
        if (!Accept(Tok::kRParen)) return Error(Peek().offset, "缺少右括号“)”");
        return inner;
      }
      case Tok::kEnd:
        return Error(t.offset, "表达式不完整");
      default:
        return Error(t.offset, "此处应为数值、名称、字符串或“(”");
    }
  }

  Status ParseArgs(Tok close, const char* close_text, int depth, Expr& e) {
    if (Accept(close)) return Status::Ok();
    while (true) {
      Result<ExprPtr> arg = ParseExpr(depth + 1);
      if (!arg.ok()) return arg.status();
      e.args.push_back(std::move(*arg));
      if (Accept(close)) return Status::Ok();
      if (!Accept(Tok::kComma))
        return Error(Peek().offset, fmt::format("应为“,”或“{}”", close_text));
    }
  }

  std::string_view text_;
  Location origin_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Result<ExprPtr> ParseRule(std::string_view text, const Location& origin) {
  Location at = origin;
  if (at.line == 0) at.line = 1;
  if (at.column == 0) at.column = 1;
  return Parser(text, at).Parse();
}

}  // namespace yanglao::policy
