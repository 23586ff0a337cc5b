// The month's settlement as spreadsheets: the statements per canteen and
// funding source (结算单), each canteen's sales totals that they reconcile to
// (食堂汇总), and the finance bureau's summary per county (区县汇总). Amounts
// in yuan with two decimals, exact (from integer fen); every sheet ends with
// a total row.
#ifndef YANGLAO_CANTEEN_SETTLE_H_
#define YANGLAO_CANTEEN_SETTLE_H_

#include <filesystem>
#include <vector>

#include "canteen/store.h"
#include "xlsx/xlsx.h"

namespace yanglao::canteen {

// "12.34" (no unit, no grouping: a spreadsheet reads it as a number).
std::string Yuan(int64_t fen);

std::vector<xlsx::Sheet> SettlementSheets(const Settlement& s);
Status WriteSettlementXlsx(const std::filesystem::path& path, const Settlement& s);

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_SETTLE_H_
