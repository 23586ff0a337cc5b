// The schema of person facts that eligibility rules may use (see
// docs/policy-format.md for the table with meanings and source departments).
//
// Each fact has a type: bool, int, or an enumeration with named values. A
// person's facts are held as int64 values in schema order ("slots"): bools as
// 0/1, ints as themselves, enums as the index of the value.
#ifndef YANGLAO_POLICY_FACT_SCHEMA_H_
#define YANGLAO_POLICY_FACT_SCHEMA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yanglao::policy {

enum class FactType : uint8_t { kBool, kInt, kEnum };

// The value of a fact nobody knows (no department has a record of it, where
// a missing record does not mean "no"): rules evaluate three-valued over it
// (yes / no / unknown, Kleene logic; docs/policy-format.md). Every known value
// of a fact lies in 0..150, so the byte columns hold it too.
inline constexpr int64_t kUnknownFact = 255;

struct FactInfo {
  std::string name;  // identifier used in rules ("age")
  FactType type = FactType::kBool;
  std::vector<std::string> enum_values;   // kEnum only; index 0 is the default
  std::string label;                      // Chinese label ("年龄（周岁）")
  std::vector<std::string> value_labels;  // kEnum only, Chinese label per value
  std::string source;                     // source department(s)
  int64_t min = 0, max = 1;               // value range (ints); bools 0..1; enums 0..n-1
  // A person without a record of this fact: unknown (the fact must be
  // checked with `source`), not the default. False for the facts whose
  // department rosters are complete (not on the 低保 roll: not 低保).
  bool absent_unknown = false;
};

class FactSchema {
 public:
  // The person facts of docs/policy-format.md.
  static const FactSchema& Person();

  size_t size() const { return facts_.size(); }
  const FactInfo& at(size_t slot) const { return facts_[slot]; }
  const std::vector<FactInfo>& facts() const { return facts_; }
  // Slot of the fact with this name, or nullopt.
  std::optional<size_t> Find(std::string_view name) const;
  // Index of `value` in the enum fact at `slot`, or nullopt.
  std::optional<int64_t> EnumIndex(size_t slot, std::string_view value) const;
  // Human-readable value: "是"/"否", the number, the enum value's label, or
  // "未知" for kUnknownFact.
  std::string Describe(size_t slot, int64_t value) const;

 private:
  std::vector<FactInfo> facts_;
};

// One person's facts, indexed by slot; defaults: false, 0, first enum value.
using PersonFacts = std::vector<int64_t>;

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_FACT_SCHEMA_H_
