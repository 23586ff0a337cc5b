// Cell values as text: numbers, dates, times, escapes, cell references.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "core/utf8.h"
#include "xlsx/xlsx.h"
#include "xlsx/xlsx_internal.h"

namespace yanglao::xlsx {
namespace internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The UTF-16 code unit of an escape "_xHHHH_" at text[i], or -1.
int EscapeAt(std::string_view text, size_t i) {
  if (i + 7 > text.size() || text[i] != '_' || text[i + 1] != 'x' || text[i + 6] != '_') return -1;
  int unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = HexValue(text[k]);
    if (h < 0) return -1;
    unit = unit * 16 + h;
  }
  return unit;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Parses the whole of `text` as a finite double.
std::optional<double> ParseDouble(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

// The last serial day of 9999-12-31 in the 1900 date system; the 1904 system
// counts 1462 days fewer.
constexpr int64_t kMaxSerial1900 = 2958465;
constexpr int64_t kDays1900To1904 = 1462;

}  // namespace

NumberKind BuiltInFormatKind(int id) {
  // ECMA-376 Part 1, 18.8.30, with the zh-CN ids (年 月 日, 时 分 秒).
  constexpr int kDates[] = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58};
  constexpr int kTimes[] = {18, 19, 20, 21, 32, 33, 34, 35, 45, 47, 55, 56};
  if (std::ranges::find(kDates, id) != std::end(kDates)) return NumberKind::kDate;
  if (std::ranges::find(kTimes, id) != std::end(kTimes)) return NumberKind::kTime;
  return NumberKind::kNumber;
}

NumberKind FormatCodeKind(std::string_view code) {
  bool year_or_day = false;
  bool month_or_minute = false;
  bool hour_or_second = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == ';') break;  // later sections are for negatives, zero and text
    if (c == '"') {
      size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
      continue;
    }
    if (c == '\\' || c == '_' || c == '*') {  // escaped character, spacing, fill
      ++i;
      continue;
    }
    if (c == '[') {
      size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      std::string_view inside = code.substr(i + 1, close - i - 1);
      // [h], [mm], [ss]: elapsed time. Anything else: colour, locale, condition.
      if (!inside.empty() && inside.find_first_not_of("hHmMsS") == std::string_view::npos) {
        hour_or_second = true;
      }
      i = close;
      continue;
    }
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    year_or_day = year_or_day || lower == 'y' || lower == 'd';
    month_or_minute = month_or_minute || lower == 'm';
    hour_or_second = hour_or_second || lower == 'h' || lower == 's';
  }
  if (year_or_day) return NumberKind::kDate;
  if (hour_or_second) return NumberKind::kTime;
  if (month_or_minute) return NumberKind::kDate;
  return NumberKind::kNumber;
}

std::string FormatNumber(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;
  int64_t point = 0;  // the value is 0.digits * 10^point
  bool any_digit = false;
  for (; i < n && IsDigit(text[i]); ++i, ++point, any_digit = true) digits += text[i];
  if (i < n && text[i] == '.') {
    for (++i; i < n && IsDigit(text[i]); ++i, any_digit = true) digits += text[i];
  }
  if (!any_digit) return std::string(text);
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative_exponent = false;
    if (i < n && (text[i] == '-' || text[i] == '+')) negative_exponent = text[i++] == '-';
    if (i == n || !IsDigit(text[i])) return std::string(text);
    int64_t exponent = 0;
    for (; i < n && IsDigit(text[i]); ++i) {
      if (exponent < 1'000'000) exponent = exponent * 10 + (text[i] - '0');
    }
    point += negative_exponent ? -exponent : exponent;
  }
  if (i != n) return std::string(text);

  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  digits.erase(0, first);
  point -= static_cast<int64_t>(first);
  digits.erase(digits.find_last_not_of('0') + 1);

  auto is_integer = [&] { return point >= static_cast<int64_t>(digits.size()); };
  if (!is_integer() && digits.size() > 15) {
    // Excel shows 15 significant digits; this also drops binary noise such
    // as 0.30000000000000004.
    bool round_up = digits[15] >= '5';
    digits.resize(15);
    if (round_up) {
      size_t k = digits.size();
      while (k > 0 && digits[k - 1] == '9') digits[--k] = '0';
      if (k == 0) {
        digits.insert(digits.begin(), '1');
        ++point;
      } else {
        ++digits[k - 1];
      }
    }
    digits.erase(digits.find_last_not_of('0') + 1);
  }

  std::string out = negative ? "-" : "";
  if (is_integer()) {
    if (point > 30) return std::string(text);
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else if (point <= 0) {
    if (point < -20) return std::string(text);
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else {
    out.append(digits, 0, static_cast<size_t>(point));
    out += '.';
    out.append(digits, static_cast<size_t>(point));
  }
  return out;
}

std::optional<std::string> SerialToDate(std::string_view text, bool date1904) {
  std::optional<double> serial = ParseDouble(text);
  if (!serial || *serial < 0 || *serial > static_cast<double>(kMaxSerial1900 + 1)) {
    return std::nullopt;
  }
  // Round to the second first, so 45383.99999999 (a time saved as 23:59:59.9999)
  // is the next day as Excel shows it.
  const int64_t days = std::llround(*serial * 86400.0) / 86400;
  std::optional<CivilDate> base;
  if (date1904) {
    if (days > kMaxSerial1900 - kDays1900To1904) return std::nullopt;
    base = CivilDate::FromYmd(1904, 1, 1);
  } else {
    if (days == 0 || days > kMaxSerial1900) return std::nullopt;  // Excel shows 1900-01-00
    if (days == 60) return "1900-02-29";  // Lotus 1-2-3's leap day, kept by Excel
    base = days < 60 ? CivilDate::FromYmd(1899, 12, 31) : CivilDate::FromYmd(1899, 12, 30);
  }
  return base->AddDays(static_cast<int>(days)).ToString();
}

std::optional<std::string> SerialToTime(std::string_view text) {
  std::optional<double> serial = ParseDouble(text);
  if (!serial || *serial < 0 || *serial > 1e9) return std::nullopt;
  const int64_t seconds = std::llround(*serial * 86400.0) % 86400;
  return fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
}

std::string DecodeEscapes(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    int unit = EscapeAt(text, i);
    if (unit > 0 && (unit < 0xD800 || unit > 0xDFFF)) {
      AppendUtf8(out, static_cast<uint32_t>(unit));
      i += 7;
      continue;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int low = EscapeAt(text, i + 7);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        AppendUtf8(out, 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
                            (static_cast<uint32_t>(low) - 0xDC00));
        i += 14;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::string EncodeEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n') {
      out += fmt::format("_x{:04X}_", c);
    } else if (c == '_' && EscapeAt(text, i) >= 0) {
      out += "_x005F_";
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int64_t ColumnOfRef(std::string_view ref) {
  int64_t column = 0;
  for (char c : ref) {
    int letter = 0;
    if (c >= 'A' && c <= 'Z') {
      letter = c - 'A' + 1;
    } else if (c >= 'a' && c <= 'z') {
      letter = c - 'a' + 1;
    } else {
      break;
    }
    column = column >= kColumnOverflow / 26 ? kColumnOverflow : column * 26 + letter;
  }
  return column;
}

std::string Excerpt(std::string_view text) {
  constexpr size_t kMaxCharacters = 32;
  std::string out;
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++characters) {
    if (characters == kMaxCharacters) return out + "…";
    size_t length = 1;
    while (length <= 4 && (i + length > text.size() || !IsValidUtf8(text.substr(i, length)))) {
      ++length;
    }
    if (length > 4 || static_cast<unsigned char>(text[i]) < 0x20) {
      out += '?';
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace internal

std::string CellRef(int row, int column) {
  std::string letters;
  for (int64_t c = column; c > 0; c = (c - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  }
  return letters + std::to_string(row);
}

}  // namespace yanglao::xlsx
