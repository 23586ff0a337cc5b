#include "core/region.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace yanglao {
namespace {

const RegionTable& T() { return RegionTable::Builtin(); }

size_t Count(const std::vector<size_t>& counts, RegionKind kind) {
  return counts[static_cast<size_t>(kind)];
}

size_t CountLevel(const std::vector<size_t>& counts, RegionLevel level) {
  size_t n = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    if (LevelOfKind(static_cast<RegionKind>(k)) == level) n += counts[k];
  }
  return n;
}

TEST(RegionTableTest, LoadsTheWholeCountry) {
  std::vector<size_t> by_level(6, 0);
  for (const Region& r : T().all()) ++by_level[static_cast<size_t>(r.level)];
  EXPECT_EQ(by_level[1], 31u);     // provinces.csv
  EXPECT_EQ(by_level[2], 342u);    // cities.csv
  EXPECT_EQ(by_level[3], 2978u);   // areas.csv
  EXPECT_EQ(by_level[4], 41352u);  // streets.csv
  EXPECT_EQ(by_level[5], 5868u);   // villages of the five seed cities
  EXPECT_EQ(T().size(), 50571u);
}

struct CityCounts {
  const char* code;
  const char* name;
  size_t counties, townships, villages;
};

TEST(RegionTableTest, FiveSeedCities) {
  // Totals counted independently from the CSV files with awk.
  const CityCounts cities[] = {
      {"420700", "鄂州市", 3, 28, 358},   {"421300", "随州市", 3, 51, 1009},
      {"421200", "咸宁市", 6, 89, 1096},  {"430200", "株洲市", 9, 112, 1400},
      {"320600", "南通市", 8, 136, 2005},
  };
  for (const CityCounts& c : cities) {
    const Region* r = T().Find(c.code);
    ASSERT_NE(r, nullptr) << c.code;
    EXPECT_EQ(r->name, c.name);
    EXPECT_EQ(r->level, RegionLevel::kCity);
    std::vector<size_t> n = T().CountDescendantsByKind(*r);
    EXPECT_EQ(CountLevel(n, RegionLevel::kCounty), c.counties) << c.name;
    EXPECT_EQ(CountLevel(n, RegionLevel::kTownship), c.townships) << c.name;
    EXPECT_EQ(CountLevel(n, RegionLevel::kVillage), c.villages) << c.name;
    EXPECT_EQ(T().Children(*r).size(), c.counties) << c.name;
  }
}

TEST(RegionTableTest, SuizhouByKind) {
  const Region* suizhou = T().Find("421300");
  ASSERT_NE(suizhou, nullptr);
  std::vector<size_t> n = T().CountDescendantsByKind(*suizhou);
  EXPECT_EQ(Count(n, RegionKind::kStreet), 9u);
  EXPECT_EQ(Count(n, RegionKind::kTown), 37u);
  EXPECT_EQ(Count(n, RegionKind::kTownship), 0u);
  EXPECT_EQ(Count(n, RegionKind::kOtherTownship), 5u);  // 开发区 and the like
  EXPECT_EQ(Count(n, RegionKind::kUrbanCommunity), 167u);
  EXPECT_EQ(Count(n, RegionKind::kRuralVillage), 842u);
  std::vector<const Region*> counties = T().Children(*suizhou);
  ASSERT_EQ(counties.size(), 3u);
  EXPECT_EQ(counties[0]->name, "曾都区");
  EXPECT_EQ(counties[1]->name, "随县");
  EXPECT_EQ(counties[2]->name, "广水市");
}

TEST(RegionTableTest, ChibiIsUnderXianning) {
  const Region* chibi = T().Find("421281");
  ASSERT_NE(chibi, nullptr);
  EXPECT_EQ(chibi->name, "赤壁市");
  EXPECT_EQ(chibi->level, RegionLevel::kCounty);
  const Region* parent = T().Parent(*chibi);
  ASSERT_NE(parent, nullptr);
  EXPECT_EQ(parent->name, "咸宁市");
  EXPECT_EQ(parent->DisplayCode(), "421200");
  std::vector<const Region*> up = T().Ancestors(*chibi);
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(up[0]->name, "湖北省");
  EXPECT_EQ(T().FullName(*chibi), "湖北省咸宁市赤壁市");
  std::vector<size_t> n = T().CountDescendantsByKind(*chibi);
  EXPECT_EQ(CountLevel(n, RegionLevel::kTownship), 19u);
  EXPECT_EQ(CountLevel(n, RegionLevel::kVillage), 190u);
  EXPECT_EQ(Count(n, RegionKind::kUrbanCommunity), 47u);
  EXPECT_EQ(Count(n, RegionKind::kRuralVillage), 140u);
  EXPECT_EQ(Count(n, RegionKind::kOtherVillage), 3u);  // 林场/茶场虚拟生活区, 虚拟社区
}

TEST(RegionTableTest, QidongIsUnderNantong) {
  const Region* qidong = T().Find("320681");
  ASSERT_NE(qidong, nullptr);
  EXPECT_EQ(qidong->name, "启东市");
  EXPECT_EQ(T().Parent(*qidong)->name, "南通市");
  std::vector<size_t> n = T().CountDescendantsByKind(*qidong);
  EXPECT_EQ(Count(n, RegionKind::kTown), 9u);
  EXPECT_EQ(Count(n, RegionKind::kOtherTownship), 9u);  // 开发区, 工业园 ...
  EXPECT_EQ(CountLevel(n, RegionLevel::kVillage), 339u);
}

TEST(RegionTableTest, VillageLevelNavigation) {
  const Region* v = T().Find("421281001003");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->name, "西街社区居民委员会");
  EXPECT_TRUE(v->is_urban_community());
  EXPECT_EQ(T().Parent(*v)->name, "蒲圻街道");
  EXPECT_EQ(T().Parent(*v)->kind, RegionKind::kStreet);
  EXPECT_EQ(T().Ancestors(*v).size(), 4u);
  EXPECT_TRUE(T().IsWithin(*v, *T().Find("4212")));
  EXPECT_FALSE(T().IsWithin(*v, *T().Find("4213")));
  EXPECT_TRUE(T().Children(*v).empty());
}

TEST(RegionTableTest, FindAcceptsPaddedCodes) {
  EXPECT_EQ(T().Find("42")->name, "湖北省");
  EXPECT_EQ(T().Find("420000")->name, "湖北省");
  EXPECT_EQ(T().Find("4213")->name, "随州市");
  EXPECT_EQ(T().Find("421300")->name, "随州市");
  EXPECT_EQ(T().Find("421281001000")->name, "蒲圻街道");
  EXPECT_EQ(T().Find("999999"), nullptr);
  EXPECT_EQ(T().Find("42130"), nullptr);
  EXPECT_EQ(T().Find("abc"), nullptr);
  EXPECT_EQ(T().Find("420000")->DisplayCode(), "420000");
}

// Found by importing a generated city at scale 1: people with hukou in a
// city without counties (东莞, 儋州) carry the county-level code 441900.
TEST(RegionTableTest, CitiesWithoutCountiesHaveReachableCountyUnits) {
  const Region* dongguan = T().Find("441900");
  ASSERT_NE(dongguan, nullptr);
  EXPECT_EQ(dongguan->level, RegionLevel::kCounty);
  EXPECT_EQ(dongguan->name, "东莞市");
  EXPECT_EQ(T().Parent(*dongguan)->code, "4419");
  EXPECT_EQ(T().Find("4419")->level, RegionLevel::kCity);
  EXPECT_EQ(T().Find("460400")->level, RegionLevel::kCounty);
  EXPECT_EQ(T().Find("441900003")->name, "东城街道");
  EXPECT_EQ(T().Find("421300")->level, RegionLevel::kCity);  // no county 421300: the city
}

TEST(RegionTableTest, FindByNameExactFirst) {
  std::vector<const Region*> found = T().FindByName("赤壁市");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0]->code, "421281");
  std::vector<const Region*> partial = T().FindByName("赤壁");
  EXPECT_GT(partial.size(), 1u);
  for (const Region* r : partial) EXPECT_NE(r->name.find("赤壁"), std::string::npos);
  EXPECT_EQ(T().FindByName("朝阳", 3).size(), 3u);
  EXPECT_TRUE(T().FindByName("不存在的地方").empty());
  EXPECT_TRUE(T().FindByName("").empty());
}

TEST(RegionTableTest, AbolishedCodes) {
  const AbolishedRegion* old = T().FindAbolished("421302");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->successor, "421303");
  EXPECT_EQ(T().Find("421302"), nullptr);
  EXPECT_EQ(T().FindAbolished("421303"), nullptr);
}

TEST(NormalizeRegionCodeTest, Forms) {
  EXPECT_EQ(*NormalizeRegionCode("420000"), "42");
  EXPECT_EQ(*NormalizeRegionCode("421300"), "4213");
  EXPECT_EQ(*NormalizeRegionCode("421303"), "421303");
  EXPECT_EQ(*NormalizeRegionCode("421303001000"), "421303001");
  EXPECT_EQ(*NormalizeRegionCode("421303001001"), "421303001001");
  EXPECT_EQ(*NormalizeRegionCode("421300000000"), "4213");
  EXPECT_EQ(NormalizeRegionCode("4213001").status().code(), "region.code_format");
  EXPECT_EQ(NormalizeRegionCode("42a300").status().code(), "region.code_format");
}

TEST(ClassifyTest, TownshipKinds) {
  EXPECT_EQ(ClassifyTownship("东城街道"), RegionKind::kStreet);
  EXPECT_EQ(ClassifyTownship("洛阳镇"), RegionKind::kTown);
  EXPECT_EQ(ClassifyTownship("余店乡"), RegionKind::kTownship);
  EXPECT_EQ(ClassifyTownship("万和镇（办事处）"), RegionKind::kTown);
  EXPECT_EQ(ClassifyTownship("随州市经济开发区"), RegionKind::kOtherTownship);
  EXPECT_EQ(ClassifyTownship("官塘驿林场"), RegionKind::kOtherTownship);
}

TEST(ClassifyTest, UrbanAndRural) {
  EXPECT_EQ(ClassifyVillage("东市社区居委会"), RegionKind::kUrbanCommunity);
  EXPECT_EQ(ClassifyVillage("西街社区居民委员会"), RegionKind::kUrbanCommunity);
  EXPECT_EQ(ClassifyVillage("青石桥社区"), RegionKind::kUrbanCommunity);
  EXPECT_EQ(ClassifyVillage("黄龙居委会（社区）"), RegionKind::kUrbanCommunity);
  EXPECT_EQ(ClassifyVillage("秦西社区居民委委会"), RegionKind::kUrbanCommunity);
  EXPECT_EQ(ClassifyVillage("伯浩村委会"), RegionKind::kRuralVillage);
  EXPECT_EQ(ClassifyVillage("龙泉村村民委员会"), RegionKind::kRuralVillage);
  EXPECT_EQ(ClassifyVillage("红旗村"), RegionKind::kRuralVillage);
  EXPECT_EQ(ClassifyVillage("卢湾村委会（长阳社区）"), RegionKind::kRuralVillage);
  EXPECT_EQ(ClassifyVillage("闸河村委会（新）"), RegionKind::kRuralVillage);
  EXPECT_EQ(ClassifyVillage("城东村社区居委会"), RegionKind::kUrbanCommunity);
  EXPECT_EQ(ClassifyVillage("羊楼洞茶场虚拟生活区"), RegionKind::kOtherVillage);
  EXPECT_EQ(ClassifyVillage("经济开发区虚拟社区"), RegionKind::kOtherVillage);
  EXPECT_EQ(ClassifyVillage("蒲团农场生活区"), RegionKind::kOtherVillage);
}

// Small hand-made tables for the loader's error paths.
RegionSources Small(std::string_view streets) {
  return RegionSources{
      {"provinces.csv", "code,name\n42,\"湖北省\"\n"},
      {"cities.csv", "code,name,provinceCode\n4213,\"随州市\",42\n"},
      {"areas.csv", "code,name,cityCode,provinceCode\n421303,\"曾都区\",4213,42\n"},
      {"streets.csv", streets},
      {"villages.csv", ""},
      {"abolished.csv", ""},
  };
}

TEST(RegionLoadTest, SmallTableLoads) {
  Result<RegionTable> t = RegionTable::Load(
      Small("code,name,areaCode,provinceCode,cityCode\n421303001,\"西城街道\",421303,42,4213\n"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->size(), 4u);
  EXPECT_EQ(t->Find("421303001")->kind, RegionKind::kStreet);
}

TEST(RegionLoadTest, UnknownParentIsLocated) {
  Result<RegionTable> t = RegionTable::Load(
      Small("code,name,areaCode,provinceCode,cityCode\n421303001,\"西城街道\",421303,42,4213\n"
            "421399001,\"某镇\",421399,42,4213\n"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), "region.unknown_parent");
  EXPECT_EQ(t.status().where().file, "streets.csv");
  EXPECT_EQ(t.status().where().line, 3);
  EXPECT_EQ(t.status().where().column, 3);
  EXPECT_EQ(t.status().where().field, "areaCode");
  EXPECT_EQ(t.status().where().value, "421399");
}

TEST(RegionLoadTest, BadCodeWrongParentDuplicateHeader) {
  auto load = [](std::string_view streets) { return RegionTable::Load(Small(streets)).status(); };
  const std::string header = "code,name,areaCode,provinceCode,cityCode\n";
  Status s = load(header + "42130301,\"短\",421303,42,4213\n");
  EXPECT_EQ(s.code(), "region.code_format");
  EXPECT_EQ(s.where().line, 2);
  s = load(header + "421304001,\"错\",421303,42,4213\n");
  EXPECT_EQ(s.code(), "region.parent_mismatch");
  // Found by fuzz/core/region_table_fuzz.cc: a township whose parent column
  // names a city.
  s = load(header + "421399001,\"某镇\",4213,42,4213\n");
  EXPECT_EQ(s.code(), "region.parent_level");
  EXPECT_EQ(s.where().value, "4213");
  s = load(header + "421303001,\"甲\",421303,42,4213\n421303001,\"乙\",421303,42,4213\n");
  EXPECT_EQ(s.code(), "region.duplicate_code");
  EXPECT_EQ(s.where().value, "421303001");
  s = load("code,name,area,provinceCode,cityCode\n");
  EXPECT_EQ(s.code(), "csv.header");
  EXPECT_EQ(s.where().column, 3);
  s = load(header + "421303001,\"甲\",421303\n");
  EXPECT_EQ(s.code(), "region.field_count");
  s = load(header + "421303001,,421303,42,4213\n");
  EXPECT_EQ(s.code(), "region.name_empty");
  s = load("");
  EXPECT_EQ(s.code(), "region.empty_file");
}

TEST(RegionLoadTest, DirectoryMatchesBuiltin) {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "ctest sets YANGLAO_SOURCE_DIR";
  Result<RegionTable> t = RegionTable::LoadDirectory(std::filesystem::path(src) / "data/regions");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->size(), T().size());
  Result<RegionTable> missing = RegionTable::LoadDirectory("/nonexistent");
  EXPECT_EQ(missing.status().code(), "io.open");
}

}  // namespace
}  // namespace yanglao
