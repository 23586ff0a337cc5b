// The facility module's row of the module table (db/module.h). Its routes
// are AddFacilityRoutes (src/server/api_facility.cc), its commands
// AddFacilityCommands (src/cli/facility_command.cc).
#ifndef YANGLAO_FACILITY_MODULE_H_
#define YANGLAO_FACILITY_MODULE_H_

#include <filesystem>

#include "db/module.h"
#include "facility/policy.h"
#include "facility/store.h"

namespace yanglao::facility {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "facility",
      .label = "养老服务设施",
      .schema = FacilitySchema(),
      .permissions =
          {
              {"facility:map:read",
               "查看养老服务设施地图、15分钟步行圈与建议站点",
               {"city_official", "county_official", "street_worker"}},
              {"facility:coverage:read",
               "查看设施覆盖率、配建达标与目标对照",
               {"city_official", "county_official", "street_worker"}},
          },
      .policy_formats =
          {
              {"yanglao.facility/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadFacilityPolicy(f);
                 if (!r.ok()) return r.status();
                 return size_t{r->targets.size()};
               }},
          },
      .menu =
          {
              {29, "政策", "/facility", "设施与规划", "MapLocation", "facility:map:read"},
          },
  };
  return *info;
}

}  // namespace yanglao::facility

#endif  // YANGLAO_FACILITY_MODULE_H_
