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
  bool excluded = false;  // eligible, but another item of its exclusive group pays more
  int64_t amount = 0;     // cash items: fen per the item's period
  int64_t percent = 0;    // discount items
  std::vector<int64_t> also_percents;  // a discount item's further discounts (one person only)
  std::vector<std::string> why;        // deciding conditions, when asked for
  // 待核实: the person qualifies unless an unknown fact says otherwise (the
  // rule, or the amount, is unknown); not entitled, and `unknown_facts`
  // are the fact slots to check (each with its department in the schema).
  bool verify = false;
  std::vector<size_t> unknown_facts;
};

// How an item's conditions combine, in words: "以下条件须同时满足",
// "须本地常住，且以下条件满足其一即可", "满足其一即可" ("" for one condition).
std::string CombinationWords(const CompiledList& list, size_t item);
// What a person gets from an item, in its own unit: "100元/月", "优惠 30%",
// "免费", "服务", "实物/供养".
std::string BenefitWords(const Item& item, const ItemOutcome& outcome);

// "有赡养（扶养）能力的法定赡养人（民政）、本地常住（公安/社区）".
std::string DescribeUnknownFacts(const std::vector<size_t>& slots);

// One outcome per item of `list`, in list order.
// With `code`, explanations also show each condition in the rule language.
std::vector<ItemOutcome> EntitlePerson(const CompiledList& list, const PersonFacts& person,
                                       bool explain = false, bool code = false);

// For one item over a population: the entitled rows (ascending) and, for
// cash and discount items, their amounts or percents (same order).
struct ItemRoll {
  std::vector<uint32_t> rows;
  std::vector<uint32_t> verify;  // rows to verify (待核实), ascending; on no roll
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
