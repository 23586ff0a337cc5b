// The platform server's own tables (users, roles, sessions, caseloads, audit,
// uploads, secrets), as the module "server" migration sequence on the
// registry's Database (see db::MigrateModule): their versions are
// counted in module_schema under "server", apart from the registry's
// schema_version and from other modules' sequences.
#ifndef YANGLAO_SERVER_SCHEMA_H_
#define YANGLAO_SERVER_SCHEMA_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace yanglao::server {

// The migrations for `dialect` ("sqlite" or "postgresql"): the same tables,
// with the dialect's auto-increment key.
std::vector<std::string> ServerMigrations(std::string_view dialect);

// Brings the server tables of `db` (whose registry tables must exist) up to
// date and reconciles the built-in roles (ReconcileBuiltinRoles, modules.h).
// Fails with db.migrate. (A program that opens the database for every
// module calls PrepareDatabase instead.)
Status MigrateServer(db::Database& db);

// The current time in UTC as "YYYY-MM-DDTHH:MM:SS.mmmZ" (sorts as text).
std::string UtcNow();

// Does the database take a write now? Upserts one row of server_secret
// (health_probe). Fails with db.read_only, naming the database's reason.
Status CheckWritable(db::Database& db);
// `seconds` from now, in the same form.
std::string UtcAfter(int64_t seconds);

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_SCHEMA_H_
