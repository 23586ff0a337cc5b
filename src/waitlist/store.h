// The waitlist's store: institutions, beds, applications and offers in the
// tables waitlist_institution, waitlist_bed, waitlist_application,
// waitlist_offer, and the log waitlist_event from which waitlist/queue.h
// reproduces them (migrations WaitlistSchema(), run by db::MigrateAll).
//
// Every change is one transaction that appends its event and updates the
// tables through the same transition as the replay (ApplyEvent). A bed is
// never offered or given twice: waitlist_offer.open_bed and
// waitlist_bed.occupant are UNIQUE, so of two allocations racing for one bed
// the second fails (waitlist.bed_taken) and leaves nothing behind.
#ifndef YANGLAO_WAITLIST_STORE_H_
#define YANGLAO_WAITLIST_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrate.h"
#include "waitlist/queue.h"
#include "waitlist/rules.h"

namespace yanglao::waitlist {

db::ModuleSchema WaitlistSchema();

// Bed types as the institutions' lists count them (and the rules' `beds`).
inline constexpr std::string_view kBedNormal = "普通";
inline constexpr std::string_view kBedNursing = "护理型";
inline constexpr std::string_view kBedDementia = "认知障碍照护专区";

struct Institution {
  std::string id;
  std::string name;
  std::string ownership;  // 公办 | 公建民营 | 民办
  std::string county;     // GB/T 2260 code
  int grade = 0;          // 等级评定 一级..五级 (1..5); 0: 未评定
  int64_t beds_normal = 0, beds_nursing = 0, beds_dementia = 0;
  int64_t rooms = 0;
  int64_t occupied = 0;  // residents (在住人数)
  bool tekun_care = false;  // 以失能特困人员专业照护为主的县级特困人员供养服务机构
  int64_t beds() const { return beds_normal + beds_nursing + beds_dementia; }
  friend bool operator==(const Institution&, const Institution&) = default;
};
// "一级" … "五级", "未评定".
std::string GradeLabel(int grade);
// Checks one institution's values (waitlist.institution naming the field).
Status CheckInstitution(const Institution& i);

struct ImportOutcome {
  int64_t added = 0, updated = 0, unchanged = 0;
};

struct Offer {
  int64_t application = 0;
  std::string bed;
  CivilDate offered_on;
  CivilDate deadline;
};

class WaitlistStore {
 public:
  // Does no I/O; the tables come from MigrateAll (or Open).
  WaitlistStore(db::Database& db, const WaitlistRules& rules) : db_(db), rules_(rules) {}
  // Migrates the module's tables, for the CLI and tests.
  static Status Migrate(db::Database& db);

  // Adds or replaces an institution. waitlist.institution on a bad value.
  Status PutInstitution(const Institution& i);
  // Adds or replaces all of `list` in one transaction (an import: all or
  // nothing).
  Result<ImportOutcome> PutInstitutions(const std::vector<Institution>& list);
  // A bed enters service. waitlist.bed_type for a type the rules do not
  // name; waitlist.bed_exists (conflict) for a known id.
  Status AddBed(const std::string& id, const std::string& institution, const std::string& type,
                CivilDate on);
  // A new application (status 申请); returns its id.
  Result<int64_t> Apply(const Application& a);
  // The capability assessment's facts: into the queue (轮候). `valid_until`:
  // the assessment's last valid day (assess::ValidUntil); an assessment
  // already expired on `on` fails with waitlist.assessment_expired.
  Status Assess(int64_t application, const policy::PersonFacts& facts, CivilDate on,
                std::optional<CivilDate> valid_until = std::nullopt);
  // Every waiting application whose assessment expired before `on` goes back
  // to 评估 (re-assessment), an open offer withdrawn with it. Returns them.
  Result<std::vector<int64_t>> ExpireAssessments(CivilDate on);
  // Every open offer whose deadline passed before `on` counts as refused
  // (the city's refusal rule follows). Returns the applications.
  Result<std::vector<int64_t>> LapseOffers(CivilDate on);
  // Open offers, by bed.
  Result<std::vector<Offer>> OpenOffers();
  Status Withdraw(int64_t application, CivilDate on);
  // The bed's occupant left: it is vacant.
  Status FreeBed(const std::string& bed, CivilDate on);
  // Offers the vacant bed to the next eligible applicant (NextFor), with a
  // deadline `days` later. Nullopt when nobody is eligible. Fails with
  // waitlist.bed_taken (conflict) when the bed is occupied or already
  // offered, including by an allocation that committed first.
  Result<std::optional<Offer>> Allocate(const std::string& bed, CivilDate on, int days = 7);
  // The applicant's answer to its open offer.
  Status Accept(int64_t application, CivilDate on);
  Status Refuse(int64_t application, CivilDate on);

  // The state as the tables hold it, and the log.
  Result<State> Load();
  Result<std::vector<Event>> Events();
  Result<std::vector<Institution>> Institutions();
  // The queue from the tables.
  Result<std::vector<Position>> Queue();

 private:
  // One transaction: load the state, apply `e` (seq assigned), write the
  // rows it touched and the event; `offer_deadline` for an offer.
  Status Record(Event e, std::optional<CivilDate> offer_deadline = std::nullopt,
                int64_t* seq_out = nullptr);

  db::Database& db_;
  const WaitlistRules& rules_;
};

}  // namespace yanglao::waitlist

#endif  // YANGLAO_WAITLIST_STORE_H_
