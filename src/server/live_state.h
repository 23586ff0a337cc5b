// The server's live state (issue #17): each jurisdiction's columnar snapshot
// kept in memory (entitle::LiveSnapshot) and advanced, on each use, to the
// registry's latest feed by re-deriving only the people the feeds since
// touched: a feed's or an assessment's worth of work, not the city's.
// Imports and assessments made anywhere (this server, the CLI, another
// server) show at the next use. The what-if (EntitleService::SnapshotFor),
// the dashboard's age bands (api_console.cc) and the registry statistics
// (api_registry.cc) read it.
//
// One table per process, keyed by (database, jurisdiction, date, known-on
// day); beyond kLiveSnapshots the least recently used go. The first use of a
// key builds (BuildSnapshot): that is the restart time.
#ifndef YANGLAO_SERVER_LIVE_STATE_H_
#define YANGLAO_SERVER_LIVE_STATE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "core/status.h"
#include "entitle/live.h"
#include "entitle/snapshot.h"
#include "registry/registry.h"

namespace yanglao::server {

inline constexpr size_t kLiveSnapshots = 8;

// The known-on day that counts every record however late it was recorded:
// the dashboard and the statistics read the registry as it stands, as
// Registry::AgeBandsByUnit does.
inline const CivilDate kEverythingRecorded = *CivilDate::FromYmd(9999, 12, 31);

// The live snapshot of `jurisdiction` (a region code) in the database at
// `db_url`, as of `as_of`, as known on `known_on`, advanced through
// `registry` (a connection to that database) to its latest feed. `update`,
// when given, receives what the advance (or the first build) did.
Result<std::shared_ptr<const entitle::Snapshot>> LiveSnapshotOf(
    registry::Registry& registry, std::string_view db_url, std::string_view jurisdiction,
    CivilDate as_of, CivilDate known_on, entitle::LiveUpdate* update = nullptr);

// A value derived from one live snapshot (an aggregate over its columns: the
// statistics, the age bands, the what-if's evaluation of the list in force),
// computed on the first request that reads that snapshot and kept as long as
// the snapshot is current: an advance swaps in a new snapshot, so the value
// is computed again once per watermark, never served stale. The same holds
// for any other shared value that is replaced rather than changed (the
// assessment work lists of a watermark: the due list's view per reader).
// `key` names the value among those of the same snapshot (it must decide
// everything `compute` reads besides the snapshot). The value must not hold
// the snapshot itself (it would never expire). Beyond kDerivedValues the
// least recently used go.
inline constexpr size_t kDerivedValues = 64;
std::shared_ptr<const void> DerivedOf(const std::shared_ptr<const void>& snapshot,
                                      const std::string& key,
                                      const std::function<std::shared_ptr<const void>()>& compute);

template <typename T, typename F>
std::shared_ptr<const T> Derived(const std::shared_ptr<const void>& snapshot,
                                 const std::string& key, F compute) {
  return std::static_pointer_cast<const T>(DerivedOf(snapshot, key, [&] {
    return std::static_pointer_cast<const void>(std::make_shared<const T>(compute()));
  }));
}

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_LIVE_STATE_H_
