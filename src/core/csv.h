// A CSV reader (RFC 4180) for files from outside: department feeds, region
// tables, lists exported from spreadsheets.
//
// Accepts a UTF-8 byte-order mark, LF or CRLF line ends, quoted fields with
// embedded commas, line breaks and doubled quotes (""), and a missing final
// line end. Rejects, with the place (line:column, 1-based, columns counted in
// characters), an unterminated quoted field and a quote inside an unquoted field.
// Invalid UTF-8 is rejected too, so later stages can trust the text.
//
// Cost is linear in the text: each byte is looked at a bounded number of
// times, whatever the number of fields in a row. Limits (CsvLimits, below;
// beyond them a located error, the row is not returned):
//   csv.too_many_columns  more than 16,384 fields in a row (Excel's maximum)
//   csv.row_too_long      a row (with its quoted line breaks) over 1 MiB
//   csv.field_too_long    a field over 65,536 bytes
#ifndef YANGLAO_CORE_CSV_H_
#define YANGLAO_CORE_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/utf8.h"

namespace yanglao {

// The reader's limits; see above.
struct CsvLimits {
  size_t max_columns = 16'384;
  size_t max_row_bytes = size_t{1} << 20;
  size_t max_field_bytes = size_t{1} << 16;
};

struct CsvRow {
  int line = 0;                     // line where the row starts, 1-based
  std::vector<std::string> fields;  // unquoted values; field i is table column i + 1
};

// Reads rows one at a time from text that the caller keeps alive.
//
//   CsvReader reader(text, "streets.csv");
//   CsvRow row;
//   while (true) {
//     Result<bool> more = reader.Next(row);
//     if (!more.ok()) return more.status();   // located error
//     if (!*more) break;
//     ...
//   }
//
// Not thread-safe; one reader per text.
class CsvReader {
 public:
  // `name` is used as the file in error locations.
  CsvReader(std::string_view text, std::string name, CsvLimits limits = {});

  // Reads the next row into `row`; false at the end of the text. Blank lines
  // are skipped. After an error the reader stays at the failure.
  Result<bool> Next(CsvRow& row);

  const std::string& name() const { return name_; }

 private:
  Status Error(std::string code, std::string message, int line, int column) const;
  // The 1-based column (in characters) of byte `pos` of the line starting at
  // byte `line_start`: computed only for an error, so never in a loop.
  int ColumnAt(size_t line_start, size_t pos) const;

  std::string_view text_;
  std::string name_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  CsvLimits limits_;
};

// Checks that `header` has exactly the `expected` column names, in order.
// Fails with "csv.header" naming the first column that differs.
Status CheckCsvHeader(const CsvRow& header, const std::vector<std::string_view>& expected,
                      std::string_view file);

// `field` as a CSV field: quoted (with doubled quotes) when it holds a comma,
// a quote or a line break, as is otherwise.
std::string CsvEscape(std::string_view field);

}  // namespace yanglao

#endif  // YANGLAO_CORE_CSV_H_
