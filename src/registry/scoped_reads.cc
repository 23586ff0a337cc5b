// Registry reads restricted by the caller's conditions (data scope), for the
// platform server: the SQL on the registry's tables stays in this module.
#include <fmt/format.h>

#include <algorithm>

#include "db/query.h"
#include "registry/registry.h"
#include "registry/watermark.h"

namespace yanglao::registry {

Result<std::set<std::string>> Registry::PersonsPassing(const std::vector<std::string>& ids,
                                                       const std::vector<SqlFilter>& filters) {
  std::set<std::string> reached;
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    std::string sql = "SELECT p.id_number FROM person p WHERE p.id_number IN (";
    std::vector<db::Value> params;
    for (size_t i = start; i < std::min(ids.size(), start + kChunk); ++i) {
      sql += i == start ? "?" : ", ?";
      params.push_back(ids[i]);
    }
    sql += ")";
    for (const SqlFilter& f : filters) {
      sql += " AND (" + f.sql + ")";
      params.insert(params.end(), f.params.begin(), f.params.end());
    }
    Status s = db_->Query(sql, params, [&](const db::Row& r) {
      reached.insert(r.AsText(0));
      return true;
    });
    if (!s.ok()) return s;
  }
  return reached;
}

Result<std::vector<Registry::OpenConflict>> Registry::OpenConflicts(
    const std::vector<SqlFilter>& filters) {
  std::string sql =
      "SELECT c.id, c.id_number, c.fact FROM conflict c JOIN person p ON p.id_number = "
      "c.id_number WHERE c.status = 'open'";
  std::vector<db::Value> params;
  for (const SqlFilter& f : filters) {
    sql += " AND (" + f.sql + ")";
    params.insert(params.end(), f.params.begin(), f.params.end());
  }
  std::vector<OpenConflict> out;
  Status s = db_->Query(sql + " ORDER BY c.id", params, [&](const db::Row& r) {
    out.push_back({r.AsInt(0), r.AsText(1), r.AsText(2)});
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<Registry::AgeBandCounts>> Registry::AgeBandsByUnit(
    std::string_view region, size_t unit_digits, const std::vector<int>& band_years, CivilDate on,
    const std::vector<SqlFilter>& filters) {
  std::vector<AgeBandCounts> out;
  if (band_years.empty()) return out;
  const std::string d = on.ToString();
  // One pass over the residence records that hold on `on` (the latest one
  // per person, as ResidenceFilter and Person choose), grouped by the unit;
  // born on or before cutoff[i] <=> aged band_years[i]+.
  std::vector<std::string> cutoff;
  for (int b : band_years) {
    cutoff.push_back(fmt::format("{:04d}-{:02d}-{:02d}", on.year() - b, on.month(), on.day()));
  }
  std::string sql = "SELECT substr(r.value, 1, ?)";
  std::vector<db::Value> params = {static_cast<int64_t>(unit_digits)};
  for (size_t i = 0; i < cutoff.size(); ++i) {
    sql += fmt::format(", SUM(CASE WHEN p.birth_date <= ?{} THEN 1 ELSE 0 END)",
                       i + 1 < cutoff.size() ? " AND p.birth_date > ?" : "");
    params.emplace_back(cutoff[i]);
    if (i + 1 < cutoff.size()) params.emplace_back(cutoff[i + 1]);
  }
  sql +=
      " FROM person p JOIN fact r ON r.id_number = p.id_number WHERE r.fact = "
      "'residence_region' AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to >= ?) "
      "AND substr(r.value, 1, ?) = ? AND NOT EXISTS (SELECT 1 FROM fact r2 WHERE "
      "r2.id_number = r.id_number AND r2.fact = 'residence_region' AND r2.valid_from <= ? AND "
      "(r2.valid_to IS NULL OR r2.valid_to >= ?) AND (r2.valid_from > r.valid_from OR "
      "(r2.valid_from = r.valid_from AND (r2.feed_id > r.feed_id OR (r2.feed_id = r.feed_id "
      "AND r2.row_no > r.row_no)))))";
  params.insert(params.end(),
                {d, d, static_cast<int64_t>(region.size()), std::string(region), d, d});
  for (const SqlFilter& f : filters) {
    sql += " AND (" + f.sql + ")";
    params.insert(params.end(), f.params.begin(), f.params.end());
  }
  sql += " GROUP BY 1 ORDER BY 1";
  Status s = db_->Query(sql, params, [&](const db::Row& row) {
    AgeBandCounts u;
    u.unit = row.AsText(0);
    for (size_t i = 0; i < cutoff.size(); ++i) {
      u.counts.push_back(row.IsNull(i + 1) ? 0 : row.AsInt(i + 1));
    }
    out.push_back(std::move(u));
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::optional<CivilDate>> Registry::LatestRecordStart(CivilDate on) {
  Result<std::vector<db::Row>> latest =
      db_->QueryAll("SELECT MAX(valid_from) FROM fact WHERE valid_from <= ?", {on.ToString()});
  if (!latest.ok()) return latest.status();
  if (latest->empty() || (*latest)[0].IsNull(0)) return std::optional<CivilDate>();
  Result<CivilDate> d = CivilDate::Parse((*latest)[0].AsText(0));
  if (!d.ok()) return std::optional<CivilDate>();
  return std::optional<CivilDate>(*d);
}

Result<std::string> ContentWatermark(Registry& registry) {
  std::string out;
  Status s = registry.db().Query(
      "SELECT id, sha256, facts_added, recorded_on FROM feed ORDER BY id", {},
      [&](const db::Row& r) {
        out += fmt::format("{},{},{},{};", r.AsText(0), r.AsText(1), r.AsText(2), r.AsText(3));
        return true;
      });
  if (!s.ok()) return s;
  out += "|";
  s = registry.db().Query("SELECT fact, source, rank FROM precedence ORDER BY fact, source", {},
                          [&](const db::Row& r) {
                            out += fmt::format("{},{},{};", r.AsText(0), r.AsText(1), r.AsText(2));
                            return true;
                          });
  if (!s.ok()) return s;
  return out;
}

}  // namespace yanglao::registry
