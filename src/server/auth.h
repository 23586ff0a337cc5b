// Users, roles, passwords, sessions and login throttling.
//
// Passwords are stored as Argon2id hashes (libsodium crypto_pwhash_str_alg,
// ALG_ARGON2ID13; the string records its own cost, so a cost change applies
// to new hashes and old ones still verify). A session is a random 256-bit
// token held by the browser in an HttpOnly, SameSite=Strict cookie; the
// database keeps only its SHA-256, with the user, a CSRF token and the
// expiry. Sessions are cached in memory after first use and read again from
// the database once the cached copy is older than the recheck time; a change
// to a user (role, unit, password, deactivation) ends that user's sessions.
#ifndef YANGLAO_SERVER_AUTH_H_
#define YANGLAO_SERVER_AUTH_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "registry/database.h"
#include "server/access.h"

namespace yanglao::server {

// Argon2id cost. Interactive() is the cost of sign-ins: 19 MiB, 2 passes,
// 1 lane, OWASP's recommended minimum for Argon2id (Password Storage Cheat
// Sheet). Until issue #12 it was libsodium's INTERACTIVE level (64 MiB, 2
// passes), which alone took 230 ms a sign-in on the reference machine against
// a target of 100 ms (docs/security.md, "Sign-ins under load"); hashes made
// then still verify and are remade at this cost at the next sign-in
// (RehashIfCostChanged). Minimal() is the least libsodium allows, for tests
// and fuzzing only.
struct PasswordCost {
  unsigned long long ops = 0;
  size_t mem = 0;
  static PasswordCost Interactive();
  static PasswordCost Minimal();
};

// Fails with "auth.password_weak" (fewer than 8 characters, or not both
// letters and digits) or "auth.password_long" (over 128 bytes).
Status CheckPasswordRules(std::string_view password);
// An Argon2id hash string of `password`. Fails with "auth.hash" only when the
// machine cannot provide the memory.
Result<std::string> HashPassword(std::string_view password, PasswordCost cost);
// Does `password` match `hash`? False for malformed hashes.
bool VerifyPassword(std::string_view hash, std::string_view password);
// After a sign-in with `password` matched `hash` (user `user_id`'s): when
// `hash` was made at a cost other than `cost`, stores a hash at `cost`, so
// that every account costs the same to sign in to (an unknown name, checked
// against a hash at `cost`, takes as long as a known one). Sessions and
// password_changed_at are left as they are. OK when nothing needed doing.
Status RehashIfCostChanged(registry::Database& db, int64_t user_id, std::string_view hash,
                           std::string_view password, PasswordCost cost);
// `bytes` random bytes, URL-safe base64 without padding.
std::string RandomToken(size_t bytes);
// A random password of letters and digits (16 characters) for new accounts.
std::string RandomPassword();

struct Role {
  std::string key;
  std::string name;
  DataScope scope = DataScope::kSelf;
  std::vector<std::string> permissions;
  bool builtin = false;
};

struct User {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string unit_code;
  std::string department;
  std::string role_key;
  bool active = true;
  std::string created_at;
};

struct NewUser {
  std::string username;
  std::string display_name;
  std::string password;
  std::string unit_code;  // as written; normalised (421300 -> 4213)
  std::string department;
  std::string role_key;
};

// Creates a user. Fails with user.username (not 3-32 of A-Z a-z 0-9 _ . -),
// user.exists, user.unit (not a region code of the built-in table),
// user.department (not a source department), user.role (no such role),
// auth.password_*.
Result<int64_t> CreateUser(registry::Database& db, const NewUser& user, PasswordCost cost);
// By name, case-insensitively (CreateUser refuses a name that differs from
// an existing one only in case).
Result<std::optional<User>> FindUser(registry::Database& db, std::string_view username);
// Is `username` a name CreateUser would accept (3-32 of A-Z a-z 0-9 _ . -)?
bool IsValidUsername(std::string_view username);
Result<std::optional<User>> FindUserById(registry::Database& db, int64_t id);
// Users whose unit is within `unit_prefix` (empty: all), by username.
Result<std::vector<User>> ListUsers(registry::Database& db, std::string_view unit_prefix);

// Changes to a user; unset fields stay. Same failures as CreateUser.
struct UserChanges {
  std::optional<std::string> display_name, unit_code, department, role_key, password;
  std::optional<bool> active;
};
Status UpdateUser(registry::Database& db, int64_t id, const UserChanges& changes,
                  PasswordCost cost);

Result<std::vector<Role>> ListRoles(registry::Database& db);
Result<std::optional<Role>> FindRole(registry::Database& db, std::string_view key);
// Creates or replaces a role. Fails with role.key, role.name, role.permission
// (an unknown key, named), role.scope.
Status SaveRole(registry::Database& db, const Role& role);

// Replaces the caseload (仅本人 scope) of `user_id` with `id_numbers`.
Status SetCaseload(registry::Database& db, int64_t user_id,
                   const std::vector<std::string>& id_numbers);
Result<std::vector<std::string>> Caseload(registry::Database& db, int64_t user_id);

// Sessions: created at login, found by token, ended at logout or expiry.
// Found sessions are kept in memory and trusted for `recheck`, then read
// again (a session ended through this store is refused at once; one ended
// by another process, or directly in the database, within `recheck`).
// Thread-safe.
class SessionStore {
 public:
  explicit SessionStore(int64_t lifetime_seconds,
                        std::chrono::milliseconds recheck = std::chrono::seconds(1))
      : lifetime_(lifetime_seconds), recheck_(recheck) {}

  struct Created {
    std::string token;  // for the cookie; never stored
    Principal principal;
  };
  // Starts a session for an active user.
  Result<Created> Create(registry::Database& db, const User& user, std::string_view ip);
  // The session's user, or nullopt when the token is unknown, expired or its
  // user inactive. From memory when read from the database within recheck.
  Result<std::optional<Principal>> Find(registry::Database& db, std::string_view token);
  // Ends one session.
  Status End(registry::Database& db, std::string_view token_hash);
  // Ends every session of a user.
  Status EndAllOf(registry::Database& db, int64_t user_id);

  // Drops the in-memory copies (after a role changes); sessions stay valid
  // and are read again from the database.
  void ForgetCached();

  int64_t lifetime_seconds() const { return lifetime_; }

 private:
  struct Cached {
    Principal principal;
    std::chrono::steady_clock::time_point read_at;  // from the database
  };
  int64_t lifetime_;
  std::chrono::milliseconds recheck_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
  uint64_t generation_ = 0;                        // counts ends and forgets
};

// Failed-login throttling, in memory. A key (user:NAME, ip:ADDRESS) with
// `max_failures` failures within `window` is locked until the oldest of them
// leaves the window. Thread-safe.
class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  LoginThrottle(int max_failures, std::chrono::seconds window)
      : max_failures_(max_failures), window_(window) {}
  // Seconds until `key` may try again; 0 when it may now.
  int64_t LockedFor(const std::string& key);
  void Failed(const std::string& key);
  void Succeeded(const std::string& key);

 private:
  std::mutex mu_;
  int max_failures_;
  std::chrono::seconds window_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace yanglao::server

#endif  // YANGLAO_SERVER_AUTH_H_
