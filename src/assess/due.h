// Work lists for assessment: who in a region is due or overdue for
// (re-)assessment, who has never been assessed although an item of the
// service lists needs the result, and how far assessment covers the
// people aged 80 and over (启东市: every person aged 80+ assessed by 2025).
//
// On `as_of`, for every living person aged 60 and over whose residence
// (the registry's residence_region) is in the region:
//   overdue       the latest assessment's validity ended before as_of
//   requested     a request for re-assessment is open (no assessment on or
//                 after its date)
//   due_soon      the validity ends within `soon_days` days
//   never         never assessed, and a list item needs the result: aged
//                 `cohort_age` (80) or over, or 民政 records 生活不能自理, or
//                 a department records 需要长期照护 or 失智 (nursing
//                 subsidies, home care beds, waitlist priority and visit
//                 frequency depend on the capability level)
// A result is due for renewal on its last valid day.
#ifndef YANGLAO_ASSESS_DUE_H_
#define YANGLAO_ASSESS_DUE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assess/store.h"
#include "core/civil_date.h"
#include "core/region.h"
#include "core/status.h"

namespace yanglao::assess {

enum class DueStatus { kOverdue, kRequested, kDueSoon, kNever };
// "已过期", "申请复评", "即将到期", "从未评估".
std::string_view DueStatusName(DueStatus status);

struct DueOptions {
  CivilDate as_of = CivilDate::Today();
  CivilDate known_on = CivilDate::Today();
  int soon_days = 30;
  int cohort_age = 80;  // the coverage cohort, and a reason to need a first assessment
};

struct DueEntry {
  std::string id_number;
  std::string name;
  int age = 0;
  std::string residence;  // the residence code (12-digit community/village, or 9-digit street)
  DueStatus status = DueStatus::kNever;
  std::optional<CivilDate> last_assessed;
  std::optional<CivilDate> valid_until;
  int last_level = -1;  // -1 when never assessed
  std::optional<CivilDate> requested_on;
  std::string need;  // why a first assessment is needed (kNever): "80周岁及以上" ...
};

// Coverage of the cohort (aged cohort_age and over) in one county.
struct Coverage {
  std::string county;  // 6-digit code
  int64_t cohort = 0;  // living residents aged cohort_age+
  int64_t valid = 0;   // of them, with a result valid on as_of
  int64_t ever = 0;    // of them, ever assessed
  double rate() const {
    return cohort > 0 ? static_cast<double>(valid) / static_cast<double>(cohort) : 0.0;
  }
};

struct DueReport {
  std::string region_code;  // as displayed
  std::string region_name;
  DueOptions options;
  int64_t residents_60_plus = 0;   // living residents aged 60+ in the region
  int64_t valid_60_plus = 0;       // of them, with a valid result
  std::vector<DueEntry> entries;   // by residence, then status, then ID number
  std::vector<Coverage> coverage;  // by county code
  Coverage total;
  int64_t Count(DueStatus status) const;
};

// Computes the work lists of `region` (a city, county, street or community
// of the built-in table). Fails with assess.region when the region is not
// in the table. ComputeDueBase then SliceDue.
Result<DueReport> ComputeDue(AssessmentStore& store, std::string_view region_code,
                             const DueOptions& options);

// The same report computed the straightforward way: every person read one
// at a time (Registry::ForEachPerson). Kept as the reference the fast path
// is tested against (assess_test DueFast*).
Result<DueReport> ComputeDueReference(AssessmentStore& store, std::string_view region_code,
                                      const DueOptions& options);

// The work lists of every residence on one date, from which the report of
// any region is cut (SliceDue): read set-based (Registry::ForEachPersonCoded
// and one pass over the assessments) rather than person by person. The
// server keeps one per date and watermark (DueWatermark), so a console page
// does not go through the city for each request.
struct DueBase {
  struct Tally {
    int64_t residents_60_plus = 0;
    int64_t valid_60_plus = 0;
    int64_t cohort = 0;  // aged cohort_age+
    int64_t cohort_valid = 0;
    int64_t cohort_ever = 0;
  };
  DueOptions options;
  std::vector<DueEntry> entries;                          // by residence, status, ID number
  std::vector<std::pair<std::string, Tally>> residences;  // by residence code
};
Result<DueBase> ComputeDueBase(AssessmentStore& store, const DueOptions& options);
// The report of `region_code` (as ComputeDue), without its entries when
// `with_entries` is false (then read them in place with DueEntriesUnder).
// Fails with assess.region.
Result<DueReport> SliceDue(const DueBase& base, std::string_view region_code,
                           bool with_entries = true);
// The entries of `base` whose residence lies in the region of (table) code
// `region_code`, in the report's order.
std::span<const DueEntry> DueEntriesUnder(const DueBase& base, const std::string& region_code);

// A text that changes whenever anything a DueBase reads may have changed:
// the registry's feeds and precedence (registry::ContentWatermark), the
// assessments and the requests for re-assessment.
Result<std::string> DueWatermark(AssessmentStore& store);

}  // namespace yanglao::assess

#endif  // YANGLAO_ASSESS_DUE_H_
