#include "assess/scoring.h"

#include <fmt/format.h>

#include <algorithm>

namespace yanglao::assess {

const std::array<RiskEvent, kRiskEventCount>& RiskEvents() {
  static constexpr std::array<RiskEvent, kRiskEventCount> kEvents = {{
      {"fall", "跌倒"},
      {"choking", "噎食"},
      {"suicide", "自杀"},
      {"self_harm", "自伤"},
      {"wandering", "走失"},
  }};
  return kEvents;
}

std::string_view AdjustmentName(std::string_view code) {
  if (code == "coma") return "昏迷";
  if (code == "diagnosis") return "痴呆或精神障碍";
  if (code == "care_risk") return "照护风险事件";
  return code;
}

FormAnswers FormAnswers::Best() {
  FormAnswers a;
  for (size_t i = 0; i < kItemCount; ++i) a.items[i] = Items()[i].max;
  return a;
}

std::string ScoringRules::ToString() const {
  return fmt::format("coma={};stack={}", coma_level, raises_stack ? 1 : 0);
}

Status CheckAnswers(const FormAnswers& answers) {
  for (size_t i = 0; i < kItemCount; ++i) {
    const Item& item = Items()[i];
    int v = answers.items[i];
    if (v < 0 || v > item.max) {
      return Status("assess.range",
                    fmt::format("{} {}：得分应为 0 到 {} 的整数", item.code, item.name, item.max),
                    Location{.field = std::string(item.code), .value = std::to_string(v)});
    }
  }
  for (size_t i = 0; i < kRiskEventCount; ++i) {
    int v = answers.risk_events[i];
    if (v < 0 || v > kMaxRiskCount) {
      const RiskEvent& e = RiskEvents()[i];
      return Status("assess.range",
                    fmt::format("近30天{}次数应为 0、1、2 或 3（3 表示 3 次及以上）", e.name),
                    Location{.field = std::string(e.key), .value = std::to_string(v)});
    }
  }
  size_t consciousness = *FindItem("B3.9");
  if (answers.coma && answers.items[consciousness] != 0) {
    return Status("assess.inconsistent", "基本信息记录为昏迷，但 B3.9 意识水平不是 0（昏睡或昏迷）",
                  Location{.field = "B3.9", .value = std::to_string(answers.items[consciousness])});
  }
  return Status::Ok();
}

Score ScoreForm(const FormAnswers& answers, const ScoringRules& rules) {
  Score s;
  for (size_t i = 0; i < kItemCount; ++i) {
    s.subtotals[Items()[i].dimension] += answers.items[i];
    s.total += answers.items[i];
  }
  s.preliminary_level = LevelOfTotal(s.total);
  int level = s.preliminary_level;

  const bool diagnosis = answers.dementia || answers.mental_disorder;
  int events = 0;
  bool open_ended = false;  // a count of "3 or more"
  std::string event_list;
  for (size_t i = 0; i < kRiskEventCount; ++i) {
    int n = answers.risk_events[i];
    events += n;
    open_ended = open_ended || n >= kMaxRiskCount;
    if (n > 0) {
      event_list += fmt::format("{}{} {} {}", event_list.empty() ? "" : "、", RiskEvents()[i].name,
                                n, n >= kMaxRiskCount ? "次及以上" : "次");
    }
  }
  const bool care_risk = events >= 2;

  if (answers.coma) {
    s.adjustments.push_back(Adjustment{.code = "coma",
                                       .clause = "C.4",
                                       .reason = "A.5.11 昏迷",
                                       .effect = "直接评定",
                                       .from = level,
                                       .to = rules.coma_level,
                                       .applied = true});
    level = rules.coma_level;
  }
  bool raised = false;
  auto raise = [&](std::string code, std::string reason) {
    Adjustment a{.code = std::move(code),
                 .clause = "C.4",
                 .reason = std::move(reason),
                 .effect = "上调一级",
                 .from = level,
                 .to = level};
    if (answers.coma) {
      a.note = "昏迷已直接评定等级，不再调整";
    } else if (raised && !rules.raises_stack) {
      a.note = "两项“上调一级”合计至多上调一级（设置：不叠加）";
    } else if (level >= kLevelCount - 1) {
      a.note = "已是最高等级（能力完全丧失）";
    } else {
      a.to = ++level;
      a.applied = true;
      raised = true;
    }
    s.adjustments.push_back(std::move(a));
  };
  if (diagnosis) {
    std::string what;
    if (answers.dementia) what = "确诊痴呆（F00-F03）";
    if (answers.mental_disorder) {
      what += fmt::format("{}经精神科医师诊断的其他精神和行为障碍（F04-F99）",
                          what.empty() ? "" : "、");
    }
    raise("diagnosis", what);
  }
  if (care_risk) {
    raise("care_risk", fmt::format("A.2.14 近30天照护风险事件共 {} 次{}（{}），2 次及以上", events,
                                   open_ended ? "及以上" : "", event_list));
  }
  s.final_level = std::clamp(level, 0, kLevelCount - 1);
  return s;
}

}  // namespace yanglao::assess
