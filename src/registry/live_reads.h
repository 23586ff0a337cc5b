// Reads for the live snapshot (entitle/live.h), which is brought up to date
// after each feed by re-deriving only the people that feed touched.
#ifndef YANGLAO_REGISTRY_LIVE_READS_H_
#define YANGLAO_REGISTRY_LIVE_READS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "registry/registry.h"

namespace yanglao::registry {

// The people some record of a feed numbered in (after, upto] names, in
// byte order of their ID numbers, without repeats. In time proportional to
// those feeds' records, not to the registry: on SQLite from the rowid range
// their imports wrote (feed.fact_first, fact_last), on PostgreSQL by the
// BRIN index fact_feed (registry migration 4). (A feed
// that adds a person adds records naming them; one that adds no record for a
// person changes nothing of theirs: records are only ever added.)
Result<std::vector<std::string>> PersonsOfFeeds(Registry& registry, int64_t after, int64_t upto);

// What identifies the feed numbered `id` (its SHA-256, source, recorded and
// imported days; "" when there is no such feed): tells a registry from
// another one with as many feeds (a database replaced under a running
// server).
Result<std::string> FeedChecksum(Registry& registry, int64_t id);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_LIVE_READS_H_
