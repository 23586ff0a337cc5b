#include "registry/live_reads.h"

#include <algorithm>

namespace yanglao::registry {

Result<std::vector<std::string>> PersonsOfFeeds(Registry& registry, int64_t after, int64_t upto) {
  std::vector<std::string> ids;
  Status s =
      registry.db().Query("SELECT DISTINCT id_number FROM fact WHERE feed_id > ? AND feed_id <= ?",
                          {after, upto}, [&](const db::Row& r) {
                            ids.push_back(r.AsText(0));
                            return true;
                          });
  if (!s.ok()) return s;
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::string> FeedChecksum(Registry& registry, int64_t id) {
  Result<std::vector<db::Row>> rows = registry.db().QueryAll(
      "SELECT sha256, source, recorded_on, imported_at FROM feed WHERE id = ?", {id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::string();
  const db::Row& r = (*rows)[0];
  return r.AsText(0) + "|" + r.AsText(1) + "|" + r.AsText(2) + "|" + r.AsText(3);
}

}  // namespace yanglao::registry
