// Small-cell suppression for what the public page (信息公开) and published
// reports show: no count of people below the threshold is published
// (policies/oversight/publication.yaml, `min_people`), and where cells add up
// to a published total, a second cell is withheld whenever exactly one is, so
// the withheld one cannot be recovered by subtraction (docs/oversight.md).
#ifndef YANGLAO_OVERSIGHT_PUBLISH_H_
#define YANGLAO_OVERSIGHT_PUBLISH_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace yanglao::oversight {

struct PublicationPolicy {
  int min_people = 0;  // smallest count of people that may be published (≥ 1)
  std::string basis, file;
};
// Parses policies/oversight/publication.yaml (format yanglao.publication/1).
// Fails with oversight.publication_policy, located.
Result<PublicationPolicy> ParsePublicationPolicy(std::string_view text, const std::string& name);
Result<PublicationPolicy> LoadPublicationPolicy(const std::filesystem::path& path);

// One published figure: a count of people, or nothing when withheld.
struct PublishedCell {
  std::string label;
  std::optional<int64_t> people;  // nullopt: withheld (shown as "<阈值" or "—")
  bool complementary = false;     // withheld only so that another cannot be derived
};

// The cells of one group (counts of people that add up to the group's total,
// which is published when `total_published`): each below `min_people` is
// withheld, zero included unless `zero_is_safe`; when the total is published and
// exactly one cell is withheld, the smallest other cell is withheld too. A
// total below `min_people` withholds every cell.
std::vector<PublishedCell> Suppress(const std::vector<std::pair<std::string, int64_t>>& counts,
                                    int min_people, bool total_published = true,
                                    bool zero_is_safe = true);

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_PUBLISH_H_
