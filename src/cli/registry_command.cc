// yanglao registry import | import-province | show | history | conflicts | stats | template
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/csv.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/region.h"
#include "gen/calibration.h"
#include "gen/calibration_check.h"
#include "registry/feed_file.h"
#include "registry/feed_template.h"
#include "registry/province_import.h"
#include "registry/registry.h"
#include "registry/stats.h"
#include "xlsx/xlsx.h"

namespace yanglao::cli {
namespace {

using registry::Registry;

struct Common {
  std::string db;
};

// The registry at --db (or the default), or nullptr after printing why not.
std::unique_ptr<Registry> OpenRegistry(const Common& c) { return cli::OpenRegistry(c.db); }

Result<CivilDate> DateOr(const std::string& text, CivilDate fallback) {
  if (text.empty()) return fallback;
  return CivilDate::Parse(text);
}

// Writes the row problems as a report people can open: XLSX, or CSV with a
// UTF-8 byte-order mark (which Excel on Chinese Windows needs to read it).
int WriteProblemReport(const registry::ParsedFeed& feed, const std::string& report) {
  std::vector<std::vector<std::string>> rows = {
      {"工作表", "行", "列", "字段", "值", "错误代码", "原因"}};
  for (const registry::RowProblem& p : feed.problems) {
    rows.push_back({feed.sheet, std::to_string(p.row), std::to_string(p.column), p.header, p.value,
                    p.code, p.message});
  }
  if (report.ends_with(".xlsx")) {
    if (Status s = xlsx::WriteWorkbook(report, {xlsx::Sheet{"错误行", rows}}); !s.ok()) {
      fmt::print(stderr, "{}\n", s.ToString());
      return 1;
    }
  } else {
    std::ofstream out(report, std::ios::binary);
    out << "\xEF\xBB\xBF";
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) out << (i ? "," : "") << CsvEscape(r[i]);
      out << "\r\n";
    }
    if (!out) {
      fmt::print(stderr, "yanglao: 无法写入错误报告 {}\n", report);
      return 1;
    }
  }
  fmt::print("错误报告已写入 {}\n", report);
  return 0;
}

int RunImport(const Common& c, const std::string& source, const std::string& file,
              const std::string& recorded_text, const std::string& report) {
  Result<CivilDate> recorded = DateOr(recorded_text, CivilDate::Today());
  if (!recorded.ok()) {
    fmt::print(stderr, "yanglao: --recorded {}\n", recorded.status().ToString());
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  std::string ext = std::filesystem::path(file).extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".xls") {
    // ReadFeedFile names the format problem.
    fmt::print(stderr, "{}\n",
               registry::ReadFeedFile(file, source, CivilDate::Today()).status().ToString());
    return 1;
  }
  Result<std::string> bytes = ReadFileBytes(file);
  if (!bytes.ok()) {
    fmt::print(stderr, "{}\n", bytes.status().ToString());
    return 1;
  }
  Result<std::unique_ptr<Registry>> opened = Registry::Open(DbUrl(c.db));
  // Progress on a terminal: rows read, rows a second, and an estimate from
  // the share of the file read so far.
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  bool progress_shown = false;
  auto progress = [&](const registry::FeedProgress& p) {
    if (!tty) return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds < 1.0) return;
    double rate = static_cast<double>(p.rows) / seconds;
    fmt::print(stderr, "\r已读取 {} 行，每秒 {:.0f} 行，已用 {:.0f} 秒   ", p.rows, rate, seconds);
    progress_shown = true;
  };
  registry::ParsedFeed feed;
  Result<registry::ImportOutcome> out = registry::ImportOutcome{};
  if (opened.ok()) {
    out =
        (*opened)->ImportBytes(*bytes, file, source, CivilDate::Today(), *recorded, feed, progress);
  } else {
    // Without a database the file is still checked, so its problems are named.
    Result<registry::ParsedFeed> read =
        registry::ReadFeedBytes(*bytes, file, source, CivilDate::Today());
    if (!read.ok()) {
      fmt::print(stderr, "{}\n", read.status().ToString());
      return 1;
    }
    feed = std::move(*read);
    if (feed.problem_count == 0) {
      fmt::print(stderr, "{}\n", opened.status().ToString());
      return 1;
    }
    out = Status("feed.invalid", "");
  }
  if (progress_shown) fmt::print(stderr, "\n");
  if (!out.ok() && out.status().code() != "feed.invalid") {
    fmt::print(stderr, "{}\n", out.status().ToString());
    return 1;
  }
  for (const std::string& w : feed.warnings) fmt::print("提示：{}\n", w);
  if (!out.ok()) {
    const std::string where = feed.sheet.empty() ? file : fmt::format("{}「{}」", file, feed.sheet);
    for (const registry::RowProblem& p : feed.problems) {
      fmt::print("{}:{}:{} 「{}」值「{}」：{} [{}]\n", where, p.row, p.column, p.header, p.value,
                 p.message, p.code);
    }
    if (!report.empty() && WriteProblemReport(feed, report) != 0) return 1;
    fmt::print("{}：{} 行数据，{} 处错误；整个文件未导入，请改正后重新报送\n", file, feed.data_rows,
               feed.problem_count);
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (out->already_imported) {
    fmt::print("{}：此文件已于第 {} 批导入，未作任何改动\n", file, out->feed_id);
    return 0;
  }
  std::string format = feed.encoding == "XLSX" ? fmt::format("XLSX 工作表「{}」", feed.sheet)
                                               : fmt::format("CSV，{} 编码", feed.encoding);
  fmt::print(
      "{}：第 {} 批（{}，记录日期 {}，{}）导入 {} 行：新增人员 {}，新增记录 {}，与已有记录相同 "
      "{}，新冲突 {}；用时 {:.2f} 秒\n",
      file, out->feed_id, source, recorded->ToString(), format, feed.data_rows, out->persons_added,
      out->facts_added, out->facts_unchanged, out->conflicts_added, seconds);
  return 0;
}

// Every file of a province directory (yanglao gen --region 420000) in one
// process: one line per file, and for a file that fails its row problems,
// located as `registry import` locates them.
int RunImportProvince(const Common& c, const std::string& dir, const std::string& recorded_text) {
  Result<CivilDate> recorded = DateOr(recorded_text, CivilDate::Today());
  if (!recorded.ok()) {
    fmt::print(stderr, "yanglao: --recorded {}\n", recorded.status().ToString());
    return 2;
  }
  Result<registry::ProvincePlan> plan = registry::ReadProvincePlan(dir);
  if (!plan.ok()) {
    fmt::print(stderr, "{}\n", plan.status().ToString());
    return 1;
  }
  int64_t rows = 0;
  for (const registry::ProvinceFeedFile& f : plan->files) rows += f.rows;
  fmt::print("{}（{}）：{} 个地级单位，{} 个数据文件，{} 行数据{}\n", plan->region_name,
             plan->region_code, plan->units, plan->files.size(), rows,
             plan->empty_files.empty()
                 ? std::string()
                 : fmt::format("；{} 个部门文件没有数据行，不导入", plan->empty_files.size()));
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  const size_t total = plan->files.size();
  registry::ProvinceImportSummary summary = registry::ImportProvince(
      *reg, *plan, CivilDate::Today(), *recorded, [&](const registry::ProvinceFeedResult& r) {
        const registry::ProvinceFeedFile& f = *r.file;
        const std::string head = fmt::format("[{}/{}] {} {} {}", r.index + 1, total, f.unit_code,
                                             f.unit_name, f.path.filename().string());
        if (r.outcome.already_imported) {
          fmt::print("{}：此文件已于第 {} 批导入，未作任何改动\n", head, r.outcome.feed_id);
        } else if (r.outcome.feed_id > 0) {
          fmt::print(
              "{}：第 {} 批导入 {} 行：新增人员 {}，新增记录 {}，与已有记录相同 {}，新冲突 "
              "{}；用时 {:.2f} 秒\n",
              head, r.outcome.feed_id, r.parsed.data_rows, r.outcome.persons_added,
              r.outcome.facts_added, r.outcome.facts_unchanged, r.outcome.conflicts_added,
              r.seconds);
        }
        std::fflush(stdout);
      });
  if (!summary.status.ok()) {
    const registry::ProvinceFeedResult& r = summary.failed;
    const std::string file = r.file->path.string();
    for (const std::string& w : r.parsed.warnings) fmt::print("提示：{}\n", w);
    if (summary.status.code() == "feed.invalid") {
      const std::string where =
          r.parsed.sheet.empty() ? file : fmt::format("{}「{}」", file, r.parsed.sheet);
      for (const registry::RowProblem& p : r.parsed.problems) {
        fmt::print("{}:{}:{} 「{}」值「{}」：{} [{}]\n", where, p.row, p.column, p.header, p.value,
                   p.message, p.code);
      }
      fmt::print("{}：{} 行数据，{} 处错误；整个文件未导入，请改正后重新报送\n", file,
                 r.parsed.data_rows, r.parsed.problem_count);
    } else {
      fmt::print(stderr, "{}\n", summary.status.ToString());
    }
    std::fflush(stdout);
    fmt::print(stderr,
               "yanglao: 第 {}/{} 个文件 {}（{} {}）未导入，其后的文件未处理；此前的 {} "
               "个文件已导入并提交。改正后重新运行本命令即可从此文件继续（已导入的文件会被识别并"
               "跳过）\n",
               r.index + 1, total, file, r.file->unit_code, r.file->unit_name,
               summary.imported + summary.already_imported);
    return 1;
  }
  fmt::print(
      "全省导入完成：{} 个文件新导入（{} 行：新增人员 {}，新增记录 {}，与已有记录相同 {}，新冲突 "
      "{}），{} 个文件此前已导入；登记共 {} 人；用时 {:.2f} 秒\n",
      summary.imported, summary.rows, summary.persons_added, summary.facts_added,
      summary.facts_unchanged, summary.conflicts_added, summary.already_imported,
      reg->PersonCount(), summary.seconds);
  return 0;
}

// Reads and checks a feed without storing it; the facts are counted and
// dropped batch by batch, so memory is as for an import.
int RunCheck(const std::string& source, const std::string& file) {
  auto start = std::chrono::steady_clock::now();
  Result<std::string> bytes = ReadFileBytes(file);
  if (!bytes.ok()) {
    fmt::print(stderr, "{}\n", bytes.status().ToString());
    return 1;
  }
  int64_t facts = 0;
  registry::FeedOptions options;
  options.sink = [&](std::vector<registry::FactRecord>& batch) {
    facts += static_cast<int64_t>(batch.size());
    return Status::Ok();
  };
  Result<registry::ParsedFeed> feed =
      registry::ReadFeedBytes(*bytes, file, source, CivilDate::Today(), options);
  if (!feed.ok()) {
    fmt::print(stderr, "{}\n", feed.status().ToString());
    return 1;
  }
  for (const std::string& w : feed->warnings) fmt::print("提示：{}\n", w);
  for (const registry::RowProblem& p : feed->problems) {
    fmt::print("{}:{}:{} 「{}」值「{}」：{} [{}]\n", file, p.row, p.column, p.header, p.value,
               p.message, p.code);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}：{} 行数据，{} 处错误，{} 条记录；用时 {:.2f} 秒，每秒 {:.0f} 行\n", file,
             feed->data_rows, feed->problem_count, facts, seconds,
             seconds > 0 ? feed->data_rows / seconds : 0.0);
  return feed->problem_count == 0 ? 0 : 1;
}

// A fact as shown to people: phone numbers masked unless `full`.
void PrintFact(const registry::StoredFact& f, bool with_period, bool full) {
  std::string period =
      with_period ? fmt::format("  {} 至 {}", f.valid_from, f.valid_to.empty() ? "今" : f.valid_to)
                  : "";
  std::string value = f.fact == "phone" && !full ? registry::MaskPhone(f.value)
                                                 : registry::ValueLabel(f.fact, f.value);
  fmt::print("  {:<10} {}{}  （来源 {}，第 {} 批第 {} 行，记录于 {}）\n",
             registry::FactLabel(f.fact), value, period, f.source, f.feed_id, f.row, f.recorded_on);
}

int RunShow(const Common& c, const std::string& id_text, const std::string& as_of_text,
            const std::string& known_text, bool full) {
  Result<CivilDate> as_of = DateOr(as_of_text, CivilDate::Today());
  Result<CivilDate> known = DateOr(known_text, CivilDate::Today());
  if (!as_of.ok() || !known.ok()) {
    fmt::print(stderr, "yanglao: 日期格式应为 YYYY-MM-DD\n");
    return 2;
  }
  Result<IdNumber> id = ParseIdNumber(id_text, RegionTable::Builtin(), CivilDate::Today());
  if (!id.ok()) {
    fmt::print(stderr, "yanglao: {}\n", id.status().ToString());
    return 1;
  }
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  Result<std::optional<registry::PersonView>> p = reg->Person(id->value, *as_of, *known);
  if (!p.ok()) {
    fmt::print(stderr, "{}\n", p.status().ToString());
    return 1;
  }
  if (!p->has_value()) {
    fmt::print(stderr, "yanglao: 截至 {} 登记中没有 {} [registry.not_found]\n", known->ToString(),
               id->value);
    return 1;
  }
  const registry::PersonView& v = **p;
  fmt::print("{} {}  {}  出生 {}  {}周岁（{}）\n", full ? v.id_number : MaskIdNumber(v.id_number),
             v.name(), SexName(v.sex), v.birth_date.ToString(), AgeOn(v.birth_date, *as_of),
             as_of->ToString());
  fmt::print("截至 {} 所知，于 {} 的情况：{}\n", known->ToString(), as_of->ToString(),
             v.deceased_on(*as_of) ? "已死亡" : "在世");
  for (const auto& [fact, f] : v.facts) PrintFact(f, true, full);
  if (!v.overruled.empty()) {
    fmt::print("其他来源的不同记录（按优先级未采用）：\n");
    for (const registry::StoredFact& f : v.overruled) PrintFact(f, true, full);
  }
  return 0;
}

int RunHistory(const Common& c, const std::string& id_text, bool full) {
  Result<IdNumber> id = ParseIdNumber(id_text, RegionTable::Builtin(), CivilDate::Today());
  if (!id.ok()) {
    fmt::print(stderr, "yanglao: {}\n", id.status().ToString());
    return 1;
  }
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  Result<std::vector<registry::StoredFact>> h = reg->History(id->value);
  if (!h.ok()) {
    fmt::print(stderr, "{}\n", h.status().ToString());
    return 1;
  }
  if (h->empty()) {
    fmt::print(stderr, "yanglao: 登记中没有 {} [registry.not_found]\n", id->value);
    return 1;
  }
  fmt::print("{} 的全部记录（{} 条）：\n", full ? id->value : MaskIdNumber(id->value), h->size());
  for (const registry::StoredFact& f : *h) PrintFact(f, true, full);
  return 0;
}

int RunConflicts(const Common& c, size_t limit) {
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  Result<std::vector<registry::Conflict>> list = reg->Conflicts(limit);
  if (!list.ok()) {
    fmt::print(stderr, "{}\n", list.status().ToString());
    return 1;
  }
  fmt::print("待处理冲突 {} 条{}\n", list->size(),
             list->size() == limit ? fmt::format("（仅显示前 {} 条）", limit) : "");
  for (const registry::Conflict& k : *list) {
    fmt::print("#{} {} {}：{}「{}」（第 {} 批第 {} 行） ≠ {}「{}」（第 {} 批第 {} 行）\n", k.id,
               MaskIdNumber(k.id_number), registry::FactLabel(k.fact), k.a.source,
               registry::ValueLabel(k.fact, k.a.value), k.a.feed_id, k.a.row, k.b.source,
               registry::ValueLabel(k.fact, k.b.value), k.b.feed_id, k.b.row);
  }
  return 0;
}

// The registry against the calibration: rate, calibration, difference in
// standard errors.
int PrintCalibration(const registry::RegistryStats& stats, const std::string& city_option,
                     const std::string& calibration_file) {
  gen::Calibration loaded;
  const gen::Calibration* cal = &gen::BuiltinCalibration();
  if (!calibration_file.empty()) {
    Result<gen::Calibration> c = gen::LoadCalibrationFile(calibration_file);
    if (!c.ok()) {
      fmt::print(stderr, "{}\n", c.status().ToString());
      return 1;
    }
    loaded = std::move(*c);
    cal = &loaded;
  }
  std::string city = city_option.empty() ? gen::MainCity(stats) : city_option.substr(0, 4);
  if (city.empty()) {
    fmt::print(stderr, "yanglao: 登记中没有居住地，请用 --city 指定城市 [registry.no_city]\n");
    return 1;
  }
  Result<std::vector<gen::RateCheck>> checks = gen::CompareWithCalibration(stats, *cal, city);
  if (!checks.ok()) {
    fmt::print(stderr, "yanglao: {}\n", checks.status().ToString());
    return 1;
  }
  const gen::CityCalibration* c = cal->FindCity(city);
  fmt::print("\n与校准参数比较（{} {}，{}）：差 = (实际 - 校准) ÷ 标准误，标准误按二项分布\n",
             c->code, c->name, cal->source_name);
  fmt::print("{:<44}{:>9}{:>9}{:>9}{:>9}{:>8}  {}\n", "指标", "人数", "实际%", "校准%", "标准误%",
             "差", "来源");
  for (const gen::RateCheck& r : *checks) {
    fmt::print("{:<44}{:>9}{:>8.2f}%{:>8.2f}%{:>8.2f}%{:>+8.1f}  {}{}\n", r.label, r.sample,
               100 * r.observed_rate, 100 * r.expected_rate, 100 * r.se, r.z,
               r.estimate ? "估计" : "公开数据", std::abs(r.z) > 4 ? "  ← 超过4个标准误" : "");
  }
  return 0;
}

int RunStats(const Common& c, const std::string& as_of_text, bool calibration,
             const std::string& city, const std::string& calibration_file) {
  Result<CivilDate> as_of = DateOr(as_of_text, CivilDate::Today());
  if (!as_of.ok()) {
    fmt::print(stderr, "yanglao: --as-of {}\n", as_of.status().ToString());
    return 2;
  }
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  if (calibration && as_of_text.empty()) {
    // The calibration describes the city on the day its data were drawn up:
    // without --as-of, count on the latest day the records start (for a
    // generated city, its --as-of), not on today, when everyone is older.
    Result<std::optional<CivilDate>> latest = reg->LatestRecordStart(CivilDate::Today());
    if (latest.ok() && latest->has_value()) {
      as_of = **latest;
      fmt::print("统计日期取登记记录的最近起始日期 {}（可用 --as-of 指定）\n", as_of->ToString());
    }
  }
  const RegionTable& regions = RegionTable::Builtin();
  static const char* kBandNames[] = {"50岁以下", "50-59", "60-64", "65-69",
                                     "70-79",    "80-89", "90-99", "100+"};
  Result<registry::RegistryStats> stats = registry::ComputeStats(*reg, *as_of, CivilDate::Today());
  if (!stats.ok()) {
    fmt::print(stderr, "{}\n", stats.status().ToString());
    return 1;
  }
  fmt::print("登记统计（{}）：登记 {} 人，其中已死亡 {} 人，在世 {} 人\n\n", as_of->ToString(),
             stats->total, stats->deceased, stats->total - stats->deceased);
  const auto& circumstances = registry::StatsCircumstances();
  fmt::print("{:<24}{:>9}{:>9}", "县级单位", "在世", "城镇%");
  for (const char* b : kBandNames) fmt::print("{:>9}", b);
  for (const auto& c2 : circumstances) fmt::print("{:>8}", c2.label);
  fmt::print("\n");
  auto print_row = [&](const std::string& label, const registry::StatsCounts& k) {
    fmt::print(
        "{:<24}{:>9}{:>8.1f}%", label, k.people,
        k.people ? 100.0 * static_cast<double>(k.urban) / static_cast<double>(k.people) : 0.0);
    for (int64_t n : k.bands) fmt::print("{:>9}", n);
    for (size_t i = 0; i < circumstances.size(); ++i) {
      fmt::print("{:>8}", i < k.circumstances.size() ? k.circumstances[i] : 0);
    }
    fmt::print("\n");
  };
  for (const auto& [county, k] : stats->by_county) {
    const Region* r = regions.Find(county);
    print_row(fmt::format("{} {}", county, r ? r->name : ""), k);
  }
  print_row("合计", stats->all);
  if (calibration) return PrintCalibration(*stats, city, calibration_file);
  return 0;
}

int RunPrecedence(const Common& c, const std::string& fact, const std::string& sources) {
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  if (!fact.empty()) {
    std::vector<std::string> list;
    size_t start = 0;
    while (start <= sources.size()) {
      size_t comma = sources.find(',', start);
      list.push_back(
          sources.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (Status s = reg->SetPrecedence(fact, list); !s.ok()) {
      fmt::print(stderr, "yanglao: {}\n", s.ToString());
      return 1;
    }
  }
  Result<std::map<std::string, std::vector<std::string>>> table = reg->Precedence();
  if (!table.ok()) {
    fmt::print(stderr, "{}\n", table.status().ToString());
    return 1;
  }
  fmt::print("来源优先级（靠前者优先；未列出的来源排在最后）：\n");
  for (const auto& [f, list] : *table) {
    fmt::print("  {}（{}）：{}\n", registry::FactLabel(f), f, fmt::join(list, " > "));
  }
  return 0;
}

int RunResolve(const Common& c, int64_t id, const std::string& note) {
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  if (Status s = reg->ResolveConflict(id, note); !s.ok()) {
    fmt::print(stderr, "yanglao: {}\n", s.ToString());
    return 1;
  }
  fmt::print("冲突 #{} 已处理：{}\n", id, note);
  return 0;
}

int RunChecksum(const Common& c) {
  std::unique_ptr<Registry> reg = OpenRegistry(c);
  if (reg == nullptr) return 1;
  Result<std::string> sum = reg->Checksum();
  if (!sum.ok()) {
    fmt::print(stderr, "{}\n", sum.status().ToString());
    return 1;
  }
  fmt::print("{}\n", *sum);
  return 0;
}

// The sheets of a department's template workbook: the header to fill in,
// and an explanation of every column.
std::vector<xlsx::Sheet> TemplateSheets(const registry::FeedTemplate& t) {
  xlsx::Sheet data{t.source, {t.Header()}};
  xlsx::Sheet help{"填写说明", {{"列名", "是否必填", "填写要求"}}};
  help.rows.push_back({std::string(registry::kIdHeader), "必填",
                       "18位公民身份号码（末位可为X），15位旧号码会自动转换"});
  help.rows.push_back({std::string(registry::kNameHeader), "必填", "姓名，不超过30个字"});
  for (const registry::FeedColumn& c : t.columns) {
    std::string rule;
    switch (c.kind) {
      case registry::CellKind::kBool:
      case registry::CellKind::kEnum:
        for (const auto& [label, value] : c.values) rule += (rule.empty() ? "填写 " : "、") + label;
        break;
      case registry::CellKind::kDate:
        rule = "日期，格式 YYYY-MM-DD";
        break;
      case registry::CellKind::kRegion:
        rule = "行政区划代码（GB/T 2260，6、9或12位）";
        break;
      case registry::CellKind::kPhone:
        rule = "11位手机号码，或带区号的固定电话（如 0722-1234567）";
        break;
      case registry::CellKind::kHousehold:
        rule = "户口簿上的户号，6-20位数字或英文字母";
        break;
      case registry::CellKind::kSex:
        rule = "填写 男、女；须与公民身份号码一致";
        break;
      case registry::CellKind::kBirthDate:
        rule = "日期，格式 YYYY-MM-DD；须与公民身份号码一致";
        break;
      case registry::CellKind::kIdNumber:
        rule = "18位公民身份号码（末位可为X）";
        break;
      case registry::CellKind::kName:
        rule = "姓名，不超过30个字";
        break;
    }
    help.rows.push_back({c.header,
                         c.optional ? "选填，也可不列此列（空白表示本行不涉及此项）"
                                    : "选填（空白表示本行不涉及此项）",
                         rule});
  }
  help.rows.push_back(
      {std::string(registry::kFromHeader), "必填", "本行所述情况自该日起成立，格式 YYYY-MM-DD"});
  help.rows.push_back({std::string(registry::kToHeader), "选填",
                       "本行所述情况至该日止（含当日）；空白表示仍然成立"});
  return {data, help};
}

int RunTemplate(const std::string& source, const std::string& format, const std::string& out_path) {
  const registry::FeedTemplate* t = registry::FindTemplate(source);
  if (t == nullptr) {
    fmt::print(stderr, "yanglao: 未知的数据来源部门「{}」 [feed.source]\n", source);
    return 1;
  }
  if (format == "csv") {
    std::vector<std::string> header = t->Header();
    std::string line;
    for (size_t i = 0; i < header.size(); ++i) line += (i ? "," : "") + header[i];
    if (out_path.empty()) {
      fmt::print("{}\n", line);
    } else {
      std::ofstream(out_path, std::ios::binary) << line << "\n";
    }
    return 0;
  }
  if (format != "xlsx") {
    fmt::print(stderr, "yanglao: --format 应为 xlsx 或 csv\n");
    return 2;
  }
  if (out_path.empty() && isatty(STDOUT_FILENO)) {
    fmt::print(stderr,
               "yanglao: XLSX 是二进制文件，请重定向到文件（yanglao registry template {} > "
               "{}模板.xlsx）或用 -o\n",
               source, source);
    return 2;
  }
  std::filesystem::path target = out_path.empty()
                                     ? std::filesystem::temp_directory_path() /
                                           fmt::format("yanglao-template-{}.xlsx", getpid())
                                     : std::filesystem::path(out_path);
  if (Status s = xlsx::WriteWorkbook(target, TemplateSheets(*t)); !s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    return 1;
  }
  if (out_path.empty()) {
    std::ifstream in(target, std::ios::binary);
    std::cout << in.rdbuf();
    std::filesystem::remove(target);
  }
  return 0;
}

}  // namespace

void AddRegistryCommands(CLI::App& app, int& exit_code) {
  CLI::App* reg =
      app.add_subcommand("registry", "老年人信息库：部门数据导入、查询、历史、冲突、统计");
  reg->require_subcommand(1);
  auto common = std::make_shared<Common>();
  auto add_db = [common](CLI::App* cmd) { AddDbOption(cmd, common->db); };

  auto source = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto recorded = std::make_shared<std::string>();
  auto report = std::make_shared<std::string>();
  CLI::App* imp = reg->add_subcommand(
      "import", "导入部门数据文件（CSV）；有错误行时整个文件不导入并列出全部错误");
  imp->add_option("--source", *source, "数据来源部门：公安、民政、人社、卫健、医保、残联、退役军人")
      ->required();
  imp->add_option("file", *file, "数据文件")->required();
  imp->add_option("--recorded", *recorded, "记录日期（已知日期），默认今天");
  imp->add_option("--report", *report, "把错误行写入此文件（.xlsx 或 .csv）");
  add_db(imp);
  imp->callback(
      [=, &exit_code] { exit_code = RunImport(*common, *source, *file, *recorded, *report); });

  auto province_dir = std::make_shared<std::string>();
  CLI::App* imp_province = reg->add_subcommand(
      "import-province",
      "导入一个省的全部数据（yanglao gen --region 省级代码 写出的目录）：逐个城市、逐个部门文件，"
      "每个文件单独提交；已导入的文件自动跳过");
  imp_province->add_option("dir", *province_dir, "全省目录（含 manifest.yaml）")->required();
  imp_province->add_option("--recorded", *recorded, "记录日期（已知日期），默认今天");
  add_db(imp_province);
  imp_province->callback(
      [=, &exit_code] { exit_code = RunImportProvince(*common, *province_dir, *recorded); });

  CLI::App* check = reg->add_subcommand(
      "check", "只检查部门数据文件（CSV 或 XLSX），不导入：列出错误行，显示读取速度");
  check
      ->add_option("--source", *source,
                   "数据来源部门：公安、民政、人社、卫健、医保、残联、退役军人")
      ->required();
  check->add_option("file", *file, "数据文件")->required();
  check->callback([=, &exit_code] { exit_code = RunCheck(*source, *file); });

  auto id = std::make_shared<std::string>();
  auto as_of = std::make_shared<std::string>();
  auto known = std::make_shared<std::string>();
  auto full = std::make_shared<bool>(false);
  CLI::App* show = reg->add_subcommand("show", "某人于某日的情况（按某日所知）");
  show->add_option("id", *id, "公民身份号码")->required();
  show->add_option("--as-of", *as_of, "情况所在日期，默认今天");
  show->add_option("--known-on", *known, "按此日期已知的记录，默认今天");
  show->add_flag("--full", *full, "显示完整的身份号码和联系电话（默认部分隐藏）");
  add_db(show);
  show->callback([=, &exit_code] { exit_code = RunShow(*common, *id, *as_of, *known, *full); });

  CLI::App* history = reg->add_subcommand("history", "某人的全部记录（含来源、批次、行号）");
  history->add_option("id", *id, "公民身份号码")->required();
  history->add_flag("--full", *full, "显示完整的身份号码和联系电话（默认部分隐藏）");
  add_db(history);
  history->callback([=, &exit_code] { exit_code = RunHistory(*common, *id, *full); });

  auto limit = std::make_shared<size_t>(100);
  CLI::App* conflicts = reg->add_subcommand("conflicts", "各部门数据不一致的待处理冲突");
  conflicts->add_option("--limit", *limit, "最多显示条数（默认100）");
  add_db(conflicts);
  conflicts->callback([=, &exit_code] { exit_code = RunConflicts(*common, *limit); });

  auto with_calibration = std::make_shared<bool>(false);
  auto city = std::make_shared<std::string>();
  auto calibration_file = std::make_shared<std::string>();
  CLI::App* stats = reg->add_subcommand("stats", "按县级单位、年龄段、困难情形统计");
  stats->add_option("--as-of", *as_of, "统计日期，默认今天");
  stats->add_flag("--calibration", *with_calibration,
                  "与校准参数（公开统计数据）比较各项比例，差以标准误计");
  stats->add_option("--city", *city, "比较所用城市的4位代码（默认：多数人居住的城市）");
  stats->add_option("--calibration-file", *calibration_file,
                    "校准参数文件（默认：内置 data/calibration/calibration.yaml）");
  add_db(stats);
  stats->callback([=, &exit_code] {
    exit_code = RunStats(*common, *as_of, *with_calibration, *city, *calibration_file);
  });

  auto fact = std::make_shared<std::string>();
  auto sources = std::make_shared<std::string>();
  CLI::App* precedence = reg->add_subcommand("precedence", "显示或设置某登记事项的来源优先级");
  precedence->add_option("fact", *fact, "登记事项（如 death_date）；不填则只显示");
  precedence->add_option("sources", *sources,
                         "来源部门，优先者在前，用逗号分隔（如 公安,民政,卫健）");
  add_db(precedence);
  precedence->callback([=, &exit_code] {
    if (!fact->empty() && sources->empty()) {
      fmt::print(stderr, "yanglao: 设置优先级时须列出来源部门\n");
      exit_code = 2;
      return;
    }
    exit_code = RunPrecedence(*common, *fact, *sources);
  });

  auto conflict_id = std::make_shared<int64_t>(0);
  auto note = std::make_shared<std::string>();
  CLI::App* resolve = reg->add_subcommand("resolve", "把一条冲突标记为已处理，并记录处理意见");
  resolve->add_option("id", *conflict_id, "冲突编号（registry conflicts 中的 #）")->required();
  resolve->add_option("--note", *note, "处理意见（如：经核实以公安为准）")->required();
  add_db(resolve);
  resolve->callback([=, &exit_code] { exit_code = RunResolve(*common, *conflict_id, *note); });

  CLI::App* checksum =
      reg->add_subcommand("checksum", "各表行数与全部内容的 SHA-256（比较两份登记是否完全相同）");
  add_db(checksum);
  checksum->callback([=, &exit_code] { exit_code = RunChecksum(*common); });

  auto format = std::make_shared<std::string>("xlsx");
  auto out = std::make_shared<std::string>();
  CLI::App* tmpl = reg->add_subcommand("template", "部门数据模板（XLSX 含填写说明；或 CSV 表头）");
  tmpl->add_option("source", *source, "数据来源部门")->required();
  tmpl->add_option("--format", *format, "xlsx（默认）或 csv");
  tmpl->add_option("-o,--output", *out, "写入此文件（默认写到标准输出）");
  tmpl->callback([=, &exit_code] { exit_code = RunTemplate(*source, *format, *out); });
}

}  // namespace yanglao::cli
