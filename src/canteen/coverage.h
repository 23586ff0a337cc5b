// Coverage: which communities have a canteen or meal point (a canteen
// covers the communities it serves and the one it stands in), against the
// city's target in its rules file (启东: 80% of urban communities and 50% of
// rural ones; 随州: one in every 街道 / 镇), with the uncovered ones named.
#ifndef YANGLAO_CANTEEN_COVERAGE_H_
#define YANGLAO_CANTEEN_COVERAGE_H_

#include <string>
#include <vector>

#include "canteen/rules.h"
#include "canteen/store.h"

namespace yanglao::canteen {

struct CoverageGroup {
  std::string label;  // "城市社区" / "农村社区" / "街道（乡镇）"
  int64_t total = 0, covered = 0;
  int target_percent = 0;  // 100 for "every street"
  bool met = false;
  std::vector<std::string> uncovered;  // "code name", by code
};

struct CoverageReport {
  std::string jurisdiction, name;
  std::string basis, by;  // the target's words; empty when the city has none
  std::vector<CoverageGroup> groups;
};

// Fails with canteen.city when the jurisdiction is not in the region table.
Result<CoverageReport> Coverage(const std::vector<Canteen>& canteens, std::string_view jurisdiction,
                                const std::optional<CoverageTarget>& target);

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_COVERAGE_H_
