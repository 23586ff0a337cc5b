// yanglao facility: elderly-care facilities, estates and their 配建, coverage
// against the city's targets, 15-minute circles and suggested sites
// (src/facility, docs/facility.md).
#include <fmt/format.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/file_io.h"
#include "db/migrate.h"
#include "facility/planning.h"
#include "facility/policy.h"
#include "facility/store.h"
#include "facility/table.h"
#include "registry/registry.h"

namespace yanglao::cli {
namespace {

using namespace yanglao::facility;

struct Common {
  std::string db, city, policy, policies = "policies", as_of = "2026-01-01", by = "city";
  std::string years = "2023,2024,2025", kinds;
};

Result<FacilityPolicy> PolicyOf(const Common& c) {
  if (!c.policy.empty()) return LoadFacilityPolicy(c.policy);
  if (c.city.empty()) {
    return Status("facility.usage", "请用 --city 指定区划，或用 --policy 指定政策文件",
                  Location{.file = "命令行参数"});
  }
  return FindFacilityPolicy(std::filesystem::path(c.policies) / "facility", c.city);
}

std::string Percent(double v) { return fmt::format("{:.1f}%", v * 100); }

std::string Goal(const Target& t, double v) {
  if (t.is_ratio()) return fmt::format("≥{:g}%", v * 100);
  return fmt::format("≥{:g}", v);
}

std::string Now(const Target& t, const Indicator& i) {
  if (!i.known) return fmt::format("无数据（{}）", i.why);
  if (t.measure == Measure::kUnitCount)
    return fmt::format("{} 个（共 {} 个）", i.numerator, i.denominator);
  if (t.measure == Measure::kBedsTotal) return fmt::format("{} 张", i.numerator);
  return fmt::format("{}（{}/{}）", Percent(i.value), i.numerator, i.denominator);
}

// Loads everything a report needs: the policy, the store's records of the
// city, the older population from the registry.
struct Loaded {
  FacilityPolicy policy;
  std::unique_ptr<registry::Registry> registry;
  CityView view;
};

Result<std::unique_ptr<Loaded>> Load(const Common& c, bool need_older) {
  auto out = std::make_unique<Loaded>();
  Result<FacilityPolicy> p = PolicyOf(c);
  if (!p.ok()) return p.status();
  out->policy = std::move(*p);
  Result<CivilDate> as_of = CivilDate::Parse(c.as_of);
  if (!as_of.ok()) return as_of.status();
  Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(DbUrl(c.db));
  if (!reg.ok()) return reg.status();
  out->registry = std::move(*reg);
  if (Status s = db::MigrateAll(out->registry->db(), {FacilitySchema()}); !s.ok()) return s;
  FacilityStore store(out->registry->db());
  auto facilities = store.Facilities(out->policy.jurisdiction);
  if (!facilities.ok()) return facilities.status();
  auto estates = store.Estates(out->policy.jurisdiction);
  if (!estates.ok()) return estates.status();
  auto points = store.Points(out->policy.jurisdiction);
  if (!points.ok()) return points.status();
  std::unordered_map<std::string, int64_t> older;
  if (need_older) {
    auto o = OlderByCommunity(*out->registry, *as_of);
    if (!o.ok()) return o.status();
    older = std::move(*o);
  }
  Result<CityView> view =
      BuildCityView(out->policy, std::move(*facilities), std::move(*estates), *points, older);
  if (!view.ok()) return view.status();
  out->view = std::move(*view);
  return out;
}

void PrintHeading(const Loaded& l, std::string_view what) {
  const FacilityPolicy& p = l.policy;
  fmt::print("{}{}（政策文件 {}，第 {} 版；依据 {}{}，{}）\n", p.city, what, p.file, p.version,
             p.document.empty() ? "" : p.document + " ", p.document_title, p.source);
  if (l.view.synthetic)
    fmt::print("注意：设施、小区和社区坐标含合成数据（yanglao gen 生成），不是真实位置。\n");
}

int RunRequired(const Common& c, int64_t households, bool is_new, bool is_existing, int year) {
  Result<FacilityPolicy> p = PolicyOf(c);
  if (!p.ok()) return Fail(p.status());
  if (households <= 0) {
    return Fail(Status(
        "facility.usage", "户数应为正整数",
        Location{
            .file = "命令行参数", .field = "--households", .value = std::to_string(households)}));
  }
  if (is_new + is_existing + (year > 0) != 1) {
    return Fail(Status("facility.usage",
                       "请用 --new、--existing 或 --year 之一说明小区新建还是已建",
                       Location{.file = "命令行参数"}));
  }
  bool fresh = year > 0 ? IsNewEstate(*p, year) : is_new;
  Requirement r = Required(*p, households, fresh);
  std::string cls = fresh ? "新建" : "已建";
  if (year > 0) {
    cls += fmt::format("（{} 年建成；{} 年起建成的为新建）", year, p->new_from_year);
  }
  fmt::print("{} {}住宅小区 {} 户：", p->city, cls, households);
  if (!r.known) {
    fmt::print("原文未载明面积标准，不计算应配面积\n");
  } else {
    fmt::print("应配养老服务用房不少于 {} 平方米（每百户 {} 平方米）", r.required_m2,
               *r.rule->m2_per_100_households);
    if (r.min_single_site_m2 > 0) fmt::print("，且单体面积不少于 {} 平方米", r.min_single_site_m2);
    fmt::print("\n");
  }
  if (!r.rule->quote.empty()) fmt::print("依据：“{}”（{}）\n", r.rule->quote, p->source);
  if (!r.rule->note.empty()) fmt::print("说明：{}\n", r.rule->note);
  return 0;
}

int RunImport(const Common& c, const std::vector<std::string>& files) {
  std::unique_ptr<registry::Registry> reg = OpenRegistry(c.db);
  if (!reg) return 1;
  if (Status s = db::MigrateAll(reg->db(), {FacilitySchema()}); !s.ok()) return Fail(s);
  // Every file is read and checked before anything is stored.
  std::vector<ParsedTable> tables;
  for (const std::string& f : files) {
    Result<std::string> bytes = ReadFileBytes(f);
    if (!bytes.ok()) return Fail(bytes.status());
    Result<ParsedTable> t = ParseFacilityFile(*bytes, f);
    if (!t.ok()) {
      (void)Fail(t.status());
      fmt::print(stderr, "{}：整个文件未导入，请改正后重新提交\n", f);
      return ExitCodeOf(t.status().category());
    }
    tables.push_back(std::move(*t));
  }
  FacilityStore store(reg->db());
  for (size_t i = 0; i < tables.size(); ++i) {
    Result<ImportResult> r = store.Import(tables[i]);
    if (!r.ok()) return Fail(r.status());
    const char* what = tables[i].type == ParsedTable::Type::kFacilities ? "养老设施"
                       : tables[i].type == ParsedTable::Type::kEstates  ? "住宅小区"
                                                                        : "社区坐标";
    fmt::print("{}：{} {} 行，新增 {}，更新 {}，未变 {}\n", files[i], what, tables[i].rows(),
               r->added, r->updated, r->unchanged);
  }
  return 0;
}

std::vector<int> Years(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string y;
  while (std::getline(ss, y, ',')) {
    try {
      out.push_back(std::stoi(y));
    } catch (...) {
      return {};
    }
  }
  return out;
}

int RunCoverage(const Common& c) {
  std::vector<int> years = Years(c.years);
  if (years.empty()) {
    return Fail(Status("facility.usage", "--years 应为逗号分隔的年份，如 2023,2024,2025",
                       Location{.file = "命令行参数", .field = "--years", .value = c.years}));
  }
  bool walk = false;
  Result<FacilityPolicy> p = PolicyOf(c);
  if (!p.ok()) return Fail(p.status());
  for (const Target& t : p->targets) walk = walk || t.measure == Measure::kOlderWithinWalk;
  Result<std::unique_ptr<Loaded>> l = Load(c, walk);
  if (!l.ok()) return Fail(l.status());
  GroupBy by = c.by == "county"   ? GroupBy::kCounty
               : c.by == "street" ? GroupBy::kStreet
                                  : GroupBy::kCity;
  PrintHeading(**l, " 养老服务设施覆盖与目标");
  std::vector<CoverageLine> lines = CoverageTable((*l)->view, years, by);
  fmt::print("\n| {}指标 | 现状 |", by == GroupBy::kCity ? "" : "区划 | ");
  for (int y : years) fmt::print(" {} 年底目标 |", y);
  fmt::print("\n|{}---|---|", by == GroupBy::kCity ? "" : "---|");
  for (size_t i = 0; i < years.size(); ++i) fmt::print("---|");
  fmt::print("\n");
  for (const CoverageLine& line : lines) {
    fmt::print("| ");
    if (by != GroupBy::kCity) fmt::print("{} {} | ", line.scope, line.scope_name);
    fmt::print("{} | {} |", line.target->label, Now(*line.target, line.now));
    for (size_t i = 0; i < years.size(); ++i) {
      if (!line.goals[i]) {
        fmt::print(" — |");
      } else if (!line.met[i]) {
        fmt::print(" {} |", Goal(*line.target, *line.goals[i]));
      } else {
        fmt::print(" {} {} |", Goal(*line.target, *line.goals[i]),
                   *line.met[i] ? "达标" : "未达标");
      }
    }
    fmt::print("\n");
  }
  if (by == GroupBy::kCity) {
    fmt::print("\n依据（原文）：\n");
    for (const Target& t : (*l)->policy.targets) fmt::print("- {}：“{}”\n", t.label, t.quote);
  }
  return 0;
}

int RunEstates(const Common& c, int list) {
  Result<std::unique_ptr<Loaded>> l = Load(c, false);
  if (!l.ok()) return Fail(l.status());
  PrintHeading(**l, " 住宅小区养老服务用房配建");
  GroupBy by = c.by == "street"   ? GroupBy::kStreet
               : c.by == "county" ? GroupBy::kCounty
                                  : GroupBy::kCity;
  fmt::print(
      "\n| 区划 | 小区 | 新建 | 可核算 | 达标 | 应配（平方米） | 已配（平方米） | 缺口（平方米） "
      "|\n");
  fmt::print("|---|---|---|---|---|---|---|---|\n");
  for (const EstateTotals& t : EstateTotalsBy((*l)->view, by)) {
    fmt::print("| {} {} | {} | {} | {} | {} | {} | {} | {} |\n", t.scope, t.scope_name, t.estates,
               t.new_estates, t.known, t.compliant, t.required_m2, t.provided_m2, t.shortfall_m2);
  }
  if (list > 0) {
    fmt::print("\n缺口最大的小区：\n");
    std::vector<EstateLine> lines = CheckEstates((*l)->view);
    std::stable_sort(lines.begin(), lines.end(), [](const EstateLine& a, const EstateLine& b) {
      return a.check.shortfall_m2 > b.check.shortfall_m2;
    });
    for (int i = 0; i < list && i < static_cast<int>(lines.size()); ++i) {
      const EstateLine& e = lines[static_cast<size_t>(i)];
      if (!e.check.req.known || e.check.compliant) break;
      fmt::print("  {} {} {} 户 {} 年 {}：应配 {}，已配 {}，缺 {} 平方米{}\n", e.estate->id,
                 e.estate->name, e.estate->households, e.estate->year_built,
                 e.check.req.is_new ? "新建" : "已建", e.check.req.required_m2,
                 e.estate->area_provided_m2, e.check.shortfall_m2,
                 e.check.single_site_short ? "，单体面积不足" : "");
    }
  }
  return 0;
}

int RunWalk(const Common& c, int suggest, int64_t capacity) {
  std::vector<Kind> kinds;
  std::stringstream ss(c.kinds);
  std::string k;
  while (std::getline(ss, k, ',')) {
    std::optional<Kind> kind = KindFromText(k);
    if (!kind) {
      return Fail(Status("facility.usage", "未知的设施类型",
                         Location{.file = "命令行参数", .field = "--kinds", .value = k}));
    }
    kinds.push_back(*kind);
  }
  if (kinds.empty()) kinds = {Kind::kComplex, Kind::kDayCare, Kind::kMutualAid, Kind::kCanteen};
  Result<std::unique_ptr<Loaded>> l = Load(c, true);
  if (!l.ok()) return Fail(l.status());
  const CityView& v = (*l)->view;
  PrintHeading(**l, " 15分钟步行圈");
  const WalkParams& w = (*l)->policy.walk;
  fmt::print("步行 {:g} 分钟 × {:g} 米/分钟 ÷ 绕行系数 {:g} = 直线半径 {:.0f} 米\n", w.minutes,
             w.meters_per_minute, w.detour_factor, w.radius_m());
  std::string names;
  for (Kind kind : kinds) names += (names.empty() ? "" : "、") + std::string(KindLabel(kind));
  WalkCoverage cov = Walk(v, kinds);
  fmt::print("设施类型：{}\n", names);
  fmt::print(
      "60 岁及以上老年人 {} 人，步行圈内 {} 人（{}）；圈外有老年人的社区（村）{} "
      "个；无坐标的社区（村）{} 个\n",
      cov.older_total, cov.older_covered,
      cov.older_total
          ? Percent(static_cast<double>(cov.older_covered) / static_cast<double>(cov.older_total))
          : "—",
      cov.outside.size(), cov.unplaced_areas.size());
  if (suggest > 0) {
    Suggestion s = SuggestSites(v, kinds, suggest, capacity);
    fmt::print("\n建议新增站点（贪心最大覆盖，已有站点不动，每站最多服务 {} 人）：\n",
               capacity > 0 ? std::to_string(capacity) : std::string("不限"));
    for (size_t i = 0; i < s.sites.size(); ++i) {
      const Area& a = v.areas[s.sites[i].area];
      fmt::print("  {:>2}. {} {}：新增覆盖 {} 人\n", i + 1, a.region->code, a.region->name,
                 s.sites[i].gain);
    }
    fmt::print("圈外老年人 {} → {}\n", s.uncovered_before, s.uncovered_after);
  }
  return 0;
}

}  // namespace

void AddFacilityCommands(CLI::App& app, int& exit_code) {
  CLI::App* fac = app.add_subcommand("facility", "养老服务设施：配建、覆盖率与目标、15分钟步行圈");
  fac->require_subcommand(1);
  auto common = [](CLI::App* cmd, Common& c) {
    cmd->add_option("--city", c.city,
                    "区划代码（如 421300），按它在 policies/facility/ 中找政策文件");
    cmd->add_option("--policy", c.policy, "设施政策文件（policies/facility/*.yaml）");
    cmd->add_option("--policies", c.policies, "政策目录（默认 policies）");
  };
  {
    auto c = std::make_shared<Common>();
    auto households = std::make_shared<int64_t>(0);
    auto flags = std::make_shared<std::pair<bool, bool>>(false, false);
    auto year = std::make_shared<int>(0);
    CLI::App* cmd =
        fac->add_subcommand("required", "按城市的配建规则计算住宅小区应配养老服务用房面积");
    common(cmd, *c);
    cmd->add_option("--households", *households, "户数")->required();
    cmd->add_flag("--new", flags->first, "新建小区");
    cmd->add_flag("--existing", flags->second, "已建成小区");
    cmd->add_option("--year", *year, "建成年份（按城市的界线年份判断新建或已建）");
    cmd->callback([=, &exit_code] {
      exit_code = RunRequired(*c, *households, flags->first, flags->second, *year);
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto files = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd =
        fac->add_subcommand("import", "导入养老设施、住宅小区或社区坐标表（CSV 或 XLSX）");
    AddDbOption(cmd, c->db);
    cmd->add_option("files", *files, "文件")->required();
    cmd->callback([=, &exit_code] { exit_code = RunImport(*c, *files); });
  }
  {
    auto c = std::make_shared<Common>();
    CLI::App* cmd = fac->add_subcommand("coverage", "设施覆盖率等指标与城市各年目标对照");
    common(cmd, *c);
    AddDbOption(cmd, c->db);
    cmd->add_option("--years", c->years, "目标年份，逗号分隔（默认 2023,2024,2025）");
    cmd->add_option("--by", c->by, "按 city（全市）、county（县级）或 street（街道乡镇）分列")
        ->check(CLI::IsMember({"city", "county", "street"}));
    cmd->add_option("--as-of", c->as_of, "老年人口的统计日（默认 2026-01-01）");
    cmd->callback([=, &exit_code] { exit_code = RunCoverage(*c); });
  }
  {
    auto c = std::make_shared<Common>();
    auto list = std::make_shared<int>(0);
    CLI::App* cmd =
        fac->add_subcommand("estates", "住宅小区配建达标与缺口（每个小区、街道、县级）");
    common(cmd, *c);
    AddDbOption(cmd, c->db);
    cmd->add_option("--by", c->by, "按 city、county 或 street 合计")
        ->check(CLI::IsMember({"city", "county", "street"}));
    cmd->add_option("--list", *list, "列出缺口最大的若干小区");
    cmd->callback([=, &exit_code] { exit_code = RunEstates(*c, *list); });
  }
  {
    auto c = std::make_shared<Common>();
    auto suggest = std::make_shared<int>(0);
    auto capacity = std::make_shared<int64_t>(0);
    CLI::App* cmd = fac->add_subcommand("walk", "15分钟步行圈内的老年人、圈外社区与建议新增站点");
    common(cmd, *c);
    AddDbOption(cmd, c->db);
    cmd->add_option("--kinds", c->kinds,
                    "设施类型，逗号分隔（默认 complex,day_care,mutual_aid,canteen）");
    cmd->add_option("--as-of", c->as_of, "老年人口的统计日（默认 2026-01-01）");
    cmd->add_option("--suggest", *suggest, "建议新增站点个数");
    cmd->add_option("--capacity", *capacity, "每个新站点最多服务的老年人数（默认不限）");
    cmd->callback([=, &exit_code] { exit_code = RunWalk(*c, *suggest, *capacity); });
  }
}

}  // namespace yanglao::cli
