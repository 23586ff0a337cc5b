// The SQL baseline of the entitlement benchmark: the same compiled rules as
// SQL over a table with one row per person and one column per fact, what a
// typical implementation would run in its database. Bench-only code.
#ifndef YANGLAO_BENCH_ENTITLE_SQL_BASELINE_H_
#define YANGLAO_BENCH_ENTITLE_SQL_BASELINE_H_

#include <string>

#include "policy/rule_plan.h"

namespace yanglao::bench {

// The query of item `item`: "SELECT row_id, amount, percent FROM
// person_facts WHERE c_deceased = 0 AND (...) ORDER BY row_id". Integer
// arithmetic only, with the rule language's rounding (money division half
// away from zero, division by zero gives 0), so SQLite and PostgreSQL give
// the engine's exact values.
std::string ItemQuery(const policy::CompiledList& list, size_t item);

// Column name of a fact slot ("c_age").
std::string FactColumn(size_t slot);

}  // namespace yanglao::bench

#endif  // YANGLAO_BENCH_ENTITLE_SQL_BASELINE_H_
