// Type checking of rules against the schema of person facts and a list's
// parameters and definitions (the "check" phase).
#ifndef YANGLAO_POLICY_RULE_CHECKER_H_
#define YANGLAO_POLICY_RULE_CHECKER_H_

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "policy/fact_schema.h"
#include "policy/service_list.h"

namespace yanglao::policy {

// Checks every rule of `list` in place (annotating Expr::type) and appends
// each error found, located, to `errors`:
//   rule.unknown_name   未知的事实、定义或参数
//   rule.type           类型错误 (with the expected and found types)
//   rule.enum_value     a string that is not a value of the enum it is compared with
//   rule.call           unknown function, wrong argument count, or calling a non-scaled parameter
//   rule.cycle          definitions that refer to each other
// Also checks each item's rule types: eligibility bool, cash amount money,
// discount percent int.
void CheckListRules(ServiceList& list, const FactSchema& schema, std::vector<Status>& errors);

// "布尔", "整数", "金额", "字符串", "枚举（tekun）", "列表".
std::string TypeName(const Type& t, const FactSchema& schema);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_RULE_CHECKER_H_
