// The policy module's row of the module table (db/module.h): no tables; the
// permissions to read regions and service lists, and its console page. Its
// routes are AddPolicyRoutes (src/server/api_policy.cc), its commands
// AddPolicyCommands (src/cli/policy_command.cc).
#ifndef YANGLAO_POLICY_MODULE_H_
#define YANGLAO_POLICY_MODULE_H_

#include "db/module.h"

namespace yanglao::policy {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "policy",
      .label = "服务清单",
      .permissions =
          {
              {"region:region:read",
               "查看行政区划",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official", "caseworker"}},
              {"policy:list:read",
               "查看服务清单、比对、合规检查",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official"}},
          },
      .menu =
          {
              {30, "政策", "/lists", "服务清单", "Tickets", "policy:list:read"},
          },
  };
  return *info;
}

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_MODULE_H_
