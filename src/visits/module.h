// The visits module's row of the module table (db/module.h). Its routes are
// AddVisitsRoutes (src/server/api_visits.cc), its commands AddVisitsCommands
// (src/cli/visits_command.cc).
#ifndef YANGLAO_VISITS_MODULE_H_
#define YANGLAO_VISITS_MODULE_H_

#include <filesystem>

#include "db/module.h"
#include "visits/policy.h"
#include "visits/store.h"

namespace yanglao::visits {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "visits",
      .label = "探访关爱",
      .schema = VisitsSchema(),
      .permissions =
          {
              {"visits:roster:read",
               "查看探访名单、应探访与逾期名单、转介（探访人员只看分派给自己的人）",
               {"city_official", "county_official", "street_worker", "community_worker",
                "caseworker"}},
              {"visits:rate:read",
               "查看月探访率（社区、街道、区县、全市）并导出",
               {"city_official", "county_official", "street_worker"}},
              {"visits:visit:create",
               "登记探访记录（上门、电话、结对、邻里）",
               {"street_worker", "community_worker", "caseworker"}},
              {"visits:visitor:manage",
               "管理探访人员与分派、查看工作量（街道督导调整分派）",
               {"county_official", "street_worker"}},
              {"visits:roster:create", "按清单规则生成月度探访名单", {"city_official"}},
              {"visits:referral:manage",
               "办结探访发现的转介（能力评估、助餐、手环、紧急救助）",
               {"county_official", "street_worker", "community_worker"}},
          },
      .policy_formats =
          {
              {"yanglao.visits/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadVisitPolicy(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
          },
      .menu =
          {
              {36, "探访关爱", "/visits/phone", "探访登记", "Iphone", "visits:visit:create"},
              {37, "探访关爱", "/visits", "探访督导", "DataLine", "visits:rate:read"},
          },
  };
  return *info;
}

}  // namespace yanglao::visits

#endif  // YANGLAO_VISITS_MODULE_H_
