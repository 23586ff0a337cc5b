#include "gen/feeds.h"

#include <cstdlib>
#include <vector>

namespace yanglao::gen {

const registry::FeedTemplate& TemplateOf(Department department) {
  static constexpr std::string_view kNames[kDepartmentCount] = {"公安", "民政", "人社",    "卫健",
                                                                "医保", "残联", "退役军人"};
  const registry::FeedTemplate* t = registry::FindTemplate(kNames[static_cast<size_t>(department)]);
  if (t == nullptr) std::abort();  // the templates are built in; a build defect
  return *t;
}

std::string FileName(const registry::FeedTemplate& t) { return t.source + ".csv"; }

std::string HeaderLine(const registry::FeedTemplate& t) {
  std::string out;
  for (const std::string& h : t.Header()) {
    if (!out.empty()) out += ',';
    out += h;
  }
  return out;
}

int ColumnIndex(const registry::FeedTemplate& t, std::string_view header) {
  std::vector<std::string> h = t.Header();
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i] == header) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace yanglao::gen
