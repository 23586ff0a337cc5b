#include "policy/entitlement.h"

#include <fmt/format.h>

#include <map>

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

std::vector<ItemOutcome> EntitlePerson(const CompiledList& list, const PersonFacts& person,
                                       bool explain) {
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
    o.entitled =
        EvaluateNode(list.plan, ci.eligibility, person, explain ? &deciding : nullptr) != 0;
    if (explain) o.why = ExplainNodes(list.plan, deciding, person);
    if (!o.entitled) continue;
    if (ci.amount >= 0) o.amount = EvaluateNode(list.plan, ci.amount, person);
    if (ci.percent >= 0) o.percent = EvaluateNode(list.plan, ci.percent, person);
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

std::vector<ItemRoll> EntitlePopulation(const CompiledList& list, const Population& pop) {
  std::vector<uint32_t> alive;
  alive.reserve(pop.size);
  const std::vector<int32_t>& deceased = pop.columns[DeceasedSlot()];
  for (uint32_t r = 0; r < pop.size; ++r) {
    if (deceased[r] == 0) alive.push_back(r);
  }
  std::vector<ItemRoll> rolls(list.items.size());
  for (size_t i = 0; i < list.items.size(); ++i) {
    const CompiledItem& ci = list.items[i];
    SelectRows(list.plan, ci.eligibility, pop, alive, rolls[i].rows);
    if (ci.amount >= 0) ComputeValues(list.plan, ci.amount, pop, rolls[i].rows, rolls[i].amounts);
    if (ci.percent >= 0)
      ComputeValues(list.plan, ci.percent, pop, rolls[i].rows, rolls[i].percents);
  }
  for (const std::vector<size_t>& group : list.groups) {
    // row -> (best item, its yearly amount); ties keep the earlier item.
    std::map<uint32_t, std::pair<size_t, int64_t>> best;
    for (size_t i : group) {
      for (size_t k = 0; k < rolls[i].rows.size(); ++k) {
        int64_t yearly = YearlyEquivalent(*list.items[i].item, rolls[i].amounts[k]);
        auto [it, inserted] = best.emplace(rolls[i].rows[k], std::pair{i, yearly});
        if (!inserted && yearly > it->second.second) it->second = {i, yearly};
      }
    }
    for (size_t i : group) {
      ItemRoll kept;
      for (size_t k = 0; k < rolls[i].rows.size(); ++k) {
        if (best[rolls[i].rows[k]].first != i) continue;
        kept.rows.push_back(rolls[i].rows[k]);
        kept.amounts.push_back(rolls[i].amounts[k]);
      }
      rolls[i] = std::move(kept);
    }
  }
  return rolls;
}

}  // namespace yanglao::policy
