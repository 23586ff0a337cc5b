// The platform's own row of the module table (db/module.h): the server's
// tables (users, roles, sessions, caseloads, audit, uploads, secrets), the
// built-in roles, the system permissions, and the console's home and system
// pages. Its routes are sign-in, administration, the citizen page and the
// console's own (AddPlatformRoutes, src/server/modules.cc); its commands
// `serve` and `admin` (src/cli).
#ifndef YANGLAO_SERVER_MODULE_H_
#define YANGLAO_SERVER_MODULE_H_

#include "db/module.h"
#include "server/schema.h"

namespace yanglao::server {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "server",
      .label = "平台与系统管理",
      .schema = db::ModuleSchema{"server", ServerMigrations},
      .permissions =
          {
              {"system:user:list", "查看用户", {}},
              {"system:user:create", "新增用户", {}},
              {"system:user:update", "修改用户、重置密码、分配服务对象", {}},
              {"system:role:list", "查看角色", {}},
              {"system:role:update", "新增、修改角色", {}},
              {"system:audit:list", "查询操作日志", {"auditor"}},
              {"system:audit:export", "导出操作日志", {"auditor"}},
          },
      .roles =
          {
              {"admin", "系统管理员", "all", true},
              {"city_official", "市级工作人员", "subtree"},
              {"county_official", "区县工作人员", "subtree"},
              {"street_worker", "街道（乡镇）工作人员", "subtree"},
              {"community_worker", "社区（村）工作人员", "unit"},
              {"health_official", "卫健工作人员", "subtree"},
              {"caseworker", "探访关爱人员", "self"},
              {"auditor", "审计员", "all"},
          },
      .menu =
          {
              {10, "", "/dashboard", "首页", "Odometer", ""},
              {90, "系统管理", "/system/users", "用户管理", "Avatar", "system:user:list"},
              {91, "系统管理", "/system/roles", "角色管理", "Lock", "system:role:list"},
              {92, "系统管理", "/system/audit", "审计日志", "List", "system:audit:list"},
          },
  };
  return *info;
}

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_MODULE_H_
