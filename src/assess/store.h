// Capability assessments as records, kept in the registry's database beside
// the fact records (SQLite or PostgreSQL, see registry/database.h).
//
// An assessment records who was assessed, when, why, by whom (assessor and
// agency), every item answer and the basic information, the result (subtotals,
// total, preliminary and final level, the adjustments applied), the scoring
// rules used, and until when the result is valid (the assessment date plus
// a configurable number of months, less one day).
//
// Recording an assessment also states, in the same transaction, facts to the
// registry as the source 评估机构 (registry::kAssessmentSource), valid from
// the assessment date to the end of the validity period:
//   capability_assessed = 1
//   capability_level    = the final level, 0..4
//   dementia            = 1 when the form records diagnosed dementia
//                         (F00-F03); = 0 when it does not but the person's
//                         previous assessment, still valid that day, did
//                         (the latest result wins); nothing otherwise (an
//                         assessment without a diagnosis does not overrule
//                         卫健's records).
// The registry resolves them by source precedence like any other fact, with
// the whole history kept. A later assessment's records start later and so win
// where periods overlap.
//
// The tables have their own migration sequence (AssessMigrations, counted
// under "assess" in module_schema), applied after the registry's, once at
// start-up through db::MigrateAll (AssessSchema()).
//
// Re-recording is idempotent: a form already recorded (same content) or a
// batch file already imported (same bytes) changes nothing. Writes are
// transactions: a batch is stored whole or not at all, also when the
// process is killed (tests/assess/kill9.sh).
#ifndef YANGLAO_ASSESS_STORE_H_
#define YANGLAO_ASSESS_STORE_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assess/form_json.h"
#include "assess/scoring.h"
#include "core/civil_date.h"
#include "core/status.h"
#include "db/migrate.h"
#include "registry/registry.h"

namespace yanglao::assess {

// How results are computed and how long they stay valid (settings; see
// docs/assessment.md for the defaults and why).
struct RecordSettings {
  ScoringRules rules;
  int validity_months = 12;  // 1..60
};

// The last day a result of `assessed_on` is valid.
CivilDate ValidUntil(CivilDate assessed_on, int validity_months);

// A stored assessment.
struct AssessmentRecord {
  int64_t id = 0;
  std::string id_number;
  std::string name;
  CivilDate assessed_on;
  Reason reason = Reason::kFirst;
  std::string assessor;
  std::string agency;
  std::string note;
  FormAnswers answers;
  std::array<int, kDimensionCount> subtotals{};
  int total = 0;
  int preliminary_level = 0;
  int final_level = 0;
  std::vector<std::string> adjustments;  // codes of the applied adjustments
  std::string rules;                     // ScoringRules::ToString() of the rules used
  CivilDate valid_until;
  int64_t feed_id = 0;  // the registry feed holding the facts it stated
  int row = 0;          // their row in it (the line of a batch file)
  CivilDate recorded_on;
};

struct RecordOutcome {
  bool already_recorded = false;  // the form (or batch file) was stored before
  int64_t feed_id = 0;
  int64_t first_id = 0;  // the first new assessment's number (or the existing one)
  int64_t assessments_added = 0;
  int64_t assessments_unchanged = 0;  // already recorded
  int64_t facts_added = 0;
  int64_t persons_added = 0;  // assessed people the registry did not know yet
  int64_t conflicts_added = 0;
};

// A JSON Lines batch file read whole: the forms and, if any line is bad,
// every problem (then nothing may be imported).
struct BatchFile {
  std::string file_name;
  std::string sha256;
  std::vector<FormDocument> forms;
  std::vector<int> lines;        // line of each form
  std::vector<Status> problems;  // the first max_problems of them
  size_t problem_count = 0;      // all of them
};

// Reads a batch file: one form per line (blank lines skipped), each with the
// header fields required. Fails only when the file cannot be read (io.open)
// or is not UTF-8 text; bad lines are collected in `problems`, at most
// `max_problems` of them.
Result<BatchFile> ReadBatchFile(const std::filesystem::path& path, CivilDate today,
                                size_t max_problems = 100);

// A request for re-assessment (GB/T 42195: 即时评估 or 复评): the person is
// due from `requested_on` until assessed on or after it.
struct AssessmentRequest {
  std::string id_number;
  CivilDate requested_on;
  std::string note;
};

class AssessmentStore {
 public:
  // A store over the registry's database; no I/O (the tables come from
  // AssessSchema() through db::MigrateAll at start-up). The registry must
  // outlive the store.
  explicit AssessmentStore(registry::Registry& registry) : registry_(registry) {}
  // The store, after bringing the assessment tables up to date (for callers
  // that have not run db::MigrateAll: the CLI's commands, tests).
  static Result<std::unique_ptr<AssessmentStore>> Open(registry::Registry& registry);

  // Records one form (its header required) and the facts it states, in one
  // transaction. `recorded_on` is the recorded-time date of the facts.
  Result<RecordOutcome> Record(const FormDocument& form, const RecordSettings& settings,
                               CivilDate recorded_on);
  // Imports a batch file without problems, all of it or nothing.
  Result<RecordOutcome> Import(const BatchFile& batch, const RecordSettings& settings,
                               CivilDate recorded_on);
  // Records a request for re-assessment; the same request twice changes
  // nothing. Fails with assess.id for an invalid ID number.
  Status Request(const AssessmentRequest& request, CivilDate recorded_on);

  // Every assessment of a person, oldest first.
  Result<std::vector<AssessmentRecord>> History(std::string_view id_number);
  // Open requests (no assessment on or after the request date, by `as_of`).
  Result<std::vector<AssessmentRequest>> OpenRequests(CivilDate as_of);
  // Calls `visit` for each assessment dated on or before `as_of` and
  // recorded on or before `known_on`, by person, then date, then number.
  Status ForEachAssessment(CivilDate as_of, CivilDate known_on,
                           const std::function<void(const AssessmentRecord&)>& visit);

  // The registry's checksum, then row counts and a SHA-256 of the
  // assessment tables (equal checksums: equal contents).
  Result<std::string> Checksum();

  registry::Registry& registry() { return registry_; }

 private:
  Result<RecordOutcome> Store(const std::vector<const FormDocument*>& forms,
                              const std::vector<int>& rows, const std::string& origin,
                              const std::string& key, const RecordSettings& settings,
                              CivilDate recorded_on);

  registry::Registry& registry_;
};

// The assessment tables' migrations, in order (version = index + 1).
const std::vector<std::string>& AssessMigrations();
// The module's tables for db::MigrateAll ("assess").
db::ModuleSchema AssessSchema();

// The identity of a form's content: SHA-256 of its canonical JSON.
std::string FormKey(const FormDocument& form);

}  // namespace yanglao::assess

#endif  // YANGLAO_ASSESS_STORE_H_
