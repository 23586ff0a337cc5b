// Synthetic institutions, beds and a waiting list (`yanglao gen`): the
// waitlist module's synthetic data, kept with the generator.
//
// Institutions: in each county of the city a 公办 welfare home (the county's
// 特困供养机构, except in the last county, so the per-county target shows a
// gap), a 公建民营 and a 民办 one, with beds by type (the nursing share
// varying by county around the targets), rooms and residents. Beds: six
// individual beds (two of each type) in each 公办 home, for allocation.
// Applicants: people aged 60+ from the feeds (公安.csv, 民政.csv: 特困 and
// 低保 as recorded), the poorest and oldest first, with a capability level,
// some willing to be 集中供养, a few 烈士遗属 / 现役军人家属 / 计生特殊家庭,
// applied over the year before `as_of`, assessed with a validity of a year
// (a few already expired on `as_of`, so they go back to 评估).
//
// Files in <out>/入住轮候/: 机构.csv (waitlist/institution.h), 床位.csv and
// 轮候申请.csv (waitlist/applications_file.h). Deterministic for a seed.
#ifndef YANGLAO_GEN_WAITLIST_SYNTHETIC_H_
#define YANGLAO_GEN_WAITLIST_SYNTHETIC_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::gen {

struct WaitlistSyntheticOptions {
  std::filesystem::path feeds_dir;  // 公安.csv, 民政.csv
  std::filesystem::path out_dir;    // files go to out_dir/入住轮候/
  std::string region = "421300";    // the city (or county) the feeds are of
  CivilDate as_of;
  uint64_t seed = 7;
  int applicants = 120;
};

struct WaitlistSyntheticSummary {
  std::filesystem::path dir;
  int64_t institutions = 0, beds = 0, applicants = 0;
};

// Fails with io.open / csv.* (a feed), gen.waitlist (no counties, nobody
// aged 60+), gen.io (a file cannot be written).
Result<WaitlistSyntheticSummary> WriteSyntheticWaitlist(const WaitlistSyntheticOptions& options);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_WAITLIST_SYNTHETIC_H_
