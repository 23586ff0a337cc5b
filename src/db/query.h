// Pieces of queries with bound parameters: conditions (Filter) and pages
// (Page). SQL text comes only from fixed strings of the code; every value
// the caller or a user gives travels as a `?` parameter.
#ifndef YANGLAO_DB_QUERY_H_
#define YANGLAO_DB_QUERY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"

namespace yanglao::db {

// A condition for a WHERE clause: SQL text with `?` placeholders and their
// values, in order.
struct Filter {
  std::string sql;
  std::vector<Value> params;
};

// Appends each filter as "AND (sql)" to `where` (or starts it with " WHERE "
// when `where` is empty), and its values to `params`.
void AddConditions(const std::vector<Filter>& filters, std::string& where,
                   std::vector<Value>& params);

// Rows whose region-code `column` (a column name of the query, never input)
// is `region` itself (`exact`) or any unit below it, as a range test on the
// digits so that an index on the column serves it.
Filter RegionCodeFilter(std::string_view column, std::string_view region, bool exact);

// The smallest digit string above every string that starts with `digits`
// ("4213" -> "4214", "4219" -> "422"); empty when there is none ("99").
std::string DigitPrefixEnd(std::string_view digits);

// One page of a list: `size` rows from row (number - 1) * size.
struct Page {
  int64_t number = 1;  // from 1
  int64_t size = 20;   // rows per page, at least 1

  int64_t offset() const { return (number < 1 ? 0 : number - 1) * (size < 1 ? 1 : size); }
  // " LIMIT ? OFFSET ?", with the two values appended to `params`.
  std::string Bind(std::vector<Value>& params) const;
};

}  // namespace yanglao::db

#endif  // YANGLAO_DB_QUERY_H_
