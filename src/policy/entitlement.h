// What each item of a compiled list gives a person, or a whole population:
// eligibility, the amount or discount, exclusive groups (就高不就低), and
// for one person the reasons. Deceased people are entitled to nothing.
#ifndef YANGLAO_POLICY_ENTITLEMENT_H_
#define YANGLAO_POLICY_ENTITLEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "policy/evaluator.h"
#include "policy/population.h"
#include "policy/rule_plan.h"

namespace yanglao::policy {

struct ItemOutcome {
  bool entitled = false;
  bool excluded = false;         // eligible, but another item of its exclusive group pays more
  int64_t amount = 0;            // cash items: fen per the item's period
  int64_t percent = 0;           // discount items
  std::vector<std::string> why;  // deciding conditions, when asked for
};

// One outcome per item of `list`, in list order.
std::vector<ItemOutcome> EntitlePerson(const CompiledList& list, const PersonFacts& person,
                                       bool explain = false);

// For one item over a population: the entitled rows (ascending) and, for
// cash and discount items, their amounts or percents (same order).
struct ItemRoll {
  std::vector<uint32_t> rows;
  std::vector<int64_t> amounts;
  std::vector<int64_t> percents;
};

// Optional totals while evaluating: rows fall into `groups` groups
// (group_of_row[row] < groups); per item and group, the entitled people and
// the sum of their amounts.
struct GroupTotals {
  const uint32_t* group_of_row = nullptr;
  size_t groups = 0;
  std::vector<int64_t> people;  // [item * groups + group]
  std::vector<int64_t> amounts;
};

// One roll per item of `list`, in list order. Runs on `threads` threads
// (0: one per hardware thread), each over a contiguous range of morsels;
// fills `totals` when given.
std::vector<ItemRoll> EntitlePopulation(const CompiledList& list, const Population& pop,
                                        unsigned threads = 0, GroupTotals* totals = nullptr);

// The amount of a cash item per year (month x 12, year as is, once 0), used
// to compare items of an exclusive group.
int64_t YearlyEquivalent(const Item& item, int64_t amount);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_ENTITLEMENT_H_
