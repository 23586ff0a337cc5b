// Synthetic assessment histories for a generated city (`yanglao gen`): the
// assess module's synthetic data, kept with the generator (src/gen) so that
// what the server links never includes it.
//
// Reads the department feeds a generated city was written as (公安.csv for
// who lives where, who died and when; 民政.csv 生活不能自理, 卫健.csv 失智,
// 医保.csv 需要长期照护) and writes 能力评估.jsonl: for a plausible part of
// the people aged 60 and over, their assessments over the three years
// before the reference date, in the batch format `yanglao assess import`
// reads (docs/assessment.md).
//
// The shape (all estimates, documented in docs/assessment.md): the share
// ever assessed grows with age (about 4% at 60-64, 12% at 65-79, 55% at
// 80+) and with need (80% of those 生活不能自理 or 需要长期照护), and differs
// by county; the latent level follows the calibration's
// capability_level_60_plus, shifted by age and need; results are renewed
// on time about 70% of the time, late sometimes, and lapse otherwise (the
// overdue); a few are re-assessed early after a change of condition.
// Item answers are drawn to give the level's total, losing points in the
// dimensions a profile (physical or cognitive) makes likely.
//
// Deterministic: the same feeds, seed and date give the same file.
#ifndef YANGLAO_GEN_ASSESS_SYNTHETIC_H_
#define YANGLAO_GEN_ASSESS_SYNTHETIC_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::gen {

struct SyntheticOptions {
  std::filesystem::path feeds_dir;  // where yanglao gen wrote the feeds
  uint64_t seed = 7;
  CivilDate as_of;  // the generator's reference date
  int validity_months = 12;
  std::filesystem::path out;  // the file to write; empty = feeds_dir / 能力评估.jsonl
};

struct SyntheticSummary {
  std::filesystem::path file;
  int64_t assessments = 0;
  int64_t people_assessed = 0;
  int64_t living_60_plus = 0;  // living on as_of, aged 60+
  int64_t living_80_plus = 0;
  int64_t valid_60_plus = 0;  // of them, with a result valid on as_of
  int64_t valid_80_plus = 0;
  int64_t overdue = 0;  // living, assessed, the latest result expired by as_of
};

// Writes the histories. Fails with io.open (a feed cannot be read),
// csv.* (a feed is not CSV), assess.feed (a feed lacks a column it needs),
// gen.io (the output cannot be written).
Result<SyntheticSummary> WriteSyntheticAssessments(const SyntheticOptions& options);

}  // namespace yanglao::gen

#endif  // YANGLAO_GEN_ASSESS_SYNTHETIC_H_
