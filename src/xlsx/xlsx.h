// Reading and writing .xlsx workbooks (Office Open XML spreadsheets) for
// department feeds, import reports and templates.
//
// The reader turns the first worksheet into a table of text cells, each cell
// as the text a person sees in Excel; the writer writes tables of text cells.
// Neither evaluates formulas (the reader uses the value Excel cached with the
// formula) or keeps formatting beyond what is described below.
//
// Errors (stable codes; messages in Chinese; the location's file is the path
// or the name given for the bytes):
//   xlsx.open          the file cannot be opened or read
//   xlsx.zip           not a zip archive, or a corrupt one (an .xls file, a
//                      renamed CSV, a truncated download, a damaged entry)
//   xlsx.xml           a part of the workbook is not well-formed XML or holds
//                      an impossible value (the part is named in the message
//                      and is the location's value), or cell text that is not
//                      valid UTF-8
//   xlsx.no_sheet      no workbook or no worksheet in the archive
//   xlsx.shared_string a cell refers to a shared string that does not exist
//                      (line = row, column = column number, value = "B12")
//   xlsx.too_large     the workbook is beyond the reader's limits (below)
//   xlsx.write         the writer could not write the file
//
// Thread-safety: every function is safe to call concurrently; none keeps
// state between calls.
#ifndef YANGLAO_XLSX_XLSX_H_
#define YANGLAO_XLSX_XLSX_H_

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace yanglao::xlsx {

// One worksheet as a table of text cells.
struct Sheet {
  std::string name;                            // sheet name as in the workbook
  std::vector<std::vector<std::string>> rows;  // row-major; rows[0] is spreadsheet row 1

  friend bool operator==(const Sheet&, const Sheet&) = default;
};

// Reads the first worksheet (the first in the workbook's tab order, hidden or
// not; chart sheets are skipped) of the workbook at `path`.
//
// Every cell becomes the text a person sees:
//   - shared and inline strings as they are (rich text runs joined, phonetic
//     guides left out, Excel's _xHHHH_ escapes decoded);
//   - numbers without a spurious ".0": a stored integer keeps all its digits
//     (an ID number stored as a number is not turned into 1.1e17; note that
//     Excel itself keeps only 15 significant digits of a number typed in, so
//     an 18-digit ID entered as a number has already lost its last digits in
//     the file); other numbers are rounded to 15 significant digits, as Excel
//     shows them; numbers beyond 30 integer digits or below 1e-20 are given
//     as stored;
//   - booleans as "TRUE" / "FALSE", error values as stored ("#N/A");
//   - numbers whose number format is a date (built-in formats 14-17, 22, the
//     Chinese built-in date formats 27-31, 36, 50-54, 57, 58, and custom
//     formats with y or d, or with m but no h or s) as "YYYY-MM-DD", from the
//     serial day number in the workbook's date system (1900, with Excel's
//     phantom 1900-02-29 as serial 60; or 1904); the time of day is dropped;
//     serials that are no date in 1..9999 stay numbers;
//   - numbers whose format is only a time of day (built-in 18-21, 32-35, 45,
//     47, 55, 56, custom formats with h or s but no y, d or m) as "HH:MM:SS";
//   - formula cells as their cached value; cells without a value as "".
// Rows follow the <row r="..."> numbers (missing rows are empty rows) and
// cells their column references, with gaps filled with "", so rows[i] is
// spreadsheet row i + 1 and rows[i][j] is column j + 1. Trailing empty cells
// of a row and trailing empty rows are left out.
//
// Limits (beyond them: xlsx.too_large): 512 MiB of uncompressed XML for the
// worksheet part and for the shared strings part (checked against the sizes
// the archive declares and again while decompressing), 64 MiB for each other
// part read (workbook, relationships, styles), row numbers up to 2,000,000,
// column numbers up to 16,384, 8,000,000 cells in the table (counting the
// "" that fill gaps: a row with one cell at column XFD fills 16,383, so a
// small file of such rows is refused rather than taking gigabytes; the table
// costs at most some 256 MiB) and 1 GiB of cell text. Large sheets are read
// with ReadSheetRows, whose rows are sparse.
// Never crashes, hangs or asserts on any bytes; memory use is bounded by the
// limits above. The worksheet is parsed a batch of rows at a time, so memory
// is about the uncompressed worksheet XML plus the table (some 32 bytes a
// cell, plus text longer than 15 bytes).
Result<Sheet> ReadFirstSheet(const std::filesystem::path& path);

// The same for a workbook held in `bytes`; `name_for_errors` is the file in
// error locations.
Result<Sheet> ReadFirstSheetFromMemory(std::string_view bytes, const std::string& name_for_errors);

// How a cell was stored, for readers that must not trust a number's digits
// (an ID number typed into a number cell has lost its last ones).
enum class CellType {
  kText,            // a shared, inline or formula string
  kNumber,          // a number shown as a number (text as ReadFirstSheet gives it)
  kDate,            // a number with a date or time format (text YYYY-MM-DD / HH:MM:SS)
  kBool,            // TRUE / FALSE
  kError,           // #N/A ...
  kFormulaNoValue,  // a formula whose value was never calculated and cached (text "")
};

struct Cell {
  int column = 0;  // 1-based
  CellType type = CellType::kText;
  std::string text;  // as ReadFirstSheet shows it
  std::string raw;   // a number as stored ("4.2138119620622E+17"); else empty
};

// One row of a worksheet, sparse: only the cells that hold something (or a
// formula without a value), in column order.
struct SheetRow {
  int number = 0;  // spreadsheet row number, 1-based
  bool hidden = false;
  std::vector<Cell> cells;
};

struct SheetInfo {
  std::string name;
  bool hidden = false;  // state="hidden" or "veryHidden"
};

// The worksheets of the workbook in `bytes`, in tab order (chart sheets left
// out). Fails as ReadFirstSheet.
Result<std::vector<SheetInfo>> ListSheets(std::string_view bytes,
                                          const std::string& name_for_errors);

// Calls `on_row` for each row of worksheet `index` (of ListSheets) holding a
// cell, in order, until it returns false. Memory is the worksheet's XML plus
// one batch of rows (the rows are sparse, whatever their columns); limits as
// ReadFirstSheet except the table limits, which the caller applies.
Status ReadSheetRows(std::string_view bytes, const std::string& name_for_errors, size_t index,
                     const std::function<bool(const SheetRow&)>& on_row);

// Writes a workbook with `sheets` in order to `path`, replacing any file
// there. In each sheet the first row is the header: bold, frozen (stays in
// view while scrolling). Columns are sized to their content roughly (a
// Chinese character counts as two), and every column is formatted as text,
// so values typed in later (into a template) keep their digits too.
// All cells are written as strings, never numbers, so ID numbers and codes
// keep their digits; empty strings are left as blank cells.
// An empty sheet name becomes "Sheet1", "Sheet2", ... by position; no sheets
// at all gives a workbook with one empty sheet.
// The file appears complete or not at all (written beside it, then renamed);
// row data waits in the system's temporary directory meanwhile.
// Fails with xlsx.write when a sheet name is not allowed by Excel (over 31
// characters, one of []:*?/\ , or a duplicate), a sheet has more than
// 1,048,576 rows or 16,384 columns, a cell has more than 32,767 characters or
// is not valid UTF-8 (location: the sheet name as field, row, column and cell
// reference), or the file cannot be written.
Status WriteWorkbook(const std::filesystem::path& path, const std::vector<Sheet>& sheets);

// "A1"-style reference of a 1-based row and column: CellRef(12, 2) == "B12",
// CellRef(1, 28) == "AB1". A column below 1 has no letters; the row is
// printed as given.
std::string CellRef(int row, int column);

}  // namespace yanglao::xlsx

#endif  // YANGLAO_XLSX_XLSX_H_
