// The departments whose feeds `yanglao gen` writes, and their templates:
// the importer's own (registry/feed_template.h), so the generated files are
// exactly what `yanglao registry import` reads.
#ifndef YANGLAO_GEN_FEEDS_H_
#define YANGLAO_GEN_FEEDS_H_

#include <string>
#include <string_view>

#include "registry/feed_template.h"

namespace yanglao::gen {

// The departments that send feeds, in the order of registry::FeedTemplates().
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

// The importer's template of `department`.
const registry::FeedTemplate& TemplateOf(Department department);
// "公安.csv".
std::string FileName(const registry::FeedTemplate& t);
// The header row as written, without a line end: every column of
// t.Header() (optional ones included) joined by ",".
std::string HeaderLine(const registry::FeedTemplate& t);
// Index of the column headed `header` in t.Header(), or -1.
int ColumnIndex(const registry::FeedTemplate& t, std::string_view header);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_FEEDS_H_
