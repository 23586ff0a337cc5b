// Dates as Chinese offices write them in spreadsheets and CSV files.
#ifndef YANGLAO_CORE_OFFICE_DATE_H_
#define YANGLAO_CORE_OFFICE_DATE_H_

#include <string_view>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao {

// A date written year first with a four-digit year: YYYY-M-D, YYYY/M/D,
// YYYY.M.D (month and day with one or two digits), YYYY年M月D日, or
// YYYYMMDD; a time of day 00:00 or 00:00:00 after a space (as Excel writes a
// date cell exported to CSV) is allowed. Anything else, in particular a
// two-digit year or a day or month first (1/5/2025, 05-01-2025: which is the
// month cannot be told), fails with date.format; a day that does not exist
// with date.invalid (CivilDate's message).
Result<CivilDate> ParseOfficeDate(std::string_view text);

}  // namespace yanglao

#endif  // YANGLAO_CORE_OFFICE_DATE_H_
