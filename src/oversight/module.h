// The oversight module's row of the module table (db/module.h). Its routes are
// AddOversightRoutes (src/server/api_oversight.cc), its commands
// AddOversightCommands (src/cli/oversight_command.cc). No console page yet,
// so no menu entry.
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
          },
  };
  return *info;
}

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_MODULE_H_
