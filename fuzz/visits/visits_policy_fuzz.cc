// Fuzz target: a visiting-care policy file (policies/visits/*.visits.yaml,
// src/visits/policy.h). Whatever the text, the parser returns a located
// failure (visits.policy) or a policy whose tiers, windows and targets are
// in range.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "visits/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::visits;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yanglao::Result<VisitPolicy> p = ParseVisitPolicy(text, "fuzz.visits.yaml", "/nonexistent");
  if (!p.ok()) {
    if (p.status().code() != "visits.policy" || p.status().message().empty()) __builtin_trap();
    return 0;
  }
  std::set<std::string> ids;
  for (const Tier* t : p->AllTiers()) {
    if (t->every_days < 1 || t->every_days > 92) __builtin_trap();
    if (!ids.insert(t->id).second) __builtin_trap();
  }
  for (const RateTarget& t : p->targets) {
    if (t.percent < 0 || t.percent > 100) __builtin_trap();
    if (p->TargetFor(t.year) == std::nullopt) __builtin_trap();
  }
  return 0;
}
