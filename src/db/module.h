// The module table's row: what one module tells the rest of the program
// about itself, declared once in its own folder (src/<module>/module.h) as
// plain data. The programs are built from the list of these rows: the
// server's routes, permissions, built-in roles, field groups and console
// menu (src/server/modules.cc), the migrations run at start-up
// (db::MigrateAll), the CLI's commands (src/cli/main.cc).
//
// It lives in db because every module sits above db and because its schema
// is a db::ModuleSchema; it holds no behaviour of its own. What needs a
// higher layer (the HTTP route function, the CLI command function) is named
// in the list of that layer, next to the row (docs/architecture.md).
#ifndef YANGLAO_DB_MODULE_H_
#define YANGLAO_DB_MODULE_H_

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/migrate.h"

namespace yanglao::db {

// A permission `module:entity:action` (the same key in the server and the
// web console), its Chinese label, and the built-in roles that get it.
struct PermissionInfo {
  std::string_view key;
  std::string_view label;
  std::vector<std::string_view> roles;  // keys of built-in roles (RoleInfo)
};

// A built-in role (内置角色). Its permissions are those the modules grant it
// (PermissionInfo::roles), or every permission ("*") when `all`. Roles are
// reconciled from the table at start-up: a missing role is created, and a
// permission granted to it that it has never been offered is added; nothing
// a site changed is touched.
struct RoleInfo {
  std::string_view key;         // "city_official"
  std::string_view name;        // "市级工作人员"
  std::string_view data_scope;  // "all", "subtree", "unit", "self"
  bool all = false;             // holds "*"
};

// Sensitive person facts shown only to the departments listed or to roles
// holding "person:field:<key>" (server/access.h).
struct FieldGroupInfo {
  std::string_view key;    // "income"
  std::string_view label;  // "收入状况"
  std::vector<std::string_view> facts;
  std::vector<std::string_view> departments;
};

// An entry of the web console's menu (GET /api/v1/console/menu): shown to a
// user holding `permission` ("" = every signed-in user). Entries are shown in
// `order`, under the group `group` ("" = top level); groups appear in the
// order of their first entry.
struct MenuEntry {
  int order = 0;
  std::string_view group;       // "老年人"
  std::string_view path;        // console route, "/persons"
  std::string_view title;       // "老年人信息"
  std::string_view icon;        // Element Plus icon name
  std::string_view permission;  // "person:person:list"
};

// A policy-file format the module reads: the `format:` value of its files
// under policies/ and the function that checks one such file (what `yanglao
// policy check` runs on it): the number of entries it holds (shown as
// "（N 项）"; 0 = not counted) or the file's first located error.
struct PolicyFormatInfo {
  std::string_view format;  // "yanglao.canteen/1"
  Result<size_t> (*check)(const std::filesystem::path& file);
};

struct ModuleInfo {
  std::string_view name;               // first part of its error codes and tables
  std::string_view label;              // Chinese name
  std::optional<ModuleSchema> schema;  // its tables (none: no tables)
  std::vector<PermissionInfo> permissions;
  std::vector<RoleInfo> roles;  // built-in roles it introduces
  std::vector<FieldGroupInfo> field_groups;
  std::vector<std::string_view> sources;  // sources (来源部门) it stores registry facts as
  std::vector<PolicyFormatInfo> policy_formats;
  std::vector<MenuEntry> menu;
};

}  // namespace yanglao::db

#endif  // YANGLAO_DB_MODULE_H_
