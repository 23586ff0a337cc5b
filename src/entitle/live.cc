#include "entitle/live.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <unordered_map>

#include "core/region.h"
#include "policy/fact_schema.h"
#include "registry/live_reads.h"

namespace yanglao::entitle {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Snapshot MergeSnapshot(const Snapshot& base, const std::vector<std::string>& ids,
                       const Snapshot& fresh) {
  std::vector<uint64_t> gone;  // packed ids whose old rows are replaced or leave
  gone.reserve(ids.size());
  for (const std::string& id : ids) gone.push_back(PackIdNumber(id));
  std::sort(gone.begin(), gone.end());
  // The merged rows as runs of consecutive rows of one source, in ID order:
  // a feed's people cut the city into at most a few thousand runs, each
  // copied column by column (a memory copy) instead of row by row.
  struct Run {
    const Snapshot* from;
    size_t begin, end;
  };
  std::vector<Run> runs;
  auto take = [&](const Snapshot* from, size_t r) {
    if (!runs.empty() && runs.back().from == from && runs.back().end == r) {
      ++runs.back().end;
    } else {
      runs.push_back(Run{from, r, r + 1});
    }
  };
  size_t a = 0, b = 0, g = 0;
  while (a < base.size || b < fresh.size) {
    if (a < base.size) {
      uint64_t key = base.id[a];
      while (g < gone.size() && gone[g] < key) ++g;
      if (g < gone.size() && gone[g] == key) {  // re-derived: its old row goes
        ++a;
        continue;
      }
    }
    if (b < fresh.size && (a >= base.size || fresh.id[b] < base.id[a])) {
      take(&fresh, b++);
    } else {
      take(&base, a++);
    }
  }
  Snapshot out;
  out.jurisdiction = fresh.jurisdiction;
  out.as_of = fresh.as_of;
  out.known_on = fresh.known_on;
  out.feed_watermark = fresh.feed_watermark;
  out.facts.resize(policy::FactSchema::Person().size());
  size_t n = 0;
  for (const Run& r : runs) n += r.end - r.begin;
  auto copy = [&](auto member) {
    auto& dst = out.*member;
    dst.reserve(n);
    for (const Run& r : runs) {
      const auto& src = (*r.from).*member;
      dst.insert(dst.end(), src.begin() + static_cast<std::ptrdiff_t>(r.begin),
                 src.begin() + static_cast<std::ptrdiff_t>(r.end));
    }
  };
  copy(&Snapshot::id);
  copy(&Snapshot::birth_days);
  copy(&Snapshot::residence);
  copy(&Snapshot::hukou);
  for (size_t s = 0; s < out.facts.size(); ++s) {
    std::vector<uint8_t>& dst = out.facts[s];
    dst.reserve(n);
    for (const Run& r : runs) {
      const std::vector<uint8_t>& src = r.from->facts[s];
      dst.insert(dst.end(), src.begin() + static_cast<std::ptrdiff_t>(r.begin),
                 src.begin() + static_cast<std::ptrdiff_t>(r.end));
    }
  }
  out.size = n;
  if (n > 0) {  // as Snapshot::Add sets them: a slot with any unknown value
    out.unknown.assign(out.facts.size(), 0);
    for (size_t s = 0; s < out.facts.size(); ++s) {
      const std::vector<uint8_t>& col = out.facts[s];
      out.unknown[s] = static_cast<uint8_t>(
          std::find(col.begin(), col.end(), policy::kUnknownFact) != col.end());
    }
  }
  return out;
}

namespace {

// The rows of `ids` (ascending) at the registry's state now, as
// BuildSnapshotReference makes each row: the person as of the snapshot's
// date as known on its known-on day, if born by then and living or
// registered (hukou) within the jurisdiction.
Result<Snapshot> RowsOf(registry::Registry& registry, const Snapshot& like,
                        const std::vector<std::string>& ids) {
  Result<Jurisdiction> where = Jurisdiction::Of(like.jurisdiction);
  if (!where.ok()) return where.status();
  const RegionTable& regions = RegionTable::Builtin();
  auto index_of = [&](const registry::PersonView& p, const char* fact) -> int32_t {
    auto it = p.facts.find(fact);
    if (it == p.facts.end()) return -1;
    const Region* r = regions.Find(it->second.value);
    return r == nullptr ? -1 : regions.IndexOfRegion(*r);
  };
  Snapshot rows;
  rows.jurisdiction = like.jurisdiction;
  rows.as_of = like.as_of;
  rows.known_on = like.known_on;
  rows.facts.resize(policy::FactSchema::Person().size());
  for (const std::string& id : ids) {
    Result<std::optional<registry::PersonView>> p = registry.Person(id, like.as_of, like.known_on);
    if (!p.ok()) return p.status();
    if (!p->has_value() || (*p)->birth_date > like.as_of) continue;
    int32_t residence = index_of(**p, "residence_region");
    int32_t hukou = index_of(**p, "hukou_region");
    if (!where->Contains(residence) && !where->Contains(hukou)) continue;
    rows.Add(PackIdNumber(id), (*p)->birth_date, residence, hukou,
             FactsOf(**p, *where, like.as_of));
  }
  return rows;
}

}  // namespace

Result<std::unique_ptr<LiveSnapshot>> LiveSnapshot::Open(registry::Registry& registry,
                                                         std::string_view where, CivilDate as_of,
                                                         CivilDate known_on, LiveUpdate* update) {
  auto t0 = std::chrono::steady_clock::now();
  Result<std::map<std::string, std::vector<std::string>>> precedence = registry.Precedence();
  if (!precedence.ok()) return precedence.status();
  Result<Snapshot> snap = BuildSnapshot(registry, where, as_of, known_on);
  if (!snap.ok()) return snap.status();
  Result<std::string> checksum = registry::FeedChecksum(registry, snap->feed_watermark);
  if (!checksum.ok()) return checksum.status();
  std::unique_ptr<LiveSnapshot> live(new LiveSnapshot);
  live->precedence_ = std::move(*precedence);
  live->checksum_ = std::move(*checksum);
  if (update != nullptr) {
    *update = LiveUpdate{};
    update->to = snap->feed_watermark;
    update->persons = snap->size;
    update->rebuilt = true;
    update->read_seconds = SecondsSince(t0);
  }
  live->current_ = std::make_shared<const Snapshot>(std::move(*snap));
  return live;
}

std::shared_ptr<const Snapshot> LiveSnapshot::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

Result<LiveUpdate> LiveSnapshot::Advance(registry::Registry& registry) {
  std::lock_guard advancing(advance_mu_);
  std::shared_ptr<const Snapshot> base = Current();
  LiveUpdate u;
  u.from = u.to = base->feed_watermark;
  auto t0 = std::chrono::steady_clock::now();
  Result<int64_t> latest = registry.LatestFeedId();
  if (!latest.ok()) return latest.status();
  Result<std::map<std::string, std::vector<std::string>>> precedence = registry.Precedence();
  if (!precedence.ok()) return precedence.status();
  Result<std::string> checksum = registry::FeedChecksum(registry, base->feed_watermark);
  if (!checksum.ok()) return checksum.status();
  if (*precedence != precedence_ || *checksum != checksum_ || *latest < base->feed_watermark) {
    // Any row may differ: a fresh build.
    Result<Snapshot> snap =
        BuildSnapshot(registry, base->jurisdiction, base->as_of, base->known_on, *latest);
    if (!snap.ok()) return snap.status();
    Result<std::string> now = registry::FeedChecksum(registry, snap->feed_watermark);
    if (!now.ok()) return now.status();
    u.to = snap->feed_watermark;
    u.persons = snap->size;
    u.rebuilt = true;
    u.read_seconds = SecondsSince(t0);
    precedence_ = std::move(*precedence);
    checksum_ = std::move(*now);
    std::lock_guard lock(mu_);
    current_ = std::make_shared<const Snapshot>(std::move(*snap));
    return u;
  }
  if (*latest == base->feed_watermark) return u;
  // Re-derive the people of the feeds since; should another feed commit
  // meanwhile, start over to include it (the reads must not run ahead of
  // the watermark).
  std::vector<std::string> ids;
  Snapshot rows;
  for (int attempt = 0;; ++attempt) {
    Result<std::vector<std::string>> touched =
        registry::PersonsOfFeeds(registry, base->feed_watermark, *latest);
    if (!touched.ok()) return touched.status();
    ids = std::move(*touched);
    Result<Snapshot> r = RowsOf(registry, *base, ids);
    if (!r.ok()) return r.status();
    rows = std::move(*r);
    Result<int64_t> after = registry.LatestFeedId();
    if (!after.ok()) return after.status();
    if (*after == *latest) break;
    if (attempt == 8) return Status("entitle.live", "登记库持续有新数据导入，实时快照暂未更新");
    *latest = *after;
  }
  rows.feed_watermark = *latest;
  Result<std::string> now = registry::FeedChecksum(registry, *latest);
  if (!now.ok()) return now.status();
  u.read_seconds = SecondsSince(t0);
  auto t1 = std::chrono::steady_clock::now();
  auto next = std::make_shared<const Snapshot>(MergeSnapshot(*base, ids, rows));
  u.merge_seconds = SecondsSince(t1);
  u.to = next->feed_watermark;
  u.persons = ids.size();
  checksum_ = std::move(*now);
  std::lock_guard lock(mu_);
  current_ = std::move(next);
  return u;
}

registry::RegistryStats SnapshotStats(const Snapshot& snapshot) {
  using registry::kMaxStatsAge;
  using registry::kStatsBandEdges;
  using registry::kStatsBands;
  using registry::RegistryStats;
  using registry::StatsArea;
  using registry::StatsCounts;
  const RegionTable& regions = RegionTable::Builtin();
  const policy::FactSchema& schema = policy::FactSchema::Person();
  const auto& circumstances = registry::StatsCircumstances();
  std::vector<const std::vector<uint8_t>*> columns;
  for (const registry::StatsCircumstance& c : circumstances) {
    columns.push_back(snapshot.facts.empty() ? nullptr : &snapshot.facts[*schema.Find(c.fact)]);
  }
  const std::vector<uint8_t>* deceased =
      snapshot.facts.empty() ? nullptr : &snapshot.facts[*schema.Find("deceased")];
  RegistryStats stats;
  stats.as_of = snapshot.as_of;
  stats.all.circumstances.assign(circumstances.size(), 0);
  stats.groups.assign(RegistryStats::GroupIndex(kMaxStatsAge + 1, 0, StatsArea::kUrban),
                      registry::StatsGroup{0, std::vector<int64_t>(circumstances.size(), 0)});
  // Per residence region index: its county and area, worked out once.
  struct Place {
    StatsCounts* counts = nullptr;
    StatsArea area = StatsArea::kUnknown;
  };
  std::unordered_map<int32_t, Place> places;  // a few thousand villages
  auto place = [&](int32_t residence) -> Place& {
    Place& p = places[residence];
    if (p.counts != nullptr) return p;
    std::string county = "未知";
    if (residence >= 0) {
      const Region& r = regions.all()[static_cast<size_t>(residence)];
      county = r.DisplayCode().substr(0, 6);
      if (r.level == RegionLevel::kVillage) {
        p.area = r.is_urban_community() ? StatsArea::kUrban : StatsArea::kRural;
      }
    }
    StatsCounts& k = stats.by_county[county];
    if (k.circumstances.empty()) k.circumstances.assign(circumstances.size(), 0);
    p.counts = &k;
    return p;
  };
  // Ages by birth day without a date conversion per row: born on or before
  // latest_born[a] <=> aged a or more on the snapshot's date (AgeOn is
  // non-increasing in the birth day; each bound found by AgeOn itself near
  // the anniversary, so leap days count as AgeOn counts them).
  std::array<int32_t, kMaxStatsAge + 1> latest_born{};
  const CivilDate on = snapshot.as_of;
  for (int a = 0; a <= kMaxStatsAge; ++a) {
    std::optional<CivilDate> near = CivilDate::FromYmd(on.year() - a, on.month(), 1);
    int32_t guess = near ? near->DaysSinceEpoch() + static_cast<int32_t>(on.day()) - 1 : 0;
    int32_t best = guess - 40;
    for (int32_t d = guess - 40; d <= guess + 40; ++d) {
      CivilDate birth = CivilDate::FromDays(std::chrono::sys_days(std::chrono::days(d)));
      if (AgeOn(birth, on) >= a) best = d;
    }
    latest_born[static_cast<size_t>(a)] = best;
  }
  auto age_of = [&](int32_t birth) {
    // latest_born descends with the age: the oldest age whose bound holds.
    int lo = 0, hi = kMaxStatsAge;  // latest_born[0] holds for every row (born by the date)
    if (birth > latest_born[0]) return 0;
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      if (birth <= latest_born[static_cast<size_t>(mid)]) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  };
  const size_t sex_slot = *schema.Find("sex");
  for (size_t row = 0; row < snapshot.size; ++row) {
    ++stats.total;
    if ((*deceased)[row] == 1) {
      ++stats.deceased;
      continue;
    }
    Place& p = place(snapshot.residence[row]);
    StatsCounts& k = *p.counts;
    ++k.people;
    int age = age_of(snapshot.birth_days[row]);
    for (size_t b = 0; b < kStatsBands; ++b) {
      if (age >= kStatsBandEdges[b] && age < kStatsBandEdges[b + 1]) ++k.bands[b];
    }
    k.urban += p.area == StatsArea::kUrban;
    k.placed += p.area != StatsArea::kUnknown;
    registry::StatsGroup& g =
        stats.groups[RegistryStats::GroupIndex(age, snapshot.facts[sex_slot][row], p.area)];
    ++g.people;
    for (size_t i = 0; i < columns.size(); ++i) {
      uint8_t v = (*columns[i])[row];
      if (v != 0 && v != policy::kUnknownFact) {
        ++k.circumstances[i];
        ++g.with[i];
      }
    }
  }
  for (const auto& [county, k] : stats.by_county) {
    if (k.people == 0) continue;
    stats.all.people += k.people;
    stats.all.urban += k.urban;
    stats.all.placed += k.placed;
    for (size_t b = 0; b < kStatsBands; ++b) stats.all.bands[b] += k.bands[b];
    for (size_t i = 0; i < circumstances.size(); ++i)
      stats.all.circumstances[i] += k.circumstances[i];
  }
  return stats;
}

std::vector<registry::Registry::AgeBandCounts> SnapshotAgeBands(
    const Snapshot& snapshot, std::string_view region, size_t unit_digits,
    const std::vector<int>& band_years, const std::function<bool(size_t row)>& keep) {
  std::vector<registry::Registry::AgeBandCounts> out;
  if (band_years.empty()) return out;
  const RegionTable& regions = RegionTable::Builtin();
  // Born on or before cutoff[i] <=> aged band_years[i] or more on the date
  // (a 29 February that year does not have is its 28 February, as the text
  // comparison of Registry::AgeBandsByUnit has it).
  std::vector<int32_t> cutoff;
  const CivilDate on = snapshot.as_of;
  for (int b : band_years) {
    std::optional<CivilDate> d = CivilDate::FromYmd(on.year() - b, on.month(), on.day());
    if (!d) d = CivilDate::FromYmd(on.year() - b, on.month(), on.day() - 1);
    cutoff.push_back(d ? d->DaysSinceEpoch() : INT32_MIN);
  }
  std::map<std::string, std::vector<int64_t>> units;
  // Residence index -> its unit's counts, or null when not at or below `region`.
  std::unordered_map<int32_t, std::vector<int64_t>*> unit_of;
  for (size_t row = 0; row < snapshot.size; ++row) {
    int32_t res = snapshot.residence[row];
    if (res < 0) continue;
    auto [it, added] = unit_of.try_emplace(res, nullptr);
    if (added) {
      std::string code = regions.all()[static_cast<size_t>(res)].DisplayCode();
      if (code.starts_with(region)) {
        std::vector<int64_t>& c = units[code.substr(0, unit_digits)];
        it->second = &c;
      }
    }
    if (it->second == nullptr) continue;
    if (keep && !keep(row)) continue;
    // A unit is listed once anyone of any age passes, as the query groups.
    std::vector<int64_t>& counts = *it->second;
    if (counts.empty()) counts.assign(band_years.size(), 0);
    int32_t birth = snapshot.birth_days[row];
    if (birth > cutoff[0]) continue;
    for (size_t i = 0; i < cutoff.size(); ++i) {
      if (birth <= cutoff[i] && (i + 1 == cutoff.size() || birth > cutoff[i + 1])) ++counts[i];
    }
  }
  for (auto& [unit, counts] : units) {
    if (!counts.empty()) out.push_back({unit, std::move(counts)});
  }
  return out;
}

}  // namespace yanglao::entitle
