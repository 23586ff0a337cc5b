// The facility module: 配建 golden cases per city (from policies/facility/),
// the import files, the store on both back ends, coverage, 15-minute circles
// and suggested sites, and the generated Suizhou against its targets.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/file_io.h"
#include "db/database.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "facility/planning.h"
#include "facility/policy.h"
#include "facility/store.h"
#include "facility/table.h"
#include "gen/facility_synthetic.h"
#include "gen/generator.h"
#include "registry/registry.h"
#include "xlsx/xlsx.h"

namespace yanglao::facility {
namespace {

namespace fs = std::filesystem;

fs::path PolicyDir() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : ".") / "policies/facility";
}

FacilityPolicy Policy(const char* city) {
  Result<FacilityPolicy> p = LoadFacilityPolicy(PolicyDir() / (std::string(city) + ".yaml"));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : FacilityPolicy{};
}

fs::path TempDir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// --- 配建 golden cases --------------------------------------------------------

TEST(Peijian, GoldenCasesPerCity) {
  FacilityPolicy qidong = Policy("qidong"), suizhou = Policy("suizhou"), ezhou = Policy("ezhou"),
                 chibi = Policy("chibi"), zhuzhou = Policy("zhuzhou");
  // A new Qidong estate of 1,500 households: 30 m² per 100 and one site of 600 m².
  Requirement q = Required(qidong, 1500, true);
  EXPECT_TRUE(q.known);
  EXPECT_EQ(q.required_m2, 450);
  EXPECT_EQ(q.min_single_site_m2, 600);
  // The same estate in Suizhou: 20 m² per 100, no single-site rule.
  Requirement s = Required(suizhou, 1500, true);
  EXPECT_EQ(s.required_m2, 300);
  EXPECT_EQ(s.min_single_site_m2, 0);
  // Ezhou: 20 per 100 for new areas; nothing stated for old estates.
  EXPECT_EQ(Required(ezhou, 1500, true).required_m2, 300);
  EXPECT_FALSE(Required(ezhou, 1500, false).known);
  // Qidong's existing estates: 20 per 100, no site rule.
  Requirement qe = Required(qidong, 1500, false);
  EXPECT_EQ(qe.required_m2, 300);
  EXPECT_EQ(qe.min_single_site_m2, 0);
  // Chibi and Zhuzhou state no area per household.
  EXPECT_FALSE(Required(chibi, 1500, true).known);
  EXPECT_FALSE(Required(zhuzhou, 1500, true).known);
  // Households not a multiple of 100: pro rata, rounded up to a whole m².
  EXPECT_EQ(Required(suizhou, 1550, true).required_m2, 310);
  EXPECT_EQ(Required(suizhou, 1, true).required_m2, 1);
  EXPECT_EQ(Required(qidong, 1, true).required_m2, 1);
  // New or existing by each city's year.
  EXPECT_TRUE(IsNewEstate(ezhou, 2018));
  EXPECT_FALSE(IsNewEstate(ezhou, 2017));
  EXPECT_FALSE(IsNewEstate(qidong, 2024));
  EXPECT_TRUE(IsNewEstate(qidong, 2025));
}

TEST(Peijian, CheckEstateAreaAndSingleSite) {
  FacilityPolicy qidong = Policy("qidong");
  Estate e{.id = "E1",
           .community = "320681001001",
           .households = 1500,
           .year_built = 2025,
           .area_provided_m2 = 700,
           .largest_site_m2 = 500};
  EstateCheck c = CheckEstate(qidong, e);
  EXPECT_FALSE(c.compliant);  // enough area, but no single site of 600 m²
  EXPECT_EQ(c.shortfall_m2, 0);
  EXPECT_TRUE(c.single_site_short);
  e.largest_site_m2 = 600;
  EXPECT_TRUE(CheckEstate(qidong, e).compliant);
  e.area_provided_m2 = 400;
  e.largest_site_m2 = 400;
  c = CheckEstate(qidong, e);
  EXPECT_EQ(c.shortfall_m2, 50);
  EXPECT_FALSE(c.compliant);
}

TEST(Policy, EveryCityFileLoadsAndCitesItsSeed) {
  for (const char* city : {"ezhou", "zhuzhou", "chibi", "qidong", "suizhou"}) {
    FacilityPolicy p = Policy(city);
    EXPECT_TRUE(p.source.starts_with("seeds/")) << city;
    EXPECT_FALSE(p.targets.empty()) << city;
    for (const Target& t : p.targets) EXPECT_FALSE(t.quote.empty()) << city << " " << t.id;
    EXPECT_NEAR(p.walk.radius_m(), 15 * 60 / 1.3, 1e-9) << city;
  }
  // Suizhou's yearly steps.
  FacilityPolicy s = Policy("suizhou");
  const Target* urban = nullptr;
  for (const Target& t : s.targets) {
    if (t.id == "urban_day_care") urban = &t;
  }
  ASSERT_NE(urban, nullptr);
  EXPECT_EQ(urban->ValueFor(2023), 0.90);
  EXPECT_EQ(urban->ValueFor(2024), 0.95);
  EXPECT_EQ(urban->ValueFor(2025), 1.00);
  Result<FacilityPolicy> found = FindFacilityPolicy(PolicyDir(), "421321");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->city, "随州市");
  EXPECT_EQ(FindFacilityPolicy(PolicyDir(), "110000").status().code(), "facility.no_policy");
}

TEST(Policy, BadFilesAreRefusedWithTheField) {
  const std::string base =
      "format: yanglao.facility/1\njurisdiction: \"421300\"\nsource: seeds/x.txt\n"
      "walk: {minutes: 15, meters_per_minute: 60, detour_factor: 1.3}\n";
  Result<FacilityPolicy> ok = ParseFacilityPolicy(base, "t.yaml");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  Result<FacilityPolicy> r = ParseFacilityPolicy(
      base + "targets:\n  - {id: a, label: A, quote: q, measure: magic}\n", "t.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "facility.policy");
  EXPECT_EQ(r.status().where().field, "targets[0].measure");
  EXPECT_EQ(r.status().where().value, "magic");
  r = ParseFacilityPolicy(base + "targets:\n  - {id: a, label: A, measure: beds_total}\n",
                          "t.yaml");
  EXPECT_EQ(r.status().code(), "facility.policy");  // no quote of the seed
  r = ParseFacilityPolicy("format: yanglao.facility/1\njurisdiction: \"421300\"\nsource: s\n",
                          "t.yaml");
  EXPECT_EQ(r.status().where().field, "walk");
  r = ParseFacilityPolicy("[unclosed", "t.yaml");
  EXPECT_EQ(r.status().code(), "facility.policy");
}

// --- import files -------------------------------------------------------------

const char kFacilities[] =
    "编号,名称,类型,所在社区,X坐标（米）,Y坐标（米）,服务社区,建筑面积（平方米）,床位,护理型床位,"
    "运营方,"
    "开业日期,状态,合成\n"
    "F1,西城综合体,养老服务综合体,421303001001,0,0,421303001002、421303001003,1200,40,20,西城街道,"
    "2021-05-01,运营,\n"
    "F2,东城日照,日间照料中心,421303002001,5000,0,,300,,,社区,,运营,是\n"
    "F3,随州福利院,养老机构,421303001004,100,0,,9000,300,200,民政局,2010-01-01,运营,\n"
    "F4,在建食堂,幸福食堂,421303001005,0,100,,100,,,社区,,在建,\n";

TEST(Table, ReadsFacilitiesWithAliasesAndServedLists) {
  Result<ParsedTable> t = ParseFacilityFile(kFacilities, "养老设施.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->type, ParsedTable::Type::kFacilities);
  ASSERT_EQ(t->facilities.size(), 4u);
  const Facility& f = t->facilities[0];
  EXPECT_EQ(f.kind, Kind::kComplex);
  EXPECT_EQ(f.served, (std::vector<std::string>{"421303001002", "421303001003"}));
  EXPECT_EQ(f.beds, 40);
  EXPECT_EQ(f.nursing_beds, 20);
  EXPECT_TRUE(t->facilities[1].synthetic);
  EXPECT_EQ(t->facilities[3].kind, Kind::kCanteen);
  EXPECT_FALSE(t->facilities[3].active());
}

TEST(Table, BadRowsAreLocated) {
  std::string text = kFacilities;
  text += "F5,坏的,养老院所,421303001001,0,0,,,,,,,运营,\n";
  Result<ParsedTable> t = ParseFacilityFile(text, "养老设施.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), "facility.row");
  EXPECT_EQ(t.status().where().line, 6);
  EXPECT_EQ(t.status().where().field, "类型");
  EXPECT_EQ(t.status().where().value, "养老院所");

  t = ParseFacilityFile(
      std::string(kFacilities) + "F1,重复,养老机构,421303001001,0,0,,,,,,,运营,\n", "养老设施.csv");
  EXPECT_EQ(t.status().code(), "facility.duplicate");
  EXPECT_EQ(t.status().where().value, "F1");

  t = ParseFacilityFile("编号,户数\n1,2\n", "x.csv");
  EXPECT_EQ(t.status().code(), "facility.header");

  t = ParseFacilityFile(
      "编号,名称,所在社区,户数,建成年份,养老服务用房面积（平方米）,最大单处面积（平方米）,合成\n"
      "E1,小区,4213030010,100,2020,20,20,\n",
      "住宅小区.csv");
  EXPECT_EQ(t.status().code(), "facility.row");
  EXPECT_EQ(t.status().where().field, "所在社区");

  t = ParseFacilityFile(
      "编号,名称,所在社区,户数,建成年份,养老服务用房面积（平方米）,最大单处面积（平方米）,合成\n"
      "E1,小区,421303001001,100,2020,20,30,\n",
      "住宅小区.csv");
  EXPECT_EQ(t.status().where().field, "最大单处面积（平方米）");
}

TEST(Table, ReadsAWorkbook) {
  fs::path dir = TempDir("facility_xlsx");
  xlsx::Sheet sheet{.name = "社区坐标",
                    .rows = {{"社区代码", "X坐标（米）", "Y坐标（米）", "合成"},
                             {"421303001001", "12", "-7", ""},
                             {"421303001002", "100.0", "0", "是"}}};
  ASSERT_TRUE(xlsx::WriteWorkbook(dir / "p.xlsx", {sheet}).ok());
  Result<std::string> bytes = ReadFileBytes(dir / "p.xlsx");
  ASSERT_TRUE(bytes.ok());
  Result<ParsedTable> t = ParseFacilityFile(*bytes, "p.xlsx");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->points.size(), 2u);
  EXPECT_EQ(t->points[0].y, -7);
  EXPECT_EQ(t->points[1].x, 100);
  EXPECT_TRUE(t->points[1].synthetic);
  fs::remove_all(dir);
}

// --- the store on both back ends ------------------------------------------------

class FacilityStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_facility");
    if (IsSkipped() || HasFatalFailure()) return;
    auto d = db::Database::Open(db_.url());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    database_ = std::move(*d);
    ASSERT_TRUE(db::MigrateAll(*database_, {FacilitySchema()}).ok());
    ASSERT_TRUE(db::MigrateAll(*database_, {FacilitySchema()}).ok());  // idempotent
  }
  void TearDown() override {
    database_.reset();
    db_.Remove();
  }
  db::TestDatabase db_;
  std::unique_ptr<db::Database> database_;
};

TEST_P(FacilityStoreTest, ImportIsIdempotentAndUpdatesById) {
  FacilityStore store(*database_);
  Result<ParsedTable> t = ParseFacilityFile(kFacilities, "养老设施.csv");
  ASSERT_TRUE(t.ok());
  Result<ImportResult> r = store.Import(*t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->added, 4);
  r = store.Import(*t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->added, 0);
  EXPECT_EQ(r->unchanged, 4);
  ParsedTable changed = *t;
  changed.facilities[2].beds = 320;
  r = store.Import(changed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->updated, 1);
  EXPECT_EQ(r->unchanged, 3);
  Result<std::vector<Facility>> all = store.Facilities();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[2].beds, 320);
  EXPECT_EQ((*all)[0].served, (std::vector<std::string>{"421303001002", "421303001003"}));
  EXPECT_EQ((*all)[0].opened_on, "2021-05-01");
  Result<std::vector<Facility>> east = store.Facilities("421303002");
  ASSERT_TRUE(east.ok());
  ASSERT_EQ(east->size(), 1u);
  EXPECT_EQ((*east)[0].id, "F2");
  EXPECT_TRUE((*east)[0].synthetic);
}

TEST_P(FacilityStoreTest, AFileWithABadRowStoresNothing) {
  FacilityStore store(*database_);
  std::string text = kFacilities;
  text += "F9,坏,养老机构,421303001001,0,0,,,10,20,,,运营,\n";  // nursing > beds
  Result<ParsedTable> t = ParseFacilityFile(text, "养老设施.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().where().field, "护理型床位");
  Result<std::vector<Facility>> all = store.Facilities();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_P(FacilityStoreTest, GeneratedCityRoundTripsAndOlderComeFromTheRegistry) {
  fs::path dir = TempDir("facility_city_" + GetParam());
  gen::GenOptions options{.region = "421300",
                          .seed = 7,
                          .scale = 0.003,
                          .as_of = *CivilDate::Parse("2026-01-01"),
                          .out = dir.string()};
  Result<gen::GenSummary> city = gen::GenerateCity(options);
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  Result<gen::FacilitySyntheticSummary> syn =
      gen::WriteSyntheticFacilities({.region = "421300", .seed = 7, .out = dir});
  ASSERT_TRUE(syn.ok()) << syn.status().ToString();
  FacilityStore store(*database_);
  for (const char* f : {"社区坐标.csv", "养老设施.csv", "住宅小区.csv"}) {
    Result<std::string> bytes = ReadFileBytes(syn->dir / f);
    ASSERT_TRUE(bytes.ok());
    Result<ParsedTable> t = ParseFacilityFile(*bytes, f);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    Result<ImportResult> r = store.Import(*t);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->added, static_cast<int64_t>(t->rows()));
  }
  Result<std::vector<Facility>> facilities = store.Facilities("4213");
  Result<std::vector<Estate>> estates = store.Estates("4213");
  Result<std::vector<CommunityPoint>> points = store.Points("4213");
  ASSERT_TRUE(facilities.ok() && estates.ok() && points.ok());
  EXPECT_EQ(static_cast<int64_t>(facilities->size()), syn->facilities);
  EXPECT_EQ(static_cast<int64_t>(estates->size()), syn->estates);
  EXPECT_EQ(static_cast<int64_t>(points->size()), syn->points);

  // The older population, through the registry's public API.
  auto reg = registry::Registry::Open(db_.url());
  ASSERT_TRUE(reg.ok());
  auto feed = registry::ReadFeedFile(dir / "公安.csv", "公安", *CivilDate::Parse("2026-01-01"));
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_TRUE((*reg)->Import(*feed, *CivilDate::Parse("2026-01-01")).ok());
  CivilDate as_of = *CivilDate::Parse("2026-01-01");
  auto older = OlderByCommunity(**reg, as_of);
  ASSERT_TRUE(older.ok()) << older.status().ToString();
  // Cross-check with the person-by-person read.
  std::map<std::string, int64_t> expected;
  ASSERT_TRUE((*reg)
                  ->ForEachPerson(as_of, as_of,
                                  [&](const registry::PersonView& p) {
                                    if (p.deceased_on(as_of) || AgeOn(p.birth_date, as_of) < 60)
                                      return;
                                    auto it = p.facts.find("residence_region");
                                    std::string code = it == p.facts.end() ? "" : it->second.value;
                                    ++expected[code];
                                  })
                  .ok());
  int64_t total = 0;
  for (const auto& [code, n] : *older) {
    EXPECT_EQ(expected[code], n) << code;
    total += n;
  }
  EXPECT_EQ(older->size(), expected.size());
  EXPECT_GT(total, city->aged_60_plus * 9 / 10);
  EXPECT_LE(total, city->aged_60_plus);

  FacilityPolicy policy = Policy("suizhou");
  Result<CityView> view = BuildCityView(policy, *facilities, *estates, *points, *older);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->synthetic);
  WalkCoverage w = Walk(*view, {Kind::kDayCare, Kind::kMutualAid, Kind::kComplex, Kind::kCanteen});
  EXPECT_EQ(w.older_total, total);
  EXPECT_GT(w.older_covered, 0);
  EXPECT_LT(w.older_covered, total);
  database_.reset();
  reg->reset();
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, FacilityStoreTest, ::testing::Values("sqlite", "postgresql"));

// --- coverage, circles, sites -----------------------------------------------------

// Three communities of 西城街道 (Suizhou) in a row, 500 m apart, and one of
// 东城街道 5 km away.
CityView SmallCity(const FacilityPolicy& policy, std::vector<Facility> facilities) {
  std::vector<CommunityPoint> points = {{"421303001001", 0, 0},
                                        {"421303001002", 500, 0},
                                        {"421303001003", 1000, 0},
                                        {"421303002001", 5000, 0}};
  std::unordered_map<std::string, int64_t> older = {{"421303001001", 100},
                                                    {"421303001002", 200},
                                                    {"421303001003", 300},
                                                    {"421303002001", 400},
                                                    {"", 50}};
  Result<CityView> v = BuildCityView(policy, std::move(facilities), {}, points, older);
  EXPECT_TRUE(v.ok());
  return std::move(*v);
}

TEST(Planning, WalkCircleUsesDetourAndSpeed) {
  FacilityPolicy policy = Policy("suizhou");
  // Radius 15 × 60 / 1.3 = 692.3 m: 001 and 002 are inside, 003 (1000 m) is not.
  CityView v = SmallCity(
      policy,
      {Facility{.id = "F", .kind = Kind::kDayCare, .community = "421303001001", .x = 0, .y = 0}});
  WalkCoverage w = Walk(v, {Kind::kDayCare});
  EXPECT_NEAR(w.radius_m, 692.3, 0.1);
  EXPECT_EQ(w.older_total, 1050);
  EXPECT_EQ(w.older_covered, 300);
  std::vector<std::string> outside;
  for (size_t i : w.outside) outside.push_back(v.areas[i].region->code);
  EXPECT_EQ(outside, (std::vector<std::string>{"421303001003", "421303002001"}));
  // Another kind does not count.
  EXPECT_EQ(Walk(v, {Kind::kCanteen}).older_covered, 0);
}

TEST(Planning, GreedySitesWithCapacityKeepExistingSites) {
  FacilityPolicy policy = Policy("suizhou");
  CityView v = SmallCity(
      policy,
      {Facility{.id = "F", .kind = Kind::kDayCare, .community = "421303001001", .x = 0, .y = 0}});
  // Uncovered: 003 (300) and 东城 001 (400), 4 km apart: one site each.
  Suggestion s = SuggestSites(v, {Kind::kDayCare}, 3, 0);
  EXPECT_EQ(s.uncovered_before, 700);
  ASSERT_EQ(s.sites.size(), 2u);
  EXPECT_EQ(v.areas[s.sites[0].area].region->code, "421303002001");
  EXPECT_EQ(s.sites[0].gain, 400);
  EXPECT_EQ(s.sites[1].gain, 300);
  EXPECT_EQ(s.uncovered_after, 0);
  // With a capacity of 250 people a site: 250 of 003's 300 from 002 (500 m
  // away, reaching 003; a tie with 东城's
  // 400, broken by code order), 250 of 东城's 400, then 东城's other 150.
  s = SuggestSites(v, {Kind::kDayCare}, 3, 250);
  ASSERT_EQ(s.sites.size(), 3u);
  EXPECT_EQ(v.areas[s.sites[0].area].region->code, "421303001002");
  EXPECT_EQ(s.sites[0].gain, 250);
  EXPECT_EQ(v.areas[s.sites[1].area].region->code, "421303002001");
  EXPECT_EQ(s.sites[1].gain, 250);
  EXPECT_EQ(s.sites[2].gain, 150);
  EXPECT_EQ(s.uncovered_after, 50);
  // Within 西城街道 only: its one uncovered community, nothing of 东城.
  s = SuggestSites(v, {Kind::kDayCare}, 3, 0, "421303001");
  EXPECT_EQ(s.uncovered_before, 300);
  ASSERT_EQ(s.sites.size(), 1u);
  EXPECT_EQ(s.sites[0].gain, 300);
  EXPECT_TRUE(v.areas[s.sites[0].area].region->code.starts_with("421303001"));
}

TEST(Planning, CoverageOfUnitsPerLevel) {
  FacilityPolicy policy = Policy("suizhou");
  Result<ParsedTable> t = ParseFacilityFile(kFacilities, "养老设施.csv");
  ASSERT_TRUE(t.ok());
  CityView v = SmallCity(policy, t->facilities);
  const Target* urban = nullptr;
  const Target* township = nullptr;
  const Target* beds = nullptr;
  for (const Target& x : policy.targets) {
    if (x.id == "urban_day_care") urban = &x;
    if (x.id == "street_complex") township = &x;
    if (x.id == "beds_total") beds = &x;
  }
  ASSERT_TRUE(urban && township && beds);
  // 西城街道: F1 (综合体) stands in 001 and serves 002, 003: 3 of its urban communities.
  Indicator i = Compute(v, *urban, "421303001");
  int64_t xicheng_urban = 0;
  for (const Area& a : v.areas) {
    if (a.urban && a.region->code.starts_with("421303001")) ++xicheng_urban;
  }
  EXPECT_EQ(i.denominator, xicheng_urban);
  EXPECT_EQ(i.numerator, 3);
  // Townships of 曾都区 with a 综合体: only 西城街道.
  i = Compute(v, *township, "421303");
  EXPECT_EQ(i.numerator, 1);
  EXPECT_GT(i.denominator, 1);
  // Beds of active facilities (the 在建 canteen has none anyway).
  EXPECT_EQ(Compute(v, *beds).value, 340);
}

// --- the generated Suizhou against its targets --------------------------------------

TEST(Planning, GeneratedSuizhouAgainstItsTargets) {
  fs::path dir = TempDir("facility_suizhou");
  Result<gen::FacilitySyntheticSummary> syn =
      gen::WriteSyntheticFacilities({.region = "421300", .seed = 7, .out = dir});
  ASSERT_TRUE(syn.ok()) << syn.status().ToString();
  ParsedTable all[3];
  int k = 0;
  for (const char* f : {"养老设施.csv", "住宅小区.csv", "社区坐标.csv"}) {
    Result<std::string> bytes = ReadFileBytes(syn->dir / f);
    ASSERT_TRUE(bytes.ok());
    Result<ParsedTable> t = ParseFacilityFile(*bytes, f);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    all[k++] = std::move(*t);
  }
  FacilityPolicy policy = Policy("suizhou");
  Result<CityView> view =
      BuildCityView(policy, all[0].facilities, all[1].estates, all[2].points, {});
  ASSERT_TRUE(view.ok());
  std::vector<CoverageLine> lines = CoverageTable(*view, {2023, 2024, 2025}, GroupBy::kCity);
  ASSERT_EQ(lines.size(), policy.targets.size());
  std::map<std::string, const CoverageLine*> by_id;
  for (const CoverageLine& l : lines) by_id[l.target->id] = &l;
  // Shares near the generator's (docs/facility.md), and the yearly goals of the seed.
  const CoverageLine& urban = *by_id["urban_day_care"];
  EXPECT_TRUE(urban.now.known);
  EXPECT_GT(urban.now.value, 0.85);
  EXPECT_EQ(urban.goals, (std::vector<std::optional<double>>{0.90, 0.95, 1.00}));
  EXPECT_EQ(urban.met[2], std::optional<bool>(urban.now.value >= 1.0));
  const CoverageLine& rural = *by_id["rural_care"];
  EXPECT_GT(rural.now.value, 0.45);
  EXPECT_LT(rural.now.value, 0.70);
  const CoverageLine& estates = *by_id["new_estate_compliance"];
  EXPECT_TRUE(estates.now.known);
  EXPECT_GT(estates.now.denominator, 0);
  EXPECT_EQ(estates.met[0], std::optional<bool>(false));  // some new estates fall short
  EXPECT_FALSE(by_id["beds_total"]->goals[0].has_value());
  EXPECT_EQ(by_id["beds_total"]->goals[2], std::optional<double>(20000));
  // Same seed, same files.
  fs::path again = TempDir("facility_suizhou_again");
  ASSERT_TRUE(gen::WriteSyntheticFacilities({.region = "421300", .seed = 7, .out = again}).ok());
  EXPECT_EQ(*ReadFileBytes(syn->dir / "养老设施.csv"),
            *ReadFileBytes(again / "设施" / "养老设施.csv"));
  fs::remove_all(dir);
  fs::remove_all(again);
}

}  // namespace
}  // namespace yanglao::facility
