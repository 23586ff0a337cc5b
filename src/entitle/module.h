// The entitlement module's row of the module table (db/module.h): its run
// tables, the permissions on runs, rolls, the advisor and what-ifs, and its
// console pages. Its routes are AddEntitleRoutes
// (src/server/api_entitle.cc), its commands AddEntitleCommands
// (src/cli/entitle_command.cc).
#ifndef YANGLAO_ENTITLE_MODULE_H_
#define YANGLAO_ENTITLE_MODULE_H_

#include "db/module.h"
#include "entitle/run.h"

namespace yanglao::entitle {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "entitle",
      .label = "政策找人与待遇核定",
      .schema = EntitleSchema(),
      .permissions =
          {
              {"entitle:run:read",
               "查看月度核定、享受名单与增减名单（数据范围内，脱敏）",
               {"city_official", "county_official", "street_worker", "community_worker"}},
              {"entitle:run:create", "发起月度核定（政策找人、免申即享）", {"city_official"}},
              {"entitle:roll:export",
               "下载代发名册与资金汇总（含完整身份号码，留痕）",
               {"city_official", "county_official"}},
              {"entitle:advice:read",
               "养老顾问：查看个人可享待遇与即将发生的变化（留痕）",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official", "caseworker"}},
              {"entitle:whatif:run",
               "政策测算：调整清单参数与规则，测算受益人数与资金变化",
               {"city_official", "county_official"}},
          },
      .menu =
          {
              {31, "政策", "/runs", "月度核定", "Calendar", "entitle:run:read"},
              {32, "政策", "/whatif", "政策测算", "TrendCharts", "entitle:whatif:run"},
          },
  };
  return *info;
}

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_MODULE_H_
