// yanglao demo: a short tour of what the platform can do so far. This is the
// quick start's main job until the platform server exists.
#include <fmt/format.h>

#include <chrono>

#include "cli/commands.h"
#include "core/civil_date.h"
#include "core/id_number.h"
#include "core/money.h"
#include "core/region.h"
#include "core/version.h"
#include "waitlist/queue.h"
#include "waitlist/rules.h"

namespace yanglao::cli {
namespace {

int RunDemo() {
  fmt::print("yanglao {}：基本养老服务体系平台（演示）\n\n", kVersion);

  auto start = std::chrono::steady_clock::now();
  const RegionTable& regions = RegionTable::Builtin();
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  fmt::print("行政区划：载入 {} 个单位，用时 {:.1f} 毫秒\n", regions.size(), ms.count());

  fmt::print("\n五个试点城市：\n");
  for (std::string_view code : {"420700", "421300", "421200", "430200", "320600"}) {
    const Region* city = regions.Find(code);
    std::vector<size_t> n = regions.CountDescendantsByKind(*city);
    auto at = [&](RegionKind k) { return n[static_cast<size_t>(k)]; };
    fmt::print("  {} {}：县级 {}，街道 {}、镇 {}、乡 {}，社区 {}、村 {}\n", city->DisplayCode(),
               city->name, at(RegionKind::kCounty), at(RegionKind::kStreet), at(RegionKind::kTown),
               at(RegionKind::kTownship), at(RegionKind::kUrbanCommunity),
               at(RegionKind::kRuralVillage));
  }

  CivilDate today = CivilDate::Today();
  fmt::print("\n身份号码校验（{}）：\n", today.ToString());
  for (std::string_view text :
       {"11010519491231002X", "11010519491231002Y", "42130219440229001X", "110105491231002"}) {
    Result<IdNumber> id = ParseIdNumber(text, regions, today);
    if (id.ok()) {
      fmt::print("  {}  有效  {} {} {}周岁  列表中显示为 {}\n", text, id->birth_date.ToString(),
                 SexName(id->sex), AgeOn(id->birth_date, today), MaskIdNumber(id->value));
      for (const Status& w : id->warnings) fmt::print("      提示：{}\n", w.message());
    } else {
      fmt::print("  {}  无效  {}\n", text, id.status().message());
    }
  }

  CivilDate leap = *CivilDate::FromYmd(1944, 2, 29);
  fmt::print("\n周岁：1944-02-29 出生者满80周岁之日 {}，满81周岁之日 {}\n",
             AgeAnniversary(leap, 80).ToString(), AgeAnniversary(leap, 81).ToString());
  Money allowance = Money::Yuan(100);
  fmt::print("金额：高龄津贴 {}，一年 {}，八折后 {}\n", allowance.FormatPer(Period::kMonth),
             (allowance * 12).Format(), allowance.MulRatio(8, 10).FormatYuan());
  {  // The admission waitlist (src/waitlist): three applicants under Ezhou's rules.
    auto rules = waitlist::WaitlistRules::Load("policies/waitlist/ezhou.waitlist.yaml", today);
    if (rules.ok()) {
      fmt::print("\n入住轮候（鄂州市规则，policies/waitlist/ezhou.waitlist.yaml）：\n");
      std::vector<waitlist::Application> apps;
      const char* const facts[] = {"age=88 capability_level=3",
                                   "age=88 capability_level=3 martyr_family=true",
                                   "age=67 tekun=dispersed capability_level=1"};
      const char* const names[] = {"王桂兰", "李建华", "周德明"};
      for (int i = 0; i < 3; ++i) {
        waitlist::Application a;
        a.id = i + 1;
        a.name = names[i];
        a.applied_on = a.since = *CivilDate::FromYmd(2026, 1, 5 + i);
        a.willing = i == 2;
        a.facts = *waitlist::FactsFromText(facts[i]);
        a.status = waitlist::AppStatus::kWaiting;
        apps.push_back(a);
      }
      std::vector<const waitlist::Application*> ptrs;
      for (const auto& a : apps) ptrs.push_back(&a);
      for (const waitlist::Position& p : waitlist::Rank(**rules, ptrs)) {
        fmt::print("  第{}位 {}：{}\n", p.position,
                   waitlist::MaskName(apps[static_cast<size_t>(p.application - 1)].name), p.trace);
      }
    }
  }
  fmt::print("\n更多：yanglao --help\n");
  return 0;
}

}  // namespace

void AddDemoCommand(CLI::App& app, int& exit_code) {
  CLI::App* demo = app.add_subcommand("demo", "演示：区划、身份号码、金额与周岁");
  demo->callback([&exit_code] { exit_code = RunDemo(); });
}

}  // namespace yanglao::cli
