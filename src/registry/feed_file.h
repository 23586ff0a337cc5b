// Reading one department feed file (CSV in UTF-8, or an .xlsx workbook's
// first sheet, whose row numbers are the spreadsheet's) into fact
// records, validating every row. A file-level fault (unreadable, wrong
// header) is a Status; row faults are collected, all of them, so a feed
// with bad rows can be returned to its department with every problem named.
#ifndef YANGLAO_REGISTRY_FEED_FILE_H_
#define YANGLAO_REGISTRY_FEED_FILE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "registry/feed_template.h"

namespace yanglao::registry {

// One asserted fact: from row `row` of the feed, `fact` had `value` from
// valid_from until valid_to (inclusive; empty = still holds).
struct FactRecord {
  std::string id_number;
  std::string fact;
  std::string value;
  std::string valid_from;
  std::string valid_to;
  int row = 0;
};

// A row problem: where (row = spreadsheet row / CSV line, column number and
// header), the value, a stable code and a Chinese reason.
struct RowProblem {
  int row = 0;
  int column = 0;
  std::string header;
  std::string value;
  std::string code;
  std::string message;
};

struct ParsedFeed {
  std::string source;
  std::string file_name;
  std::string sha256;  // of the file's bytes, hex
  int data_rows = 0;
  std::vector<FactRecord> facts;
  std::vector<RowProblem> problems;
  std::vector<std::string> warnings;  // e.g. 15-digit IDs converted
};

// Reads and validates `path` as a feed of `source` (民政 ...). `today` bounds
// dates (births, deaths) from above. Fails with feed.source (unknown
// department), io.open, csv.* / xlsx.* (unreadable), feed.header (missing,
// unknown or repeated columns, named).
Result<ParsedFeed> ReadFeedFile(const std::filesystem::path& path, std::string_view source,
                                CivilDate today);
// The same from CSV text already in memory.
Result<ParsedFeed> ReadFeedCsv(std::string_view text, const std::string& file_name,
                               std::string_view source, CivilDate today);

// A feed's rows from a table of cells (row-major, first row the header);
// `line_of_row[i]` is the file line/row number of table row i.
Result<ParsedFeed> ReadFeedTable(const std::vector<std::vector<std::string>>& table,
                                 const std::vector<int>& line_of_row, const std::string& file_name,
                                 std::string_view source, CivilDate today);

// Hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_FEED_FILE_H_
