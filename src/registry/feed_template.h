// The department feed templates of docs/registry-feeds.md: for each source
// department, its fact columns (Chinese header -> stored fact), and how a
// cell's text becomes the stored value.
#ifndef YANGLAO_REGISTRY_FEED_TEMPLATE_H_
#define YANGLAO_REGISTRY_FEED_TEMPLATE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace yanglao::registry {

enum class CellKind { kBool, kEnum, kDate, kRegion };

struct FeedColumn {
  std::string header;  // "低保"
  std::string fact;    // "dibao"
  CellKind kind = CellKind::kBool;
  // kBool: {"是","1"},{"否","0"}; kEnum: Chinese label -> stored value.
  std::vector<std::pair<std::string, std::string>> values;
};

struct FeedTemplate {
  std::string source;               // "民政"
  std::vector<FeedColumn> columns;  // the fact columns, in template order
  // The full header: 公民身份号码, 姓名, fact columns, 起始日期, 终止日期.
  std::vector<std::string> Header() const;
};

inline constexpr std::string_view kIdHeader = "公民身份号码";
inline constexpr std::string_view kNameHeader = "姓名";
inline constexpr std::string_view kFromHeader = "起始日期";
inline constexpr std::string_view kToHeader = "终止日期";

// All templates, in a fixed order (公安, 民政, 人社, 卫健, 医保, 残联, 退役军人).
const std::vector<FeedTemplate>& FeedTemplates();
// The template of `source`, or nullptr.
const FeedTemplate* FindTemplate(std::string_view source);

// Converts a non-blank cell of `column` to its stored value. Fails with
// "feed.value" and a Chinese reason ("应为 是 或 否" ...).
Result<std::string> CellValue(const FeedColumn& column, std::string_view text);

// The Chinese label of a stored value, for display ("dispersed" -> "分散供养").
// Facts of capability assessments (capability_assessed, capability_level),
// which no template has, are labelled too.
std::string ValueLabel(std::string_view fact, std::string_view value);
// The Chinese header of a stored fact ("dibao" -> "低保"; "capability_level"
// -> "能力等级"), or the fact itself.
std::string FactLabel(std::string_view fact);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_FEED_TEMPLATE_H_
