// Internals of the xlsx module shared by its sources and its tests; not part
// of the public API (see xlsx.h).
#ifndef YANGLAO_XLSX_XLSX_INTERNAL_H_
#define YANGLAO_XLSX_XLSX_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "xlsx/xlsx.h"

namespace yanglao::xlsx::internal {

// The reader's limits (see ReadFirstSheet); tests lower them to exercise the
// checks without large inputs.
struct ReadLimits {
  uint64_t max_sheet_part_bytes = uint64_t{512} << 20;  // worksheet, shared strings
  uint64_t max_other_part_bytes = uint64_t{64} << 20;   // workbook, relationships, styles
  int max_rows = 2'000'000;
  int max_columns = 16'384;
  uint64_t max_cells = 8'000'000;               // table slots, including "" filling gaps
  uint64_t max_text_bytes = uint64_t{1} << 30;  // sum of the cells' text
};

// ReadFirstSheetFromMemory with explicit limits.
Result<Sheet> ReadFirstSheetFromMemory(std::string_view bytes, const std::string& name_for_errors,
                                       const ReadLimits& limits);

// How a number format shows a number.
enum class NumberKind { kNumber, kDate, kTime };

// The kind of a built-in number format id (0-163); kNumber for ids that are
// neither dates nor times.
NumberKind BuiltInFormatKind(int id);
// The kind of a format code ("yyyy/m/d", "0.00", "h:mm"): only its first
// section counts; quoted text, escaped characters and [...] are ignored.
NumberKind FormatCodeKind(std::string_view code);

// `text` (an xsd:double as stored in <v>) as a person sees it; see
// ReadFirstSheet. Text that is not a number is returned as is.
std::string FormatNumber(std::string_view text);
// "YYYY-MM-DD" of an Excel serial day number given as text; nullopt when the
// text is not a number or not a day in years 1..9999 of the date system.
std::optional<std::string> SerialToDate(std::string_view text, bool date1904);
// "HH:MM:SS" of the time of day of an Excel serial; nullopt when the text is
// not a non-negative number.
std::optional<std::string> SerialToTime(std::string_view text);
// Decodes Excel's _xHHHH_ escapes (UTF-16 code units) in string values;
// escapes that would give NUL or an unpaired surrogate are kept as text.
std::string DecodeEscapes(std::string_view text);
// The inverse for the writer: control characters other than tab and line
// feed become _xHHHH_, and a literal "_xHHHH_" gets its underscore escaped.
std::string EncodeEscapes(std::string_view text);

// `text` from the file, fit for a message: at most 32 characters, invalid
// UTF-8 and control characters shown as '?', "…" when cut.
std::string Excerpt(std::string_view text);

// The 1-based column number of the letters at the start of a cell reference
// ("AB12" -> 28); 0 when there are none. Saturates at
// kColumnOverflow for absurdly long letter runs.
inline constexpr int64_t kColumnOverflow = int64_t{1} << 40;
int64_t ColumnOfRef(std::string_view ref);

}  // namespace yanglao::xlsx::internal

#endif  // YANGLAO_XLSX_XLSX_INTERNAL_H_
