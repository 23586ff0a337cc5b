// yanglao policy check | show | explain | test | diff | compliance
#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "core/csv.h"
#include "core/money.h"
#include "policy/entitlement.h"
#include "policy/fact_schema.h"
#include "policy/golden.h"
#include "policy/person_file.h"
#include "policy/service_list.h"
#include "server/modules.h"

namespace yanglao::cli {
namespace {

namespace fs = std::filesystem;
using policy::LoadedList;

void PrintErrors(const std::vector<Status>& errors) {
  for (const Status& e : errors) fmt::print(stderr, "{}\n", e.ToString());
}

// Does `path` declare `format` in its first lines? The modules' formats are
// in the module table (db::ModuleInfo::policy_formats); a parameter file is
// yanglao.params/1; anything else is read as a service list.
bool HasFormat(const fs::path& path, std::string_view format) {
  std::ifstream in(path);
  std::string line;
  for (int i = 0; i < 20 && std::getline(in, line); ++i) {
    if (line.starts_with("format:")) return line.find(format) != std::string::npos;
  }
  return false;
}
bool IsParameterFile(const fs::path& path) { return HasFormat(path, "yanglao.params/1"); }

// Reads the `for:` of a parameter file, relative to it.
fs::path ParameterFileTarget(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("for:")) {
      std::string target = line.substr(4);
      while (!target.empty() && (target.front() == ' ' || target.front() == '"'))
        target.erase(0, 1);
      while (!target.empty() &&
             (target.back() == ' ' || target.back() == '"' || target.back() == '\r')) {
        target.pop_back();
      }
      return path.parent_path() / target;
    }
  }
  return {};
}

LoadedList LoadWithParams(const std::string& file, const std::string& params) {
  LoadedList loaded = policy::LoadServiceList(file);
  if (!params.empty()) policy::ApplyParameterFile(params, loaded.list, loaded.errors);
  return loaded;
}

int RunCheck(const std::vector<std::string>& inputs) {
  std::vector<fs::path> files;
  for (const std::string& in : inputs) {
    if (fs::is_directory(in)) {
      for (const auto& e : fs::recursive_directory_iterator(in)) {
        if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
      }
    } else {
      files.emplace_back(in);
    }
  }
  std::sort(files.begin(), files.end());
  int failed = 0;
  for (const fs::path& f : files) {
    std::vector<Status> errors;
    size_t items = 0;
    const db::PolicyFormatInfo* format = nullptr;
    for (const db::ModuleInfo* m : server::ModuleInfos()) {
      for (const db::PolicyFormatInfo& pf : m->policy_formats)
        if (HasFormat(f, pf.format)) format = &pf;
    }
    if (format != nullptr) {  // a module's file: the module table names its checker
      Result<size_t> checked = format->check(f);
      if (!checked.ok()) errors.push_back(checked.status());
      items = checked.ok() ? *checked : 0;
    } else if (IsParameterFile(f)) {
      fs::path target = ParameterFileTarget(f);
      if (target.empty()) {
        errors.push_back(Status("policy.missing_field", "参数文件缺少 for（所属清单）",
                                Location{.file = f.string()}));
      } else {
        LoadedList loaded = policy::LoadServiceList(target);
        policy::ApplyParameterFile(f, loaded.list, errors);
      }
    } else {
      LoadedList loaded = policy::LoadServiceList(f);
      errors = std::move(loaded.errors);
      items = loaded.list.items.size();
    }
    if (errors.empty()) {
      fmt::print("{}：通过{}\n", f.string(), items ? fmt::format("（{} 项）", items) : "");
    } else {
      ++failed;
      PrintErrors(errors);
      fmt::print("{}：{} 个错误\n", f.string(), errors.size());
    }
  }
  return failed > 0 ? 1 : 0;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JoinDepartments(const policy::Item& item, std::string_view sep) {
  std::string out;
  for (const std::string& d : item.departments) out += (out.empty() ? "" : std::string(sep)) + d;
  return out;
}

int RunShow(const std::string& file, const std::string& format) {
  LoadedList loaded = policy::LoadServiceList(file);
  if (!loaded.ok()) {
    PrintErrors(loaded.errors);
    return 1;
  }
  const policy::ServiceList& list = loaded.list;
  static const char* kHeader[] = {"序号",     "服务项目", "服务内容及标准",
                                  "服务对象", "服务类型", "牵头责任部门"};
  if (format == "json") {
    fmt::print("{{\"title\": {}, \"jurisdiction\": {}, \"items\": [\n", JsonString(list.title),
               JsonString(list.jurisdiction));
    for (size_t i = 0; i < list.items.size(); ++i) {
      const policy::Item& it = list.items[i];
      std::string deps;
      for (const std::string& d : it.departments)
        deps += (deps.empty() ? "" : ", ") + JsonString(d);
      fmt::print(
          "  {{\"number\": {}, \"name\": {}, \"content\": {}, \"target\": {}, \"kind\": {}, "
          "\"section\": {}, \"departments\": [{}], \"eligibility\": {}}}{}\n",
          JsonString(it.number), JsonString(it.name), JsonString(it.content), JsonString(it.target),
          JsonString(it.kind_label), JsonString(std::string(policy::SectionName(it.section))), deps,
          JsonString(it.eligibility ? policy::ToSource(*it.eligibility) : ""),
          i + 1 < list.items.size() ? "," : "");
    }
    fmt::print("]}}\n");
    return 0;
  }
  if (format == "csv") {
    fmt::print("{},{},{},{},{},{}\n", kHeader[0], kHeader[1], kHeader[2], kHeader[3], kHeader[4],
               kHeader[5]);
    for (const policy::Item& it : list.items) {
      fmt::print("{},{},{},{},{},{}\n", CsvEscape(it.number), CsvEscape(it.name),
                 CsvEscape(it.content), CsvEscape(it.target), CsvEscape(it.kind_label),
                 CsvEscape(JoinDepartments(it, " ")));
    }
    return 0;
  }
  if (format != "table") {
    fmt::print(stderr, "yanglao: --format 应为 table、csv 或 json\n");
    return 2;
  }
  // The published table, tab separated as the documents print it.
  fmt::print("{}\n\n", list.title);
  fmt::print("{}\t{}\t{}\t{}\t{}\t{}\n", kHeader[0], kHeader[1], kHeader[2], kHeader[3], kHeader[4],
             kHeader[5]);
  for (const policy::Item& it : list.items) {
    fmt::print("{}\t{}\t{}\t{}\t{}\t{}\n", it.number, it.name, it.content, it.target, it.kind_label,
               JoinDepartments(it, " "));
  }
  if (!list.section_note.empty()) fmt::print("\n{}\n", list.section_note);
  return 0;
}

int RunExplain(const std::string& file, const std::string& params, const std::string& person_file,
               const std::string& date_text, bool code, const std::string& format) {
  if (format != "text" && format != "json") {
    fmt::print(stderr, "yanglao: --format 应为 text 或 json\n");
    return 2;
  }
  Result<CivilDate> date = CivilDate::Parse(date_text);
  if (!date.ok()) {
    fmt::print(stderr, "yanglao: --date {}\n", date.status().ToString());
    return 2;
  }
  LoadedList loaded = LoadWithParams(file, params);
  if (!loaded.ok()) {
    PrintErrors(loaded.errors);
    return 1;
  }
  Result<policy::PersonFacts> person = policy::ReadPersonFile(person_file, *date);
  if (!person.ok()) {
    fmt::print(stderr, "{}\n", person.status().ToString());
    return 1;
  }
  Result<policy::CompiledList> compiled = policy::CompileList(loaded.list, *date);
  if (!compiled.ok()) {
    fmt::print(stderr, "{}\n", compiled.status().ToString());
    return 1;
  }
  std::vector<policy::ItemOutcome> out =
      policy::EntitlePerson(*compiled, *person, /*explain=*/true, code);
  Money monthly;
  int entitled = 0, verify = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const policy::Item& item = *compiled->items[i].item;
    if (out[i].verify) ++verify;
    if (!out[i].entitled) continue;
    ++entitled;
    if (item.benefit.type == policy::BenefitType::kCash &&
        item.benefit.period == policy::CashPeriod::kMonth && item.benefit.standing())
      monthly += Money::Fen(out[i].amount);
  }
  if (format == "json") {
    namespace bj = boost::json;
    bj::array items;
    for (size_t i = 0; i < out.size(); ++i) {
      const policy::Item& item = *compiled->items[i].item;
      const policy::ItemOutcome& o = out[i];
      bj::object j;
      j["number"] = item.number;
      j["name"] = item.name;
      j["status"] = o.entitled   ? (item.benefit.standing() ? "entitled" : "available")
                    : o.verify   ? "verify"
                    : o.excluded ? "excluded"
                                 : "no";
      j["condition"] = item.benefit.condition;
      j["recipient"] = std::string(policy::RecipientName(item.benefit.recipient));
      j["benefit"] = o.entitled ? policy::BenefitWords(item, o) : "";
      j["amount_fen"] = o.amount;
      j["percent"] = o.percent;
      j["coverage"] = std::string(policy::CoverageName(compiled->items[i].coverage));
      j["combination"] = policy::CombinationWords(*compiled, i);
      bj::array why, unknown;
      for (const std::string& w : o.why) why.emplace_back(w);
      for (size_t slot : o.unknown_facts) {
        const policy::FactInfo& f = policy::FactSchema::Person().at(slot);
        unknown.emplace_back(
            bj::object{{"fact", f.name}, {"label", f.label}, {"department", f.source}});
      }
      j["why"] = std::move(why);
      j["to_verify"] = std::move(unknown);
      items.emplace_back(std::move(j));
    }
    bj::object doc{{"list", loaded.list.title},
                   {"date", date->ToString()},
                   {"person", policy::DescribePerson(*person)},
                   {"entitled", entitled},
                   {"to_verify", verify},
                   {"monthly_cash_fen", monthly.fen()},
                   {"items", std::move(items)}};
    fmt::print("{}\n", bj::serialize(doc));
    return 0;
  }
  fmt::print("{}（{}）\n人员：{}\n\n", loaded.list.title, date->ToString(),
             policy::DescribePerson(*person));
  for (size_t i = 0; i < out.size(); ++i) {
    const policy::Item& item = *compiled->items[i].item;
    const policy::ItemOutcome& o = out[i];
    std::string what = o.entitled ? policy::BenefitWords(item, o) : "";
    if (o.entitled && !item.benefit.standing()) {
      what = fmt::format("可申请（如{}）{}", item.benefit.condition, what);
    }
    if (o.entitled && item.benefit.recipient != policy::Recipient::kOlderPerson) {
      what += fmt::format("；领取人：{}", policy::RecipientName(item.benefit.recipient));
    }
    fmt::print("{} {:>4} {}{}{}\n",
               o.entitled ? "✓"
               : o.verify ? "?"
                          : (o.excluded ? "≈" : "✗"),
               item.number, item.name, what.empty() ? "" : "：" + what, o.verify ? "：待核实" : "");
    std::string how = policy::CombinationWords(*compiled, i);
    if (!how.empty() && o.why.size() > 1) fmt::print("         （{}）\n", how);
    for (const std::string& w : o.why) fmt::print("         {}\n", w);
  }
  fmt::print("\n共享受 {} 项，每月现金合计 {}{}\n", entitled, monthly.FormatYuan(),
             verify > 0 ? fmt::format("；{} 项待核实", verify) : "");
  for (const policy::Parameter& p : loaded.list.parameters) {
    if (p.demo) {
      fmt::print("注意：参数「{}」使用演示数值（非政策规定）\n", p.label);
    }
  }
  return 0;
}

int RunTest(const std::vector<std::string>& files) {
  int failed = 0;
  for (const std::string& f : files) {
    Result<policy::GoldenReport> report = policy::RunGoldenFile(f);
    if (!report.ok()) {
      fmt::print(stderr, "{}\n", report.status().ToString());
      ++failed;
      continue;
    }
    for (const std::string& line : report->failures) fmt::print("{}: {}\n", f, line);
    fmt::print("{}：{} 个用例，{} 处不符\n", f, report->cases, report->failures.size());
    if (!report->failures.empty()) ++failed;
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace

void AddPolicyCommands(CLI::App& app, int& exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "基本养老服务清单：校验、显示、解释、比较、合规");
  policy->require_subcommand(1);

  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* check = policy->add_subcommand(
      "check", "校验清单文件（或目录），列出所有错误及位置；有错误时退出码为1");
  check->add_option("files", *files, "清单文件或目录")->required();
  check->callback([files, &exit_code] { exit_code = RunCheck(*files); });

  auto file = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  CLI::App* show = policy->add_subcommand(
      "show",
      "按公布的表格显示清单（序号、服务项目、服务内容及标准、服务对象、服务类型、牵头责任部门）");
  show->add_option("file", *file, "清单文件")->required();
  show->add_option("--format", *format, "table（默认，制表符分隔）、csv 或 json");
  show->callback([file, format, &exit_code] { exit_code = RunShow(*file, *format); });

  auto params = std::make_shared<std::string>();
  auto person = std::make_shared<std::string>();
  auto date = std::make_shared<std::string>();
  CLI::App* explain =
      policy->add_subcommand("explain", "解释一个人在某日能享受清单中的哪些项目、金额及原因");
  explain->add_option("file", *file, "清单文件")->required();
  explain->add_option("--person", *person, "人员信息（JSON 或 YAML）")->required();
  explain->add_option("--date", *date, "日期（YYYY-MM-DD）")->required();
  explain->add_option("--params", *params, "参数文件（如 policies/demo/ 下的演示数值）");
  auto code = std::make_shared<bool>(false);
  auto explain_format = std::make_shared<std::string>("text");
  explain->add_flag("--code", *code, "同时显示规则原文（规则语言）");
  explain->add_option("--format", *explain_format, "text（默认）或 json");
  explain->callback([file, params, person, date, code, explain_format, &exit_code] {
    exit_code = RunExplain(*file, *params, *person, *date, *code, *explain_format);
  });

  auto cases = std::make_shared<std::vector<std::string>>();
  CLI::App* test = policy->add_subcommand(
      "test", "运行清单的标准用例（tests/policy/*.cases.yaml），逐人与整体两种计算都须符合");
  test->add_option("files", *cases, "用例文件")->required();
  test->callback([cases, &exit_code] { exit_code = RunTest(*cases); });

  AddPolicyCompareCommands(*policy, exit_code);
}

}  // namespace yanglao::cli
