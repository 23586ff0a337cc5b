// yanglao policy diff OLD NEW | policy compliance PARENT CHILD
#include <fmt/format.h>

#include "cli/commands.h"
#include "policy/compliance.h"
#include "policy/list_diff.h"
#include "policy/service_list.h"

namespace yanglao::cli {
namespace {

bool Load(const std::string& file, const std::string& params, policy::LoadedList& out) {
  out = policy::LoadServiceList(file);
  if (!params.empty()) policy::ApplyParameterFile(params, out.list, out.errors);
  for (const Status& e : out.errors) fmt::print(stderr, "{}\n", e.ToString());
  return out.ok();
}

int RunDiff(const std::string& old_file, const std::string& new_file) {
  policy::LoadedList a, b;
  if (!Load(old_file, "", a) || !Load(new_file, "", b)) return 2;
  policy::ListDiff diff = policy::DiffLists(a.list, b.list);
  if (diff.empty()) {
    fmt::print("两个清单的项目、规则与标准相同\n");
    return 0;
  }
  for (const policy::ItemChange& c : diff.items) {
    const char* what = c.kind == policy::ItemChange::Kind::kAdded     ? "新增"
                       : c.kind == policy::ItemChange::Kind::kRemoved ? "删除"
                                                                      : "修改";
    fmt::print("{} 第{}项「{}」\n", what, c.number, c.name);
    for (const std::string& d : c.details) fmt::print("    {}\n", d);
  }
  for (const std::string& p : diff.parameters) fmt::print("{}\n", p);
  return 1;
}

int RunCompliance(const std::string& parent_file, const std::string& child_file,
                  const std::string& parent_params, const std::string& child_params,
                  const std::string& date_text, bool verbose) {
  Result<CivilDate> date =
      date_text.empty() ? Result<CivilDate>(CivilDate::Today()) : CivilDate::Parse(date_text);
  if (!date.ok()) {
    fmt::print(stderr, "yanglao: --date {}\n", date.status().ToString());
    return 2;
  }
  policy::LoadedList parent, child;
  if (!Load(parent_file, parent_params, parent) || !Load(child_file, child_params, child)) return 2;
  Result<policy::ComplianceReport> report = policy::CheckCompliance(parent.list, child.list, *date);
  if (!report.ok()) {
    fmt::print(stderr, "{}\n", report.status().ToString());
    return 2;
  }
  fmt::print("上级清单：{}\n本级清单：{}\n日期：{}\n\n", parent.list.title, child.list.title,
             date->ToString());
  size_t symbolic = 0;
  for (const policy::ItemCheck& c : report->checks) {
    symbolic += c.method == "symbolic";
    if (verbose) {
      fmt::print("  第{}项「{}」→ 本级第{}项：{}（{} 种情形）\n", c.parent_number, c.item_name,
                 c.child_number, c.method == "symbolic" ? "符号判定（穷尽各区间）" : "生成人口搜索",
                 c.cases);
    }
  }
  fmt::print("比对 {} 项：{} 项符号判定（结论确定），{} 项生成人口搜索\n", report->checks.size(),
             symbolic, report->checks.size() - symbolic);
  if (report->complies()) {
    fmt::print("结论：符合“覆盖范围和实现程度不低于上级清单”\n");
    return 0;
  }
  fmt::print("结论：不符合，{} 处问题：\n", report->violations.size());
  for (const policy::ComplianceViolation& v : report->violations) fmt::print("  - {}\n", v.message);
  return 1;
}

}  // namespace

void AddPolicyCompareCommands(CLI::App& policy, int& exit_code) {
  auto old_file = std::make_shared<std::string>();
  auto new_file = std::make_shared<std::string>();
  CLI::App* diff = policy.add_subcommand(
      "diff", "比较清单的两个版本：新增、删除、规则或标准变化的项目；有差异时退出码为1");
  diff->add_option("old", *old_file, "旧版清单")->required();
  diff->add_option("new", *new_file, "新版清单")->required();
  diff->callback([old_file, new_file, &exit_code] { exit_code = RunDiff(*old_file, *new_file); });

  auto parent = std::make_shared<std::string>();
  auto child = std::make_shared<std::string>();
  auto parent_params = std::make_shared<std::string>();
  auto child_params = std::make_shared<std::string>();
  auto date = std::make_shared<std::string>();
  auto verbose = std::make_shared<bool>(false);
  CLI::App* compliance = policy.add_subcommand(
      "compliance", "检查本级清单是否“不低于”上级清单；退出码 0 符合，1 不符合（附反例），2 错误");
  compliance->add_option("parent", *parent, "上级清单")->required();
  compliance->add_option("child", *child, "本级清单")->required();
  compliance->add_option("--parent-params", *parent_params, "上级清单的参数文件");
  compliance->add_option("--child-params", *child_params, "本级清单的参数文件");
  compliance->add_option("--date", *date, "按此日期的参数比较（YYYY-MM-DD，默认今天）");
  compliance->add_flag("--verbose,-v", *verbose, "逐项显示判定方法");
  compliance->callback([=, &exit_code] {
    exit_code = RunCompliance(*parent, *child, *parent_params, *child_params, *date, *verbose);
  });
}

}  // namespace yanglao::cli
