// Schemas of the modules, brought up to date once at start-up. Each module
// that has tables names its migration sequence (ModuleSchema); the program
// that opens the database (server, CLI) runs MigrateAll over the modules it
// is built from, and the stores it then makes do no I/O of their own.
#ifndef YANGLAO_DB_MIGRATE_H_
#define YANGLAO_DB_MIGRATE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace yanglao::db {

// One module's tables: its name and its migrations, in order (version =
// index + 1), for the database's dialect ("sqlite", "postgresql").
struct ModuleSchema {
  std::string module;
  std::function<std::vector<std::string>(std::string_view dialect)> migrations;
};

// The registry's sequence keeps its historical version table
// (schema_version); every other module's is counted in module_schema.
inline constexpr std::string_view kRegistryModule = "registry";

// Brings the tables of `modules` up to date, in the order given (a module's
// tables may refer to those of the modules before it). Idempotent: versions
// already applied are skipped. Stops at the first failure ("db.migrate").
Status MigrateAll(Database& db, const std::vector<ModuleSchema>& modules);

}  // namespace yanglao::db

#endif  // YANGLAO_DB_MIGRATE_H_
