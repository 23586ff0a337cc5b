#include "policy/service_list.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "policy/entitlement.h"
#include "policy/rule_plan.h"

namespace yanglao::policy {
namespace {

// A small valid list; each test breaks one thing.
constexpr std::string_view kGood = R"(format: yanglao.list/1
jurisdiction: "421300"
title: 测试清单
issuer: 测试
issued: 2023-06-01
parameters:
  allowance:
    label: 高龄津贴标准
    type: money
    source: 测试
    scale: age
    values:
      - from: 2023-01-01
        brackets: [{min: 80, value: 100元}, {min: 100, value: 300元}]
definitions:
  poor:
    label: 经济困难
    expr: dibao || low_income
items:
  - number: 1
    name: 高龄津贴
    content: 按标准发放
    target: 本市户籍 80 周岁及以上老年人
    kind: 物质帮助
    departments: [市民政局]
    eligibility: hukou_local && age >= 80
    benefit: {type: cash, period: month, amount: allowance(age)}
  - number: 2
    name: 助餐
    content: 优惠
    target: 65周岁及以上
    kind: 关爱服务
    departments: [市民政局]
    eligibility: age >= 65 || poor
    benefit: {type: discount, percent: 'age >= 80 ? 40 : 20'}
)";

LoadedList Load(std::string_view text) { return LoadServiceListFromString(text, "t.yaml"); }

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(ServiceListTest, GoodListLoads) {
  LoadedList l = Load(kGood);
  ASSERT_TRUE(l.ok()) << l.errors.front().ToString();
  EXPECT_EQ(l.list.items.size(), 2u);
  EXPECT_EQ(l.list.items[0].departments, std::vector<std::string>{"市民政局"});
  EXPECT_EQ(l.list.items[1].benefit.type, BenefitType::kDiscount);
  EXPECT_EQ(l.list.FindParameter("allowance")->values[0].brackets.size(), 2u);
  EXPECT_EQ(ToSource(*l.list.items[1].benefit.percent), "age >= 80 ? 40 : 20");
}

struct Malformed {
  std::string name;
  std::string text;
  std::string code;
  int line, column;
};

TEST(ServiceListTest, EachMalformationGivesOnePreciseLocatedError) {
  const Malformed cases[] = {
      {"bad yaml", Replace(kGood, "title: 测试清单", "title: [测试清单"), "policy.yaml", 4, 7},
      {"unknown fact", Replace(kGood, "hukou_local && age", "hukou_locale && age"),
       "rule.unknown_name", 26, 18},
      {"type error", Replace(kGood, "age >= 65 || poor", "age >= 65 || 3"), "rule.type", 34, 31},
      {"unknown parameter", Replace(kGood, "amount: allowance(age)", "amount: allowence(age)"),
       "rule.call", 27, 50},
      {"duplicate item number", Replace(kGood, "  - number: 2", "  - number: 1"),
       "policy.duplicate_item", 28, 13},
      {"unknown enum value", Replace(kGood, "age >= 65 || poor", "tekun == \"scattered\""),
       "rule.enum_value", 34, 27},
      {"unknown key", Replace(kGood, "    kind: 关爱服务", "    kind: 关爱服务\n    colour: red"),
       "policy.unknown_key", 33, 5},
      {"missing field", Replace(kGood, "    target: 65周岁及以上\n", ""), "policy.missing_field",
       28, 5},
      {"bad kind", Replace(kGood, "kind: 关爱服务", "kind: 关怀服务"), "policy.enum", 32, 11},
      {"money without 元", Replace(kGood, "value: 300元", "value: 300"), "policy.money_unit", 14,
       64},
      {"syntax", Replace(kGood, "hukou_local && age >= 80", "hukou_local && age >="), "rule.syntax",
       26, 39},
      {"bad jurisdiction", Replace(kGood, "\"421300\"", "\"429999\""), "policy.jurisdiction", 2,
       15},
      {"amount not money", Replace(kGood, "amount: allowance(age)", "amount: 100"), "rule.type", 27,
       50},
      {"bad date", Replace(kGood, "issued: 2023-06-01", "issued: 2023-06-31"), "date.invalid", 5,
       9},
  };
  for (const Malformed& c : cases) {
    LoadedList l = Load(c.text);
    ASSERT_EQ(l.errors.size(), 1u)
        << c.name << ": " << (l.errors.empty() ? "no error" : l.errors[1].ToString());
    const Status& e = l.errors[0];
    EXPECT_EQ(e.code(), c.code) << c.name << ": " << e.ToString();
    EXPECT_EQ(e.where().file, "t.yaml") << c.name;
    EXPECT_EQ(e.where().line, c.line) << c.name << ": " << e.ToString();
    EXPECT_EQ(e.where().column, c.column) << c.name << ": " << e.ToString();
    EXPECT_FALSE(e.message().empty());
  }
}

// Issue 14 point 6: a discount row with two discounts on different places
// (Ezhou 9) writes the second one under `also`; the explanation names both.
TEST(ServiceListTest, ADiscountMayHaveFurtherDiscountsOnOtherPlaces) {
  std::string text = Replace(kGood, "percent: 'age >= 80 ? 40 : 20'}",
                             "percent: 'age >= 80 ? 40 : 20', on: 景点门票, also: [{percent: 100, "
                             "on: 公园门票}]}");
  LoadedList l = Load(text);
  ASSERT_TRUE(l.ok()) << l.errors.front().ToString();
  ASSERT_EQ(l.list.items[1].benefit.also.size(), 1u);
  EXPECT_EQ(l.list.items[1].benefit.also[0].on, "公园门票");
  Result<CompiledList> c = CompileList(l.list, *CivilDate::Parse("2026-04-01"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  PersonFacts person(FactSchema::Person().size(), 0);
  person[*FactSchema::Person().Find("age")] = 70;
  person[*FactSchema::Person().Find("resident_local")] = 1;
  std::vector<ItemOutcome> o = EntitlePerson(*c, person);
  ASSERT_TRUE(o[1].entitled);
  EXPECT_EQ(o[1].percent, 20);
  EXPECT_EQ(o[1].also_percents, std::vector<int64_t>{100});
  EXPECT_EQ(BenefitWords(l.list.items[1], o[1]), "景点门票：优惠 20%；公园门票：免费");

  LoadedList bad = Load(Replace(text, "also: [{percent: 100,", "also: [{percent: true,"));
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].code(), "rule.type") << bad.errors[0].ToString();
  LoadedList not_list = Load(Replace(text, "also: [{percent: 100, on: 公园门票}]", "also: 100"));
  ASSERT_EQ(not_list.errors.size(), 1u);
  EXPECT_EQ(not_list.errors[0].code(), "policy.field_type") << not_list.errors[0].ToString();
}

// Issue 14 point 2: a standing item for the family carer needs a carer on
// record (has_family_carer): unknown puts the person on the to-verify list
// with that fact (民政); an item granted on an event does not need one.
TEST(ServiceListTest, AStandingItemForTheFamilyCarerNeedsACarerOnRecord) {
  std::string text = Replace(kGood, "benefit: {type: cash, period: month, amount: allowance(age)}",
                             "benefit: {type: cash, period: month, amount: allowance(age), "
                             "recipient: family_carer}");
  LoadedList l = Load(text);
  ASSERT_TRUE(l.ok()) << l.errors.front().ToString();
  Result<CompiledList> c = CompileList(l.list, *CivilDate::Parse("2026-04-01"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const FactSchema& schema = FactSchema::Person();
  PersonFacts person(schema.size(), 0);
  person[*schema.Find("age")] = 85;
  person[*schema.Find("hukou_local")] = 1;
  person[*schema.Find("has_family_carer")] = kUnknownFact;
  std::vector<ItemOutcome> o = EntitlePerson(*c, person);
  EXPECT_FALSE(o[0].entitled);
  ASSERT_TRUE(o[0].verify);
  EXPECT_EQ(o[0].unknown_facts, std::vector<size_t>{*schema.Find("has_family_carer")});
  EXPECT_EQ(DescribeUnknownFacts(o[0].unknown_facts), "有登记的家庭照护者（民政）");
  person[*schema.Find("has_family_carer")] = 1;
  o = EntitlePerson(*c, person);
  EXPECT_TRUE(o[0].entitled);
  EXPECT_EQ(o[0].amount, 10000);
  person[*schema.Find("has_family_carer")] = 0;
  EXPECT_FALSE(EntitlePerson(*c, person)[0].entitled);
  // Granted on an event (a training): whoever trains, no record needed.
  l.list.items[0].benefit.grant = Grant::kEvent;
  l.list.items[0].benefit.condition = "家庭成员参加培训";
  c = CompileList(l.list, *CivilDate::Parse("2026-04-01"));
  ASSERT_TRUE(c.ok());
  person[*schema.Find("has_family_carer")] = kUnknownFact;
  EXPECT_TRUE(EntitlePerson(*c, person)[0].entitled);
}

TEST(ServiceListTest, DefinitionCycle) {
  std::string text = Replace(kGood, "expr: dibao || low_income", "expr: dibao || poor2");
  text = Replace(text, "items:", "  poor2:\n    label: 乙\n    expr: poor\nitems:");
  LoadedList l = Load(text);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.errors[0].code(), "rule.cycle");
}

TEST(ServiceListTest, MissingParameterValueFailsAtBindingNotLoading) {
  std::string text = Replace(kGood,
                             "    values:\n      - from: 2023-01-01\n        brackets: [{min: 80, "
                             "value: 100元}, {min: 100, value: 300元}]\n",
                             "    values: []\n");
  LoadedList l = Load(text);
  ASSERT_TRUE(l.ok()) << l.errors[0].ToString();
  Result<CompiledList> c = CompileList(l.list, *CivilDate::FromYmd(2026, 4, 1));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "policy.param_missing");
  EXPECT_NE(c.status().message().find("高龄津贴标准"), std::string::npos);
  // Before the first value's date there is no value either.
  Result<CompiledList> early = CompileList(Load(kGood).list, *CivilDate::FromYmd(2022, 12, 31));
  EXPECT_EQ(early.status().code(), "policy.param_missing");
}

TEST(ServiceListTest, AllSeedListsLoadWithoutErrors) {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  int lists = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(src) / "policies")) {
    if (e.path().extension() != ".yaml") continue;
    LoadedList l = LoadServiceList(e.path());
    EXPECT_TRUE(l.ok()) << e.path() << ": " << (l.ok() ? "" : l.errors[0].ToString());
    EXPECT_GT(l.list.items.size(), 5u) << e.path();
    ++lists;
  }
  EXPECT_GE(lists, 4);
}

}  // namespace
}  // namespace yanglao::policy
