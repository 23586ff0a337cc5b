// The department feed templates of docs/registry-feeds.md: file names, the
// exact header row of each, and what each column holds.
//
// These are the templates `yanglao gen` writes; the registry importer reads
// the same ones. The tables are static and immutable; safe to use from many
// threads.
#ifndef YANGLAO_GEN_FEEDS_H_
#define YANGLAO_GEN_FEEDS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace yanglao::gen {

// The departments that send feeds, in the order of docs/registry-feeds.md.
enum class Department {
  kPublicSecurity,    // 公安
  kCivilAffairs,      // 民政
  kHumanResources,    // 人社
  kHealth,            // 卫健
  kMedicalInsurance,  // 医保
  kDisabledPersons,   // 残联
  kVeterans,          // 退役军人
};
inline constexpr int kDepartmentCount = 7;

// What a column holds, and so how it is validated.
enum class ColumnType {
  kIdNumber,  // 公民身份号码: 18 characters (or 15, converted)
  kName,      // 姓名: 1-30 characters
  kDate,      // YYYY-MM-DD
  kBool,      // 是 / 否 (blank = says nothing)
  kRegion,    // GB/T 2260 code, 6, 9 or 12 digits, must exist
  kEnum,      // one of `values` (blank = says nothing)
};

struct FeedColumn {
  std::string_view name;  // the header text, e.g. "低保"
  ColumnType type;
  bool required = false;                     // a value must be present
  std::span<const std::string_view> values;  // allowed values of a kEnum column
};

struct FeedTemplate {
  Department department;
  std::string_view name;                // "公安": the --source name and the file stem
  std::span<const FeedColumn> columns;  // in header order

  // "公安.csv".
  std::string FileName() const;
  // The header row without a line end: the column names joined by ",".
  std::string Header() const;
  // Index of the column named `column`, or -1.
  int ColumnIndex(std::string_view column) const;
};

// All seven templates, in Department order.
std::span<const FeedTemplate> FeedTemplates();
const FeedTemplate& TemplateOf(Department department);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_FEEDS_H_
