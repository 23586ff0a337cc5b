// yanglao visits: visiting care (src/visits). Thin commands over the
// library: compute and store a month's roster with its tiers, and the
// monthly visit rate per community, street, county or city.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/region.h"
#include "db/migrate.h"
#include "gen/visits_synthetic.h"
#include "visits/roster.h"
#include "visits/store.h"

namespace yanglao::cli {
namespace {

struct VisitsArgs {
  std::string db, policies = "policies/visits", month, city, level = "street", known_on, dir;
  int months = 12;
};

std::unique_ptr<registry::Registry> OpenWithTables(const VisitsArgs& a) {
  std::unique_ptr<registry::Registry> reg = OpenRegistry(a.db);
  if (!reg) return nullptr;
  if (Status s = db::MigrateAll(reg->db(), {visits::VisitsSchema()}); !s.ok()) {
    (void)Fail(s);
    return nullptr;
  }
  return reg;
}

// The natural prefix of a region code as GB/T 2260 prints it ("421300" -> "4213").
std::string Natural(std::string code) {
  while (code.size() > 4 && code.ends_with("00")) code.resize(code.size() - 2);
  return code;
}

int RosterCmd(const VisitsArgs& a) {
  Result<Month> month = Month::Parse(a.month);
  if (!month.ok()) return Fail(month.status());
  Result<std::vector<std::unique_ptr<visits::RosterRules>>> rules =
      visits::RosterRules::LoadDirectory(a.policies);
  if (!rules.ok()) return Fail(rules.status());
  const visits::RosterRules* r = visits::RulesFor(*rules, Natural(a.city));
  if (r == nullptr) {
    return Fail(Status(ErrorCategory::kNotFound, "visits.not_found", "没有该市的探访政策文件",
                       Location{.file = a.policies, .field = "--city", .value = a.city}));
  }
  CivilDate known_on = CivilDate::Today();
  if (!a.known_on.empty()) {
    Result<CivilDate> k = CivilDate::Parse(a.known_on);
    if (!k.ok()) return Fail(k.status());
    known_on = *k;
  }
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  Result<visits::Roster> roster = r->Compute(*reg, *month, known_on);
  if (!roster.ok()) return Fail(roster.status());
  visits::VisitsStore store(reg->db());
  Result<visits::SaveResult> saved = store.SaveRoster(*roster);
  if (!saved.ok()) return Fail(saved.status());
  fmt::print("{} 探访名单（{}，按 {} 的登记求值）：{} 人，较上月新增 {}、减少 {}\n",
             month->ToString(), roster->citation, month->FirstDay().ToString(), saved->people,
             saved->joined, saved->left);
  std::map<std::string, int64_t> per_tier;
  for (const visits::RosterEntry& e : roster->people) ++per_tier[e.tier];
  for (const visits::Tier* t : r->policy().AllTiers()) {
    fmt::print("  {} 每{}天 {} 人（{}）\n", t->label, t->every_days, per_tier[t->id],
               t->local ? "本地设置" : "文件所定");
  }
  return 0;
}

int RateCmd(const VisitsArgs& a) {
  Result<Month> month = Month::Parse(a.month);
  if (!month.ok()) return Fail(month.status());
  std::optional<visits::RateLevel> level = visits::RateLevelOf(a.level);
  if (!level) {
    return Fail(Status("visits.level", "层级应为 community、street、county、city 之一",
                       Location{.field = "--level", .value = a.level}));
  }
  Result<std::vector<std::unique_ptr<visits::RosterRules>>> rules =
      visits::RosterRules::LoadDirectory(a.policies);
  if (!rules.ok()) return Fail(rules.status());
  const visits::RosterRules* r = visits::RulesFor(*rules, Natural(a.city));
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  visits::VisitsStore store(reg->db());
  Result<std::vector<visits::RateRow>> rates = store.Rates(*month, *level, Natural(a.city));
  if (!rates.ok()) return Fail(rates.status());
  std::optional<visits::RateTarget> target;
  if (r != nullptr) target = r->policy().TargetFor(month->year());
  fmt::print("{} 月探访率（探访过至少一次或已登记死亡、迁出 ÷ 月初名单人数）{}\n",
             month->ToString(),
             target ? fmt::format("，{}年目标 {}%", target->year, target->percent) : "");
  const RegionTable& regions = RegionTable::Builtin();
  for (const visits::RateRow& row : *rates) {
    const Region* region = regions.Find(row.unit);
    int64_t bp = row.rate_bp();
    fmt::print("  {} {}  {}/{}（其中死亡、迁出 {}）  {}.{:02}%{}\n", row.unit,
               region ? region->name : "", row.visited + row.documented, row.roster, row.documented,
               bp / 100, bp % 100,
               target ? (bp >= target->percent * 100 ? "  已达标" : "  未达标") : "");
  }
  if (rates->empty())
    fmt::print("  （该月没有已保存的探访名单，请先运行 yanglao visits roster）\n");
  return 0;
}

// Loads the visitors, assignments and visit logs `yanglao gen` wrote, then
// computes and stores the roster of each of the `months` months ending with
// --month, and prints the city's rate per month.
int LoadCmd(const VisitsArgs& a) {
  Result<Month> last = Month::Parse(a.month);
  if (!last.ok()) return Fail(last.status());
  Result<std::vector<std::unique_ptr<visits::RosterRules>>> rules =
      visits::RosterRules::LoadDirectory(a.policies);
  if (!rules.ok()) return Fail(rules.status());
  const visits::RosterRules* r = visits::RulesFor(*rules, Natural(a.city));
  if (r == nullptr) {
    return Fail(Status(ErrorCategory::kNotFound, "visits.not_found", "没有该市的探访政策文件",
                       Location{.file = a.policies, .field = "--city", .value = a.city}));
  }
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  visits::VisitsStore store(reg->db());
  CivilDate today = CivilDate::Today();
  Result<gen::LoadedVisits> loaded = gen::LoadSyntheticVisits(store, a.dir, today);
  if (!loaded.ok()) return Fail(loaded.status());
  fmt::print("探访人员 {} 名，分派 {} 人，探访记录 {} 次（已有 {} 次未重复记入）\n",
             loaded->visitors, loaded->assignments, loaded->visits, loaded->already);
  for (int i = a.months - 1; i >= 0; --i) {
    Month m = last->AddMonths(-i);
    Result<visits::Roster> roster = r->Compute(*reg, m, today);
    if (!roster.ok()) return Fail(roster.status());
    if (Result<visits::SaveResult> saved = store.SaveRoster(*roster); !saved.ok()) {
      return Fail(saved.status());
    }
    Result<std::vector<visits::RateRow>> rates =
        store.Rates(m, visits::RateLevel::kCity, Natural(a.city));
    if (!rates.ok()) return Fail(rates.status());
    visits::RateRow all;
    for (const visits::RateRow& row : *rates) {
      all.roster += row.roster;
      all.visited += row.visited + row.documented;
    }
    fmt::print("  {} 名单 {} 人，已探访 {} 人，月探访率 {}.{:02}%\n", m.ToString(), all.roster,
               all.visited, all.rate_bp() / 100, all.rate_bp() % 100);
  }
  return 0;
}

}  // namespace

void AddVisitsCommands(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<VisitsArgs>();
  CLI::App* visits = app.add_subcommand("visits", "探访关爱：探访名单与分档、月探访率");
  visits->require_subcommand(1);
  auto common = [&](CLI::App* cmd) {
    AddDbOption(cmd, a->db);
    cmd->add_option("--policies", a->policies, "探访政策目录（默认 policies/visits）");
    cmd->add_option("--month", a->month, "月份 YYYY-MM")->required();
    cmd->add_option("--city", a->city, "市区划代码，如 420700、421300")->required();
  };
  CLI::App* roster = visits->add_subcommand(
      "roster", "按清单探访项目于月初求值，计算并保存该月探访名单与风险分档");
  common(roster);
  roster->add_option("--known-on", a->known_on, "按此日已知的登记（默认今天）");
  roster->callback([a, &exit_code] { exit_code = RosterCmd(*a); });
  CLI::App* rate =
      visits->add_subcommand("rate", "月探访率：按社区、街道、区县或全市，对照当年目标");
  common(rate);
  rate->add_option("--level", a->level, "层级 community、street、county、city（默认 street）");
  rate->callback([a, &exit_code] { exit_code = RateCmd(*a); });
  CLI::App* load = visits->add_subcommand(
      "load", "载入 yanglao gen 写出的探访人员、分派与探访记录，并生成各月探访名单");
  common(load);
  load->add_option("--dir", a->dir, "yanglao gen 的输出目录（探访人员.csv 等）")->required();
  load->add_option("--months", a->months, "生成名单的月数，截至 --month（默认 12）");
  load->callback([a, &exit_code] { exit_code = LoadCmd(*a); });
}

}  // namespace yanglao::cli
