// Administrative divisions (行政区划, GB/T 2260 and the 12-digit statistical
// codes below it): province, city, county, street/township, community/village.
//
// The table ships inside the binary (data/regions/, see its README for the
// source and date) and can also be loaded from a directory of the same CSV
// files when the divisions are updated. Codes are kept in their natural
// length: 2 (province), 4 (city), 6 (county), 9 (street/township), 12
// (community/village). NormalizeRegionCode accepts the padded forms people
// write ("421300" for 随州市, "421303001000" for a street).
//
// A RegionTable is immutable after loading; all const methods are safe to
// call from many threads.
#ifndef YANGLAO_CORE_REGION_H_
#define YANGLAO_CORE_REGION_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace yanglao {

enum class RegionLevel : uint8_t {
  kProvince = 1,  // 省级 (2-digit code)
  kCity = 2,      // 地级 (4)
  kCounty = 3,    // 县级 (6)
  kTownship = 4,  // 乡级: 街道, 镇, 乡 ... (9)
  kVillage = 5,   // 村级: 社区居委会, 村委会 ... (12)
};

enum class RegionKind : uint8_t {
  kProvince,
  kCity,
  kCounty,
  kStreet,          // 街道 (urban sub-district)
  kTown,            // 镇
  kTownship,        // 乡 (incl. 民族乡, 苏木)
  kOtherTownship,   // 开发区, 农场, 林场, 管理区 ...
  kUrbanCommunity,  // 社区居委会 (urban)
  kRuralVillage,    // 村委会 (rural)
  kOtherVillage,    // 虚拟生活区, 农场生活区 ...
};

// Chinese label of a kind ("街道", "社区居委会" ...).
std::string_view RegionKindName(RegionKind kind);
// Chinese label of a level ("省级" ... "村级").
std::string_view RegionLevelName(RegionLevel level);
RegionLevel LevelOfKind(RegionKind kind);

// Kind of a township-level unit from its name (街道 / 镇 / 乡 / other).
RegionKind ClassifyTownship(std::string_view name);
// Kind of a village-level unit from its name: 居委会/社区 are urban
// communities, 村委会/村 rural villages, anything else (虚拟生活区 ...) other.
RegionKind ClassifyVillage(std::string_view name);

struct Region {
  std::string code;  // natural length: 2, 4, 6, 9 or 12 digits
  std::string name;  // as published ("随州市", "东城街道")
  RegionLevel level;
  RegionKind kind;
  int32_t parent = -1;  // index into the table, -1 for provinces

  // True for 社区居委会 (urban), false otherwise.
  bool is_urban_community() const { return kind == RegionKind::kUrbanCommunity; }
  // The code as GB/T 2260 prints it: 6 digits for levels 1-3 ("421300"),
  // the natural 9 or 12 digits below.
  std::string DisplayCode() const;
};

// A region code that is no longer current but appears in older records (for
// example in the address part of an ID number issued before a merger).
struct AbolishedRegion {
  std::string code;       // 6 digits
  std::string name;       // former name
  std::string until;      // year it was abolished ("2010")
  std::string successor;  // current code it was merged into, may be empty
  std::string note;
};

// Converts a code as written to its natural length: strips the zero padding
// of levels 1-3 ("420000" -> "42", "421300" -> "4213") and of 12-digit
// statistical codes ("421303001000" -> "421303001"). Fails with
// "region.code_format" unless the text is 2, 4, 6, 9 or 12 digits.
Result<std::string> NormalizeRegionCode(std::string_view text);

// The CSV texts a table is built from, with names used in error locations.
struct RegionSources {
  struct File {
    std::string name;
    std::string_view text;
  };
  File provinces;  // code,name
  File cities;     // code,name,provinceCode
  File areas;      // code,name,cityCode,provinceCode
  File streets;    // code,name,areaCode,provinceCode,cityCode
  File villages;   // code,name,streetCode,provinceCode,cityCode,areaCode (may be empty)
  File abolished;  // code,name,until,successor,note (may be empty)
};

// The texts of data/regions/ embedded in the binary (what Builtin() loads).
RegionSources BuiltinRegionSources();

class RegionTable {
 public:
  // The table shipped in the binary. Loaded once, on first use; thread-safe.
  // The shipped data is checked by tests, so a failure here is a build defect
  // and aborts.
  static const RegionTable& Builtin();

  // Builds a table from CSV texts. Fails on the first malformed row with its
  // file:line:col: bad header, bad code, unknown parent, duplicate code.
  static Result<RegionTable> Load(const RegionSources& sources);
  // Reads provinces.csv, cities.csv, areas.csv, streets.csv and, if present,
  // villages-seed-cities.csv and abolished.csv from `dir`.
  static Result<RegionTable> LoadDirectory(const std::filesystem::path& dir);

  size_t size() const { return regions_.size(); }
  const std::vector<Region>& all() const { return regions_; }

  // The unit with this code, or nullptr. A code that exists as written is
  // that unit (441900 is the county-level 东莞市 under the city 4419);
  // otherwise it is read in its padded form (see NormalizeRegionCode:
  // 421300 is the city 4213).
  const Region* Find(std::string_view code) const;
  // The former unit with this 6-digit code, or nullptr.
  const AbolishedRegion* FindAbolished(std::string_view code) const;

  // Units whose name equals `name`, then those whose name contains it, each
  // group in code order; at most `limit` in all.
  std::vector<const Region*> FindByName(std::string_view name, size_t limit = 50) const;

  const Region* Parent(const Region& r) const {
    return r.parent < 0 ? nullptr : &regions_[static_cast<size_t>(r.parent)];
  }
  // From the province down to `r`'s parent.
  std::vector<const Region*> Ancestors(const Region& r) const;
  // "湖北省 随州市 曾都区": the names from the province down to `r`.
  std::string FullName(const Region& r) const;
  // Direct children, in code order.
  std::vector<const Region*> Children(const Region& r) const;
  // Is `r` equal to or below `ancestor`?
  bool IsWithin(const Region& r, const Region& ancestor) const;

  // Number of units of each kind at or below `r` (excluding `r`), indexed by
  // RegionKind.
  std::vector<size_t> CountDescendantsByKind(const Region& r) const;

  // Codes are hierarchical (a child's code starts with its parent's, checked
  // by Load), so once sorted by code every unit's descendants are the
  // contiguous run right after it. Returns [first, last) of that run, as
  // indexes into all().
  std::pair<size_t, size_t> DescendantRange(const Region& r) const;
  // The index of `r` (a unit of this table) in all().
  int32_t IndexOfRegion(const Region& r) const {
    return static_cast<int32_t>(&r - regions_.data());
  }

 private:
  std::vector<Region> regions_;  // sorted by code
  std::unordered_map<std::string, int32_t> by_code_;
  std::vector<AbolishedRegion> abolished_;  // sorted by code
};

}  // namespace yanglao

#endif  // YANGLAO_CORE_REGION_H_
