#include "server/schema.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace yanglao::server {

std::vector<std::string> ServerMigrations(std::string_view dialect) {
  const std::string id = dialect == "postgresql"
                             ? "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                             : "id INTEGER PRIMARY KEY AUTOINCREMENT";
  return {
      // 1: roles (with the built-in ones), users, sessions, caseloads, audit,
      // uploads, secrets. (No index on fact values: with one, SQLite plans the
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
INSERT INTO server_role (role_key, name, data_scope, permissions, builtin) VALUES
  ('admin', '系统管理员', 'all', '*', 1),
  ('city_official', '市级工作人员', 'subtree',
   'region:region:read policy:list:read person:person:list person:person:read person:person:export person:conflict:resolve registry:import:create registry:import:read', 1),
  ('county_official', '区县工作人员', 'subtree',
   'region:region:read policy:list:read person:person:list person:person:read person:conflict:resolve registry:import:read', 1),
  ('street_worker', '街道（乡镇）工作人员', 'subtree',
   'region:region:read policy:list:read person:person:list person:person:read person:conflict:resolve', 1),
  ('community_worker', '社区（村）工作人员', 'unit',
   'region:region:read policy:list:read person:person:list person:person:read', 1),
  ('health_official', '卫健工作人员', 'subtree',
   'region:region:read policy:list:read person:person:list person:person:read registry:import:create registry:import:read', 1),
  ('caseworker', '探访关爱人员', 'self',
   'region:region:read person:person:list person:person:read', 1),
  ('auditor', '审计员', 'all', 'system:audit:list system:audit:export', 1);
)",
                  fmt::arg("id", id)),
      // 2: the entitlement and assessment routes' permissions for the
      // built-in roles.
      R"(
UPDATE server_role SET permissions = permissions || ' entitle:run:read entitle:run:create entitle:roll:export entitle:advice:read entitle:whatif:run assess:assessment:read assess:assessment:create assess:request:create assess:due:list' WHERE role_key = 'city_official' AND builtin = 1;
UPDATE server_role SET permissions = permissions || ' entitle:run:read entitle:roll:export entitle:advice:read entitle:whatif:run assess:assessment:read assess:request:create assess:due:list' WHERE role_key = 'county_official' AND builtin = 1;
UPDATE server_role SET permissions = permissions || ' entitle:run:read entitle:advice:read assess:assessment:read assess:request:create assess:due:list' WHERE role_key IN ('street_worker', 'community_worker') AND builtin = 1;
UPDATE server_role SET permissions = permissions || ' entitle:advice:read assess:assessment:read assess:assessment:create assess:request:create assess:due:list' WHERE role_key = 'health_official' AND builtin = 1;
UPDATE server_role SET permissions = permissions || ' entitle:advice:read assess:assessment:read assess:request:create' WHERE role_key = 'caseworker' AND builtin = 1;
)",
      // 3: the canteen routes' permissions for the built-in roles.
      R"(
UPDATE server_role SET permissions = permissions || ' canteen:canteen:read canteen:canteen:import canteen:flag:review canteen:settlement:read canteen:settlement:approve' WHERE role_key = 'city_official' AND builtin = 1;
UPDATE server_role SET permissions = permissions || ' canteen:canteen:read canteen:flag:review canteen:settlement:read' WHERE role_key = 'county_official' AND builtin = 1;
UPDATE server_role SET permissions = permissions || ' canteen:canteen:read canteen:sale:create' WHERE role_key IN ('street_worker', 'community_worker') AND builtin = 1;
)",
  };
}

Status MigrateServer(registry::Database& db) {
  return registry::MigrateModule(db, "server", ServerMigrations(db.dialect()));
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

Status CheckWritable(registry::Database& db) {
  Status s = db.Execute(
      "INSERT INTO server_secret (name, value) VALUES ('health_probe', ?) ON CONFLICT (name) DO "
      "UPDATE SET value = excluded.value",
      {UtcNow()});
  if (s.ok()) return s;
  return Status("db.read_only", "数据库不可写（只读、磁盘满或无权限）：" + s.message());
}

}  // namespace yanglao::server
