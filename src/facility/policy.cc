#include "facility/policy.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "core/file_io.h"
#include "core/region.h"

namespace yanglao::facility {
namespace {

Status Bad(const std::string& file, std::string field, std::string value, std::string message) {
  return Status("facility.policy", std::move(message),
                Location{.file = file, .field = std::move(field), .value = std::move(value)});
}

std::string Text(const YAML::Node& n, const char* key) {
  const YAML::Node v = n[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

Result<std::optional<int64_t>> OptInt(const YAML::Node& n, const char* key, const std::string& file,
                                      const std::string& where) {
  const YAML::Node v = n[key];
  if (!v || v.IsNull()) return std::optional<int64_t>();
  try {
    int64_t x = v.as<int64_t>();
    if (x < 0 || x > 1'000'000) throw YAML::Exception(YAML::Mark(), "range");
    return std::optional<int64_t>(x);
  } catch (const YAML::Exception&) {
    return Bad(file, where + "." + key, YAML::Dump(v), "应为 0 到 1000000 之间的整数");
  }
}

Result<AreaRule> ReadRule(const YAML::Node& n, const std::string& file, const std::string& where) {
  AreaRule r;
  if (!n) return r;
  if (!n.IsMap()) return Bad(file, where, "", "应为映射");
  Result<std::optional<int64_t>> rate = OptInt(n, "m2_per_100_households", file, where);
  if (!rate.ok()) return rate.status();
  Result<std::optional<int64_t>> site = OptInt(n, "min_single_site_m2", file, where);
  if (!site.ok()) return site.status();
  r.m2_per_100_households = *rate;
  r.min_single_site_m2 = *site;
  r.quote = Text(n, "quote");
  r.note = Text(n, "note");
  return r;
}

std::optional<Measure> MeasureOf(std::string_view s) {
  if (s == "unit_coverage") return Measure::kUnitCoverage;
  if (s == "unit_count") return Measure::kUnitCount;
  if (s == "estate_compliance") return Measure::kEstateCompliance;
  if (s == "beds_total") return Measure::kBedsTotal;
  if (s == "nursing_bed_share") return Measure::kNursingBedShare;
  if (s == "older_within_walk") return Measure::kOlderWithinWalk;
  if (s == "not_tracked") return Measure::kNotTracked;
  return std::nullopt;
}

std::optional<UnitLevel> LevelOf(std::string_view s) {
  if (s == "county") return UnitLevel::kCounty;
  if (s == "township") return UnitLevel::kTownship;
  if (s == "street") return UnitLevel::kStreet;
  if (s == "town") return UnitLevel::kTown;
  if (s == "urban_community") return UnitLevel::kUrbanCommunity;
  if (s == "rural_community") return UnitLevel::kRuralCommunity;
  return std::nullopt;
}

Result<FacilityPolicy> Parse(const YAML::Node& root, const std::string& file) {
  FacilityPolicy p;
  p.file = file;
  if (!root.IsMap()) return Bad(file, "", "", "政策文件应为 YAML 映射");
  if (Text(root, "format") != "yanglao.facility/1") {
    return Bad(file, "format", Text(root, "format"), "格式应为 yanglao.facility/1");
  }
  p.jurisdiction_display = Text(root, "jurisdiction");
  Result<std::string> code = NormalizeRegionCode(p.jurisdiction_display);
  if (!code.ok()) return Bad(file, "jurisdiction", p.jurisdiction_display, "区划代码格式不对");
  p.jurisdiction = *code;
  p.city = Text(root, "city");
  p.document = Text(root, "document");
  p.document_title = Text(root, "document_title");
  p.issued = Text(root, "issued");
  p.source = Text(root, "source");
  if (p.source.empty()) return Bad(file, "source", "", "须注明所依据的原文（source）");
  try {
    p.version = root["version"] ? root["version"].as<int>() : 0;
  } catch (const YAML::Exception&) {
    return Bad(file, "version", "", "版本应为整数");
  }
  const YAML::Node estates = root["estates"];
  if (estates) {
    try {
      p.new_from_year = estates["new_from_year"] ? estates["new_from_year"].as<int>() : 0;
    } catch (const YAML::Exception&) {
      return Bad(file, "estates.new_from_year", "", "应为年份");
    }
    p.new_from_note = Text(estates, "new_from_note");
    Result<AreaRule> n = ReadRule(estates["new"], file, "estates.new");
    if (!n.ok()) return n.status();
    Result<AreaRule> e = ReadRule(estates["existing"], file, "estates.existing");
    if (!e.ok()) return e.status();
    p.new_rule = *n;
    p.existing_rule = *e;
  }
  const YAML::Node walk = root["walk"];
  if (!walk || !walk.IsMap()) return Bad(file, "walk", "", "须有步行圈参数（walk）");
  try {
    p.walk.minutes = walk["minutes"].as<double>();
    p.walk.meters_per_minute = walk["meters_per_minute"].as<double>();
    p.walk.detour_factor = walk["detour_factor"].as<double>();
  } catch (const YAML::Exception&) {
    return Bad(file, "walk", "", "步行圈参数应为数值：minutes、meters_per_minute、detour_factor");
  }
  if (!(p.walk.minutes > 0 && p.walk.minutes <= 120 && p.walk.meters_per_minute > 0 &&
        p.walk.meters_per_minute <= 200 && p.walk.detour_factor >= 1 &&
        p.walk.detour_factor <= 5)) {
    return Bad(file, "walk", "", "步行圈参数超出合理范围");
  }
  const YAML::Node targets = root["targets"];
  if (targets && !targets.IsSequence()) return Bad(file, "targets", "", "targets 应为列表");
  for (size_t i = 0; targets && i < targets.size(); ++i) {
    const YAML::Node t = targets[i];
    std::string where = fmt::format("targets[{}]", i);
    if (!t.IsMap()) return Bad(file, where, "", "应为映射");
    Target target;
    target.id = Text(t, "id");
    target.label = Text(t, "label");
    target.quote = Text(t, "quote");
    target.note = Text(t, "note");
    if (target.id.empty() || target.label.empty() || target.quote.empty()) {
      return Bad(file, where, target.id, "目标须有 id、label 和原文 quote");
    }
    std::optional<Measure> m = MeasureOf(Text(t, "measure"));
    if (!m) return Bad(file, where + ".measure", Text(t, "measure"), "未知的计算方式");
    target.measure = *m;
    if (t["level"]) {
      std::optional<UnitLevel> l = LevelOf(Text(t, "level"));
      if (!l) return Bad(file, where + ".level", Text(t, "level"), "未知的层级");
      target.level = *l;
    } else if (*m == Measure::kUnitCoverage || *m == Measure::kUnitCount) {
      return Bad(file, where + ".level", "", "覆盖率目标须有层级（level）");
    }
    if (t["kinds"]) {
      for (const YAML::Node& k : t["kinds"]) {
        std::string s = k.as<std::string>("");
        std::optional<Kind> kind = KindFromText(s);
        if (!kind) return Bad(file, where + ".kinds", s, "未知的设施类型");
        target.kinds.push_back(*kind);
      }
    }
    if ((*m == Measure::kUnitCoverage || *m == Measure::kUnitCount ||
         *m == Measure::kOlderWithinWalk) &&
        target.kinds.empty()) {
      return Bad(file, where + ".kinds", "", "须列出计入的设施类型（kinds）");
    }
    if (t["estates"]) {
      target.estates = Text(t, "estates");
      if (target.estates != "new" && target.estates != "existing" && target.estates != "all") {
        return Bad(file, where + ".estates", target.estates, "应为 new、existing 或 all");
      }
    }
    const YAML::Node values = t["values"];
    for (size_t j = 0; values && j < values.size(); ++j) {
      TargetValue v;
      try {
        v.year = values[j]["year"].as<int>();
        v.min = values[j]["min"].as<double>();
      } catch (const YAML::Exception&) {
        return Bad(file, fmt::format("{}.values[{}]", where, j), "", "应有 year 和 min");
      }
      if (v.year < 2000 || v.year > 2100 || !std::isfinite(v.min) || v.min < 0) {
        return Bad(file, fmt::format("{}.values[{}]", where, j), std::to_string(v.year),
                   "年份或目标值不合理");
      }
      target.values.push_back(v);
    }
    p.targets.push_back(std::move(target));
  }
  return p;
}

}  // namespace

bool Target::is_ratio() const {
  switch (measure) {
    case Measure::kUnitCoverage:
    case Measure::kEstateCompliance:
    case Measure::kNursingBedShare:
    case Measure::kOlderWithinWalk:
      return true;
    case Measure::kNotTracked:
      for (const TargetValue& v : values) {
        if (v.min < 1) return true;
      }
      return false;
    default:
      return false;
  }
}

std::optional<double> Target::ValueFor(int year) const {
  for (const TargetValue& v : values) {
    if (v.year == year) return v.min;
  }
  return std::nullopt;
}

Result<FacilityPolicy> ParseFacilityPolicy(std::string_view text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status("facility.policy", fmt::format("政策文件不是有效的 YAML：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  try {
    return Parse(root, name);
  } catch (const YAML::Exception& e) {
    return Status("facility.policy", fmt::format("政策文件结构不对：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
}

Result<FacilityPolicy> LoadFacilityPolicy(const std::filesystem::path& path) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) return text.status();
  return ParseFacilityPolicy(*text, path.string());
}

Result<FacilityPolicy> FindFacilityPolicy(const std::filesystem::path& dir,
                                          std::string_view region) {
  Result<std::string> code = NormalizeRegionCode(region);
  if (!code.ok()) return code.status();
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    Result<FacilityPolicy> p = LoadFacilityPolicy(f);
    if (!p.ok()) return p.status();
    if (code->starts_with(p->jurisdiction)) return p;
  }
  return Status("facility.no_policy",
                fmt::format("{} 下没有区划 {} 的设施政策文件", dir.string(), region),
                Location{.file = dir.string(), .field = "region", .value = std::string(region)});
}

bool IsNewEstate(const FacilityPolicy& policy, int year_built) {
  return year_built >= policy.new_from_year;
}

Requirement Required(const FacilityPolicy& policy, int64_t households, bool is_new) {
  Requirement r;
  r.is_new = is_new;
  r.rule = is_new ? &policy.new_rule : &policy.existing_rule;
  if (r.rule->m2_per_100_households) {
    r.known = true;
    int64_t rate = *r.rule->m2_per_100_households;
    r.required_m2 = (households * rate + 99) / 100;
  }
  if (r.rule->min_single_site_m2) r.min_single_site_m2 = *r.rule->min_single_site_m2;
  return r;
}

EstateCheck CheckEstate(const FacilityPolicy& policy, const Estate& estate) {
  EstateCheck c;
  c.req = Required(policy, estate.households, IsNewEstate(policy, estate.year_built));
  if (!c.req.known) return c;
  c.shortfall_m2 = std::max<int64_t>(0, c.req.required_m2 - estate.area_provided_m2);
  c.single_site_short =
      c.req.min_single_site_m2 > 0 && estate.largest_site_m2 < c.req.min_single_site_m2;
  c.compliant = c.shortfall_m2 == 0 && !c.single_site_short;
  return c;
}

}  // namespace yanglao::facility
