// What the server keeps for entitlement work between requests:
//
//   - monthly runs as jobs: a run of a whole city takes seconds to a minute
//     (most of it building the snapshot and storing the lines), so starting
//     one returns at once with a job number and one worker thread, with its
//     own registry connection, runs the jobs one after another. Asking for a
//     list and month already queued or running returns that job. Jobs live
//     in memory; the runs they make are stored (entitle::RunStore) and
//     outlive the process.
//   - compiled lists per (list, month), for the care advisor: compiling is
//     done once, each request only resolves the person and evaluates.
//   - snapshots for what-ifs come from the process's live state
//     (server/live_state.h): built once per (city, date, known-on day) and
//     advanced by the feeds imported since, person by person.
#ifndef YANGLAO_SERVER_ENTITLE_SERVICE_H_
#define YANGLAO_SERVER_ENTITLE_SERVICE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>

#include "core/civil_date.h"
#include "core/status.h"
#include "core/thread_priority.h"
#include "entitle/run.h"
#include "entitle/snapshot.h"
#include "policy/rule_plan.h"
#include "registry/registry.h"
#include "server/access.h"

namespace yanglao::server {

// A list the server serves: loaded with its demo parameters, its identity,
// and where it came from (what-ifs load a fresh copy to change).
struct ServedList {
  std::string name;  // file stem: "suizhou"
  std::filesystem::path file, params;
  entitle::LoadedListVersion version;
  // Per item (list order), the sensitive field groups its rules read, as
  // bits by index in FieldGroups() (access.h): through definitions and the
  // facts that scale parameters. An item is withheld from a reader who may
  // not see one of them, since its outcome would tell the hidden fact.
  std::vector<uint32_t> item_groups;
  const policy::ServiceList& list() const { return version.loaded.list; }
};

// Loads a served list and works out its items' field groups.
ServedList LoadServedList(std::string name, std::filesystem::path file,
                          std::filesystem::path params);

// Per item of `list` (list order), the field groups its rules read, as bits
// by index in FieldGroups(): through definitions and the facts that scale
// parameters (ServedList::item_groups; what-ifs work it out for a variant).
std::vector<uint32_t> ItemGroups(const policy::ServiceList& list);

// The one withholding rule for everything the server derives from the
// rules (issue #12): the care advisor, run lines, changes, totals, rolls,
// what-if examples and the assessment work list. An item whose rules read a
// fact of a group hidden from the reader is withheld: its outcome for a
// person (entitled or not, the amount, the reasons, the person's presence
// on its lines) would tell the hidden fact. Facts of hidden groups are left
// out wherever they would be shown.
class Withholding {
 public:
  explicit Withholding(const Principal& user);
  // The hidden groups as bits by index in FieldGroups(); 0: nothing hidden.
  uint32_t hidden_bits() const { return hidden_; }
  bool HidesFact(std::string_view fact) const;
  // Is item `index` (list order) of a list with these item groups withheld?
  bool HidesItem(const std::vector<uint32_t>& item_groups, size_t index) const;
  // Is item `number` of `list` withheld? With no list (a run whose list is
  // no longer served) every item is, unless nothing is hidden.
  bool HidesItem(const ServedList* list, std::string_view number) const;
  // The numbers of the withheld items of `list` (empty when nothing is
  // hidden); with no list, nullopt when something is hidden (withhold all).
  std::optional<std::vector<std::string>> WithheldItems(const ServedList* list) const;
  // Keys of the hidden groups ("income" ...).
  std::vector<std::string> HiddenGroupKeys() const;

 private:
  uint32_t hidden_ = 0;
};

enum class JobState { kQueued, kRunning, kDone, kFailed };
std::string_view JobStateKey(JobState s);   // "queued" "running" "done" "failed"
std::string_view JobStateName(JobState s);  // 排队中 运行中 已完成 失败

struct RunJob {
  int64_t id = 0;
  std::string list;  // served list name
  Month month;
  std::optional<CivilDate> known_on;  // default: today
  CivilDate today;                    // the server's today when started
  bool replace = false;
  std::string username;
  std::string created_at, started_at, finished_at;  // UTC
  JobState state = JobState::kQueued;
  // When done:
  entitle::RunRecord run;
  bool recomputed = false, identical = true;
  int64_t new_count = 0, ceased_count = 0, changed_count = 0;
  double snapshot_seconds = 0, evaluate_seconds = 0, store_seconds = 0;
  int nice = 0;  // the nice value the evaluation ran at (read on its threads)
  // When failed:
  std::optional<Status> error;
};

class EntitleService {
 public:
  // `lists` must outlive the service. Runs use a connection of their own,
  // opened on the first job.
  // The jobs run at nice value `nice` (see AppOptions::batch_nice).
  EntitleService(std::string db_url, const std::map<std::string, ServedList>& lists,
                 int nice = kBackgroundNice);
  ~EntitleService();  // finishes the job in progress, drops the queued ones

  // Queues a run (or returns the job of the same list and month queued or
  // running).
  RunJob Start(const std::string& list, Month month, std::optional<CivilDate> known_on,
               bool replace, const std::string& username, CivilDate today);
  std::optional<RunJob> Job(int64_t id) const;
  // Blocks until no job is queued or running (tests).
  void WaitIdle() const;

  // The list compiled for the first day of `month` (cached).
  Result<std::shared_ptr<const policy::CompiledList>> Compiled(const ServedList& list, Month month);

  // The snapshot of the registry for `list` as of the first day of `month`,
  // as known on `known_on` (the live state, advanced by new feeds).
  Result<std::shared_ptr<const entitle::Snapshot>> SnapshotFor(registry::Registry& registry,
                                                               const ServedList& list, Month month,
                                                               CivilDate known_on);

 private:
  void Work(std::stop_token stop);
  void Execute(RunJob& job);

  std::string db_url_;
  const std::map<std::string, ServedList>& lists_;
  const int nice_;
  entitle::Evaluation workspace_;  // the worker's result memory, kept across runs

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<int64_t, RunJob> jobs_;
  std::deque<int64_t> queue_;
  int64_t next_job_ = 1;
  bool busy_ = false;
  std::unique_ptr<registry::Registry> registry_;  // the worker's connection
  std::unique_ptr<entitle::RunStore> store_;

  std::mutex cache_mu_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const policy::CompiledList>>
      compiled_;

  std::jthread worker_;  // last: stops and joins first
};

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_ENTITLE_SERVICE_H_
