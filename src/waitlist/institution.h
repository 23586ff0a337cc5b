// Institutions from a spreadsheet (XLSX, first sheet) or CSV (UTF-8), one
// institution per row, columns in this order (docs/waitlist.md):
//   机构编号, 机构名称, 性质 (公办 / 公建民营 / 民办), 等级 (一级…五级 / 未评定),
//   所在区县 (6-digit GB/T 2260 county code), 普通床位, 护理型床位,
//   认知障碍照护床位, 房间数, 在住人数, 特困供养机构 (是 / 否: 以失能特困人员
//   专业照护为主的县级特困人员供养服务机构)
// Every row is checked; one bad cell refuses the whole file (nothing is
// half-imported), each problem located by sheet or file, row, column and
// value with the stable code waitlist.import.
//
// And the beds report: bed counts by type, occupancy, the nursing-bed and
// social-forces shares and the 特困 集中供养 rate per county and for the
// city, each against the city's targets (WaitlistRules::targets()).
#ifndef YANGLAO_WAITLIST_INSTITUTION_H_
#define YANGLAO_WAITLIST_INSTITUTION_H_

#include <string>
#include <string_view>
#include <vector>

#include "waitlist/queue.h"
#include "waitlist/rules.h"
#include "waitlist/store.h"

namespace yanglao::waitlist {

struct InstitutionFile {
  std::string sheet;  // the worksheet read (XLSX); empty for CSV
  std::vector<Institution> institutions;
  std::vector<Status> problems;  // the first 100
  size_t problem_count = 0;
  bool ok() const { return problem_count == 0; }
};

// The header row the file must have.
const std::vector<std::string_view>& InstitutionHeader();

// Reads a file's bytes (XLSX when it starts like a zip, else CSV). Fails
// only when the file cannot be read as a table (xlsx.*, csv.*, a bad header,
// no rows); bad rows go to `problems`.
Result<InstitutionFile> ParseInstitutionFile(std::string_view bytes, const std::string& name);

// One county's (or the city's) beds and applicants.
struct BedCounts {
  std::string county;  // GB/T 2260; the city's code for the city row
  int64_t institutions = 0;
  int64_t beds_normal = 0, beds_nursing = 0, beds_dementia = 0;
  int64_t rooms = 0, occupied = 0;
  int64_t social_beds = 0;         // of 公建民营 and 民办 institutions
  int64_t tekun_institutions = 0;  // tekun_care institutions
  int64_t tekun_willing = 0;       // willing 特困 applicants (not withdrawn)
  int64_t tekun_admitted = 0;      // of them, admitted
  int64_t waiting = 0;             // applicants in the queue
  int64_t beds() const { return beds_normal + beds_nursing + beds_dementia; }
  // (护理型 + 认知障碍照护专区) / all beds; 0 without beds.
  double nursing_share() const;
  double social_share() const;
  double occupancy() const;
  // admitted / willing; 1 when nobody willing waits (nothing owed).
  double tekun_rate() const;
};

// One target checked for the city or one county.
struct TargetCheck {
  const Target* target = nullptr;
  std::string county;  // "" for the city
  double value = 0;
  bool met = false;
};

struct BedReport {
  BedCounts city;
  std::vector<BedCounts> counties;  // by code
  std::vector<TargetCheck> checks;  // city first, then per county
};

// `tekun` facts: an applicant is 特困 when fact "tekun" is set (as assessed).
BedReport ReportBeds(const WaitlistRules& rules, const std::vector<Institution>& institutions,
                     const State& state);

}  // namespace yanglao::waitlist

#endif  // YANGLAO_WAITLIST_INSTITUTION_H_
