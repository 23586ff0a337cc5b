#include "core/civil_date.h"

#include <fmt/format.h>

#include <ctime>

namespace yanglao {
namespace {

namespace chr = std::chrono;

// Parses exactly `n` ASCII digits; nullopt otherwise.
std::optional<int> Digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Status DateError(std::string code, std::string message, std::string_view text) {
  return Status(std::move(code), std::move(message), Location{.value = std::string(text)});
}

}  // namespace

std::optional<CivilDate> CivilDate::FromYmd(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  chr::year_month_day ymd{chr::year(y), chr::month(static_cast<unsigned>(m)),
                          chr::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return CivilDate(ymd);
}

Result<CivilDate> CivilDate::Parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return DateError("date.format", "日期格式错误，应为 YYYY-MM-DD（如 2026-03-01）", text);
  }
  auto y = Digits(text.substr(0, 4)), m = Digits(text.substr(5, 2)), d = Digits(text.substr(8, 2));
  if (!y || !m || !d) {
    return DateError("date.format", "日期格式错误，应为 YYYY-MM-DD（如 2026-03-01）", text);
  }
  auto date = FromYmd(*y, *m, *d);
  if (!date) return DateError("date.invalid", "日期不存在", text);
  return *date;
}

Result<CivilDate> CivilDate::ParseCompact(std::string_view text) {
  auto y = Digits(text.substr(0, 4));
  if (text.size() != 8 || !y) {
    return DateError("date.format", "日期格式错误，应为 YYYYMMDD（如 20260301）", text);
  }
  auto m = Digits(text.substr(4, 2)), d = Digits(text.substr(6, 2));
  if (!m || !d) return DateError("date.format", "日期格式错误，应为 YYYYMMDD（如 20260301）", text);
  auto date = FromYmd(*y, *m, *d);
  if (!date) return DateError("date.invalid", "日期不存在", text);
  return *date;
}

CivilDate CivilDate::FromDays(std::chrono::sys_days days) {
  return CivilDate(chr::year_month_day(days));
}

CivilDate CivilDate::Today() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return CivilDate(chr::year_month_day{chr::year(local.tm_year + 1900),
                                       chr::month(static_cast<unsigned>(local.tm_mon + 1)),
                                       chr::day(static_cast<unsigned>(local.tm_mday))});
}

CivilDate CivilDate::AddDays(int n) const { return FromDays(days() + std::chrono::days(n)); }

CivilDate CivilDate::AddMonths(int n) const {
  chr::year_month ym = chr::year_month(ymd_.year(), ymd_.month()) + std::chrono::months(n);
  auto last = std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
  chr::day d = ymd_.day() > last.day() ? last.day() : ymd_.day();
  return CivilDate(chr::year_month_day(ym.year(), ym.month(), d));
}

bool CivilDate::IsLastDayOfMonth() const {
  auto last =
      std::chrono::year_month_day_last(ymd_.year(), std::chrono::month_day_last(ymd_.month()));
  return ymd_.day() == last.day();
}

std::string CivilDate::ToString() const {
  return fmt::format("{:04}-{:02}-{:02}", year(), month(), day());
}

std::optional<Month> Month::FromYm(int y, int m) {
  if (y < 1 || y > 9999 || m < 1 || m > 12) return std::nullopt;
  return Month(chr::year_month(chr::year(y), chr::month(static_cast<unsigned>(m))));
}

Result<Month> Month::Parse(std::string_view text) {
  std::optional<int> y, m;
  if (text.size() == 7 && text[4] == '-') {
    y = Digits(text.substr(0, 4));
    m = Digits(text.substr(5, 2));
  }
  if (!y || !m) return DateError("month.format", "月份格式错误，应为 YYYY-MM（如 2026-03）", text);
  auto result = FromYm(*y, *m);
  if (!result) return DateError("month.invalid", "月份不存在", text);
  return *result;
}

Month Month::Of(CivilDate d) { return Month(chr::year_month(d.ymd().year(), d.ymd().month())); }

CivilDate Month::FirstDay() const { return *CivilDate::FromYmd(year(), month(), 1); }

CivilDate Month::LastDay() const {
  auto last =
      std::chrono::year_month_day_last(ym_.year(), std::chrono::month_day_last(ym_.month()));
  return CivilDate::FromDays(std::chrono::sys_days(last));
}

Month Month::AddMonths(int n) const { return Month(ym_ + std::chrono::months(n)); }

int Month::Between(Month from, Month to) {
  return (to.year() - from.year()) * 12 + (to.month() - from.month());
}

std::string Month::ToString() const { return fmt::format("{:04}-{:02}", year(), month()); }

CivilDate AgeAnniversary(CivilDate birth, int years) {
  // AddMonths clamps 29 February to 28 February in common years: the rule
  // documented in the header.
  return birth.AddYears(years);
}

int AgeOn(CivilDate birth, CivilDate on) {
  int years = on.year() - birth.year();
  if (AgeAnniversary(birth, years) > on) --years;
  return years;
}

}  // namespace yanglao
