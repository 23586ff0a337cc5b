#include "facility/store.h"

#include <fmt/format.h>

#include "db/query.h"
#include "db/transaction.h"

namespace yanglao::facility {
namespace {

std::vector<std::string> Migrations(std::string_view /*dialect*/) {
  return {// 1: facilities, estates, community coordinates.
          R"(
CREATE TABLE facility_site (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  community TEXT NOT NULL,
  x BIGINT NOT NULL,
  y BIGINT NOT NULL,
  served TEXT NOT NULL,
  floor_area BIGINT NOT NULL,
  beds BIGINT NOT NULL,
  nursing_beds BIGINT NOT NULL,
  operator_name TEXT NOT NULL,
  opened_on TEXT NOT NULL,
  status TEXT NOT NULL,
  synthetic INTEGER NOT NULL);
CREATE INDEX facility_site_community ON facility_site (community);
CREATE TABLE facility_estate (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  community TEXT NOT NULL,
  households BIGINT NOT NULL,
  year_built INTEGER NOT NULL,
  area_provided BIGINT NOT NULL,
  largest_site BIGINT NOT NULL,
  synthetic INTEGER NOT NULL);
CREATE INDEX facility_estate_community ON facility_estate (community);
CREATE TABLE facility_point (
  community TEXT PRIMARY KEY,
  x BIGINT NOT NULL,
  y BIGINT NOT NULL,
  synthetic INTEGER NOT NULL);
)"};
}

std::string JoinServed(const std::vector<std::string>& served) {
  std::string s;
  for (const std::string& c : served) {
    if (!s.empty()) s += ' ';
    s += c;
  }
  return s;
}

std::vector<std::string> SplitServed(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::vector<db::Value> FacilityValues(const Facility& f) {
  return {f.id,
          f.name,
          std::string(KindCode(f.kind)),
          f.community,
          f.x,
          f.y,
          JoinServed(f.served),
          f.floor_area_m2,
          f.beds,
          f.nursing_beds,
          f.operator_name,
          f.opened_on,
          f.status,
          int64_t{f.synthetic ? 1 : 0}};
}
std::vector<db::Value> EstateValues(const Estate& e) {
  return {e.id,
          e.name,
          e.community,
          e.households,
          int64_t{e.year_built},
          e.area_provided_m2,
          e.largest_site_m2,
          int64_t{e.synthetic ? 1 : 0}};
}
std::vector<db::Value> PointValues(const CommunityPoint& p) {
  return {p.community, p.x, p.y, int64_t{p.synthetic ? 1 : 0}};
}

// Compares a stored row with the values to store (integers come back as
// text from PostgreSQL).
bool Same(const db::Row& row, const std::vector<db::Value>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    std::string want = std::holds_alternative<int64_t>(values[i])
                           ? std::to_string(std::get<int64_t>(values[i]))
                           : std::get<std::string>(values[i]);
    if (row.AsText(i) != want) return false;
  }
  return true;
}

struct TableSpec {
  const char* table;
  const char* key;
  std::vector<std::string> columns;
};

const TableSpec& Spec(ParsedTable::Type t) {
  static const TableSpec facilities{
      "facility_site",
      "id",
      {"id", "name", "kind", "community", "x", "y", "served", "floor_area", "beds", "nursing_beds",
       "operator_name", "opened_on", "status", "synthetic"}};
  static const TableSpec estates{"facility_estate",
                                 "id",
                                 {"id", "name", "community", "households", "year_built",
                                  "area_provided", "largest_site", "synthetic"}};
  static const TableSpec points{
      "facility_point", "community", {"community", "x", "y", "synthetic"}};
  switch (t) {
    case ParsedTable::Type::kFacilities:
      return facilities;
    case ParsedTable::Type::kEstates:
      return estates;
    case ParsedTable::Type::kPoints:
      break;
  }
  return points;
}

std::string ColumnList(const TableSpec& s) {
  std::string out;
  for (const std::string& c : s.columns) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

Result<std::vector<db::Row>> Select(db::Database& db, const TableSpec& spec,
                                    std::string_view region) {
  std::string where;
  std::vector<db::Value> params;
  if (!region.empty()) {
    db::AddConditions({db::RegionCodeFilter("community", region, false)}, where, params);
  }
  return db.QueryAll(
      fmt::format("SELECT {} FROM {}{} ORDER BY {}", ColumnList(spec), spec.table, where, spec.key),
      params);
}

}  // namespace

db::ModuleSchema FacilitySchema() { return {"facility", Migrations}; }

Result<ImportResult> FacilityStore::Import(const ParsedTable& table) {
  ImportResult out;
  out.type = table.type;
  const TableSpec& spec = Spec(table.type);
  std::vector<std::vector<db::Value>> rows;
  for (const Facility& f : table.facilities) rows.push_back(FacilityValues(f));
  for (const Estate& e : table.estates) rows.push_back(EstateValues(e));
  for (const CommunityPoint& p : table.points) rows.push_back(PointValues(p));
  const std::string select =
      fmt::format("SELECT {} FROM {} WHERE {} = ?", ColumnList(spec), spec.table, spec.key);
  const std::string remove = fmt::format("DELETE FROM {} WHERE {} = ?", spec.table, spec.key);
  const std::string insert = fmt::format("INSERT INTO {} ({}) VALUES ({})", spec.table,
                                         ColumnList(spec), Placeholders(spec.columns.size()));
  Status s = db::InTransaction(db_, [&]() -> Status {
    for (const auto& values : rows) {
      Result<std::vector<db::Row>> old = db_.QueryAll(select, {values[0]});
      if (!old.ok()) return old.status();
      if (!old->empty()) {
        if (Same((*old)[0], values)) {
          ++out.unchanged;
          continue;
        }
        if (Status d = db_.Execute(remove, {values[0]}); !d.ok()) return d;
        ++out.updated;
      } else {
        ++out.added;
      }
      if (Status i = db_.Execute(insert, values); !i.ok()) return i;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<Facility>> FacilityStore::Facilities(std::string_view region) {
  Result<std::vector<db::Row>> rows = Select(db_, Spec(ParsedTable::Type::kFacilities), region);
  if (!rows.ok()) return rows.status();
  std::vector<Facility> out;
  out.reserve(rows->size());
  for (const db::Row& r : *rows) {
    Facility f;
    f.id = r.AsText(0);
    f.name = r.AsText(1);
    f.kind = KindFromText(r.AsText(2)).value_or(Kind::kComplex);
    f.community = r.AsText(3);
    f.x = r.AsInt(4);
    f.y = r.AsInt(5);
    f.served = SplitServed(r.AsText(6));
    f.floor_area_m2 = r.AsInt(7);
    f.beds = r.AsInt(8);
    f.nursing_beds = r.AsInt(9);
    f.operator_name = r.AsText(10);
    f.opened_on = r.AsText(11);
    f.status = r.AsText(12);
    f.synthetic = r.AsInt(13) != 0;
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<Estate>> FacilityStore::Estates(std::string_view region) {
  Result<std::vector<db::Row>> rows = Select(db_, Spec(ParsedTable::Type::kEstates), region);
  if (!rows.ok()) return rows.status();
  std::vector<Estate> out;
  out.reserve(rows->size());
  for (const db::Row& r : *rows) {
    out.push_back(Estate{.id = r.AsText(0),
                         .name = r.AsText(1),
                         .community = r.AsText(2),
                         .households = r.AsInt(3),
                         .year_built = static_cast<int>(r.AsInt(4)),
                         .area_provided_m2 = r.AsInt(5),
                         .largest_site_m2 = r.AsInt(6),
                         .synthetic = r.AsInt(7) != 0});
  }
  return out;
}

Result<std::vector<CommunityPoint>> FacilityStore::Points(std::string_view region) {
  Result<std::vector<db::Row>> rows = Select(db_, Spec(ParsedTable::Type::kPoints), region);
  if (!rows.ok()) return rows.status();
  std::vector<CommunityPoint> out;
  out.reserve(rows->size());
  for (const db::Row& r : *rows) {
    out.push_back(CommunityPoint{
        .community = r.AsText(0), .x = r.AsInt(1), .y = r.AsInt(2), .synthetic = r.AsInt(3) != 0});
  }
  return out;
}

}  // namespace yanglao::facility
