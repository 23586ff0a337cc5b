// The oversight module's row of the module table (db/module.h). Its routes are
// AddOversightRoutes (src/server/api_oversight.cc), its commands
// AddOversightCommands (src/cli/oversight_command.cc); its console page
// web/src/views/oversight/, its public page (信息公开) web/src/views/public/.
#ifndef YANGLAO_OVERSIGHT_MODULE_H_
#define YANGLAO_OVERSIGHT_MODULE_H_

#include <filesystem>

#include "db/module.h"
#include "oversight/credit.h"
#include "oversight/draw.h"
#include "oversight/indicators.h"
#include "oversight/publish.h"
#include "oversight/store.h"
#include "oversight/tasks.h"

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
      .policy_formats =
          {
              {"yanglao.tasks/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadTaskPlan(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
              {"yanglao.draw/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadDrawPolicy(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
              {"yanglao.publication/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadPublicationPolicy(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
              {"yanglao.credit/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadCreditPolicy(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
              {"yanglao.task_indicators/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadIndicatorPolicy(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
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
