// Forwarding header: the database layer is its own module now (src/db/,
// namespace yanglao::db). These aliases keep the callers that still say
// registry::Database compiling; they go once every caller uses db::
// (docs/architecture.md).
#ifndef YANGLAO_REGISTRY_DATABASE_H_
#define YANGLAO_REGISTRY_DATABASE_H_

#include "db/database.h"
#include "db/query.h"
#include "db/transaction.h"

namespace yanglao::registry {

using db::Database;
using db::Migrate;
using db::MigrateModule;
using db::PostgresPlaceholders;
using db::Row;
using db::RowView;
using db::Value;

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_DATABASE_H_
