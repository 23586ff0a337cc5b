#include "server/live_state.h"

#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace yanglao::server {

namespace {

struct Entry {
  std::shared_ptr<entitle::LiveSnapshot> live;
  std::shared_ptr<std::mutex> opening;  // one first build per key at a time
  uint64_t used = 0;                    // LRU tick
};

struct Table {
  std::mutex mu;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Entry> entries;
  uint64_t tick = 0;
};

Table& TheTable() {
  static Table* table = new Table;
  return *table;
}

}  // namespace

Result<std::shared_ptr<const entitle::Snapshot>> LiveSnapshotOf(registry::Registry& registry,
                                                                std::string_view db_url,
                                                                std::string_view jurisdiction,
                                                                CivilDate as_of, CivilDate known_on,
                                                                entitle::LiveUpdate* update) {
  Table& t = TheTable();
  auto key = std::make_tuple(std::string(db_url), std::string(jurisdiction), as_of.ToString(),
                             known_on.ToString());
  std::shared_ptr<entitle::LiveSnapshot> live;
  std::shared_ptr<std::mutex> opening;
  {
    std::lock_guard lock(t.mu);
    Entry& e = t.entries[key];
    e.used = ++t.tick;
    live = e.live;
    if (!live) {
      if (!e.opening) e.opening = std::make_shared<std::mutex>();
      opening = e.opening;
    }
  }
  if (!live) {
    std::lock_guard open_lock(*opening);
    {
      std::lock_guard lock(t.mu);
      live = t.entries[key].live;
    }
    if (!live) {
      Result<std::unique_ptr<entitle::LiveSnapshot>> opened =
          entitle::LiveSnapshot::Open(registry, jurisdiction, as_of, known_on, update);
      if (!opened.ok()) {
        std::lock_guard lock(t.mu);
        t.entries.erase(key);
        return opened.status();
      }
      live = std::shared_ptr<entitle::LiveSnapshot>(std::move(*opened));
      std::lock_guard lock(t.mu);
      t.entries[key].live = live;
      // Beyond kLiveSnapshots, the least recently used go (their readers
      // keep what they hold).
      while (t.entries.size() > kLiveSnapshots) {
        auto oldest = t.entries.begin();
        for (auto it = t.entries.begin(); it != t.entries.end(); ++it) {
          if (it->second.used < oldest->second.used) oldest = it;
        }
        t.entries.erase(oldest);
      }
      return live->Current();
    }
  }
  Result<entitle::LiveUpdate> u = live->Advance(registry);
  if (!u.ok()) return u.status();
  if (update != nullptr) *update = *u;
  return live->Current();
}

namespace {

struct DerivedEntry {
  std::weak_ptr<const void> snapshot;
  std::shared_ptr<const void> value;
  uint64_t used = 0;
};

struct DerivedTable {
  std::mutex mu;
  // By (snapshot address, key); the weak pointer tells a live snapshot from
  // a later one at the same address.
  std::map<std::pair<const void*, std::string>, DerivedEntry> entries;
  uint64_t tick = 0;
};

DerivedTable& TheDerivedTable() {
  static DerivedTable* table = new DerivedTable;
  return *table;
}

}  // namespace

std::shared_ptr<const void> DerivedOf(const std::shared_ptr<const void>& snapshot,
                                      const std::string& key,
                                      const std::function<std::shared_ptr<const void>()>& compute) {
  DerivedTable& t = TheDerivedTable();
  auto at = std::make_pair(snapshot.get(), key);
  {
    std::lock_guard lock(t.mu);
    auto it = t.entries.find(at);
    if (it != t.entries.end() && it->second.snapshot.lock() == snapshot) {
      it->second.used = ++t.tick;
      return it->second.value;
    }
  }
  std::shared_ptr<const void> value = compute();  // outside the lock: other keys go on
  std::lock_guard lock(t.mu);
  // Values of snapshots no longer held by anyone go first.
  std::erase_if(t.entries, [](const auto& e) { return e.second.snapshot.expired(); });
  t.entries[at] = DerivedEntry{snapshot, value, ++t.tick};
  while (t.entries.size() > kDerivedValues) {
    auto oldest = t.entries.begin();
    for (auto it = t.entries.begin(); it != t.entries.end(); ++it) {
      if (it->second.used < oldest->second.used) oldest = it;
    }
    t.entries.erase(oldest);
  }
  return value;
}

}  // namespace yanglao::server
