#include "core/office_date.h"

#include <fmt/format.h>

#include <algorithm>

namespace yanglao {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..max_digits digits at `pos`; -1 if none.
int Digits(std::string_view s, size_t& pos, size_t max_digits) {
  size_t start = pos;
  int value = 0;
  while (pos < s.size() && IsDigit(s[pos]) && pos - start < max_digits) {
    value = value * 10 + (s[pos] - '0');
    ++pos;
  }
  return pos == start ? -1 : value;
}

}  // namespace

Result<CivilDate> ParseOfficeDate(std::string_view text) {
  const Status bad("date.format",
                   "日期格式无法识别（应为年在前的 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日 或 "
                   "YYYYMMDD）");
  // A midnight time of day after the date.
  for (std::string_view t : {" 00:00:00", " 00:00", " 0:00:00", " 0:00"}) {
    if (text.ends_with(t)) {
      text.remove_suffix(t.size());
      break;
    }
  }
  int year = -1, month = -1, day = -1;
  if (text.size() == 8 && std::all_of(text.begin(), text.end(), IsDigit)) {
    size_t pos = 0;
    year = Digits(text, pos, 4);
    month = Digits(text, pos, 2);
    day = Digits(text, pos, 2);
  } else {
    size_t pos = 0;
    size_t year_start = pos;
    year = Digits(text, pos, 4);
    if (year < 0 || pos - year_start != 4) return bad;
    std::string_view sep1, sep2, end;
    if (text.substr(pos).starts_with("年")) {
      sep1 = "年";
      sep2 = "月";
      end = "日";
    } else if (pos < text.size() && (text[pos] == '-' || text[pos] == '/' || text[pos] == '.')) {
      sep1 = sep2 = text.substr(pos, 1);
    } else {
      return bad;
    }
    pos += sep1.size();
    month = Digits(text, pos, 2);
    if (month < 0 || !text.substr(pos).starts_with(sep2)) return bad;
    pos += sep2.size();
    day = Digits(text, pos, 2);
    if (day < 0) return bad;
    if (!end.empty() && text.substr(pos).starts_with(end)) pos += end.size();
    if (pos != text.size()) return bad;
  }
  return CivilDate::Parse(fmt::format("{:04}-{:02}-{:02}", year, month, day));
}

}  // namespace yanglao
