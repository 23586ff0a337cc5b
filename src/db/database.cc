#include "db/database.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <charconv>
#include <unordered_map>

namespace yanglao::db {
namespace {

Status DbError(std::string code, std::string message, std::string_view detail = {}) {
  return Status(std::move(code), detail.empty() ? message : fmt::format("{}：{}", message, detail));
}

// --- SQLite ---------------------------------------------------------------

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  ~SqliteDatabase() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  std::string_view dialect() const override { return "sqlite"; }

  Status Execute(std::string_view sql, const std::vector<Value>& params) override {
    if (params.empty()) {
      char* error = nullptr;
      if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        Status s = DbError("db.sql", "SQL 执行失败", error ? error : "");
        sqlite3_free(error);
        return s;
      }
      return Status::Ok();
    }
    return Query(sql, params, [](const Row&) { return true; });
  }

  Status Query(std::string_view sql, const std::vector<Value>& params,
               const std::function<bool(const Row&)>& on_row) override {
    bool cached = false;
    sqlite3_stmt* stmt = Prepared(sql, cached);
    if (stmt == nullptr) return DbError("db.sql", "SQL 准备失败", sqlite3_errmsg(db_));
    Status s = Bind(stmt, params);
    Row row;
    while (s.ok()) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        s = DbError("db.sql", "SQL 执行失败", sqlite3_errmsg(db_));
        break;
      }
      int n = sqlite3_column_count(stmt);
      row.values.resize(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_NULL:
            row.values[static_cast<size_t>(i)] = std::monostate{};
            break;
          case SQLITE_INTEGER:
            row.values[static_cast<size_t>(i)] =
                static_cast<int64_t>(sqlite3_column_int64(stmt, i));
            break;
          default:
            row.values[static_cast<size_t>(i)] =
                std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                            static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
        }
      }
      if (!on_row(row)) break;
    }
    Release(stmt, cached);
    return s;
  }

  Status Scan(std::string_view sql, const std::vector<Value>& params,
              const std::function<bool(const RowView&)>& on_row) override {
    bool cached = false;
    sqlite3_stmt* stmt = Prepared(sql, cached);
    if (stmt == nullptr) return DbError("db.sql", "SQL 准备失败", sqlite3_errmsg(db_));
    Status s = Bind(stmt, params);
    const View view(stmt);
    while (s.ok()) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        s = DbError("db.sql", "SQL 执行失败", sqlite3_errmsg(db_));
        break;
      }
      if (!on_row(view)) break;
    }
    Release(stmt, cached);
    return s;
  }

  Status Begin() override { return Execute("BEGIN IMMEDIATE", {}); }
  Status Commit() override { return Execute("COMMIT", {}); }
  Status Rollback() override { return Execute("ROLLBACK", {}); }

  Status BulkInsert(std::string_view table, const std::vector<std::string>& columns,
                    const std::vector<std::vector<Value>>& rows) override {
    std::string sql =
        fmt::format("INSERT INTO {} ({}) VALUES ({})", table, fmt::join(columns, ", "),
                    fmt::join(std::vector<std::string>(columns.size(), "?"), ", "));
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return DbError("db.sql", "SQL 准备失败", sqlite3_errmsg(db_));
    }
    Status s;
    for (const std::vector<Value>& r : rows) {
      s = Bind(stmt, r);
      if (!s.ok()) break;
      if (sqlite3_step(stmt) != SQLITE_DONE) {
        s = DbError("db.sql", "写入失败", sqlite3_errmsg(db_));
        break;
      }
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return s;
  }

 private:
  class View final : public RowView {
   public:
    explicit View(sqlite3_stmt* stmt) : stmt_(stmt) {}
    bool IsNull(size_t i) const override {
      return sqlite3_column_type(stmt_, static_cast<int>(i)) == SQLITE_NULL;
    }
    std::string_view Text(size_t i) const override {
      const auto* text =
          reinterpret_cast<const char*>(sqlite3_column_text(stmt_, static_cast<int>(i)));
      if (text == nullptr) return {};
      return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, static_cast<int>(i)))};
    }
    int64_t Int(size_t i) const override {
      return sqlite3_column_int64(stmt_, static_cast<int>(i));
    }

   private:
    sqlite3_stmt* stmt_;
  };

  // Statements are kept prepared, by their text, for the life of the
  // connection (the server runs the same few queries many times a second);
  // SQLite re-prepares them itself after a schema change. Past kMaxCached
  // distinct texts, further ones are prepared and finalised each time.
  static constexpr size_t kMaxCached = 128;

  sqlite3_stmt* Prepared(std::string_view sql, bool& cached) {
    auto it = cache_.find(std::string(sql));
    // A cached statement still being stepped (a query run from inside
    // another's row callback) is not reused: that one gets its own.
    if (it != cache_.end() && !sqlite3_stmt_busy(it->second)) {
      cached = true;
      return it->second;
    }
    cached = it == cache_.end() && cache_.size() < kMaxCached;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                           cached ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr) != SQLITE_OK) {
      sqlite3_finalize(stmt);
      cached = false;
      return nullptr;
    }
    if (cached) cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  // Done with a statement from Prepared(): reset (releasing its read lock)
  // when cached, finalised otherwise.
  static void Release(sqlite3_stmt* stmt, bool cached) {
    if (cached) {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    } else {
      sqlite3_finalize(stmt);
    }
  }

  Status Bind(sqlite3_stmt* stmt, const std::vector<Value>& params) {
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i + 1), rc = SQLITE_OK;
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, index, *v);
      } else if (const auto* t = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text(stmt, index, t->data(), static_cast<int>(t->size()),
                               SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return DbError("db.sql", "参数绑定失败", sqlite3_errmsg(db_));
    }
    return Status::Ok();
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// --- PostgreSQL -----------------------------------------------------------

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(PGconn* conn) : conn_(conn) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  std::string_view dialect() const override { return "postgresql"; }

  Status Execute(std::string_view sql, const std::vector<Value>& params) override {
    if (params.empty()) {
      PGresult* r = PQexec(conn_, std::string(sql).c_str());
      Status s = Check(r);
      PQclear(r);
      return s;
    }
    return Query(sql, params, [](const Row&) { return true; });
  }

  Status Query(std::string_view sql, const std::vector<Value>& params,
               const std::function<bool(const Row&)>& on_row) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*v);
        values[i] = texts[i].c_str();
      } else if (const auto* t = std::get_if<std::string>(&params[i])) {
        values[i] = t->c_str();
      }
    }
    const int n = static_cast<int>(params.size());
    const std::string* name = params.empty() ? nullptr : Prepared(sql, n);
    // Single-row mode streams results, so a scan of the whole registry never
    // holds it in client memory at once.
    if ((name != nullptr
             ? PQsendQueryPrepared(conn_, name->c_str(), n, values.data(), nullptr, nullptr, 0)
             : PQsendQueryParams(conn_, PostgresPlaceholders(sql).c_str(), n, nullptr,
                                 values.data(), nullptr, nullptr, 0)) != 1) {
      return DbError("db.sql", "SQL 发送失败", PQerrorMessage(conn_));
    }
    PQsetSingleRowMode(conn_);
    Status s;
    bool more = true, stale = false;
    size_t delivered = 0;
    Row row;
    while (PGresult* r = PQgetResult(conn_)) {
      ExecStatusType st = PQresultStatus(r);
      if (st == PGRES_SINGLE_TUPLE && s.ok() && more) {
        ++delivered;
        int cols = PQnfields(r);
        row.values.resize(static_cast<size_t>(cols));
        for (int c = 0; c < cols; ++c) {
          if (PQgetisnull(r, 0, c)) {
            row.values[static_cast<size_t>(c)] = std::monostate{};
          } else {
            row.values[static_cast<size_t>(c)] =
                std::string(PQgetvalue(r, 0, c), static_cast<size_t>(PQgetlength(r, 0, c)));
          }
        }
        more = on_row(row);
      } else if (st != PGRES_SINGLE_TUPLE && s.ok()) {
        s = Check(r);
        // 0A000 "cached plan must not change result type": the statement
        // was prepared before a schema change to a table it reads.
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        stale =
            !s.ok() && name != nullptr && state != nullptr && std::string_view(state) == "0A000";
      }
      PQclear(r);  // draining the rest keeps the connection usable
    }
    if (stale) {
      prepared_.erase(std::string(sql));
      // Outside a transaction nothing was aborted: run it again, afresh.
      if (delivered == 0 && PQtransactionStatus(conn_) == PQTRANS_IDLE)
        return Query(sql, params, on_row);
    }
    return s;
  }

  Status Scan(std::string_view sql, const std::vector<Value>& params,
              const std::function<bool(const RowView&)>& on_row) override {
    const bool own = PQtransactionStatus(conn_) == PQTRANS_IDLE;
    if (own) {
      if (Status s = Execute("BEGIN READ ONLY; SET LOCAL jit = off", {}); !s.ok()) return s;
    }
    const std::string cursor = fmt::format("yanglao_scan_{}", ++cursors_);
    Status s = Execute(fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", cursor, sql), params);
    const std::string fetch = fmt::format("FETCH FORWARD {} FROM {}", kScanBatch, cursor);
    bool more = true;
    while (s.ok() && more) {
      PGresult* r = PQexec(conn_, fetch.c_str());
      s = Check(r);
      const int rows = s.ok() ? PQntuples(r) : 0;
      View view(r);
      for (int i = 0; i < rows && more; ++i) {
        view.row = i;
        more = on_row(view);
      }
      if (rows < kScanBatch) more = false;
      PQclear(r);
    }
    if (s.ok()) s = Execute(fmt::format("CLOSE {}", cursor), {});
    if (own) {
      Status end = Execute(s.ok() ? "COMMIT" : "ROLLBACK", {});
      if (s.ok()) s = end;
    }
    return s;
  }

  Status Begin() override { return Execute("BEGIN", {}); }
  Status Commit() override { return Execute("COMMIT", {}); }
  Status Rollback() override { return Execute("ROLLBACK", {}); }

  Status BulkInsert(std::string_view table, const std::vector<std::string>& columns,
                    const std::vector<std::vector<Value>>& rows) override {
    std::string copy = fmt::format("COPY {} ({}) FROM STDIN", table, fmt::join(columns, ", "));
    PGresult* r = PQexec(conn_, copy.c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      Status s = DbError("db.sql", "COPY 启动失败", PQerrorMessage(conn_));
      PQclear(r);
      return s;
    }
    PQclear(r);
    std::string buffer;
    auto flush = [&]() -> bool {
      bool ok = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
      buffer.clear();
      return ok;
    };
    bool ok = true;
    for (const std::vector<Value>& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) buffer += '\t';
        if (const auto* v = std::get_if<int64_t>(&row[i])) {
          buffer += std::to_string(*v);
        } else if (const auto* t = std::get_if<std::string>(&row[i])) {
          for (char c : *t) {  // COPY text format escapes
            switch (c) {
              case '\\':
                buffer += "\\\\";
                break;
              case '\t':
                buffer += "\\t";
                break;
              case '\n':
                buffer += "\\n";
                break;
              case '\r':
                buffer += "\\r";
                break;
              default:
                buffer += c;
            }
          }
        } else {
          buffer += "\\N";
        }
      }
      buffer += '\n';
      if (buffer.size() > (1 << 20) && !(ok = flush())) break;
    }
    if (ok && !buffer.empty()) ok = flush();
    if (PQputCopyEnd(conn_, ok ? nullptr : "aborted") != 1) ok = false;
    Status s;
    while ((r = PQgetResult(conn_)) != nullptr) {
      if (s.ok()) s = Check(r);
      PQclear(r);
    }
    if (!ok && s.ok()) s = DbError("db.sql", "COPY 写入失败", PQerrorMessage(conn_));
    return s;
  }

 private:
  static constexpr int kScanBatch = 20000;

  class View final : public RowView {
   public:
    explicit View(PGresult* r) : r_(r) {}
    bool IsNull(size_t i) const override { return PQgetisnull(r_, row, static_cast<int>(i)) != 0; }
    std::string_view Text(size_t i) const override {
      return {PQgetvalue(r_, row, static_cast<int>(i)),
              static_cast<size_t>(PQgetlength(r_, row, static_cast<int>(i)))};
    }
    int64_t Int(size_t i) const override {
      std::string_view t = Text(i);
      int64_t out = 0;
      std::from_chars(t.data(), t.data() + t.size(), out);
      return out;
    }
    int row = 0;

   private:
    PGresult* r_;
  };

  Status Check(PGresult* r) {
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
      return Status::Ok();
    return DbError("db.sql", "SQL 执行失败", PQresultErrorMessage(r));
  }

  // Queries with parameters are prepared once per connection, by their text
  // (as in SQLite above), which spares the server parsing and planning them
  // again on every request. Past kMaxPrepared distinct texts, or when
  // preparing fails, a query is sent unnamed (which reports any error).
  static constexpr size_t kMaxPrepared = 128;

  const std::string* Prepared(std::string_view sql, int n) {
    // Only these can be prepared; anything else (DECLARE ... CURSOR of a
    // scan) would fail, and inside a transaction the failure aborts it.
    size_t start = sql.find_first_not_of(" \n\t");
    std::string_view head = start == std::string_view::npos ? "" : sql.substr(start, 7);
    if (!(head.starts_with("SELECT") || head.starts_with("INSERT") || head.starts_with("UPDATE") ||
          head.starts_with("DELETE") || head.starts_with("WITH"))) {
      return nullptr;
    }
    auto it = prepared_.find(std::string(sql));
    if (it != prepared_.end()) return &it->second;
    if (prepared_.size() >= kMaxPrepared) return nullptr;
    std::string name = fmt::format("yl{}", ++prepared_count_);
    PGresult* r = PQprepare(conn_, name.c_str(), PostgresPlaceholders(sql).c_str(), n, nullptr);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return nullptr;
    return &prepared_.emplace(std::string(sql), std::move(name)).first->second;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  uint64_t prepared_count_ = 0;
  int64_t cursors_ = 0;
};

}  // namespace

int64_t Row::AsInt(size_t i) const {
  if (const auto* v = std::get_if<int64_t>(&values[i])) return *v;
  if (const auto* t = std::get_if<std::string>(&values[i])) {
    int64_t out = 0;
    std::from_chars(t->data(), t->data() + t->size(), out);
    return out;
  }
  return 0;
}

std::string Row::AsText(size_t i) const {
  if (const auto* v = std::get_if<int64_t>(&values[i])) return std::to_string(*v);
  if (const auto* t = std::get_if<std::string>(&values[i])) return *t;
  return "";
}

Result<std::vector<Row>> Database::QueryAll(std::string_view sql,
                                            const std::vector<Value>& params) {
  std::vector<Row> rows;
  Status s = Query(sql, params, [&](const Row& r) {
    rows.push_back(r);
    return true;
  });
  if (!s.ok()) return s;
  return rows;
}

Result<std::unique_ptr<Database>> Database::Open(std::string_view url) {
  if (url.starts_with("sqlite:")) {
    std::string path(url.substr(7));
    sqlite3* db = nullptr;
    // NOMUTEX: a Database is used by one thread at a time (see the header),
    // so SQLite's per-connection locking is pure overhead.
    if (sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      Status s =
          DbError("db.open", fmt::format("无法打开数据库 {}", path), db ? sqlite3_errmsg(db) : "");
      sqlite3_close_v2(db);
      return s;
    }
    sqlite3_busy_timeout(db, 10000);
    auto out = std::make_unique<SqliteDatabase>(db);
    // WAL: readers never block the importer, and a killed writer leaves the
    // database exactly as of the last commit.
    if (Status s = out->Execute(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", {});
        !s.ok()) {
      return s;
    }
    return std::unique_ptr<Database>(std::move(out));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    PGconn* conn = PQconnectdb(std::string(url).c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      Status s = DbError("db.open", "无法连接 PostgreSQL", PQerrorMessage(conn));
      PQfinish(conn);
      return s;
    }
    auto out = std::make_unique<PostgresDatabase>(conn);
    if (Status s = out->Execute("SET client_min_messages = warning", {}); !s.ok()) return s;
    return std::unique_ptr<Database>(std::move(out));
  }
  return Status("db.url", "数据库地址应为 sqlite:文件路径 或 postgresql://用户@主机:端口/库名",
                Location{.value = std::string(url)});
}

std::string PostgresPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += fmt::format("${}", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

Status Migrate(Database& db, const std::vector<std::string>& migrations,
               std::string_view version_table) {
  if (Status s = db.Execute(
          fmt::format("CREATE TABLE IF NOT EXISTS {} (version INTEGER NOT NULL)", version_table));
      !s.ok()) {
    return s;
  }
  Result<std::vector<Row>> rows =
      db.QueryAll(fmt::format("SELECT MAX(version) FROM {}", version_table));
  if (!rows.ok()) return rows.status();
  int64_t current = rows->empty() || (*rows)[0].IsNull(0) ? 0 : (*rows)[0].AsInt(0);
  for (size_t v = static_cast<size_t>(current); v < migrations.size(); ++v) {
    if (Status s = db.Begin(); !s.ok()) return s;
    Status s = db.Execute(migrations[v]);
    if (s.ok())
      s = db.Execute(fmt::format("INSERT INTO {} (version) VALUES (?)", version_table),
                     {static_cast<int64_t>(v + 1)});
    if (!s.ok()) {
      (void)db.Rollback();
      return Status("db.migrate", fmt::format("数据库迁移到第 {} 版失败：{}", v + 1, s.message()));
    }
    if (Status c = db.Commit(); !c.ok()) return c;
  }
  return Status::Ok();
}

Status MigrateModule(Database& db, std::string_view module,
                     const std::vector<std::string>& migrations) {
  if (Status s = db.Execute(
          "CREATE TABLE IF NOT EXISTS module_schema (module TEXT NOT NULL, version INTEGER NOT "
          "NULL, PRIMARY KEY (module, version))");
      !s.ok()) {
    return s;
  }
  Result<std::vector<Row>> rows =
      db.QueryAll("SELECT MAX(version) FROM module_schema WHERE module = ?", {std::string(module)});
  if (!rows.ok()) return rows.status();
  int64_t current = rows->empty() || (*rows)[0].IsNull(0) ? 0 : (*rows)[0].AsInt(0);
  for (size_t v = static_cast<size_t>(current); v < migrations.size(); ++v) {
    if (Status s = db.Begin(); !s.ok()) return s;
    Status s = db.Execute(migrations[v]);
    if (s.ok())
      s = db.Execute("INSERT INTO module_schema (module, version) VALUES (?, ?)",
                     {std::string(module), static_cast<int64_t>(v + 1)});
    if (!s.ok()) {
      (void)db.Rollback();
      return Status("db.migrate", fmt::format("模块 {} 的数据库迁移到第 {} 版失败：{}", module,
                                              v + 1, s.message()));
    }
    if (Status c = db.Commit(); !c.ok()) return c;
  }
  return Status::Ok();
}

}  // namespace yanglao::db
