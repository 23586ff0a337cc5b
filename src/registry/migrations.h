// The registry's schema migrations per SQL dialect (migration 4 differs:
// how a feed's records are found, see registry.cc).
#ifndef YANGLAO_REGISTRY_MIGRATIONS_H_
#define YANGLAO_REGISTRY_MIGRATIONS_H_

#include <string>
#include <string_view>
#include <vector>

namespace yanglao::registry {

// The migrations for `dialect` ("sqlite", "postgresql"), in order (version
// = index + 1); as many for either dialect. RegistryMigrations()
// (registry.h) is the SQLite list.
const std::vector<std::string>& RegistryMigrationsFor(std::string_view dialect);

}  // namespace yanglao::registry

#endif  // YANGLAO_REGISTRY_MIGRATIONS_H_
