// Reading and writing the CSV files of `yanglao gen`'s module data (canteens,
// visits, the waitlist): the feeds written earlier in the same run are read
// back as rows keyed by their header, and each module's files written whole.
#ifndef YANGLAO_GEN_CSV_IO_H_
#define YANGLAO_GEN_CSV_IO_H_

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "core/status.h"

namespace yanglao::gen {

using CsvFields = std::map<std::string, std::string>;

// Each row of `file` as a map from header (a UTF-8 BOM dropped) to value,
// with its line; stops at the first error `on_row` returns.
Status ReadCsvRows(const std::filesystem::path& file,
                   const std::function<Status(const CsvFields&, int line)>& on_row);
Status ReadCsvRows(const std::filesystem::path& file,
                   const std::function<void(const CsvFields&)>& on_row);

// Writes `text` to `path` (error gen.io naming the file).
Status WriteTextFile(const std::filesystem::path& path, const std::string& text);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_CSV_IO_H_
