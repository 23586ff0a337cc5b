// Fuzz target: the facility module's import files (src/facility/table.h),
// the parser behind `yanglao facility import`. Whatever the bytes (CSV or a
// workbook), the parser returns a located failure or tables whose rows hold
// the invariants the store and planning rely on.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "facility/table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::facility;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  yanglao::Result<ParsedTable> t = ParseFacilityFile(bytes, "fuzz.csv");
  if (!t.ok()) {
    if (t.status().code().empty() || t.status().message().empty()) __builtin_trap();
    return 0;
  }
  std::set<std::string> ids;
  for (const Facility& f : t->facilities) {
    if (f.id.empty() || f.community.size() != 12 || !ids.insert(f.id).second) __builtin_trap();
    if (f.nursing_beds > f.beds || f.beds < 0 || f.floor_area_m2 < 0) __builtin_trap();
    for (const std::string& c : f.served) {
      if (c.size() != 12 || c == f.community) __builtin_trap();
    }
  }
  for (const Estate& e : t->estates) {
    if (e.households < 1 || e.largest_site_m2 > e.area_provided_m2 || e.community.size() != 12)
      __builtin_trap();
  }
  for (const CommunityPoint& p : t->points) {
    if (p.community.size() != 12) __builtin_trap();
  }
  return 0;
}
