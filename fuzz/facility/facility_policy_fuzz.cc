// Fuzz target: a facility policy file (policies/facility/*.yaml,
// src/facility/policy.h). Whatever the text, the parser returns a located
// failure or a policy whose walking radius and 配建 areas are sane.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "facility/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::facility;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yanglao::Result<FacilityPolicy> p = ParseFacilityPolicy(text, "fuzz.yaml");
  if (!p.ok()) {
    if (p.status().code() != "facility.policy" || p.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (!(p->walk.radius_m() > 0)) __builtin_trap();
  for (bool fresh : {true, false}) {
    Requirement r = Required(*p, 1'000'000, fresh);
    if (r.required_m2 < 0 || r.min_single_site_m2 < 0) __builtin_trap();
  }
  for (const Target& t : p->targets) {
    if (t.quote.empty()) __builtin_trap();
  }
  return 0;
}
