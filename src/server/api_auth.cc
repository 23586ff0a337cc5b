// Routes: health, sign-in and sessions.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/version.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/schema.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

std::string Cookie(const App& app, std::string_view name, std::string_view value, int64_t max_age,
                   bool http_only) {
  return fmt::format("{}={}; Path=/;{} SameSite=Strict; Max-Age={}{}", name, value,
                     http_only ? " HttpOnly;" : "", max_age,
                     app.options().secure_cookies ? "; Secure" : "");
}

// A hash to verify against when the user does not exist, so that an unknown
// name takes as long as a wrong password.
const std::string& DummyHash(const App& app) {
  static const std::string hash =
      HashPassword(RandomPassword(), app.options().password_cost).value_or("");
  return hash;
}

// Healthy means able to serve: the database takes a write (on this
// connection) and the audit trail takes a record (on the writer's), since
// every read of personal data must be recorded first (issue #12: /health
// said ok on a read-only database).
Result<Reply> Health(Call& call) {
  Status db = CheckWritable(call.registry->db());
  Status audit = db.ok() ? call.app.audit().Probe() : db;
  json::object o;
  const bool ok = db.ok() && audit.ok();
  o["status"] = ok ? "ok" : "degraded";
  o["version"] = kVersion;
  o["database"] = call.registry->db().dialect();
  o["database_writable"] = db.ok();
  o["audit_writable"] = audit.ok();
  if (!ok) o["problem"] = (db.ok() ? audit : db).message();
  o["time"] = UtcNow();
  return Reply::Json(o, ok ? 200 : 503);
}

Result<Reply> Login(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  // The name as sent, NUL bytes and all (StringField refuses those): a
  // failed sign-in is audited whatever the name (issue #12).
  Result<std::optional<std::string>> name = std::optional<std::string>();
  if (const json::value* u = body->if_contains("username"); u != nullptr && !u->is_null()) {
    if (!u->is_string()) {
      name = Status("request.field", "字段 username 应为字符串", Location{.field = "username"});
    } else {
      name = std::optional<std::string>(std::string(u->as_string()));
    }
  }
  Result<std::optional<std::string>> password = StringField(*body, "password");
  if (!name.ok()) return name.status();
  if (!password.ok()) return password.status();
  if (!name->has_value() || !password->has_value() || (*name)->empty() || (*name)->size() > 64 ||
      (*password)->size() > 256) {
    return Status("request.field", "请填写用户名和密码", Location{.field = "username"});
  }
  const std::string& username = **name;
  App& app = call.app;
  // Failures count per name and address (names case-insensitively), so that
  // wrong passwords from one place never lock the account for everyone
  // else; and per address, which behind a trusted proxy is the client's
  // (App::ClientAddress).
  std::string lower = username;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string user_key = "user:" + lower + "@" + call.remote, ip_key = "ip:" + call.remote;
  int64_t locked =
      std::max(app.throttle().LockedFor(user_key), AddressThrottle(app).LockedFor(ip_key));
  auto audit = [&](const char* outcome, json::object detail) {
    call.Audit("auth.login", username, outcome, std::move(detail));
    call.audit.back().username = username;
  };
  if (locked > 0) {
    audit("denied", {{"reason", "throttled"}, {"retry_after_seconds", locked}});
    return Status("auth.throttled",
                  fmt::format("登录失败次数过多，请 {} 分钟后再试", (locked + 59) / 60),
                  Location{.field = "retry_after_seconds", .value = std::to_string(locked)});
  }
  registry::Database& db = call.registry->db();
  // A name no account can have (a NUL byte, spaces ...) is not looked up.
  Result<std::optional<User>> user =
      IsValidUsername(username) ? FindUser(db, username) : std::optional<User>();
  if (!user.ok()) return user.status();
  std::string hash;
  if (user->has_value()) {
    Result<std::vector<registry::Row>> h =
        db.QueryAll("SELECT password_hash FROM server_user WHERE id = ?", {(*user)->id});
    if (!h.ok()) return h.status();
    hash = (*h)[0].AsText(0);
  }
  bool ok = VerifyPassword(user->has_value() ? hash : DummyHash(app), **password);
  if (!ok || !user->has_value() || !(*user)->active) {
    app.throttle().Failed(user_key);
    AddressThrottle(app).Failed(ip_key);
    audit("failed", {{"reason", !ok || !user->has_value() ? "bad_credentials" : "inactive"}});
    return Status("auth.login", "用户名或密码错误，或账号已停用");
  }
  app.throttle().Succeeded(user_key);
  // A hash of another cost (64 MiB before issue #12) is remade at the server's;
  // failing to leaves the old one, which still verifies.
  (void)RehashIfCostChanged(db, (*user)->id, hash, **password, app.options().password_cost);
  Result<SessionStore::Created> session = app.sessions().Create(db, **user, call.remote);
  if (!session.ok()) return session.status();
  call.user = &session->principal;
  call.log_user = username;
  call.Audit("auth.login", username, "ok");
  call.user = nullptr;
  json::object o;
  o["user"] = PrincipalJson(session->principal);
  o["csrf_token"] = session->principal.csrf;
  Reply r = Reply::Json(o);
  int64_t age = app.sessions().lifetime_seconds();
  r.headers.emplace_back("Set-Cookie", Cookie(app, "yl_session", session->token, age, true));
  r.headers.emplace_back("Set-Cookie", Cookie(app, "yl_csrf", session->principal.csrf, age, false));
  return r;
}

Result<Reply> Logout(Call& call) {
  if (Status s = call.app.sessions().End(call.registry->db(), call.user->token_hash); !s.ok())
    return s;
  call.Audit("auth.logout", call.user->username, "ok");
  Reply r = Reply::Json(json::object{{"ok", true}});
  r.headers.emplace_back("Set-Cookie", Cookie(call.app, "yl_session", "", 0, true));
  r.headers.emplace_back("Set-Cookie", Cookie(call.app, "yl_csrf", "", 0, false));
  return r;
}

Result<Reply> Me(Call& call) {
  json::object o = PrincipalJson(*call.user);
  o["csrf_token"] = call.user->csrf;
  return Reply::Json(o);
}

Result<Reply> ChangePassword(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::optional<std::string>> old_pw = StringField(*body, "old_password");
  Result<std::optional<std::string>> new_pw = StringField(*body, "new_password");
  if (!old_pw.ok()) return old_pw.status();
  if (!new_pw.ok()) return new_pw.status();
  if (!old_pw->has_value() || !new_pw->has_value()) {
    return Status("request.field", "请填写原密码和新密码", Location{.field = "new_password"});
  }
  // Wrong old passwords are throttled like sign-ins (a stolen session must
  // not become a way to guess the password).
  App& app = call.app;
  const std::string key = fmt::format("password:{}", call.user->user_id);
  if (int64_t locked = app.throttle().LockedFor(key); locked > 0) {
    call.Audit("user.password", call.user->username, "denied",
               {{"reason", "throttled"}, {"retry_after_seconds", locked}});
    return Status("auth.throttled",
                  fmt::format("原密码错误次数过多，请 {} 分钟后再试", (locked + 59) / 60),
                  Location{.field = "retry_after_seconds", .value = std::to_string(locked)});
  }
  registry::Database& db = call.registry->db();
  Result<std::vector<registry::Row>> h =
      db.QueryAll("SELECT password_hash FROM server_user WHERE id = ?", {call.user->user_id});
  if (!h.ok()) return h.status();
  if (h->empty() || !VerifyPassword((*h)[0].AsText(0), **old_pw)) {
    app.throttle().Failed(key);
    call.Audit("user.password", call.user->username, "failed");
    return Status("auth.login", "原密码错误");
  }
  app.throttle().Succeeded(key);
  UserChanges c;
  c.password = **new_pw;
  if (Status s = UpdateUser(db, call.user->user_id, c, call.app.options().password_cost); !s.ok())
    return s;
  call.Audit("user.password", call.user->username, "ok");
  if (Status s = call.app.sessions().EndAllOf(db, call.user->user_id); !s.ok()) return s;
  return Reply::Json(json::object{{"ok", true}, {"message", "密码已修改，请重新登录"}});
}

}  // namespace

void AddAuthRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/health", {.open = true, .blocking = true}, Health);
  router.Add(verb::post, "/api/v1/auth/login", {.open = true, .blocking = true}, Login);
  router.Add(verb::post, "/api/v1/auth/logout", {}, Logout);
  router.Add(verb::get, "/api/v1/auth/me", {}, Me);
  router.Add(verb::post, "/api/v1/auth/password", {.blocking = true}, ChangePassword);
}

}  // namespace yanglao::server
