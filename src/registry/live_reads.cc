#include "registry/live_reads.h"

#include <algorithm>

namespace yanglao::registry {

Result<std::vector<std::string>> PersonsOfFeeds(Registry& registry, int64_t after, int64_t upto) {
  db::Database& db = registry.db();
  std::vector<std::string> ids;
  auto collect = [&](const db::Row& r) {
    ids.push_back(r.AsText(0));
    return true;
  };
  auto sorted = [&]() -> Result<std::vector<std::string>> {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return std::move(ids);
  };
  if (db.dialect() == "sqlite") {
    // The feeds' records lie in the rowids their imports gave them
    // (feed.fact_first, fact_last). Read from there only when that range
    // holds as many of their records as the feeds added (a VACUUM may
    // renumber rowids); otherwise, every record is read.
    Result<std::vector<db::Row>> range = db.QueryAll(
        "SELECT MIN(fact_first), MAX(fact_last), COALESCE(SUM(facts_added), 0) FROM feed WHERE "
        "id > ? AND id <= ?",
        {after, upto});
    if (!range.ok()) return range.status();
    const db::Row& r = (*range)[0];
    const int64_t added = r.AsInt(2);
    if (added == 0) return ids;
    if (!r.IsNull(0) && !r.IsNull(1)) {
      Status s = db.Query(
          "SELECT id_number FROM fact WHERE rowid >= ? AND rowid <= ? AND feed_id > ? AND "
          "feed_id <= ?",
          {r.AsInt(0), r.AsInt(1), after, upto}, collect);
      if (!s.ok()) return s;
      if (static_cast<int64_t>(ids.size()) == added) return sorted();
      ids.clear();
    }
  }
  Status s = db.Query("SELECT DISTINCT id_number FROM fact WHERE feed_id > ? AND feed_id <= ?",
                      {after, upto}, collect);
  if (!s.ok()) return s;
  return sorted();
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
