// The waitlist's state as a pure function of its event log, and the queue:
// every waiting applicant's position with the rule trace that puts them
// there. The store (waitlist/store.h) keeps the same state in tables; a test
// replays the log and compares, so a position can always be explained by
// the events that made it.
#ifndef YANGLAO_WAITLIST_QUEUE_H_
#define YANGLAO_WAITLIST_QUEUE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "policy/fact_schema.h"
#include "waitlist/rules.h"

namespace yanglao::waitlist {

// 申请 → (assess) 轮候 → (accept) 入住; 放弃 after the city's refusal rule;
// 撤回. 评估: the assessment expired while waiting, back for re-assessment
// (a new valid assessment puts it into the queue again, waiting time kept).
enum class AppStatus { kApplied, kAssessing, kWaiting, kAdmitted, kGaveUp, kWithdrawn };
std::string_view StatusCode(AppStatus s);   // "applied" …
std::string_view StatusLabel(AppStatus s);  // "申请" …
std::optional<AppStatus> StatusFromCode(std::string_view code);

// Bed types: 普通, 护理型, 认知障碍照护专区 (the names the rules' `beds` use).
struct Bed {
  std::string id;
  std::string institution;
  std::string type;
  int64_t occupant = 0;    // application admitted to it; 0: vacant
  int64_t offered_to = 0;  // application holding an open offer of it; 0: none
  // Applications that refused it since it was last freed: not offered it
  // again for this vacancy.
  std::vector<int64_t> refused;
};

struct Application {
  int64_t id = 0;
  std::string person;  // ID number
  std::string name;
  std::string bed_type;                   // the bed type applied for
  bool willing = false;                   // willing to be 集中供养 (特困)
  std::vector<std::string> institutions;  // preferred; empty: any
  CivilDate applied_on;                   // the application's date
  CivilDate since;                        // waiting counts from here (applied_on, or
                                          // the last refusal under a restart rule)
  std::string county;                     // GB/T 2260 county of residence ("" unknown)
  policy::PersonFacts facts;              // as assessed (empty before assessment)
  std::optional<CivilDate> valid_until;   // the capability assessment's last valid day
  AppStatus status = AppStatus::kApplied;
  int refusals = 0;
  std::string offered_bed;  // open offer; empty: none
  // The class and tie-breaker under the rules, computed once when the facts
  // are set (ApplyEvent's assess, the store's Load; Classify) so that a
  // re-ranking does not evaluate the rules again; -1: not computed.
  int32_t klass = -1, tie = -1;
};
// Sets a.klass and a.tie from its facts and willingness.
void Classify(const WaitlistRules& rules, Application& a);

// One entry of the log. Kinds and their fields:
//   bed        bed, data "institution type"   a bed enters service
//   apply      application, data: see ApplyData
//   assess     application, data: FactsToText[|valid until]  assessed: into the queue
//   expire     application[, bed]              assessment expired: back to 评估
//              (an open offer is withdrawn with it)
//   offer      application, bed               a vacant bed offered
//   accept     application, bed               admitted
//   refuse     application, bed               offer refused
//   withdraw   application                    撤回
//   free       bed                            the bed's occupant left
struct Event {
  int64_t seq = 0;
  std::string kind;
  int64_t application = 0;
  std::string bed;
  CivilDate on;
  std::string data;
};

// "person|name|bed_type|willing(0/1)|inst1 inst2|county" (logs written
// before the county was kept have 5 parts)
std::string ApplyData(const Application& a);

struct State {
  std::map<int64_t, Application> applications;
  std::map<std::string, Bed> beds;
};

// Applies one event to `state` (the same transitions the store makes).
// Fails with waitlist.replay naming the event when it does not fit the state.
Status ApplyEvent(const WaitlistRules& rules, const Event& e, State& state);
// The state after every event of `log`, in order.
Result<State> Replay(const WaitlistRules& rules, const std::vector<Event>& log);

struct Position {
  int64_t application = 0;
  int position = 0;   // 1-based
  size_t klass = 0;   // index into rules.classes()
  size_t tie = 0;     // index into rules.tie_breakers(); size(): none
  std::string trace;  // "特困集中供养 · 能力等级（GB/T 42195）4 · 烈士遗属 · … · 轮候自 2026-01-05"
};

// The queue: the waiting applicants in order (class, then the rules'
// `order` keys, then application id), each with its trace.
std::vector<Position> Rank(const WaitlistRules& rules, const std::vector<const Application*>& apps);
std::vector<Position> Rank(const WaitlistRules& rules, const State& state);

// Whether `x` is ahead of `y` in the queue (both waiting), as Rank orders.
bool Ahead(const WaitlistRules& rules, const Application& x, size_t x_class, size_t x_tie,
           const Application& y, size_t y_class, size_t y_tie);

// The application a vacant bed goes to: the first in the queue without an
// open offer who applied for the bed's type, may take it under the rules and
// named its institution (or none). Nullopt when nobody. Filters first and
// then takes the minimum (no full sort): the same answer as the first
// eligible entry of Rank.
std::optional<int64_t> NextFor(const WaitlistRules& rules, const State& state, const Bed& bed);

// The public queue (信息公开): position, the name masked to its first
// character ("张**"), the class and the waiting date; no ID number, no
// facts. `bed_type` empty: every type.
struct PublicEntry {
  int position = 0;
  std::string name;
  std::string bed_type;
  std::string klass;
  std::string since;
};
std::vector<PublicEntry> PublicQueue(const WaitlistRules& rules, const State& state);
// "张三丰" -> "张**": the first character (UTF-8) and one * per other one.
std::string MaskName(std::string_view name);

}  // namespace yanglao::waitlist

#endif  // YANGLAO_WAITLIST_QUEUE_H_
