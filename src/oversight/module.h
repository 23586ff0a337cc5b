// The oversight module's row of the module table (db/module.h). Its routes are
// AddOversightRoutes (src/server/api_oversight.cc), its commands
// AddOversightCommands (src/cli/oversight_command.cc); its console page
// web/src/views/oversight/, its public page (信息公开) web/src/views/public/.
#ifndef YANGLAO_OVERSIGHT_MODULE_H_
#define YANGLAO_OVERSIGHT_MODULE_H_

#include "db/module.h"
#include "oversight/store.h"

namespace yanglao::oversight {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "oversight",
      .label = "监管与公开",
      .schema = OversightSchema(),
      .permissions =
          {
              {"oversight:task:read",
               "查看年度任务分解表及其进展",
               {"city_official", "county_official"}},
              {"oversight:progress:create",
               "报告任务进展（附佐证材料）",
               {"city_official", "county_official"}},
              {"oversight:inspection:create",
               "录入检查记录与整改复查",
               {"city_official", "county_official"}},
              {"oversight:report:read",
               "下载统计报表（月报、季报、年报，PDF 与 XLSX）",
               {"city_official", "county_official"}},
          },
      .menu =
          {
              {60, "监管与公开", "/oversight", "任务与报表", "DataAnalysis", "oversight:task:read"},
          },
  };
  return *info;
}

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_MODULE_H_
