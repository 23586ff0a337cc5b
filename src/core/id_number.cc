#include "core/id_number.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/utf8.h"

namespace yanglao {
namespace {

constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kCheckChars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
// Early enough for the standard's own example (born 1880); plausibility of great
// ages is a registry check, not a format check.
const CivilDate kEarliestBirth = *CivilDate::FromYmd(1800, 1, 1);

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

Status Fail(std::string code, std::string message, std::string_view value, int column = 0) {
  return Status(std::move(code), std::move(message),
                Location{.column = column, .value = std::string(value)});
}

// Checks characters [0, n) are digits; returns the first bad position or -1.
int FirstNonDigit(std::string_view s, size_t n) {
  for (size_t i = 0; i < n && i < s.size(); ++i) {
    if (!IsDigit(s[i])) return static_cast<int>(i);
  }
  return -1;
}

Status BadCharacter(std::string_view s, int pos) {
  std::string_view ch = CharacterAt(s, static_cast<size_t>(pos));
  return Fail(
      "id.character",
      fmt::format("含有非法字符：第{}位「{}」（前17位应为数字，末位应为数字或X）", pos + 1, ch), ch,
      pos + 1);
}

Result<CivilDate> BirthDate(std::string_view digits, int column) {
  Result<CivilDate> d = CivilDate::ParseCompact(digits);
  if (!d.ok() || *d < kEarliestBirth) {
    return Fail("id.birth_date", fmt::format("出生日期无效：{} 不是有效日期", digits), digits,
                column);
  }
  return d;
}

}  // namespace

std::string_view SexName(Sex sex) { return sex == Sex::kMale ? "男" : "女"; }

char IdCheckCharacter(std::string_view first17) {
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckChars[sum % 11];
}

Result<std::string> UpgradeIdNumber15(std::string_view id15) {
  id15 = Trim(id15);
  if (id15.size() != 15) {
    return Fail("id.length",
                fmt::format("长度错误：旧身份证号码应为15位，实际为{}位", CodePointCount(id15)),
                id15);
  }
  if (int bad = FirstNonDigit(id15, 15); bad >= 0) return BadCharacter(id15, bad);
  std::string date = "19" + std::string(id15.substr(6, 6));
  if (Result<CivilDate> d = BirthDate(date, 7); !d.ok()) return d.status();
  std::string id18 = std::string(id15.substr(0, 6)) + date + std::string(id15.substr(12, 3));
  id18 += IdCheckCharacter(id18);
  return id18;
}

Result<IdNumber> ParseIdNumber(std::string_view text, const RegionTable& regions, CivilDate today) {
  std::string_view trimmed = Trim(text);
  if (!IsValidUtf8(trimmed)) {
    return Fail("id.character", "含有非法字符：不是有效的文本（UTF-8）", "");
  }
  std::vector<Status> warnings;
  std::string id;
  if (trimmed.size() == 15 && FirstNonDigit(trimmed, 15) < 0) {
    Result<std::string> up = UpgradeIdNumber15(trimmed);
    if (!up.ok()) return up.status();
    id = std::move(*up);
    warnings.push_back(Status("id.upgraded", fmt::format("15位旧号码，已转换为18位：{}", id),
                              Location{.value = std::string(trimmed)}));
  } else {
    // Counted in characters, so "17 digits + 号" is a bad character, not a bad length.
    if (CodePointCount(trimmed) != 18) {
      return Fail(
          "id.length",
          fmt::format("长度错误：应为18位（或15位旧号码），实际为{}位", CodePointCount(trimmed)),
          trimmed);
    }
    id = std::string(trimmed);
    if (id[17] == 'x') id[17] = 'X';
  }

  if (int bad = FirstNonDigit(id, 17); bad >= 0) return BadCharacter(id, bad);
  if (!IsDigit(id[17]) && id[17] != 'X') return BadCharacter(id, 17);

  IdNumber out;
  out.address_code = id.substr(0, 6);
  const Region* region = regions.Find(out.address_code);
  bool address_ok = region != nullptr &&
                    (region->level == RegionLevel::kCounty || region->level == RegionLevel::kCity);
  if (!address_ok) {
    if (const AbolishedRegion* old = regions.FindAbolished(out.address_code)) {
      warnings.push_back(Status(
          "id.address_abolished",
          fmt::format("地址码 {} 为已撤销的行政区划（{}，{}）", old->code, old->name, old->note),
          Location{.column = 1, .value = out.address_code}));
    } else {
      return Fail(
          "id.address",
          fmt::format("地址码无效：{} 不是现行或已撤销的县级行政区划代码", out.address_code),
          out.address_code, 1);
    }
  }

  Result<CivilDate> birth = BirthDate(std::string_view(id).substr(6, 8), 7);
  if (!birth.ok()) return birth.status();
  if (*birth > today) {
    return Fail(
        "id.birth_future",
        fmt::format("出生日期无效：{} 晚于当前日期 {}", birth->ToString(), today.ToString()),
        id.substr(6, 8), 7);
  }

  char expected = IdCheckCharacter(id);
  if (id[17] != expected) {
    return Fail("id.check_char",
                fmt::format("校验码错误：按前17位计算应为「{}」，实际为「{}」", expected, id[17]),
                std::string(1, id[17]), 18);
  }

  out.value = std::move(id);
  out.birth_date = *birth;
  out.sex = (out.value[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale;
  out.warnings = std::move(warnings);
  return out;
}

std::string MaskIdNumber(std::string_view id) {
  // Count in characters so a malformed, non-ASCII value is never cut mid-character.
  if (!IsValidUtf8(id)) return std::string(id.size(), '*');
  if (CodePointCount(id) != id.size() || id.size() <= 8)
    return std::string(CodePointCount(id), '*');
  return std::string(id.substr(0, 4)) + std::string(id.size() - 8, '*') +
         std::string(id.substr(id.size() - 4));
}

}  // namespace yanglao
