// Synthetic canteens and a month of counter sales (`yanglao gen`): the
// canteen module's synthetic data, kept with the generator.
//
// Canteens: a 幸福食堂 in about 70% of the city's streets (街道 / 镇 / 乡), in
// one of its communities, serving it and two neighbours (so coverage has
// gaps to name), with breakfast, lunch and dinner and four dishes.
// Diners: people aged 60+ living in the city (from the feeds' 公安.csv and
// 民政.csv when given, else a small register written beside: 助餐-公安.csv,
// 助餐-民政.csv). Each eats lunch on about 60% of days and dinner on 30%,
// mostly at the canteen of their street, sometimes at another (通享).
// Planted: `double_claims` second lunches, at another canteen the same day,
// by diners aged 80+ on 低保 or 特困 (whom every city's meal item covers);
// they are listed in the summary so a test can check each is flagged.
//
// Files: 食堂.csv (the import format, canteen/import.h) and 助餐销售.csv
// (销售编号,食堂编号,就餐时间,公民身份号码,菜品). Deterministic for a seed.
#ifndef YANGLAO_GEN_CANTEEN_SYNTHETIC_H_
#define YANGLAO_GEN_CANTEEN_SYNTHETIC_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "canteen/sell.h"
#include "canteen/store.h"
#include "core/civil_date.h"
#include "core/status.h"
#include "registry/registry.h"

namespace yanglao::gen {

struct CanteenSyntheticOptions {
  std::filesystem::path feeds_dir;  // empty: write an own register of `diners`
  std::filesystem::path out_dir;
  std::string region = "421303";  // own register: the county its people live in
  Month month;
  uint64_t seed = 7;
  int diners = 300;  // own register: how many; from feeds: at most this many
  int double_claims = 10;
};

struct CanteenSyntheticSummary {
  std::filesystem::path canteens_file, sales_file;
  std::filesystem::path police_file, civil_file;  // own register only
  int64_t canteens = 0, diners = 0, sales = 0;
  std::vector<std::string> planted;  // "<id number> <date> 午餐"
};

// Fails with io.open / csv.* (a feed), gen.canteen (no communities, no
// diners), gen.io (a file cannot be written).
Result<CanteenSyntheticSummary> WriteSyntheticCanteens(const CanteenSyntheticOptions& options);

struct LoadedSales {
  int64_t sales = 0, already = 0, flagged = 0;
};
// Sells every row of a sales file at the counter (Sell: decisions, checks,
// idempotent ids), in file order. Fails with canteen.import for a bad row,
// or Sell's errors.
Result<LoadedSales> LoadSyntheticSales(registry::Registry& registry, canteen::CanteenStore& store,
                                       const canteen::Counters& counters,
                                       const std::filesystem::path& file, CivilDate recorded_on);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_CANTEEN_SYNTHETIC_H_
