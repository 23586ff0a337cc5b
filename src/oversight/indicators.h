// Live indicators of the task tables: which tasks the platform measures from
// data it holds (policies/oversight/<city>.indicators.yaml, format
// yanglao.task_indicators/1), the figures themselves read through the other
// modules' stores — facility coverage, 配建率 and counts (facility/planning.h),
// the monthly visit rate (visits/store.h), canteens (facility store) — and a
// task's state from them: met → 已完成; not met after the deadline → 已逾期;
// not met within `at_risk_days` of it → 有风险; otherwise 按计划推进. Tasks
// without a live figure keep the state of their latest progress report
// (store.h StateOn). Scorecards count the states per responsible unit and
// give the figures per county.
#ifndef YANGLAO_OVERSIGHT_INDICATORS_H_
#define YANGLAO_OVERSIGHT_INDICATORS_H_

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "facility/planning.h"
#include "facility/policy.h"
#include "oversight/store.h"

namespace yanglao::registry {
class Registry;
}

namespace yanglao::oversight {

struct IndicatorLink {
  int year = 0, no = 0;
  std::string indicator;  // visit_rate | canteens | facility:<target id>
  double min = 0;         // the task's figure (a share 0..1 or a count)
  std::string quote;      // from the task's 工作要求 cell
  int line = 0;
};

struct IndicatorPolicy {
  std::string jurisdiction;  // "421300"
  int at_risk_days = 0;
  std::string at_risk_basis;
  std::vector<IndicatorLink> links;
  std::string file;
  std::vector<const IndicatorLink*> For(int year, int no) const;
};
// Fails with oversight.indicators, located (file, line, column, field).
Result<IndicatorPolicy> ParseIndicatorPolicy(std::string_view text, const std::string& name);
Result<IndicatorPolicy> LoadIndicatorPolicy(const std::filesystem::path& path);
bool IsKnownIndicator(std::string_view indicator);

struct LiveValue {
  bool known = false;
  bool share = false;  // a share (shown as a percent) or a count
  double value = 0;
  int64_t numerator = 0, denominator = 0;
  std::string label;  // 月探访率 …
  std::string shown;  // "92.5%" / "23 个"
  std::string why;    // when not known
};

// The figures on a day, for the city and its counties, read once.
class LiveIndicators {
 public:
  // Reads the facility store (a city view without the older people: coverage
  // needs none), the visits store's rates of the last full month before `on`.
  static Result<std::unique_ptr<LiveIndicators>> Read(registry::Registry& registry,
                                                      const facility::FacilityPolicy& policy,
                                                      CivilDate on);
  // `scope`: "" the city, or a 6-digit county code.
  LiveValue Value(std::string_view indicator, std::string_view scope = {}) const;
  const std::vector<std::string>& counties() const { return counties_; }
  std::string visit_month() const { return visit_month_.ToString(); }

 private:
  LiveIndicators() = default;
  const facility::FacilityPolicy* policy_ = nullptr;
  facility::CityView view_;
  Month visit_month_;
  std::map<std::string, std::pair<int64_t, int64_t>>
      visits_;                               // scope → (visited+documented, roster)
  std::map<std::string, int64_t> canteens_;  // scope → count
  std::vector<std::string> counties_;
};

struct LiveCheck {
  const IndicatorLink* link = nullptr;
  LiveValue value;
  bool met = false;
};

// A task's state from its live checks (all known), else from its latest report.
TaskState LiveStateOn(const StoredTask& task, const std::vector<LiveCheck>& checks,
                      const std::optional<ProgressReport>& latest, int at_risk_days, CivilDate on);

std::vector<LiveCheck> Checks(const LiveIndicators& live, const IndicatorPolicy& policy, int year,
                              int no, std::string_view scope = {});

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_INDICATORS_H_
