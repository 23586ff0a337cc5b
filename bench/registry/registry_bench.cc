// Registry import throughput: a 民政 feed of YANGLAO_BENCH_ROWS rows
// (default 1,000,000) parsed and validated, then imported into SQLite and,
// when YANGLAO_TEST_PG_URL is set, PostgreSQL. Baselines, measured in the
// same run: the same rows written by the back end's plainest bulk path into
// a table with no checks (SQLite prepared INSERT, PostgreSQL COPY).
// Run: bash bench/run.sh (builds release, starts nothing: set YANGLAO_TEST_PG_URL for PostgreSQL).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "core/id_number.h"
#include "registry/feed_file.h"
#include "registry/registry.h"

namespace yanglao::registry {
namespace {

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);

size_t Rows() {
  const char* env = std::getenv("YANGLAO_BENCH_ROWS");
  return env ? std::strtoul(env, nullptr, 10) : 1'000'000;
}

// A valid 民政 feed: distinct people in 曾都区, 低保 and living-alone flags.
const std::string& FeedText() {
  static const std::string* text = [] {
    auto* s = new std::string(
        "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
        "入住养老机构,"
        "有赡养能力的赡养人,死亡日期,起始日期,终止日期\n");
    std::mt19937_64 rng(7);
    for (size_t i = 0; i < Rows(); ++i) {
      CivilDate birth = CivilDate::FromYmd(1930, 1, 1)->AddDays(static_cast<int>(i % 12000));
      std::string id = fmt::format("421303{:04}{:02}{:02}{:03}", birth.year(), birth.month(),
                                   birth.day(), i / 12000 % 1000);
      id += IdCheckCharacter(id);
      *s += fmt::format("{},张{},{},,,,,{},,,,,,,2024-01-01,\n", id, i % 1000,
                        rng() % 4 == 0 ? "是" : "否", rng() % 5 == 0 ? "是" : "否");
    }
    return s;
  }();
  return *text;
}

const ParsedFeed& Parsed() {
  static const ParsedFeed* feed = [] {
    auto r = ReadFeedCsv(FeedText(), "bench.csv", "民政", kToday);
    return new ParsedFeed(std::move(*r));
  }();
  return *feed;
}

// The next month's 民政 feed: the same people, one in ten of them with 低保
// changed (the rest restated identically, which the import's dedupe drops).
const ParsedFeed& NextParsed() {
  static const ParsedFeed* feed = [] {
    std::string text = FeedText();
    size_t line = 0;
    for (size_t pos = text.find('\n'); pos != std::string::npos; pos = text.find('\n', pos + 1)) {
      if (pos + 1 >= text.size()) break;
      if (line++ % 10 != 1) continue;
      // The 低保 cell follows the ID number and the name.
      size_t cell = text.find(',', text.find(',', pos + 1) + 1) + 1;
      if (text.compare(cell, 3, "是") == 0) {
        text.replace(cell, 3, "否");
      } else if (text.compare(cell, 3, "否") == 0) {
        text.replace(cell, 3, "是");
      }
    }
    auto r = ReadFeedCsv(text, "bench-next.csv", "民政", kToday);
    return new ParsedFeed(std::move(*r));
  }();
  return *feed;
}

// A 公安 feed of the same people, one in fifty under another name (what the
// 民政 feed then disagrees with: conflicts).
const ParsedFeed& OtherSourceParsed() {
  static const ParsedFeed* feed = [] {
    std::string text = "公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n";
    const std::string& mz = FeedText();
    size_t line = 0;
    for (size_t pos = mz.find('\n'); pos != std::string::npos && pos + 1 < mz.size();
         pos = mz.find('\n', pos + 1), ++line) {
      std::string id = mz.substr(pos + 1, 18);
      text += fmt::format("{},{}{},421303001001,421303001001,,2020-01-01,\n", id,
                          line % 50 == 0 ? "李" : "张", line % 1000);
    }
    auto r = ReadFeedCsv(text, "bench-ga.csv", "公安", kToday);
    return new ParsedFeed(std::move(*r));
  }();
  return *feed;
}

std::string TempSqlite() {
  return "sqlite:" +
         (std::filesystem::temp_directory_path() / fmt::format("yanglao_bench_{}.db", getpid()))
             .string();
}

void RemoveSqlite(const std::string& url) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(url.substr(7) + suffix);
}

void BM_ParseFeed(benchmark::State& state) {
  const std::string& text = FeedText();
  for (auto _ : state) {
    auto r = ReadFeedCsv(text, "bench.csv", "民政", kToday);
    benchmark::DoNotOptimize(r.ok());
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(Rows()),
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ParseFeed)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

std::vector<std::vector<Value>> BaselineRows() {
  std::vector<std::vector<Value>> rows;
  for (const FactRecord& f : Parsed().facts) {
    rows.push_back({f.id_number, f.fact, f.value, f.valid_from, Value{}, std::string("民政"),
                    int64_t{1}, static_cast<int64_t>(f.row), std::string("2026-01-01")});
  }
  return rows;
}

const std::vector<std::string> kColumns = {"id_number",  "fact",     "value",
                                           "valid_from", "valid_to", "source",
                                           "feed_id",    "row_no",   "recorded_on"};

void Baseline(benchmark::State& state, const std::string& url, bool cleanup_sqlite) {
  std::vector<std::vector<Value>> rows = BaselineRows();
  for (auto _ : state) {
    auto db = Database::Open(url);
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      return;
    }
    (void)(*db)->Execute("DROP TABLE IF EXISTS bench_plain");
    (void)(*db)->Execute(
        "CREATE TABLE bench_plain (id_number TEXT, fact TEXT, value TEXT, valid_from TEXT, "
        "valid_to TEXT, source TEXT, "
        "feed_id BIGINT, row_no INTEGER, recorded_on TEXT)");
    (void)(*db)->Begin();
    Status s = (*db)->BulkInsert("bench_plain", kColumns, rows);
    (void)(*db)->Commit();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    (void)(*db)->Execute("DROP TABLE IF EXISTS bench_plain");
  }
  if (cleanup_sqlite) RemoveSqlite(url);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(Rows()),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// The same rows written by the same bulk path straight into the registry's
// own fact table, with its indexes: the write no import can avoid.
void IndexedBaseline(benchmark::State& state, const std::string& url, bool cleanup_sqlite) {
  std::vector<std::vector<Value>> rows = BaselineRows();
  for (auto _ : state) {
    state.PauseTiming();
    if (cleanup_sqlite) RemoveSqlite(url);
    if (!cleanup_sqlite) {
      auto admin = Database::Open(url);
      if (admin.ok()) {
        (void)(*admin)->Execute(
            "DROP TABLE IF EXISTS feed, person, fact, conflict, precedence, schema_version "
            "CASCADE");
      }
    }
    auto reg = Registry::Open(url);
    state.ResumeTiming();
    if (!reg.ok()) {
      state.SkipWithError(reg.status().ToString().c_str());
      return;
    }
    Database& db = (*reg)->db();
    (void)db.Begin();
    Status s = db.BulkInsert("fact", kColumns, rows);
    (void)db.Commit();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  if (cleanup_sqlite) RemoveSqlite(url);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(Rows()),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// `second`: a second feed of the same source imported after the first
// (dedupe and conflicts against it); only the second import is timed.
// `after_other`: the feed imported after a 公安 feed of the same people
// (the conflict join runs against its records); only the 民政 import is
// timed.
void Import(benchmark::State& state, const std::string& url, bool cleanup_sqlite,
            bool second = false, bool after_other = false) {
  const ParsedFeed& feed = second ? NextParsed() : Parsed();
  for (auto _ : state) {
    state.PauseTiming();
    if (cleanup_sqlite) RemoveSqlite(url);
    if (!cleanup_sqlite) {
      auto admin = Database::Open(url);
      if (admin.ok()) {
        (void)(*admin)->Execute(
            "DROP TABLE IF EXISTS feed, person, fact, conflict, precedence, schema_version "
            "CASCADE");
      }
    }
    auto reg = Registry::Open(url);
    if (reg.ok() && second) (void)(*reg)->Import(Parsed(), kToday);
    if (reg.ok() && after_other) (void)(*reg)->Import(OtherSourceParsed(), kToday);
    state.ResumeTiming();
    if (!reg.ok()) {
      state.SkipWithError(reg.status().ToString().c_str());
      return;
    }
    auto out = (*reg)->Import(feed, kToday);
    if (!out.ok()) state.SkipWithError(out.status().ToString().c_str());
  }
  if (cleanup_sqlite) RemoveSqlite(url);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(Rows()),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SqliteBaseline_PlainInsert(benchmark::State& state) { Baseline(state, TempSqlite(), true); }
void BM_SqliteImport(benchmark::State& state) { Import(state, TempSqlite(), true); }
BENCHMARK(BM_SqliteBaseline_PlainInsert)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
void BM_SqliteBaseline_IndexedInsert(benchmark::State& state) {
  IndexedBaseline(state, TempSqlite(), true);
}
void BM_SqliteReimport(benchmark::State& state) { Import(state, TempSqlite(), true, true); }
BENCHMARK(BM_SqliteImport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_SqliteBaseline_IndexedInsert)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_SqliteReimport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
void BM_SqliteImportWithConflicts(benchmark::State& state) {
  Import(state, TempSqlite(), true, false, true);
}
BENCHMARK(BM_SqliteImportWithConflicts)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

std::string PgUrl() {
  const char* env = std::getenv("YANGLAO_TEST_PG_URL");
  return env ? env : "";
}
void BM_PostgresBaseline_Copy(benchmark::State& state) {
  if (PgUrl().empty()) return state.SkipWithError("YANGLAO_TEST_PG_URL not set");
  Baseline(state, PgUrl(), false);
}
void BM_PostgresImport(benchmark::State& state) {
  if (PgUrl().empty()) return state.SkipWithError("YANGLAO_TEST_PG_URL not set");
  Import(state, PgUrl(), false);
}
void BM_PostgresBaseline_IndexedCopy(benchmark::State& state) {
  if (PgUrl().empty()) return state.SkipWithError("YANGLAO_TEST_PG_URL not set");
  IndexedBaseline(state, PgUrl(), false);
}
void BM_PostgresReimport(benchmark::State& state) {
  if (PgUrl().empty()) return state.SkipWithError("YANGLAO_TEST_PG_URL not set");
  Import(state, PgUrl(), false, true);
}
BENCHMARK(BM_PostgresBaseline_Copy)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_PostgresImport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_PostgresBaseline_IndexedCopy)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_PostgresReimport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
void BM_PostgresImportWithConflicts(benchmark::State& state) {
  if (PgUrl().empty()) return state.SkipWithError("YANGLAO_TEST_PG_URL not set");
  Import(state, PgUrl(), false, false, true);
}
BENCHMARK(BM_PostgresImportWithConflicts)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
}  // namespace yanglao::registry

extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_SqliteImport/iterations:1/real_time",
     "BM_SqliteBaseline_PlainInsert/iterations:1/real_time"},
    {"BM_PostgresImport/iterations:1/real_time", "BM_PostgresBaseline_Copy/iterations:1/real_time"},
    {"BM_SqliteImport/iterations:1/real_time",
     "BM_SqliteBaseline_IndexedInsert/iterations:1/real_time"},
    {"BM_PostgresImport/iterations:1/real_time",
     "BM_PostgresBaseline_IndexedCopy/iterations:1/real_time"},
    {"BM_SqliteReimport/iterations:1/real_time",
     "BM_SqliteBaseline_PlainInsert/iterations:1/real_time"},
    {"BM_PostgresReimport/iterations:1/real_time",
     "BM_PostgresBaseline_Copy/iterations:1/real_time"},
    {"BM_SqliteImportWithConflicts/iterations:1/real_time",
     "BM_SqliteBaseline_PlainInsert/iterations:1/real_time"},
    {"BM_PostgresImportWithConflicts/iterations:1/real_time",
     "BM_PostgresBaseline_Copy/iterations:1/real_time"},
    {nullptr, nullptr},
};
