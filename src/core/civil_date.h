// Civil dates, months and ages.
//
// Policy dates are civil dates: a day of the Gregorian calendar with no time
// of day and no time zone (a 低保 period starts on 2026-03-01, wherever the
// server runs). Months ("2026-03") are the unit of monthly benefits.
//
// Age in completed years (周岁):
//   A person reaches age N on the N-th anniversary of their birth date (the
//   birthday itself counts: born 1946-05-10, aged 80 from 2026-05-10).
//   For a birth on 29 February, the anniversary in a common year is
//   28 February, the last day of that month. This follows 民法典 第二百零一条
//   (a period counted in years whose last month has no corresponding day ends
//   on that month's last day). So a person born 1944-02-29 is 80周岁 from
//   2024-02-29 and 81周岁 from 2025-02-28.
#ifndef YANGLAO_CORE_CIVIL_DATE_H_
#define YANGLAO_CORE_CIVIL_DATE_H_

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace yanglao {

// A day of the proleptic Gregorian calendar, year 1..9999. Always valid.
class CivilDate {
 public:
  // 1970-01-01.
  CivilDate() = default;

  // The date, or nullopt when y-m-d is not a real date or is outside 1..9999.
  static std::optional<CivilDate> FromYmd(int year, int month, int day);
  // Parses "YYYY-MM-DD" (exactly that shape). Fails with "date.format" or
  // "date.invalid" (e.g. 2026-02-30), with the value in the location.
  static Result<CivilDate> Parse(std::string_view text);
  // Parses "YYYYMMDD" (as inside an ID number).
  static Result<CivilDate> ParseCompact(std::string_view text);
  static CivilDate FromDays(std::chrono::sys_days days);
  // Today on this machine's local calendar.
  static CivilDate Today();

  int year() const { return static_cast<int>(ymd_.year()); }
  int month() const { return static_cast<int>(static_cast<unsigned>(ymd_.month())); }
  int day() const { return static_cast<int>(static_cast<unsigned>(ymd_.day())); }
  std::chrono::year_month_day ymd() const { return ymd_; }
  std::chrono::sys_days days() const { return std::chrono::sys_days(ymd_); }
  // Days since 1970-01-01 (negative before).
  int DaysSinceEpoch() const { return static_cast<int>(days().time_since_epoch().count()); }

  CivilDate AddDays(int n) const;
  // Adds calendar months; a day past the end of the target month becomes its
  // last day (2026-01-31 + 1 month = 2026-02-28).
  CivilDate AddMonths(int n) const;
  CivilDate AddYears(int n) const { return AddMonths(12 * n); }
  bool IsLastDayOfMonth() const;

  // "YYYY-MM-DD".
  std::string ToString() const;

  friend bool operator==(const CivilDate&, const CivilDate&) = default;
  friend auto operator<=>(const CivilDate& a, const CivilDate& b) { return a.ymd_ <=> b.ymd_; }

 private:
  explicit CivilDate(std::chrono::year_month_day ymd) : ymd_(ymd) {}
  std::chrono::year_month_day ymd_{std::chrono::year(1970), std::chrono::January,
                                   std::chrono::day(1)};
};

// A calendar month, year 1..9999.
class Month {
 public:
  Month() = default;
  static std::optional<Month> FromYm(int year, int month);
  // Parses "YYYY-MM". Fails with "month.format" or "month.invalid".
  static Result<Month> Parse(std::string_view text);
  static Month Of(CivilDate d);

  int year() const { return static_cast<int>(ym_.year()); }
  int month() const { return static_cast<int>(static_cast<unsigned>(ym_.month())); }
  CivilDate FirstDay() const;
  CivilDate LastDay() const;
  int DayCount() const { return LastDay().day(); }
  Month AddMonths(int n) const;
  // Whole months from `from` to `to` (negative when `to` is earlier).
  static int Between(Month from, Month to);
  // "YYYY-MM".
  std::string ToString() const;

  friend bool operator==(const Month&, const Month&) = default;
  friend auto operator<=>(const Month& a, const Month& b) { return a.ym_ <=> b.ym_; }

 private:
  explicit Month(std::chrono::year_month ym) : ym_(ym) {}
  std::chrono::year_month ym_{std::chrono::year(1970), std::chrono::January};
};

// The date on which someone born on `birth` reaches `years` 周岁 (see the
// rule for 29 February at the top of this file).
CivilDate AgeAnniversary(CivilDate birth, int years);

// Completed years (周岁) on `on` of someone born on `birth`. Negative when
// `on` is before the birth (callers validate birth dates first).
int AgeOn(CivilDate birth, CivilDate on);

}  // namespace yanglao

#endif  // YANGLAO_CORE_CIVIL_DATE_H_
