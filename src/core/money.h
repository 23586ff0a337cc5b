// Money: an exact amount of 人民币 in integer fen (分, 0.01 元).
//
// Benefits, subsidies and budgets are always Money, never floating point.
// Arithmetic is exact; overflow (beyond ±9.2e16 元, never a real amount)
// throws std::overflow_error, which ends the request. Division and ratios
// round half away from zero (四舍五入) to the fen.
#ifndef YANGLAO_CORE_MONEY_H_
#define YANGLAO_CORE_MONEY_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace yanglao {

// The period a recurring amount is paid for, as published lists state it.
enum class Period {
  kOnce,   // 一次性
  kDay,    // 元/天
  kMonth,  // 元/月
  kYear,   // 元/年
  kTime,   // 元/次
};

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money Fen(int64_t fen) { return Money(fen); }
  // Whole yuan. Throws std::overflow_error when out of range.
  static Money Yuan(int64_t yuan);

  // Parses an amount in yuan as people write it: "1234", "1234.5", "1,234.50",
  // "¥1,234.50", "100元", "-3.20". At most two decimals. Fails with
  // "money.format" or "money.precision" (more than two decimals) or
  // "money.range", with the value in the location.
  static Result<Money> Parse(std::string_view text);

  constexpr int64_t fen() const { return fen_; }
  constexpr bool is_zero() const { return fen_ == 0; }
  constexpr bool is_negative() const { return fen_ < 0; }

  Money operator+(Money o) const;
  Money operator-(Money o) const;
  Money operator-() const;
  Money operator*(int64_t n) const;
  Money& operator+=(Money o) { return *this = *this + o; }
  Money& operator-=(Money o) { return *this = *this - o; }

  // this × numerator / denominator, rounded half away from zero to the fen.
  // Used for discounts (8折 = ×8/10) and proration (15 of 30 days).
  // Precondition: denominator != 0.
  Money MulRatio(int64_t numerator, int64_t denominator) const;

  // "¥1,234.50" (always two decimals, thousands separated; "-¥3.20").
  std::string Format() const;
  // "1,234.50元", or "100元" when the amount is whole yuan.
  std::string FormatYuan() const;
  // "100元/月", "1,200元/年", "50元/次", "500元" (kOnce).
  std::string FormatPer(Period period) const;

  friend constexpr bool operator==(Money, Money) = default;
  friend constexpr auto operator<=>(Money a, Money b) { return a.fen_ <=> b.fen_; }

 private:
  constexpr explicit Money(int64_t fen) : fen_(fen) {}
  int64_t fen_ = 0;
};

// "元/月" etc.; empty for kOnce.
std::string_view PeriodSuffix(Period period);

}  // namespace yanglao

#endif  // YANGLAO_CORE_MONEY_H_
