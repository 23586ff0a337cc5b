// Fuzz target: what-if edits as people type them (--set, --rule, --drop, and
// the same fields of the server's what-if request). Each input line is
// "set TEXT", "rule TEXT" or "drop TEXT"; the edits are applied to a small
// list. A refused edit must say why with a code; an accepted one must leave
// a list that compiles and evaluates with both evaluators agreeing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "entitle/whatif.h"
#include "policy/entitlement.h"
#include "policy/service_list.h"

namespace {

constexpr std::string_view kList = R"(format: yanglao.list/1
jurisdiction: "421300"
title: 测试清单
issuer: 测试
issued: 2023-06-01
parameters:
  allowance:
    label: 高龄津贴
    type: money
    unit: 元/月
    source: 测试
    scale: age
    values:
      - from: 2023-01-01
        brackets:
          - {min: 80, value: 50元}
          - {min: 90, value: 100元}
  standard:
    label: 标准
    type: money
    unit: 元/月
    source: 测试
    values: [{from: 2023-01-01, value: 700元}]
items:
  - number: 1
    name: 高龄津贴
    content: 高龄津贴
    target: 80周岁以上
    kind: 物质帮助
    departments: [民政]
    eligibility: hukou_local && age >= 80
    benefit:
      type: cash
      period: month
      amount: allowance(age)
  - number: 2
    name: 低保补贴
    content: 低保补贴
    target: 低保
    kind: 物质帮助
    departments: [民政]
    eligibility: dibao && age >= 60
    benefit:
      type: cash
      period: month
      amount: standard * 20 / 100
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao;
  static const policy::LoadedList base = policy::LoadServiceListFromString(kList, "fuzz.yaml");
  if (!base.ok()) __builtin_trap();
  policy::LoadedList l = policy::LoadServiceListFromString(kList, "fuzz.yaml");
  entitle::WhatIfEdits edits;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.starts_with("set ")) edits.set.emplace_back(line.substr(4));
    if (line.starts_with("rule ")) edits.rule.emplace_back(line.substr(5));
    if (line.starts_with("drop ")) edits.drop.emplace_back(line.substr(5));
  }
  CivilDate date = *CivilDate::FromYmd(2026, 4, 1);
  Status s = entitle::ApplyEdits(l.list, edits, date);
  if (!s.ok()) {
    if (s.code().empty() || s.message().empty()) __builtin_trap();
    return 0;
  }
  auto c = policy::CompileList(l.list, date);
  if (!c.ok()) return 0;  // e.g. a rule naming a parameter without a value then
  const policy::FactSchema& schema = policy::FactSchema::Person();
  std::vector<policy::PersonFacts> people;
  for (int64_t age : {59, 60, 75, 80, 95}) {
    for (int64_t flag : {0, 1}) {
      policy::PersonFacts p(schema.size(), flag);
      p[*schema.Find("age")] = age;
      p[*schema.Find("deceased")] = 0;
      people.push_back(p);
    }
  }
  auto rolls = policy::EntitlePopulation(*c, policy::Population::FromPeople(people), 1);
  for (size_t p = 0; p < people.size(); ++p) {
    auto one = policy::EntitlePerson(*c, people[p]);
    for (size_t i = 0; i < one.size(); ++i) {
      bool in =
          std::binary_search(rolls[i].rows.begin(), rolls[i].rows.end(), static_cast<uint32_t>(p));
      if (in != one[i].entitled) __builtin_trap();
    }
  }
  return 0;
}
