// The registry's row of the module table (db/module.h): its tables, the
// permissions on persons, imports and conflicts, the sensitive field groups,
// the department sources, and its console pages. Its routes are
// AddRegistryRoutes (src/server/api_registry.cc), its commands
// AddRegistryCommands (src/cli/registry_command.cc).
#ifndef YANGLAO_REGISTRY_MODULE_H_
#define YANGLAO_REGISTRY_MODULE_H_

#include "db/module.h"
#include "registry/migrations.h"
#include "registry/registry.h"

namespace yanglao::registry {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "registry",
      .label = "老年人登记",
      .schema =
          db::ModuleSchema{std::string(db::kRegistryModule),
                           [](std::string_view dialect) { return RegistryMigrationsFor(dialect); }},
      .permissions =
          {
              {"person:person:list",
               "查询老年人名单",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official", "caseworker"}},
              {"person:person:read",
               "查看老年人详细信息（含完整身份号码，留痕）",
               {"city_official", "county_official", "street_worker", "community_worker",
                "health_official", "caseworker"}},
              {"person:person:export", "导出老年人名单（脱敏，留痕）", {"city_official"}},
              {"person:conflict:resolve",
               "处理数据冲突",
               {"city_official", "county_official", "street_worker"}},
              {"person:field:income", "查看收入状况（低保、低收入、特困）", {}},
              {"person:field:disability", "查看残疾信息", {}},
              {"person:field:health", "查看健康信息（失能、失智、长期照护）", {}},
              {"registry:import:create", "导入部门数据", {"city_official", "health_official"}},
              {"registry:import:read",
               "查看导入记录与错误报告",
               {"city_official", "county_official", "health_official"}},
          },
      .field_groups =
          {
              {"income", "收入状况", {"dibao", "dibao_hardship", "low_income", "tekun"}, {"民政"}},
              {"disability",
               "残疾信息",
               {"disability_category", "disability_grade", "disability_cert_until",
                "disability_cert_valid"},
               {"残联", "民政"}},
              {"health",
               "健康信息",
               {"dementia", "cannot_self_care", "long_term_care_need"},
               {"卫健", "民政", "医保"}},
          },
      .sources = {"公安", "民政", "人社", "卫健", "医保", "残联"},
      .menu =
          {
              {20, "老年人", "/persons", "老年人信息", "User", "person:person:list"},
              {21, "老年人", "/conflicts", "数据冲突", "Warning", "person:person:list"},
              {40, "数据", "/imports", "数据导入", "Upload", "registry:import:read"},
          },
  };
  return *info;
}

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_MODULE_H_
