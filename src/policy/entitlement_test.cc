#include "policy/entitlement.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "policy/service_list.h"

namespace yanglao::policy {
namespace {

namespace fs = std::filesystem;

// Random people over the whole fact space, ages weighted to older people.
std::vector<PersonFacts> RandomPeople(size_t n, uint64_t seed) {
  const FactSchema& schema = FactSchema::Person();
  std::mt19937_64 rng(seed);
  std::vector<PersonFacts> people;
  for (size_t i = 0; i < n; ++i) {
    PersonFacts p(schema.size(), 0);
    for (size_t s = 0; s < schema.size(); ++s) {
      const FactInfo& f = schema.at(s);
      if (f.name == "age") {
        p[s] = 50 + static_cast<int64_t>(rng() % 56);
      } else if (f.type == FactType::kBool) {
        p[s] = rng() % 4 == 0;  // a quarter true, so combinations occur
      } else {
        p[s] = f.min + static_cast<int64_t>(rng() % static_cast<uint64_t>(f.max - f.min + 1));
      }
    }
    people.push_back(std::move(p));
  }
  return people;
}

// Both evaluators must agree person by person, item by item, on every list.
// The population spans several morsels, the last one partial, and is split
// over three threads; one thread must give the same rolls.
TEST(EntitlementTest, OnePersonAndPopulationAgreeOnEverySeedList) {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::vector<PersonFacts> people = RandomPeople(4 * kMorselRows + 777, 42);
  Population pop = Population::FromPeople(people);
  int lists = 0;
  for (const auto& e : fs::directory_iterator(fs::path(src) / "policies")) {
    if (e.path().extension() != ".yaml") continue;
    LoadedList l = LoadServiceList(e.path());
    fs::path demo = e.path().parent_path() / "demo" / (e.path().stem().string() + ".demo.yaml");
    if (fs::exists(demo)) ApplyParameterFile(demo, l.list, l.errors);
    ASSERT_TRUE(l.ok()) << l.errors[0].ToString();
    Result<CompiledList> c = CompileList(l.list, *CivilDate::FromYmd(2026, 4, 1));
    ASSERT_TRUE(c.ok()) << e.path() << ": " << c.status().ToString();
    std::vector<ItemRoll> rolls = EntitlePopulation(*c, pop, 3);
    std::vector<ItemRoll> single = EntitlePopulation(*c, pop, 1);
    for (size_t i = 0; i < rolls.size(); ++i) {
      ASSERT_EQ(rolls[i].rows, single[i].rows) << "item " << c->items[i].item->number;
      ASSERT_EQ(rolls[i].amounts, single[i].amounts);
      ASSERT_EQ(rolls[i].percents, single[i].percents);
    }
    size_t entitled_total = 0;
    for (size_t p = 0; p < people.size(); ++p) {
      std::vector<ItemOutcome> one = EntitlePerson(*c, people[p]);
      for (size_t i = 0; i < one.size(); ++i) {
        const ItemRoll& roll = rolls[i];
        auto it = std::lower_bound(roll.rows.begin(), roll.rows.end(), static_cast<uint32_t>(p));
        bool in = it != roll.rows.end() && *it == p;
        ASSERT_EQ(in, one[i].entitled)
            << e.path().filename() << " item " << c->items[i].item->number << " person " << p;
        if (!in) continue;
        ++entitled_total;
        size_t k = static_cast<size_t>(it - roll.rows.begin());
        if (!roll.amounts.empty()) {
          ASSERT_EQ(roll.amounts[k], one[i].amount);
        }
        if (!roll.percents.empty()) {
          ASSERT_EQ(roll.percents[k], one[i].percent);
        }
      }
    }
    EXPECT_GT(entitled_total, people.size())
        << e.path() << ": the random people should be entitled to something";
    ++lists;
  }
  EXPECT_GE(lists, 4);
}

TEST(EntitlementTest, DeceasedPeopleGetNothing) {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  LoadedList l = LoadServiceList(fs::path(src) / "policies/suizhou.yaml");
  ApplyParameterFile(fs::path(src) / "policies/demo/suizhou.demo.yaml", l.list, l.errors);
  ASSERT_TRUE(l.ok());
  Result<CompiledList> c = CompileList(l.list, *CivilDate::FromYmd(2026, 4, 1));
  ASSERT_TRUE(c.ok());
  const FactSchema& schema = FactSchema::Person();
  PersonFacts p(schema.size(), 0);
  p[*schema.Find("age")] = 85;
  p[*schema.Find("hukou_local")] = 1;
  size_t alive = 0;
  for (const ItemOutcome& o : EntitlePerson(*c, p)) alive += o.entitled;
  EXPECT_GT(alive, 5u);
  p[*schema.Find("deceased")] = 1;
  for (const ItemOutcome& o : EntitlePerson(*c, p)) EXPECT_FALSE(o.entitled);
  std::vector<ItemRoll> rolls = EntitlePopulation(*c, Population::FromPeople({p}));
  for (const ItemRoll& r : rolls) EXPECT_TRUE(r.rows.empty());
}

}  // namespace
}  // namespace yanglao::policy
