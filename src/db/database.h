// One interface over the two real back ends: SQLite (a file, WAL; the
// embedded default) and PostgreSQL 15 (production). SQL is written once with
// `?` placeholders; the PostgreSQL back end rewrites them to $1, $2 ...
// Values travel as text or 64-bit integers; dates are 'YYYY-MM-DD' text, so
// they order the same way in both.
//
// A Database is used by one thread at a time.
#ifndef YANGLAO_DB_DATABASE_H_
#define YANGLAO_DB_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace yanglao::db {

// A parameter or result value: NULL, an integer or text.
using Value = std::variant<std::monostate, int64_t, std::string>;

// One result row; columns in SELECT order. Integers come back as text from
// PostgreSQL and as integers from SQLite: use AsInt/AsText.
struct Row {
  std::vector<Value> values;
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values[i]); }
  int64_t AsInt(size_t i) const;
  std::string AsText(size_t i) const;
};

// A row of Database::Scan: views into the back end's own buffers, valid only
// during the callback that receives it (no copies are made).
class RowView {
 public:
  virtual bool IsNull(size_t i) const = 0;
  virtual std::string_view Text(size_t i) const = 0;  // NULL: empty
  virtual int64_t Int(size_t i) const = 0;            // NULL or not a number: 0

 protected:
  ~RowView() = default;
};

class Database {
 public:
  virtual ~Database() = default;

  // Opens "sqlite:PATH" (created if missing; WAL, foreign keys on) or a
  // PostgreSQL URL ("postgresql://user@host:port/db"). Fails with
  // "db.url" (neither form), "db.open" (cannot open or connect).
  static Result<std::unique_ptr<Database>> Open(std::string_view url);

  virtual std::string_view dialect() const = 0;  // "sqlite" or "postgresql"

  // Runs SQL without results (several statements allowed when no params).
  virtual Status Execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs a query, calling `on_row` for each row; stops early when it returns false.
  virtual Status Query(std::string_view sql, const std::vector<Value>& params,
                       const std::function<bool(const Row&)>& on_row) = 0;
  // Like Query, for reading many rows (a whole-city scan): rows are not
  // copied, and PostgreSQL fetches them through a cursor in batches rather
  // than one result per row. Outside a transaction, PostgreSQL runs the scan
  // in a read-only one of its own (with JIT compilation off: these are plain
  // scans, where compiling costs more than it saves); inside the caller's
  // transaction it uses that one.
  virtual Status Scan(std::string_view sql, const std::vector<Value>& params,
                      const std::function<bool(const RowView&)>& on_row) = 0;
  // Convenience: all rows.
  Result<std::vector<Row>> QueryAll(std::string_view sql, const std::vector<Value>& params = {});

  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  // Appends rows to `table` (columns in order) as fast as the back end
  // allows: a prepared statement in SQLite, COPY in PostgreSQL. Must run
  // inside a transaction.
  virtual Status BulkInsert(std::string_view table, const std::vector<std::string>& columns,
                            const std::vector<std::vector<Value>>& rows) = 0;
};

// Runs `sql` statements in order as versioned migrations: each index+1 is a
// schema version, recorded in the table `version_table`; applies only the
// missing ones, each in its own transaction. Fails with "db.migrate" naming
// the version. The registry's sequence (schema_version); other modules use
// MigrateModule below.
Status Migrate(Database& db, const std::vector<std::string>& migrations,
               std::string_view version_table = "schema_version");

// The same for one module's own sequence: versions are counted per module in
// table module_schema (module, version), so modules that add tables (server,
// assess ...) never collide with the registry's schema_version or with each
// other. Fails with "db.migrate" naming the module and version.
Status MigrateModule(Database& db, std::string_view module,
                     const std::vector<std::string>& migrations);

// Rewrites `?` placeholders (outside quotes) to $1, $2 ... for PostgreSQL.
std::string PostgresPlaceholders(std::string_view sql);

}  // namespace yanglao::db

#endif  // YANGLAO_DB_DATABASE_H_
