// Whole-city evaluation: a compiled list over a snapshot, with totals by
// county, street (乡镇街道) and item.
#ifndef YANGLAO_ENTITLE_ENGINE_H_
#define YANGLAO_ENTITLE_ENGINE_H_

#include <cstdint>
#include <vector>

#include "entitle/snapshot.h"
#include "policy/entitlement.h"
#include "policy/rule_plan.h"

namespace yanglao::entitle {

// People and money of one item in one street. `amount` is in fen per the
// item's period (cash items), 0 otherwise.
struct AreaTotal {
  size_t item = 0;      // index in the compiled list
  int32_t county = -1;  // region index of the county-level unit, -1 unknown
  int32_t street = -1;  // region index of the township-level unit, -1 unknown
  int64_t people = 0;
  int64_t amount = 0;
};

struct Evaluation {
  std::vector<policy::ItemRoll> rolls;  // per item: rows of the snapshot
  std::vector<AreaTotal> totals;        // by item, county, street
  int64_t person_items = 0;             // people x items evaluated
  // The lowest nice value any evaluating thread had, read by each thread
  // while it evaluated (EvaluateOptions::nice; 0 on systems without one).
  int worker_nice = 0;
};

// How to evaluate.
struct EvaluateOptions {
  unsigned threads = 0;     // 0: one per hardware thread
  bool with_totals = true;  // totals by county, street and item
  // > 0: batch work (a stored run beside requests). The evaluation runs on
  // threads of its own at this nice value (core/thread_priority.h), so that
  // a request arriving while it runs gets a core first; the calling thread
  // only waits.
  int nice = 0;
};

// Evaluates every item for every person of `snap` into `into`, reusing the
// memory of its vectors: a caller that keeps one Evaluation across calls
// (a workspace) has its result written into pages already mapped, not fresh
// ones faulted in one by one. The result is the same as a fresh one's,
// whatever `into` held before (another list, another population).
//
// Rows are taken 2048 at a time (a block) and every condition of the list is
// computed once per block as a byte mask straight from the columns (a fact
// compared with a constant is one vectorised pass; structurally equal
// conditions of different items are computed once), each item's rows are
// compressed from its mask, and threads take chunks of blocks in turn and
// append them in row order, so the result is built in one pass without
// copies between threads (docs/entitlement.md, "Benchmark").
void Evaluate(const policy::CompiledList& list, const Snapshot& snap, Evaluation& into,
              const EvaluateOptions& options = {});

// The same into a fresh Evaluation.
Evaluation Evaluate(const policy::CompiledList& list, const Snapshot& snap, unsigned threads = 0,
                    bool with_totals = true);

// The same result computed by the row-selection evaluator
// (policy::EntitlePopulation, selection vectors narrowed through each AND):
// the reference the block evaluator is tested and benchmarked against.
Evaluation EvaluateReference(const policy::CompiledList& list, const Snapshot& snap,
                             unsigned threads = 0, bool with_totals = true);

// The township-level and county-level ancestors of a region index (-1 when
// none or unknown).
int32_t StreetOf(int32_t region_index);
int32_t CountyOf(int32_t region_index);

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_ENGINE_H_
