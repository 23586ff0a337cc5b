// "Not lower than the parent list" (覆盖范围和实现程度不低于): a county list
// must contain every item of its city's list, cover everyone the city's item
// covers, and give each of them at least the city's standard.
//
// Each parent item is matched with the child item of the same name. Coverage
// and standard are then decided by case analysis: the constants in both
// rules cut each fact's range into intervals on which every comparison is
// constant, so trying one value per interval (and every enum and bool value)
// decides the question exactly. This is the "symbolic" method. It applies
// when every comparison is between a fact and a constant and amounts are
// piecewise constant (built from constants, scaled parameters, conditions,
// min/max). Otherwise, or when the cases exceed a bound, a generated
// population is searched instead ("search"), which can find violations but
// not prove their absence. The report says which method decided each item.
#ifndef YANGLAO_POLICY_COMPLIANCE_H_
#define YANGLAO_POLICY_COMPLIANCE_H_

#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "policy/fact_schema.h"
#include "policy/service_list.h"

namespace yanglao::policy {

struct ComplianceViolation {
  enum class Kind { kMissingItem, kCoverage, kStandard };
  Kind kind = Kind::kMissingItem;
  std::string parent_number;
  std::string item_name;
  std::string child_number;  // empty for kMissingItem
  std::string message;       // Chinese, with the counterexample person
  PersonFacts person;        // the counterexample (kCoverage, kStandard)
};

struct ItemCheck {
  std::string parent_number;
  std::string item_name;
  std::string child_number;
  std::string method;  // "symbolic" or "search"
  size_t cases = 0;    // people evaluated
};

struct ComplianceReport {
  std::vector<ComplianceViolation> violations;
  std::vector<ItemCheck> checks;
  bool complies() const { return violations.empty(); }
};

// Fails when a rule cannot be bound on `date` (a parameter without a value).
Result<ComplianceReport> CheckCompliance(const ServiceList& parent, const ServiceList& child,
                                         CivilDate date);

// A short Chinese description of the facts in `slots` that are set:
// "年龄 82 周岁，本地户籍，残疾等级 3，残疾类别 精神".
std::string DescribeFacts(const PersonFacts& person, const std::vector<size_t>& slots);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_COMPLIANCE_H_
