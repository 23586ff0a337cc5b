#include "policy/compliance.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "policy/entitlement.h"
#include "policy/rule_plan.h"

namespace yanglao::policy {
namespace {

namespace fs = std::filesystem;

const CivilDate kDate = *CivilDate::FromYmd(2026, 4, 1);

fs::path Source() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return src ? fs::path(src) : fs::path(".");
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The Suizhou city list with its demo parameter values.
ServiceList LoadList(std::string_view text) {
  LoadedList l = LoadServiceListFromString(text, "county.yaml");
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.errors[0].ToString());
  ApplyParameterFile(Source() / "policies/demo/suizhou.demo.yaml", l.list, l.errors);
  EXPECT_TRUE(l.ok());
  return std::move(l.list);
}

// The block of item `number` in the list text: from "  - number: N" to the next item.
std::pair<size_t, size_t> ItemBlock(const std::string& text, const std::string& number) {
  size_t begin = text.find("  - number: " + number + "\n");
  EXPECT_NE(begin, std::string::npos) << number;
  size_t end = text.find("  - number: ", begin + 1);
  if (end == std::string::npos) end = text.find("\n\n", begin);
  if (end == std::string::npos) end = text.size();
  return {begin, end};
}

std::string ReplaceInItem(std::string text, const std::string& number, const std::string& from,
                          const std::string& to) {
  auto [begin, end] = ItemBlock(text, number);
  size_t at = text.find(from, begin);
  EXPECT_TRUE(at != std::string::npos && at < end) << number << ": " << from;
  if (at != std::string::npos && at < end) text.replace(at, from.size(), to);
  return text;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class ComplianceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    city_text_ = ReadText(Source() / "policies/suizhou.yaml");
    ASSERT_FALSE(city_text_.empty());
    city_ = LoadList(city_text_);
    // A county list starts as a copy of the city's, as 随县 would publish it.
    county_text_ =
        Replace(Replace(city_text_, "jurisdiction: \"421300\"", "jurisdiction: \"421321\""),
                "title: 随州市基本养老服务清单", "title: 随县基本养老服务清单");
  }

  ComplianceReport Check(const std::string& county_text) {
    ServiceList county = LoadList(county_text);
    Result<ComplianceReport> r = CheckCompliance(city_, county, kDate);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    // Every counterexample must really be one: entitled under the city
    // list, and not (or less) under the county list.
    if (r.ok()) {
      Result<CompiledList> pc = CompileList(city_, kDate);
      Result<CompiledList> cc = CompileList(county, kDate);
      for (const ComplianceViolation& v : r->violations) {
        if (v.kind != ComplianceViolation::Kind::kCoverage) continue;
        std::vector<ItemOutcome> po = EntitlePerson(*pc, v.person),
                                 co = EntitlePerson(*cc, v.person);
        for (size_t i = 0; i < pc->items.size(); ++i) {
          if (pc->items[i].item->number == v.parent_number) {
            EXPECT_TRUE(po[i].entitled) << v.message;
          }
        }
        for (size_t i = 0; i < cc->items.size(); ++i) {
          if (cc->items[i].item->number == v.child_number) {
            EXPECT_FALSE(co[i].entitled) << v.message;
          }
        }
      }
      return *r;
    }
    return {};
  }

  std::string city_text_, county_text_;
  ServiceList city_;
};

TEST_F(ComplianceTest, IdenticalCopyCompliesAndEveryItemIsDecidedSymbolically) {
  ComplianceReport r = Check(county_text_);
  EXPECT_TRUE(r.complies()) << r.violations[0].message;
  ASSERT_EQ(r.checks.size(), city_.items.size());
  for (const ItemCheck& c : r.checks) EXPECT_EQ(c.method, "symbolic") << c.item_name;
}

TEST_F(ComplianceTest, DroppedItemIsRejected) {
  auto [begin, end] = ItemBlock(county_text_, "27");
  std::string dropped = county_text_;
  dropped.erase(begin, end - begin);
  ComplianceReport r = Check(dropped);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].kind, ComplianceViolation::Kind::kMissingItem);
  EXPECT_EQ(r.violations[0].message, "缺少上级清单第27项「残疾人辅助器具服务」");
}

TEST_F(ComplianceTest, NarrowedPopulationIsRejectedWithACounterexample) {
  // 重度残疾人护理补贴 for grade 1 only.
  ComplianceReport r = Check(
      Replace(county_text_, "expr: disability_grade in [1, 2]", "expr: disability_grade == 1"));
  ASSERT_FALSE(r.complies());
  const ComplianceViolation* v19 = nullptr;
  for (const ComplianceViolation& v : r.violations) {
    if (v.parent_number == "19") v19 = &v;
  }
  ASSERT_NE(v19, nullptr);
  EXPECT_EQ(v19->kind, ComplianceViolation::Kind::kCoverage);
  EXPECT_EQ(v19->person[*FactSchema::Person().Find("disability_grade")], 2);
  EXPECT_NE(v19->message.find("残疾2级"), std::string::npos) << v19->message;
  EXPECT_NE(v19->message.find("需要长期照护"), std::string::npos) << v19->message;
}

TEST_F(ComplianceTest, LoweredStandardIsRejected) {
  ComplianceReport r = Check(ReplaceInItem(county_text_, "19", "amount: 100元", "amount: 80元"));
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].kind, ComplianceViolation::Kind::kStandard);
  EXPECT_EQ(r.violations[0].parent_number, "19");
  EXPECT_NE(r.violations[0].message.find("上级 100元/月，本清单 80元/月"), std::string::npos)
      << r.violations[0].message;
}

TEST_F(ComplianceTest, LoweredDiscountIsRejected) {
  // 参观旅游景点: free from 70 in the city; the county makes it free from 75.
  std::string county = ReplaceInItem(county_text_, "9", "age >= 70", "age >= 75");
  ComplianceReport r = Check(county);
  ASSERT_EQ(r.violations.size(), 1u) << r.violations[0].message;
  EXPECT_EQ(r.violations[0].kind, ComplianceViolation::Kind::kStandard);
  int64_t age = r.violations[0].person[*FactSchema::Person().Find("age")];
  EXPECT_GE(age, 70);
  EXPECT_LT(age, 75);
}

TEST_F(ComplianceTest, WiderCoverageAndHigherStandardsPass) {
  std::string county = Replace(county_text_, "expr: disability_grade in [1, 2]",
                               "expr: disability_grade in [1, 2, 3]");
  county = ReplaceInItem(county, "17", "amount: 100元", "amount: 150元");
  county = ReplaceInItem(county, "19", "amount: 100元", "amount: 120元");
  ComplianceReport r = Check(county);
  EXPECT_TRUE(r.complies()) << r.violations[0].message;
}

TEST_F(ComplianceTest, ExtraCountyItemsAreAllowed) {
  auto [begin, end] = ItemBlock(county_text_, "28");
  std::string extra = county_text_.substr(begin, end - begin);
  extra =
      Replace(Replace(extra, "number: 28", "number: 29"), "name: 老年人助餐", "name: 县级助浴服务");
  std::string county = county_text_;
  county.insert(end, extra);
  EXPECT_TRUE(Check(county).complies());
}

}  // namespace
}  // namespace yanglao::policy
