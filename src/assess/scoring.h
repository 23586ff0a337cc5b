// Scoring a GB/T 42195-2022 form: dimension subtotals, the total out of 90,
// the preliminary level from the total, and the adjustments of Annex C.4
// that give the final level.
//
// Adjustments, checked against the basic-information part of the form:
//   coma             (A.5.11 昏迷) the level is set directly to
//                    ScoringRules::coma_level (default 4 完全失能); the other
//                    adjustments are then not applied;
//   diagnosis        confirmed dementia (ICD-10 F00-F03) or another mental or
//                    behavioural disorder diagnosed by a psychiatrist
//                    (F04-F99): one level up;
//   care_risk        two or more care-risk events in the last 30 days in total
//                    (A.2.14: falls, choking, suicide, self-harm, wandering
//                    off; each counted 0, 1, 2, 3 = three or more): one level up.
// Whether the two "one level up" rules add up is not stated by the standard:
// ScoringRules::raises_stack, default false (at most one level up in total).
// A level never goes above 4 完全失能.
#ifndef YANGLAO_ASSESS_SCORING_H_
#define YANGLAO_ASSESS_SCORING_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "assess/form.h"
#include "core/status.h"

namespace yanglao::assess {

// The care-risk events of A.2.14.
inline constexpr size_t kRiskEventCount = 5;
struct RiskEvent {
  std::string_view key;   // "fall": the key in form files
  std::string_view name;  // "跌倒"
};
const std::array<RiskEvent, kRiskEventCount>& RiskEvents();
inline constexpr int kMaxRiskCount = 3;  // "3" means three or more

// The answers of one form.
struct FormAnswers {
  std::array<int, kItemCount> items{};             // points per item, in Items() order
  bool coma = false;                               // A.5.11 昏迷
  bool dementia = false;                           // confirmed dementia, ICD-10 F00-F03
  bool mental_disorder = false;                    // another diagnosed mental disorder, F04-F99
  std::array<int, kRiskEventCount> risk_events{};  // 0..3, RiskEvents() order

  // All items at their best answer, nothing in the basic information.
  static FormAnswers Best();
};

// The rules where transcriptions of the standard disagree (settings; the
// defaults are the documented ones, see docs/assessment.md).
struct ScoringRules {
  int coma_level = 4;         // 4 完全失能 (C.4) or 3 重度失能 (note under B3.9)
  bool raises_stack = false;  // false: at most one level up in total

  // "coma=4;stack=0": stored with each recorded assessment.
  std::string ToString() const;
};

// One adjustment rule the form triggers.
struct Adjustment {
  std::string code;    // "coma", "diagnosis", "care_risk"
  std::string clause;  // "C.4"
  std::string reason;  // what on the form triggers it, in Chinese, naming the fields
  std::string effect;  // "直接评定" (coma) or "上调一级"
  int from = 0;        // level before the rule
  int to = 0;          // level after it (== from when not applied)
  bool applied = false;
  std::string note;  // why it was not applied (Chinese); empty when applied
};

// "昏迷", "痴呆或精神障碍", "照护风险事件" for an adjustment code.
std::string_view AdjustmentName(std::string_view code);

struct Score {
  std::array<int, kDimensionCount> subtotals{};
  int total = 0;
  int preliminary_level = 0;
  int final_level = 0;
  std::vector<Adjustment> adjustments;  // in rule order: coma, diagnosis, care_risk
};

// Checks every answer against its range and the form's consistency. Fails
// with
//   assess.range         an item outside 0..max, or a risk count outside
//                        0..3 (field: the item number or risk key; value)
//   assess.inconsistent  coma (昏迷) with B3.9 意识水平 above 0
Status CheckAnswers(const FormAnswers& answers);

// Scores answers that passed CheckAnswers.
Score ScoreForm(const FormAnswers& answers, const ScoringRules& rules = {});

}  // namespace yanglao::assess

#endif  // YANGLAO_ASSESS_SCORING_H_
