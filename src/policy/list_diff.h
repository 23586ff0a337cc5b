// Differences between two versions of a service list (动态调整): items added,
// removed, and changed in text, rule or standard. Items are matched by name
// (服务项目), so renumbering is reported as a change, not remove + add.
#ifndef YANGLAO_POLICY_LIST_DIFF_H_
#define YANGLAO_POLICY_LIST_DIFF_H_

#include <string>
#include <vector>

#include "policy/service_list.h"

namespace yanglao::policy {

struct ItemChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  std::string number;  // in the new list (old list for kRemoved)
  std::string name;
  std::vector<std::string> details;  // Chinese, one line per changed field
};

struct ListDiff {
  std::vector<ItemChange> items;
  std::vector<std::string> parameters;  // parameters added, removed or with changed values
  bool empty() const { return items.empty() && parameters.empty(); }
};

ListDiff DiffLists(const ServiceList& old_list, const ServiceList& new_list);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_LIST_DIFF_H_
