// Payment rolls (代发名册) of a stored run: one per cash item, filed under its
// lead department, as CSV and XLSX, each ending with a total line; and the
// summary a finance bureau needs (people and amount per county per item).
// The totals add up: every roll's total equals its item's lines in the
// summary, and the summary's grand total equals the run's.
#ifndef YANGLAO_ENTITLE_ROLLS_H_
#define YANGLAO_ENTITLE_ROLLS_H_

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "entitle/run.h"
#include "policy/service_list.h"
#include "registry/registry.h"

namespace yanglao::entitle {

// The rolls as tables (cells by row: a title row, a header row, the lines
// and a total line), for files or downloads.
struct RollTable {
  std::string item, name;
  std::string department;  // the item's lead department
  std::vector<std::vector<std::string>> rows;
  int64_t people = 0;
  int64_t total_fen = 0;
};

struct RollTables {
  std::vector<RollTable> rolls;                   // cash items, by item number
  std::vector<std::vector<std::string>> summary;  // people and amount per county per item
  int64_t people = 0;
  int64_t total_fen = 0;
};

// An item whose recipient is the family carer (recipient: family_carer) is
// paid to the carer 民政 has on record for the older person: its roll names
// the carer (name, ID number, relation) as the payee and the older person
// cared for (name, masked ID number) as the reason. A person without a
// carer on record is on the run's to-verify list, never on such a roll.
//
// The rolls of `run` (made with `list`) in memory. `keep`, when given,
// selects the lines (a user's data scope); `only_item`, when not empty, the
// one item wanted (the summary then covers that item alone).
Result<RollTables> BuildRolls(registry::Registry& registry, RunStore& store, const RunRecord& run,
                              const policy::ServiceList& list,
                              const std::function<bool(const RunLine&)>& keep = {},
                              std::string_view only_item = {});

struct RollFile {
  std::string item;
  std::string department;
  std::filesystem::path csv, xlsx;
  int64_t people = 0;
  int64_t total_fen = 0;
};

struct RollsOutcome {
  std::vector<RollFile> rolls;
  std::filesystem::path summary_csv, summary_xlsx;
  int64_t people = 0;     // entitlements in the rolls
  int64_t total_fen = 0;  // per the items' periods
};

// Writes the rolls of `run` (made with `list`) under `dir`:
//   dir/<department>/<item>-<name>.csv|.xlsx, dir/财政汇总.csv|.xlsx.
// Names come from the registry as known by the run. Files are written to
// temporary names and renamed, so a roll is whole or absent.
Result<RollsOutcome> WriteRolls(registry::Registry& registry, RunStore& store, const RunRecord& run,
                                const policy::ServiceList& list, const std::filesystem::path& dir);

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_ROLLS_H_
