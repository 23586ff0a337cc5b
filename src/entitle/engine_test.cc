// The block evaluator (entitle::Evaluate) against the row-selection evaluator
// it replaced (entitle::EvaluateReference, policy::EntitlePopulation) and the
// one-person evaluator (policy::EntitlePerson): every list of policies/ and a
// list of unusual rules, over random populations with unknown facts, the
// dead, partial blocks and several chunks, on one to three threads. Rows,
// rows to verify, amounts, discounts and the totals by street must be
// identical.
#include "entitle/engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>
#include <random>
#include <thread>

#include "core/id_number.h"
#include "core/region.h"
#include "core/thread_priority.h"
#include "entitle/snapshot.h"
#include "entitle/whatif.h"
#include "policy/entitlement.h"
#include "policy/fact_schema.h"
#include "policy/service_list.h"

namespace yanglao::entitle {
namespace {

namespace fs = std::filesystem;

// Rules the city lists do not use: a conditional in a boolean position,
// `in` on a fact, arithmetic and min/max over several facts, a fact that may
// be unknown under NOT, money arithmetic, an exclusive group, and items that
// share an eligibility but not an amount.
constexpr std::string_view kUnusual = R"(format: yanglao.list/1
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
        brackets: [{min: 80, value: 100元}, {min: 90, value: 200元}, {min: 100, value: 300元}]
  base:
    label: 基数
    type: money
    source: 测试
    values:
      - {from: 2023-01-01, value: 200元}
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
    benefit: {type: discount, percent: 'age >= 80 ? 40 : capability_level >= 2 ? 30 : 20'}
  - number: 3
    name: 困难补贴
    content: 按标准发放
    target: 困难老年人
    kind: 物质帮助
    departments: [市民政局]
    eligibility: 'poor ? age >= 70 : age >= 90'
    benefit: {type: cash, period: year, amount: 'area == "urban" ? base * 30 / 7 : base * capability_level - 1元'}
  - number: 4
    name: 照护
    content: 服务
    target: 测试
    kind: 照护服务
    departments: [市民政局]
    eligibility: '!(dibao && has_family_carer) && age in [60, 61, 62, 300]'
    benefit: {type: service, per: month, times: 1, provider: 测试}
  - number: 5
    name: 失能
    content: 服务
    target: 测试
    kind: 照护服务
    departments: [市民政局]
    eligibility: capability_level + disability_grade >= 3 && age - 60 < 25
    benefit: {type: service, per: month, times: 1, provider: 测试}
  - number: 6
    name: 重残
    content: 服务
    target: 测试
    kind: 照护服务
    departments: [市民政局]
    eligibility: max(capability_level, disability_grade) >= 2 || min(age, 70) < 55 || !has_family_carer
    benefit: {type: service, per: month, times: 1, provider: 测试}
  - number: 7
    name: 高龄补贴
    content: 按标准发放
    target: 本市户籍 80 周岁及以上老年人
    kind: 物质帮助
    departments: [市民政局]
    eligibility: hukou_local && age >= 80
    benefit: {type: cash, period: month, amount: 'capability_level >= 1 ? 50元 : 20元'}
  - number: 8
    name: 照护补贴
    content: 按标准发放
    target: 测试
    kind: 物质帮助
    departments: [市民政局]
    eligibility: age >= 60
    benefit: {type: cash, period: month, amount: 'has_family_carer ? 80元 : 10元'}
exclusive_groups:
  subsidies: {items: [1, 3], rule: highest}
)";

fs::path Source() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src != nullptr ? src : ".");
}

// `n` random people: facts from their schema's range with edge values,
// some columns with unknown facts, some of the people dead.
Snapshot RandomSnapshot(size_t n, uint64_t seed) {
  const policy::FactSchema& schema = policy::FactSchema::Person();
  std::mt19937_64 rng(seed);
  std::vector<double> unknown(schema.size());
  for (double& p : unknown) p = rng() % 3 == 0 ? 0.08 : 0.0;
  const size_t deceased = *schema.Find("deceased");
  const size_t age = *schema.Find("age");
  const auto regions = static_cast<int32_t>(RegionTable::Builtin().size());
  Snapshot s;
  s.jurisdiction = "421300";
  s.as_of = *CivilDate::FromYmd(2026, 11, 1);
  s.known_on = s.as_of;
  std::uniform_real_distribution<double> u01(0, 1);
  for (size_t r = 0; r < n; ++r) {
    policy::PersonFacts f(schema.size(), 0);
    for (size_t slot = 0; slot < schema.size(); ++slot) {
      const policy::FactInfo& info = schema.at(slot);
      if (slot == age) {
        f[slot] = 40 + static_cast<int64_t>(rng() % 75);
      } else if (info.type == policy::FactType::kBool) {
        f[slot] = rng() % 4 == 0 ? 1 : 0;
      } else if (info.type == policy::FactType::kEnum) {
        f[slot] = static_cast<int64_t>(rng() % std::max<size_t>(1, info.enum_values.size()));
      } else {
        f[slot] = static_cast<int64_t>(rng() % 6);
      }
      if (slot != deceased && unknown[slot] > 0 && u01(rng) < unknown[slot])
        f[slot] = policy::kUnknownFact;
    }
    f[deceased] = rng() % 20 == 0 ? 1 : 0;
    // Residences over the whole table (and unknown) so that streets vary.
    int32_t residence =
        rng() % 50 == 0 ? -1 : static_cast<int32_t>(rng() % static_cast<uint64_t>(regions));
    s.Add(10000000000000000ULL + r, *CivilDate::FromYmd(1950, 1, 1), residence, residence, f);
  }
  return s;
}

void ExpectSame(const Evaluation& a, const Evaluation& b, const std::string& what) {
  ASSERT_EQ(a.rolls.size(), b.rolls.size()) << what;
  EXPECT_EQ(a.person_items, b.person_items) << what;
  for (size_t i = 0; i < a.rolls.size(); ++i) {
    EXPECT_EQ(a.rolls[i].rows, b.rolls[i].rows) << what << " item " << i;
    EXPECT_EQ(a.rolls[i].verify, b.rolls[i].verify) << what << " item " << i;
    EXPECT_EQ(a.rolls[i].amounts, b.rolls[i].amounts) << what << " item " << i;
    EXPECT_EQ(a.rolls[i].percents, b.rolls[i].percents) << what << " item " << i;
  }
  ASSERT_EQ(a.totals.size(), b.totals.size()) << what;
  for (size_t k = 0; k < a.totals.size(); ++k) {
    const AreaTotal &x = a.totals[k], &y = b.totals[k];
    EXPECT_TRUE(x.item == y.item && x.county == y.county && x.street == y.street &&
                x.people == y.people && x.amount == y.amount)
        << what << " total " << k;
  }
}

// Each outcome of the one-person evaluator for the first `people` rows.
void ExpectAgreesWithPerson(const policy::CompiledList& list, const Snapshot& snap,
                            const Evaluation& ev, size_t people, const std::string& what) {
  std::vector<size_t> k(list.items.size()), v(list.items.size());
  for (size_t r = 0; r < people && r < snap.size; ++r) {
    policy::PersonFacts f(snap.facts.size());
    for (size_t s = 0; s < f.size(); ++s) f[s] = snap.facts[s][r];
    const std::vector<policy::ItemOutcome> outcomes = policy::EntitlePerson(list, f);
    for (size_t i = 0; i < list.items.size(); ++i) {
      const policy::ItemRoll& roll = ev.rolls[i];
      const policy::ItemOutcome& o = outcomes[i];
      while (k[i] < roll.rows.size() && roll.rows[k[i]] < r) ++k[i];
      while (v[i] < roll.verify.size() && roll.verify[v[i]] < r) ++v[i];
      bool in = k[i] < roll.rows.size() && roll.rows[k[i]] == r;
      bool verify = v[i] < roll.verify.size() && roll.verify[v[i]] == r;
      ASSERT_EQ(in, o.entitled) << what << " item " << i << " row " << r;
      ASSERT_EQ(verify, o.verify) << what << " item " << i << " row " << r;
      if (in && !roll.amounts.empty()) {
        EXPECT_EQ(roll.amounts[k[i]], o.amount) << what;
      }
      if (in && !roll.percents.empty()) {
        EXPECT_EQ(roll.percents[k[i]], o.percent) << what;
      }
    }
  }
}

struct NamedList {
  std::string name;
  policy::LoadedList loaded;
};

policy::LoadedList LoadNamedList(const std::string& name) {
  if (name == "unusual") return policy::LoadServiceListFromString(kUnusual, "unusual.yaml");
  policy::LoadedList l = policy::LoadServiceList(Source() / "policies" / (name + ".yaml"));
  policy::ApplyParameterFile(Source() / "policies/demo" / (name + ".demo.yaml"), l.list, l.errors);
  return l;
}

std::vector<NamedList> Lists() {
  std::vector<NamedList> out;
  for (const char* name : {"suizhou", "ezhou", "chibi", "qidong", "zhuzhou", "unusual"}) {
    out.push_back(NamedList{name, LoadNamedList(name)});
  }
  return out;
}

TEST(EntitleEngineTest, BlockEvaluatorEqualsTheReferenceOnEveryList) {
  // Three chunks of 8 blocks and a partial block.
  const Snapshot snap = RandomSnapshot(2048 * 8 * 3 + 1017, 17);
  const CivilDate date = *CivilDate::FromYmd(2026, 11, 1);
  for (NamedList& l : Lists()) {
    ASSERT_TRUE(l.loaded.ok()) << l.name << ": " << l.loaded.errors[0].ToString();
    Result<policy::CompiledList> list = policy::CompileList(l.loaded.list, date);
    ASSERT_TRUE(list.ok()) << l.name << ": " << list.status().ToString();
    const Evaluation reference = EvaluateReference(*list, snap, 2);
    size_t entitled = 0, verify = 0;
    for (const auto& r : reference.rolls) {
      entitled += r.rows.size();
      verify += r.verify.size();
    }
    EXPECT_GT(entitled, 0u) << l.name;
    EXPECT_GT(verify, 0u) << l.name;  // unknown facts reach the rules
    for (unsigned threads : {1u, 2u, 3u}) {
      ExpectSame(Evaluate(*list, snap, threads), reference,
                 fmt::format("{} on {} threads", l.name, threads));
    }
    ExpectSame(Evaluate(*list, snap, 2, false), EvaluateReference(*list, snap, 2, false),
               l.name + " without totals");
    ExpectAgreesWithPerson(*list, snap, reference, 3000, l.name);
  }
}

TEST(EntitleEngineTest, AWorkspaceReusedAcrossListsAndPopulationsGivesFreshResults) {
  // One Evaluation kept across calls, as a caller keeps a workspace: every
  // list in turn over populations of different sizes (growing, shrinking,
  // empty), with and without totals, on one to three threads. Each result
  // must equal a fresh reference's, whatever the workspace held before.
  const Snapshot big = RandomSnapshot(2048 * 8 * 3 + 1017, 17);
  const Snapshot small = RandomSnapshot(3001, 5);
  Snapshot empty;
  empty.facts.assign(policy::FactSchema::Person().size(), {});
  const CivilDate date = *CivilDate::FromYmd(2026, 11, 1);
  std::vector<policy::CompiledList> lists;
  std::vector<std::string> names;
  std::vector<NamedList> named = Lists();  // the compiled lists point into them
  for (NamedList& l : named) {
    ASSERT_TRUE(l.loaded.ok()) << l.name;
    Result<policy::CompiledList> list = policy::CompileList(l.loaded.list, date);
    ASSERT_TRUE(list.ok()) << l.name;
    lists.push_back(std::move(*list));
    names.push_back(l.name);
  }
  ASSERT_GE(lists.size(), 2u);
  Evaluation ws;
  const Snapshot* populations[] = {&big, &small, &empty, &big, &small};
  size_t step = 0;
  for (size_t li = 0; li < lists.size(); ++li) {
    for (const Snapshot* snap : populations) {
      ++step;
      const bool totals = step % 3 != 0;
      const unsigned threads = 1 + static_cast<unsigned>(step % 3);
      Evaluate(lists[li], *snap, ws, EvaluateOptions{.threads = threads, .with_totals = totals});
      ExpectSame(ws, EvaluateReference(lists[li], *snap, 2, totals),
                 fmt::format("step {}: {} over {} people, totals {}, {} threads", step, names[li],
                             snap->size, totals, threads));
    }
  }
  // The same list over the same people again: the rows are written into the
  // memory the workspace already has, not into new memory.
  Evaluate(lists[0], big, ws);
  std::vector<const void*> before;
  for (const auto& r : ws.rolls) before.push_back(r.rows.data());
  Evaluate(lists[0], big, ws, EvaluateOptions{.threads = 2});
  for (size_t i = 0; i < ws.rolls.size(); ++i)
    EXPECT_EQ(static_cast<const void*>(ws.rolls[i].rows.data()), before[i]) << "item " << i;
  ExpectSame(ws, EvaluateReference(lists[0], big, 2), "again");
}

TEST(EntitleEngineTest, BackgroundEvaluationRunsAtTheLowerPriority) {
  const Snapshot snap = RandomSnapshot(2048 * 8 * 3 + 1017, 23);
  policy::LoadedList l = policy::LoadServiceListFromString(kUnusual, "unusual.yaml");
  ASSERT_TRUE(l.ok());
  Result<policy::CompiledList> list = policy::CompileList(l.list, *CivilDate::FromYmd(2026, 11, 1));
  ASSERT_TRUE(list.ok());
  const Evaluation reference = EvaluateReference(*list, snap, 2);
  // On a thread of the test's own, whose priority stays as it was.
  std::jthread([&] {
    const int caller = ThreadNice();
    Evaluation ev;
    Evaluate(*list, snap, ev, EvaluateOptions{.threads = 2});
    EXPECT_EQ(ev.worker_nice, caller);  // a request's evaluation: as the caller
    if (caller < kBackgroundNice) {
      Evaluate(*list, snap, ev, EvaluateOptions{.threads = 2, .nice = kBackgroundNice});
      // Read by getpriority on each evaluating thread while it evaluated.
      EXPECT_EQ(ev.worker_nice, kBackgroundNice);
      EXPECT_EQ(ThreadNice(), caller);  // the caller only waited
      ExpectSame(ev, reference, "background");
    }
    Evaluate(*list, snap, ev, EvaluateOptions{.threads = 3, .nice = 19});
    EXPECT_EQ(ev.worker_nice, 19);
    EXPECT_EQ(ThreadNice(), caller);
    ExpectSame(ev, reference, "nice 19");
  });
}

// The what-if the straightforward way: both lists evaluated in full and every
// item's two rolls walked person by person.
WhatIfReport FullComparison(const policy::CompiledList& base, const Evaluation& a,
                            const policy::CompiledList& variant, const Evaluation& b,
                            const Snapshot& snap) {
  auto find = [](const policy::CompiledList& l, const std::string& number) {
    for (size_t i = 0; i < l.items.size(); ++i) {
      if (l.items[i].item->number == number) return static_cast<int>(i);
    }
    return -1;
  };
  auto cost = [](const policy::Item& item, int64_t amount) {
    if (item.benefit.type != policy::BenefitType::kCash) return std::pair<int64_t, int64_t>{0, 0};
    return std::pair<int64_t, int64_t>{
        item.benefit.period == policy::CashPeriod::kMonth ? amount : 0,
        policy::YearlyEquivalent(item, amount)};
  };
  // Per row of a roll: its monthly and yearly cost.
  auto money = [&](const policy::CompiledList& l, const Evaluation& e, int i) {
    std::map<uint32_t, std::pair<int64_t, int64_t>> out;
    if (i < 0) return out;
    const policy::ItemRoll& roll = e.rolls[static_cast<size_t>(i)];
    for (size_t k = 0; k < roll.rows.size(); ++k) {
      out[roll.rows[k]] =
          cost(*l.items[static_cast<size_t>(i)].item, roll.amounts.empty() ? 0 : roll.amounts[k]);
    }
    return out;
  };
  WhatIfReport r;
  r.people = static_cast<int64_t>(snap.size);
  std::vector<std::string> numbers;
  for (const auto& ci : base.items) numbers.push_back(ci.item->number);
  for (const auto& ci : variant.items) {
    if (find(base, ci.item->number) < 0) numbers.push_back(ci.item->number);
  }
  std::map<int32_t, CountyDelta> counties;
  for (const std::string& number : numbers) {
    const int ia = find(base, number), ib = find(variant, number);
    const auto ma = money(base, a, ia), mb = money(variant, b, ib);
    ItemDelta d;
    d.item = number;
    d.name = (ib >= 0 ? variant : base).items[static_cast<size_t>(ib >= 0 ? ib : ia)].item->name;
    d.in_base = ia >= 0;
    d.in_variant = ib >= 0;
    d.base_people = static_cast<int64_t>(ma.size());
    d.variant_people = static_cast<int64_t>(mb.size());
    std::map<uint32_t, int> rows;  // 1: base only, 2: variant only, 3: both
    for (const auto& [row, c] : ma) rows[row] |= 1;
    for (const auto& [row, c] : mb) rows[row] |= 2;
    for (const auto& [row, on] : rows) {
      const std::pair<int64_t, int64_t> zero{0, 0};
      const auto ca = on & 1 ? ma.at(row) : zero, cb = on & 2 ? mb.at(row) : zero;
      CountyDelta& c = counties[CountyOf(snap.residence[row])];
      c.county = CountyOf(snap.residence[row]);
      c.base_monthly += ca.first;
      c.base_yearly += ca.second;
      c.variant_monthly += cb.first;
      c.variant_yearly += cb.second;
      d.monthly_delta += cb.first - ca.first;
      d.yearly_delta += cb.second - ca.second;
      const std::string masked = MaskIdNumber(snap.IdNumber(row));
      if (on == 1) {
        ++d.losers;
        if (d.sample_losers.size() < 5) d.sample_losers.push_back(masked);
      } else if (on == 2) {
        ++d.gainers;
        if (d.sample_gainers.size() < 5) d.sample_gainers.push_back(masked);
      } else {
        d.amount_up += cb.second > ca.second;
        d.amount_down += cb.second < ca.second;
      }
    }
    r.monthly_delta += d.monthly_delta;
    r.yearly_delta += d.yearly_delta;
    r.items.push_back(std::move(d));
  }
  for (const auto& [index, c] : counties) r.counties.push_back(c);
  return r;
}

void ExpectSameReport(const WhatIfReport& x, const WhatIfReport& y, const std::string& what) {
  EXPECT_EQ(x.people, y.people) << what;
  EXPECT_EQ(x.monthly_delta, y.monthly_delta) << what;
  EXPECT_EQ(x.yearly_delta, y.yearly_delta) << what;
  ASSERT_EQ(x.items.size(), y.items.size()) << what;
  for (size_t i = 0; i < x.items.size(); ++i) {
    const ItemDelta &p = x.items[i], &q = y.items[i];
    EXPECT_TRUE(p.item == q.item && p.name == q.name && p.in_base == q.in_base &&
                p.in_variant == q.in_variant && p.base_people == q.base_people &&
                p.variant_people == q.variant_people && p.gainers == q.gainers &&
                p.losers == q.losers && p.amount_up == q.amount_up &&
                p.amount_down == q.amount_down && p.monthly_delta == q.monthly_delta &&
                p.yearly_delta == q.yearly_delta && p.sample_gainers == q.sample_gainers &&
                p.sample_losers == q.sample_losers)
        << what << " item " << p.item << ": " << p.gainers << "/" << q.gainers << " gainers, "
        << p.losers << "/" << q.losers << " losers, " << p.monthly_delta << "/" << q.monthly_delta;
  }
  ASSERT_EQ(x.counties.size(), y.counties.size()) << what;
  for (size_t k = 0; k < x.counties.size(); ++k) {
    const CountyDelta &p = x.counties[k], &q = y.counties[k];
    EXPECT_TRUE(p.county == q.county && p.base_monthly == q.base_monthly &&
                p.variant_monthly == q.variant_monthly && p.base_yearly == q.base_yearly &&
                p.variant_yearly == q.variant_yearly)
        << what << " county " << p.county;
  }
}

// A what-if evaluates only the items whose definition differs from the list
// in force (entitle::UnchangedItems) and takes the others' rolls from the
// prepared base: every list of policies/ and the unusual one (an exclusive
// group), each parameter set, each item dropped and each item's rule
// changed, and a combination: the report equals the full comparison, the
// items taken from the base have the rolls a full evaluation gives them, and
// only the changed items (with their groups) are evaluated.
TEST(EntitleEngineTest, WhatIfEvaluatesOnlyTheChangedItemsAndEqualsTheFullComparison) {
  const Snapshot snap = RandomSnapshot(2048 + 517, 29);
  const CivilDate date = *CivilDate::FromYmd(2026, 11, 1);
  size_t reused = 0, evaluated = 0, cases = 0;
  for (NamedList& l : Lists()) {
    ASSERT_TRUE(l.loaded.ok()) << l.name;
    Result<policy::CompiledList> base = policy::CompileList(l.loaded.list, date);
    ASSERT_TRUE(base.ok()) << l.name;
    const WhatIfBase prepared = PrepareWhatIf(*base, snap);
    std::vector<std::pair<std::string, WhatIfEdits>> edits;
    for (const policy::Parameter& p : l.loaded.list.parameters) {
      edits.emplace_back("set " + p.name,
                         WhatIfEdits{{p.money ? p.name + "=1元" : p.name + "=3"}, {}, {}});
    }
    // Each item of an exclusive group and of the unusual list, every third
    // of the others (the time a sanitizer build takes).
    for (size_t i = 0; i < l.loaded.list.items.size(); ++i) {
      const policy::Item& item = l.loaded.list.items[i];
      bool grouped = l.name == "unusual";
      for (const policy::ExclusiveGroup& g : l.loaded.list.exclusive_groups) {
        grouped =
            grouped || std::find(g.items.begin(), g.items.end(), item.number) != g.items.end();
      }
      if (!grouped && i % 3 != 0) continue;
      edits.emplace_back("drop " + item.number, WhatIfEdits{{}, {}, {item.number}});
      edits.emplace_back("rule " + item.number,
                         WhatIfEdits{{}, {item.number + "=age >= 70 && !dibao"}, {}});
    }
    const std::string first = l.loaded.list.items.front().number;
    edits.emplace_back("combined",
                       WhatIfEdits{{l.loaded.list.parameters.front().name +
                                    (l.loaded.list.parameters.front().money ? "=7元" : "=2")},
                                   {first + "=age >= 65"},
                                   {l.loaded.list.items.back().number}});
    for (const auto& [what_edit, e] : edits) {
      const std::string what = l.name + ": " + what_edit;
      policy::LoadedList v = LoadNamedList(l.name);
      if (!ApplyEdits(v.list, e, date).ok()) continue;  // e.g. a scaled parameter: needs @
      Result<policy::CompiledList> variant = policy::CompileList(v.list, date);
      ASSERT_TRUE(variant.ok()) << what;
      ++cases;
      const std::vector<int> unchanged = UnchangedItems(*base, *variant);
      const Evaluation full = Evaluate(*variant, snap, 1, false);
      size_t changed = 0;
      for (size_t i = 0; i < unchanged.size(); ++i) {
        if (unchanged[i] < 0) {
          ++changed;
          continue;
        }
        const policy::ItemRoll &x = full.rolls[i],
                               &y = prepared.evaluation.rolls[static_cast<size_t>(unchanged[i])];
        EXPECT_TRUE(x.rows == y.rows && x.verify == y.verify && x.amounts == y.amounts &&
                    x.percents == y.percents)
            << what << " item " << variant->items[i].item->number;
      }
      reused += unchanged.size() - changed;
      evaluated += changed;
      // A drop or a rule changes one item and, with it, its exclusive groups.
      if (what_edit.starts_with("drop") || what_edit.starts_with("rule")) {
        size_t grouped = 0;
        for (const auto& g : variant->groups) grouped += g.size();
        EXPECT_LE(changed, 1 + grouped) << what;
      }
      if (what_edit.starts_with("rule") && variant->groups.empty()) {
        EXPECT_EQ(changed, 1u) << what;
      }
      ExpectSameReport(CompareLists(prepared, *variant, snap),
                       FullComparison(*base, prepared.evaluation, *variant, full, snap), what);
    }
  }
  EXPECT_GT(cases, 60u);
  EXPECT_GT(reused, evaluated);
  EXPECT_GT(evaluated, 0u);
}

TEST(EntitleEngineTest, TheUnusualListExercisesItsRules) {
  const Snapshot snap = RandomSnapshot(5000, 3);
  policy::LoadedList l = policy::LoadServiceListFromString(kUnusual, "unusual.yaml");
  ASSERT_TRUE(l.ok()) << l.errors[0].ToString();
  Result<policy::CompiledList> list = policy::CompileList(l.list, *CivilDate::FromYmd(2026, 11, 1));
  ASSERT_TRUE(list.ok());
  Evaluation ev = Evaluate(*list, snap);
  ASSERT_EQ(ev.rolls.size(), 8u);
  // Every item gives someone something; the exclusive group leaves nobody
  // with both items 1 and 3.
  for (size_t i = 0; i < ev.rolls.size(); ++i) EXPECT_FALSE(ev.rolls[i].rows.empty()) << i;
  std::vector<uint32_t> both;
  std::set_intersection(ev.rolls[0].rows.begin(), ev.rolls[0].rows.end(), ev.rolls[2].rows.begin(),
                        ev.rolls[2].rows.end(), std::back_inserter(both));
  EXPECT_TRUE(both.empty());
  ExpectSame(ev, EvaluateReference(*list, snap), "unusual");
}

TEST(EntitleEngineTest, AnEmptySnapshotGivesEmptyRolls) {
  Snapshot snap;
  snap.facts.assign(policy::FactSchema::Person().size(), {});
  policy::LoadedList l = policy::LoadServiceListFromString(kUnusual, "unusual.yaml");
  Result<policy::CompiledList> list = policy::CompileList(l.list, *CivilDate::FromYmd(2026, 11, 1));
  ASSERT_TRUE(list.ok());
  Evaluation ev = Evaluate(*list, snap);
  ASSERT_EQ(ev.rolls.size(), 8u);
  for (const auto& r : ev.rolls) EXPECT_TRUE(r.rows.empty() && r.verify.empty());
  EXPECT_TRUE(ev.totals.empty());
}

}  // namespace
}  // namespace yanglao::entitle
