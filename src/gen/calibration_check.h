// The registry against the calibration (`yanglao registry stats
// --calibration`): for every rate the statistics of registry/stats.h can
// observe, the observed share, the share the calibration gives that same
// population (by the observed ages, sexes and areas), and their difference
// in binomial standard errors. A registry loaded from `yanglao gen` should
// be within a few standard errors everywhere; a real city's registry shows
// where it differs from the published figures.
#ifndef YANGLAO_GEN_CALIBRATION_CHECK_H_
#define YANGLAO_GEN_CALIBRATION_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "gen/calibration.h"
#include "registry/stats.h"

namespace yanglao::gen {

struct RateCheck {
  std::string key;                 // "dibao_60_plus"
  std::string label;               // "低保（60岁及以上）"
  std::vector<std::string> rates;  // the calibration entries it uses
  bool estimate = false;           // one of them is a labelled estimate
  int64_t sample = 0;              // people in the population (the denominator)
  int64_t observed = 0;            // of them, with the circumstance
  double observed_rate = 0;
  double expected_rate = 0;  // what the calibration gives this population
  double se = 0;             // sqrt(p (1 - p) / n) with p = expected_rate
  double z = 0;              // (observed_rate - expected_rate) / se; 0 when se is 0
};

// Compares `stats` with `cal`'s figures for the city `city_code` (4 digits).
// Fails with gen.no_calibration when the calibration has no such city.
Result<std::vector<RateCheck>> CompareWithCalibration(const registry::RegistryStats& stats,
                                                      const Calibration& cal,
                                                      std::string_view city_code);

// The 4-digit city where most living people of `stats` reside, or "" if
// no residence is known.
std::string MainCity(const registry::RegistryStats& stats);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_CALIBRATION_CHECK_H_
