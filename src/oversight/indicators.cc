#include "oversight/indicators.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>

#include "core/file_io.h"
#include "facility/store.h"
#include "registry/registry.h"
#include "visits/store.h"

namespace yanglao::oversight {

namespace {

constexpr std::string_view kFacilityPrefix = "facility:";

Status Bad(const std::string& file, const YAML::Node& at, std::string field, std::string value,
           std::string message) {
  Location loc{.file = file, .field = std::move(field), .value = std::move(value)};
  const YAML::Mark m = at.Mark();
  if (m.line >= 0) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return Status("oversight.indicators", std::move(message), std::move(loc));
}

std::string ShowShare(double v) { return fmt::format("{:.1f}%", v * 100.0); }

}  // namespace

bool IsKnownIndicator(std::string_view indicator) {
  return indicator == "visit_rate" || indicator == "canteens" ||
         (indicator.starts_with(kFacilityPrefix) && indicator.size() > kFacilityPrefix.size());
}

std::vector<const IndicatorLink*> IndicatorPolicy::For(int year, int no) const {
  std::vector<const IndicatorLink*> out;
  for (const IndicatorLink& l : links)
    if (l.year == year && l.no == no) out.push_back(&l);
  return out;
}

Result<IndicatorPolicy> ParseIndicatorPolicy(std::string_view text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Location loc{.file = name};
    if (e.mark.line >= 0) {
      loc.line = e.mark.line + 1;
      loc.column = e.mark.column + 1;
    }
    return Status("oversight.indicators", "不是有效的 YAML：" + e.msg, loc);
  }
  if (!root.IsMap()) return Bad(name, root, "", "", "文件应为 YAML 映射");
  if (!root["format"] || !root["format"].IsScalar() ||
      root["format"].Scalar() != "yanglao.task_indicators/1") {
    return Bad(name, root["format"] ? root["format"] : root, "format",
               root["format"] && root["format"].IsScalar() ? root["format"].Scalar() : "",
               "format 应为 yanglao.task_indicators/1");
  }
  IndicatorPolicy p;
  p.file = name;
  const YAML::Node j = root["jurisdiction"];
  if (!j || !j.IsScalar() || j.Scalar().size() != 6 ||
      j.Scalar().find_first_not_of("0123456789") != std::string::npos) {
    return Bad(name, j ? j : root, "jurisdiction", j && j.IsScalar() ? j.Scalar() : "",
               "jurisdiction 应为 6 位区划代码（加引号）");
  }
  p.jurisdiction = j.Scalar();
  const YAML::Node d = root["at_risk_days"];
  try {
    if (!d || !d.IsScalar()) throw YAML::Exception(YAML::Mark(), "");
    p.at_risk_days = d.as<int>();
    if (p.at_risk_days < 0 || p.at_risk_days > 366) throw YAML::Exception(YAML::Mark(), "");
  } catch (const YAML::Exception&) {
    return Bad(name, d ? d : root, "at_risk_days", d && d.IsScalar() ? d.Scalar() : "",
               "at_risk_days 应为 0 到 366 之间的天数");
  }
  if (root["at_risk_basis"] && root["at_risk_basis"].IsScalar())
    p.at_risk_basis = root["at_risk_basis"].Scalar();
  const YAML::Node links = root["links"];
  if (!links || !links.IsSequence())
    return Bad(name, links ? links : root, "links", "", "缺少 links 列表");
  for (size_t i = 0; i < links.size(); ++i) {
    const YAML::Node n = links[i];
    const std::string where = fmt::format("links[{}]", i);
    if (!n.IsMap()) return Bad(name, n, where, "", "每一项应为映射");
    IndicatorLink l;
    l.line = n.Mark().line + 1;
    for (const char* key : {"year", "no", "indicator", "min", "quote"}) {
      if (!n[key] || !n[key].IsScalar() || n[key].Scalar().empty()) {
        return Bad(name, n, where + "." + key, "", fmt::format("缺少「{}」", key));
      }
    }
    try {
      l.year = n["year"].as<int>();
      l.no = n["no"].as<int>();
    } catch (const YAML::Exception&) {
      return Bad(name, n, where + ".year", n["year"].Scalar(), "year 与 no 应为整数");
    }
    if (l.year < 2000 || l.year > 2100 || l.no < 1 || l.no > 999) {
      return Bad(name, n, where + ".no", n["no"].Scalar(), "year 或 no 超出范围");
    }
    l.indicator = n["indicator"].Scalar();
    if (!IsKnownIndicator(l.indicator)) {
      return Bad(name, n["indicator"], where + ".indicator", l.indicator,
                 "未知的指标（可用 visit_rate、canteens、facility:<目标编号>）");
    }
    try {
      l.min = n["min"].as<double>();
    } catch (const YAML::Exception&) {
      l.min = -1;
    }
    if (!(l.min >= 0) || !std::isfinite(l.min)) {
      return Bad(name, n["min"], where + ".min", n["min"].Scalar(), "min 应为非负数");
    }
    l.quote = n["quote"].Scalar();
    p.links.push_back(std::move(l));
  }
  return p;
}

Result<IndicatorPolicy> LoadIndicatorPolicy(const std::filesystem::path& path) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) return text.status();
  return ParseIndicatorPolicy(*text, path.string());
}

Result<std::unique_ptr<LiveIndicators>> LiveIndicators::Read(registry::Registry& registry,
                                                             const facility::FacilityPolicy& policy,
                                                             CivilDate on) {
  std::unique_ptr<LiveIndicators> live(new LiveIndicators());
  live->policy_ = &policy;
  facility::FacilityStore fstore(registry.db());
  Result<std::vector<facility::Facility>> facilities = fstore.Facilities(policy.jurisdiction);
  if (!facilities.ok()) return facilities.status();
  for (const facility::Facility& f : *facilities) {
    if (f.active() && f.kind == facility::Kind::kCanteen && f.community.size() >= 6) {
      ++live->canteens_[""];
      ++live->canteens_[f.community.substr(0, 6)];
    }
  }
  Result<std::vector<facility::Estate>> estates = fstore.Estates(policy.jurisdiction);
  if (!estates.ok()) return estates.status();
  Result<std::vector<facility::CommunityPoint>> points = fstore.Points(policy.jurisdiction);
  if (!points.ok()) return points.status();
  Result<facility::CityView> view =
      facility::BuildCityView(policy, std::move(*facilities), std::move(*estates), *points, {});
  if (!view.ok()) return view.status();
  live->view_ = std::move(*view);
  for (const facility::Unit& u : live->view_.counties) live->counties_.push_back(u.region->code);

  live->visit_month_ = Month::Of(on).AddMonths(-1);
  visits::VisitsStore vstore(registry.db());
  Result<std::vector<visits::RateRow>> rates =
      vstore.Rates(live->visit_month_, visits::RateLevel::kCounty, policy.jurisdiction);
  if (!rates.ok()) return rates.status();
  for (const visits::RateRow& r : *rates) {
    for (const std::string& scope : {std::string(), r.unit}) {
      auto& [done, roster] = live->visits_[scope];
      done += r.visited + r.documented;
      roster += r.roster;
    }
  }
  return live;
}

LiveValue LiveIndicators::Value(std::string_view indicator, std::string_view scope) const {
  LiveValue v;
  const std::string key(scope);
  if (indicator == "visit_rate") {
    v.label = "月探访率";
    v.share = true;
    auto it = visits_.find(key);
    if (it == visits_.end() || it->second.second == 0) {
      v.why = fmt::format("{} 没有探访花名册", visit_month_.ToString());
      return v;
    }
    v.known = true;
    v.numerator = it->second.first;
    v.denominator = it->second.second;
    v.value = static_cast<double>(v.numerator) / static_cast<double>(v.denominator);
    v.shown = ShowShare(v.value);
    return v;
  }
  if (indicator == "canteens") {
    v.label = "幸福食堂（助餐点）";
    v.known = true;
    auto it = canteens_.find(key);
    v.numerator = it == canteens_.end() ? 0 : it->second;
    v.value = static_cast<double>(v.numerator);
    v.shown = fmt::format("{} 个", v.numerator);
    return v;
  }
  if (indicator.starts_with(kFacilityPrefix)) {
    const std::string_view id = indicator.substr(kFacilityPrefix.size());
    for (const facility::Target& t : policy_->targets) {
      if (t.id != id) continue;
      v.label = t.label;
      v.share = t.is_ratio();
      const facility::Indicator i = facility::Compute(view_, t, scope);
      v.known = i.known;
      v.value = i.value;
      v.numerator = i.numerator;
      v.denominator = i.denominator;
      v.why = i.why;
      if (v.known) v.shown = v.share ? ShowShare(v.value) : fmt::format("{}", i.numerator);
      return v;
    }
    v.why = fmt::format("设施规则中没有目标 {}", id);
    return v;
  }
  v.why = "未知的指标";
  return v;
}

std::vector<LiveCheck> Checks(const LiveIndicators& live, const IndicatorPolicy& policy, int year,
                              int no, std::string_view scope) {
  std::vector<LiveCheck> out;
  for (const IndicatorLink* l : policy.For(year, no)) {
    LiveCheck c{.link = l, .value = live.Value(l->indicator, scope)};
    c.met = c.value.known && c.value.value + 1e-9 >= l->min;
    out.push_back(std::move(c));
  }
  return out;
}

TaskState LiveStateOn(const StoredTask& task, const std::vector<LiveCheck>& checks,
                      const std::optional<ProgressReport>& latest, int at_risk_days, CivilDate on) {
  bool all_known = !checks.empty();
  bool all_met = true;
  for (const LiveCheck& c : checks) {
    all_known = all_known && c.value.known;
    all_met = all_met && c.met;
  }
  if (!all_known) return StateOn(task, latest, on);
  if (all_met) return TaskState::kDone;
  if (on > task.deadline) return TaskState::kOverdue;
  if (task.deadline.DaysSinceEpoch() - on.DaysSinceEpoch() <= at_risk_days)
    return TaskState::kAtRisk;
  return TaskState::kOnTrack;
}

}  // namespace yanglao::oversight
