// RegionTable::Builtin(): the tables of data/regions/, embedded by
// region_data.S (assembled from region_data.S.in with .incbin).
#include <cstdio>
#include <cstdlib>

#include "core/region.h"

#define YANGLAO_EMBEDDED(sym) extern "C" const char sym##_begin[], sym##_end[];
YANGLAO_EMBEDDED(yanglao_regions_provinces)
YANGLAO_EMBEDDED(yanglao_regions_cities)
YANGLAO_EMBEDDED(yanglao_regions_areas)
YANGLAO_EMBEDDED(yanglao_regions_streets)
YANGLAO_EMBEDDED(yanglao_regions_villages)
YANGLAO_EMBEDDED(yanglao_regions_abolished)
#undef YANGLAO_EMBEDDED

namespace yanglao {
namespace {

RegionSources::File Embedded(const char* name, const char* begin, const char* end) {
  return RegionSources::File{std::string("builtin:data/regions/") + name,
                             std::string_view(begin, static_cast<size_t>(end - begin))};
}

}  // namespace

RegionSources BuiltinRegionSources() {
  return RegionSources{
      Embedded("provinces.csv", yanglao_regions_provinces_begin, yanglao_regions_provinces_end),
      Embedded("cities.csv", yanglao_regions_cities_begin, yanglao_regions_cities_end),
      Embedded("areas.csv", yanglao_regions_areas_begin, yanglao_regions_areas_end),
      Embedded("streets.csv", yanglao_regions_streets_begin, yanglao_regions_streets_end),
      Embedded("villages-seed-cities.csv", yanglao_regions_villages_begin,
               yanglao_regions_villages_end),
      Embedded("abolished.csv", yanglao_regions_abolished_begin, yanglao_regions_abolished_end),
  };
}

namespace {

RegionTable LoadBuiltinOrDie() {
  Result<RegionTable> table = RegionTable::Load(BuiltinRegionSources());
  if (!table.ok()) {
    std::fprintf(stderr, "yanglao: built-in region table is broken: %s\n",
                 table.status().ToString().c_str());
    std::abort();
  }
  return std::move(*table);
}

}  // namespace

const RegionTable& RegionTable::Builtin() {
  // Thread-safe initialisation; never destroyed (Google style for statics),
  // which also spares every process the teardown of 50,000 entries at exit.
  static const RegionTable* const table = new RegionTable(LoadBuiltinOrDie());
  return *table;
}

}  // namespace yanglao
