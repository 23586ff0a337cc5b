// Canteens and meal points, their meal periods and market prices, the sales
// of their counters, the checks flagged on them, and the monthly statements
// (tables canteen_*, module sequence "canteen": CanteenSchema()).
//
// Money is integer fen. A sale carries the idempotency id its counter made
// (client_id): recording it again (a tablet syncing its offline queue twice)
// changes nothing and returns the stored sale. Each sale stores the market
// price, the discount and subsidy, their split over funding sources and what
// the diner paid (market = discount + subsidy + paid, always).
//
// Checks never drop a sale: a sale that looks wrong is stored with flags
// (canteen_flag) for review. A flag upheld on review disallows the sale's
// benefit in the settlement; dismissed, the benefit stands.
#ifndef YANGLAO_CANTEEN_STORE_H_
#define YANGLAO_CANTEEN_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "canteen/counter.h"
#include "core/civil_date.h"
#include "core/status.h"
#include "db/database.h"
#include "db/migrate.h"

namespace yanglao::canteen {

// The module's tables (both dialects).
db::ModuleSchema CanteenSchema();

// 幸福食堂, 助餐点, 机构食堂.
bool IsCanteenKind(std::string_view kind);

struct MealPeriod {
  std::string name;   // "午餐"
  std::string start;  // "11:00"
  std::string end;    // "13:30" (inclusive)
};

struct Price {
  std::string dish;  // "套餐A"
  int64_t market_fen = 0;
};

struct Canteen {
  int64_t id = 0;
  std::string code;  // the city's own number ("EZ-001"), unique
  std::string name;
  std::string kind;                      // IsCanteenKind
  std::string region;                    // 12-digit code of where it is (a 社区 or 村)
  std::vector<std::string> communities;  // 12-digit codes of the communities it serves
  std::string operator_name;
  std::string hours;  // opening hours as written ("周一至周六")
  std::vector<MealPeriod> periods;
  std::vector<Price> prices;
  const Price* FindPrice(std::string_view dish) const;
  // The period containing "HH:MM", or nullptr.
  const MealPeriod* PeriodAt(std::string_view hhmm) const;
};

enum class FlagKind {
  kDoubleClaim,   // double_claim: served with a benefit twice in one meal period (any canteen)
  kOverLimit,     // over_limit: more subsidised meals in a day than the rule allows
  kDeceased,      // deceased: the diner had died by the day of the meal
  kStatusEnded,   // status_ended: had the benefit before, no longer qualifies
  kOutsideHours,  // outside_hours: sold outside every meal period of the canteen
  kPaidMismatch,  // paid_mismatch: the counter collected other than the decision (offline)
};
std::string_view FlagKey(FlagKind k);
std::string_view FlagName(FlagKind k);  // "同一餐次重复享受" ...
std::optional<FlagKind> FlagOfKey(std::string_view key);

struct Flag {
  int64_t id = 0;
  int64_t sale_id = 0;
  int64_t canteen_id = 0;
  std::string kind;    // FlagKey
  std::string detail;  // Chinese
  std::string status;  // open | upheld | dismissed
  std::string reviewed_by, reviewed_on;
  // The sale (for lists).
  std::string id_number, sale_date, period, canteen_name;
  int64_t benefit_fen = 0;
};

struct Sale {
  int64_t id = 0;
  std::string client_id;
  int64_t canteen_id = 0;
  std::string sale_date;  // YYYY-MM-DD
  std::string sold_time;  // HH:MM
  std::string period;     // "" when outside every period
  std::string id_number;  // "" anonymous (market price)
  std::string dish;
  int64_t market_fen = 0, discount_fen = 0, subsidy_fen = 0, paid_fen = 0;
  std::optional<int64_t> collected_fen;  // what an offline counter took, when it said
  std::string item, citation;
  int64_t percent = 0;
  std::vector<FundPart> funds;
  std::vector<std::pair<FlagKind, std::string>> flags;  // when recorded
  std::string recorded_on;
  bool already_recorded = false;
};

// One statement line: a canteen's month for one funding source.
struct StatementLine {
  int64_t canteen_id = 0;
  std::string canteen_code, canteen_name, county;  // county: 6-digit code
  std::string source;
  int64_t meals = 0;           // sales with a part from this source
  int64_t benefit_fen = 0;     // this source's parts of those sales
  int64_t disallowed_fen = 0;  // of which on sales with an upheld flag
  int64_t claimed_fen = 0;     // benefit - disallowed
  int64_t open_flags = 0;      // of the canteen's month
  std::string status;          // draft | approved
  std::string approved_by, approved_on;
};

// One canteen's month: the sales' totals, which the lines reconcile to.
struct CanteenMonth {
  int64_t canteen_id = 0;
  std::string canteen_code, canteen_name, county;
  int64_t sales = 0, meals_with_benefit = 0;
  int64_t market_fen = 0, discount_fen = 0, subsidy_fen = 0, paid_fen = 0;
  int64_t open_flags = 0;
};

struct Settlement {
  std::string month;
  std::vector<CanteenMonth> canteens;  // by code
  std::vector<StatementLine> lines;    // by canteen code, then source
  // The finance bureau's summary: per county and source.
  struct CountyLine {
    std::string county, county_name, source;
    int64_t canteens = 0, meals = 0, benefit_fen = 0, disallowed_fen = 0, claimed_fen = 0;
  };
  std::vector<CountyLine> counties;
};

struct ImportOutcome {
  int64_t added = 0, updated = 0, unchanged = 0;
};

class CanteenStore {
 public:
  // No I/O; the tables must be migrated (CanteenSchema, db::MigrateAll).
  explicit CanteenStore(db::Database& db) : db_(db) {}
  db::Database& db() { return db_; }

  // Adds or replaces canteens by code, with their periods and prices, all
  // or nothing. The same canteen again changes nothing.
  Result<ImportOutcome> PutCanteens(const std::vector<Canteen>& canteens);
  Result<std::optional<Canteen>> FindCanteen(int64_t id);
  Result<std::optional<Canteen>> FindCanteenByCode(std::string_view code);
  // Canteens located under `region_prefix` ("" all), by code.
  Result<std::vector<Canteen>> Canteens(std::string_view region_prefix = "");

  Result<std::optional<Sale>> FindSale(std::string_view client_id);
  // The diner's sales on a date: (period, benefit_fen) each.
  Result<std::vector<std::pair<std::string, int64_t>>> SalesOfDay(std::string_view id_number,
                                                                  std::string_view date);
  // Had the diner a sale with a benefit on a day in [from, before)?
  Result<bool> HadBenefit(std::string_view id_number, std::string_view from,
                          std::string_view before);
  // Stores a sale with its parts and flags in one transaction; fills id.
  // A client_id stored meanwhile: returns that sale (already_recorded).
  Status InsertSale(Sale& sale);
  // Many sales at once (the generator's month, a benchmark): parts and
  // flags as given, no checks run. One transaction.
  Status BulkInsertSales(std::vector<Sale>& sales);
  // Sales of a canteen in a month, newest first.
  // The number of a canteen's sales in a month (YYYY-MM).
  Result<int64_t> CountSales(int64_t canteen_id, std::string_view month);
  Result<std::vector<Sale>> Sales(int64_t canteen_id, std::string_view month, int64_t limit,
                                  int64_t offset);

  // Flags of a month ("" all months), by status ("" any), canteen (0 any).
  Result<std::vector<Flag>> Flags(std::string_view month, std::string_view status,
                                  int64_t canteen_id, int64_t limit = 1000);
  Result<std::optional<Flag>> FindFlag(int64_t flag_id);
  // Reviews an open flag: upheld (the benefit is disallowed) or dismissed.
  // Fails with canteen.not_found, canteen.review_exists (conflict).
  Status ReviewFlag(int64_t flag_id, bool upheld, std::string_view by, CivilDate on);

  // The month's settlement of canteens under `region_prefix` ("" all),
  // computed from the sales; fails with canteen.reconcile (internal) if the
  // parts do not add up to the sales to the fen.
  Result<Settlement> Settle(std::string_view month, std::string_view region_prefix = "");
  // Approves a canteen's statement for the month (all its sources). Fails
  // with canteen.open_flag_exists while flags are open, canteen.no_sales.
  Status Approve(std::string_view month, int64_t canteen_id, std::string_view by, CivilDate on);

 private:
  Result<std::vector<Canteen>> ReadCanteens(std::string_view where,
                                            const std::vector<db::Value>& params);
  db::Database& db_;
};

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_STORE_H_
