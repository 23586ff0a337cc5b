#include "entitle/run.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/fault.h"
#include "core/file_io.h"
#include "policy/entitlement.h"
#include "policy/rule_plan.h"
#include "registry/feed_file.h"

namespace yanglao::entitle {

using db::Row;
using db::Value;

static const std::vector<std::string>& EntitleMigrationsBase() {
  static const std::vector<std::string>* const migrations = new std::vector<std::string>{
      // 1: runs, their lines and their changes against the previous run.
      R"(
CREATE TABLE entitle_run (
  id BIGINT PRIMARY KEY,
  list_code TEXT NOT NULL,
  list_title TEXT NOT NULL,
  list_sha256 TEXT NOT NULL,
  month TEXT NOT NULL,
  as_of TEXT NOT NULL,
  known_on TEXT NOT NULL,
  feed_watermark BIGINT NOT NULL,
  previous_run BIGINT NOT NULL,
  people BIGINT NOT NULL,
  lines BIGINT NOT NULL,
  monthly_fen BIGINT NOT NULL,
  yearly_fen BIGINT NOT NULL,
  created_on TEXT NOT NULL,
  UNIQUE (list_code, month));
CREATE TABLE entitle_line (
  run_id BIGINT NOT NULL,
  item TEXT NOT NULL,
  id_number TEXT NOT NULL,
  amount BIGINT NOT NULL,
  percent BIGINT NOT NULL,
  county TEXT NOT NULL,
  street TEXT NOT NULL,
  community TEXT NOT NULL,
  PRIMARY KEY (run_id, item, id_number));
CREATE TABLE entitle_change (
  run_id BIGINT NOT NULL,
  item TEXT NOT NULL,
  id_number TEXT NOT NULL,
  kind TEXT NOT NULL,
  old_amount BIGINT NOT NULL,
  new_amount BIGINT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (run_id, item, id_number));
)",
      // 2: the to-verify list (待核实) of a run: people who qualify unless
      // an unknown fact says otherwise, with the facts to check and the
      // departments holding them; on no roll. The run's coverage.
      R"(
CREATE TABLE entitle_verify (
  run_id BIGINT NOT NULL,
  item TEXT NOT NULL,
  id_number TEXT NOT NULL,
  facts TEXT NOT NULL,
  departments TEXT NOT NULL,
  county TEXT NOT NULL,
  street TEXT NOT NULL,
  community TEXT NOT NULL,
  PRIMARY KEY (run_id, item, id_number));
ALTER TABLE entitle_run ADD COLUMN verify BIGINT NOT NULL DEFAULT 0;
ALTER TABLE entitle_run ADD COLUMN residents BIGINT NOT NULL DEFAULT 0;
)",
  };
  return *migrations;
}

namespace {

// Migration 3: a run's lines kept compact, one row per person holding any
// (entitle_holder: the residence once, and the person's items as
// "item:amount:percent" joined by ';', in item order), and a SHA-256 over
// the lines on the run (LinesDigest), so running a month again is verified
// without reading them back ('' for runs stored before: verified by reading
// their lines). The lines stored before are moved in; entitle_line keeps
// them, and from now on holds only the lines of cash items paid once (what
// the once-only rule reads back across months).
std::string CompactLinesMigration(std::string_view dialect) {
  const bool pg = dialect == "postgresql";
  return fmt::format(
      R"(
CREATE TABLE entitle_holder (
  run_id BIGINT NOT NULL,
  id_number TEXT NOT NULL,
  county TEXT NOT NULL,
  street TEXT NOT NULL,
  community TEXT NOT NULL,
  items TEXT NOT NULL,
  PRIMARY KEY (run_id, id_number));
INSERT INTO entitle_holder (run_id, id_number, county, street, community, items)
  SELECT run_id, id_number, MIN(county), MIN(street), MIN(community), {}
  FROM {} GROUP BY run_id, id_number;
ALTER TABLE entitle_run ADD COLUMN lines_sha256 TEXT NOT NULL DEFAULT '';
)",
      pg ? "string_agg(item || ':' || amount || ':' || percent, ';' ORDER BY item)"
         : "group_concat(item || ':' || amount || ':' || percent, ';')",
      pg ? "entitle_line" : "(SELECT * FROM entitle_line ORDER BY run_id, id_number, item)");
}

}  // namespace

const std::vector<std::string>& EntitleMigrations(std::string_view dialect) {
  auto make = [](std::string_view d) {
    auto* m = new std::vector<std::string>(EntitleMigrationsBase());
    m->push_back(CompactLinesMigration(d));
    return m;
  };
  static const std::vector<std::string>* const sqlite = make("sqlite");
  static const std::vector<std::string>* const postgresql = make("postgresql");
  return dialect == "postgresql" ? *postgresql : *sqlite;
}

LoadedListVersion LoadListVersion(const std::filesystem::path& file,
                                  const std::filesystem::path& params) {
  LoadedListVersion v;
  v.loaded = policy::LoadServiceList(file);
  std::string text;
  if (Result<std::string> bytes = ReadFileBytes(file); bytes.ok()) text = *bytes;
  if (!params.empty()) {
    policy::ApplyParameterFile(params, v.loaded.list, v.loaded.errors);
    if (Result<std::string> bytes = ReadFileBytes(params); bytes.ok()) text += "\n" + *bytes;
  }
  v.sha256 = registry::Sha256Hex(text);
  return v;
}

std::string_view ChangeKindName(ChangeKind k) {
  switch (k) {
    case ChangeKind::kNew:
      return "新增";
    case ChangeKind::kCeased:
      return "停发";
    case ChangeKind::kChanged:
      return "变更";
  }
  return "";
}

std::string_view ChangeKindKey(ChangeKind k) {
  switch (k) {
    case ChangeKind::kNew:
      return "new";
    case ChangeKind::kCeased:
      return "ceased";
    case ChangeKind::kChanged:
      return "changed";
  }
  return "";
}

namespace {

constexpr size_t kBatch = 20000;

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

bool LineLess(const RunLine& a, const RunLine& b) {
  return std::tie(a.item, a.id_number) < std::tie(b.item, b.id_number);
}

RunRecord RecordFromRow(const Row& r) {
  RunRecord k;
  k.id = r.AsInt(0);
  k.list_code = r.AsText(1);
  k.list_title = r.AsText(2);
  k.list_sha256 = r.AsText(3);
  k.month = r.AsText(4);
  k.as_of = r.AsText(5);
  k.known_on = r.AsText(6);
  k.feed_watermark = r.AsInt(7);
  k.previous_run = r.AsInt(8);
  k.people = r.AsInt(9);
  k.lines = r.AsInt(10);
  k.monthly_fen = r.AsInt(11);
  k.yearly_fen = r.AsInt(12);
  k.created_on = r.AsText(13);
  k.verify = r.AsInt(14);
  k.residents = r.AsInt(15);
  k.lines_sha256 = r.AsText(16);
  return k;
}

constexpr const char* kRunColumns =
    "id, list_code, list_title, list_sha256, month, as_of, known_on, feed_watermark, "
    "previous_run, people, lines, monthly_fen, yearly_fen, created_on, verify, residents, "
    "lines_sha256";

size_t kResidentSlot() {
  static const size_t slot = *policy::FactSchema::Person().Find("resident_local");
  return slot;
}

policy::PersonFacts RowFacts(const Snapshot& snap, size_t row) {
  policy::PersonFacts f(snap.facts.size());
  for (size_t s = 0; s < snap.facts.size(); ++s) f[s] = snap.facts[s][row];
  return f;
}

std::string JoinReasons(const std::vector<std::string>& why) {
  std::string out;
  for (const std::string& w : why) out += (out.empty() ? "" : "；") + w;
  return out;
}

}  // namespace

std::string LinesDigest(const std::vector<RunLine>& lines) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::string text;
  auto flush = [&] {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                              text.size());
    text.clear();
  };
  // Each line as its fields, the texts each ended by a 0 byte and the
  // amounts as 8 bytes (little-endian), without formatting.
  auto text_field = [&](const std::string& t) { text.append(t.data(), t.size() + 1); };
  auto int_field = [&](int64_t v) {
    for (int i = 0; i < 8; ++i)
      text += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF);
  };
  for (const RunLine& l : lines) {
    text_field(l.item);
    text_field(l.id_number);
    int_field(l.amount);
    int_field(l.percent);
    text_field(l.county);
    text_field(l.street);
    text_field(l.community);
    if (text.size() > (1 << 16)) flush();
  }
  flush();
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, hash);
  std::string out;
  for (unsigned char b : hash) fmt::format_to(std::back_inserter(out), "{:02x}", b);
  return out;
}

namespace {

// A person's lines as stored (entitle_holder): `first` the person's first
// line (ID and residence), `items` "item:amount:percent" joined by ';'.
struct Holder {
  const RunLine* first = nullptr;
  std::string items;
};

// `lines` (sorted by item, ID) grouped by person, in ID order, each
// person's items in item order: a merge of the items' runs of lines.
std::vector<Holder> HoldersOf(const std::vector<RunLine>& lines) {
  // The runs: one per item, each in ID order.
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t b = 0; b < lines.size();) {
    size_t e = b;
    while (e < lines.size() && lines[e].item == lines[b].item) ++e;
    runs.emplace_back(b, e);
    b = e;
  }
  // A heap of the runs' heads by (ID, run), so that a person's items come
  // out in item order.
  auto later = [&](size_t a, size_t b) {
    int c = lines[runs[a].first].id_number.compare(lines[runs[b].first].id_number);
    return c != 0 ? c > 0 : a > b;
  };
  std::vector<size_t> heap;
  for (size_t r = 0; r < runs.size(); ++r) heap.push_back(r);
  std::make_heap(heap.begin(), heap.end(), later);
  std::vector<Holder> out;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    size_t r = heap.back();
    const RunLine& l = lines[runs[r].first];
    if (out.empty() || out.back().first->id_number != l.id_number) {
      out.push_back(Holder{&l, {}});
    } else {
      out.back().items += ';';
    }
    fmt::format_to(std::back_inserter(out.back().items), "{}:{}:{}", l.item, l.amount, l.percent);
    if (++runs[r].first < runs[r].second) {
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
    }
  }
  return out;
}

// Appends the lines of a stored person (entitle_holder) to `out`, those
// `keep` accepts (by item).
template <typename Keep>
void DecodeHolder(std::string_view id_number, std::string_view county, std::string_view street,
                  std::string_view community, std::string_view items, const Keep& keep,
                  std::vector<RunLine>& out) {
  while (!items.empty()) {
    size_t end = items.find(';');
    std::string_view one = items.substr(0, end);
    items = end == std::string_view::npos ? std::string_view() : items.substr(end + 1);
    size_t a = one.find(':');
    size_t b = one.find(':', a + 1);
    if (a == std::string_view::npos || b == std::string_view::npos) continue;
    std::string_view item = one.substr(0, a);
    if (!keep(item)) continue;
    RunLine l;
    l.item = std::string(item);
    l.id_number = std::string(id_number);
    std::from_chars(one.data() + a + 1, one.data() + b, l.amount);
    std::from_chars(one.data() + b + 1, one.data() + one.size(), l.percent);
    l.county = std::string(county);
    l.street = std::string(street);
    l.community = std::string(community);
    out.push_back(std::move(l));
  }
}

}  // namespace

// The lines of an evaluation, sorted by item and ID.
std::vector<RunLine> LinesOf(const policy::CompiledList& list, const Snapshot& snap,
                             const Evaluation& ev) {
  const RegionTable& table = RegionTable::Builtin();
  auto code = [&](int32_t index) {
    return index < 0 ? std::string() : table.all()[static_cast<size_t>(index)].code;
  };
  std::unordered_map<int32_t, std::array<std::string, 3>> places;
  std::vector<RunLine> lines;
  for (size_t i = 0; i < ev.rolls.size(); ++i) {
    const policy::ItemRoll& roll = ev.rolls[i];
    // Granted on an event or an application: available, not a line.
    if (!list.items[i].item->benefit.standing()) continue;
    for (size_t k = 0; k < roll.rows.size(); ++k) {
      uint32_t row = roll.rows[k];
      int32_t res = snap.residence[row];
      auto [it, inserted] = places.try_emplace(res);
      if (inserted) it->second = {code(CountyOf(res)), code(StreetOf(res)), code(res)};
      lines.push_back(RunLine{list.items[i].item->number, snap.IdNumber(row),
                              roll.amounts.empty() ? 0 : roll.amounts[k],
                              roll.percents.empty() ? 0 : roll.percents[k], it->second[0],
                              it->second[1], it->second[2]});
    }
  }
  std::sort(lines.begin(), lines.end(), LineLess);
  return lines;
}

namespace {

// The to-verify lines of an evaluation (item, ID order), with the facts to
// check found by the one-person evaluator.
std::vector<VerifyLine> VerifyLinesOf(const policy::CompiledList& list, const Snapshot& snap,
                                      const Evaluation& ev) {
  const RegionTable& table = RegionTable::Builtin();
  auto code = [&](int32_t index) {
    return index < 0 ? std::string() : table.all()[static_cast<size_t>(index)].code;
  };
  const policy::FactSchema& schema = policy::FactSchema::Person();
  std::vector<VerifyLine> out;
  for (size_t i = 0; i < ev.rolls.size(); ++i) {
    if (!list.items[i].item->benefit.standing()) continue;
    for (uint32_t row : ev.rolls[i].verify) {
      std::vector<policy::ItemOutcome> o = policy::EntitlePerson(list, RowFacts(snap, row));
      VerifyLine v;
      v.item = list.items[i].item->number;
      v.id_number = snap.IdNumber(row);
      for (size_t slot : o[i].unknown_facts) {
        v.facts += (v.facts.empty() ? "" : "、") + schema.at(slot).label;
        if (v.departments.find(schema.at(slot).source) == std::string::npos)
          v.departments += (v.departments.empty() ? "" : "、") + schema.at(slot).source;
      }
      int32_t res = snap.residence[row];
      v.county = code(CountyOf(res));
      v.street = code(StreetOf(res));
      v.community = code(res);
      out.push_back(std::move(v));
    }
  }
  std::sort(out.begin(), out.end(), [](const VerifyLine& a, const VerifyLine& b) {
    return std::tie(a.item, a.id_number) < std::tie(b.item, b.id_number);
  });
  return out;
}

}  // namespace

std::vector<Change> ComputeChanges(registry::Registry& registry,
                                   const policy::CompiledList& compiled, const Snapshot& snap,
                                   const std::vector<RunLine>& before,
                                   const std::vector<RunLine>& lines) {
  std::vector<Change> changes;
  std::unordered_map<std::string, size_t> item_index;
  for (size_t i = 0; i < compiled.items.size(); ++i) item_index[compiled.items[i].item->number] = i;
  auto explain = [&](const std::string& item, const std::string& id) -> std::string {
    std::optional<size_t> row = snap.Find(id);
    if (!row) {
      // A death also ends the hukou (户口注销): say the death, not the move.
      Result<std::optional<registry::PersonView>> p =
          registry.Person(id, snap.as_of, snap.known_on);
      if (p.ok() && p->has_value() && (*p)->deceased_on(snap.as_of)) {
        auto d = (*p)->facts.find("death_date");
        if (d != (*p)->facts.end()) return fmt::format("已死亡（{}）", d->second.value);
        return "已死亡";
      }
      return "本月不在本辖区登记范围内（已迁出、注销或户籍与居住地均不在本辖区）";
    }
    if (snap.Fact("deceased", *row) != 0) {
      Result<std::optional<registry::PersonView>> p =
          registry.Person(id, snap.as_of, snap.known_on);
      if (p.ok() && p->has_value()) {
        auto d = (*p)->facts.find("death_date");
        if (d != (*p)->facts.end()) return fmt::format("已死亡（{}）", d->second.value);
      }
      return "已死亡";
    }
    std::vector<policy::ItemOutcome> o =
        policy::EntitlePerson(compiled, RowFacts(snap, *row), true);
    return JoinReasons(o[item_index[item]].why);
  };
  size_t a = 0, b = 0;
  while (a < before.size() || b < lines.size()) {
    bool take_old = b == lines.size() || (a < before.size() && LineLess(before[a], lines[b]));
    bool take_new = a == before.size() || (b < lines.size() && LineLess(lines[b], before[a]));
    if (take_old) {
      const RunLine& l = before[a++];
      if (!item_index.contains(l.item)) {
        changes.push_back(
            Change{ChangeKind::kCeased, l.item, l.id_number, l.amount, 0, "清单已无此项"});
        continue;
      }
      const policy::Item& item = *compiled.items[item_index[l.item]].item;
      if (item.benefit.type == policy::BenefitType::kCash &&
          item.benefit.period == policy::CashPeriod::kOnce)
        continue;  // paid once: nothing ceases the next month
      changes.push_back(Change{ChangeKind::kCeased, l.item, l.id_number, l.amount, 0,
                               explain(l.item, l.id_number)});
    } else if (take_new) {
      const RunLine& l = lines[b++];
      changes.push_back(
          Change{ChangeKind::kNew, l.item, l.id_number, 0, l.amount, explain(l.item, l.id_number)});
    } else {
      const RunLine& o = before[a++];
      const RunLine& n = lines[b++];
      if (o.amount != n.amount || o.percent != n.percent) {
        const policy::Item& item = *compiled.items[item_index[n.item]].item;
        Change c{ChangeKind::kChanged, n.item, n.id_number, o.amount, n.amount, ""};
        if (item.benefit.type == policy::BenefitType::kCash) {
          c.reason = fmt::format("{} → {}", policy::FormatCash(item, o.amount),
                                 policy::FormatCash(item, n.amount));
        } else {  // a discount or standard changes in its own unit
          c.old_amount = o.percent;
          c.new_amount = n.percent;
          c.reason = fmt::format("优惠 {}% → {}%", o.percent, n.percent);
        }
        changes.push_back(std::move(c));
      }
    }
  }
  return changes;
}

db::ModuleSchema EntitleSchema() {
  return {"entitle", [](std::string_view dialect) { return EntitleMigrations(dialect); }};
}

Result<std::unique_ptr<RunStore>> RunStore::Open(registry::Registry& registry) {
  if (Status s =
          db::MigrateModule(registry.db(), "entitle", EntitleMigrations(registry.db().dialect()));
      !s.ok())
    return s;
  return std::make_unique<RunStore>(registry);
}

Result<std::optional<RunRecord>> RunStore::Find(std::string_view list_code,
                                                std::string_view month) {
  Result<std::vector<Row>> rows = registry_.db().QueryAll(
      fmt::format("SELECT {} FROM entitle_run WHERE list_code = ? AND month = ?", kRunColumns),
      {std::string(list_code), std::string(month)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(RecordFromRow((*rows)[0]));
}

Result<std::optional<RunRecord>> RunStore::Get(int64_t run_id) {
  Result<std::vector<Row>> rows = registry_.db().QueryAll(
      fmt::format("SELECT {} FROM entitle_run WHERE id = ?", kRunColumns), {run_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(RecordFromRow((*rows)[0]));
}

Result<std::vector<RunRecord>> RunStore::Runs(std::string_view list_code) {
  std::vector<RunRecord> out;
  Status s = registry_.db().Query(
      fmt::format("SELECT {} FROM entitle_run WHERE list_code = ? OR ? = '' ORDER BY list_code, "
                  "month",
                  kRunColumns),
      {std::string(list_code), std::string(list_code)}, [&](const Row& r) {
        out.push_back(RecordFromRow(r));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<RunLine>> RunStore::Lines(int64_t run_id) {
  std::vector<RunLine> out;
  Status s = registry_.db().Scan(
      "SELECT id_number, county, street, community, items FROM entitle_holder WHERE run_id = ?",
      {run_id}, [&](const db::RowView& r) {
        DecodeHolder(
            r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
            [](std::string_view) { return true; }, out);
        return true;
      });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), LineLess);
  return out;
}

Result<std::vector<VerifyLine>> RunStore::Verify(int64_t run_id) {
  std::vector<VerifyLine> out;
  Status s = registry_.db().Query(
      "SELECT item, id_number, facts, departments, county, street, community FROM "
      "entitle_verify WHERE run_id = ?",
      {run_id}, [&](const Row& r) {
        out.push_back(VerifyLine{r.AsText(0), r.AsText(1), r.AsText(2), r.AsText(3), r.AsText(4),
                                 r.AsText(5), r.AsText(6)});
        return true;
      });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), [](const VerifyLine& a, const VerifyLine& b) {
    return std::tie(a.item, a.id_number) < std::tie(b.item, b.id_number);
  });
  return out;
}

Result<std::vector<ItemCount>> RunStore::VerifyCounts(int64_t run_id) {
  std::vector<ItemCount> out;
  Status s = registry_.db().Query(
      "SELECT item, COUNT(*) FROM entitle_verify WHERE run_id = ? GROUP BY item", {run_id},
      [&](const Row& r) {
        out.push_back(ItemCount{r.AsText(0), r.AsInt(1)});
        return true;
      });
  if (!s.ok()) return s;
  // "8.1" < "10": by the number's leading integer, then as text.
  auto key = [](const std::string& item) { return std::pair(std::atoll(item.c_str()), item); };
  std::sort(out.begin(), out.end(),
            [&](const ItemCount& a, const ItemCount& b) { return key(a.item) < key(b.item); });
  return out;
}

Result<std::vector<Change>> RunStore::Changes(int64_t run_id) {
  std::vector<Change> out;
  Status s = registry_.db().Query(
      "SELECT kind, item, id_number, old_amount, new_amount, reason FROM entitle_change WHERE "
      "run_id = ?",
      {run_id}, [&](const Row& r) {
        Change c;
        std::string kind = r.AsText(0);
        c.kind = kind == "new"      ? ChangeKind::kNew
                 : kind == "ceased" ? ChangeKind::kCeased
                                    : ChangeKind::kChanged;
        c.item = r.AsText(1);
        c.id_number = r.AsText(2);
        c.old_amount = r.AsInt(3);
        c.new_amount = r.AsInt(4);
        c.reason = r.AsText(5);
        out.push_back(std::move(c));
        return true;
      });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), [](const Change& a, const Change& b) {
    return std::tie(a.item, a.kind, a.id_number) < std::tie(b.item, b.kind, b.id_number);
  });
  return out;
}

Result<RunOutcome> RunStore::Run(const ListVersion& version, Month month,
                                 const RunOptions& options) {
  const policy::ServiceList& list = *version.list;
  RunOutcome out;
  CivilDate as_of = month.FirstDay();
  Result<std::optional<RunRecord>> existing = Find(list.jurisdiction, month.ToString());
  if (!existing.ok()) return existing.status();
  if (existing->has_value() && (*existing)->list_sha256 != version.sha256 && !options.replace) {
    return Status("entitle.run_exists",
                  fmt::format("{} 已用另一版本的清单运行过（{}），如需替换请指定 --replace",
                              month.ToString(), (*existing)->list_sha256.substr(0, 12)),
                  Location{.field = "month", .value = month.ToString()});
  }
  bool recompute = existing->has_value() && (*existing)->list_sha256 == version.sha256;

  // The registry state: a stored run's, or now.
  CivilDate known_on = options.known_on.value_or(options.today);
  int64_t watermark = 0;
  if (recompute) {
    known_on = *CivilDate::Parse((*existing)->known_on);
    watermark = (*existing)->feed_watermark;
  }
  auto t0 = std::chrono::steady_clock::now();
  Result<Snapshot> snap = BuildSnapshot(registry_, list.jurisdiction, as_of, known_on, watermark);
  if (!snap.ok()) return snap.status();
  out.snapshot_seconds = SecondsSince(t0);
  Result<policy::CompiledList> compiled = policy::CompileList(list, as_of);
  if (!compiled.ok()) {
    return Status("entitle.compile", compiled.status().message(), compiled.status().where());
  }
  t0 = std::chrono::steady_clock::now();
  if (options.workspace != nullptr) out.evaluation = std::move(*options.workspace);
  Evaluate(*compiled, *snap, out.evaluation, EvaluateOptions{.nice = options.nice});
  out.evaluate_seconds = SecondsSince(t0);
  std::vector<RunLine> lines = LinesOf(*compiled, *snap, out.evaluation);
  // Once-only items (period: once) are paid once per person: not again to
  // someone an earlier month's run of the list already has.
  {
    std::set<std::string> once;
    for (const policy::CompiledItem& ci : compiled->items) {
      if (ci.item->benefit.type == policy::BenefitType::kCash &&
          ci.item->benefit.period == policy::CashPeriod::kOnce && !ci.item->benefit.once_per_event)
        once.insert(ci.item->number);
    }
    if (!once.empty()) {
      std::set<std::pair<std::string, std::string>> paid;
      // Only the once-only items' lines of the earlier runs are read (by
      // the lines' key, run and item), not every line of every month.
      std::vector<Value> params{list.jurisdiction, month.ToString()};
      std::string items;
      for (const std::string& item : once) {
        items += items.empty() ? "?" : ", ?";
        params.emplace_back(item);
      }
      Status s = registry_.db().Query(
          fmt::format("SELECT l.item, l.id_number FROM entitle_run r JOIN entitle_line l ON "
                      "l.run_id = r.id WHERE r.list_code = ? AND r.month < ? AND l.item IN ({})",
                      items),
          params, [&](const Row& r) {
            if (once.contains(r.AsText(0))) paid.emplace(r.AsText(0), r.AsText(1));
            return true;
          });
      if (!s.ok()) return s;
      std::erase_if(lines, [&](const RunLine& l) {
        return once.contains(l.item) && paid.contains({l.item, l.id_number});
      });
    }
  }

  RunRecord& run = out.run;
  run.list_code = list.jurisdiction;
  run.list_title = list.title;
  run.list_sha256 = version.sha256;
  run.month = month.ToString();
  run.as_of = as_of.ToString();
  run.known_on = known_on.ToString();
  run.feed_watermark = snap->feed_watermark;
  run.people = static_cast<int64_t>(snap->size);
  run.lines = static_cast<int64_t>(lines.size());
  run.lines_sha256 = LinesDigest(lines);
  run.created_on = options.today.ToString();
  std::unordered_map<std::string, size_t> item_index;
  for (size_t i = 0; i < compiled->items.size(); ++i)
    item_index[compiled->items[i].item->number] = i;
  for (const RunLine& l : lines) {
    const policy::Item& item = *compiled->items[item_index[l.item]].item;
    if (item.benefit.type != policy::BenefitType::kCash) continue;
    if (item.benefit.period == policy::CashPeriod::kMonth) run.monthly_fen += l.amount;
    run.yearly_fen += policy::YearlyEquivalent(item, l.amount);
  }

  if (recompute) {
    out.recomputed = true;
    t0 = std::chrono::steady_clock::now();
    if (!(*existing)->lines_sha256.empty()) {
      // Verified against the digest stored with the run: nothing read back.
      out.identical = (*existing)->lines == static_cast<int64_t>(lines.size()) &&
                      LinesDigest(lines) == (*existing)->lines_sha256;
    } else {  // a run stored before digests: its lines read back
      Result<std::vector<RunLine>> stored = Lines((*existing)->id);
      if (!stored.ok()) return stored.status();
      out.identical = stored->size() == lines.size();
      for (size_t k = 0; out.identical && k < lines.size(); ++k) {
        const RunLine& a = lines[k];
        const RunLine& b = (*stored)[k];
        out.identical = a.item == b.item && a.id_number == b.id_number && a.amount == b.amount &&
                        a.percent == b.percent;
      }
    }
    out.store_seconds = SecondsSince(t0);
    Result<std::vector<Change>> changes = Changes((*existing)->id);
    if (!changes.ok()) return changes.status();
    out.changes = std::move(*changes);
    int64_t id = (*existing)->id;
    std::string created = (*existing)->created_on;
    int64_t previous = (*existing)->previous_run;
    run.id = id;
    run.created_on = created;
    run.previous_run = previous;
    run.verify = (*existing)->verify;
    run.residents = (*existing)->residents;
    run.lines_sha256 = (*existing)->lines_sha256;
    out.snapshot = std::move(*snap);
    return out;
  }

  // Against the previous run of the list.
  Result<std::vector<Row>> prev = registry_.db().QueryAll(
      "SELECT id FROM entitle_run WHERE list_code = ? AND month < ? ORDER BY month DESC LIMIT 1",
      {list.jurisdiction, month.ToString()});
  if (!prev.ok()) return prev.status();
  if (!prev->empty()) {
    run.previous_run = (*prev)[0].AsInt(0);
    Result<std::vector<RunLine>> before = Lines(run.previous_run);
    if (!before.ok()) return before.status();
    out.changes = ComputeChanges(registry_, *compiled, *snap, *before, lines);
  }
  std::vector<VerifyLine> verify = VerifyLinesOf(*compiled, *snap, out.evaluation);
  run.verify = static_cast<int64_t>(verify.size());
  for (size_t r = 0; r < snap->size; ++r) run.residents += snap->facts[kResidentSlot()][r] == 1;

  // The run of the next calendar month already stored, whose changes were
  // computed against an older run (or none): recomputed against this one.
  Result<std::vector<Row>> next_rows = registry_.db().QueryAll(
      fmt::format("SELECT {} FROM entitle_run WHERE list_code = ? AND month > ? ORDER BY month "
                  "LIMIT 1",
                  kRunColumns),
      {list.jurisdiction, month.ToString()});
  if (!next_rows.ok()) return next_rows.status();
  std::optional<RunRecord> next;
  std::vector<Change> next_changes;
  if (!next_rows->empty()) {
    next = RecordFromRow((*next_rows)[0]);
    Result<std::vector<RunLine>> next_lines = Lines(next->id);
    if (!next_lines.ok()) return next_lines.status();
    CivilDate next_as_of = *CivilDate::Parse(next->as_of);
    Result<Snapshot> next_snap =
        BuildSnapshot(registry_, list.jurisdiction, next_as_of, *CivilDate::Parse(next->known_on),
                      next->feed_watermark);
    if (!next_snap.ok()) return next_snap.status();
    // Its list version may differ from this one: its reasons are given by
    // this version's rules, which the changes' kinds do not depend on.
    Result<policy::CompiledList> next_compiled = policy::CompileList(list, next_as_of);
    if (!next_compiled.ok()) {
      return Status("entitle.compile", next_compiled.status().message(),
                    next_compiled.status().where());
    }
    next_changes = ComputeChanges(registry_, *next_compiled, *next_snap, lines, *next_lines);
  }

  // Store: everything in one transaction.
  t0 = std::chrono::steady_clock::now();
  db::Database& db = registry_.db();
  if (Status s = db.Begin(); !s.ok()) return s;
  auto fail = [&](Status s) -> Result<RunOutcome> {
    (void)db.Rollback();
    return s;
  };
  if (existing->has_value()) {  // replacing another list version
    for (const char* t : {"entitle_line", "entitle_holder", "entitle_change", "entitle_verify"}) {
      if (Status s =
              db.Execute(fmt::format("DELETE FROM {} WHERE run_id = ?", t), {(*existing)->id});
          !s.ok())
        return fail(s);
    }
    if (Status s = db.Execute("DELETE FROM entitle_run WHERE id = ?", {(*existing)->id}); !s.ok())
      return fail(s);
  }
  Result<std::vector<Row>> max_id = db.QueryAll("SELECT MAX(id) FROM entitle_run");
  if (!max_id.ok()) return fail(max_id.status());
  run.id = (max_id->empty() || (*max_id)[0].IsNull(0) ? 0 : (*max_id)[0].AsInt(0)) + 1;
  if (Status s = db.Execute(
          fmt::format("INSERT INTO entitle_run ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                      "?, ?, ?, ?, ?)",
                      kRunColumns),
          {run.id, run.list_code, run.list_title, run.list_sha256, run.month, run.as_of,
           run.known_on, run.feed_watermark, run.previous_run, run.people, run.lines,
           run.monthly_fen, run.yearly_fen, run.created_on, run.verify, run.residents,
           run.lines_sha256});
      !s.ok())
    return fail(s);
  std::vector<std::vector<Value>> batch;
  auto flush = [&](const char* table, const std::vector<std::string>& columns) -> Status {
    if (batch.empty()) return Status::Ok();
    Status s = db.BulkInsert(table, columns, batch);
    batch.clear();
    return s;
  };
  // The lines, compact: one row per person (HoldersOf), in ID order.
  const std::vector<std::string> holder_columns = {"run_id", "id_number", "county",
                                                   "street", "community", "items"};
  std::vector<Holder> holders = HoldersOf(lines);
  for (size_t k = 0; k < holders.size(); ++k) {
    Holder& h = holders[k];
    const RunLine& l = *h.first;
    batch.push_back({run.id, l.id_number, l.county, l.street, l.community, std::move(h.items)});
    if (batch.size() == kBatch) {
      if (Status s = flush("entitle_holder", holder_columns); !s.ok()) return fail(s);
    }
    if (k == holders.size() / 2) MaybeKill("entitle.half_lines");
  }
  if (Status s = flush("entitle_holder", holder_columns); !s.ok()) return fail(s);
  // The lines of cash items paid once, also in full: the once-only rule
  // reads them back for every later month.
  const std::vector<std::string> line_columns = {"run_id",  "item",   "id_number", "amount",
                                                 "percent", "county", "street",    "community"};
  std::set<std::string> paid_once;
  for (const policy::CompiledItem& ci : compiled->items) {
    if (ci.item->benefit.type == policy::BenefitType::kCash &&
        ci.item->benefit.period == policy::CashPeriod::kOnce)
      paid_once.insert(ci.item->number);
  }
  for (const RunLine& l : lines) {
    if (!paid_once.contains(l.item)) continue;
    batch.push_back(
        {run.id, l.item, l.id_number, l.amount, l.percent, l.county, l.street, l.community});
    if (batch.size() == kBatch) {
      if (Status s = flush("entitle_line", line_columns); !s.ok()) return fail(s);
    }
  }
  if (Status s = flush("entitle_line", line_columns); !s.ok()) return fail(s);
  const std::vector<std::string> change_columns = {"run_id",     "item",       "id_number", "kind",
                                                   "old_amount", "new_amount", "reason"};
  auto store_changes = [&](int64_t run_id, const std::vector<Change>& changes) -> Status {
    for (const Change& c : changes) {
      const char* kind = c.kind == ChangeKind::kNew      ? "new"
                         : c.kind == ChangeKind::kCeased ? "ceased"
                                                         : "changed";
      batch.push_back(
          {run_id, c.item, c.id_number, std::string(kind), c.old_amount, c.new_amount, c.reason});
      if (batch.size() == kBatch) {
        if (Status s = flush("entitle_change", change_columns); !s.ok()) return s;
      }
    }
    return flush("entitle_change", change_columns);
  };
  if (Status s = store_changes(run.id, out.changes); !s.ok()) return fail(s);
  const std::vector<std::string> verify_columns = {
      "run_id", "item", "id_number", "facts", "departments", "county", "street", "community"};
  for (const VerifyLine& v : verify) {
    batch.push_back(
        {run.id, v.item, v.id_number, v.facts, v.departments, v.county, v.street, v.community});
    if (batch.size() == kBatch) {
      if (Status s = flush("entitle_verify", verify_columns); !s.ok()) return fail(s);
    }
  }
  if (Status s = flush("entitle_verify", verify_columns); !s.ok()) return fail(s);
  if (next) {
    if (Status s = db.Execute("DELETE FROM entitle_change WHERE run_id = ?", {next->id}); !s.ok())
      return fail(s);
    if (Status s = store_changes(next->id, next_changes); !s.ok()) return fail(s);
    if (Status s =
            db.Execute("UPDATE entitle_run SET previous_run = ? WHERE id = ?", {run.id, next->id});
        !s.ok())
      return fail(s);
    out.recomputed_next = next->month;
  }
  MaybeKill("entitle.before_commit");
  if (Status s = db.Commit(); !s.ok()) return fail(s);
  out.store_seconds = SecondsSince(t0);
  out.snapshot = std::move(*snap);
  return out;
}

// --- Reads cut to a caller's view ----------------------------------------------

namespace {

ChangeKind ChangeKindOf(std::string_view key) {
  return key == "new"      ? ChangeKind::kNew
         : key == "ceased" ? ChangeKind::kCeased
                           : ChangeKind::kChanged;
}

// The conditions of `q` other than the kind and region, on a row whose item,
// residence and ID number are the given SQL expressions.
void AddViewConditions(const LineQuery& q, std::string_view item_column,
                       std::string_view region_column, std::string_view id_column,
                       std::string& where, std::vector<Value>& params) {
  std::vector<db::Filter> filters;
  if (q.scope) filters = q.scope(region_column, id_column);
  if (q.no_items) {
    filters.push_back({"1 = 0", {}});
  } else if (!q.withheld_items.empty()) {
    db::Filter f;
    f.sql = fmt::format("{} NOT IN (", item_column);
    for (size_t i = 0; i < q.withheld_items.size(); ++i) {
      f.sql += i ? ", ?" : "?";
      f.params.push_back(q.withheld_items[i]);
    }
    f.sql += ")";
    filters.push_back(std::move(f));
  }
  db::AddConditions(filters, where, params);
}

// WHERE text and values over entitle_holder h for `q`'s conditions on
// people (region, scope); the conditions on items are LineItemKept's.
void HolderWhere(int64_t run_id, const LineQuery& q, std::string& where,
                 std::vector<Value>& params) {
  where = " WHERE h.run_id = ?";
  params.push_back(run_id);
  if (!q.region.empty()) {
    db::AddConditions({db::RegionCodeFilter("h.community", q.region, false)}, where, params);
  }
  std::vector<db::Filter> filters;
  if (q.scope) filters = q.scope("h.community", "h.id_number");
  db::AddConditions(filters, where, params);
}

// Does `q` keep a line of `item`? (q.item, withheld items, no items.)
bool LineItemKept(const LineQuery& q, std::string_view item) {
  if (q.no_items) return false;
  if (!q.item.empty() && item != q.item) return false;
  return std::find(q.withheld_items.begin(), q.withheld_items.end(), item) ==
         q.withheld_items.end();
}

// The changes of `run` joined to the lines of the run and of the previous
// run (for the residence), with WHERE text and values for `q`.
// A new or changed line is in the run, a ceased one in the previous run
// (whose lines the changes were computed against): the place is the
// residence the person has in the run that holds the line.
constexpr std::string_view kChangeFrom =
    " FROM entitle_change c LEFT JOIN entitle_holder cur ON cur.run_id = c.run_id AND "
    "cur.id_number = c.id_number AND c.kind <> 'ceased' LEFT JOIN entitle_holder prev ON "
    "prev.run_id = ? AND prev.id_number = c.id_number";
constexpr std::string_view kChangePlace = "COALESCE(cur.community, prev.community, '')";

void ChangeWhere(const RunRecord& run, const LineQuery& q, std::string& where,
                 std::vector<Value>& params) {
  params.push_back(run.previous_run);
  where = " WHERE c.run_id = ?";
  params.push_back(run.id);
  if (!q.kind.empty()) {
    where += " AND c.kind = ?";
    params.push_back(q.kind);
  }
  if (!q.item.empty()) {
    where += " AND c.item = ?";
    params.push_back(q.item);
  }
  AddViewConditions(q, "c.item", kChangePlace, "c.id_number", where, params);
}

}  // namespace

Result<std::map<std::string, ItemTotal>> RunStore::ItemTotals(int64_t run_id, const LineQuery& q) {
  std::map<std::string, ItemTotal> out;
  if (q.no_items) return out;
  Result<std::vector<RunLine>> lines = LinesIn(run_id, q);
  if (!lines.ok()) return lines.status();
  for (const RunLine& l : *lines) {
    ItemTotal& t = out[l.item];
    ++t.people;
    t.amount += l.amount;
  }
  return out;
}

Result<std::vector<RunLine>> RunStore::LinesIn(int64_t run_id, const LineQuery& q) {
  std::vector<RunLine> out;
  if (q.no_items) return out;
  std::string where;
  std::vector<Value> params;
  HolderWhere(run_id, q, where, params);
  auto keep = [&](std::string_view item) { return LineItemKept(q, item); };
  Status s = registry_.db().Scan(
      "SELECT h.id_number, h.county, h.street, h.community, h.items FROM entitle_holder h" + where,
      params, [&](const db::RowView& r) {
        DecodeHolder(r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), keep, out);
        return true;
      });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), LineLess);
  return out;
}

Result<std::map<std::string, int64_t>> RunStore::VerifyTotals(int64_t run_id, const LineQuery& q) {
  std::string where = " WHERE v.run_id = ?";
  std::vector<Value> params{run_id};
  if (!q.item.empty()) {
    where += " AND v.item = ?";
    params.push_back(q.item);
  }
  if (!q.region.empty()) {
    db::AddConditions({db::RegionCodeFilter("v.community", q.region, false)}, where, params);
  }
  AddViewConditions(q, "v.item", "v.community", "v.id_number", where, params);
  std::map<std::string, int64_t> out;
  Status s = registry_.db().Query(
      "SELECT v.item, COUNT(*) FROM entitle_verify v" + where + " GROUP BY v.item", params,
      [&](const Row& r) {
        out[r.AsText(0)] = r.AsInt(1);
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<std::map<std::string, int64_t>> RunStore::ChangeCounts(const RunRecord& run,
                                                              const LineQuery& q) {
  std::string where;
  std::vector<Value> params;
  ChangeWhere(run, q, where, params);
  std::map<std::string, int64_t> out;
  Status s = registry_.db().Query(
      "SELECT c.kind, COUNT(*)" + std::string(kChangeFrom) + where + " GROUP BY c.kind", params,
      [&](const Row& r) {
        out[r.AsText(0)] = r.AsInt(1);
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<LinePage> RunStore::LinesPage(int64_t run_id, const LineQuery& q, const db::Page& page) {
  Result<std::vector<RunLine>> lines = LinesIn(run_id, q);
  if (!lines.ok()) return lines.status();
  LinePage out;
  out.total = static_cast<int64_t>(lines->size());
  const auto begin = static_cast<size_t>(std::min<int64_t>(page.offset(), out.total));
  const auto end = static_cast<size_t>(
      std::min<int64_t>(static_cast<int64_t>(begin) + std::max<int64_t>(page.size, 1), out.total));
  out.lines.assign(std::make_move_iterator(lines->begin() + static_cast<std::ptrdiff_t>(begin)),
                   std::make_move_iterator(lines->begin() + static_cast<std::ptrdiff_t>(end)));
  return out;
}

Result<ChangePage> RunStore::ChangesPage(const RunRecord& run, const LineQuery& q,
                                         const db::Page& page) {
  std::string where;
  std::vector<Value> params;
  ChangeWhere(run, q, where, params);
  ChangePage out;
  Result<std::vector<Row>> total =
      registry_.db().QueryAll("SELECT COUNT(*)" + std::string(kChangeFrom) + where, params);
  if (!total.ok()) return total.status();
  out.total = (*total)[0].AsInt(0);
  const std::string limit = page.Bind(params);
  Status s = registry_.db().Query(
      "SELECT c.kind, c.item, c.id_number, c.old_amount, c.new_amount, c.reason, " +
          std::string(kChangePlace) + std::string(kChangeFrom) + where +
          " ORDER BY c.item, c.id_number" + limit,
      params, [&](const Row& r) {
        PlacedChange c;
        c.change.kind = ChangeKindOf(r.AsText(0));
        c.change.item = r.AsText(1);
        c.change.id_number = r.AsText(2);
        c.change.old_amount = r.AsInt(3);
        c.change.new_amount = r.AsInt(4);
        c.change.reason = r.AsText(5);
        c.place = r.AsText(6);
        out.changes.push_back(std::move(c));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

}  // namespace yanglao::entitle
