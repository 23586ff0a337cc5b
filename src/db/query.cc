#include "db/query.h"

#include <algorithm>

namespace yanglao::db {

void AddConditions(const std::vector<Filter>& filters, std::string& where,
                   std::vector<Value>& params) {
  for (const Filter& f : filters) {
    where += where.empty() ? " WHERE (" : " AND (";
    where += f.sql + ")";
    params.insert(params.end(), f.params.begin(), f.params.end());
  }
}

std::string DigitPrefixEnd(std::string_view digits) {
  std::string end(digits);
  while (!end.empty() && end.back() == '9') end.pop_back();
  if (!end.empty()) ++end.back();
  return end;
}

Filter RegionCodeFilter(std::string_view column, std::string_view region, bool exact) {
  const std::string col(column);
  if (exact) return {col + " = ?", {std::string(region)}};
  std::string end = DigitPrefixEnd(region);
  if (end.empty()) return {col + " >= ?", {std::string(region)}};
  return {col + " >= ? AND " + col + " < ?", {std::string(region), end}};
}

std::string Page::Bind(std::vector<Value>& params) const {
  params.push_back(std::max<int64_t>(1, size));
  params.push_back(offset());
  return " LIMIT ? OFFSET ?";
}

}  // namespace yanglao::db
