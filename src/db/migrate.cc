#include "db/migrate.h"

namespace yanglao::db {

Status MigrateAll(Database& db, const std::vector<ModuleSchema>& modules) {
  for (const ModuleSchema& m : modules) {
    std::vector<std::string> migrations = m.migrations(db.dialect());
    Status s = m.module == kRegistryModule ? Migrate(db, migrations)
                                           : MigrateModule(db, m.module, migrations);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace yanglao::db
