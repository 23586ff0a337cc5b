// The module table: the list the server (and through it the CLI's `serve`
// and `admin`) is built from. Each row is a module's declaration
// (src/<module>/module.h, a db::ModuleInfo) and the function that adds its
// HTTP routes (src/server/api_<module>.cc); the routes live in the server
// because they need its types (App, Router, Call), and the layers point down.
//
// Adding a module: write src/<module>/module.h, then add its line to
// ServerModules() in modules.cc (docs/architecture.md has the checklist).
#ifndef YANGLAO_SERVER_MODULES_H_
#define YANGLAO_SERVER_MODULES_H_

#include <string_view>
#include <vector>

#include "db/database.h"
#include "db/migrate.h"
#include "db/module.h"

namespace yanglao::server {

class App;
class Router;

struct ServerModule {
  const db::ModuleInfo* info = nullptr;
  void (*routes)(App& app, Router& router) = nullptr;  // null: no routes
};

// Every module of the server, in order: migrations run in this order,
// routes are added in it, and permissions are listed in it.
const std::vector<ServerModule>& ServerModules();
// The declarations alone, in the same order.
std::vector<const db::ModuleInfo*> ModuleInfos();
// Their schemas, for db::MigrateAll.
std::vector<db::ModuleSchema> ModuleSchemas();

// Brings every module's tables up to date (db::MigrateAll) and reconciles
// the built-in roles (ReconcileBuiltinRoles): what a program that opens the
// database does once at start-up.
Status PrepareDatabase(db::Database& db);

// Reconciles the built-in roles of `modules` with the server's role table:
// a built-in role that is missing is created (never one a site deleted after
// it was created); a permission a module grants to a built-in role and that
// the role has never been offered is added to it; every offer is recorded
// (server_role_grant), so that a permission a site took away from a role
// stays away. Nothing else is changed: names, data scopes and a site's own
// roles are the site's. In one transaction.
Status ReconcileBuiltinRoles(db::Database& db, const std::vector<const db::ModuleInfo*>& modules);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_MODULES_H_
