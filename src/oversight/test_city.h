// Test support: a generated city in a database, as the oversight report and
// the public page read it — the registry fed from `yanglao gen`'s files
// (recorded 2026-01-05), the synthetic facilities, and the Suizhou list (with
// its demo parameters) run for 2026-01 to 2026-03.
#ifndef YANGLAO_OVERSIGHT_TEST_CITY_H_
#define YANGLAO_OVERSIGHT_TEST_CITY_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/file_io.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "entitle/run.h"
#include "facility/store.h"
#include "facility/table.h"
#include "gen/facility_synthetic.h"
#include "gen/generator.h"
#include "policy/service_list.h"
#include "registry/feed_file.h"
#include "registry/registry.h"
#include "visits/store.h"

namespace yanglao::oversight::testing {

inline std::filesystem::path SourceDir() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return std::filesystem::path(src ? src : ".");
}

inline policy::LoadedList SuizhouList() {
  const std::filesystem::path dir = SourceDir() / "policies";
  policy::LoadedList l = policy::LoadServiceList(dir / "suizhou.yaml");
  policy::ApplyParameterFile(dir / "demo" / "suizhou.demo.yaml", l.list, l.errors);
  EXPECT_TRUE(l.ok()) << l.errors[0].ToString();
  return l;
}

// Fills the database at `url` with Suizhou at `scale` (files under `dir`,
// removed after). Use ASSERT_NO_FATAL_FAILURE around it.
inline void BuildTestCity(const std::string& url, const std::filesystem::path& dir, double scale,
                          const policy::LoadedList& list) {
  namespace fs = std::filesystem;
  gen::GenOptions g;
  g.region = "421300";
  g.seed = 7;
  g.scale = scale;
  g.out = dir;
  g.threads = 1;
  Result<gen::GenSummary> city = gen::GenerateCity(g);
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(url);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  const CivilDate recorded = *CivilDate::FromYmd(2026, 1, 5);
  for (const auto& [file, rows] : city->rows_per_file) {
    auto feed = registry::ReadFeedFile(dir / file, fs::path(file).stem().string(), g.as_of);
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    auto out = (*reg)->Import(*feed, recorded);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }
  gen::FacilitySyntheticOptions fo{.region = "421300", .seed = 7, .out = dir, .scale = scale};
  Result<gen::FacilitySyntheticSummary> fs_out = gen::WriteSyntheticFacilities(fo);
  ASSERT_TRUE(fs_out.ok()) << fs_out.status().ToString();
  ASSERT_TRUE(
      db::MigrateAll((*reg)->db(), {facility::FacilitySchema(), visits::VisitsSchema()}).ok());
  facility::FacilityStore fstore((*reg)->db());
  for (const char* name : {"养老设施.csv", "住宅小区.csv", "社区坐标.csv"}) {
    Result<std::string> bytes = ReadFileBytes(fs_out->dir / name);
    ASSERT_TRUE(bytes.ok()) << name;
    Result<facility::ParsedTable> table = facility::ParseFacilityFile(*bytes, name);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    ASSERT_TRUE(fstore.Import(*table).ok()) << name;
  }
  Result<std::unique_ptr<entitle::RunStore>> runs = entitle::RunStore::Open(**reg);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  for (int m = 1; m <= 3; ++m) {
    entitle::RunOptions o;
    o.known_on = *CivilDate::FromYmd(2026, 3, 31);
    o.today = *CivilDate::FromYmd(2026, 3, 31);
    auto r =
        (*runs)->Run(entitle::ListVersion{&list.list, "test-city-v1"}, *Month::FromYm(2026, m), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// One generated city per back end, built on first use and kept for the rest
// of the test binary (building one takes a while under the sanitizers): the
// tests that share it read it as of fixed dates, and what they add is keyed by
// client ids, so their order does not matter. Returns nullptr (with the
// test skipped or failed) when the back end is not available.
inline const db::TestDatabase* SharedCity(const std::string& backend, std::string_view prefix) {
  static std::map<std::string, std::unique_ptr<db::TestDatabase>> cities;
  auto it = cities.find(backend);
  if (it != cities.end()) return it->second.get();
  auto db = std::make_unique<db::TestDatabase>();
  db->SetUp(backend, prefix);
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return nullptr;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("oversight-city-" + backend + "-" + std::to_string(getpid()));
  policy::LoadedList list = SuizhouList();
  BuildTestCity(db->url(), dir, 0.01, list);
  if (::testing::Test::HasFatalFailure()) return nullptr;
  return (cities[backend] = std::move(db)).get();
}

}  // namespace yanglao::oversight::testing

#endif  // YANGLAO_OVERSIGHT_TEST_CITY_H_
