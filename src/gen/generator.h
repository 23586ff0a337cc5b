// yanglao gen: department feed files for a synthetic city.
//
// GenerateCity writes, for everyone aged 50 and over in a region on a
// reference date, the feeds of docs/registry-feeds.md (公安.csv, 民政.csv,
// 人社.csv, 卫健.csv, 医保.csv, 残联.csv, 退役军人.csv) and manifest.yaml.
// People live in the real communities and villages of the built-in region
// table; their ages, sexes, places and circumstances are drawn from the
// calibration (data/calibration/), so that shares of 60+, 80+, urban,
// 低保, 特困, disability ... match the published figures within sampling error.
//
// Output is deterministic: the same options give byte-identical files,
// whatever the number of threads. People are generated in blocks from
// per-person seeded random numbers and streamed to the files, so memory
// does not grow with the population (10 million people are fine).
#ifndef YANGLAO_GEN_GENERATOR_H_
#define YANGLAO_GEN_GENERATOR_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::gen {

struct GenOptions {
  // A city ("4213", "421300") or a county ("421281") with village-level
  // data in the built-in region table.
  std::string region;
  uint64_t seed = 7;
  // Multiplies the census population; (0, 20].
  double scale = 1.0;
  // Write about 0.5% realistic bad rows (listed in manifest.yaml).
  bool dirty = false;
  // The reference date: the population is everyone aged 50+ on it; deaths,
  // moves and exits happen in the year before it.
  CivilDate as_of = *CivilDate::FromYmd(2026, 1, 1);
  // Directory for the files; created if missing; existing feed files in it
  // are replaced.
  std::filesystem::path out;
  // A calibration file; empty = the one built into the binary.
  std::filesystem::path calibration;
  // Worker threads; 0 = one per core (at most 8). Does not change the output.
  int threads = 0;
  // Set by GenerateProvince for each of its cities (leave false otherwise):
  // ID sequence codes are shared out among all the counties of the
  // province, so that people of different cities never share an ID number,
  // and a city without village-level data lives in its townships (街道 =
  // urban, 镇/乡 = rural; residence codes are then 9 digits).
  bool province_member = false;
};

// A bad row written on purpose (--dirty).
struct DirtyRow {
  std::string file;    // "公安.csv"
  int64_t line = 0;    // 1-based line in the file (the header is line 1)
  std::string column;  // header name of the bad cell; empty for a whole row
  std::string kind;    // stable code: check_char, impossible_date, unknown_region,
                       // empty_name, yes_no_as_have, duplicate_row, old_id15,
                       // sex_mismatch
  std::string what;    // the problem, in Chinese
  std::string value;   // the bad value as written
};

// What was written.
struct GenSummary {
  std::string region_code;  // as displayed: "421300"
  std::string region_name;  // "随州市"
  int64_t people = 0;
  // Data rows (without the header) per file, in the department order of the
  // templates: {"公安.csv", n}, {"民政.csv", n} ...
  std::vector<std::pair<std::string, int64_t>> rows_per_file;
  int64_t deaths = 0;
  int64_t dirty_rows = 0;
  std::vector<DirtyRow> dirty;  // in file order, then line order
  // Counts of the true population (before any dirty row): people aged 60+,
  // 65+, 80+ and 100+ on as_of, living in urban communities, ever on 低保
  // during the year, 特困, holding a disability certificate.
  int64_t aged_60_plus = 0;
  int64_t aged_65_plus = 0;
  int64_t aged_80_plus = 0;
  int64_t aged_100_plus = 0;
  int64_t urban = 0;
  int64_t dibao = 0;
  int64_t tekun = 0;
  int64_t disabled = 0;
  int64_t bytes_written = 0;  // all files, manifest included
  std::string calibration_source;
  double seconds = 0;  // wall time of the run
};

// Generates the city described by `options` into options.out. Fails with
//   gen.region          the region code is malformed or not a city/county
//   gen.no_villages     the region has no community/village data
//   gen.no_calibration  the calibration has no figures for the region's city
//   gen.scale           scale outside (0, 20]
//   gen.id_space        too many people share a birth date for unique ID numbers
//   gen.io              a file cannot be written
// or a gen.calibration_* error of the calibration file (see calibration.h).
// Files already written are left in place on failure.
Result<GenSummary> GenerateCity(const GenOptions& options);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_GENERATOR_H_
