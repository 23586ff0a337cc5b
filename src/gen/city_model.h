// The model of one synthetic city (internal to src/gen): where people can
// live, how many are born on each day, and the cells that give every person
// a unique place in the ID number space.
//
// Cells. People are enumerated cell by cell: a cell is (family, county,
// birth day, sex), where family 0 holds people whose 户籍 is in the region
// (the county is their 户籍 county, which is also the address code of their
// ID number) and family 1 those whose 户籍 is elsewhere (the county is where
// they live). The count of each cell is fixed up front (systematic rounding
// of its expected size), so person k of a cell can take a sequence code no
// one else with the same address code, birth date and sex has. A person is
// then fully determined by the seed and their index in this enumeration.
//
// A CityModel is immutable once built; safe to read from many threads.
#ifndef YANGLAO_GEN_CITY_MODEL_H_
#define YANGLAO_GEN_CITY_MODEL_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/region.h"
#include "core/status.h"
#include "gen/calibration.h"
#include "gen/generator.h"

namespace yanglao::gen {

inline constexpr int kMinAge = 50;
inline constexpr int kMaxAge = 109;
// Half sequence codes (the ID's 3-digit sequence is 2 * half + sex bit):
// [0, kLocalSlots) for people with 户籍 in the region, the rest for others.
inline constexpr int kLocalSlots = 300;
inline constexpr int kOtherSlots = 200;
// In a province (GenOptions::province_member) the locals get fewer half
// codes (enough up to --scale 5) and the rest are shared out among all the
// counties of the province, so cities generated apart never give two
// people one ID number.
inline constexpr int kProvinceLocalSlots = 100;

// A community or village people live in.
struct Unit {
  const Region* region = nullptr;  // 12-digit 社区居委会 / 村委会
  const Region* street = nullptr;  // its 9-digit township
  int county = 0;                  // index into CityModel::counties
  bool urban = false;              // 社区居委会
};

// A county of the region.
struct County {
  const Region* region = nullptr;
  std::vector<std::string_view> old_codes;  // abolished predecessors (abolished.csv)
  size_t first_unit = 0;                    // its units: [first_unit, last_unit)
  size_t last_unit = 0;
  double weight = 0;  // share of the region's people living there
  // Which share of the half codes for people with 户籍 elsewhere living here:
  // the county's index in the region, or in the province for a province member.
  int slot_index = 0;
};

// A county outside the region, for people whose 户籍 is elsewhere.
struct ForeignCounty {
  const Region* region = nullptr;
  std::vector<const Region*> streets;
  std::vector<std::string_view> old_codes;
};

struct CityModel {
  const Calibration* cal = nullptr;
  const CityCalibration* city = nullptr;
  const RegionTable* regions = nullptr;
  const Region* region = nullptr;
  uint64_t seed = 0;
  bool dirty = false;
  CivilDate as_of;
  int as_of_day = 0;         // days since 1970-01-01
  int window_first_day = 0;  // as_of minus one year: the year of deaths, moves, exits

  std::vector<Unit> units;       // urban and rural units of the region, in code order
  std::vector<double> unit_cum;  // cumulative share of people by residence unit
  std::vector<County> counties;
  std::vector<ForeignCounty> province_counties;  // same province, outside the region
  std::vector<ForeignCounty> other_counties;     // other provinces
  double region_population = 0;                  // census people of the region (all ages)
  bool region_population_estimated = false;      // apportioned from the city total

  std::array<double, kMaxAge + 1> age_share{};  // share of the 50+ population by age
  double share_50_plus = 0;                     // of the region's population

  double p_separated = 0;       // 户籍 in the region, living in another unit of it
  double p_nonlocal = 0;        // 户籍 outside the region
  double p_other_province = 0;  // of the non-local, from another province
  double dibao_age_norm = 0;    // divides dibao_age_factor so 60+ averages 1
  double tekun_age_norm = 0;

  int first_birth_day = 0;       // birth days [first_birth_day, + day_age.size())
  std::vector<uint8_t> day_age;  // age on as_of of each birth day

  int64_t people = 0;
  std::vector<uint16_t> cell_count;  // by CellIndex
  // People of the same (family, county, sex) in earlier cells (born before):
  // a person's position in that group is group_position[cell] + rank.
  std::vector<int32_t> group_position;  // by CellIndex
  int local_slots = kLocalSlots;        // half codes [0, local_slots) for family 0
  int other_slots_per_county = 0;       // then this many per County::slot_index
  bool township_units = false;          // units are townships (no village-level data)

  size_t CellIndex(int family, int county, int day, int sex) const {
    return ((static_cast<size_t>(family) * counties.size() + static_cast<size_t>(county)) *
                day_age.size() +
            static_cast<size_t>(day)) *
               2 +
           static_cast<size_t>(sex);
  }
  // The inverse of CellIndex.
  void CellOf(size_t cell, int& family, int& county, int& day, int& sex) const;

  // People in the (family, county, sex) group.
  int32_t GroupSize(int family, int county, int sex) const;
  // The cell and rank of the person at `position` of a group; false when
  // there is no one there.
  bool CellAtPosition(int family, int county, int sex, int32_t position, size_t& cell,
                      int& rank) const;

  // A residence unit for the uniform `u` in [0, 1): over the whole region,
  // or within county `c`.
  size_t UnitAt(double u) const;
  size_t UnitInCounty(int c, double u) const;
};

// Builds the model of options.region with `cal` (see GenerateCity for the
// errors).
Result<CityModel> BuildCityModel(const GenOptions& options, const Calibration& cal,
                                 const RegionTable& regions);

// The chance that a person of `age` on as_of died during the year before.
double DeathProbability(const Calibration& cal, int age, bool male);

// Where a block of people starts in the enumeration.
struct BlockStart {
  size_t cell = 0;
  int rank = 0;        // index within the cell
  int64_t person = 0;  // global index of the block's first person
  int64_t count = 0;   // people in the block
};

// Splits the people into blocks of `block_size` (the last may be smaller).
std::vector<BlockStart> PlanBlocks(const CityModel& model, int64_t block_size);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_CITY_MODEL_H_
