// The oversight module's whole-process report (issue #23), each figure with a
// baseline measured in the same run:
//   report   the yearly statistics report (oversight::BuildReport: registry
//            statistics, the year's runs, the facility store) against one
//            pass of registry::ComputeStats over the same registry — the
//            report's floor; and typesetting it as PDF and XLSX. Target: a
//            yearly report for scale 1 in < 10 s.
//   live     every live indicator of the task tables for the city and each
//            county (LiveIndicators::Read + Value) against reading the
//            facility store alone. Target: < 1 s.
// The city: `yanglao gen` Suizhou at --scale, its feeds imported, synthetic
// facilities, the Suizhou list run for January to March.
// Run: build/release/bench/oversight_report [--scale 1] [--db URL] [--repeat 3]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/file_io.h"
#include "db/migrate.h"
#include "entitle/run.h"
#include "facility/policy.h"
#include "facility/store.h"
#include "facility/table.h"
#include "gen/facility_synthetic.h"
#include "gen/generator.h"
#include "oversight/indicators.h"
#include "oversight/report.h"
#include "policy/service_list.h"
#include "registry/feed_file.h"
#include "registry/registry.h"
#include "registry/stats.h"
#include "visits/store.h"

using namespace yanglao;
using Clock = std::chrono::steady_clock;

namespace {

double Sec(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int Die(const Status& s) {
  fmt::print(stderr, "{}\n", s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  double scale = 1.0;
  int repeat = 3;
  std::string url;
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  const std::filesystem::path source(src ? src : YANGLAO_SOURCE_DIR_DEFAULT);
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--scale") scale = std::stod(v);
    if (k == "--db") url = v;
    if (k == "--repeat") repeat = std::max(1, std::stoi(v));
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("oversight-bench-{}", getpid());
  std::filesystem::create_directories(dir);
  if (url.empty()) url = "sqlite:" + (dir / "bench.db").string();

  // --- the city ---
  auto t0 = Clock::now();
  gen::GenOptions g{.region = "421300", .seed = 7, .scale = scale, .out = dir / "feeds"};
  Result<gen::GenSummary> city = gen::GenerateCity(g);
  if (!city.ok()) return Die(city.status());
  Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(url);
  if (!reg.ok()) return Die(reg.status());
  for (const auto& [file, rows] : city->rows_per_file) {
    auto feed =
        registry::ReadFeedFile(g.out / file, std::filesystem::path(file).stem().string(), g.as_of);
    if (!feed.ok()) return Die(feed.status());
    auto out = (*reg)->Import(*feed, *CivilDate::FromYmd(2026, 1, 5));
    if (!out.ok()) return Die(out.status());
  }
  gen::FacilitySyntheticOptions fo{.region = "421300", .seed = 7, .out = dir, .scale = scale};
  auto fac_files = gen::WriteSyntheticFacilities(fo);
  if (!fac_files.ok()) return Die(fac_files.status());
  if (Status s =
          db::MigrateAll((*reg)->db(), {facility::FacilitySchema(), entitle::EntitleSchema(),
                                        visits::VisitsSchema()});  // the visit-rate indicator
      !s.ok())
    return Die(s);
  facility::FacilityStore fstore((*reg)->db());
  for (const char* name : {"养老设施.csv", "住宅小区.csv", "社区坐标.csv"}) {
    Result<std::string> bytes = ReadFileBytes(fac_files->dir / name);
    if (!bytes.ok()) return Die(bytes.status());
    auto table = facility::ParseFacilityFile(*bytes, name);
    if (!table.ok()) return Die(table.status());
    if (auto r = fstore.Import(*table); !r.ok()) return Die(r.status());
  }
  policy::LoadedList list = policy::LoadServiceList(source / "policies/suizhou.yaml");
  policy::ApplyParameterFile(source / "policies/demo/suizhou.demo.yaml", list.list, list.errors);
  if (!list.ok()) return Die(list.errors.front());
  entitle::RunStore runs(**reg);
  for (int m = 1; m <= 3; ++m) {
    entitle::RunOptions o;
    o.known_on = o.today = *CivilDate::FromYmd(2026, 3, 31);
    auto r = runs.Run(entitle::ListVersion{&list.list, "bench"}, *Month::FromYm(2026, m), o);
    if (!r.ok()) return Die(r.status());
  }
  fmt::print("city: Suizhou scale {} — {} people, set up in {:.1f} s\n", scale, city->people,
             Sec(Clock::now() - t0));

  // --- the yearly report against one statistics pass ---
  Result<oversight::PublicationPolicy> pub =
      oversight::LoadPublicationPolicy(source / "policies/oversight/publication.yaml");
  if (!pub.ok()) return Die(pub.status());
  oversight::ReportOptions ro{.jurisdiction = "421300",
                              .period = *oversight::ParsePeriod("2026"),
                              .list = &list.list,
                              .publication = *pub};
  double best_stats = 1e9, best_report = 1e9, best_pdf = 1e9, best_xlsx = 1e9;
  std::string digest;
  for (int i = 0; i < repeat; ++i) {
    auto a = Clock::now();
    auto st = registry::ComputeStats(**reg, *CivilDate::FromYmd(2026, 12, 31),
                                     *CivilDate::FromYmd(2026, 12, 31));
    if (!st.ok()) return Die(st.status());
    best_stats = std::min(best_stats, Sec(Clock::now() - a));
    a = Clock::now();
    auto r = oversight::BuildReport(**reg, ro);
    if (!r.ok()) return Die(r.status());
    best_report = std::min(best_report, Sec(Clock::now() - a));
    if (!digest.empty() && digest != r->digest) {
      fmt::print(stderr, "the same state gave another report\n");
      return 1;
    }
    digest = r->digest;
    a = Clock::now();
    if (Status s = oversight::WriteReportPdf(*r, dir / "report.pdf"); !s.ok()) return Die(s);
    best_pdf = std::min(best_pdf, Sec(Clock::now() - a));
    a = Clock::now();
    if (Status s = oversight::WriteReportXlsx(*r, dir / "report.xlsx"); !s.ok()) return Die(s);
    best_xlsx = std::min(best_xlsx, Sec(Clock::now() - a));
  }
  const double total = best_report + best_pdf;
  fmt::print(
      "report  yearly report {:.3f} s + PDF {:.3f} s (XLSX {:.3f} s) = {:.3f} s; "
      "baseline one statistics pass {:.3f} s; ratio {:.2f}; target < 10 s at scale 1: {}\n",
      best_report, best_pdf, best_xlsx, total, best_stats, best_report / best_stats,
      scale < 1    ? "not judged below scale 1"
      : total < 10 ? "met"
                   : "NOT met");

  // --- every live indicator against reading the facility store ---
  Result<oversight::IndicatorPolicy> ip =
      oversight::LoadIndicatorPolicy(source / "policies/oversight/suizhou.indicators.yaml");
  if (!ip.ok()) return Die(ip.status());
  Result<facility::FacilityPolicy> fp =
      facility::LoadFacilityPolicy(source / "policies/facility/suizhou.yaml");
  if (!fp.ok()) return Die(fp.status());
  double best_live = 1e9, best_read = 1e9;
  int values = 0;
  for (int i = 0; i < repeat; ++i) {
    auto a = Clock::now();
    auto f = fstore.Facilities(fp->jurisdiction);
    if (!f.ok()) return Die(f.status());
    best_read = std::min(best_read, Sec(Clock::now() - a));
    a = Clock::now();
    auto live = oversight::LiveIndicators::Read(**reg, *fp, *CivilDate::FromYmd(2026, 3, 15));
    if (!live.ok()) return Die(live.status());
    values = 0;
    for (const oversight::IndicatorLink& l : ip->links) {
      (*live)->Value(l.indicator);
      ++values;
      for (const std::string& c : (*live)->counties()) {
        (*live)->Value(l.indicator, c);
        ++values;
      }
    }
    best_live = std::min(best_live, Sec(Clock::now() - a));
  }
  fmt::print(
      "live    {} indicator values (city and counties) {:.3f} s; baseline facility store "
      "read {:.3f} s; ratio {:.2f}; target < 1 s: {}\n",
      values, best_live, best_read, best_live / std::max(best_read, 1e-9),
      scale < 1       ? "not judged below scale 1"
      : best_live < 1 ? "met"
                      : "NOT met");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
