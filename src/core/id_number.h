// Citizen ID numbers (公民身份号码, GB 11643-1999).
//
// 18 characters: a 6-digit address code (GB/T 2260 county where first
// registered), an 8-digit birth date (YYYYMMDD), a 3-digit sequence code
// (odd for men, even for women) and a check character (ISO 7064 MOD 11-2,
// 0-9 or X for 10). The old 15-digit form (before 1999) has a 6-digit birth
// date YYMMDD in the 1900s and no check character.
//
// Validation, in this order; the first failure is the reason reported:
//   id.length       长度错误         not 18 characters (nor 15 in the old form)
//   id.character    含有非法字符     a non-digit in the first 17, or a last
//                                   character other than 0-9 / X
//   id.address      地址码无效       not a current county- or city-level region
//                                   code and not a known abolished one
//   id.birth_date   出生日期无效     not a real date, or before 1800-01-01
//   id.birth_future 出生日期晚于当日 after the date of the check
//   id.check_char   校验码错误       the check character does not match
// Warnings (the number is valid):
//   id.address_abolished  the address code is of an abolished region
//   id.upgraded           a 15-digit number was converted to 18 digits
// A lower-case x is accepted and normalised to X.
#ifndef YANGLAO_CORE_ID_NUMBER_H_
#define YANGLAO_CORE_ID_NUMBER_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/region.h"
#include "core/status.h"

namespace yanglao {

enum class Sex { kMale, kFemale };

// "男" / "女".
std::string_view SexName(Sex sex);

// A validated 18-character ID number and what it encodes.
struct IdNumber {
  std::string value;  // 18 characters, check character upper case
  CivilDate birth_date;
  Sex sex = Sex::kMale;
  std::string address_code;      // 6 digits
  std::vector<Status> warnings;  // see the header comment; empty when none
};

// The check character for the first 17 digits. Precondition: `first17` is 17
// ASCII digits.
char IdCheckCharacter(std::string_view first17);

// Validates `text` (18 characters, or 15 in the old form, which is converted)
// on the date `today` against `regions`. Whitespace around the number is
// ignored. Failures carry the code and a Chinese reason as listed above, with
// the offending part in the location's value and its 1-based position as
// the column.
Result<IdNumber> ParseIdNumber(std::string_view text, const RegionTable& regions, CivilDate today);

// Converts a 15-digit number to 18 digits ("19" century, check character
// appended). Fails with id.length, id.character or id.birth_date.
Result<std::string> UpgradeIdNumber15(std::string_view id15);

// Masks for display in lists: the first 4 and last 4 characters stay,
// everything between becomes '*' ("4213**********123X"). Text of 8
// characters or fewer is masked whole.
std::string MaskIdNumber(std::string_view id);

}  // namespace yanglao

#endif  // YANGLAO_CORE_ID_NUMBER_H_
