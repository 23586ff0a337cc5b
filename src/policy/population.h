// The population evaluator: a plan over many people held in columns.
//
// Columns are one byte per person per fact slot (every fact of the schema
// lies in 0..150). Work is done in morsels of kMorselRows consecutive rows:
// a selection vector of the rows still in is narrowed through each AND, so
// later terms only touch rows that are still in (the DuckDB model of
// STYLE.md), and a morsel's columns stay in cache while every item of a list
// is evaluated on it. Threads take contiguous ranges of morsels.
#ifndef YANGLAO_POLICY_POPULATION_H_
#define YANGLAO_POLICY_POPULATION_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "policy/fact_schema.h"
#include "policy/rule_plan.h"

namespace yanglao::policy {

inline constexpr size_t kMorselRows = 2048;

// A population in columns: for each fact slot, `size` bytes. The columns
// may belong to the population (FromPeople) or to someone else (a snapshot),
// who must then outlive it.
struct Population {
  size_t size = 0;
  std::vector<const uint8_t*> columns;      // one per slot of FactSchema::Person()
  std::vector<std::vector<uint8_t>> owned;  // storage of FromPeople
  // Per slot: the column may hold kUnknownFact (empty: none does). Only
  // rules reading such a column take the three-valued path.
  std::vector<uint8_t> unknown;

  Population() = default;
  Population(Population&&) = default;
  Population& operator=(Population&&) = default;
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  // Values outside 0..255 are clamped (the schema keeps facts in 0..150).
  static Population FromPeople(const std::vector<PersonFacts>& people);
};

// Evaluates nodes of one plan over rows of one population. Holds scratch
// buffers; one per thread.
class PopulationEvaluator {
 public:
  PopulationEvaluator(const Plan& plan, const Population& pop);

  // Rows of in[0..n) (ascending) for which bool node `root` holds, into
  // `out` (room for n); returns how many. `out` may not alias `in`. Two-valued:
  // for a node that may read unknown facts use Select3.
  size_t Select(int32_t root, const uint32_t* in, size_t n, uint32_t* out);
  // Three-valued (policy/evaluator.h, EvaluateTruth): rows where `root` is
  // yes into `yes`, where it is unknown into `unknown` (each with room for
  // n, ascending); returns the yes count, the unknown count in *nu.
  size_t Select3(int32_t root, const uint32_t* in, size_t n, uint32_t* yes, uint32_t* unknown,
                 size_t* nu);
  // Whether node `root` reads a column that may hold unknown facts.
  bool MayBeUnknown(int32_t root) const { return may_unknown_[static_cast<size_t>(root)] != 0; }
  // Rows of in[0..n) where a fact read under `root` is unknown, into `out`.
  size_t SelectReadsUnknown(int32_t root, const uint32_t* in, size_t n, uint32_t* out);
  // Values of node `root` for rows[0..n), into out[0..n).
  void Values(int32_t root, const uint32_t* rows, size_t n, int64_t* out);

 private:
  uint32_t* RowBuffer(size_t n);
  int64_t* ValueBuffer(size_t n);
  size_t SelectByValues(int32_t root, const uint32_t* in, size_t n, uint32_t* out);

  const Plan& plan_;
  const Population& pop_;
  std::vector<std::vector<uint32_t>> rows_;  // stack of scratch buffers
  std::vector<std::vector<int64_t>> values_;
  size_t rows_top_ = 0, values_top_ = 0;
  std::vector<uint8_t> may_unknown_;  // per plan node
  std::vector<std::vector<size_t>>
      unknown_slots_;  // per plan node: its columns that may be unknown
  friend class ScratchMark;
};

// Conveniences over whole vectors (tests, small populations).
void SelectRows(const Plan& plan, int32_t root, const Population& pop,
                const std::vector<uint32_t>& in, std::vector<uint32_t>& out);
void ComputeValues(const Plan& plan, int32_t root, const Population& pop,
                   const std::vector<uint32_t>& rows, std::vector<int64_t>& out);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_POPULATION_H_
