#include "server/auth.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <sstream>

#include "core/region.h"
#include "registry/feed_file.h"
#include "server/schema.h"

namespace yanglao::server {

using registry::Database;
using registry::Row;
using registry::Value;

bool IsValidUsername(std::string_view name) {
  return name.size() >= 3 && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
         });
}

namespace {

void InitSodium() {
  static const int kInit = sodium_init();
  (void)kInit;
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Status CheckUsername(std::string_view name) {
  if (IsValidUsername(name)) return Status::Ok();
  return Status("user.username", "用户名应为 3 到 32 个英文字母、数字或 _ . -",
                Location{.field = "username", .value = std::string(name)});
}

Result<std::string> CheckUnit(std::string_view text) {
  Result<std::string> code = NormalizeRegionCode(text);
  if (!code.ok() || RegionTable::Builtin().Find(text) == nullptr) {
    return Status("user.unit", "所属单位应为有效的行政区划代码（如 421300、421303001）",
                  Location{.field = "unit_code", .value = std::string(text)});
  }
  return RegionTable::Builtin().Find(text)->code;
}

Status CheckDepartment(std::string_view d) {
  if (IsKnownDepartment(d)) return Status::Ok();
  return Status("user.department", "所属部门应为 公安、民政、人社、卫健、医保、残联 或 退役军人",
                Location{.field = "department", .value = std::string(d)});
}

Status CheckRoleExists(Database& db, std::string_view key) {
  Result<std::optional<Role>> r = FindRole(db, key);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return Status("user.role", fmt::format("没有名为「{}」的角色", key),
                  Location{.field = "role", .value = std::string(key)});
  }
  return Status::Ok();
}

User UserFromRow(const Row& r) {
  User u;
  u.id = r.AsInt(0);
  u.username = r.AsText(1);
  u.display_name = r.AsText(2);
  u.unit_code = r.AsText(3);
  u.department = r.AsText(4);
  u.role_key = r.AsText(5);
  u.active = r.AsInt(6) != 0;
  u.created_at = r.AsText(7);
  return u;
}

constexpr std::string_view kUserColumns =
    "id, username, display_name, unit_code, department, role_key, active, created_at";

}  // namespace

PasswordCost PasswordCost::Interactive() {
  // OWASP: m = 19 MiB, t = 2, p = 1 (libsodium's lanes are always 1).
  return {2, size_t{19} << 20};
}

PasswordCost PasswordCost::Minimal() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Status CheckPasswordRules(std::string_view password) {
  if (password.size() > 128) {
    return Status("auth.password_long", "密码不能超过 128 个字节", Location{.field = "password"});
  }
  bool letter = false, digit = false;
  for (char c : password) {
    letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    digit |= c >= '0' && c <= '9';
  }
  if (password.size() < 8 || !letter || !digit) {
    return Status("auth.password_weak", "密码至少 8 位，并且同时包含字母和数字",
                  Location{.field = "password"});
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status("auth.hash", "计算密码摘要失败（内存不足）");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  InitSodium();
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(hash);  // NUL-terminated copy
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Status RehashIfCostChanged(Database& db, int64_t user_id, std::string_view hash,
                           std::string_view password, PasswordCost cost) {
  InitSodium();
  if (hash.size() >= crypto_pwhash_STRBYTES) return Status::Ok();
  std::string h(hash);  // NUL-terminated copy
  if (crypto_pwhash_str_needs_rehash(h.c_str(), cost.ops, cost.mem) == 0) return Status::Ok();
  Result<std::string> fresh = HashPassword(password, cost);
  if (!fresh.ok()) return fresh.status();
  // Only if the hash is still the one that matched (no change in between).
  return db.Execute("UPDATE server_user SET password_hash = ? WHERE id = ? AND password_hash = ?",
                    {*fresh, user_id, h});
}

std::string RandomToken(size_t bytes) {
  InitSodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string RandomPassword() {
  InitSodium();
  static constexpr std::string_view kLetters = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
  static constexpr std::string_view kDigits = "23456789";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    std::string_view from = i % 4 == 3 ? kDigits : kLetters;
    out += from[randombytes_uniform(static_cast<uint32_t>(from.size()))];
  }
  return out;
}

Result<int64_t> CreateUser(Database& db, const NewUser& user, PasswordCost cost) {
  if (Status s = CheckUsername(user.username); !s.ok()) return s;
  Result<std::string> unit = CheckUnit(user.unit_code);
  if (!unit.ok()) return unit.status();
  if (Status s = CheckDepartment(user.department); !s.ok()) return s;
  if (Status s = CheckRoleExists(db, user.role_key); !s.ok()) return s;
  if (Status s = CheckPasswordRules(user.password); !s.ok()) return s;
  Result<std::optional<User>> existing = FindUser(db, user.username);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    return Status("user.exists", fmt::format("用户名「{}」已被使用", user.username),
                  Location{.field = "username", .value = user.username});
  }
  Result<std::string> hash = HashPassword(user.password, cost);
  if (!hash.ok()) return hash.status();
  std::string now = UtcNow();
  Result<std::vector<Row>> id = db.QueryAll(
      "INSERT INTO server_user (username, display_name, password_hash, unit_code, department, "
      "role_key, active, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) "
      "RETURNING id",
      {user.username, user.display_name.empty() ? user.username : user.display_name, *hash, *unit,
       user.department, user.role_key, now, now});
  if (!id.ok()) return id.status();
  return (*id)[0].AsInt(0);
}

Result<std::optional<User>> FindUser(Database& db, std::string_view username) {
  Result<std::vector<Row>> r =
      // User names are case-insensitive (issue #12): "Admin" is "admin". An
      // exact match wins over a case variant created before this rule.
      db.QueryAll(fmt::format("SELECT {} FROM server_user WHERE lower(username) = lower(?) "
                              "ORDER BY CASE WHEN username = ? THEN 0 ELSE 1 END, id LIMIT 1",
                              kUserColumns),
                  {std::string(username), std::string(username)});
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<User>();
  return std::optional<User>(UserFromRow((*r)[0]));
}

Result<std::optional<User>> FindUserById(Database& db, int64_t id) {
  Result<std::vector<Row>> r =
      db.QueryAll(fmt::format("SELECT {} FROM server_user WHERE id = ?", kUserColumns), {id});
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<User>();
  return std::optional<User>(UserFromRow((*r)[0]));
}

Result<std::vector<User>> ListUsers(Database& db, std::string_view unit_prefix) {
  std::vector<User> out;
  Status s = db.Query(
      fmt::format("SELECT {} FROM server_user WHERE substr(unit_code, 1, ?) = ? ORDER BY username",
                  kUserColumns),
      {static_cast<int64_t>(unit_prefix.size()), std::string(unit_prefix)}, [&](const Row& r) {
        out.push_back(UserFromRow(r));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Status UpdateUser(Database& db, int64_t id, const UserChanges& c, PasswordCost cost) {
  std::vector<std::string> sets;
  std::vector<Value> params;
  if (c.display_name) {
    sets.push_back("display_name = ?");
    params.push_back(*c.display_name);
  }
  if (c.unit_code) {
    Result<std::string> unit = CheckUnit(*c.unit_code);
    if (!unit.ok()) return unit.status();
    sets.push_back("unit_code = ?");
    params.push_back(*unit);
  }
  if (c.department) {
    if (Status s = CheckDepartment(*c.department); !s.ok()) return s;
    sets.push_back("department = ?");
    params.push_back(*c.department);
  }
  if (c.role_key) {
    if (Status s = CheckRoleExists(db, *c.role_key); !s.ok()) return s;
    sets.push_back("role_key = ?");
    params.push_back(*c.role_key);
  }
  if (c.password) {
    if (Status s = CheckPasswordRules(*c.password); !s.ok()) return s;
    Result<std::string> hash = HashPassword(*c.password, cost);
    if (!hash.ok()) return hash.status();
    sets.push_back("password_hash = ?");
    params.push_back(*hash);
    sets.push_back("password_changed_at = ?");
    params.push_back(UtcNow());
  }
  if (c.active) {
    sets.push_back("active = ?");
    params.push_back(int64_t{*c.active ? 1 : 0});
  }
  if (sets.empty()) return Status::Ok();
  params.push_back(id);
  return db.Execute(fmt::format("UPDATE server_user SET {} WHERE id = ?", fmt::join(sets, ", ")),
                    params);
}

Result<std::vector<Role>> ListRoles(Database& db) {
  std::vector<Role> out;
  Status s = db.Query(
      "SELECT role_key, name, data_scope, permissions, builtin FROM server_role ORDER BY builtin "
      "DESC, role_key",
      {}, [&](const Row& r) {
        Role role;
        role.key = r.AsText(0);
        role.name = r.AsText(1);
        role.scope = ParseDataScope(r.AsText(2)).value_or(DataScope::kSelf);
        role.permissions = SplitWords(r.AsText(3));
        role.builtin = r.AsInt(4) != 0;
        out.push_back(std::move(role));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<std::optional<Role>> FindRole(Database& db, std::string_view key) {
  Result<std::vector<Role>> all = ListRoles(db);
  if (!all.ok()) return all.status();
  for (Role& r : *all) {
    if (r.key == key) return std::optional<Role>(std::move(r));
  }
  return std::optional<Role>();
}

Status SaveRole(Database& db, const Role& role) {
  bool key_ok = !role.key.empty() && role.key.size() <= 32 &&
                std::all_of(role.key.begin(), role.key.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                });
  if (!key_ok) {
    return Status("role.key", "角色标识应为 1 到 32 个小写英文字母、数字或下划线",
                  Location{.field = "key", .value = role.key});
  }
  if (role.name.empty() || role.name.size() > 64) {
    return Status("role.name", "角色名称不能为空，且不超过 64 个字节", Location{.field = "name"});
  }
  for (const std::string& p : role.permissions) {
    if (!IsKnownPermission(p)) {
      return Status("role.permission", fmt::format("未知的权限「{}」", p),
                    Location{.field = "permissions", .value = p});
    }
  }
  std::string perms = fmt::format("{}", fmt::join(role.permissions, " "));
  if (Status s = db.Begin(); !s.ok()) return s;
  // In place: users refer to the role (a DELETE first broke their foreign
  // key, issue #12).
  Status s = db.Execute(
      "INSERT INTO server_role (role_key, name, data_scope, permissions, builtin) VALUES (?, ?, ?, "
      "?, ?) ON CONFLICT (role_key) DO UPDATE SET name = excluded.name, data_scope = "
      "excluded.data_scope, permissions = excluded.permissions, builtin = excluded.builtin",
      {role.key, role.name, std::string(DataScopeKey(role.scope)), perms,
       int64_t{role.builtin ? 1 : 0}});
  if (!s.ok()) {
    (void)db.Rollback();
    return s;
  }
  return db.Commit();
}

Status SetCaseload(Database& db, int64_t user_id, const std::vector<std::string>& id_numbers) {
  if (Status s = db.Begin(); !s.ok()) return s;
  Status s = db.Execute("DELETE FROM server_caseload WHERE user_id = ?", {user_id});
  std::vector<std::string> ids = id_numbers;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (size_t i = 0; s.ok() && i < ids.size(); ++i) {
    s = db.Execute("INSERT INTO server_caseload (user_id, id_number) VALUES (?, ?)",
                   {user_id, ids[i]});
  }
  if (!s.ok()) {
    (void)db.Rollback();
    return s;
  }
  return db.Commit();
}

Result<std::vector<std::string>> Caseload(Database& db, int64_t user_id) {
  std::vector<std::string> out;
  Status s = db.Query("SELECT id_number FROM server_caseload WHERE user_id = ? ORDER BY id_number",
                      {user_id}, [&](const Row& r) {
                        out.push_back(r.AsText(0));
                        return true;
                      });
  if (!s.ok()) return s;
  return out;
}

// --- Sessions ------------------------------------------------------------------

Result<SessionStore::Created> SessionStore::Create(Database& db, const User& user,
                                                   std::string_view ip) {
  Created c;
  c.token = RandomToken(32);
  std::string hash = registry::Sha256Hex(c.token);
  std::string csrf = RandomToken(24);
  if (Status s = db.Execute(
          "INSERT INTO server_session (token_hash, user_id, csrf, created_at, expires_at, ip) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {hash, user.id, csrf, UtcNow(), UtcAfter(lifetime_), std::string(ip)});
      !s.ok()) {
    return s;
  }
  Result<std::optional<Principal>> p = Find(db, c.token);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return Status("auth.session", "会话创建失败");
  c.principal = **p;
  return c;
}

Result<std::optional<Principal>> SessionStore::Find(Database& db, std::string_view token) {
  if (token.empty() || token.size() > 128) return std::optional<Principal>();
  std::string hash = registry::Sha256Hex(token);
  const std::string now = UtcNow();
  const auto read_at = std::chrono::steady_clock::now();
  uint64_t generation = 0;
  {
    std::shared_lock lock(mu_);
    generation = generation_;
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.principal.expires_at > now &&
        read_at - it->second.read_at < recheck_)
      return std::optional<Principal>(it->second.principal);
  }
  Result<std::vector<Row>> r = db.QueryAll(
      "SELECT u.id, u.username, u.display_name, u.unit_code, u.department, u.role_key, r.name, "
      "r.data_scope, r.permissions, s.csrf, s.expires_at FROM server_session s JOIN server_user u "
      "ON u.id = s.user_id JOIN server_role r ON r.role_key = u.role_key WHERE s.token_hash = ? "
      "AND u.active = 1",
      {hash});
  if (!r.ok()) return r.status();
  if (r->empty()) {
    std::unique_lock lock(mu_);
    cache_.erase(hash);
    return std::optional<Principal>();
  }
  const Row& row = (*r)[0];
  Principal p;
  p.user_id = row.AsInt(0);
  p.username = row.AsText(1);
  p.display_name = row.AsText(2);
  p.unit_code = row.AsText(3);
  p.department = row.AsText(4);
  p.role_key = row.AsText(5);
  p.role_name = row.AsText(6);
  p.scope = ParseDataScope(row.AsText(7)).value_or(DataScope::kSelf);
  for (std::string& perm : SplitWords(row.AsText(8))) p.permissions.insert(std::move(perm));
  p.csrf = row.AsText(9);
  p.expires_at = row.AsText(10);
  p.token_hash = hash;
  if (p.expires_at <= now) {
    (void)End(db, hash);
    return std::optional<Principal>();
  }
  std::unique_lock lock(mu_);
  // Not when a session was ended meanwhile: this read may predate that.
  if (generation == generation_) cache_[hash] = Cached{p, read_at};
  return std::optional<Principal>(std::move(p));
}

// The row goes first, then the cached copy: a Find that read the row before
// it went does not cache it (the generation moved on).
Status SessionStore::End(Database& db, std::string_view token_hash) {
  Status s =
      db.Execute("DELETE FROM server_session WHERE token_hash = ?", {std::string(token_hash)});
  std::unique_lock lock(mu_);
  cache_.erase(std::string(token_hash));
  ++generation_;
  return s;
}

Status SessionStore::EndAllOf(Database& db, int64_t user_id) {
  Status s = db.Execute("DELETE FROM server_session WHERE user_id = ?", {user_id});
  std::unique_lock lock(mu_);
  std::erase_if(cache_, [&](const auto& kv) { return kv.second.principal.user_id == user_id; });
  ++generation_;
  return s;
}

void SessionStore::ForgetCached() {
  std::unique_lock lock(mu_);
  cache_.clear();
  ++generation_;
}

// --- Throttling ------------------------------------------------------------

int64_t LoginThrottle::LockedFor(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  const auto now = Clock::now();
  auto& q = it->second;
  while (!q.empty() && now - q.front() >= window_) q.pop_front();
  if (q.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(q.size()) < max_failures_) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(q.front() + window_ - now).count();
  return std::max<int64_t>(1, left);
}

void LoginThrottle::Failed(const std::string& key) {
  std::lock_guard lock(mu_);
  auto& q = failures_[key];
  q.push_back(Clock::now());
  while (static_cast<int>(q.size()) > max_failures_) q.pop_front();
  if (failures_.size() > 100000) {  // bound memory under a flood of distinct keys
    failures_.erase(failures_.begin());
  }
}

void LoginThrottle::Succeeded(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

}  // namespace yanglao::server
