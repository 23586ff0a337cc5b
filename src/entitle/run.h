// Monthly entitlement runs (政策找人、免申即享, 动态管理).
//
// A run evaluates a list for the month M on the facts as of the first day of
// M (the rule of docs/entitlement.md; a list's own rule would replace it),
// as known on a recorded-time date K, counting feeds up to the latest one.
// It is stored with the list's identity and SHA-256 and with that registry
// state (as_of, known_on, feed watermark), so it can be computed again
// exactly. Compared with the list's previous run it yields the newly
// entitled, the ceased (with the reason) and changed amounts.
//
// A run is stored in one transaction: all its lines and changes, or nothing
// (a kill at any point leaves no partial run). There is one run per list and
// month: running a month again recomputes it from the stored state and
// checks that the result is identical, writing nothing; a different version
// of the list for a month already run is refused unless replacing.
#ifndef YANGLAO_ENTITLE_RUN_H_
#define YANGLAO_ENTITLE_RUN_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "db/migrate.h"
#include "db/query.h"
#include "entitle/engine.h"
#include "entitle/snapshot.h"
#include "policy/rule_plan.h"
#include "policy/service_list.h"
#include "registry/registry.h"

namespace yanglao::entitle {

// A list file with its parameter file applied, and the SHA-256 over both
// texts (the list's, then "\n" and the parameter file's when there is one):
// the identity a run is stored with. `params` may be empty.
struct LoadedListVersion {
  policy::LoadedList loaded;
  std::string sha256;
};
LoadedListVersion LoadListVersion(const std::filesystem::path& file,
                                  const std::filesystem::path& params);

// A list as run: its text identity and the list itself.
struct ListVersion {
  const policy::ServiceList* list = nullptr;
  std::string sha256;  // of the list file and its parameter file
};

struct RunRecord {
  int64_t id = 0;
  std::string list_code;  // the list's jurisdiction
  std::string list_title;
  std::string list_sha256;
  std::string month;  // YYYY-MM
  std::string as_of, known_on;
  int64_t feed_watermark = 0;
  int64_t previous_run = 0;  // 0: none
  int64_t people = 0;        // people in the snapshot
  int64_t lines = 0;         // (item, person) entitlements
  int64_t monthly_fen = 0;   // cash items paid monthly
  int64_t yearly_fen = 0;    // every cash item as a yearly equivalent
  std::string created_on;
  int64_t verify = 0;        // (item, person) to verify (待核实), on no roll
  int64_t residents = 0;     // people living in the jurisdiction; the others
                             // (people - residents) are covered by hukou only
  std::string lines_sha256;  // LinesDigest of the lines ("" for runs stored before it)
};

// One line of a run's to-verify list (待核实): the person qualifies for the
// item unless an unknown fact says otherwise.
struct VerifyLine {
  std::string item;
  std::string id_number;
  std::string facts;        // the facts to check, in Chinese, "、"-separated
  std::string departments;  // the departments holding them
  std::string county, street, community;
};

// How many (item, person) of a run's to-verify list an item has.
struct ItemCount {
  std::string item;  // item number
  int64_t count = 0;
};

struct RunLine {
  std::string item;  // item number
  std::string id_number;
  int64_t amount = 0;                     // fen per the item's period (cash)
  int64_t percent = 0;                    // discount items
  std::string county, street, community;  // region codes of the residence
};

enum class ChangeKind { kNew, kCeased, kChanged };
std::string_view ChangeKindName(ChangeKind k);  // "新增" "停发" "变更"
std::string_view ChangeKindKey(ChangeKind k);   // "new" "ceased" "changed" (as stored)

struct Change {
  ChangeKind kind = ChangeKind::kNew;
  std::string item;
  std::string id_number;
  int64_t old_amount = 0, new_amount = 0;
  std::string reason;  // Chinese
};

struct RunOutcome {
  RunRecord run;
  bool recomputed = false;      // the month had been run: recomputed, nothing written
  bool identical = true;        // when recomputed: same lines as stored
  std::string recomputed_next;  // a later month whose changes were recomputed against this run
  std::vector<Change> changes;
  Evaluation evaluation;
  Snapshot snapshot;
  double snapshot_seconds = 0, evaluate_seconds = 0, store_seconds = 0;
};

struct RunOptions {
  std::optional<CivilDate> known_on;  // default: today
  bool replace = false;               // replace a stored run made with another list version
  CivilDate today = CivilDate::Today();
  // Batch work beside requests (the server's run jobs): the evaluation runs
  // at this nice value (EvaluateOptions::nice); 0: as the caller.
  int nice = 0;
  // A result kept across runs: RunOutcome::evaluation is written into its
  // memory (moved from it); move the outcome's evaluation back into it for
  // the next run.
  Evaluation* workspace = nullptr;
};

// What a caller sees of a run's lines and changes: the conditions the store
// adds to its own queries (all values bound).
struct LineQuery {
  // The caller's data scope on a row whose residence code and ID number are
  // the SQL expressions given (the store names its own columns), e.g. the
  // server's RowScopeFilters; unset or empty: no restriction.
  std::function<std::vector<db::Filter>(std::string_view region_column, std::string_view id_column)>
      scope;
  std::vector<std::string> withheld_items;  // items left out
  bool no_items = false;                    // every item left out
  std::string item;                         // only this item ("" = every item)
  std::string region;  // lines only: residence at or below this region code ("" = all)
  std::string kind;    // changes only: "new", "ceased" or "changed" ("" = all)
};

struct ItemTotal {
  int64_t people = 0;  // lines
  int64_t amount = 0;  // fen, summed over the lines
};

struct LinePage {
  int64_t total = 0;  // lines in all pages
  std::vector<RunLine> lines;
};

// A change with the residence it is counted at: the line's, or for a
// ceased line the previous run's ("" when neither has one).
struct PlacedChange {
  Change change;
  std::string place;
};
struct ChangePage {
  int64_t total = 0;
  std::vector<PlacedChange> changes;
};

class RunStore {
 public:
  // A store over the registry's database; no I/O (the tables come from
  // EntitleSchema() through db::MigrateAll at start-up).
  explicit RunStore(registry::Registry& r) : registry_(r) {}
  // The store, after bringing the run tables up to date (for callers that
  // have not run db::MigrateAll: the CLI's commands, tests).
  static Result<std::unique_ptr<RunStore>> Open(registry::Registry& registry);

  // Runs `list` for `month`. Fails with "entitle.run_exists" for another
  // list version of a month already run (unless replacing), "entitle.compile"
  // when the list cannot be bound to the month.
  Result<RunOutcome> Run(const ListVersion& list, Month month, const RunOptions& options);

  Result<std::optional<RunRecord>> Find(std::string_view list_code, std::string_view month);
  Result<std::optional<RunRecord>> Get(int64_t run_id);
  Result<std::vector<RunRecord>> Runs(std::string_view list_code = "");
  // Lines in item, ID order.
  Result<std::vector<RunLine>> Lines(int64_t run_id);
  Result<std::vector<Change>> Changes(int64_t run_id);
  // The to-verify list, in item, ID order.
  Result<std::vector<VerifyLine>> Verify(int64_t run_id);
  // The to-verify count per item of a stored run (the run's summary; items
  // with none are left out), in item-number order (numerically: 2 before 10).
  Result<std::vector<ItemCount>> VerifyCounts(int64_t run_id);

  // --- Reads cut to a caller's view (LineQuery) ---------------------------
  // Lines and amounts per item.
  Result<std::map<std::string, ItemTotal>> ItemTotals(int64_t run_id, const LineQuery& q);
  // People to verify (待核实) per item, within the caller's view (scope and
  // withheld items; q.item and q.region narrow it further).
  Result<std::map<std::string, int64_t>> VerifyTotals(int64_t run_id, const LineQuery& q);
  // Changes against `run`'s previous run, counted by kind ("new" ...).
  Result<std::map<std::string, int64_t>> ChangeCounts(const RunRecord& run, const LineQuery& q);
  // One page of lines, in item, ID order, and the count of all.
  Result<LinePage> LinesPage(int64_t run_id, const LineQuery& q, const db::Page& page);
  // One page of changes, in item, ID order, and the count of all.
  Result<ChangePage> ChangesPage(const RunRecord& run, const LineQuery& q, const db::Page& page);
  // The lines of a run that `q` keeps, in item, ID order (the payment rolls
  // read only their cash items' lines).
  Result<std::vector<RunLine>> LinesIn(int64_t run_id, const LineQuery& q);

 private:
  registry::Registry& registry_;
};

// The run tables' migrations for a dialect ("sqlite" or "postgresql"):
// the same steps, some written in each dialect's SQL.
const std::vector<std::string>& EntitleMigrations(std::string_view dialect = "sqlite");
// The module's tables for db::MigrateAll ("entitle").
db::ModuleSchema EntitleSchema();

// The lines of an evaluation of `list` on `snap` (the items granted
// standing, not on an event or application), sorted by item and ID: what a
// run stores, before the once-only rule takes out the lines of items paid
// once already.
std::vector<RunLine> LinesOf(const policy::CompiledList& list, const Snapshot& snap,
                             const Evaluation& ev);

// A SHA-256 (hex) over `lines` in their order (item, ID), every field of
// each: stored with a run, it verifies a recomputation without reading the
// lines back.
std::string LinesDigest(const std::vector<RunLine>& lines);

// The changes from `before` (the previous calendar month's run) to `lines`
// (both sorted by item, ID) with their reasons from `snap`. Discount items
// change in their own unit: "优惠 30% → 40%" (old_amount/new_amount then
// hold the percents).
std::vector<Change> ComputeChanges(registry::Registry& registry,
                                   const policy::CompiledList& compiled, const Snapshot& snap,
                                   const std::vector<RunLine>& before,
                                   const std::vector<RunLine>& lines);

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_RUN_H_
