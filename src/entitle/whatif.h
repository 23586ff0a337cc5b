// Budget what-ifs (根据财力状况动态调整): a list changed without saving it, run
// over the same snapshot as the list in force, reporting who gains and who
// loses per item and the monthly and annual budget change per county.
#ifndef YANGLAO_ENTITLE_WHATIF_H_
#define YANGLAO_ENTITLE_WHATIF_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "entitle/engine.h"
#include "entitle/snapshot.h"
#include "policy/service_list.h"

namespace yanglao::entitle {

// Changes to apply to a list, as people type them:
//   set   "old_age_allowance=150元" (a plain parameter, or the lowest bracket
//         of a scaled one), "old_age_allowance@75=150元" (the bracket from 75);
//         the entry in force on the evaluation date is changed
//   rule  "3=hukou_local && age >= 75" (item 3's eligibility)
//   drop  "26" (remove item 26)
// Items are added by a variant list file (a changed copy of the list).
struct WhatIfEdits {
  std::vector<std::string> set, rule, drop;
};

// Applies `edits` to `list` for evaluation on `date`. Fails with
// "whatif.edit" naming the edit that is malformed or names nothing, and with
// the checker's errors for a rule that does not type-check.
Status ApplyEdits(policy::ServiceList& list, const WhatIfEdits& edits, CivilDate date);

struct ItemDelta {
  std::string item, name;
  bool in_base = true, in_variant = true;
  int64_t base_people = 0, variant_people = 0;
  int64_t gainers = 0, losers = 0, amount_up = 0, amount_down = 0;
  int64_t monthly_delta = 0, yearly_delta = 0;             // fen
  std::vector<std::string> sample_gainers, sample_losers;  // masked IDs, at most 5 each
};

struct CountyDelta {
  int32_t county = -1;  // region index, -1 unknown
  int64_t base_monthly = 0, variant_monthly = 0, base_yearly = 0, variant_yearly = 0;
};

struct WhatIfReport {
  std::vector<ItemDelta> items;       // items of either list, by base order then new ones
  std::vector<CountyDelta> counties;  // by region code
  int64_t monthly_delta = 0, yearly_delta = 0;
  int64_t people = 0;
};

// What a what-if needs of the list in force over one snapshot, the same for
// every variant: its evaluation, each row's county, and per item the money
// by county. Prepared once per (list, snapshot) and kept while the snapshot
// is current (the server keeps it with the live snapshot), so that a what-if
// evaluates only the variant's items whose definition changed
// (UnchangedItems) and walks only the rolls that may differ.
struct WhatIfBase {
  const policy::CompiledList* list = nullptr;  // must outlive this
  Evaluation evaluation;
  std::vector<int32_t> county_of_row;  // region index of the row's county, -1 unknown
  // Per item of `list`: county -> {monthly, yearly} fen of its roll (every
  // county with someone on the roll, zero for items that pay no cash).
  std::vector<std::map<int32_t, std::pair<int64_t, int64_t>>> item_counties;
};
WhatIfBase PrepareWhatIf(const policy::CompiledList& base, const Snapshot& snap);

// For each item of `variant`, the index of the item of `base` whose roll it
// is bound to have over any snapshot, or -1: the same number, benefit type
// and period, coverage, and eligibility, amount and discounts computing the
// same (compared node by node in the two plans, parameters being inlined),
// and the same exclusive groups with no member changed. A what-if evaluates
// only the items with -1.
std::vector<int> UnchangedItems(const policy::CompiledList& base,
                                const policy::CompiledList& variant);

// Compares two compiled lists over one snapshot.
WhatIfReport CompareLists(const policy::CompiledList& base, const policy::CompiledList& variant,
                          const Snapshot& snap);
// The same, with the list in force prepared over `snap` (PrepareWhatIf).
WhatIfReport CompareLists(const WhatIfBase& base, const policy::CompiledList& variant,
                          const Snapshot& snap);

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_WHATIF_H_
