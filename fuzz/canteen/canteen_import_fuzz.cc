// Fuzz target: the canteen list (src/canteen/import.h, CSV or XLSX bytes)
// and the canteen rules file (src/canteen/rules.h). Whatever the input, each
// parser returns a located failure or a value that holds its invariants:
// a file with problems yields no canteens; every canteen has periods and
// positive prices; rule shares sum to 100 and split any amount exactly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "canteen/import.h"
#include "canteen/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao;
  using namespace yanglao::canteen;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<CanteenFile> file = ParseCanteenFile(text, "fuzz.csv");
  if (!file.ok()) {
    if (file.status().code().empty() || file.status().message().empty()) __builtin_trap();
  } else {
    if (file->problem_count > 0 && !file->canteens.empty()) __builtin_trap();
    if (file->problems.size() > file->problem_count) __builtin_trap();
    for (const Canteen& c : file->canteens) {
      if (c.periods.empty() || c.prices.empty() || !IsCanteenKind(c.kind)) __builtin_trap();
      for (const Price& p : c.prices) {
        if (p.market_fen <= 0) __builtin_trap();
      }
    }
  }
  Result<CanteenRules> rules = LoadCanteenRulesFromString(text, "fuzz.canteen.yaml", ".");
  if (!rules.ok()) {
    if (rules.status().code() != "canteen.rules") __builtin_trap();
  } else {
    for (const MealItem& m : rules->items) {
      int64_t total = 0;
      for (const Funding& f : m.funding) total += f.share;
      if (total != 100) __builtin_trap();
      for (int64_t fen : {int64_t{0}, int64_t{1}, int64_t{599}, int64_t{123457}}) {
        int64_t sum = 0;
        for (int64_t part : SplitByShares(fen, m.funding)) sum += part;
        if (sum != fen) __builtin_trap();
      }
    }
  }
  return 0;
}
