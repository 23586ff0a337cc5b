#include "server/modules.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "assess/module.h"
#include "canteen/module.h"
#include "db/transaction.h"
#include "devices/module.h"
#include "entitle/module.h"
#include "facility/module.h"
#include "oversight/module.h"
#include "policy/module.h"
#include "registry/module.h"
#include "server/app.h"
#include "server/module.h"
#include "server/web_routes.h"
#include "visits/module.h"
#include "waitlist/module.h"

namespace yanglao::server {

namespace {

// The platform's own routes: sign-in, administration, the citizen page and
// the console's.
void AddPlatformRoutes(App& app, Router& router) {
  AddAuthRoutes(app, router);
  AddAdminRoutes(app, router);
  AddCitizenRoutes(app, router);
  AddConsoleRoutes(app, router);
}

}  // namespace

const std::vector<ServerModule>& ServerModules() {
  // One line per module: its declaration and its routes.
  static const std::vector<ServerModule>* const modules = new std::vector<ServerModule>{
      {&policy::Module(), AddPolicyRoutes},       {&registry::Module(), AddRegistryRoutes},
      {&entitle::Module(), AddEntitleRoutes},     {&assess::Module(), AddAssessRoutes},
      {&facility::Module(), AddFacilityRoutes},   {&canteen::Module(), AddCanteenRoutes},
      {&oversight::Module(), AddOversightRoutes}, {&waitlist::Module(), AddWaitlistRoutes},
      {&visits::Module(), AddVisitsRoutes},       {&devices::Module(), AddDevicesRoutes},
      {&server::Module(), AddPlatformRoutes},
  };
  return *modules;
}

std::vector<const db::ModuleInfo*> ModuleInfos() {
  std::vector<const db::ModuleInfo*> out;
  for (const ServerModule& m : ServerModules()) out.push_back(m.info);
  return out;
}

std::vector<db::ModuleSchema> ModuleSchemas() {
  std::vector<db::ModuleSchema> out;
  for (const ServerModule& m : ServerModules()) {
    if (m.info->schema) out.push_back(*m.info->schema);
  }
  return out;
}

Status PrepareDatabase(db::Database& db) {
  if (Status s = db::MigrateAll(db, ModuleSchemas()); !s.ok()) return s;
  return ReconcileBuiltinRoles(db, ModuleInfos());
}

namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// What the server's migrations 1 and 2 granted the built-in roles before the
// roles came from the module table: on a database from then, these count as
// offered (a site may have taken some away since).
const std::vector<std::pair<std::string_view, std::string_view>>& GrantedBeforeTheTable() {
  static const std::vector<std::pair<std::string_view, std::string_view>>* const grants =
      new std::vector<std::pair<std::string_view, std::string_view>>{
          {"admin", "*"},
          {"city_official",
           "region:region:read policy:list:read person:person:list person:person:read "
           "person:person:export person:conflict:resolve registry:import:create "
           "registry:import:read entitle:run:read entitle:run:create entitle:roll:export "
           "entitle:advice:read entitle:whatif:run assess:assessment:read "
           "assess:assessment:create assess:request:create assess:due:list"},
          {"county_official",
           "region:region:read policy:list:read person:person:list person:person:read "
           "person:conflict:resolve registry:import:read entitle:run:read entitle:roll:export "
           "entitle:advice:read entitle:whatif:run assess:assessment:read assess:request:create "
           "assess:due:list"},
          {"street_worker",
           "region:region:read policy:list:read person:person:list person:person:read "
           "person:conflict:resolve entitle:run:read entitle:advice:read assess:assessment:read "
           "assess:request:create assess:due:list"},
          {"community_worker",
           "region:region:read policy:list:read person:person:list person:person:read "
           "entitle:run:read entitle:advice:read assess:assessment:read assess:request:create "
           "assess:due:list"},
          {"health_official",
           "region:region:read policy:list:read person:person:list person:person:read "
           "registry:import:create registry:import:read entitle:advice:read "
           "assess:assessment:read assess:assessment:create assess:request:create "
           "assess:due:list"},
          {"caseworker",
           "region:region:read person:person:list person:person:read entitle:advice:read "
           "assess:assessment:read assess:request:create"},
          {"auditor", "system:audit:list system:audit:export"},
      };
  return *grants;
}

}  // namespace

Status ReconcileBuiltinRoles(db::Database& db, const std::vector<const db::ModuleInfo*>& modules) {
  return db::InTransaction(db, [&]() -> Status {
    std::set<std::pair<std::string, std::string>> offered;
    Status s =
        db.Query("SELECT role_key, permission FROM server_role_grant", {}, [&](const db::Row& r) {
          offered.emplace(r.AsText(0), r.AsText(1));
          return true;
        });
    if (!s.ok()) return s;
    std::map<std::string, std::string> roles;  // role_key -> permissions
    s = db.Query("SELECT role_key, permissions FROM server_role", {}, [&](const db::Row& r) {
      roles[r.AsText(0)] = r.AsText(1);
      return true;
    });
    if (!s.ok()) return s;
    auto offer = [&](const std::string& role, const std::string& permission) -> Status {
      if (!offered.emplace(role, permission).second) return Status::Ok();
      return db.Execute(
          "INSERT INTO server_role_grant (role_key, permission) VALUES (?, ?) ON CONFLICT "
          "(role_key, permission) DO NOTHING",
          {role, permission});
    };
    if (offered.empty() && !roles.empty()) {
      // A database from before the module table: its roles came from the
      // migrations, and what they granted counts as offered.
      for (const auto& [role, permissions] : GrantedBeforeTheTable()) {
        if (!roles.contains(std::string(role))) continue;
        for (const std::string& p : Words(permissions)) {
          if (Status o = offer(std::string(role), p); !o.ok()) return o;
        }
      }
    }
    for (const db::ModuleInfo* declaring : modules) {
      for (const db::RoleInfo& role : declaring->roles) {
        const std::string key(role.key);
        std::vector<std::string> wanted;
        if (role.all) {
          wanted.push_back("*");
        } else {
          for (const db::ModuleInfo* m : modules) {
            for (const db::PermissionInfo& p : m->permissions) {
              if (std::find(p.roles.begin(), p.roles.end(), role.key) != p.roles.end()) {
                wanted.emplace_back(p.key);
              }
            }
          }
        }
        auto existing = roles.find(key);
        if (existing == roles.end()) {
          const bool ever = std::any_of(offered.begin(), offered.end(),
                                        [&](const auto& o) { return o.first == key; });
          if (ever) continue;  // the site deleted it
          s = db.Execute(
              "INSERT INTO server_role (role_key, name, data_scope, permissions, builtin) VALUES "
              "(?, ?, ?, ?, 1) ON CONFLICT (role_key) DO NOTHING",
              {key, std::string(role.name), std::string(role.data_scope),
               fmt::format("{}", fmt::join(wanted, " "))});
          if (!s.ok()) return s;
          roles[key] = fmt::format("{}", fmt::join(wanted, " "));
        } else {
          std::vector<std::string> current = Words(existing->second);
          bool added = false;
          for (const std::string& p : wanted) {
            if (offered.contains({key, p})) continue;
            if (std::find(current.begin(), current.end(), p) != current.end()) continue;
            current.push_back(p);
            added = true;
          }
          if (added) {
            existing->second = fmt::format("{}", fmt::join(current, " "));
            s = db.Execute("UPDATE server_role SET permissions = ? WHERE role_key = ?",
                           {existing->second, key});
            if (!s.ok()) return s;
          }
        }
        for (const std::string& p : wanted) {
          if (Status o = offer(key, p); !o.ok()) return o;
        }
      }
    }
    return Status::Ok();
  });
}

}  // namespace yanglao::server
