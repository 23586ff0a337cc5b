// The visits module's row of the module table (db/module.h). Routes and
// commands are to come (docs/visits.md, "Not yet").
#ifndef YANGLAO_VISITS_MODULE_H_
#define YANGLAO_VISITS_MODULE_H_

#include "db/module.h"
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
               "查看探访名单、应探访与逾期名单（探访人员只看分派给自己的人）",
               {"city_official", "county_official", "street_worker", "community_worker"}},
              {"visits:rate:read",
               "查看月探访率（社区、街道、区县、全市）",
               {"city_official", "county_official", "street_worker"}},
              {"visits:visit:create",
               "登记探访记录（上门、电话、结对、邻里）",
               {"street_worker", "community_worker"}},
              {"visits:visitor:manage",
               "管理探访人员与分派（街道督导调整分派）",
               {"county_official", "street_worker"}},
          },
  };
  return *info;
}

}  // namespace yanglao::visits

#endif  // YANGLAO_VISITS_MODULE_H_
