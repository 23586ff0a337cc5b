#include "core/money.h"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

namespace yanglao {
namespace {

__extension__ using Int128 = __int128;

[[noreturn]] void Overflow() { throw std::overflow_error("money arithmetic overflow"); }

int64_t Checked(Int128 v) {
  if (v > std::numeric_limits<int64_t>::max() || v < std::numeric_limits<int64_t>::min()) {
    Overflow();
  }
  return static_cast<int64_t>(v);
}

// "1234567" -> "1,234,567".
std::string GroupThousands(uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  size_t lead = digits.size() % 3;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (i + 3 - lead) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

uint64_t Magnitude(int64_t fen) {
  return fen < 0 ? static_cast<uint64_t>(-(fen + 1)) + 1 : static_cast<uint64_t>(fen);
}

}  // namespace

Money Money::Yuan(int64_t yuan) { return Money(Checked(static_cast<Int128>(yuan) * 100)); }

Result<Money> Money::Parse(std::string_view text) {
  const std::string_view original = text;
  auto fail = [&](std::string code, std::string message) -> Status {
    return Status(std::move(code), std::move(message), Location{.value = std::string(original)});
  };
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  for (std::string_view prefix : {"¥", "￥"}) {
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  }
  if (text.ends_with("元")) text.remove_suffix(std::string_view("元").size());

  Int128 yuan = 0;
  int digits = 0, decimals = -1;  // decimals: -1 before the point
  int64_t fraction = 0;
  bool last_was_comma = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      last_was_comma = false;
      if (decimals < 0) {
        yuan = yuan * 10 + (c - '0');
        if (yuan > std::numeric_limits<int64_t>::max() / 100) {
          return fail("money.range", "金额超出范围");
        }
        ++digits;
      } else {
        if (++decimals > 2) return fail("money.precision", "金额最多保留两位小数（精确到分）");
        fraction = fraction * 10 + (c - '0');
      }
    } else if (c == ',' && decimals < 0 && digits > 0 && !last_was_comma) {
      last_was_comma = true;
    } else if (c == '.' && decimals < 0 && digits > 0 && !last_was_comma) {
      decimals = 0;
    } else {
      return fail("money.format", "金额格式错误，应为如 100、1,234.50、¥1,234.50 或 100元");
    }
  }
  if (digits == 0 || decimals == 0 || last_was_comma) {
    return fail("money.format", "金额格式错误，应为如 100、1,234.50、¥1,234.50 或 100元");
  }
  if (decimals == 1) fraction *= 10;
  Int128 fen = yuan * 100 + fraction;
  if (fen > std::numeric_limits<int64_t>::max()) return fail("money.range", "金额超出范围");
  return Money(static_cast<int64_t>(negative ? -fen : fen));
}

Money Money::operator+(Money o) const { return Money(Checked(Int128{fen_} + o.fen_)); }
Money Money::operator-(Money o) const { return Money(Checked(Int128{fen_} - o.fen_)); }
Money Money::operator-() const { return Money(Checked(-Int128{fen_})); }
Money Money::operator*(int64_t n) const { return Money(Checked(Int128{fen_} * n)); }

Money Money::MulRatio(int64_t numerator, int64_t denominator) const {
  if (denominator == 0) throw std::domain_error("Money::MulRatio by zero");
  Int128 p = Int128{fen_} * numerator;
  Int128 d = denominator;
  if (d < 0) {
    p = -p;
    d = -d;
  }
  Int128 q = p / d, r = p % d;
  // Round half away from zero.
  if (2 * (r < 0 ? -r : r) >= d) q += (p < 0) ? -1 : 1;
  return Money(Checked(q));
}

std::string Money::Format() const {
  uint64_t m = Magnitude(fen_);
  return fmt::format("{}¥{}.{:02}", fen_ < 0 ? "-" : "", GroupThousands(m / 100), m % 100);
}

std::string Money::FormatYuan() const {
  uint64_t m = Magnitude(fen_);
  if (m % 100 == 0) return fmt::format("{}{}元", fen_ < 0 ? "-" : "", GroupThousands(m / 100));
  return fmt::format("{}{}.{:02}元", fen_ < 0 ? "-" : "", GroupThousands(m / 100), m % 100);
}

std::string Money::FormatPer(Period period) const {
  std::string s = FormatYuan();
  std::string_view suffix = PeriodSuffix(period);
  if (!suffix.empty()) {
    s.resize(s.size() - std::string_view("元").size());
    s += suffix;
  }
  return s;
}

std::string_view PeriodSuffix(Period period) {
  switch (period) {
    case Period::kOnce:
      return "";
    case Period::kDay:
      return "元/天";
    case Period::kMonth:
      return "元/月";
    case Period::kYear:
      return "元/年";
    case Period::kTime:
      return "元/次";
  }
  return "";
}

}  // namespace yanglao
