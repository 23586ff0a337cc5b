// The run store's report (issue #17 item 4), a whole-process run: generate
// Suizhou, import it, then run the Suizhou list for consecutive months and
// report what storing costs, against baselines measured in the same run on
// the same database:
//   store     a month's lines, changes and to-verify list stored, against the
//             same lines written by the back end's plainest bulk path (SQLite
//             prepared INSERT, PostgreSQL COPY) into a table with no index;
//   re-run    a month run again and verified (nothing written), against
//             reading the stored lines back (the way it was verified before);
//   rolls     the last month's payment rolls written (CSV and XLSX), against
//             the same bulk write of its lines.
//
//   run_store_report [--scale S] [--months N] [--pg URL]   (default: $YANGLAO_TEST_PG_URL)
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "entitle/rolls.h"
#include "entitle/run.h"
#include "gen/generator.h"
#include "policy/service_list.h"
#include "registry/feed_file.h"
#include "registry/registry.h"

namespace fs = std::filesystem;
using namespace yanglao;
using Clock = std::chrono::steady_clock;

namespace {

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "run_store_report: {}\n", what);
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, const char* what) {
  if (!r.ok()) Die(fmt::format("{}: {}", what, r.status().ToString()));
  return std::move(*r);
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) Die(fmt::format("{}: {}", what, s.ToString()));
}

// The baseline: `lines` written in one transaction by the back end's bulk
// path into a table with the same columns and no index.
double PlainWrite(registry::Database& db, int64_t run_id,
                  const std::vector<entitle::RunLine>& lines) {
  Check(db.Execute("DROP TABLE IF EXISTS bench_plain_line"), "drop");
  Check(db.Execute("CREATE TABLE bench_plain_line (run_id BIGINT, item TEXT, id_number TEXT, "
                   "amount BIGINT, percent BIGINT, county TEXT, street TEXT, community TEXT)"),
        "create");
  const std::vector<std::string> columns = {"run_id",  "item",   "id_number", "amount",
                                            "percent", "county", "street",    "community"};
  auto t0 = Clock::now();
  Check(db.Begin(), "begin");
  std::vector<std::vector<registry::Value>> batch;
  for (const entitle::RunLine& l : lines) {
    batch.push_back(
        {run_id, l.item, l.id_number, l.amount, l.percent, l.county, l.street, l.community});
    if (batch.size() == 20000) {
      Check(db.BulkInsert("bench_plain_line", columns, batch), "plain");
      batch.clear();
    }
  }
  Check(db.BulkInsert("bench_plain_line", columns, batch), "plain");
  Check(db.Commit(), "commit");
  double seconds = Since(t0);
  Check(db.Execute("DROP TABLE bench_plain_line"), "drop");
  return seconds;
}

void Report(const std::string& backend, const std::string& url, const fs::path& feeds,
            const gen::GenSummary& city, CivilDate as_of, const policy::ServiceList& list,
            int months, const fs::path& rolls_dir) {
  auto reg = Check(registry::Registry::Open(url), "open");
  auto t0 = Clock::now();
  for (const auto& [file, rows] : city.rows_per_file) {
    std::string source = fs::path(file).stem().string();
    auto feed = Check(registry::ReadFeedFile(feeds / file, source, as_of), "read feed");
    Check(reg->Import(feed, as_of), "import");
  }
  fmt::print("{}: import {:.2f} s, {} people\n", backend, Since(t0), reg->PersonCount());
  auto store = Check(entitle::RunStore::Open(*reg), "run store");
  entitle::ListVersion version{&list, "bench"};
  entitle::RunOptions options;
  options.known_on = as_of;
  double store_total = 0, plain_total = 0;
  int64_t lines_total = 0;
  entitle::RunRecord first, last;
  Month month = *Month::Parse("2026-01");
  for (int m = 0; m < months; ++m, month = month.AddMonths(1)) {
    entitle::RunOutcome out = Check(store->Run(version, month, options), "run");
    std::vector<entitle::RunLine> lines = Check(store->Lines(out.run.id), "lines");
    double plain = PlainWrite(reg->db(), out.run.id, lines);
    fmt::print(
        "{} {}: {} lines, {} changes; snapshot {:.2f} s, evaluate {:.2f} s, store {:.3f} s; "
        "baseline plain write {:.3f} s; ratio {:.2f}\n",
        backend, month.ToString(), out.run.lines, out.changes.size(), out.snapshot_seconds,
        out.evaluate_seconds, out.store_seconds, plain, out.store_seconds / plain);
    store_total += out.store_seconds;
    plain_total += plain;
    lines_total += out.run.lines;
    if (m == 0) first = out.run;
    last = out.run;
  }
  fmt::print("{} store: {} lines in {:.3f} s ({:.0f} lines/s); baseline {:.3f} s; ratio {:.2f}\n",
             backend, lines_total, store_total, static_cast<double>(lines_total) / store_total,
             plain_total, store_total / plain_total);

  // A re-run, verified against the stored digest; the baseline reads the
  // stored lines back.
  entitle::RunOutcome again =
      Check(store->Run(version, *Month::Parse(first.month), options), "rerun");
  if (!again.recomputed || !again.identical) Die("re-run not identical");
  t0 = Clock::now();
  std::vector<entitle::RunLine> read = Check(store->Lines(first.id), "lines");
  double read_back = Since(t0);
  fmt::print(
      "{} re-run {}: verified in {:.3f} s (snapshot {:.2f} s, evaluate {:.2f} s); baseline read "
      "back {} lines {:.3f} s; ratio {:.2f}\n",
      backend, first.month, again.store_seconds, again.snapshot_seconds, again.evaluate_seconds,
      read.size(), read_back, again.store_seconds / read_back);

  // The last month's rolls.
  fs::remove_all(rolls_dir);
  t0 = Clock::now();
  entitle::RollsOutcome rolls =
      Check(entitle::WriteRolls(*reg, *store, last, list, rolls_dir), "rolls");
  double rolls_seconds = Since(t0);
  std::vector<entitle::RunLine> last_lines = Check(store->Lines(last.id), "lines");
  double plain = PlainWrite(reg->db(), last.id, last_lines);
  fmt::print(
      "{} rolls {}: {} files, {} people in {:.3f} s; baseline plain write {:.3f} s; "
      "ratio {:.2f}\n",
      backend, last.month, rolls.rolls.size() * 2 + 2, rolls.people, rolls_seconds, plain,
      rolls_seconds / plain);
}

}  // namespace

int main(int argc, char** argv) {
  double scale = 0.1;
  int months = 3;
  const char* env_pg = std::getenv("YANGLAO_TEST_PG_URL");
  std::string pg = env_pg ? env_pg : "";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--scale") {
      scale = std::stod(v);
    } else if (a == "--months") {
      months = std::stoi(v);
    } else if (a == "--pg") {
      pg = v;
    } else {
      Die("usage: run_store_report [--scale S] [--months N] [--pg URL]");
    }
  }
  const char* src_env = std::getenv("YANGLAO_SOURCE_DIR");
  fs::path src = src_env ? src_env : YANGLAO_SOURCE_DIR_DEFAULT;
  fs::path work = fs::temp_directory_path() / fmt::format("yanglao_run_store_{}", getpid());
  fs::create_directories(work);
  CivilDate as_of = *CivilDate::FromYmd(2026, 1, 1);
  gen::GenOptions g;
  g.region = "421300";
  g.scale = scale;
  g.as_of = as_of;
  g.out = work / "feeds";
  auto t0 = Clock::now();
  gen::GenSummary city = Check(gen::GenerateCity(g), "gen");
  fmt::print("gen: Suizhou at scale {} in {:.1f} s\n", scale, Since(t0));
  policy::LoadedList l = policy::LoadServiceList(src / "policies/suizhou.yaml");
  policy::ApplyParameterFile(src / "policies/demo/suizhou.demo.yaml", l.list, l.errors);
  if (!l.ok()) Die(l.errors[0].ToString());

  Report("sqlite", "sqlite:" + (work / "registry.db").string(), g.out, city, as_of, l.list, months,
         work / "rolls");
  if (!pg.empty()) {
    std::string schema = fmt::format("run_store_{}", getpid());
    {
      auto admin = Check(registry::Database::Open(pg), "pg");
      Check(admin->Execute(
                fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema)),
            "schema");
    }
    Report("postgresql", fmt::format("{}?options=-csearch_path%3D{}", pg, schema), g.out, city,
           as_of, l.list, months, work / "rolls");
    auto admin = Check(registry::Database::Open(pg), "pg");
    (void)admin->Execute(fmt::format("DROP SCHEMA {} CASCADE", schema));
  }
  fs::remove_all(work);
  return 0;
}
