// The live snapshot: a jurisdiction's columnar snapshot (snapshot.h) kept in
// memory and brought up to date after each committed feed or assessment in
// time proportional to what changed, not to the city.
//
// Why a patch equals a fresh build: a snapshot row is a function of one
// person's records only (the person row and the records that name them, as
// known on `known_on`), the precedence table, the jurisdiction and the date.
// Records are only ever added, never changed, and every record belongs to
// one feed (an assessment is stored as one). So from watermark W to W', the
// rows that can differ are those of the people some record of a feed in
// (W, W'] names (registry::PersonsOfFeeds, by the feeds' fact row ranges on SQLite, a BRIN index on
// PostgreSQL). Those people are resolved again one by one (Registry::Person and FactsOf: the path
// of BuildSnapshotReference, which entitle_test checks column by column against BuildSnapshot), and
// every other row is kept; the rows are merged in ID order. When a feed commits during the reads
// the advance starts over with it, so no row reflects a feed beyond the watermark. A change of the
// precedence table, or a registry that is not the one built from (the
// checksum of the feed at the watermark differs), rebuilds. live_test checks
// the patched snapshot against a fresh build after every step of random
// sequences of feeds, assessments and corrections, on SQLite and PostgreSQL.
//
// Readers take the current snapshot (a shared, immutable copy) and keep it as
// long as they need; an advance makes a new copy (one linear pass over the
// columns, a memory copy, for the merge) and swaps it in.
#ifndef YANGLAO_ENTITLE_LIVE_H_
#define YANGLAO_ENTITLE_LIVE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "entitle/snapshot.h"
#include "registry/registry.h"
#include "registry/stats.h"

namespace yanglao::entitle {

// What one Advance did.
struct LiveUpdate {
  int64_t from = 0, to = 0;  // feed watermarks before and after
  size_t persons = 0;        // people re-derived
  bool rebuilt = false;      // a fresh build (first, or the precedence changed)
  double read_seconds = 0;   // reading the touched people (or the city) from the registry
  double merge_seconds = 0;  // merging their rows into a new copy
};

// `base` with the rows of `ids` (ascending ID numbers) replaced by `fresh`'s
// (which holds the rows of those of `ids` in the jurisdiction now; the others
// leave), at `fresh`'s watermark. Rows stay in ascending packed ID order.
Snapshot MergeSnapshot(const Snapshot& base, const std::vector<std::string>& ids,
                       const Snapshot& fresh);

class LiveSnapshot {
 public:
  // Builds it fresh at the registry's latest feed.
  static Result<std::unique_ptr<LiveSnapshot>> Open(registry::Registry& registry,
                                                    std::string_view where, CivilDate as_of,
                                                    CivilDate known_on,
                                                    LiveUpdate* update = nullptr);

  // The snapshot as last advanced (never null).
  std::shared_ptr<const Snapshot> Current() const;
  // Brings it to the registry's latest feed: re-derives the people the feeds
  // since its watermark touched, or rebuilds when the precedence table
  // changed. Nothing to do costs two small queries. One advance at a time;
  // readers are not blocked.
  Result<LiveUpdate> Advance(registry::Registry& registry);

 private:
  LiveSnapshot() = default;
  mutable std::mutex mu_;  // guards current_
  std::mutex advance_mu_;
  std::shared_ptr<const Snapshot> current_;
  std::map<std::string, std::vector<std::string>> precedence_;
  std::string checksum_;  // of the feed at current_'s watermark
};

// Statistics of the living people of a snapshot (its jurisdiction's people,
// born by its date), as registry::ComputeStats counts the whole registry:
// `total` and `deceased` count the snapshot's rows (the dead are there only
// while a residence or hukou record of the jurisdiction still applies to
// them, so `deceased` is not the registry's count), the rest the living by
// county of residence (its first 6 digits, "未知" without one), age band,
// area and circumstance (a circumstance is set when its slot is neither 0
// nor unknown). For a registry that holds one city's people the two agree
// (tested).
registry::RegistryStats SnapshotStats(const Snapshot& snapshot);

// Living and dead people whose residence lies at or below `region` (natural
// code), by the unit `unit_digits` long their residence code begins with
// and by age band on the snapshot's date (band i: aged band_years[i] or
// more, less than band_years[i+1] but for the last): the dashboard's table,
// as Registry::AgeBandsByUnit counts it. `keep(row)` filters rows (data
// scope). Units in code order; a unit where nobody of any age lives absent.
std::vector<registry::Registry::AgeBandCounts> SnapshotAgeBands(
    const Snapshot& snapshot, std::string_view region, size_t unit_digits,
    const std::vector<int>& band_years, const std::function<bool(size_t row)>& keep);

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_LIVE_H_
