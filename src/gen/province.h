// yanglao gen for a whole province: every prefecture-level unit of it.
//
// GenerateProvince writes one subdirectory per member -- each 地级市 and
// 自治州, and each county of a 省直辖县级行政区划 (湖北 429004 仙桃 ...) -- named
// by its 6-digit code, holding exactly what `yanglao gen` writes for that
// city alone (the seven department feeds and manifest.yaml), plus a
// manifest.yaml at the top listing the members. A province is imported as
// its cities are: each city's departments send their own files, so the
// registry takes the members' feeds one after another (feeds are dated
// facts, not snapshots, so one city's file does not end another's people).
//
// Each member is calibrated as the city is (data/calibration/); a member
// without village-level data in data/regions/ lives in its townships.
// Members are generated one after another with the member's seed (derived
// from the province's seed and the member's code), each with all threads;
// the output does not depend on the number of threads. ID numbers are unique
// across the province: the ID sequence codes are shared out among the
// province's counties (GenOptions::province_member).
#ifndef YANGLAO_GEN_PROVINCE_H_
#define YANGLAO_GEN_PROVINCE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/region.h"
#include "core/status.h"
#include "gen/generator.h"

namespace yanglao::gen {

// One prefecture-level unit of a province.
struct ProvinceMember {
  const Region* region = nullptr;  // a city (4 digits) or a county of a 省直辖 unit
  std::string code;                // 6-digit display code: "420100", "429004"
  std::string dir;                 // its subdirectory: the code
  uint64_t seed = 0;               // the seed its files are generated with
};

// The members of `province` in code order: its cities, except that a
// 省直辖县级行政区划 (a city-level code whose name says so, e.g. 4290) gives
// each of its counties instead.
std::vector<ProvinceMember> ProvinceMembers(const RegionTable& regions, const Region& province,
                                            uint64_t seed);

// True when `region` (as typed) is a province code ("42", "420000").
bool IsProvinceCode(std::string_view region);

struct ProvinceSummary {
  std::string region_code;  // "420000"
  std::string region_name;  // "湖北省"
  std::vector<ProvinceMember> members;
  std::vector<GenSummary> cities;  // by member
  int64_t people = 0;
  int64_t bytes_written = 0;
  double seconds = 0;
};

// Generates every member of the province options.region into
// options.out/<member code>/ and writes options.out/manifest.yaml.
// `after_member`, when given, runs after each member's feeds are written
// (the CLI writes the modules' synthetic data there); an error from it stops
// the run. Fails with the errors of GenerateCity, with gen.region when the
// code is not a province.
Result<ProvinceSummary> GenerateProvince(
    const GenOptions& options,
    const std::function<Status(const ProvinceMember&, const GenSummary&)>& after_member = {});

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_PROVINCE_H_
