// The oversight module's store (tables oversight_*, module sequence
// "oversight": OversightSchema()): a city's task breakdown tables imported
// from its task file, and the progress reports the responsible units file
// against each task, with the evidence file's name and SHA-256.
#ifndef YANGLAO_OVERSIGHT_STORE_H_
#define YANGLAO_OVERSIGHT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "db/database.h"
#include "db/migrate.h"
#include "oversight/credit.h"
#include "oversight/tasks.h"

namespace yanglao::oversight {

db::ModuleSchema OversightSchema();

struct StoredTask {
  int64_t id = 0;
  std::string jurisdiction;
  int year = 0;
  int no = 0;
  std::string area, work, requirement, deadline_text, units;
  CivilDate deadline;
};

// A unit's report on a task: on_track (按计划推进), at_risk (有风险), done (已完成).
struct ProgressReport {
  int64_t id = 0;
  int64_t task_id = 0;
  std::string client_id;  // the reporter's id for this report: a resubmission is not doubled
  CivilDate reported_on;
  std::string unit, status, note;
  std::string evidence_name, evidence_sha256;  // optional evidence file
};

// Where a task stands on a day: from its latest report and its deadline.
enum class TaskState { kNoReport, kOnTrack, kAtRisk, kDone, kOverdue };
std::string_view TaskStateLabel(TaskState s);  // 未报告, 按计划推进, 有风险, 已完成, 已逾期
TaskState StateOn(const StoredTask& task, const std::optional<ProgressReport>& latest,
                  CivilDate day);

struct PlanImport {
  int added = 0, updated = 0, unchanged = 0;
};

// An inspection as stored, with its findings' ids (for recording rectification).
struct StoredInspection {
  int64_t id = 0;
  Inspection inspection;
  std::vector<int64_t> finding_ids;
};

class OversightStore {
 public:
  // No I/O; the tables must be migrated (OversightSchema, db::MigrateAll).
  explicit OversightStore(db::Database& db) : db_(db) {}

  // Puts every task of `plan` (keyed by jurisdiction, year, no) in one
  // transaction: a rerun of the same file changes nothing.
  Result<PlanImport> PutPlan(const TaskPlan& plan);
  // The tasks of a jurisdiction (all years when `year` is 0), by year and number.
  Result<std::vector<StoredTask>> Tasks(std::string_view jurisdiction, int year = 0);
  // Records a report. Fails with oversight.not_found (not found),
  // oversight.progress (invalid status, unit or client id, located by field).
  // A client id given before returns the first report's id, unchanged.
  Result<int64_t> AddProgress(const ProgressReport& report);
  // A task's reports, oldest first.
  Result<std::vector<ProgressReport>> Progress(int64_t task_id);

  // Records an inspection with its findings after CheckInspection (fails
  // with oversight.inspection, located); a client id given before returns the
  // first record's id, unchanged.
  Result<int64_t> AddInspection(const CreditPolicy& policy, const Inspection& inspection,
                                std::string_view client_id);
  // The rectification of a finding, confirmed on `on` (the follow-up).
  Status Rectified(int64_t finding_id, CivilDate on);
  // Inspections (of one institution, or all when empty), oldest first.
  Result<std::vector<StoredInspection>> Inspections(std::string_view institution = {});
  Result<int64_t> AddComplaint(const Complaint& complaint, std::string_view client_id);
  Result<std::vector<Complaint>> Complaints();
  // An institution's grade with its evidence (replaces the previous one).
  Status PutGrade(const Grade& grade);
  Result<std::vector<Grade>> Grades();

 private:
  db::Database& db_;
};

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_STORE_H_
