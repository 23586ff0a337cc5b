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

}  // namespace yanglao::server
