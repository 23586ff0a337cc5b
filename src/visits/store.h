// Visiting care's records (tables visits_*, module sequence "visits":
// VisitsSchema()): visitors attached to a unit, assignments of older people
// to visitors, each month's roster as computed at the month's start (kept, so
// the month's rate is reproducible from the logs whatever the registry says
// later), and the visit log with findings.
//
// A visit carries the idempotency id its phone made (client_id): recording
// it again (the phone syncing its offline queue twice) changes nothing and
// returns the stored visit. Writes are one transaction each.
#ifndef YANGLAO_VISITS_STORE_H_
#define YANGLAO_VISITS_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "db/database.h"
#include "db/migrate.h"
#include "visits/policy.h"
#include "visits/roster.h"

namespace yanglao::visits {

// The module's tables (both dialects).
db::ModuleSchema VisitsSchema();

// Kinds of visit (措施4“上门走访、电话探访、结对帮扶、邻里互助”).
bool IsVisitKind(std::string_view kind);  // 上门 电话 结对 邻里
// Kinds of visitor.
bool IsVisitorKind(std::string_view kind);  // 网格员 社工 志愿者 结对亲属邻里 老年协会 其他
// Finding categories and their names: health 健康, safety 安全,
// living 居住生活, mood 情绪, needs 需求.
bool IsFindingCategory(std::string_view key);
std::string_view FindingName(std::string_view key);

struct Visitor {
  int64_t id = 0;
  std::string code;  // the unit's own number, unique ("EZ-V-001")
  std::string name;
  std::string kind;  // IsVisitorKind
  std::string unit;  // region code of the 社区/村 or 街道 it works in
  std::string phone;
  bool active = true;
};

struct Finding {
  std::string category;  // IsFindingCategory
  std::string text;
};

// Referrals a visit raises (措施：发现风险及时转介): request an ability
// assessment, suggest meal aid, suggest a wristband, urgent help. Tracked
// until closed.
bool IsReferralKind(std::string_view kind);  // assessment meal_aid wristband urgent
std::string_view ReferralName(
    std::string_view kind);  // 申请能力评估 建议助餐 建议配发手环 紧急救助

struct ReferralRequest {
  std::string kind;  // IsReferralKind
  std::string note;
};

struct Referral {
  int64_t id = 0, visit_id = 0;
  std::string id_number, region, kind, note;
  std::string status;  // open closed
  std::string opened_on, closed_on, closed_by, outcome;
};

struct VisitRequest {
  std::string client_id;  // made by the phone, 8..64 characters [A-Za-z0-9_-]
  std::string id_number;
  int64_t visitor_id = 0;
  std::string kind;        // IsVisitKind
  std::string visited_on;  // YYYY-MM-DD
  std::string note;
  std::vector<Finding> findings;
  std::vector<ReferralRequest> referrals;
  std::string recorded_by;  // account
};

struct Visit {
  int64_t id = 0;
  std::string client_id, id_number;
  int64_t visitor_id = 0;
  std::string kind, visited_on, note, recorded_by, recorded_on;
  std::vector<Finding> findings;
  bool already_recorded = false;  // the client id was stored before
};

enum class DueState { kNotDue, kDue, kOverdue };
std::string_view DueStateName(DueState s);  // 未到期 应探访 已逾期

struct DueEntry {
  std::string id_number, region, tier;
  int rank = 0;
  int every_days = 30;
  std::string last_visit;  // YYYY-MM-DD, "" never
  std::string due_on;      // YYYY-MM-DD
  DueState state = DueState::kNotDue;
  int days_overdue = 0;
  bool escalate = false;  // overdue at least the policy's escalate_after_days
  std::string event;      // the policy event that brought the due date forward, "" none
  std::string event_on;   // its date
};

// A visitor's load: the people assigned to them on the month's roster and
// the visits those people need in a month (30 / every_days, in tenths).
struct Workload {
  Visitor visitor;
  int64_t people = 0;
  int64_t load_tenths = 0;                                // visits needed per month x 10
  int64_t visited = 0;                                    // of the people, visited in the month
  std::vector<std::pair<std::string, int64_t>> assigned;  // id number, load in tenths
};

// A suggested move of one person from a busy visitor to a light one of the
// same unit (the street supervisor decides).
struct Rebalance {
  std::string id_number;
  int64_t from_visitor = 0, to_visitor = 0;
  std::string from_code, to_code;
};

// Moves that bring each unit's visitors towards the unit's mean load: from
// the busiest to the lightest, while the move narrows the gap (at most
// `limit` moves).
std::vector<Rebalance> SuggestRebalance(std::vector<Workload> loads, size_t limit = 50);

enum class RateLevel { kCommunity, kStreet, kCounty, kCity };
// Digits of a natural region code at the level: 12, 9, 6, 4.
size_t LevelDigits(RateLevel level);
std::optional<RateLevel> RateLevelOf(std::string_view key);  // community street county city

struct RateRow {
  std::string unit;        // natural region code at the level
  int64_t roster = 0;      // on the roster at the month's start
  int64_t visited = 0;     // visited at least once in the month
  int64_t documented = 0;  // not visited, but died or moved away during the month (recorded)
  // (visited + documented) / roster, in hundredths of a percent (9523 = 95.23%).
  int64_t rate_bp() const { return roster == 0 ? 0 : (visited + documented) * 10000 / roster; }
};

struct SaveResult {
  int64_t people = 0;
  int64_t joined = 0;  // not on the previous month's roster
  int64_t left = 0;    // on the previous month's, not on this one
};

class VisitsStore {
 public:
  explicit VisitsStore(db::Database& db) : db_(db) {}

  // Adds a visitor or updates the one with the same code; returns its id.
  // Fails with visits.visitor (field, value) on an unknown kind or an empty
  // code or name.
  Result<int64_t> PutVisitor(const Visitor& v);
  Result<std::vector<Visitor>> Visitors(std::string_view unit_prefix);
  Result<std::optional<Visitor>> FindVisitorByCode(std::string_view code);

  // Assigns a person to a visitor (again: nothing changes). Fails with
  // visits.not_found for an unknown visitor.
  Status Assign(int64_t visitor_id, std::string_view id_number, std::string_view since);
  Status Unassign(int64_t visitor_id, std::string_view id_number);
  Result<std::vector<std::string>> AssignedTo(int64_t visitor_id);
  Result<bool> IsAssigned(int64_t visitor_id, std::string_view id_number);

  // Stores the month's roster, replacing one stored before for that month
  // (entries' left_on and left_reason kept for people still on it).
  Result<SaveResult> SaveRoster(const Roster& roster);
  Result<std::vector<RosterEntry>> RosterOf(Month month, std::string_view region_prefix = "");
  // Records that a person on the month's roster died or moved away on `on`
  // (a date in the month): counted as documented in the month's rate. Fails
  // with visits.not_found, visits.bad_date.
  Status MarkLeft(Month month, std::string_view id_number, std::string_view on,
                  std::string_view reason);

  // Records a visit, or returns the one stored with its client id. Fails
  // with visits.visit (field, value) on a bad kind, date, finding category
  // or client id, visits.not_found for an unknown visitor.
  Result<Visit> RecordVisit(const VisitRequest& request, CivilDate recorded_on);
  Result<std::optional<Visit>> FindVisit(std::string_view client_id);
  // A person's visits, newest first (at most `limit`).
  Result<std::vector<Visit>> VisitsOf(std::string_view id_number, int limit = 100);

  // Due and overdue on `as_of` for the roster of as_of's month (within
  // `region_prefix`; only the people assigned to `visitor_id` when given),
  // sorted by tier (highest risk first), then days overdue (most first),
  // then ID number.
  Result<std::vector<DueEntry>> DueList(const VisitPolicy& policy, CivilDate as_of,
                                        std::string_view region_prefix = "",
                                        std::optional<int64_t> visitor_id = std::nullopt);

  // A person's event calling for a visit within the policy's days (an id
  // of policy.events: hospital_discharge, bereavement, alarm) on `on`.
  // Fails with visits.event (field, value).
  Status RecordEvent(const VisitPolicy& policy, std::string_view id_number, std::string_view kind,
                     std::string_view on, std::string_view recorded_by);

  // Referrals within `region_prefix` ("" all), `status` "" for all, newest
  // first.
  Result<std::vector<Referral>> Referrals(std::string_view region_prefix, std::string_view status);
  Result<std::optional<Referral>> FindReferral(int64_t id);
  // Closes an open referral with its outcome. Fails with visits.not_found,
  // visits.referral (already closed, empty outcome).
  Status CloseReferral(int64_t id, std::string_view outcome, std::string_view by, CivilDate on);

  // Workload of the visitors of `unit_prefix` for `month`'s roster.
  Result<std::vector<Workload>> Workloads(Month month, std::string_view unit_prefix);

  // The monthly visit rate per unit at `level` within `region_prefix`,
  // ordered by unit: visited at least once in the month (or documented as
  // died or moved away in it) / on the roster at the month's start.
  Result<std::vector<RateRow>> Rates(Month month, RateLevel level,
                                     std::string_view region_prefix = "");

 private:
  db::Database& db_;
};

}  // namespace yanglao::visits

#endif  // YANGLAO_VISITS_STORE_H_
