// The canteen module's whole-process report (issue #20), each figure with a
// baseline measured in the same run:
//   counter   sales through canteen::Sell (identify, evaluate, record,
//             check) paced at --rate per second; p50/p99 latency against the
//             identify step alone (Registry::Person) on the same diners;
//   settle    a month of --sales sales (bulk-loaded with their funding
//             parts) settled per canteen and source, against one plain scan
//             of the month's sales (COUNT, SUM); the statement totals must
//             equal the sums of the sales to the fen (else exit 1).
// Run: build/release/bench/canteen_report [--db URL] [--sales 5000000]
//      [--decisions 2000] [--rate 200]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "canteen/sell.h"
#include "canteen/store.h"
#include "core/id_number.h"
#include "db/migrate.h"
#include "registry/feed_file.h"
#include "registry/registry.h"

using namespace yanglao;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::string Id(int seq) {
  int age = 60 + seq % 35;
  std::string first17 = fmt::format("420704{}{:02}{:02}{:03}", 2026 - age - 1, 1 + seq % 12,
                                    1 + seq / 12 % 28, seq / 336 % 1000);
  return first17 + IdCheckCharacter(first17);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int64_t sales = 5'000'000;
  int decisions = 2000, rate = 200, people = 5000;
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  std::filesystem::path rules = std::filesystem::path(src ? src : ".") / "policies" / "canteen";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--db") url = v;
    if (k == "--sales") sales = std::stoll(v);
    if (k == "--decisions") decisions = std::stoi(v);
    if (k == "--rate") rate = std::stoi(v);
    if (k == "--rules") rules = v;
  }
  std::filesystem::path tmp;
  if (url.empty()) {
    tmp = std::filesystem::temp_directory_path() / fmt::format("canteen-bench-{}.db", getpid());
    url = "sqlite:" + tmp.string();
  }
  auto reg = registry::Registry::Open(url);
  if (!reg.ok()) return fmt::print(stderr, "{}\n", reg.status().ToString()), 1;
  if (Status s = db::MigrateAll((*reg)->db(), {canteen::CanteenSchema()}); !s.ok())
    return fmt::print(stderr, "{}\n", s.ToString()), 1;
  auto counters = canteen::Counters::LoadDirectory(rules);
  if (!counters.ok()) return fmt::print(stderr, "{}\n", counters.status().ToString()), 1;
  canteen::CanteenStore store((*reg)->db());

  // Diners (Ezhou, 60..94) and 200 canteens.
  std::string csv = "公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n";
  std::vector<std::string> ids;
  for (int i = 0; i < people; ++i) {
    ids.push_back(Id(i));
    csv += fmt::format("{},食客,420704001002,420704001002,,2000-01-01,\n", ids.back());
  }
  auto feed = registry::ReadFeedCsv(csv, "公安.csv", "公安", *CivilDate::Parse("2026-11-22"));
  if (!feed.ok()) return fmt::print(stderr, "{}\n", feed.status().ToString()), 1;
  if (!feed->problems.empty()) return fmt::print(stderr, "{}\n", feed->problems[0].message), 1;
  if (auto out = (*reg)->Import(*feed, *CivilDate::Parse("2026-01-05")); !out.ok())
    return fmt::print(stderr, "{}\n", out.status().ToString()), 1;
  std::vector<canteen::Canteen> list;
  for (int i = 0; i < 200; ++i) {
    canteen::Canteen c{.code = fmt::format("B-{:03}", i),
                       .name = fmt::format("食堂{}", i),
                       .kind = "幸福食堂",
                       .region = "420704001002"};
    c.periods = {
        {"早餐", "06:00", "09:00"}, {"午餐", "10:30", "13:30"}, {"晚餐", "16:30", "19:30"}};
    c.prices = {{"套餐A", 1500}, {"面条", 799}};
    list.push_back(c);
  }
  if (auto put = store.PutCanteens(list); !put.ok()) return 1;
  auto all = store.Canteens();
  std::vector<int64_t> canteen_ids;
  for (const auto& c : *all) canteen_ids.push_back(c.id);

  // Counter: identify alone (baseline), then the whole decision, paced.
  const CivilDate day = *CivilDate::Parse("2026-02-10");
  std::vector<double> identify, decide;
  int with_benefit = 0;
  for (int i = 0; i < decisions; ++i) {
    auto t0 = Clock::now();
    auto p = (*reg)->Person(ids[static_cast<size_t>(i % people)], day, day);
    identify.push_back(Ms(Clock::now() - t0));
    if (!p.ok()) return 1;
  }
  auto next = Clock::now();
  const auto gap = std::chrono::microseconds(1'000'000 / std::max(1, rate));
  for (int i = 0; i < decisions; ++i) {
    std::this_thread::sleep_until(next);
    next += gap;
    canteen::SaleRequest r{
        .client_id = fmt::format("bench-{:08}", i),
        .canteen_id = canteen_ids[static_cast<size_t>(i) % canteen_ids.size()],
        .sold_at = fmt::format("2026-02-{:02}T11:{:02}", 1 + i / people % 28, i % 60),
        .id_number = ids[static_cast<size_t>(i % people)],
        .dish = i % 2 ? "套餐A" : "面条"};
    auto t0 = Clock::now();
    auto s = canteen::Sell(**reg, store, **counters, r, day);
    decide.push_back(Ms(Clock::now() - t0));
    if (!s.ok()) return fmt::print(stderr, "{}\n", s.status().ToString()), 1;
    if (s->discount_fen > 0) ++with_benefit;
  }
  fmt::print("counter ({} decisions paced at {}/s, {} diners, {}):\n", decisions, rate, people,
             (*reg)->db().dialect());
  fmt::print("  identify only (baseline)  p50 {:.3f} ms  p99 {:.3f} ms\n",
             Percentile(identify, 0.5), Percentile(identify, 0.99));
  fmt::print("  whole decision            p50 {:.3f} ms  p99 {:.3f} ms  (target p99 < 20 ms)\n",
             Percentile(decide, 0.5), Percentile(decide, 0.99));
  fmt::print("  decisions with a discount: {} of {}\n", with_benefit, decisions);
  fmt::print("  ratio p99 decision / identify: {:.2f}\n",
             Percentile(decide, 0.99) / std::max(1e-9, Percentile(identify, 0.99)));

  // Settlement of a month of `sales`.
  std::vector<canteen::Sale> batch;
  int64_t want_benefit = 0, want_market = 0, loaded = 0;
  auto tl = Clock::now();
  while (loaded < sales) {
    batch.clear();
    for (int64_t k = 0; k < 200'000 && loaded < sales; ++k, ++loaded) {
      canteen::Sale s;
      s.client_id = fmt::format("m{:010}", loaded);
      s.canteen_id = canteen_ids[static_cast<size_t>(loaded) % canteen_ids.size()];
      s.sale_date = fmt::format("2026-03-{:02}", 1 + loaded % 31);
      s.sold_time = "11:30";
      s.period = "午餐";
      s.id_number = ids[static_cast<size_t>(loaded % people)];
      s.dish = "套餐A";
      s.market_fen = 1500 + loaded % 7;
      s.discount_fen = loaded % 5 == 0 ? 0 : (s.market_fen * (20 + 10 * (loaded % 3)) + 50) / 100;
      s.paid_fen = s.market_fen - s.discount_fen;
      s.funds = {{"市级财政", s.discount_fen / 2},
                 {"区级财政", s.discount_fen - s.discount_fen / 2}};
      s.recorded_on = "2026-04-01";
      want_benefit += s.discount_fen;
      want_market += s.market_fen;
      batch.push_back(std::move(s));
    }
    if (Status st = store.BulkInsertSales(batch); !st.ok())
      return fmt::print(stderr, "{}\n", st.ToString()), 1;
  }
  double load_s = Ms(Clock::now() - tl) / 1000;
  auto t0 = Clock::now();
  auto scan =
      (*reg)->db().QueryAll("SELECT COUNT(*), SUM(market_fen) FROM canteen_sale WHERE month = ?",
                            {std::string("2026-03")});
  double scan_ms = Ms(Clock::now() - t0);
  t0 = Clock::now();
  auto st = store.Settle("2026-03");
  double settle_ms = Ms(Clock::now() - t0);
  if (!st.ok() || !scan.ok()) return fmt::print(stderr, "settle failed\n"), 1;
  int64_t got_benefit = 0, got_market = 0;
  for (const auto& l : st->lines) got_benefit += l.benefit_fen;
  for (const auto& m : st->canteens) got_market += m.market_fen;
  fmt::print("settlement ({} sales, loaded in {:.1f} s):\n", sales, load_s);
  fmt::print("  one scan of the month (baseline)  {:.0f} ms\n", scan_ms);
  fmt::print("  settle (per canteen and source)   {:.0f} ms  (target < 5000 ms)\n", settle_ms);
  fmt::print("  ratio settle / scan: {:.2f}\n", settle_ms / std::max(1e-9, scan_ms));
  bool exact = got_benefit == want_benefit && got_market == want_market &&
               (*scan)[0].AsInt(1) == want_market;
  fmt::print("  totals: benefit {} fen (sales {}), market {} fen (sales {}): {}\n", got_benefit,
             want_benefit, got_market, want_market, exact ? "exact" : "MISMATCH");
  if (!tmp.empty()) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    std::filesystem::remove(tmp.string() + "-wal", ec);
    std::filesystem::remove(tmp.string() + "-shm", ec);
  }
  return exact ? 0 : 1;
}
