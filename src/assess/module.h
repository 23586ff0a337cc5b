// The assessment module's row of the module table (db/module.h): its
// tables, the permissions on assessments, requests and work lists, the
// source it stores registry facts as (评估机构), and its console page. Its
// routes are AddAssessRoutes (src/server/api_assess.cc), its commands
// AddAssessCommands (src/cli/assess_command.cc).
#ifndef YANGLAO_ASSESS_MODULE_H_
#define YANGLAO_ASSESS_MODULE_H_

#include "assess/store.h"
#include "db/module.h"
#include "registry/registry.h"

namespace yanglao::assess {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "assess",
      .label = "老年人能力评估",
      .schema = AssessSchema(),
      .permissions =
          {
              {"assess:assessment:read",
               "查看能力评估记录（留痕）",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official", "caseworker"}},
              {"assess:assessment:create", "录入能力评估", {"city_official", "health_official"}},
              {"assess:request:create",
               "登记复评申请",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official", "caseworker"}},
              {"assess:due:list",
               "查看评估工作清单与覆盖率",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official"}},
          },
      .sources = {registry::kAssessmentSource},
      .menu =
          {
              {22, "老年人", "/assessments", "能力评估", "Document", "assess:due:list"},
          },
  };
  return *info;
}

}  // namespace yanglao::assess

#endif  // YANGLAO_ASSESS_MODULE_H_
