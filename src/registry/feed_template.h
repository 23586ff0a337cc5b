// The department feed templates of docs/registry-feeds.md: for each source
// department, its fact columns (Chinese header -> stored fact), and how a
// cell's text becomes the stored value. The importer reads these templates
// and the generator (src/gen) writes them.
#ifndef YANGLAO_REGISTRY_FEED_TEMPLATE_H_
#define YANGLAO_REGISTRY_FEED_TEMPLATE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/mask.h"
#include "core/status.h"

namespace yanglao::registry {

enum class CellKind {
  kBool,
  kEnum,
  kDate,
  kRegion,
  kPhone,      // 联系电话: a mainland mobile or a landline with area code
  kHousehold,  // 户号: 6-20 digits or capital letters
  kSex,        // 性别 (男/女): checked against the ID number, not stored
  kBirthDate,  // 出生日期: checked against the ID number, not stored
  kIdNumber,   // another person's 公民身份号码 (a family carer's): 18 characters, check digit
  kName,       // another person's name (a family carer's): 1-30 characters
};

struct FeedColumn {
  std::string header;  // "低保"
  std::string fact;    // "dibao"
  CellKind kind = CellKind::kBool;
  // kBool: {"是","1"},{"否","0"}; kEnum and kSex: Chinese label -> value.
  std::vector<std::pair<std::string, std::string>> values;
  // The header may leave this column out (columns added after the first
  // version of a template, so older files stay valid).
  bool optional = false;
  // kSex and kBirthDate only restate the ID number: checked, not stored.
  bool stored() const { return kind != CellKind::kSex && kind != CellKind::kBirthDate; }
};

struct FeedTemplate {
  std::string source;               // "民政"
  std::vector<FeedColumn> columns;  // the fact columns, in template order
  // The full header: 公民身份号码, 姓名, fact columns, 起始日期, 终止日期.
  std::vector<std::string> Header() const;
  // The header without the optional columns: what a file must have.
  std::vector<std::string> RequiredHeader() const;
};

inline constexpr std::string_view kIdHeader = "公民身份号码";
inline constexpr std::string_view kNameHeader = "姓名";
inline constexpr std::string_view kFromHeader = "起始日期";
inline constexpr std::string_view kToHeader = "终止日期";

// All templates, in a fixed order (公安, 民政, 人社, 卫健, 医保, 残联, 退役军人).
const std::vector<FeedTemplate>& FeedTemplates();
// The template of `source`, or nullptr.
const FeedTemplate* FindTemplate(std::string_view source);

// Converts a non-blank cell of `column` to its stored value. Fails with a
// Chinese reason and the code feed.value (not one of the allowed labels),
// feed.date, feed.region, feed.phone, feed.household, feed.id_number or
// feed.name. Phones are stored
// as "13812345678" or "0722-1234567"; a kBirthDate cell as YYYY-MM-DD and a
// kSex cell as "male" / "female".
Result<std::string> CellValue(const FeedColumn& column, std::string_view text);

// A phone number normalised: an 11-digit mobile (1[3-9] and 9 digits;
// spaces, hyphens and a leading +86 are dropped) or a landline with its area
// code (010 and 02X take 8 digits, other 0XXX codes 7 or 8; written
// "0722-1234567"). Fails with feed.phone.
Result<std::string> NormalizePhone(std::string_view text);
// A household number (户号) normalised: 6 to 20 ASCII digits or letters
// (letters upper-cased), at least one digit. Fails with feed.household.
Result<std::string> NormalizeHousehold(std::string_view text);
// For display in lists: core/mask.h (named here for existing callers).
using ::yanglao::MaskPhone;

// The Chinese label of a stored value, for display ("dispersed" -> "分散供养").
// Facts of capability assessments (capability_assessed, capability_level),
// which no template has, are labelled too.
std::string ValueLabel(std::string_view fact, std::string_view value);
// The Chinese header of a stored fact ("dibao" -> "低保"; "capability_level"
// -> "能力等级"), or the fact itself.
std::string FactLabel(std::string_view fact);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_FEED_TEMPLATE_H_
