// yanglao assess score | record | import | request | history | due | checksum:
// capability assessment by GB/T 42195-2022 (src/assess).
#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "assess/due.h"
#include "assess/form_json.h"
#include "assess/scoring.h"
#include "assess/store.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/csv.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/region.h"
#include "registry/registry.h"

namespace yanglao::cli {
namespace {

using assess::AssessmentStore;
using registry::Registry;

struct Settings {
  int coma_level = 4;
  bool stack = false;
  int validity_months = 12;
  std::string db;
  std::string recorded;

  assess::RecordSettings Record() const {
    return {.rules = {.coma_level = coma_level, .raises_stack = stack},
            .validity_months = validity_months};
  }
};

void AddRuleOptions(CLI::App* cmd, Settings& s) {
  cmd->add_option("--coma-level", s.coma_level,
                  "昏迷者直接评定的等级：4 完全失能（默认，附录 C.4）或 3 重度失能")
      ->check(CLI::IsMember({3, 4}));
  cmd->add_flag("--stack-raises", s.stack,
                "痴呆/精神障碍与照护风险事件两项上调可以叠加（默认合计至多上调一级）");
}

// The registry and the assessment store over it, or nulls after printing why.
struct Opened {
  std::unique_ptr<Registry> registry;
  std::unique_ptr<AssessmentStore> store;
};
Opened Open(const Settings& s) {
  Opened o;
  o.registry = OpenRegistry(s.db);
  if (o.registry == nullptr) return o;
  Result<std::unique_ptr<AssessmentStore>> store = AssessmentStore::Open(*o.registry);
  if (!store.ok()) {
    fmt::print(stderr, "{}\n", store.status().ToString());
    o.registry.reset();
    return o;
  }
  o.store = std::move(*store);
  return o;
}

Result<CivilDate> DateOr(const std::string& text, CivilDate fallback) {
  if (text.empty()) return fallback;
  return CivilDate::Parse(text);
}

Result<assess::FormDocument> ReadForm(const std::string& path, bool require_header) {
  Result<std::string> text = ReadFileBytes(path);
  if (!text.ok()) return text.status();
  std::string_view body = *text;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  return assess::ParseFormJson(body, path, {.require_header = require_header});
}

// --- score ------------------------------------------------------------------

void PrintScore(const assess::FormDocument& form, const assess::Score& score,
                const assess::ScoringRules& rules) {
  const assess::FormHeader& h = form.header;
  if (!h.id_number.empty() || h.assessed_on) {
    fmt::print("{} {}  {}  {}  {} {}\n", h.id_number.empty() ? "" : MaskIdNumber(h.id_number),
               h.name, h.assessed_on ? h.assessed_on->ToString() : "",
               h.reason ? assess::ReasonName(*h.reason) : "", h.agency, h.assessor);
  }
  for (size_t d = 0; d < assess::kDimensionCount; ++d) {
    const assess::Dimension& dim = assess::Dimensions()[d];
    fmt::print("{} {}：{}/{}\n", dim.clause, dim.name, score.subtotals[d], dim.max);
    for (size_t i = 0; i < assess::kItemCount; ++i) {
      const assess::Item& item = assess::Items()[i];
      if (item.dimension != d) continue;
      int points = form.answers.items[i];
      std::string_view anchor = item.anchors[static_cast<size_t>(points)];
      fmt::print("  {} {}：{}/{}{}\n", item.code, item.name, points, item.max,
                 anchor.empty() ? "" : fmt::format("（{}）", anchor));
    }
  }
  const assess::Level& band = assess::Levels()[static_cast<size_t>(score.preliminary_level)];
  fmt::print("总分 {}/{}，初步等级 {}（附录 C：{}{} 分）\n", score.total, assess::kMaxTotal,
             assess::LevelLabel(score.preliminary_level), band.min_total,
             band.min_total == band.max_total ? "" : fmt::format("-{}", band.max_total));
  const assess::FormAnswers& a = form.answers;
  std::string risks;
  for (size_t i = 0; i < assess::kRiskEventCount; ++i) {
    risks += fmt::format(
        "{}{} {}", i ? "、" : "", assess::RiskEvents()[i].name,
        a.risk_events[i] >= assess::kMaxRiskCount ? "3+" : std::to_string(a.risk_events[i]));
  }
  fmt::print("基本信息：昏迷 {}，痴呆 {}，其他精神障碍 {}；近30天照护风险事件：{}\n",
             a.coma ? "是" : "否", a.dementia ? "是" : "否", a.mental_disorder ? "是" : "否",
             risks);
  if (score.adjustments.empty()) {
    fmt::print("等级调整（附录 C.4）：无\n");
  } else {
    fmt::print("等级调整（附录 C.4）：\n");
    for (const assess::Adjustment& adj : score.adjustments) {
      if (adj.applied) {
        fmt::print("  [采用] {}：{}，{} → {}\n", adj.reason, adj.effect, adj.from, adj.to);
      } else {
        fmt::print("  [未采用] {}：{}，{}\n", adj.reason, adj.effect, adj.note);
      }
    }
  }
  fmt::print("最终等级 {}\n", assess::LevelLabel(score.final_level));
  fmt::print("规则设置：昏迷直接评定为 {} 级；两项上调{}\n", rules.coma_level,
             rules.raises_stack ? "可叠加" : "合计至多一级");
}

std::string ScoreJson(const assess::Score& score) {
  namespace bj = boost::json;
  bj::object o;
  bj::object sub;
  for (size_t d = 0; d < assess::kDimensionCount; ++d) {
    sub[assess::Dimensions()[d].clause] = score.subtotals[d];
  }
  o["subtotals"] = std::move(sub);
  o["total"] = score.total;
  o["preliminary_level"] = score.preliminary_level;
  o["final_level"] = score.final_level;
  bj::array adjustments;
  for (const assess::Adjustment& a : score.adjustments) {
    adjustments.push_back(bj::object{{"code", a.code},
                                     {"clause", a.clause},
                                     {"effect", a.effect},
                                     {"applied", a.applied},
                                     {"from", a.from},
                                     {"to", a.to},
                                     {"reason", a.reason},
                                     {"note", a.note}});
  }
  o["adjustments"] = std::move(adjustments);
  return bj::serialize(o);
}

int RunScore(const std::string& file, const Settings& s, const std::string& format) {
  Result<assess::FormDocument> form = ReadForm(file, false);
  if (!form.ok()) {
    fmt::print(stderr, "{}\n", form.status().ToString());
    return 1;
  }
  assess::ScoringRules rules = s.Record().rules;
  assess::Score score = assess::ScoreForm(form->answers, rules);
  if (format == "json") {
    fmt::print("{}\n", ScoreJson(score));
  } else {
    fmt::print("GB/T 42195-2022 老年人能力评估评分：{}\n", file);
    PrintScore(*form, score, rules);
  }
  return 0;
}

// --- record, import, request, history ----------------------------------------

// What the registry resolves for the person's capability on `on`.
std::string CapabilityNow(Registry& reg, const std::string& id, CivilDate on) {
  Result<std::optional<registry::PersonView>> p = reg.Person(id, on, CivilDate::Today());
  if (!p.ok() || !p->has_value()) return "无";
  auto it = (*p)->facts.find("capability_level");
  if (it == (*p)->facts.end()) return "无有效评估结果";
  return fmt::format("{}（来源 {}，{} 至 {}）",
                     assess::LevelLabel(std::atoi(it->second.value.c_str())), it->second.source,
                     it->second.valid_from, it->second.valid_to);
}

int RunRecord(const std::string& file, const Settings& s) {
  Result<CivilDate> recorded = DateOr(s.recorded, CivilDate::Today());
  if (!recorded.ok()) {
    fmt::print(stderr, "yanglao: --recorded {}\n", recorded.status().ToString());
    return 2;
  }
  Result<assess::FormDocument> form = ReadForm(file, true);
  if (!form.ok()) {
    fmt::print(stderr, "{}\n", form.status().ToString());
    return 1;
  }
  Opened o = Open(s);
  if (o.store == nullptr) return 1;
  const assess::FormHeader& h = form->header;
  std::string before = CapabilityNow(*o.registry, h.id_number, *h.assessed_on);
  Result<assess::RecordOutcome> out = o.store->Record(*form, s.Record(), *recorded);
  if (!out.ok()) {
    fmt::print(stderr, "{}\n", out.status().ToString());
    return 1;
  }
  if (out->already_recorded) {
    fmt::print("{}：此评估已记录（评估 #{}），未作任何改动\n", file, out->first_id);
    return 0;
  }
  assess::Score score = assess::ScoreForm(form->answers, s.Record().rules);
  fmt::print("已记录评估 #{}：{} {}，{} {}，{}（{}）\n", out->first_id, MaskIdNumber(h.id_number),
             h.name, h.assessed_on->ToString(), assess::ReasonName(*h.reason), h.agency,
             h.assessor);
  fmt::print("  总分 {}/{}，初步等级 {}，最终等级 {}，有效至 {}\n", score.total, assess::kMaxTotal,
             score.preliminary_level, assess::LevelLabel(score.final_level),
             assess::ValidUntil(*h.assessed_on, s.validity_months).ToString());
  fmt::print("  登记库（来源 {}，第 {} 批）：新增记录 {}{}{}\n", registry::kAssessmentSource,
             out->feed_id, out->facts_added,
             out->persons_added ? "，登记中原无此人（已按身份号码建立）" : "",
             out->conflicts_added ? fmt::format("，新冲突 {}", out->conflicts_added) : "");
  fmt::print("  {} 的能力等级：记录前 {}；记录后 {}\n", h.assessed_on->ToString(), before,
             CapabilityNow(*o.registry, h.id_number, *h.assessed_on));
  return 0;
}

int RunImport(const std::string& file, const Settings& s) {
  Result<CivilDate> recorded = DateOr(s.recorded, CivilDate::Today());
  if (!recorded.ok()) {
    fmt::print(stderr, "yanglao: --recorded {}\n", recorded.status().ToString());
    return 2;
  }
  Result<assess::BatchFile> batch = assess::ReadBatchFile(file, CivilDate::Today());
  if (!batch.ok()) {
    fmt::print(stderr, "{}\n", batch.status().ToString());
    return 1;
  }
  if (!batch->problems.empty()) {
    for (const Status& p : batch->problems) fmt::print("{}\n", p.ToString());
    fmt::print("{}：{} 份有效表单，{} 处错误{}；整个文件未导入，请改正后重新提交\n", file,
               batch->forms.size(), batch->problem_count,
               batch->problem_count > batch->problems.size()
                   ? fmt::format("（仅列出前 {} 处）", batch->problems.size())
                   : "");
    return 1;
  }
  Opened o = Open(s);
  if (o.store == nullptr) return 1;
  Result<assess::RecordOutcome> out = o.store->Import(*batch, s.Record(), *recorded);
  if (!out.ok()) {
    fmt::print(stderr, "{}\n", out.status().ToString());
    return 1;
  }
  if (out->already_recorded) {
    fmt::print("{}：{} 份评估均已记录，未作任何改动\n", file, batch->forms.size());
    return 0;
  }
  fmt::print(
      "{}：导入评估 {} 份（评估 #{} 起），已记录过 {} 份；登记库第 {} 批新增记录 {}，"
      "新增人员 {}，新冲突 {}\n",
      file, out->assessments_added, out->first_id, out->assessments_unchanged, out->feed_id,
      out->facts_added, out->persons_added, out->conflicts_added);
  return 0;
}

int RunRequest(const std::string& id, const std::string& date, const std::string& note,
               const Settings& s) {
  Result<CivilDate> on = DateOr(date, CivilDate::Today());
  if (!on.ok()) {
    fmt::print(stderr, "yanglao: --date {}\n", on.status().ToString());
    return 2;
  }
  Opened o = Open(s);
  if (o.store == nullptr) return 1;
  if (Status st = o.store->Request({id, *on, note}, CivilDate::Today()); !st.ok()) {
    fmt::print(stderr, "yanglao: {}\n", st.ToString());
    return 1;
  }
  fmt::print("已登记复评申请：{}，自 {} 起应评估{}\n", MaskIdNumber(id), on->ToString(),
             note.empty() ? "" : fmt::format("（{}）", note));
  return 0;
}

int RunHistory(const std::string& id_text, const Settings& s) {
  Result<IdNumber> id = ParseIdNumber(id_text, RegionTable::Builtin(), CivilDate::Today());
  if (!id.ok()) {
    fmt::print(stderr, "yanglao: {}\n", id.status().ToString());
    return 1;
  }
  Opened o = Open(s);
  if (o.store == nullptr) return 1;
  Result<std::vector<assess::AssessmentRecord>> list = o.store->History(id->value);
  if (!list.ok()) {
    fmt::print(stderr, "{}\n", list.status().ToString());
    return 1;
  }
  if (list->empty()) {
    fmt::print("{} 没有评估记录\n", id->value);
    return 0;
  }
  fmt::print("{} 的能力评估（{} 次）：\n", id->value, list->size());
  for (const assess::AssessmentRecord& a : *list) {
    std::vector<std::string_view> adjusted;
    for (const std::string& code : a.adjustments) adjusted.push_back(assess::AdjustmentName(code));
    fmt::print(
        "  #{} {} {}  {} {}  总分 {} 初步 {} 级 → 最终 {}{}  有效至 {}（记录于 {}，登记库第 {} "
        "批第 {} 行）\n",
        a.id, a.assessed_on.ToString(), assess::ReasonName(a.reason), a.agency, a.assessor, a.total,
        a.preliminary_level, assess::LevelLabel(a.final_level),
        adjusted.empty() ? "" : fmt::format("（上调：{}）", fmt::join(adjusted, "、")),
        a.valid_until.ToString(), a.recorded_on.ToString(), a.feed_id, a.row);
  }
  return 0;
}

// --- due ----------------------------------------------------------------------

struct DueArgs {
  std::string region;
  std::string as_of;
  std::string known_on;
  int soon_days = 30;
  int cohort_age = 80;
  double target = 100;
  size_t limit = 100;
  std::string format = "text";
};

std::string RegionName(std::string_view code) {
  const Region* r = RegionTable::Builtin().Find(code);
  return r != nullptr ? r->name : "";
}

std::string Percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f}%",
                                 100.0 * static_cast<double>(part) / static_cast<double>(whole))
                   : "-";
}

std::string Describe(const assess::DueEntry& e, CivilDate as_of) {
  std::string what;
  if (e.last_assessed) {
    what = fmt::format("上次评估 {} {}级，有效至 {}", e.last_assessed->ToString(), e.last_level,
                       e.valid_until->ToString());
    if (e.status == assess::DueStatus::kOverdue) {
      what +=
          fmt::format("（已过 {} 天）", as_of.DaysSinceEpoch() - e.valid_until->DaysSinceEpoch());
    }
  }
  if (e.requested_on) {
    what += fmt::format("{}申请复评 {}", what.empty() ? "" : "；", e.requested_on->ToString());
  }
  if (!e.need.empty()) what += fmt::format("{}需要评估：{}", what.empty() ? "" : "；", e.need);
  return what;
}

int RunDue(const DueArgs& args, const Settings& s) {
  Result<CivilDate> as_of = DateOr(args.as_of, CivilDate::Today());
  Result<CivilDate> known = DateOr(args.known_on, CivilDate::Today());
  if (!as_of.ok() || !known.ok()) {
    fmt::print(stderr, "yanglao: 日期格式应为 YYYY-MM-DD\n");
    return 2;
  }
  if (RegionTable::Builtin().Find(args.region) == nullptr) {
    fmt::print(stderr, "yanglao: 找不到行政区划「{}」 [assess.region]\n", args.region);
    return 2;
  }
  Opened o = Open(s);
  if (o.store == nullptr) return 1;
  assess::DueOptions options{.as_of = *as_of,
                             .known_on = *known,
                             .soon_days = args.soon_days,
                             .cohort_age = args.cohort_age};
  Result<assess::DueReport> report = assess::ComputeDue(*o.store, args.region, options);
  if (!report.ok()) {
    fmt::print(stderr, "{}\n", report.status().ToString());
    return 1;
  }
  const assess::DueReport& r = *report;
  using assess::DueStatus;
  constexpr DueStatus kStatuses[] = {DueStatus::kOverdue, DueStatus::kRequested,
                                     DueStatus::kDueSoon, DueStatus::kNever};
  if (args.format == "csv") {
    fmt::print(
        "状态,居住地代码,居住地,公民身份号码,姓名,年龄,上次评估,等级,有效至,申请复评,"
        "需要评估的原因\n");
    for (const assess::DueEntry& e : r.entries) {
      fmt::print("{},{},{},{},{},{},{},{},{},{},{}\n", assess::DueStatusName(e.status), e.residence,
                 CsvEscape(RegionName(e.residence)), MaskIdNumber(e.id_number), CsvEscape(e.name),
                 e.age, e.last_assessed ? e.last_assessed->ToString() : "",
                 e.last_level >= 0 ? std::to_string(e.last_level) : "",
                 e.valid_until ? e.valid_until->ToString() : "",
                 e.requested_on ? e.requested_on->ToString() : "", CsvEscape(e.need));
    }
    return 0;
  }

  fmt::print("{}（{}）能力评估工作清单：{}（按 {} 所知）\n", r.region_name, r.region_code,
             as_of->ToString(), known->ToString());
  fmt::print("在世 60 周岁及以上常住老年人 {} 人，有有效评估结果 {} 人（{}）\n",
             r.residents_60_plus, r.valid_60_plus, Percent(r.valid_60_plus, r.residents_60_plus));
  fmt::print("已过期 {} 人，申请复评 {} 人，{} 天内到期 {} 人，从未评估但需要评估 {} 人\n",
             r.Count(DueStatus::kOverdue), r.Count(DueStatus::kRequested), args.soon_days,
             r.Count(DueStatus::kDueSoon), r.Count(DueStatus::kNever));

  // Counts by street and, within a county or below, by community.
  const Region* region = RegionTable::Builtin().Find(args.region);
  bool communities = region->level >= RegionLevel::kCounty;
  std::map<std::string, std::array<int64_t, 4>> by_unit;
  for (const assess::DueEntry& e : r.entries) {
    auto k = static_cast<size_t>(e.status);
    ++by_unit[e.residence.substr(0, 9)][k];
    if (communities && e.residence.size() == 12) ++by_unit[e.residence][k];
  }
  fmt::print("\n按{}：已过期 / 申请复评 / 即将到期 / 从未评估\n",
             communities ? "街道（乡镇）和社区（村）" : "街道（乡镇）");
  for (const auto& [unit, n] : by_unit) {
    fmt::print("{}{} {}  {} / {} / {} / {}\n", unit.size() == 12 ? "  " : "", unit,
               RegionName(unit), n[0], n[1], n[2], n[3]);
  }

  fmt::print(
      "\n名单（身份号码已遮蔽{}）：\n",
      args.limit > 0 && r.entries.size() > args.limit
          ? fmt::format("；前 {} 人，共 {} 人，--limit 0 显示全部", args.limit, r.entries.size())
          : "");
  size_t shown = 0;
  for (DueStatus status : kStatuses) {
    for (const assess::DueEntry& e : r.entries) {
      if (e.status != status) continue;
      if (args.limit > 0 && shown >= args.limit) break;
      ++shown;
      fmt::print("  {}  {} {} {}岁  {} {}  {}\n", assess::DueStatusName(e.status),
                 MaskIdNumber(e.id_number), e.name, e.age, e.residence, RegionName(e.residence),
                 Describe(e, *as_of));
    }
  }

  fmt::print("\n{} 周岁及以上老年人能力评估覆盖率（{}，目标 {}%）：\n", args.cohort_age,
             as_of->ToString(), args.target);
  fmt::print("县级单位  {}周岁及以上 / 有效评估 / 覆盖率 / 曾评估 / 距目标还需评估\n",
             args.cohort_age);
  auto row = [&](const std::string& label, const assess::Coverage& c) {
    auto goal =
        static_cast<int64_t>(std::ceil(args.target / 100.0 * static_cast<double>(c.cohort)));
    fmt::print("{}  {} / {} / {} / {} / {}\n", label, c.cohort, c.valid, Percent(c.valid, c.cohort),
               c.ever, std::max<int64_t>(0, goal - c.valid));
  };
  for (const assess::Coverage& c : r.coverage)
    row(fmt::format("{} {}", c.county, RegionName(c.county)), c);
  row("合计", r.total);
  return 0;
}

int RunChecksum(const Settings& s) {
  Opened o = Open(s);
  if (o.store == nullptr) return 1;
  Result<std::string> sum = o.store->Checksum();
  if (!sum.ok()) {
    fmt::print(stderr, "{}\n", sum.status().ToString());
    return 1;
  }
  fmt::print("{}\n", *sum);
  return 0;
}

}  // namespace

void AddAssessCommands(CLI::App& app, int& exit_code) {
  CLI::App* assess = app.add_subcommand(
      "assess", "老年人能力评估（GB/T 42195-2022）：评分、记录、批量导入、复评申请、工作清单");
  assess->require_subcommand(1);
  auto settings = std::make_shared<Settings>();
  auto file = std::make_shared<std::string>();

  auto format = std::make_shared<std::string>("text");
  CLI::App* score =
      assess->add_subcommand("score", "按评估表（JSON）计算各维度得分、总分、等级和调整");
  score->add_option("form", *file, "评估表 JSON 文件（格式见 docs/assessment.md）")->required();
  AddFormatOption(score, *format, {"text", "json"}, "text（默认）或 json");
  AddRuleOptions(score, *settings);
  score->callback([=, &exit_code] { exit_code = RunScore(*file, *settings, *format); });

  auto add_record_options = [settings](CLI::App* cmd) {
    AddRuleOptions(cmd, *settings);
    cmd->add_option("--validity-months", settings->validity_months, "评估结果有效期（月，默认 12）")
        ->check(CLI::Range(1, 60));
    cmd->add_option("--recorded", settings->recorded, "记录日期（已知日期），默认今天");
    AddDbOption(cmd, settings->db);
  };
  CLI::App* record = assess->add_subcommand(
      "record", "记录一次评估，并把能力等级等写入老年人信息库（来源：评估机构）");
  record->add_option("form", *file, "评估表 JSON 文件（须有身份号码、日期、原因、评估员、机构）")
      ->required();
  add_record_options(record);
  record->callback([=, &exit_code] { exit_code = RunRecord(*file, *settings); });

  CLI::App* import = assess->add_subcommand(
      "import", "批量导入评估（JSON Lines，每行一份）；有错误行时整个文件不导入");
  import->add_option("file", *file, "批量文件（如 yanglao gen 写出的 能力评估.jsonl）")->required();
  add_record_options(import);
  import->callback([=, &exit_code] { exit_code = RunImport(*file, *settings);
});

auto id = std::make_shared<std::string>();
auto date = std::make_shared<std::string>();
auto note = std::make_shared<std::string>();
CLI::App* request = assess->add_subcommand("request", "登记复评申请：此人自该日起应重新评估");
request->add_option("id", *id, "公民身份号码")->required();
request->add_option("--date", *date, "申请日期，默认今天");
request->add_option("--note", *note, "说明（如：家属申请，近期跌倒后行动不便）");
AddDbOption(request, settings->db);
request->callback([=, &exit_code] { exit_code = RunRequest(*id, *date, *note, *settings); });

CLI::App* history = assess->add_subcommand("history", "某人的全部评估记录");
history->add_option("id", *id, "公民身份号码")->required();
AddDbOption(history, settings->db);
history->callback([=, &exit_code] { exit_code = RunHistory(*id, *settings); });

auto due_args = std::make_shared<DueArgs>();
CLI::App* due = assess->add_subcommand(
    "due", "工作清单：到期、过期、申请复评、从未评估但需要评估的人，及覆盖率");
due->add_option("--region", due_args->region, "市、县、街道或社区代码（如 421300）")->required();
due->add_option("--as-of", due_args->as_of, "清单日期，默认今天");
due->add_option("--known-on", due_args->known_on, "按此日期已知的记录，默认今天");
due->add_option("--soon-days", due_args->soon_days, "多少天内到期算“即将到期”（默认 30）")
    ->check(CLI::Range(0, 365));
due->add_option("--cohort-age", due_args->cohort_age,
                "覆盖率统计的年龄起点，也是需要首次评估的高龄线（默认 80）")
    ->check(CLI::Range(60, 120));
due->add_option("--target", due_args->target,
                "覆盖率目标（%，默认 100：启东市 80 周岁及以上全覆盖）")
    ->check(CLI::Range(0.0, 100.0));
due->add_option("--limit", due_args->limit, "名单最多显示人数（默认 100，0 为全部）");
AddFormatOption(due, due_args->format, {"text", "csv"}, "text（默认）或 csv（全部名单）");
AddDbOption(due, settings->db);
due->callback([=, &exit_code] { exit_code = RunDue(*due_args, *settings); });

CLI::App* checksum = assess->add_subcommand(
    "checksum", "信息库与评估记录各表的行数和内容 SHA-256（比较是否完全相同）");
AddDbOption(checksum, settings->db);
checksum->callback([=, &exit_code] { exit_code = RunChecksum(*settings); });
}  // namespace yanglao::cli

}  // namespace yanglao::cli
