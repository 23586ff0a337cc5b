#include "registry/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "core/fault.h"
#include "db/transaction.h"
#include "registry/feed_template.h"
#include "registry/migrations.h"

namespace yanglao::registry {
namespace {

constexpr int kUnrankedSource = 100;

StoredFact FactFromRow(const Row& r, size_t first) {
  StoredFact f;
  f.fact = r.AsText(first);
  f.value = r.AsText(first + 1);
  f.valid_from = r.AsText(first + 2);
  f.valid_to = r.IsNull(first + 3) ? "" : r.AsText(first + 3);
  f.source = r.AsText(first + 4);
  f.feed_id = r.AsInt(first + 5);
  f.row = static_cast<int>(r.AsInt(first + 6));
  f.recorded_on = r.AsText(first + 7);
  return f;
}

constexpr std::string_view kFactColumns =
    "f.fact, f.value, f.valid_from, f.valid_to, f.source, f.feed_id, f.row_no, f.recorded_on";

// Birth date and sex straight from a validated 18-character ID number.
std::pair<std::string, int64_t> BirthAndSex(const std::string& id) {
  std::string birth = id.substr(6, 4) + "-" + id.substr(10, 2) + "-" + id.substr(12, 2);
  int64_t sex = (id[16] - '0') % 2 == 1 ? 0 : 1;  // 0 male, 1 female
  return {birth, sex};
}

// Has the source of feed `feed_id` an earlier feed? Only then can the
// feed restate records its source already has (the import's dedupe).
Result<bool> SourceHasEarlierFeed(db::Database& db, int64_t feed_id) {
  Result<std::vector<Row>> earlier = db.QueryAll(
      "SELECT COUNT(*) FROM feed WHERE id < ? AND source = (SELECT source FROM feed "
      "WHERE id = ?)",
      {feed_id, feed_id});
  if (!earlier.ok()) return earlier.status();
  return (*earlier)[0].AsInt(0) > 0;
}

}  // namespace

namespace {

std::vector<std::string> CommonMigrations() {
  return std::vector<std::string>{
      // 1: feeds, people, fact records (append-only), conflicts, precedence.
      R"(
CREATE TABLE feed (
  id BIGINT PRIMARY KEY,
  source TEXT NOT NULL,
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  data_rows BIGINT NOT NULL,
  facts_added BIGINT NOT NULL,
  recorded_on TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  UNIQUE (source, sha256));
CREATE TABLE person (
  id_number TEXT PRIMARY KEY,
  sex INTEGER NOT NULL,
  birth_date TEXT NOT NULL,
  first_feed BIGINT NOT NULL);
CREATE TABLE fact (
  id_number TEXT NOT NULL,
  fact TEXT NOT NULL,
  value TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  source TEXT NOT NULL,
  feed_id BIGINT NOT NULL,
  row_no INTEGER NOT NULL,
  recorded_on TEXT NOT NULL);
CREATE INDEX fact_person ON fact (id_number, fact);
CREATE INDEX fact_feed ON fact (feed_id);
CREATE TABLE conflict (
  id BIGINT PRIMARY KEY,
  id_number TEXT NOT NULL,
  fact TEXT NOT NULL,
  value_a TEXT NOT NULL, source_a TEXT NOT NULL, feed_a BIGINT NOT NULL, row_a INTEGER NOT NULL,
  value_b TEXT NOT NULL, source_b TEXT NOT NULL, feed_b BIGINT NOT NULL, row_b INTEGER NOT NULL,
  detected_feed BIGINT NOT NULL,
  status TEXT NOT NULL,
  resolution TEXT);
CREATE INDEX conflict_person ON conflict (id_number);
CREATE TABLE precedence (
  fact TEXT NOT NULL,
  source TEXT NOT NULL,
  rank INTEGER NOT NULL,
  PRIMARY KEY (fact, source));
INSERT INTO precedence (fact, source, rank) VALUES
  ('death_date', '公安', 1), ('death_date', '民政', 2), ('death_date', '卫健', 3),
  ('name', '公安', 1), ('name', '民政', 2), ('name', '人社', 3), ('name', '卫健', 4),
  ('name', '医保', 5), ('name', '残联', 6), ('name', '退役军人', 7),
  ('long_term_care_need', '残联', 1), ('long_term_care_need', '医保', 2);
)",
      // 2: capability assessments (src/assess) state capability_assessed,
      // capability_level and dementia as the source 评估机构, which ranks
      // first for them; a precedence already set for dementia is kept.
      R"(
INSERT INTO precedence (fact, source, rank) SELECT 'capability_assessed', '评估机构', 1
  WHERE NOT EXISTS (SELECT 1 FROM precedence WHERE fact = 'capability_assessed');
INSERT INTO precedence (fact, source, rank) SELECT 'capability_level', '评估机构', 1
  WHERE NOT EXISTS (SELECT 1 FROM precedence WHERE fact = 'capability_level');
INSERT INTO precedence (fact, source, rank) SELECT 'dementia', '评估机构', 1
  WHERE NOT EXISTS (SELECT 1 FROM precedence WHERE fact = 'dementia');
INSERT INTO precedence (fact, source, rank) SELECT 'dementia', '卫健', 2
  WHERE NOT EXISTS (SELECT 1 FROM precedence WHERE fact = 'dementia' AND source = '卫健');
)",
      // 3: person search by name (SearchPersons) reads the name records in
      // value order.
      R"(
CREATE INDEX fact_name ON fact (value) WHERE fact = 'name';
)",
  };
}

}  // namespace

// 4: imports at disk speed (#17): of the three indexes every fact record
// paid for, only fact_person stays a B-tree. The records of a feed are
// found by where they lie instead of by a B-tree on feed_id: on SQLite the
// range of rowids the feed's records got (feed.fact_first, fact_last: an
// import appends its records in one transaction, so they take the rowids
// after the largest before it); on PostgreSQL a BRIN index (a few bytes per
// 128 pages: the records of a feed are appended together). The name index
// is read only by SQLite's person search: PostgreSQL drops it.
const std::vector<std::string>& RegistryMigrationsFor(std::string_view dialect) {
  static const std::vector<std::string>* const sqlite = [] {
    auto* m = new std::vector<std::string>(CommonMigrations());
    m->push_back(R"(
ALTER TABLE feed ADD COLUMN fact_first BIGINT;
ALTER TABLE feed ADD COLUMN fact_last BIGINT;
UPDATE feed SET fact_first = (SELECT MIN(rowid) FROM fact WHERE fact.feed_id = feed.id),
  fact_last = (SELECT MAX(rowid) FROM fact WHERE fact.feed_id = feed.id);
DROP INDEX fact_feed;
)");
    return m;
  }();
  static const std::vector<std::string>* const postgresql = [] {
    auto* m = new std::vector<std::string>(CommonMigrations());
    m->push_back(R"(
DROP INDEX fact_feed;
CREATE INDEX fact_feed ON fact USING brin (feed_id) WITH (autosummarize = on);
DROP INDEX fact_name;
)");
    return m;
  }();
  return dialect == "postgresql" ? *postgresql : *sqlite;
}

const std::vector<std::string>& RegistryMigrations() { return RegistryMigrationsFor("sqlite"); }

bool PersonView::deceased_on(CivilDate d) const {
  auto it = facts.find("death_date");
  return it != facts.end() && it->second.value <= d.ToString();
}

std::string PersonView::name() const {
  auto it = facts.find("name");
  return it == facts.end() ? "" : it->second.value;
}

namespace {

// The columns ConflictFromRow reads, in order.
constexpr const char* kConflictColumns =
    "id, id_number, fact, value_a, source_a, feed_a, row_a, value_b, source_b, feed_b, row_b, "
    "status";

Conflict ConflictFromRow(const Row& r) {
  Conflict c;
  c.id = r.AsInt(0);
  c.id_number = r.AsText(1);
  c.fact = r.AsText(2);
  c.a = {c.fact, r.AsText(3), "", "", r.AsText(4), r.AsInt(5), static_cast<int>(r.AsInt(6)), ""};
  c.b = {c.fact, r.AsText(7), "", "", r.AsText(8), r.AsInt(9), static_cast<int>(r.AsInt(10)), ""};
  c.status = r.AsText(11);
  return c;
}

}  // namespace

Result<std::unique_ptr<Registry>> Registry::Open(std::string_view url) {
  Result<std::unique_ptr<Database>> db = Database::Open(url);
  if (!db.ok()) return db.status();
  if (Status s = Migrate(**db, RegistryMigrationsFor((*db)->dialect())); !s.ok()) return s;
  std::unique_ptr<Registry> r(new Registry(std::move(*db)));
  if (Status s = r->LoadPrecedence(); !s.ok()) return s;
  return r;
}

Status Registry::LoadPrecedence() {
  precedence_.clear();
  return db_->Query("SELECT fact, source, rank FROM precedence", {}, [&](const Row& r) {
    precedence_[{r.AsText(0), r.AsText(1)}] = static_cast<int>(r.AsInt(2));
    return true;
  });
}

Result<ImportOutcome> Registry::Import(const ParsedFeed& feed, CivilDate recorded_on) {
  if (!feed.problems.empty()) {
    return Status("feed.invalid", fmt::format("数据文件有 {} 处错误，未导入", feed.problems.size()),
                  Location{.file = feed.file_name});
  }
  Result<db::Transaction> tx = db::Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  Result<ImportOutcome> out = ImportInTransaction(feed, recorded_on);
  if (!out.ok() || out->already_imported) return out;  // rolled back
  MaybeKill("import.before_commit");
  if (Status s = tx->Commit(); !s.ok()) return s;
  return out;
}

Result<ImportOutcome> Registry::ImportInTransaction(const ParsedFeed& feed, CivilDate recorded_on) {
  if (!feed.problems.empty()) {
    return Status("feed.invalid", fmt::format("数据文件有 {} 处错误，未导入", feed.problems.size()),
                  Location{.file = feed.file_name});
  }
  Result<ImportOutcome> out = BeginStaging(feed, recorded_on);
  if (!out.ok() || out->already_imported) return out;
  if (Status s = StageFacts(feed.facts, feed.source, out->feed_id, recorded_on.ToString());
      !s.ok()) {
    return s;
  }
  if (Status s = FinishStaging(*out, static_cast<int64_t>(feed.facts.size()), feed.data_rows);
      !s.ok()) {
    return s;
  }
  return out;
}

Result<ImportOutcome> Registry::BeginStaging(const ParsedFeed& feed, CivilDate recorded_on) {
  ImportOutcome out;
  Database& db = *db_;
  // The caller rolls back.
  auto fail = [](Status s) -> Result<ImportOutcome> { return s; };
  const bool pg = db.dialect() == "postgresql";
  if (pg) {
    if (Status s = db.Execute("LOCK TABLE feed IN EXCLUSIVE MODE"); !s.ok()) return fail(s);
  }
  Result<std::vector<Row>> existing = db.QueryAll(
      "SELECT id FROM feed WHERE source = ? AND sha256 = ?", {feed.source, feed.sha256});
  if (!existing.ok()) return fail(existing.status());
  if (!existing->empty()) {
    out.already_imported = true;
    out.feed_id = (*existing)[0].AsInt(0);
    return out;
  }
  Result<std::vector<Row>> next = db.QueryAll("SELECT COALESCE(MAX(id), 0) + 1 FROM feed");
  if (!next.ok()) return fail(next.status());
  out.feed_id = (*next)[0].AsInt(0);
  const std::string recorded = recorded_on.ToString();
  if (Status s = db.Execute(
          "INSERT INTO feed (id, source, file_name, sha256, data_rows, facts_added, recorded_on, "
          "imported_at) "
          "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
          {out.feed_id, feed.source, feed.file_name, feed.sha256,
           static_cast<int64_t>(feed.data_rows), recorded, CivilDate::Today().ToString()});
      !s.ok()) {
    return fail(s);
  }
  // The first feed of a source has nothing to dedupe against: its fact
  // records go straight into `fact` (the back end's bulk path: a prepared
  // INSERT, COPY). A later feed's are staged, and only those its source has
  // not stated before move in (FinishStaging). The people are staged and
  // moved in with one set-based statement.
  const char* stage_ddl =
      "CREATE TEMP TABLE IF NOT EXISTS fact_stage (id_number TEXT, fact TEXT, value TEXT, "
      "valid_from TEXT, valid_to TEXT, source TEXT, feed_id BIGINT, row_no INTEGER, recorded_on "
      "TEXT);"
      "CREATE TEMP TABLE IF NOT EXISTS person_stage (id_number TEXT, sex INTEGER, birth_date TEXT);"
      "DELETE FROM fact_stage; DELETE FROM person_stage;";
  if (Status s = db.Execute(stage_ddl); !s.ok()) return fail(s);
  if (!pg) {
    // The feed's records get the rowids after the largest now (an import
    // is the only writer of fact, in this transaction): where they start.
    if (Status s = db.Execute("UPDATE feed SET fact_first = (SELECT COALESCE(MAX(rowid), 0) + 1 "
                              "FROM fact) WHERE id = ?",
                              {out.feed_id});
        !s.ok()) {
      return fail(s);
    }
  }
  return out;
}

Status Registry::StageFacts(const std::vector<FactRecord>& facts, const std::string& source,
                            int64_t feed_id, const std::string& recorded) {
  Database& db = *db_;
  Result<bool> staged = SourceHasEarlierFeed(db, feed_id);
  if (!staged.ok()) return staged.status();
  const char* target = *staged ? "fact_stage" : "fact";
  // In slices, so the bound values never cost much more than the facts.
  constexpr size_t kSlice = 20'000;
  std::vector<std::vector<Value>> rows;
  std::vector<std::vector<Value>> persons;
  // Written in (ID number, fact) order, the order of fact_person: its
  // B-tree then takes each slice's entries as runs, page after page, rather
  // than one random page each. (Nothing reads the records in the order they
  // were written: every read orders by its columns.)
  std::vector<uint32_t> order(facts.size());
  for (size_t i = 0; i < facts.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    int c = facts[a].id_number.compare(facts[b].id_number);
    return c != 0 ? c < 0 : facts[a].fact < facts[b].fact;
  });
  for (size_t begin = 0; begin < facts.size(); begin += kSlice) {
    const size_t end = std::min(facts.size(), begin + kSlice);
    rows.clear();
    persons.clear();
    rows.reserve(end - begin);
    std::string last_id;
    for (size_t i = begin; i < end; ++i) {
      const FactRecord& f = facts[order[i]];
      rows.push_back({f.id_number, f.fact, f.value, f.valid_from,
                      f.valid_to.empty() ? Value{} : Value{f.valid_to}, source, feed_id,
                      static_cast<int64_t>(f.row), recorded});
      // A person_stage row for each run of one person's records (the same
      // person may come again: FinishStaging takes distinct ones).
      if (f.id_number != last_id) {
        auto [birth, sex] = BirthAndSex(f.id_number);
        persons.push_back({f.id_number, sex, birth});
        last_id = f.id_number;
      }
    }
    if (Status s = db.BulkInsert(target,
                                 {"id_number", "fact", "value", "valid_from", "valid_to", "source",
                                  "feed_id", "row_no", "recorded_on"},
                                 rows);
        !s.ok()) {
      return s;
    }
    if (Status s = db.BulkInsert("person_stage", {"id_number", "sex", "birth_date"}, persons);
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status Registry::FinishStaging(ImportOutcome& out, int64_t staged, int64_t data_rows) {
  Database& db = *db_;
  const bool pg = db.dialect() == "postgresql";
  // A feed much smaller than the registry (a province's feeds, city by
  // city) must cost in proportion to the feed, not to the registry: the
  // anti-joins below go through the indexes one staged row at a time. On
  // PostgreSQL the planner is told so: the staging tables keep the pages of
  // every earlier feed (DELETE does not shrink them), so it takes them for
  // large and would hash the whole of fact or person instead. `known_rows`
  // is fact's size as of its last ANALYZE.
  int64_t known_rows = 0;
  if (pg) {
    Result<std::vector<Row>> known = db.QueryAll(
        "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = 'fact'::regclass");
    if (!known.ok()) return known.status();
    known_rows = (*known)[0].AsInt(0);
  }
  const bool small_feed = pg && staged * 4 < known_rows;
  auto index_probes = [&](bool on) {
    return !small_feed ? Status::Ok()
                       : db.Execute(on ? "SET LOCAL enable_hashjoin = off; SET LOCAL "
                                         "enable_mergejoin = off"
                                       : "SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL "
                                         "enable_mergejoin TO DEFAULT");
  };
  if (Status s = index_probes(true); !s.ok()) return s;
  // The people this feed adds, counted before they are added (a count of
  // person by first_feed afterwards would read every person).
  Result<std::vector<Row>> new_people = db.QueryAll(
      "SELECT COUNT(DISTINCT s.id_number) FROM person_stage s WHERE NOT EXISTS (SELECT 1 FROM "
      "person p WHERE p.id_number = s.id_number)");
  if (!new_people.ok()) return new_people.status();
  out.persons_added = (*new_people)[0].AsInt(0);
  if (Status s =
          db.Execute("INSERT INTO person (id_number, sex, birth_date, first_feed) "
                     "SELECT s.id_number, MIN(s.sex), MIN(s.birth_date), ? FROM person_stage s "
                     "WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.id_number = s.id_number) "
                     "GROUP BY s.id_number",
                     {out.feed_id});
      !s.ok()) {
    return s;
  }
  // Dedupe: of a later feed of its source, only the records the source has
  // not stated identically before (same fact, value and period) move in.
  // Records repeated within the feed all stay, as before.
  Result<bool> restates = SourceHasEarlierFeed(db, out.feed_id);
  if (!restates.ok()) return restates.status();
  if (*restates) {
    if (Status s = db.Execute(
            "INSERT INTO fact (id_number, fact, value, valid_from, valid_to, source, feed_id, "
            "row_no, recorded_on) SELECT s.id_number, s.fact, s.value, s.valid_from, s.valid_to, "
            "s.source, s.feed_id, s.row_no, s.recorded_on FROM fact_stage s WHERE NOT EXISTS "
            "(SELECT 1 FROM fact f WHERE f.id_number = s.id_number AND f.fact = s.fact AND "
            "f.source = s.source AND f.value = s.value AND f.valid_from = s.valid_from AND "
            "COALESCE(f.valid_to, '') = COALESCE(s.valid_to, ''))");
        !s.ok()) {
      return s;
    }
  }
  if (Status s = index_probes(false); !s.ok()) return s;
  // Only another source's record can disagree: none before its first feed.
  Result<std::vector<Row>> others = db.QueryAll(
      "SELECT COUNT(*) FROM feed WHERE source <> (SELECT source FROM feed WHERE id = ?)",
      {out.feed_id});
  if (!others.ok()) return others.status();
  const bool other_sources = (*others)[0].AsInt(0) > 0;
  if (pg && other_sources && staged * 2 > known_rows) {
    // The planner's figures for the conflict join below, after a bulk load
    // that is a large part of the table (ANALYZE reads a sample of the whole
    // table: once per feed it would cost a province's import as much as its
    // rows; smaller feeds leave it to autovacuum's ANALYZE after commits).
    if (Status s = db.Execute("ANALYZE fact"); !s.ok()) return s;
  }
  MaybeKill("import.after_facts");

  // The records of this feed, as `n`: on SQLite those after the rowids
  // there were before it (no B-tree on feed_id), on PostgreSQL by the BRIN
  // index on feed_id.
  int64_t first_rowid = 0;
  if (!pg) {
    Result<std::vector<Row>> first =
        db.QueryAll("SELECT fact_first FROM feed WHERE id = ?", {out.feed_id});
    if (!first.ok()) return first.status();
    first_rowid = (*first)[0].AsInt(0);
  }
  const std::string feed_records =
      pg ? "n.feed_id = ?" : fmt::format("n.rowid >= {} AND n.feed_id = ?", first_rowid);
  Result<std::vector<Row>> counts = db.QueryAll(
      fmt::format("SELECT (SELECT COUNT(*) FROM fact n WHERE {}), (SELECT COALESCE(MAX(id), 0) "
                  "FROM conflict)",
                  feed_records),
      {out.feed_id});
  if (!counts.ok()) return counts.status();
  out.facts_added = (*counts)[0].AsInt(0);
  out.facts_unchanged = staged - out.facts_added;
  int64_t last_conflict = (*counts)[0].AsInt(1);
  if (!pg) {
    // Where this feed's records lie (PersonsOfFeeds): the rowids after
    // those before it, up to the largest now.
    if (Status s = db.Execute(
            "UPDATE feed SET fact_first = CASE WHEN ? > 0 THEN fact_first END, fact_last = CASE "
            "WHEN ? > 0 THEN (SELECT MAX(rowid) FROM fact) END WHERE id = ?",
            {out.facts_added, out.facts_added, out.feed_id});
        !s.ok()) {
      return s;
    }
  }

  // Disagreements with other sources over overlapping periods. A name as
  // the department wrote it (name_written: dots not normalised) is kept for
  // the record, never compared.
  // (SQLite: CROSS JOIN keeps this feed's records, read by their rowids,
  // the outer loop; the unary + keeps it from reading every record through
  // fact_person instead, to save the sort.)
  if (Status s =
          !other_sources
              ? Status::Ok()
              : db.Execute(
                    fmt::format(
                        "INSERT INTO conflict (id, id_number, fact, value_a, source_a, feed_a, "
                        "row_a, value_b, source_b, feed_b, row_b, detected_feed, status) SELECT ? "
                        "+ ROW_NUMBER() OVER (ORDER BY {}n.id_number, n.fact, o.feed_id, o.row_no, "
                        "n.row_no), n.id_number, n.fact, o.value, o.source, o.feed_id, o.row_no, "
                        "n.value, n.source, n.feed_id, n.row_no, ?, 'open' FROM fact n {} fact o "
                        "ON o.id_number = n.id_number AND o.fact = n.fact AND o.source <> "
                        "n.source AND o.value <> n.value WHERE {} AND n.fact <> 'name_written' "
                        "AND (o.valid_to IS NULL OR o.valid_to >= n.valid_from) AND (n.valid_to "
                        "IS NULL OR n.valid_to >= o.valid_from)",
                        pg ? "" : "+", pg ? "JOIN" : "CROSS JOIN", feed_records),
                    {last_conflict, out.feed_id, out.feed_id});
      !s.ok()) {
    return s;
  }
  Result<std::vector<Row>> conflicts =
      db.QueryAll("SELECT COUNT(*) FROM conflict WHERE id > ?", {last_conflict});
  if (!conflicts.ok()) return conflicts.status();
  out.conflicts_added = (*conflicts)[0].AsInt(0);
  return db.Execute("UPDATE feed SET facts_added = ?, data_rows = ? WHERE id = ?",
                    {out.facts_added, data_rows, out.feed_id});
}

Result<ImportOutcome> Registry::ImportBytes(
    std::string_view bytes, const std::string& file_name, std::string_view source, CivilDate today,
    CivilDate recorded_on, ParsedFeed& parsed,
    const std::function<void(const FeedProgress&)>& progress) {
  parsed = ParsedFeed{};
  parsed.source = std::string(source);
  parsed.file_name = file_name;
  parsed.sha256 = Sha256Hex(bytes);
  if (FindTemplate(source) == nullptr) {
    // ReadFeedBytes names the known sources.
    Result<ParsedFeed> unknown = ReadFeedBytes("", file_name, source, today);
    return unknown.status();
  }
  Result<db::Transaction> tx = db::Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  // Every failure below leaves with `tx` uncommitted: it rolls back.
  auto fail = [](Status s) -> Result<ImportOutcome> { return s; };
  Result<ImportOutcome> out = BeginStaging(parsed, recorded_on);
  if (!out.ok() || out->already_imported) return out;
  const std::string recorded = recorded_on.ToString();
  int64_t staged = 0;
  FeedOptions options;
  options.progress = [&](const FeedProgress& p) {
    if (progress) progress(FeedProgress{p.rows, 0, bytes.size()});
  };
  options.sink = [&](std::vector<FactRecord>& facts) {
    staged += static_cast<int64_t>(facts.size());
    return StageFacts(facts, parsed.source, out->feed_id, recorded);
  };
  Result<ParsedFeed> read = ReadFeedBytes(bytes, file_name, source, today, options);
  if (!read.ok()) return fail(read.status());
  std::string sha = parsed.sha256;
  parsed = std::move(*read);
  parsed.sha256 = sha;
  if (parsed.problem_count > 0) {
    return fail(Status("feed.invalid",
                       fmt::format("数据文件有 {} 处错误，未导入", parsed.problem_count),
                       Location{.file = file_name}));
  }
  if (Status s = FinishStaging(*out, staged, parsed.data_rows); !s.ok()) return fail(s);
  MaybeKill("import.before_commit");
  if (Status s = tx->Commit(); !s.ok()) return fail(s);
  return out;
}

int Registry::Rank(std::string_view fact, std::string_view source) const {
  auto it = precedence_.find({std::string(fact), std::string(source)});
  return it == precedence_.end() ? kUnrankedSource : it->second;
}

void Registry::Resolve(const std::vector<StoredFact>& records, CivilDate as_of,
                       PersonView& out) const {
  const std::string d = as_of.ToString();
  auto better = [&](const StoredFact& a, const StoredFact& b) {
    return Preferred({Rank(a.fact, a.source), a.valid_from, a.feed_id, a.row},
                     {Rank(b.fact, b.source), b.valid_from, b.feed_id, b.row});
  };
  std::vector<const StoredFact*> applying;
  for (const StoredFact& f : records) {
    bool applies = f.fact == "death_date"
                       ? f.value <= d
                       : f.valid_from <= d && (f.valid_to.empty() || f.valid_to >= d);
    if (!applies) continue;
    applying.push_back(&f);
    auto it = out.facts.find(f.fact);
    if (it == out.facts.end()) {
      out.facts.emplace(f.fact, f);
    } else if (better(f, it->second)) {
      it->second = f;
    }
  }
  for (const StoredFact* f : applying) {
    const StoredFact& chosen = out.facts.at(f->fact);
    if (f->source != chosen.source && f->value != chosen.value) out.overruled.push_back(*f);
  }
}

Result<std::optional<PersonView>> Registry::Person(std::string_view id_number, CivilDate as_of,
                                                   CivilDate known_on) {
  Result<std::vector<Row>> p = db_->QueryAll(
      "SELECT sex, birth_date FROM person WHERE id_number = ?", {std::string(id_number)});
  if (!p.ok()) return p.status();
  if (p->empty()) return std::optional<PersonView>();
  std::vector<StoredFact> records;
  Status s =
      db_->Query(fmt::format("SELECT {} FROM fact f WHERE f.id_number = ? AND f.recorded_on <= ? "
                             "ORDER BY f.fact, f.feed_id, f.row_no",
                             kFactColumns),
                 {std::string(id_number), known_on.ToString()}, [&](const Row& r) {
                   records.push_back(FactFromRow(r, 0));
                   return true;
                 });
  if (!s.ok()) return s;
  if (records.empty()) return std::optional<PersonView>();  // not yet known on that date
  PersonView v;
  v.id_number = std::string(id_number);
  v.sex = (*p)[0].AsInt(0) == 0 ? Sex::kMale : Sex::kFemale;
  v.birth_date = CivilDate::Parse((*p)[0].AsText(1)).value_or(CivilDate());
  Resolve(records, as_of, v);
  return std::optional<PersonView>(std::move(v));
}

Result<std::vector<StoredFact>> Registry::History(std::string_view id_number) {
  std::vector<StoredFact> records;
  Status s = db_->Query(fmt::format("SELECT {} FROM fact f WHERE f.id_number = ? "
                                    "ORDER BY f.fact, f.valid_from, f.feed_id, f.row_no",
                                    kFactColumns),
                        {std::string(id_number)}, [&](const Row& r) {
                          records.push_back(FactFromRow(r, 0));
                          return true;
                        });
  if (!s.ok()) return s;
  return records;
}

Result<std::vector<Conflict>> Registry::Conflicts(size_t limit) {
  std::vector<Conflict> out;
  Status s =
      db_->Query(fmt::format("SELECT {} FROM conflict WHERE status = 'open' ORDER BY id LIMIT ?",
                             kConflictColumns),
                 {static_cast<int64_t>(limit)}, [&](const Row& r) {
                   out.push_back(ConflictFromRow(r));
                   return true;
                 });
  if (!s.ok()) return s;
  return out;
}

Status Registry::ForEachPerson(CivilDate as_of, CivilDate known_on,
                               const std::function<void(const PersonView&)>& visit,
                               int64_t max_feed_id) {
  PersonView current;
  std::vector<StoredFact> records;
  auto flush = [&] {
    if (!current.id_number.empty() && !records.empty()) {
      Resolve(records, as_of, current);
      visit(current);
    }
    records.clear();
  };
  Status s = db_->Query(
      fmt::format("SELECT p.id_number, p.sex, p.birth_date, {} FROM person p JOIN fact f ON "
                  "f.id_number = p.id_number WHERE f.recorded_on <= ? AND f.feed_id <= ? ORDER BY "
                  "p.id_number",
                  kFactColumns),
      {known_on.ToString(), max_feed_id}, [&](const Row& r) {
        std::string id = r.AsText(0);
        if (id != current.id_number) {
          flush();
          current = PersonView();
          current.id_number = id;
          current.sex = r.AsInt(1) == 0 ? Sex::kMale : Sex::kFemale;
          current.birth_date = CivilDate::Parse(r.AsText(2)).value_or(CivilDate());
        }
        records.push_back(FactFromRow(r, 3));
        return true;
      });
  if (!s.ok()) return s;
  flush();
  return Status::Ok();
}

namespace {

// The people of a bulk read: ID numbers back to back, found by number. An
// ID number of 17 digits and a check character (0-9 or X) is one 64-bit key
// in an open addressing table (one memory access per lookup); any other
// text the person table might hold is found in a map.
class PersonIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  void Add(std::string_view id) {
    starts_.push_back(text_.size());
    text_.append(id);
  }
  size_t size() const { return starts_.size(); }
  std::string_view Id(size_t i) const {
    size_t end = i + 1 < starts_.size() ? starts_[i + 1] : text_.size();
    return std::string_view(text_).substr(starts_[i], end - starts_[i]);
  }
  void Build() {
    size_t capacity = 16;
    while (capacity < 2 * starts_.size()) capacity *= 2;
    slots_.assign(capacity, Slot{0, kNone});
    for (size_t i = 0; i < starts_.size(); ++i) {
      std::string_view id = Id(i);
      uint64_t key = Key(id);
      if (key == 0) {
        others_.emplace(std::string(id), static_cast<uint32_t>(i));
        continue;
      }
      size_t h = Hash(key) & (capacity - 1);
      while (slots_[h].index != kNone) h = (h + 1) & (capacity - 1);
      slots_[h] = Slot{key, static_cast<uint32_t>(i)};
    }
  }
  // The index of `id`, or kNone.
  uint32_t Find(std::string_view id) const {
    uint64_t key = Key(id);
    if (key == 0) {
      auto it = others_.find(std::string(id));
      return it == others_.end() ? kNone : it->second;
    }
    const size_t mask = slots_.size() - 1;
    for (size_t h = Hash(key) & mask;; h = (h + 1) & mask) {
      const Slot& slot = slots_[h];
      if (slot.index == kNone || slot.key == key) return slot.index;
    }
  }

 private:
  struct Slot {
    uint64_t key;
    uint32_t index;
  };
  // 1 + the 17 digits, times 11, plus the check character (X = 10); 0 for
  // any other text. Distinct IDs get distinct keys.
  static uint64_t Key(std::string_view id) {
    if (id.size() != 18) return 0;
    uint64_t v = 1;
    for (size_t i = 0; i < 17; ++i) {
      unsigned digit = static_cast<unsigned char>(id[i]) - '0';
      if (digit > 9) return 0;
      v = v * 10 + digit;
    }
    unsigned check = static_cast<unsigned char>(id[17]) - '0';
    if (id[17] == 'X') check = 10;
    if (check > 10) return 0;
    return v * 11 + check;
  }
  static size_t Hash(uint64_t key) { return (key * 0x9E3779B97F4A7C15ULL) >> 20; }

  std::string text_;
  std::vector<size_t> starts_;
  std::vector<Slot> slots_;
  std::unordered_map<std::string, uint32_t> others_;
};

// Hashing for text keys looked up by string_view without a copy.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
};

// valid_from as a number: a date written YYYY-MM-DD as YYYYMMDD (numbers
// order as the texts do), anything else kNotADate (then interned, with the
// kInterned bit).
constexpr uint32_t kNotADate = UINT32_MAX, kInterned = 0x80000000u;
uint32_t PackDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return kNotADate;
  uint32_t v = 0;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    unsigned digit = static_cast<unsigned char>(t[i]) - '0';
    if (digit > 9) return kNotADate;
    v = v * 10 + digit;
  }
  return v;
}
std::string_view UnpackDate(uint32_t v, char* text) {
  for (size_t i : {9u, 8u, 6u, 5u, 3u, 2u, 1u, 0u}) {
    text[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  text[4] = text[7] = '-';
  return {text, 10};
}

// A record that applies, compactly: its person, fact and encoded value, and
// what Preferred needs (valid_from packed or interned, the feed by its
// number in a table of feeds seen).
struct Candidate {
  uint32_t person;
  int32_t code;
  uint32_t valid_from;
  int32_t row;
  uint32_t feed;
  uint16_t rank;
  uint8_t fact;
};

}  // namespace

Status Registry::ForEachPersonCoded(CivilDate as_of, CivilDate known_on,
                                    const std::vector<std::string>& facts,
                                    const std::function<int32_t(size_t, std::string_view)>& encode,
                                    const std::function<void(const CodedPerson&)>& visit,
                                    int64_t max_feed_id) {
  if (facts.empty() || facts.size() > UINT8_MAX) {
    return Status("registry.bulk", fmt::format("一次读取 1 至 {} 项登记事项", UINT8_MAX));
  }
  const std::string d = as_of.ToString(), k = known_on.ToString();
  // Dates compare as bytes, as Resolve compares them (PostgreSQL would
  // otherwise use the database's collation).
  const char* c = db_->dialect() == "postgresql" ? " COLLATE \"C\"" : "";

  // 1. The people known on `known_on`, in ID order: those with a record of
  // a counted feed. An import adds a person together with the records that
  // name them, so a person whose first feed counts is known; only the others
  // need the per-person search.
  PersonIndex people;
  std::vector<uint8_t> female;
  std::vector<CivilDate> birth;
  Status s = db_->Scan(
      fmt::format("SELECT p.id_number, p.sex, p.birth_date FROM person p WHERE p.first_feed IN "
                  "(SELECT id FROM feed WHERE recorded_on{0} <= ? AND id <= ?) OR EXISTS "
                  "(SELECT 1 FROM fact f WHERE f.id_number = p.id_number AND f.recorded_on{0} <= "
                  "? AND f.feed_id <= ?) ORDER BY p.id_number",
                  c),
      {k, max_feed_id, k, max_feed_id}, [&](const RowView& r) {
        people.Add(r.Text(0));
        female.push_back(r.Int(1) == 0 ? 0 : 1);
        birth.push_back(CivilDate::Parse(r.Text(2)).value_or(CivilDate()));
        return true;
      });
  if (!s.ok()) return s;
  people.Build();

  // 2. Every record of the facts asked for that applies on `as_of` (the
  // test of Resolve), in no particular order: one pass over the table (the
  // unary + keeps SQLite from reading it through the feed index, a random
  // access per record).
  std::unordered_map<std::string, uint8_t, TextHash, std::equal_to<>> fact_index;
  for (size_t i = 0; i < facts.size(); ++i) fact_index.emplace(facts[i], static_cast<uint8_t>(i));
  std::vector<std::vector<std::pair<std::string, int>>> ranks(facts.size());
  for (const auto& [key, rank] : precedence_) {
    auto it = fact_index.find(key.first);
    if (it != fact_index.end()) ranks[it->second].emplace_back(key.second, rank);
  }
  std::unordered_map<std::string, uint32_t, TextHash, std::equal_to<>> valid_from_ids;
  std::vector<std::string_view> valid_froms;  // by id: the keys of valid_from_ids
  std::vector<int64_t> feeds;                 // feeds seen, by number
  int64_t last_feed = INT64_MIN;
  uint32_t last_feed_number = 0;
  std::vector<Candidate> candidates;
  std::vector<Value> params = {k, max_feed_id};
  for (const std::string& f : facts) params.emplace_back(f);
  params.insert(params.end(), {d, d, d});
  s = db_->Scan(
      fmt::format(
          "SELECT f.id_number, f.fact, f.value, f.valid_from, f.source, f.feed_id, f.row_no FROM "
          "fact f WHERE f.recorded_on{0} <= ? AND +f.feed_id <= ? AND f.fact IN ({1}) AND CASE "
          "WHEN f.fact = 'death_date' THEN f.value{0} <= ? ELSE f.valid_from{0} <= ? AND "
          "(f.valid_to IS NULL OR f.valid_to = '' OR f.valid_to{0} >= ?) END",
          c, fmt::join(std::vector<std::string_view>(facts.size(), "?"), ", ")),
      params, [&](const RowView& r) {
        uint32_t person = people.Find(r.Text(0));
        auto fact = fact_index.find(r.Text(1));
        if (person == PersonIndex::kNone || fact == fact_index.end()) return true;
        Candidate cand{};
        cand.person = person;
        cand.fact = fact->second;
        cand.code = encode(fact->second, r.Text(2));
        std::string_view valid_from = r.Text(3);
        cand.valid_from = PackDate(valid_from);
        if (cand.valid_from == kNotADate) {
          auto vf = valid_from_ids.find(valid_from);
          if (vf == valid_from_ids.end()) {
            vf = valid_from_ids
                     .emplace(std::string(valid_from), static_cast<uint32_t>(valid_froms.size()))
                     .first;
            valid_froms.push_back(vf->first);
          }
          cand.valid_from = kInterned | vf->second;
        }
        std::string_view source = r.Text(4);
        int rank = kUnrankedSource;
        for (const auto& [name, rk] : ranks[fact->second]) {
          if (name == source) rank = rk;
        }
        cand.rank = static_cast<uint16_t>(std::clamp(rank, 0, static_cast<int>(UINT16_MAX)));
        int64_t feed = r.Int(5);
        if (feed != last_feed) {
          auto it = std::find(feeds.begin(), feeds.end(), feed);
          if (it == feeds.end()) it = feeds.insert(it, feed);
          last_feed = feed;
          last_feed_number = static_cast<uint32_t>(it - feeds.begin());
        }
        cand.feed = last_feed_number;
        cand.row = static_cast<int32_t>(r.Int(6));
        candidates.push_back(cand);
        return true;
      });
  if (!s.ok()) return s;

  // 3. Per person (the candidates grouped by a counting sort), the record
  // Preferred chooses for each fact; every person visited in ID order.
  std::vector<uint32_t> start(people.size() + 1, 0);
  for (const Candidate& cand : candidates) ++start[cand.person + 1];
  for (size_t i = 0; i < people.size(); ++i) start[i + 1] += start[i];
  std::vector<uint32_t> order(candidates.size());
  {
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (size_t i = 0; i < candidates.size(); ++i)
      order[next[candidates[i].person]++] = static_cast<uint32_t>(i);
  }
  std::vector<int32_t> codes(facts.size());
  std::vector<const Candidate*> chosen(facts.size());
  char text_a[10], text_b[10];
  auto key = [&](const Candidate& cand, char* text) {
    std::string_view valid_from = (cand.valid_from & kInterned) != 0
                                      ? valid_froms[cand.valid_from & ~kInterned]
                                      : UnpackDate(cand.valid_from, text);
    return ChoiceKey{cand.rank, valid_from, feeds[cand.feed], cand.row};
  };
  for (size_t p = 0; p < people.size(); ++p) {
    std::fill(chosen.begin(), chosen.end(), nullptr);
    for (uint32_t i = start[p]; i < start[p + 1]; ++i) {
      const Candidate& cand = candidates[order[i]];
      const Candidate*& best = chosen[cand.fact];
      if (best == nullptr || Preferred(key(cand, text_a), key(*best, text_b))) best = &cand;
    }
    for (size_t f = 0; f < facts.size(); ++f) {
      codes[f] = chosen[f] == nullptr ? CodedPerson::kNoRecord : chosen[f]->code;
    }
    visit(CodedPerson{people.Id(p), female[p] ? Sex::kFemale : Sex::kMale, birth[p], codes.data()});
  }
  return Status::Ok();
}

Result<int64_t> Registry::LatestFeedId() {
  Result<std::vector<Row>> rows = db_->QueryAll("SELECT MAX(id) FROM feed");
  if (!rows.ok()) return rows.status();
  return rows->empty() || (*rows)[0].IsNull(0) ? int64_t{0} : (*rows)[0].AsInt(0);
}

Result<std::map<std::string, std::string>> Registry::ChosenValues(std::string_view fact,
                                                                  const std::set<std::string>& ids,
                                                                  CivilDate as_of,
                                                                  CivilDate known_on,
                                                                  int64_t max_feed_id) {
  std::map<std::string, StoredFact> chosen;
  const std::string d = as_of.ToString();
  auto take = [&](const Row& r) {
    std::string id = r.AsText(0);
    StoredFact f = FactFromRow(r, 1);
    bool applies = f.fact == "death_date"
                       ? f.value <= d
                       : f.valid_from <= d && (f.valid_to.empty() || f.valid_to >= d);
    if (!applies) return true;
    auto [it, inserted] = chosen.try_emplace(id, f);
    if (!inserted && Preferred({Rank(f.fact, f.source), f.valid_from, f.feed_id, f.row},
                               {Rank(it->second.fact, it->second.source), it->second.valid_from,
                                it->second.feed_id, it->second.row}))
      it->second = std::move(f);
    return true;
  };
  // The people's records through fact_person (ID number, fact), a slice of
  // IDs at a time: a month's rolls name tens of thousands of a city's
  // people, and reading every record of the fact (a scan of the table, the
  // index leads with the ID number) cost a minute at scale 1.
  constexpr size_t kSlice = 500;
  std::vector<Value> params;
  std::string sql;
  auto it = ids.begin();
  while (it != ids.end()) {
    params = {std::string(fact), known_on.ToString(), max_feed_id};
    sql = fmt::format(
        "SELECT f.id_number, {} FROM fact f WHERE f.fact = ? AND f.recorded_on <= ? AND "
        "f.feed_id <= ? AND f.id_number IN (",
        kFactColumns);
    for (size_t n = 0; n < kSlice && it != ids.end(); ++n, ++it) {
      sql += n == 0 ? "?" : ", ?";
      params.emplace_back(*it);
    }
    sql += ")";
    if (Status s = db_->Query(sql, params, take); !s.ok()) return s;
  }
  std::map<std::string, std::string> out;
  for (auto& [id, f] : chosen) out.emplace(id, std::move(f.value));
  return out;
}

Result<std::string> Registry::Checksum() {
  static const std::pair<const char*, const char*> kTables[] = {
      {"feed",
       "SELECT id, source, file_name, sha256, data_rows, facts_added, recorded_on FROM feed ORDER "
       "BY id"},
      {"person", "SELECT id_number, sex, birth_date, first_feed FROM person ORDER BY id_number"},
      {"fact",
       "SELECT id_number, fact, value, valid_from, valid_to, source, feed_id, row_no, recorded_on "
       "FROM fact "
       "ORDER BY feed_id, row_no, fact"},
      {"conflict",
       "SELECT id, id_number, fact, value_a, source_a, value_b, source_b, status FROM conflict "
       "ORDER BY id"},
  };
  std::string text, summary;
  for (const auto& [table, sql] : kTables) {
    int64_t rows = 0;
    Status s = db_->Query(sql, {}, [&](const Row& r) {
      ++rows;
      for (size_t i = 0; i < r.values.size(); ++i)
        text += (r.IsNull(i) ? "\\N" : r.AsText(i)) + "\t";
      text += "\n";
      return true;
    });
    if (!s.ok()) return s;
    summary += fmt::format("{} {} ", table, rows);
  }
  return summary + Sha256Hex(text);
}

Result<std::map<std::string, std::vector<std::string>>> Registry::Precedence() {
  std::map<std::string, std::vector<std::string>> out;
  Status s =
      db_->Query("SELECT fact, source FROM precedence ORDER BY fact, rank", {}, [&](const Row& r) {
        out[r.AsText(0)].push_back(r.AsText(1));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Status Registry::SetPrecedence(std::string_view fact, const std::vector<std::string>& sources) {
  if (fact != "name" && FactLabel(fact) == fact) {
    return Status("registry.fact", fmt::format("没有名为「{}」的登记事项", fact),
                  Location{.value = std::string(fact)});
  }
  for (const std::string& source : sources) {
    if (FindTemplate(source) == nullptr && source != kAssessmentSource) {
      return Status("registry.source", fmt::format("未知的数据来源部门「{}」", source),
                    Location{.value = source});
    }
  }
  Status s = db::InTransaction(*db_, [&] {
    Status d = db_->Execute("DELETE FROM precedence WHERE fact = ?", {std::string(fact)});
    for (size_t i = 0; d.ok() && i < sources.size(); ++i) {
      d = db_->Execute("INSERT INTO precedence (fact, source, rank) VALUES (?, ?, ?)",
                       {std::string(fact), sources[i], static_cast<int64_t>(i + 1)});
    }
    return d;
  });
  if (!s.ok()) return s;
  return LoadPrecedence();
}

Status Registry::ResolveConflict(int64_t id, std::string_view note) {
  Result<std::vector<Row>> open =
      db_->QueryAll("SELECT COUNT(*) FROM conflict WHERE id = ? AND status = 'open'", {id});
  if (!open.ok()) return open.status();
  if ((*open)[0].AsInt(0) == 0) {
    return Status("registry.conflict", fmt::format("没有编号为 {} 的待处理冲突", id),
                  Location{.value = std::to_string(id)});
  }
  return db_->Execute("UPDATE conflict SET status = 'resolved', resolution = ? WHERE id = ?",
                      {std::string(note), id});
}

int64_t Registry::PersonCount() {
  Result<std::vector<Row>> r = db_->QueryAll("SELECT COUNT(*) FROM person");
  return r.ok() && !r->empty() ? (*r)[0].AsInt(0) : 0;
}

// --- Person search, for the platform server -------------------------------

namespace {

// Appends `filter` to `where` with AND, and its values to `params`.
void AndFilter(const SqlFilter& filter, std::string& where, std::vector<Value>& params) {
  where += where.empty() ? " WHERE " : " AND ";
  where += "(" + filter.sql + ")";
  params.insert(params.end(), filter.params.begin(), filter.params.end());
}

size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

SqlFilter ResidenceFilter(std::string_view region, bool exact, CivilDate on) {
  const std::string d = on.ToString();
  SqlFilter f;
  f.sql =
      "EXISTS (SELECT 1 FROM fact r WHERE r.id_number = p.id_number AND r.fact = "
      "'residence_region' AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to >= ?) AND ";
  f.params = {d, d};
  std::string end = db::DigitPrefixEnd(region);
  if (exact) {
    f.sql += "r.value = ?";
    f.params.push_back(std::string(region));
  } else if (end.empty()) {
    f.sql += "r.value >= ?";
    f.params.push_back(std::string(region));
  } else {
    f.sql += "r.value >= ? AND r.value < ?";
    f.params.push_back(std::string(region));
    f.params.push_back(end);
  }
  // No later record that holds on the same day replaces it.
  f.sql +=
      " AND NOT EXISTS (SELECT 1 FROM fact r2 WHERE r2.id_number = r.id_number AND r2.fact = "
      "'residence_region' AND r2.valid_from <= ? AND (r2.valid_to IS NULL OR r2.valid_to >= ?) "
      "AND (r2.valid_from > r.valid_from OR (r2.valid_from = r.valid_from AND (r2.feed_id > "
      "r.feed_id OR (r2.feed_id = r.feed_id AND r2.row_no > r.row_no))))))";
  f.params.push_back(d);
  f.params.push_back(d);
  return f;
}

Result<PersonPage> Registry::SearchPersons(const PersonSearch& search) {
  std::string where;
  std::vector<Value> params;
  if (!search.name.empty() && db_->dialect() == "sqlite" &&
      static_cast<unsigned char>(search.name.back()) != 0xFF) {
    // The same people, found from the names (index fact_name, migration 3)
    // rather than by probing every person: SQLite compares text bytewise,
    // so the values that start with the name are those in [name, end),
    // `end` the name with its last byte raised (never 0xFF in UTF-8).
    std::string end = search.name;
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
    AndFilter({"p.id_number IN (SELECT n.id_number FROM fact n WHERE n.fact = 'name' AND "
               "n.value >= ? AND n.value < ? AND substr(n.value, 1, ?) = ?)",
               {search.name, end, static_cast<int64_t>(CodePoints(search.name)), search.name}},
              where, params);
  } else if (!search.name.empty()) {
    AndFilter({"EXISTS (SELECT 1 FROM fact n WHERE n.id_number = p.id_number AND n.fact = 'name' "
               "AND substr(n.value, 1, ?) = ?)",
               {static_cast<int64_t>(CodePoints(search.name)), search.name}},
              where, params);
  }
  if (!search.id_prefix.empty()) {
    if (search.id_prefix.size() == 18) {
      AndFilter({"p.id_number = ?", {search.id_prefix}}, where, params);
    } else {
      AndFilter({"substr(p.id_number, 1, ?) = ?",
                 {static_cast<int64_t>(search.id_prefix.size()), search.id_prefix}},
                where, params);
    }
  }
  if (!search.region.empty())
    AndFilter(ResidenceFilter(search.region, false, search.on), where, params);
  for (const SqlFilter& f : search.filters) AndFilter(f, where, params);

  PersonPage page;
  Result<std::vector<Row>> total = db_->QueryAll("SELECT COUNT(*) FROM person p" + where, params);
  if (!total.ok()) return total.status();
  page.total = (*total)[0].AsInt(0);
  params.push_back(std::max<int64_t>(0, search.limit));
  params.push_back(std::max<int64_t>(0, search.offset));
  Status s = db_->Query(
      "SELECT p.id_number FROM person p" + where + " ORDER BY p.id_number LIMIT ? OFFSET ?", params,
      [&](const Row& r) {
        page.ids.push_back(r.AsText(0));
        return true;
      });
  if (!s.ok()) return s;
  return page;
}

Result<bool> Registry::PersonPasses(std::string_view id_number,
                                    const std::vector<SqlFilter>& filters) {
  std::string where;
  std::vector<Value> params;
  AndFilter({"p.id_number = ?", {std::string(id_number)}}, where, params);
  for (const SqlFilter& f : filters) AndFilter(f, where, params);
  Result<std::vector<Row>> r = db_->QueryAll("SELECT COUNT(*) FROM person p" + where, params);
  if (!r.ok()) return r.status();
  return (*r)[0].AsInt(0) > 0;
}

Result<std::vector<Conflict>> Registry::ConflictsOf(std::string_view id_number) {
  std::vector<Conflict> out;
  Status s = db_->Query(
      fmt::format("SELECT {} FROM conflict WHERE id_number = ? ORDER BY id", kConflictColumns),
      {std::string(id_number)}, [&](const Row& r) {
        out.push_back(ConflictFromRow(r));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<Registry::PersonRecord> Registry::PersonWithHistory(std::string_view id_number,
                                                           CivilDate as_of, CivilDate known_on) {
  PersonRecord out;
  PersonView v;
  std::vector<StoredFact> known;
  const std::string k = known_on.ToString();
  Status s = db_->Query(
      fmt::format("SELECT p.sex, p.birth_date, {} FROM person p JOIN fact f ON f.id_number = "
                  "p.id_number WHERE p.id_number = ? ORDER BY f.fact, f.valid_from, f.feed_id, "
                  "f.row_no",
                  kFactColumns),
      {std::string(id_number)}, [&](const Row& r) {
        if (out.history.empty()) {
          v.sex = r.AsInt(0) == 0 ? Sex::kMale : Sex::kFemale;
          v.birth_date = CivilDate::Parse(r.AsText(1)).value_or(CivilDate());
        }
        out.history.push_back(FactFromRow(r, 2));
        if (out.history.back().recorded_on <= k) known.push_back(out.history.back());
        return true;
      });
  if (!s.ok()) return s;
  if (!known.empty()) {
    v.id_number = std::string(id_number);
    Resolve(known, as_of, v);
    out.view = std::move(v);
  }
  return out;
}

}  // namespace yanglao::registry
