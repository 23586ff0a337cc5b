// A sale at a counter: identify the diner, evaluate the city's list for the
// diner on the day of the meal (Counter::Decide), record the sale with its
// parts, and run the checks, flagging what looks wrong for review.
//
// Any canteen of a city serves any diner (通享): the benefit depends on the
// diner and the city, not on which canteen. The checks span every canteen:
//   double_claim   a benefit already given to the diner in this meal period
//                  (by name: 早餐, 午餐, 晚餐) that day, anywhere;
//   over_limit     more subsidised meals that day than the item allows;
//   deceased       the registry has the diner dead by that day;
//   status_ended   no benefit now, but one in the 31 days before (the
//                  diner left 低保/特困, moved away ...);
//   outside_hours  the time is in no meal period of the canteen;
//   paid_mismatch  an offline counter collected other than the decision.
// The sale is stored whatever the checks find.
#ifndef YANGLAO_CANTEEN_SELL_H_
#define YANGLAO_CANTEEN_SELL_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "canteen/counter.h"
#include "canteen/store.h"
#include "registry/registry.h"

namespace yanglao::canteen {

struct SaleRequest {
  std::string client_id;  // made by the counter, 8..64 of [A-Za-z0-9_-]
  int64_t canteen_id = 0;
  std::string sold_at;    // "YYYY-MM-DDTHH:MM" (local time)
  std::string id_number;  // validated by the caller; "" an anonymous diner
  std::string dish;
  std::optional<int64_t> collected_fen;  // offline counters: what they took
};

// The counters of every city whose rules are in a folder
// (policies/canteen/*.canteen.yaml).
class Counters {
 public:
  static Result<std::unique_ptr<Counters>> LoadDirectory(const std::filesystem::path& dir);
  void Add(std::unique_ptr<Counter> counter) { counters_.push_back(std::move(counter)); }
  // The city whose list covers the region (12-digit code), or nullptr.
  Counter* ForRegion(std::string_view region) const;
  const std::vector<std::unique_ptr<Counter>>& all() const { return counters_; }

 private:
  std::vector<std::unique_ptr<Counter>> counters_;
};

// Identifies, decides, checks and records. Fails with canteen.client_id,
// canteen.sold_at, canteen.not_found, canteen.dish, canteen.city (no rules
// cover the canteen), canteen.client_id_exists (the id was used for another
// sale: conflict), or the registry's and store's errors. A client_id
// recorded before returns the stored sale (already_recorded).
Result<Sale> Sell(registry::Registry& registry, CanteenStore& store, const Counters& counters,
                  const SaleRequest& request, CivilDate recorded_on);

// Only the decision (no recording, no checks): the counter's preview.
Result<Decision> Preview(registry::Registry& registry, const Canteen& canteen,
                         const Counters& counters, std::string_view id_number, CivilDate on,
                         int64_t market_fen);

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_SELL_H_
