// Fuzz target: a whole list file: YAML, fields, rules, type checking, and
// when it loads, binding and evaluating every item for a few people with
// both evaluators, which must agree.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/entitlement.h"
#include "policy/service_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::policy;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadedList l = LoadServiceListFromString(text, "fuzz.yaml");
  for (const yanglao::Status& e : l.errors) {
    if (e.code().empty() || e.message().empty()) __builtin_trap();
  }
  if (!l.ok()) return 0;
  auto c = CompileList(l.list, *yanglao::CivilDate::FromYmd(2026, 4, 1));
  if (!c.ok()) return 0;
  const FactSchema& schema = FactSchema::Person();
  std::vector<PersonFacts> people;
  for (int64_t age : {59, 60, 65, 80, 100}) {
    PersonFacts p(schema.size(), 1);
    p[*schema.Find("age")] = age;
    p[*schema.Find("deceased")] = 0;
    people.push_back(p);
    people.push_back(PersonFacts(schema.size(), 0));
    people.back()[*schema.Find("age")] = age;
  }
  std::vector<ItemRoll> rolls = EntitlePopulation(*c, Population::FromPeople(people));
  for (size_t p = 0; p < people.size(); ++p) {
    std::vector<ItemOutcome> one = EntitlePerson(*c, people[p], /*explain=*/true);
    for (size_t i = 0; i < one.size(); ++i) {
      bool in =
          std::binary_search(rolls[i].rows.begin(), rolls[i].rows.end(), static_cast<uint32_t>(p));
      if (in != one[i].entitled) __builtin_trap();
    }
  }
  return 0;
}
