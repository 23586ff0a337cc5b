// yanglao oversight: oversight and publication (src/oversight). Thin commands
// over the library: the task breakdown tables, and the 双随机、一公开 draw with
// its verifier (docs/oversight.md).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/file_io.h"
#include "db/migrate.h"
#include "entitle/run.h"
#include "facility/store.h"
#include "oversight/draw.h"
#include "oversight/report.h"
#include "oversight/store.h"
#include "oversight/tasks.h"
#include "policy/service_list.h"

namespace yanglao::cli {
namespace {

struct OversightArgs {
  std::string file = "policies/oversight/suizhou.tasks.yaml";
  std::string policy = "policies/oversight/suizhou.draw.yaml";
  std::string institutions, inspectors, conflicts, seed, out, draw, db;
  int year = 0;
  // report
  std::string period, format = "pdf", jurisdiction = "421300", list = "policies/suizhou.yaml",
                      publication = "policies/oversight/publication.yaml", known_on;
};

int Tasks(const OversightArgs& a) {
  Result<oversight::TaskPlan> plan = oversight::LoadTaskPlan(a.file);
  if (!plan.ok()) return Fail(plan.status());
  bool any = false;
  for (const oversight::TaskTable& t : plan->tables) {
    if (a.year != 0 && t.year != a.year) continue;
    any = true;
    fmt::print("{}（{} 项）\n", t.title, t.tasks.size());
    for (const oversight::Task& task : t.tasks) {
      fmt::print("{}. [{}] {}：{}\n   完成时限 {}（{}）；责任单位 {}\n", task.no, task.area,
                 task.work, task.requirement, task.deadline_text, task.deadline.ToString(),
                 fmt::join(task.units, "、"));
    }
  }
  if (!any) {
    return Fail(
        Status(ErrorCategory::kNotFound, "oversight.not_found",
               fmt::format("{}没有这一年的任务分解表", plan->city),
               Location{.file = a.file, .field = "--year", .value = std::to_string(a.year)}));
  }
  return 0;
}

int Import(const OversightArgs& a) {
  Result<oversight::TaskPlan> plan = oversight::LoadTaskPlan(a.file);
  if (!plan.ok()) return Fail(plan.status());
  std::unique_ptr<registry::Registry> reg = OpenRegistry(a.db);
  if (!reg) return 1;
  if (Status s = db::MigrateAll(reg->db(), {oversight::OversightSchema()}); !s.ok()) return Fail(s);
  oversight::OversightStore store(reg->db());
  Result<oversight::PlanImport> out = store.PutPlan(*plan);
  if (!out.ok()) return Fail(out.status());
  fmt::print("已导入{}任务分解表：新增 {} 项，更新 {} 项，未变 {} 项\n", plan->city, out->added,
             out->updated, out->unchanged);
  return 0;
}

Result<oversight::DrawLists> ReadLists(const OversightArgs& a) {
  Result<std::string> inst = ReadFileBytes(a.institutions);
  if (!inst.ok()) return inst.status();
  Result<std::string> insp = ReadFileBytes(a.inspectors);
  if (!insp.ok()) return insp.status();
  Result<std::string> conf = ReadFileBytes(a.conflicts);
  if (!conf.ok()) return conf.status();
  return oversight::ParseDrawLists(*inst, a.institutions, *insp, a.inspectors, *conf, a.conflicts);
}

int DrawCmd(const OversightArgs& a) {
  Result<oversight::DrawPolicy> policy = oversight::LoadDrawPolicy(a.policy);
  if (!policy.ok()) return Fail(policy.status());
  Result<oversight::DrawLists> lists = ReadLists(a);
  if (!lists.ok()) return Fail(lists.status());
  oversight::DrawParams params{.seed = a.seed,
                               .year = a.year,
                               .share_percent = policy->share_percent,
                               .inspectors_per_institution = policy->inspectors_per_institution};
  Result<oversight::Draw> draw = oversight::ComputeDraw(params, *lists);
  if (!draw.ok()) return Fail(draw.status());
  const std::string text = oversight::FormatDraw(*draw);
  if (a.out.empty()) {
    fmt::print("{}", text);
    return 0;
  }
  {
    std::ofstream f(a.out, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.good()) {
      return Fail(Status("io.write", "无法写出抽查结果文件", Location{.file = a.out}));
    }
  }
  std::map<std::string, std::pair<int, int>> counties;  // drawn, total
  for (const oversight::Institution& i : lists->institutions) ++counties[i.county].second;
  for (const oversight::Pick& p : draw->picks) ++counties[p.county].first;
  fmt::print("{} {} 年“双随机、一公开”：按每个区县不低于 {}% 抽取（{}）\n", policy->city, a.year,
             policy->share_percent, policy->quote);
  for (const auto& [county, n] : counties) {
    fmt::print("  区县 {}：抽取 {} 家，共 {} 家\n", county, n.first, n.second);
  }
  fmt::print("共抽取 {} 家机构，每家 {} 名检查人员（已回避利害关系）；结果写入 {}\n",
             draw->picks.size(), params.inspectors_per_institution, a.out);
  fmt::print("公开种子「{}」与三份名单后，任何人可用 yanglao oversight verify 复核\n", a.seed);
  return 0;
}

int Verify(const OversightArgs& a) {
  Result<std::string> text = ReadFileBytes(a.draw);
  if (!text.ok()) return Fail(text.status());
  Result<oversight::Draw> draw = oversight::ParseDraw(*text, a.draw);
  if (!draw.ok()) return Fail(draw.status());
  Result<oversight::DrawLists> lists = ReadLists(a);
  if (!lists.ok()) return Fail(lists.status());
  oversight::Verdict v = oversight::VerifyDraw(*draw, *lists);
  if (v.same && !a.policy.empty()) {
    Result<oversight::DrawPolicy> policy = oversight::LoadDrawPolicy(a.policy);
    if (!policy.ok()) return Fail(policy.status());
    oversight::Verdict p = oversight::CheckPolicy(*draw, *policy);
    if (!p.same)
      v = p;
    else
      v.reason += "；" + p.reason;
  }
  fmt::print("{}：{}\n", v.same ? "一致" : "不一致", v.reason);
  return v.same ? 0 : 1;
}

int Report(const OversightArgs& a) {
  Result<oversight::Period> period = oversight::ParsePeriod(a.period);
  if (!period.ok()) return Fail(period.status());
  if (a.format != "pdf" && a.format != "xlsx") {
    return Fail(Status(ErrorCategory::kInvalidInput, "oversight.report", "格式应为 pdf 或 xlsx",
                       Location{.field = "--format", .value = a.format}));
  }
  Result<oversight::PublicationPolicy> pub = oversight::LoadPublicationPolicy(a.publication);
  if (!pub.ok()) return Fail(pub.status());
  policy::LoadedList list;
  if (!a.list.empty()) {
    list = policy::LoadServiceList(a.list);
    if (!list.ok()) return Fail(list.errors.front());
  }
  oversight::ReportOptions o{.jurisdiction = a.jurisdiction,
                             .period = *period,
                             .list = a.list.empty() ? nullptr : &list.list,
                             .publication = *pub};
  if (!a.known_on.empty()) {
    Result<CivilDate> k = CivilDate::Parse(a.known_on);
    if (!k.ok()) return Fail(k.status());
    o.known_on = *k;
  }
  std::unique_ptr<registry::Registry> reg = OpenRegistry(a.db);
  if (!reg) return 1;
  if (Status s = db::MigrateAll(reg->db(), {entitle::EntitleSchema(), facility::FacilitySchema()});
      !s.ok())
    return Fail(s);
  Result<oversight::PeriodReport> report = oversight::BuildReport(*reg, o);
  if (!report.ok()) return Fail(report.status());
  const std::string out =
      a.out.empty() ? fmt::format("{}-{}.{}", report->title, period->text, a.format) : a.out;
  Status written = a.format == "pdf" ? oversight::WriteReportPdf(*report, out)
                                     : oversight::WriteReportXlsx(*report, out);
  if (!written.ok()) return Fail(written);
  fmt::print("{}：已写出 {}\n", report->title, out);
  for (const oversight::Indicator& i : report->indicators) {
    fmt::print("  {}：{}（{}）\n", i.name, i.value, i.basis);
  }
  fmt::print("数据截至 {}，按 {} 前登记；隐去少于 {} 人的格子 {} 个\n", report->as_of,
             report->known_on, report->min_people, report->withheld);
  fmt::print("校验值 {}（同一数据状态重出报表，校验值不变）\n", report->digest);
  return 0;
}

}  // namespace

void AddOversightCommands(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<OversightArgs>();
  CLI::App* ov =
      app.add_subcommand("oversight", "监管与公开：年度任务分解表、“双随机、一公开”抽查");
  ov->require_subcommand(1);
  auto lists = [&](CLI::App* cmd) {
    cmd->add_option("--institutions", a->institutions, "机构名单 CSV（机构编号,机构名称,区县代码）")
        ->required();
    cmd->add_option("--inspectors", a->inspectors, "检查人员名单 CSV（检查人员编号,姓名,单位）")
        ->required();
    cmd->add_option("--conflicts", a->conflicts,
                    "利害关系回避名单 CSV（检查人员编号,机构编号,原因）")
        ->required();
  };

  CLI::App* tasks =
      ov->add_subcommand("tasks", "列出任务分解表（逐项：工作、要求、完成时限、责任单位）");
  tasks->add_option("--file", a->file,
                    "任务分解表文件（默认 policies/oversight/suizhou.tasks.yaml）");
  tasks->add_option("--year", a->year, "只列这一年");
  tasks->callback([a, &exit_code] { exit_code = Tasks(*a); });

  CLI::App* imp = ov->add_subcommand("import", "把任务分解表导入数据库（重复导入不重复记录）");
  AddDbOption(imp, a->db);
  imp->add_option("file", a->file, "任务分解表文件")->required();
  imp->callback([a, &exit_code] { exit_code = Import(*a); });

  CLI::App* draw =
      ov->add_subcommand("draw", "按公开的种子抽取机构与检查人员（算法见 docs/oversight.md）");
  draw->add_option("--policy", a->policy, "抽查规则（默认 policies/oversight/suizhou.draw.yaml）");
  draw->add_option("--seed", a->seed, "公开的随机种子（抽取前公布，如当期开奖号码）")->required();
  draw->add_option("--year", a->year, "抽查年度")->required();
  lists(draw);
  draw->add_option("--out", a->out, "写出抽查结果文件（不填：输出到标准输出）");
  draw->callback([a, &exit_code] { exit_code = DrawCmd(*a); });

  CLI::App* verify =
      ov->add_subcommand("verify", "由公布的种子与名单重新抽取，核对抽查结果是否一致");
  verify->add_option("draw", a->draw, "公布的抽查结果文件")->required();
  lists(verify);
  verify->add_option("--policy", a->policy, "同时核对抽查比例不低于此规则（默认随州）");
  verify->callback([a, &exit_code] { exit_code = Verify(*a); });

  CLI::App* report = ov->add_subcommand(
      "report", "统计报表（月报、季报、年报）：PDF 排版中文报表或 XLSX，按公开规则隐去小格");
  AddDbOption(report, a->db);
  report->add_option("--period", a->period, "统计期：2026（年）、2026-Q2（季度）、2026-03（月）")
      ->required();
  report->add_option("--format", a->format, "pdf 或 xlsx（默认 pdf）");
  report->add_option("--out", a->out, "写出的文件（默认：报表标题-统计期.格式）");
  report->add_option("--jurisdiction", a->jurisdiction, "市的区划代码（默认 421300 随州市）");
  report->add_option("--list", a->list, "服务清单文件，用于项目名称（默认 policies/suizhou.yaml）");
  report->add_option("--publication", a->publication,
                     "公开规则（默认 policies/oversight/publication.yaml）");
  report->add_option("--known-on", a->known_on, "按此日前登记的数据（默认统计期末）");
  report->callback([a, &exit_code] { exit_code = Report(*a); });
}

}  // namespace yanglao::cli
