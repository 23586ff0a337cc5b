#include "server/entitle_service.h"

#include <fmt/format.h>
#include <pthread.h>

#include <set>

#include "policy/fact_schema.h"
#include "policy/rule_ast.h"
#include "server/access.h"
#include "server/live_state.h"
#include "server/schema.h"

namespace yanglao::server {

namespace {

// The facts an expression reads, through definitions and scaled parameters.
void CollectFacts(const policy::ServiceList& list, const policy::Expr* e,
                  std::set<std::string>& out, int depth = 0) {
  if (e == nullptr || depth > 64) return;
  const policy::FactSchema& schema = policy::FactSchema::Person();
  if (e->kind == policy::ExprKind::kName || e->kind == policy::ExprKind::kCall) {
    if (schema.Find(e->text)) {
      out.insert(e->text);
    } else if (const policy::Definition* d = list.FindDefinition(e->text)) {
      CollectFacts(list, d->expr.get(), out, depth + 1);
    } else if (const policy::Parameter* p = list.FindParameter(e->text); p && p->scale_slot) {
      out.insert(schema.at(*p->scale_slot).name);
    }
  }
  for (const policy::ExprPtr& a : e->args) CollectFacts(list, a.get(), out, depth + 1);
}

}  // namespace

std::vector<uint32_t> ItemGroups(const policy::ServiceList& list) {
  const std::vector<FieldGroup>& groups = FieldGroups();
  std::vector<uint32_t> out;
  for (const policy::Item& item : list.items) {
    std::set<std::string> facts;
    CollectFacts(list, item.eligibility.get(), facts);
    CollectFacts(list, item.benefit.amount.get(), facts);
    CollectFacts(list, item.benefit.percent.get(), facts);
    uint32_t bits = 0;
    for (const std::string& f : facts) {
      if (const FieldGroup* g = GroupOfFact(f)) bits |= 1u << (g - groups.data());
    }
    out.push_back(bits);
  }
  return out;
}

ServedList LoadServedList(std::string name, std::filesystem::path file,
                          std::filesystem::path params) {
  ServedList l;
  l.name = std::move(name);
  l.file = std::move(file);
  l.params = std::move(params);
  l.version = entitle::LoadListVersion(l.file, l.params);
  l.item_groups = ItemGroups(l.list());
  return l;
}

Withholding::Withholding(const Principal& user) {
  for (const FieldGroup* g : HiddenGroups(user)) hidden_ |= 1u << (g - FieldGroups().data());
}

bool Withholding::HidesFact(std::string_view fact) const {
  const FieldGroup* g = GroupOfFact(fact);
  return g != nullptr && (hidden_ & (1u << (g - FieldGroups().data()))) != 0;
}

bool Withholding::HidesItem(const std::vector<uint32_t>& item_groups, size_t index) const {
  if (hidden_ == 0) return false;
  return index >= item_groups.size() || (item_groups[index] & hidden_) != 0;
}

bool Withholding::HidesItem(const ServedList* list, std::string_view number) const {
  if (hidden_ == 0) return false;
  if (list == nullptr) return true;
  const auto& items = list->list().items;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].number == number) return HidesItem(list->item_groups, i);
  }
  return true;  // an item the list does not know: nothing says it is safe
}

std::optional<std::vector<std::string>> Withholding::WithheldItems(const ServedList* list) const {
  std::vector<std::string> out;
  if (hidden_ == 0) return out;
  if (list == nullptr) return std::nullopt;
  const auto& items = list->list().items;
  for (size_t i = 0; i < items.size(); ++i) {
    if (HidesItem(list->item_groups, i)) out.push_back(items[i].number);
  }
  return out;
}

std::vector<std::string> Withholding::HiddenGroupKeys() const {
  std::vector<std::string> out;
  const std::vector<FieldGroup>& groups = FieldGroups();
  for (size_t i = 0; i < groups.size(); ++i) {
    if (hidden_ & (1u << i)) out.push_back(groups[i].key);
  }
  return out;
}

std::string_view JobStateKey(JobState s) {
  switch (s) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kFailed:
      return "failed";
  }
  return "failed";
}

std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued:
      return "排队中";
    case JobState::kRunning:
      return "运行中";
    case JobState::kDone:
      return "已完成";
    case JobState::kFailed:
      return "失败";
  }
  return "失败";
}

EntitleService::EntitleService(std::string db_url, const std::map<std::string, ServedList>& lists,
                               int nice)
    : db_url_(std::move(db_url)),
      lists_(lists),
      nice_(nice),
      worker_([this](std::stop_token stop) { Work(stop); }) {}

EntitleService::~EntitleService() {
  worker_.request_stop();
  { std::lock_guard lock(mu_); }  // the worker is waiting or will see the request
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

RunJob EntitleService::Start(const std::string& list, Month month,
                             std::optional<CivilDate> known_on, bool replace,
                             const std::string& username, CivilDate today) {
  std::lock_guard lock(mu_);
  for (const auto& [id, job] : jobs_) {
    if (job.list == list && job.month == month &&
        (job.state == JobState::kQueued || job.state == JobState::kRunning))
      return job;
  }
  // Keep the last kKeptJobs finished jobs (the runs themselves are stored).
  constexpr size_t kKeptJobs = 1000;
  for (auto it = jobs_.begin(); jobs_.size() >= kKeptJobs && it != jobs_.end();) {
    bool finished = it->second.state == JobState::kDone || it->second.state == JobState::kFailed;
    it = finished ? jobs_.erase(it) : std::next(it);
  }
  RunJob job;
  job.id = next_job_++;
  job.list = list;
  job.month = month;
  job.known_on = known_on;
  job.today = today;
  job.replace = replace;
  job.username = username;
  job.created_at = UtcNow();
  jobs_[job.id] = job;
  queue_.push_back(job.id);
  cv_.notify_all();
  return job;
}

std::optional<RunJob> EntitleService::Job(int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

void EntitleService::WaitIdle() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void EntitleService::Work(std::stop_token stop) {
  // A run is batch work: this thread (the snapshot, the storing) and the
  // evaluation's threads run at the lower priority.
  pthread_setname_np(pthread_self(), "yl-run");
  (void)LowerThreadPriority(nice_);
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop.stop_requested() || !queue_.empty(); });
    if (stop.stop_requested()) return;
    int64_t id = queue_.front();
    queue_.pop_front();
    busy_ = true;
    RunJob job = jobs_[id];
    job.state = JobState::kRunning;
    job.started_at = UtcNow();
    jobs_[id] = job;
    lock.unlock();
    Execute(job);
    job.finished_at = UtcNow();
    lock.lock();
    jobs_[id] = job;
    busy_ = false;
    cv_.notify_all();
  }
}

void EntitleService::Execute(RunJob& job) {
  auto fail = [&](Status s) {
    job.state = JobState::kFailed;
    job.error = std::move(s);
  };
  auto list = lists_.find(job.list);
  if (list == lists_.end() || !list->second.version.loaded.ok()) {
    return fail(Status("list.not_found", fmt::format("没有可用的服务清单「{}」", job.list)));
  }
  try {
    if (registry_ == nullptr) {
      Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(db_url_);
      if (!reg.ok()) return fail(reg.status());
      registry_ = std::move(*reg);
      store_ = std::make_unique<entitle::RunStore>(*registry_);  // tables: App::Open
    }
    entitle::RunOptions options;
    options.known_on = job.known_on;
    options.replace = job.replace;
    options.today = job.today;
    options.nice = nice_;
    options.workspace = &workspace_;
    Result<entitle::RunOutcome> out =
        store_->Run(entitle::ListVersion{&list->second.list(), list->second.version.sha256},
                    job.month, options);
    if (!out.ok()) return fail(out.status());
    job.state = JobState::kDone;
    job.run = out->run;
    job.recomputed = out->recomputed;
    job.identical = out->identical;
    for (const entitle::Change& c : out->changes) {
      (c.kind == entitle::ChangeKind::kNew      ? job.new_count
       : c.kind == entitle::ChangeKind::kCeased ? job.ceased_count
                                                : job.changed_count)++;
    }
    job.snapshot_seconds = out->snapshot_seconds;
    job.evaluate_seconds = out->evaluate_seconds;
    job.store_seconds = out->store_seconds;
    job.nice = out->evaluation.worker_nice;
    workspace_ = std::move(out->evaluation);  // its memory, for the next run
  } catch (const std::exception& e) {
    // A lost connection and the like: start from a fresh one next time.
    store_.reset();
    registry_.reset();
    fail(Status("server.internal", fmt::format("核定运行失败：{}", e.what())));
  }
}

Result<std::shared_ptr<const policy::CompiledList>> EntitleService::Compiled(const ServedList& list,
                                                                             Month month) {
  std::lock_guard lock(cache_mu_);
  auto key = std::make_pair(list.name, month.ToString());
  auto it = compiled_.find(key);
  if (it != compiled_.end()) return it->second;
  Result<policy::CompiledList> c = policy::CompileList(list.list(), month.FirstDay());
  if (!c.ok()) return Status("entitle.compile", c.status().message(), c.status().where());
  auto shared = std::make_shared<const policy::CompiledList>(std::move(*c));
  compiled_.emplace(key, shared);
  return shared;
}

// The live snapshot (live_state.h): built on the first what-if of a list
// and month, then advanced by each feed's people rather than rebuilt.
Result<std::shared_ptr<const entitle::Snapshot>> EntitleService::SnapshotFor(
    registry::Registry& registry, const ServedList& list, Month month, CivilDate known_on) {
  return LiveSnapshotOf(registry, db_url_, list.list().jurisdiction, month.FirstDay(), known_on);
}

}  // namespace yanglao::server
