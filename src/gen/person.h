// One block of people and their feed rows (internal to src/gen).
#ifndef YANGLAO_GEN_PERSON_H_
#define YANGLAO_GEN_PERSON_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gen/city_model.h"
#include "gen/feeds.h"

namespace yanglao::gen {

// The kinds of bad rows --dirty writes (see DirtyRow in generator.h).
enum class DirtyKind : uint8_t {
  kCheckChar,       // the ID's check character is wrong
  kImpossibleDate,  // 起始日期 is a day that does not exist (2023-02-30)
  kUnknownRegion,   // 居住地 is a code not in the region table
  kEmptyName,       // 姓名 is empty
  kYesNoAsHave,     // a 是/否 cell written 有/无
  kDuplicateRow,    // the row repeats the one before it
  kOldId15,         // a 15-digit ID (valid: the importer converts it)
  kSexMismatch,     // 性别 contradicts the ID number
};
// Stable code ("check_char" ...) and Chinese description.
std::string_view DirtyKindCode(DirtyKind kind);
std::string_view DirtyKindText(DirtyKind kind);

// A bad row as written in a block, before line numbers are known.
struct BlockDirty {
  int department = 0;
  int64_t row = 0;  // 0-based data row within the block's text of that file
  int column = -1;  // template column, -1 for the whole row
  DirtyKind kind = DirtyKind::kCheckChar;
  std::string value;
};

// Counts of the true population of a block (see GenSummary).
struct BlockStats {
  int64_t people = 0, deaths = 0, aged_60_plus = 0, aged_65_plus = 0, aged_80_plus = 0,
          aged_100_plus = 0, urban = 0, dibao = 0, tekun = 0, disabled = 0;
  void Add(const BlockStats& o);
};

// The rows of one block, per department file, in person order.
struct BlockOutput {
  std::array<std::string, kDepartmentCount> text;
  std::array<int64_t, kDepartmentCount> rows{};
  std::vector<BlockDirty> dirty;
  BlockStats stats;

  void Clear();
};

// Generates the people of `block` (see PlanBlocks) into `out`, which is
// cleared first. Depends only on the model and the block, so blocks may be
// generated on any thread in any order.
void GenerateBlock(const CityModel& model, const BlockStart& block, BlockOutput& out);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_PERSON_H_
