// Reading and writing the CSV files of `yanglao gen`'s module data (canteens,
// visits, the waitlist): the feeds written earlier in the same run are read
// back as rows keyed by their header, and each module's files written whole.
#ifndef YANGLAO_GEN_CSV_IO_H_
#define YANGLAO_GEN_CSV_IO_H_

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::gen {

using CsvFields = std::map<std::string, std::string>;

// Each row of `file` as a map from header (a UTF-8 BOM dropped) to value,
// with its line; stops at the first error `on_row` returns.
Status ReadCsvRows(const std::filesystem::path& file,
                   const std::function<Status(const CsvFields&, int line)>& on_row);
Status ReadCsvRows(const std::filesystem::path& file,
                   const std::function<void(const CsvFields&)>& on_row);

// A person of a generated city's feeds, for the modules' synthetic data:
// alive in 公安.csv (a death row removes the person) with an 18-character ID
// and a residence of at least a county (12 digits: the community; some rows
// name only the street), and what 民政.csv says of them.
struct FeedElder {
  std::string id, name, residence;
  CivilDate birth;  // from the ID number (性别 and 出生日期 restate it)
  bool dibao = false, tekun = false;
  bool alone = false, empty_nest = false, left_behind = false, dependent = false;
};

// The people aged `min_age` or more on `on` in feeds_dir/公安.csv (its read
// error if it cannot be read), with 民政.csv's flags when that file exists;
// by ID.
Result<std::map<std::string, FeedElder>> ReadFeedElders(const std::filesystem::path& feeds_dir,
                                                        CivilDate on, int min_age = 60);

// Writes `text` to `path` (error gen.io naming the file).
Status WriteTextFile(const std::filesystem::path& path, const std::string& text);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_CSV_IO_H_
