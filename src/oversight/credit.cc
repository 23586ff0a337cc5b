#include "oversight/credit.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/file_io.h"

namespace yanglao::oversight {

namespace {

Status Bad(const std::string& file, const YAML::Node& at, std::string field, std::string value,
           std::string message) {
  Location loc{.file = file, .field = std::move(field), .value = std::move(value)};
  const YAML::Mark m = at.Mark();
  if (m.line >= 0) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return Status("oversight.credit_policy", std::move(message), std::move(loc));
}

Result<int> Int(const YAML::Node& parent, const YAML::Node& n, const std::string& file,
                const std::string& field, int lo, int hi) {
  if (!n || !n.IsScalar())
    return Bad(file, n ? n : parent, field, "", fmt::format("缺少「{}」", field));
  try {
    int v = n.as<int>();
    if (v >= lo && v <= hi) return v;
  } catch (const YAML::Exception&) {
  }
  return Bad(file, n, field, n.Scalar(),
             fmt::format("「{}」应为 {} 到 {} 之间的整数", field, lo, hi));
}

Result<std::string> Text(const YAML::Node& parent, const YAML::Node& n, const std::string& file,
                         const std::string& field) {
  if (!n || !n.IsScalar() || n.Scalar().empty())
    return Bad(file, n ? n : parent, field, "", fmt::format("缺少「{}」", field));
  return n.Scalar();
}

}  // namespace

const CreditBand& CreditPolicy::BandOf(int score) const {
  for (const CreditBand& b : bands)
    if (score >= b.min) return b;
  return bands.back();
}

Result<CreditPolicy> ParseCreditPolicy(std::string_view text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Location loc{.file = name};
    if (e.mark.line >= 0) {
      loc.line = e.mark.line + 1;
      loc.column = e.mark.column + 1;
    }
    return Status("oversight.credit_policy", "不是有效的 YAML：" + e.msg, loc);
  }
  if (!root.IsMap()) return Bad(name, root, "", "", "文件应为 YAML 映射");
  if (!root["format"] || !root["format"].IsScalar() ||
      root["format"].Scalar() != "yanglao.credit/1") {
    return Bad(name, root["format"] ? root["format"] : root, "format", "",
               "format 应为 yanglao.credit/1");
  }
  CreditPolicy p;
  p.file = name;
#define TRY(var, expr)   \
  auto var##_r = (expr); \
  if (!var##_r.ok()) return var##_r.status();
  TRY(quote, Text(root, root["quote"], name, "quote"));
  p.quote = *quote_r;
  if (root["source"] && root["source"].IsScalar()) p.source = root["source"].Scalar();
  if (root["basis"] && root["basis"].IsScalar()) p.basis = root["basis"].Scalar();
  TRY(base, Int(root, root["base"], name, "base", 1, 1000));
  p.base = *base_r;
  TRY(window, Int(root, root["window_months"], name, "window_months", 1, 120));
  p.window_months = *window_r;
  const YAML::Node areas = root["areas"];
  if (!areas || !areas.IsSequence() || areas.size() == 0)
    return Bad(name, areas ? areas : root, "areas", "", "缺少检查方面列表 areas");
  for (size_t i = 0; i < areas.size(); ++i) {
    TRY(a, Text(areas, areas[i], name, fmt::format("areas[{}]", i)));
    if (std::find(p.areas.begin(), p.areas.end(), *a_r) != p.areas.end())
      return Bad(name, areas[i], fmt::format("areas[{}]", i), *a_r, "检查方面重复");
    p.areas.push_back(*a_r);
  }
  const YAML::Node d = root["deductions"];
  if (!d || !d.IsMap()) return Bad(name, d ? d : root, "deductions", "", "缺少扣分规则 deductions");
  const YAML::Node f = d["finding"];
  if (!f || !f.IsMap() || f.size() == 0)
    return Bad(name, f ? f : d, "deductions.finding", "",
               "缺少按问题程度的扣分 deductions.finding");
  for (const auto& kv : f) {
    if (!kv.first.IsScalar() || kv.first.Scalar().empty())
      return Bad(name, kv.first, "deductions.finding", "", "问题程度应为文字");
    const std::string sev = kv.first.Scalar();
    TRY(pts, Int(f, kv.second, name, "deductions.finding." + sev, 0, 1000));
    p.finding[sev] = *pts_r;
  }
  TRY(comp, Int(d, d["complaint"], name, "deductions.complaint", 0, 1000));
  p.complaint = *comp_r;
  TRY(over, Int(d, d["rectification_overdue"], name, "deductions.rectification_overdue", 0, 1000));
  p.rectification_overdue = *over_r;
  const YAML::Node bands = root["bands"];
  if (!bands || !bands.IsSequence() || bands.size() == 0)
    return Bad(name, bands ? bands : root, "bands", "", "缺少信用等级 bands");
  for (size_t i = 0; i < bands.size(); ++i) {
    const YAML::Node b = bands[i];
    const std::string w = fmt::format("bands[{}]", i);
    if (!b.IsMap()) return Bad(name, b, w, "", "每一档信用等级应为映射");
    CreditBand band;
    TRY(level, Text(b, b["level"], name, w + ".level"));
    band.level = *level_r;
    TRY(label, Text(b, b["label"], name, w + ".label"));
    band.label = *label_r;
    TRY(min, Int(b, b["min"], name, w + ".min", 0, p.base));
    band.min = *min_r;
    TRY(freq, Int(b, b["inspections_per_year"], name, w + ".inspections_per_year", 1, 12));
    band.inspections_per_year = *freq_r;
    if (!p.bands.empty() && band.min >= p.bands.back().min)
      return Bad(name, b["min"], w + ".min", std::to_string(band.min), "等级应按分数从高到低排列");
    p.bands.push_back(std::move(band));
  }
  if (p.bands.back().min != 0)
    return Bad(name, bands, "bands", "", "最低一档的 min 应为 0，使每个分数都有等级");
  const YAML::Node g = root["grade_rule"];
  if (!g || !g.IsMap()) return Bad(name, g ? g : root, "grade_rule", "", "缺少等级规则 grade_rule");
  TRY(gq, Text(g, g["quote"], name, "grade_rule.quote"));
  p.grade_quote = *gq_r;
  TRY(go, Text(g, g["ownership"], name, "grade_rule.ownership"));
  p.grade_ownership = *go_r;
  TRY(mg, Int(g, g["min_grade"], name, "grade_rule.min_grade", 1, 5));
  p.min_grade = *mg_r;
#undef TRY
  return p;
}

Result<CreditPolicy> LoadCreditPolicy(const std::filesystem::path& path) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) return text.status();
  return ParseCreditPolicy(*text, path.string());
}

Status CheckInspection(const CreditPolicy& policy, const Inspection& in) {
  auto bad = [](std::string field, std::string value, std::string message) {
    return Status(ErrorCategory::kInvalidInput, "oversight.inspection", std::move(message),
                  Location{.field = std::move(field), .value = std::move(value)});
  };
  if (in.institution.empty()) return bad("institution", "", "缺少机构编号");
  if (in.areas.empty()) return bad("areas", "", "检查记录应列出检查的方面");
  for (size_t i = 0; i < in.areas.size(); ++i) {
    if (std::find(policy.areas.begin(), policy.areas.end(), in.areas[i]) == policy.areas.end())
      return bad(fmt::format("areas[{}]", i), in.areas[i], "不是检查清单中的方面");
  }
  for (size_t i = 0; i < in.findings.size(); ++i) {
    const Finding& f = in.findings[i];
    const std::string w = fmt::format("findings[{}]", i);
    if (std::find(in.areas.begin(), in.areas.end(), f.area) == in.areas.end())
      return bad(w + ".area", f.area, "问题所属方面不在本次检查的方面中");
    if (!policy.finding.contains(f.severity))
      return bad(w + ".severity", f.severity, "问题程度应为扣分规则中的一种");
    if (f.text.empty()) return bad(w + ".text", "", "问题描述不能为空");
    if (f.deadline <= in.on)
      return bad(w + ".deadline", f.deadline.ToString(), "整改期限应晚于检查日期");
    if (f.rectified_on && *f.rectified_on < in.on)
      return bad(w + ".rectified_on", f.rectified_on->ToString(), "整改日期不能早于检查日期");
  }
  return Status::Ok();
}

CreditScore ScoreOn(const CreditPolicy& policy, std::string_view institution,
                    const std::vector<Inspection>& inspections,
                    const std::vector<Complaint>& complaints, CivilDate on) {
  CreditScore s;
  s.institution = std::string(institution);
  const CivilDate from = on.AddMonths(-policy.window_months);
  std::vector<CreditLine> lines;
  for (const Inspection& in : inspections) {
    if (in.institution != institution || in.on > on) continue;
    if (!s.last_inspection || in.on > *s.last_inspection) s.last_inspection = in.on;
    if (in.on <= from) continue;
    for (const Finding& f : in.findings) {
      auto pts = policy.finding.find(f.severity);
      lines.push_back(
          {in.on, pts == policy.finding.end() ? 0 : pts->second,
           fmt::format("{} 检查：{}{}问题（{}）", in.on.ToString(), f.area, f.severity, f.text)});
      const bool done = f.rectified_on && *f.rectified_on <= on;
      if (!done) ++s.open_findings;
      const bool late = f.rectified_on ? *f.rectified_on > f.deadline : on > f.deadline;
      if (late && (f.rectified_on ? *f.rectified_on <= on : true)) {
        lines.push_back({f.deadline.AddDays(1), policy.rectification_overdue,
                         fmt::format("{} 整改期限已过{}（{}）", f.deadline.ToString(),
                                     f.rectified_on ? "才整改" : "仍未整改", f.text)});
      }
    }
  }
  for (const Complaint& c : complaints) {
    if (c.institution != institution || c.on > on || c.on <= from || !c.substantiated) continue;
    lines.push_back({c.on, policy.complaint, fmt::format("{} 投诉经查属实", c.on.ToString())});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const CreditLine& a, const CreditLine& b) { return a.on < b.on; });
  int score = policy.base;
  for (const CreditLine& l : lines) score -= l.points;
  s.score = std::max(0, score);
  s.lines = std::move(lines);
  s.band = policy.BandOf(s.score);
  s.next_due =
      s.last_inspection ? s.last_inspection->AddMonths(12 / s.band.inspections_per_year) : on;
  return s;
}

std::vector<GradeViolation> CheckGrades(const CreditPolicy& policy,
                                        const std::vector<Grade>& grades) {
  std::vector<GradeViolation> out;
  for (const Grade& g : grades) {
    if (g.ownership != policy.grade_ownership || !g.basic_services) continue;
    if (g.grade == 0) {
      out.push_back({g, fmt::format("承担基本养老服务的{}机构尚未评定等级（须达到{}级以上）",
                                    g.ownership, policy.min_grade)});
    } else if (g.grade < policy.min_grade) {
      out.push_back({g, fmt::format("承担基本养老服务的{}机构为{}级，须达到{}级以上", g.ownership,
                                    g.grade, policy.min_grade)});
    }
  }
  return out;
}

std::vector<PublishedFinding> PublishFindings(const Inspection& in, CivilDate on) {
  std::vector<PublishedFinding> out;
  for (const Finding& f : in.findings) {
    std::string status;
    if (f.rectified_on && *f.rectified_on <= on) {
      status = *f.rectified_on <= f.deadline ? "已整改" : "逾期后整改";
    } else {
      status = on > f.deadline ? "逾期未整改" : "整改中";
    }
    out.push_back({f.area, f.severity, f.text, f.deadline.ToString(), status});
  }
  return out;
}

}  // namespace yanglao::oversight
