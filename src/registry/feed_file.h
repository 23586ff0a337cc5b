// Reading one department feed file (CSV in UTF-8 or GBK/GB18030, or an
// .xlsx workbook's sheet that has the template's header, whose row numbers
// are the spreadsheet's) into fact records, validating every row. A
// file-level fault (unreadable, no header) is a Status; row faults are
// collected (the first kMaxProblems of them), so a feed with bad rows can be
// returned to its department with its problems named. docs/registry-feeds.md
// says what is accepted: header aliases and notes, title rows, extra
// columns, dates, number cells, limits.
#ifndef YANGLAO_REGISTRY_FEED_FILE_H_
#define YANGLAO_REGISTRY_FEED_FILE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
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

// Row problems beyond this many are counted (problem_count), not kept.
inline constexpr size_t kMaxProblems = 10'000;

struct ParsedFeed {
  std::string source;
  std::string file_name;
  std::string sha256;    // of the file's bytes, hex
  std::string encoding;  // "UTF-8", "GB18030" (CSV) or "XLSX"
  std::string sheet;     // the worksheet read (XLSX)
  int data_rows = 0;
  std::vector<FactRecord> facts;  // empty when FeedOptions::sink took them
  std::vector<RowProblem> problems;
  int64_t problem_count = 0;  // all problems, also those past kMaxProblems
  // Notices for the summary: 15-digit IDs converted, title rows skipped,
  // columns ignored, hidden rows and sheets, names with dots normalised.
  std::vector<std::string> warnings;
};

// Progress of a long read: rows read so far, and how far into the file.
struct FeedProgress {
  int64_t rows = 0;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
};

struct FeedOptions {
  // When set, valid rows' facts are handed over in batches (about 50,000)
  // instead of collected in ParsedFeed::facts; a failure stops the read.
  std::function<Status(std::vector<FactRecord>&)> sink;
  // Called every 20,000 rows or so.
  std::function<void(const FeedProgress&)> progress;
};

// Reads a feed from the file's bytes: an .xlsx workbook when they are a zip
// archive, else CSV (UTF-8 or GB18030). The same checks as ReadFeedFile.
Result<ParsedFeed> ReadFeedBytes(std::string_view bytes, const std::string& file_name,
                                 std::string_view source, CivilDate today,
                                 const FeedOptions& options = {});

// Reads and validates `path` as a feed of `source` (民政 ...). `today` bounds
// dates (births, deaths) from above. Fails with feed.source (unknown
// department), io.open, csv.* / xlsx.* (unreadable), feed.header (missing,
// unknown or repeated columns, named).
Result<ParsedFeed> ReadFeedFile(const std::filesystem::path& path, std::string_view source,
                                CivilDate today);
// The same from CSV text already in memory.
Result<ParsedFeed> ReadFeedCsv(std::string_view text, const std::string& file_name,
                               std::string_view source, CivilDate today);

// A feed's rows from a table of cells (row-major; the header is found as in
// a file, title rows above it skipped);
// `line_of_row[i]` is the file line/row number of table row i.
Result<ParsedFeed> ReadFeedTable(const std::vector<std::vector<std::string>>& table,
                                 const std::vector<int>& line_of_row, const std::string& file_name,
                                 std::string_view source, CivilDate today);

// Hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_FEED_FILE_H_
