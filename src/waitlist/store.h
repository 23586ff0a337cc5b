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

struct Institution {
  std::string id;
  std::string name;
  std::string ownership;  // 公办 | 公建民营 | 民办
  std::string county;     // GB/T 2260 code
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

  // Adds or replaces an institution. waitlist.institution on a bad ownership.
  Status PutInstitution(const Institution& i);
  // A bed enters service. waitlist.bed_type for a type the rules do not
  // name; waitlist.bed_exists (conflict) for a known id.
  Status AddBed(const std::string& id, const std::string& institution, const std::string& type,
                CivilDate on);
  // A new application (status 申请); returns its id.
  Result<int64_t> Apply(const Application& a);
  // The capability assessment's facts ("name=value …"): into the queue (轮候).
  Status Assess(int64_t application, const policy::PersonFacts& facts, CivilDate on);
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
