// Forwarding header: the test database moved to src/db/ (namespace
// yanglao::db); the alias goes once every test uses db::TestDatabase
// (docs/architecture.md).
#ifndef YANGLAO_REGISTRY_TEST_DATABASE_H_
#define YANGLAO_REGISTRY_TEST_DATABASE_H_

#include "db/test_database.h"

namespace yanglao::registry {

using db::TestDatabase;

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_TEST_DATABASE_H_
