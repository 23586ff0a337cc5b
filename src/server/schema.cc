#include "server/schema.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "server/modules.h"

namespace yanglao::server {

std::vector<std::string> ServerMigrations(std::string_view dialect) {
  const std::string id = dialect == "postgresql"
                             ? "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                             : "id INTEGER PRIMARY KEY AUTOINCREMENT";
  return {
      // 1: roles, users, sessions, caseloads, audit, uploads, secrets. (The
      // built-in roles were inserted here until the module table; they are
      // now reconciled from it at start-up, ReconcileBuiltinRoles.) (No index on fact values: with
      // one, SQLite plans the
      // correlated residence filter as a scan of every residence record per
      // person; the (id_number, fact) index is the right one.)
      fmt::format(R"(
CREATE TABLE server_role (
  role_key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  data_scope TEXT NOT NULL,
  permissions TEXT NOT NULL,
  builtin INTEGER NOT NULL);
CREATE TABLE server_user (
  {id},
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  department TEXT NOT NULL,
  role_key TEXT NOT NULL REFERENCES server_role (role_key),
  active INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  password_changed_at TEXT NOT NULL);
CREATE TABLE server_session (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ip TEXT NOT NULL);
CREATE INDEX server_session_user ON server_session (user_id);
CREATE TABLE server_caseload (
  user_id BIGINT NOT NULL,
  id_number TEXT NOT NULL,
  PRIMARY KEY (user_id, id_number));
CREATE TABLE server_audit (
  {id},
  at TEXT NOT NULL,
  user_id BIGINT,
  username TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  ip TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  request_id TEXT NOT NULL);
CREATE INDEX server_audit_at ON server_audit (at);
CREATE INDEX server_audit_target ON server_audit (target, at);
CREATE INDEX server_audit_user ON server_audit (username, at);
CREATE TABLE server_import (
  {id},
  at TEXT NOT NULL,
  user_id BIGINT NOT NULL,
  username TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  source TEXT NOT NULL,
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  status TEXT NOT NULL,
  data_rows BIGINT NOT NULL,
  feed_id BIGINT,
  report TEXT NOT NULL);
CREATE TABLE server_secret (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL);
)",
                  fmt::arg("id", id)),
      // 2: (was: the entitlement and assessment permissions of the built-in
      // roles, now granted by the module table) nothing.
      "UPDATE server_role SET builtin = builtin WHERE 1 = 0",
      // 3: the permissions offered to each built-in role by the module table,
      // so that one a site takes away is not offered again.
      R"(
CREATE TABLE server_role_grant (
  role_key TEXT NOT NULL,
  permission TEXT NOT NULL,
  PRIMARY KEY (role_key, permission));
)",
  };
}

Status MigrateServer(db::Database& db) {
  if (Status s = db::MigrateModule(db, "server", ServerMigrations(db.dialect())); !s.ok()) {
    return s;
  }
  return ReconcileBuiltinRoles(db, ModuleInfos());
}

namespace {
std::string FormatUtc(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}
}  // namespace

std::string UtcNow() { return FormatUtc(std::chrono::system_clock::now()); }

std::string UtcAfter(int64_t seconds) {
  return FormatUtc(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

Status CheckWritable(db::Database& db) {
  Status s = db.Execute(
      "INSERT INTO server_secret (name, value) VALUES ('health_probe', ?) ON CONFLICT (name) DO "
      "UPDATE SET value = excluded.value",
      {UtcNow()});
  if (s.ok()) return s;
  return Status("db.read_only", "数据库不可写（只读、磁盘满或无权限）：" + s.message());
}

}  // namespace yanglao::server
