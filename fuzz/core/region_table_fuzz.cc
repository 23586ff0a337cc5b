// Fuzz target: RegionTable::Load on an arbitrary streets file under a fixed
// small province/city/county table.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/region.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yanglao::RegionSources sources{
      {"provinces.csv", "code,name\n42,湖北省\n"},
      {"cities.csv", "code,name,provinceCode\n4213,随州市,42\n"},
      {"areas.csv", "code,name,cityCode,provinceCode\n421303,曾都区,4213,42\n"},
      {"streets.csv", text},
      {"villages.csv", ""},
      {"abolished.csv", ""},
  };
  yanglao::Result<yanglao::RegionTable> table = yanglao::RegionTable::Load(sources);
  if (table.ok()) {
    const yanglao::Region* county = table->Find("421303");
    if (county == nullptr) __builtin_trap();
    size_t below = 0;
    for (size_t n : table->CountDescendantsByKind(*county)) below += n;
    if (below + 3 != table->size()) __builtin_trap();
  }
  return 0;
}
