// Synthetic facilities, residential estates and community coordinates for a
// generated city (`yanglao gen`): the facility module's synthetic data
// (docs/facility.md), kept with the generator so the server never links it.
//
// Coordinates are invented on a plane (metres): the counties on a grid 40 km
// apart, townships around their county's centre (streets near it, towns
// farther out), urban communities within about 1 km of their street's
// centre, villages within about 4 km of their town's. Every row is marked
// 合成=是, and the map page labels such coordinates as synthetic.
//
// The shares are chosen to sit near the seeds' targets so that coverage
// tables show both met and unmet lines: a 养老服务综合体 in about 80% of
// streets and 50% of towns, a 日间照料中心 in about 93% of urban
// communities, a 互助照料中心 in about 57% of villages, a canteen in about
// 85% of townships, a 敬老院 in each town and a county 福利院 or two, a
// 指导中心 in the first county and half the others, a 卫生服务中心 in each
// township; one to three estates per urban community, built 1995-2025, most
// of those since 2018 providing their area and most older ones not.
//
// Deterministic: the same region and seed give the same files.
#ifndef YANGLAO_GEN_FACILITY_SYNTHETIC_H_
#define YANGLAO_GEN_FACILITY_SYNTHETIC_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"

namespace yanglao::gen {

struct FacilitySyntheticOptions {
  std::string region;  // city or county code, as for GenerateCity
  uint64_t seed = 7;
  std::filesystem::path out;  // directory; the files go to out/设施/
  // The city's population scale (GenOptions::scale): the beds of each site
  // are its full-scale beds times this, rounded (an institution keeps one), so
  // beds per 1,000 older people stay what they would be at scale 1. The
  // sites, their floor areas and the estates do not scale.
  double scale = 1.0;
};

struct FacilitySyntheticSummary {
  std::filesystem::path dir;
  int64_t facilities = 0, estates = 0, points = 0;
};

// Writes 养老设施.csv, 住宅小区.csv and 社区坐标.csv (the import formats of
// facility/table.h). Fails with gen.region (unknown region or no villages)
// or gen.io.
Result<FacilitySyntheticSummary> WriteSyntheticFacilities(const FacilitySyntheticOptions& options);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_FACILITY_SYNTHETIC_H_
