// The facility module's store: facilities, residential estates and
// community coordinates, in the module's own tables (facility_site,
// facility_estate, facility_point; migrations FacilitySchema(), run by
// db::MigrateAll at start-up). The constructor does no I/O.
#ifndef YANGLAO_FACILITY_STORE_H_
#define YANGLAO_FACILITY_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/database.h"
#include "db/migrate.h"
#include "facility/model.h"
#include "facility/table.h"

namespace yanglao::facility {

db::ModuleSchema FacilitySchema();

struct ImportResult {
  ParsedTable::Type type = ParsedTable::Type::kFacilities;
  int64_t added = 0;
  int64_t updated = 0;    // an id already stored, with other values
  int64_t unchanged = 0;  // stored identically: a rerun changes nothing
};

class FacilityStore {
 public:
  explicit FacilityStore(db::Database& db) : db_(db) {}

  // Stores every row of `table` in one transaction (by id: new rows are
  // added, stored ones replaced), or nothing when any write fails.
  Result<ImportResult> Import(const ParsedTable& table);

  // Records at or below `region` (a natural region code; empty = all), in
  // id (code) order. Fails with the back end's db.* code.
  Result<std::vector<Facility>> Facilities(std::string_view region = {});
  Result<std::vector<Estate>> Estates(std::string_view region = {});
  Result<std::vector<CommunityPoint>> Points(std::string_view region = {});

 private:
  db::Database& db_;
};

}  // namespace yanglao::facility

#endif  // YANGLAO_FACILITY_STORE_H_
