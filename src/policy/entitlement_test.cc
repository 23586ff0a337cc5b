#include "policy/entitlement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
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

// Loads every seed list with its demo parameters, compiled for 2026-04-01.
struct SeedList {
  std::string name;
  std::unique_ptr<LoadedList> loaded;
  CompiledList compiled;
};
std::vector<SeedList> SeedLists() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  std::vector<SeedList> out;
  if (src == nullptr) return out;
  for (const auto& e : fs::directory_iterator(fs::path(src) / "policies")) {
    if (e.path().extension() != ".yaml") continue;
    SeedList s;
    s.name = e.path().stem().string();
    s.loaded = std::make_unique<LoadedList>(LoadServiceList(e.path()));
    ApplyParameterFile(e.path().parent_path() / "demo" / (s.name + ".demo.yaml"), s.loaded->list,
                       s.loaded->errors);
    if (!s.loaded->ok()) continue;
    Result<CompiledList> c = CompileList(s.loaded->list, *CivilDate::FromYmd(2026, 4, 1));
    if (!c.ok()) continue;
    s.compiled = std::move(*c);
    out.push_back(std::move(s));
  }
  return out;
}

// Three-valued: with unknown facts sprinkled over the people, the two
// evaluators agree on who is entitled and who is to verify, item by item.
TEST(EntitlementTest, BothEvaluatorsAgreeOnUnknownFacts) {
  std::vector<PersonFacts> people = RandomPeople(2 * kMorselRows + 311, 7);
  std::mt19937_64 rng(11);
  const size_t age = *FactSchema::Person().Find("age");
  for (PersonFacts& p : people) {
    for (size_t s = 0; s < p.size(); ++s) {
      if (s != age && rng() % 10 == 0) p[s] = kUnknownFact;
    }
  }
  Population pop = Population::FromPeople(people);
  std::vector<SeedList> lists = SeedLists();
  ASSERT_EQ(lists.size(), 5u);
  for (const SeedList& l : lists) {
    std::vector<ItemRoll> rolls = EntitlePopulation(l.compiled, pop, 2);
    int64_t verify = 0;
    for (size_t i = 0; i < rolls.size(); ++i)
      verify += static_cast<int64_t>(rolls[i].verify.size());
    EXPECT_GT(verify, 0) << l.name;
    for (size_t p = 0; p < people.size(); ++p) {
      std::vector<ItemOutcome> one = EntitlePerson(l.compiled, people[p]);
      for (size_t i = 0; i < one.size(); ++i) {
        bool in = std::binary_search(rolls[i].rows.begin(), rolls[i].rows.end(),
                                     static_cast<uint32_t>(p));
        bool to_verify = std::binary_search(rolls[i].verify.begin(), rolls[i].verify.end(),
                                            static_cast<uint32_t>(p));
        ASSERT_EQ(in, one[i].entitled)
            << l.name << " item " << l.compiled.items[i].item->number << " person " << p;
        ASSERT_EQ(to_verify, one[i].verify)
            << l.name << " item " << l.compiled.items[i].item->number << " person " << p;
        ASSERT_EQ(one[i].verify, !one[i].unknown_facts.empty());
      }
    }
  }
}

// Issue 14 "What it must show": for every item of every list, a person who
// qualifies, with one deciding fact unknown, lands on the to-verify list of
// that item (naming that fact, which has a department) and on no roll, in
// both evaluators.
TEST(EntitlementTest, EveryItemSendsAPersonWithADecidingFactUnknownToVerify) {
  std::vector<PersonFacts> people = RandomPeople(3000, 99);
  for (PersonFacts& p : people) p[*FactSchema::Person().Find("resident_local")] = 1;
  std::vector<SeedList> lists = SeedLists();
  ASSERT_EQ(lists.size(), 5u);
  int items = 0;
  for (const SeedList& l : lists) {
    for (size_t i = 0; i < l.compiled.items.size(); ++i) {
      const std::string number = l.compiled.items[i].item->number;
      bool shown = false;
      for (size_t p = 0; p < people.size() && !shown; ++p) {
        std::vector<ItemOutcome> base = EntitlePerson(l.compiled, people[p]);
        if (!base[i].entitled && !base[i].excluded) continue;
        std::vector<int32_t> deciding;
        EvaluateTruth(l.compiled.plan, l.compiled.items[i].eligibility, people[p], &deciding);
        std::vector<size_t> slots;
        for (int32_t d : deciding) CollectFactSlots(l.compiled.plan, d, slots);
        for (size_t slot : slots) {
          if (FactSchema::Person().at(slot).name == "age") continue;  // from the birth date
          PersonFacts q = people[p];
          q[slot] = kUnknownFact;
          std::vector<ItemOutcome> o = EntitlePerson(l.compiled, q, true);
          if (!o[i].verify) continue;
          EXPECT_FALSE(o[i].entitled);
          EXPECT_NE(std::find(o[i].unknown_facts.begin(), o[i].unknown_facts.end(), slot),
                    o[i].unknown_facts.end());
          EXPECT_FALSE(FactSchema::Person().at(slot).source.empty());
          EXPECT_NE(o[i].why.back().find("待核实：" + FactSchema::Person().at(slot).label),
                    std::string::npos)
              << o[i].why.back();
          std::vector<ItemRoll> rolls = EntitlePopulation(l.compiled, Population::FromPeople({q}));
          EXPECT_TRUE(rolls[i].rows.empty()) << l.name << " item " << number;
          EXPECT_EQ(rolls[i].verify, std::vector<uint32_t>{0}) << l.name << " item " << number;
          shown = true;
          break;
        }
      }
      EXPECT_TRUE(shown) << l.name << " item " << number
                         << ": no person with a deciding fact unknown went to verify";
      ++items;
    }
  }
  EXPECT_GT(items, 150);
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
  p[*schema.Find("resident_local")] = 1;
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
