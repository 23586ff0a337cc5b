#include "policy/entitlement.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <thread>

#include "policy/fact_schema.h"

namespace yanglao::policy {
namespace {

size_t DeceasedSlot() {
  static const size_t slot = *FactSchema::Person().Find("deceased");
  return slot;
}

}  // namespace

int64_t YearlyEquivalent(const Item& item, int64_t amount) {
  switch (item.benefit.period) {
    case CashPeriod::kMonth:
      return amount * 12;
    case CashPeriod::kYear:
      return amount;
    case CashPeriod::kOnce:
      return 0;
  }
  return 0;
}

std::string CombinationWords(const CompiledList& list, size_t item) {
  const CompiledItem& ci = list.items[item];
  PlanOp top = list.plan.nodes[static_cast<size_t>(ci.rule)].op;
  if (ci.coverage == Coverage::kResidence) {
    return top == PlanOp::kOr ? "须本地常住，且以下条件满足其一即可" : "以下条件须同时满足";
  }
  return top == PlanOp::kAnd ? "以下条件须同时满足" : top == PlanOp::kOr ? "满足其一即可" : "";
}

std::string BenefitWords(const Item& item, const ItemOutcome& o) {
  switch (item.benefit.type) {
    case BenefitType::kCash:
      return FormatCash(item, o.amount);
    case BenefitType::kDiscount: {
      auto words = [](int64_t percent) {
        return percent >= 100 ? std::string("免费") : fmt::format("优惠 {}%", percent);
      };
      // Several discounts (`also`, known for one person): each with its places.
      if (item.benefit.also.empty() || o.also_percents.size() != item.benefit.also.size())
        return words(o.percent);
      std::string out = fmt::format("{}：{}", item.benefit.text, words(o.percent));
      for (size_t k = 0; k < item.benefit.also.size(); ++k)
        out += fmt::format("；{}：{}", item.benefit.also[k].on, words(o.also_percents[k]));
      return out;
    }
    default:
      return std::string(BenefitTypeName(item.benefit.type));
  }
}

std::string DescribeUnknownFacts(const std::vector<size_t>& slots) {
  const FactSchema& schema = FactSchema::Person();
  std::string out;
  for (size_t slot : slots) {
    out += fmt::format("{}{}（{}）", out.empty() ? "" : "、", schema.at(slot).label,
                       schema.at(slot).source);
  }
  return out;
}

namespace {

void AddUnknownSlots(const Plan& plan, int32_t node, const PersonFacts& person,
                     std::vector<size_t>& out) {
  std::vector<size_t> slots;
  CollectFactSlots(plan, node, slots);
  for (size_t slot : slots) {
    if (person[slot] == kUnknownFact && std::find(out.begin(), out.end(), slot) == out.end())
      out.push_back(slot);
  }
}

}  // namespace

std::vector<ItemOutcome> EntitlePerson(const CompiledList& list, const PersonFacts& person,
                                       bool explain, bool code) {
  std::vector<ItemOutcome> out(list.items.size());
  if (person[DeceasedSlot()] != 0) {
    if (explain) {
      for (ItemOutcome& o : out) o.why.push_back("已死亡：不再享受任何待遇");
    }
    return out;
  }
  for (size_t i = 0; i < list.items.size(); ++i) {
    const CompiledItem& ci = list.items[i];
    ItemOutcome& o = out[i];
    std::vector<int32_t> deciding;
    Truth t = EvaluateTruth(list.plan, ci.eligibility, person, explain ? &deciding : nullptr);
    if (t == Truth::kUnknown) {
      if (!explain) EvaluateTruth(list.plan, ci.eligibility, person, &deciding);
      o.verify = true;
      for (int32_t d : deciding) AddUnknownSlots(list.plan, d, person, o.unknown_facts);
    }
    if (t == Truth::kYes) {
      for (int32_t value : {ci.amount, ci.percent}) {
        if (value >= 0 && ReadsUnknown(list.plan, value, person)) {
          o.verify = true;
          AddUnknownSlots(list.plan, value, person, o.unknown_facts);
        }
      }
      o.entitled = !o.verify;
    }
    if (explain) {
      o.why = ExplainNodes(list.plan, deciding, person, code);
      if (o.verify) o.why.push_back("待核实：" + DescribeUnknownFacts(o.unknown_facts));
    }
    if (!o.entitled) continue;
    if (ci.amount >= 0) o.amount = EvaluateNode(list.plan, ci.amount, person);
    if (ci.percent >= 0) o.percent = EvaluateNode(list.plan, ci.percent, person);
    for (int32_t p : ci.also_percents)
      o.also_percents.push_back(EvaluateNode(list.plan, p, person));
  }
  for (const std::vector<size_t>& group : list.groups) {
    size_t best = SIZE_MAX;
    for (size_t i : group) {
      if (!out[i].entitled) continue;
      if (best == SIZE_MAX || YearlyEquivalent(*list.items[i].item, out[i].amount) >
                                  YearlyEquivalent(*list.items[best].item, out[best].amount)) {
        best = i;
      }
    }
    for (size_t i : group) {
      if (i == best || !out[i].entitled) continue;
      out[i].entitled = false;
      out[i].excluded = true;
      if (explain) {
        out[i].why.push_back(fmt::format("与第{}项互斥，就高不就低，享受第{}项",
                                         list.items[best].item->number,
                                         list.items[best].item->number));
      }
    }
  }
  return out;
}

namespace {

// A text that is equal for structurally equal subtrees of a plan.
void AppendShape(const Plan& plan, int32_t i, std::string& out) {
  if (i < 0) {
    out += '_';
    return;
  }
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  out += fmt::format("({} {} {}", static_cast<int>(n.op), n.value, n.money ? 1 : 0);
  for (int64_t v : n.set) out += fmt::format(" s{}", v);
  for (const auto& [min, value] : n.brackets) out += fmt::format(" b{}:{}", min, value);
  out += ' ';
  AppendShape(plan, n.a, out);
  AppendShape(plan, n.b, out);
  AppendShape(plan, n.c, out);
  out += ')';
}

// For each item, the earlier item with the same eligibility rule, or -1:
// lists often give several items to the same people (age >= 60), and those
// are selected once.
std::vector<int> SameEligibility(const CompiledList& list) {
  std::vector<int> same(list.items.size(), -1);
  std::map<std::string, int> first;
  for (size_t i = 0; i < list.items.size(); ++i) {
    std::string shape;
    AppendShape(list.plan, list.items[i].eligibility, shape);
    auto [it, inserted] = first.emplace(shape, static_cast<int>(i));
    if (!inserted) same[i] = it->second;
  }
  return same;
}

// One thread's share of EntitlePopulation: morsels [m0, m1) into `rolls`.
void EntitleMorsels(const CompiledList& list, const Population& pop, size_t m0, size_t m1,
                    std::vector<ItemRoll>& rolls, const GroupTotals* totals,
                    std::vector<int64_t>& people, std::vector<int64_t>& money) {
  const size_t items = list.items.size();
  PopulationEvaluator ev(list.plan, pop);
  const uint8_t* deceased = pop.columns[DeceasedSlot()];
  std::vector<uint32_t> alive(kMorselRows), residents(kMorselRows);
  std::vector<std::vector<uint32_t>> sel(items, std::vector<uint32_t>(kMorselRows));
  std::vector<std::vector<uint32_t>> unk(items);  // rows to verify, items that may have some
  std::vector<size_t> count_unknown(items);
  std::vector<uint32_t> moved(kMorselRows), kept_rows(kMorselRows);
  std::vector<uint8_t> three(items), value_unknown(items);
  for (size_t i = 0; i < items; ++i) {
    const CompiledItem& ci = list.items[i];
    value_unknown[i] = (ci.amount >= 0 && ev.MayBeUnknown(ci.amount)) ||
                       (ci.percent >= 0 && ev.MayBeUnknown(ci.percent));
    three[i] = ev.MayBeUnknown(ci.eligibility) || value_unknown[i];
    if (three[i]) unk[i].resize(kMorselRows);
  }
  std::vector<std::vector<int64_t>> amounts(items), percents(items);
  std::vector<size_t> count(items);
  for (size_t i = 0; i < items; ++i) {
    if (list.items[i].amount >= 0) amounts[i].resize(kMorselRows);
    if (list.items[i].percent >= 0) percents[i].resize(kMorselRows);
  }
  // Room for every row of the range (worker 0: of the population, so the
  // others' parts append without moving it). Untouched capacity is only
  // address space; this spares the copies of growing vectors.
  const size_t room = m0 == 0 ? pop.size : std::min(pop.size, m1 * kMorselRows) - m0 * kMorselRows;
  for (size_t i = 0; i < items; ++i) {
    rolls[i].rows.reserve(room);
    if (!amounts[i].empty()) rolls[i].amounts.reserve(room);
    if (!percents[i].empty()) rolls[i].percents.reserve(room);
  }
  std::vector<int32_t> best_item(kMorselRows);
  std::vector<int64_t> best_yearly(kMorselRows);
  const std::vector<int> same = SameEligibility(list);
  for (size_t m = m0; m < m1; ++m) {
    auto begin = static_cast<uint32_t>(m * kMorselRows);
    auto end = static_cast<uint32_t>(std::min(pop.size, (m + 1) * kMorselRows));
    size_t na = 0;
    for (uint32_t r = begin; r < end; ++r) {
      alive[na] = r;
      na += static_cast<size_t>(deceased[r] == 0);
    }
    bool residents_done = false;
    size_t nres = 0;
    for (size_t i = 0; i < items; ++i) {
      const CompiledItem& ci = list.items[i];
      if (same[i] >= 0 && !value_unknown[static_cast<size_t>(same[i])]) {
        auto j = static_cast<size_t>(same[i]);
        count[i] = count[j];
        std::copy(sel[j].data(), sel[j].data() + count[j], sel[i].data());
        count_unknown[i] = 0;
        if (three[i] && ev.MayBeUnknown(ci.eligibility)) {
          count_unknown[i] = count_unknown[j];
          std::copy(unk[j].data(), unk[j].data() + count_unknown[j], unk[i].data());
        }
      } else if (three[i]) {
        count[i] = ev.Select3(ci.eligibility, alive.data(), na, sel[i].data(), unk[i].data(),
                              &count_unknown[i]);
      } else if (ci.coverage == Coverage::kResidence) {
        // resident_local && rule: the residents of the morsel are selected once.
        if (!residents_done) {
          nres = ev.Select(ci.eligibility - 1, alive.data(), na, residents.data());
          residents_done = true;
        }
        count[i] = ev.Select(ci.rule, residents.data(), nres, sel[i].data());
      } else {
        count[i] = ev.Select(ci.eligibility, alive.data(), na, sel[i].data());
      }
      if (three[i]) {
        // An amount or discount that reads an unknown fact: to verify too.
        for (int32_t value : {ci.amount, ci.percent}) {
          if (value < 0 || !ev.MayBeUnknown(value) || count[i] == 0) continue;
          size_t nm = ev.SelectReadsUnknown(value, sel[i].data(), count[i], moved.data());
          if (nm == 0) continue;
          size_t nk = static_cast<size_t>(
              std::set_difference(sel[i].data(), sel[i].data() + count[i], moved.data(),
                                  moved.data() + nm, kept_rows.data()) -
              kept_rows.data());
          std::copy(kept_rows.data(), kept_rows.data() + nk, sel[i].data());
          count[i] = nk;
          std::vector<uint32_t> both(count_unknown[i] + nm);
          size_t nb =
              static_cast<size_t>(std::set_union(unk[i].data(), unk[i].data() + count_unknown[i],
                                                 moved.data(), moved.data() + nm, both.data()) -
                                  both.data());
          std::copy(both.data(), both.data() + nb, unk[i].data());
          count_unknown[i] = nb;
        }
      }
      if (ci.amount >= 0) ev.Values(ci.amount, sel[i].data(), count[i], amounts[i].data());
      if (ci.percent >= 0) ev.Values(ci.percent, sel[i].data(), count[i], percents[i].data());
    }
    // Exclusive groups: per row the item with the highest yearly amount;
    // ties keep the earlier item.
    for (const std::vector<size_t>& group : list.groups) {
      std::fill(best_item.begin(), best_item.end(), -1);
      for (size_t i : group) {
        for (size_t k = 0; k < count[i]; ++k) {
          size_t at = sel[i][k] - begin;
          int64_t amount = amounts[i].empty() ? 0 : amounts[i][k];
          int64_t yearly = YearlyEquivalent(*list.items[i].item, amount);
          if (best_item[at] < 0 || yearly > best_yearly[at]) {
            best_item[at] = static_cast<int32_t>(i);
            best_yearly[at] = yearly;
          }
        }
      }
      for (size_t i : group) {
        size_t kept = 0;
        for (size_t k = 0; k < count[i]; ++k) {
          if (best_item[sel[i][k] - begin] != static_cast<int32_t>(i)) continue;
          sel[i][kept] = sel[i][k];
          if (!amounts[i].empty()) amounts[i][kept] = amounts[i][k];
          if (!percents[i].empty()) percents[i][kept] = percents[i][k];
          ++kept;
        }
        count[i] = kept;
      }
    }
    if (totals != nullptr) {
      for (size_t i = 0; i < items; ++i) {
        int64_t* p = people.data() + i * totals->groups;
        int64_t* a = money.data() + i * totals->groups;
        for (size_t k = 0; k < count[i]; ++k) {
          uint32_t g = totals->group_of_row[sel[i][k]];
          ++p[g];
          if (!amounts[i].empty()) a[g] += amounts[i][k];
        }
      }
    }
    for (size_t i = 0; i < items; ++i) {
      ItemRoll& roll = rolls[i];
      roll.rows.insert(roll.rows.end(), sel[i].data(), sel[i].data() + count[i]);
      if (three[i])
        roll.verify.insert(roll.verify.end(), unk[i].data(), unk[i].data() + count_unknown[i]);
      if (!amounts[i].empty())
        roll.amounts.insert(roll.amounts.end(), amounts[i].data(), amounts[i].data() + count[i]);
      if (!percents[i].empty())
        roll.percents.insert(roll.percents.end(), percents[i].data(),
                             percents[i].data() + count[i]);
    }
  }
}

template <typename T>
void Concatenate(std::vector<std::vector<ItemRoll>>& parts, size_t item,
                 std::vector<T> ItemRoll::*member) {
  size_t total = 0;
  for (auto& p : parts) total += (p[item].*member).size();
  std::vector<T>& into = parts[0][item].*member;
  into.reserve(total);
  for (size_t t = 1; t < parts.size(); ++t) {
    std::vector<T>& from = parts[t][item].*member;
    into.insert(into.end(), from.begin(), from.end());
    std::vector<T>().swap(from);
  }
}

}  // namespace

std::vector<ItemRoll> EntitlePopulation(const CompiledList& list, const Population& pop,
                                        unsigned threads, GroupTotals* totals) {
  const size_t items = list.items.size();
  const size_t morsels = (pop.size + kMorselRows - 1) / kMorselRows;
  size_t workers = threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  workers = std::max<size_t>(1, std::min(workers, morsels));
  std::vector<std::vector<ItemRoll>> parts(workers, std::vector<ItemRoll>(items));
  const size_t cells = totals != nullptr ? items * totals->groups : 0;
  std::vector<std::vector<int64_t>> people(workers, std::vector<int64_t>(cells));
  std::vector<std::vector<int64_t>> money(workers, std::vector<int64_t>(cells));
  // Runs `work(w)` for w in [0, workers): one thread each, this one included.
  auto parallel = [&](auto&& work) {
    std::vector<std::jthread> pool;
    for (size_t w = 1; w < workers; ++w) pool.emplace_back([&work, w] { work(w); });
    work(size_t{0});
  };
  parallel([&](size_t w) {
    EntitleMorsels(list, pop, morsels * w / workers, morsels * (w + 1) / workers, parts[w], totals,
                   people[w], money[w]);
  });
  if (totals != nullptr) {
    totals->people.assign(cells, 0);
    totals->amounts.assign(cells, 0);
    for (size_t w = 0; w < workers; ++w) {
      for (size_t c = 0; c < cells; ++c) {
        totals->people[c] += people[w][c];
        totals->amounts[c] += money[w][c];
      }
    }
  }
  if (workers > 1) {  // items spread over the threads
    parallel([&](size_t w) {
      for (size_t i = w; i < items; i += workers) {
        Concatenate(parts, i, &ItemRoll::rows);
        Concatenate(parts, i, &ItemRoll::verify);
        Concatenate(parts, i, &ItemRoll::amounts);
        Concatenate(parts, i, &ItemRoll::percents);
      }
    });
  }
  return std::move(parts[0]);
}

}  // namespace yanglao::policy
