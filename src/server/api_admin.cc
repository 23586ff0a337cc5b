// Routes: users, roles, caseloads and the audit log.
#include <fmt/format.h>

#include <charconv>
#include <set>

#include "core/id_number.h"
#include "server/api_util.h"
#include "server/app.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

// May `actor` hand out `role`? Holders of "*" may; others only roles whose
// permissions they hold themselves and whose scope is no wider than theirs.
Status CheckGrant(const Principal& actor, const Role& role) {
  if (actor.Can("*")) return Status::Ok();
  bool ok = ScopeWidth(role.scope) <= ScopeWidth(actor.scope);
  for (const std::string& p : role.permissions) ok = ok && actor.Can(p);
  if (ok) return Status::Ok();
  return Status("auth.forbidden", fmt::format("不能授予比自己更大的权限（角色「{}」）", role.name),
                Location{.field = "role", .value = role.key});
}

Result<Role> RoleOrFail(db::Database& db, const std::string& key) {
  Result<std::optional<Role>> r = FindRole(db, key);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return Status("user.role", fmt::format("没有名为「{}」的角色", key),
                  Location{.field = "role", .value = key});
  }
  return **r;
}

Status CheckUnitInScope(const Principal& actor, std::string_view unit_text) {
  const Region* r = RegionTable::Builtin().Find(unit_text);
  if (r == nullptr) {
    return Status("user.unit", "所属单位应为有效的行政区划代码",
                  Location{.field = "unit_code", .value = std::string(unit_text)});
  }
  if (!UnitWithinScope(actor, r->code)) {
    return Status("auth.scope", "只能管理本人数据范围内单位的用户",
                  Location{.field = "unit_code", .value = std::string(unit_text)});
  }
  return Status::Ok();
}

// May `actor` manage a user who holds `role_key` in `department` (create,
// change, reset the password of, assign a caseload to)? Only if the actor
// could grant that role, and the user would see no field group the actor
// may not see (a department decides what is seen): an administrator never
// acts as, or makes, someone who may do or see more than they may.
Status CheckManage(db::Database& db, const Principal& actor, const std::string& role_key,
                   const std::string& department) {
  if (actor.Can("*")) return Status::Ok();
  Result<std::optional<Role>> role = FindRole(db, role_key);
  if (!role.ok()) return role.status();
  if (role->has_value() && !CheckGrant(actor, **role).ok()) {
    return Status("auth.forbidden", "不能管理权限比自己大的用户",
                  Location{.field = "role", .value = role_key});
  }
  Principal target;
  target.department = department;
  if (role->has_value()) {
    target.permissions.insert((*role)->permissions.begin(), (*role)->permissions.end());
  }
  const std::vector<const FieldGroup*> actor_hidden = HiddenGroups(actor);
  for (const FieldGroup* g : actor_hidden) {
    if (CanSeeFact(target, g->facts.front())) {
      return Status("auth.forbidden",
                    fmt::format("不能管理可查看「{}」的用户（您本人无权查看）", g->label),
                    Location{.field = "department", .value = department});
    }
  }
  return Status::Ok();
}

Result<User> TargetUser(Call& call) {
  int64_t id = 0;
  const std::string& text = call.Path("id");
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status("request.param", "用户编号应为整数",
                  Location{.field = "id", .value = text.substr(0, 32)});
  }
  Result<std::optional<User>> u = FindUserById(call.registry->db(), id);
  if (!u.ok()) return u.status();
  if (!u->has_value() || !UnitWithinScope(*call.user, (*u)->unit_code)) {
    return Status("user.not_found", "没有这个用户（或不在本人数据范围内）",
                  Location{.field = "id", .value = text});
  }
  return **u;
}

Result<Reply> ListUsersRoute(Call& call) {
  const Principal& me = *call.user;
  std::string prefix = me.scope == DataScope::kAll ? "" : me.unit_code;
  Result<std::vector<User>> users = ListUsers(call.registry->db(), prefix);
  if (!users.ok()) return users.status();
  json::array items;
  for (const User& u : *users) {
    if (me.scope == DataScope::kSelf && u.id != me.user_id) continue;
    if (me.scope == DataScope::kUnit && u.unit_code != me.unit_code) continue;
    items.push_back(UserJson(u));
  }
  return Reply::Json(json::object{{"items", std::move(items)}});
}

Result<Reply> CreateUserRoute(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  NewUser u;
  for (auto [field, out] : {std::pair{"username", &u.username},
                            {"display_name", &u.display_name},
                            {"password", &u.password},
                            {"unit_code", &u.unit_code},
                            {"department", &u.department},
                            {"role", &u.role_key}}) {
    Result<std::optional<std::string>> v = StringField(*body, field);
    if (!v.ok()) return v.status();
    if (v->has_value()) *out = **v;
  }
  bool generated = u.password.empty();
  if (generated) u.password = RandomPassword();
  db::Database& db = call.registry->db();
  if (Status s = CheckUnitInScope(*call.user, u.unit_code); !s.ok()) return s;
  Result<Role> role = RoleOrFail(db, u.role_key);
  if (!role.ok()) return role.status();
  if (Status s = CheckGrant(*call.user, *role); !s.ok()) return s;
  if (Status s = CheckManage(db, *call.user, u.role_key, u.department); !s.ok()) return s;
  Result<int64_t> id = CreateUser(db, u, call.app.options().password_cost);
  if (!id.ok()) return id.status();
  call.Audit("user.create", u.username, "ok",
             {{"id", *id},
              {"role", u.role_key},
              {"unit_code", u.unit_code},
              {"department", u.department}});
  Result<std::optional<User>> created = FindUserById(db, *id);
  if (!created.ok()) return created.status();
  json::object o = UserJson(**created);
  if (generated) o["initial_password"] = u.password;  // shown once
  return Reply::Json(o, 201);
}

Result<Reply> UpdateUserRoute(Call& call) {
  Result<User> target = TargetUser(call);
  if (!target.ok()) return target.status();
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  UserChanges c;
  json::array changed;
  for (auto [field, out] : {std::pair{"display_name", &c.display_name},
                            {"unit_code", &c.unit_code},
                            {"department", &c.department},
                            {"role", &c.role_key},
                            {"password", &c.password}}) {
    Result<std::optional<std::string>> v = StringField(*body, field);
    if (!v.ok()) return v.status();
    if (v->has_value()) {
      *out = **v;
      changed.push_back(json::string(field));
    }
  }
  if (const json::value* a = body->if_contains("active")) {
    if (!a->is_bool())
      return Status("request.field", "字段 active 应为 true 或 false", Location{.field = "active"});
    c.active = a->as_bool();
    changed.push_back("active");
  }
  db::Database& db = call.registry->db();
  if (Status s = CheckManage(db, *call.user, target->role_key, target->department); !s.ok()) {
    call.Audit("user.update", target->username, "denied",
               {{"id", target->id}, {"fields", changed}, {"reason", "role"}});
    return s;
  }
  if (c.unit_code) {
    if (Status s = CheckUnitInScope(*call.user, *c.unit_code); !s.ok()) return s;
  }
  if (c.role_key) {
    Result<Role> role = RoleOrFail(db, *c.role_key);
    if (!role.ok()) return role.status();
    if (Status s = CheckGrant(*call.user, *role); !s.ok()) return s;
  }
  if (Status s = CheckManage(db, *call.user, c.role_key.value_or(target->role_key),
                             c.department.value_or(target->department));
      !s.ok()) {
    return s;
  }
  if (Status s = UpdateUser(db, target->id, c, call.app.options().password_cost); !s.ok()) return s;
  if (Status s = call.app.sessions().EndAllOf(db, target->id); !s.ok()) return s;
  call.Audit("user.update", target->username, "ok", {{"id", target->id}, {"fields", changed}});
  Result<std::optional<User>> after = FindUserById(db, target->id);
  if (!after.ok()) return after.status();
  return Reply::Json(UserJson(**after));
}

Result<Reply> GetCaseload(Call& call) {
  Result<User> target = TargetUser(call);
  if (!target.ok()) return target.status();
  Result<std::vector<std::string>> ids = Caseload(call.registry->db(), target->id);
  if (!ids.ok()) return ids.status();
  json::array items;
  for (const std::string& id : *ids) {
    items.push_back({{"ref", call.app.PersonRef(id)}, {"id_number", MaskIdNumber(id)}});
  }
  return Reply::Json(json::object{{"user", target->username}, {"items", std::move(items)}});
}

Result<Reply> PutCaseload(Call& call) {
  Result<User> target = TargetUser(call);
  if (!target.ok()) return target.status();
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  const json::value* list = body->if_contains("id_numbers");
  if (list == nullptr || !list->is_array() || list->as_array().size() > 10000) {
    return Status("request.field", "字段 id_numbers 应为公民身份号码的数组（不超过 10000 个）",
                  Location{.field = "id_numbers"});
  }
  if (Status s = CheckManage(call.registry->db(), *call.user, target->role_key, target->department);
      !s.ok()) {
    call.Audit("user.caseload", target->username, "denied",
               {{"id", target->id}, {"reason", "role"}});
    return s;
  }
  std::vector<std::string> ids;
  for (const json::value& v : list->as_array()) {
    if (!v.is_string())
      return Status("request.field", "id_numbers 的每一项应为字符串",
                    Location{.field = "id_numbers"});
    Result<IdNumber> id = ParseIdNumber(v.as_string(), RegionTable::Builtin(), call.app.Today());
    if (!id.ok())
      return id.status().At(
          Location{.field = "id_numbers", .value = MaskIfIdNumber(v.as_string())});
    ids.push_back(id->value);
  }
  // Only persons within the administrator's own scope can be handed out; a
  // number that is not registered is outside every scope but 全部, so the
  // refusal does not tell whether it is registered.
  if (call.user->scope != DataScope::kAll) {
    Result<std::set<std::string>> reached = PersonsInScope(call, ids);
    if (!reached.ok()) return reached.status();
    for (const std::string& id : ids) {
      if (reached->contains(id)) continue;
      call.Audit("user.caseload", target->username, "denied",
                 {{"id", target->id}, {"reason", "scope"}, {"person", MaskIdNumber(id)}});
      return Status("person.scope", "此人不在您的数据范围内，不能分配给服务人员；本次操作已记录",
                    Location{.field = "id_numbers", .value = MaskIdNumber(id)});
    }
  }
  if (Status s = SetCaseload(call.registry->db(), target->id, ids); !s.ok()) return s;
  call.Audit("user.caseload", target->username, "ok", {{"id", target->id}, {"count", ids.size()}});
  return Reply::Json(json::object{{"user", target->username}, {"count", ids.size()}});
}

Result<Reply> ListRolesRoute(Call& call) {
  Result<std::vector<Role>> roles = ListRoles(call.registry->db());
  if (!roles.ok()) return roles.status();
  json::array items;
  for (const Role& r : *roles) {
    json::array perms;
    for (const std::string& p : r.permissions) perms.push_back(json::string(p));
    items.push_back(
        {{"key", r.key},
         {"name", r.name},
         {"data_scope", {{"key", DataScopeKey(r.scope)}, {"name", DataScopeName(r.scope)}}},
         {"permissions", std::move(perms)},
         {"builtin", r.builtin}});
  }
  json::array perms;
  for (const PermissionInfo& p : AllPermissions())
    perms.push_back({{"key", p.key}, {"label", p.label}});
  json::array groups;
  for (const FieldGroup& g : FieldGroups()) {
    json::array facts, depts;
    for (const auto& f : g.facts) facts.push_back(json::string(f));
    for (const auto& d : g.departments) depts.push_back(json::string(d));
    groups.push_back(
        {{"key", g.key}, {"label", g.label}, {"facts", facts}, {"departments", depts}});
  }
  return Reply::Json(json::object{{"items", std::move(items)},
                                  {"permissions", std::move(perms)},
                                  {"field_groups", std::move(groups)}});
}

// May `actor` save `role` (replacing `existing`)? Built-in roles only with
// "*"; otherwise the new role must be grantable by the actor, and an
// existing one too, with every user who holds it within the actor's scope.
Status CheckRoleEdit(db::Database& db, const Principal& actor, const Role& role,
                     const std::optional<Role>& existing) {
  if (actor.Can("*")) return Status::Ok();
  if (existing && existing->builtin) {
    return Status("auth.forbidden",
                  fmt::format("内置角色「{}」只能由系统管理员修改", existing->name),
                  Location{.field = "key", .value = existing->key});
  }
  if (Status s = CheckGrant(actor, role); !s.ok()) return s;
  if (!existing) return Status::Ok();
  if (Status s = CheckGrant(actor, *existing); !s.ok()) return s;
  Result<std::vector<db::Row>> holders =
      db.QueryAll("SELECT unit_code FROM server_user WHERE role_key = ?", {existing->key});
  if (!holders.ok()) return holders.status();
  for (const db::Row& r : *holders) {
    if (!UnitWithinScope(actor, r.AsText(0))) {
      return Status("auth.scope", "此角色有本人数据范围以外的用户，不能修改",
                    Location{.field = "key", .value = existing->key});
    }
  }
  return Status::Ok();
}

Result<Reply> PutRole(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Role role;
  role.key = call.Path("key");
  Result<std::optional<std::string>> name = StringField(*body, "name");
  Result<std::optional<std::string>> scope = StringField(*body, "data_scope");
  if (!name.ok()) return name.status();
  if (!scope.ok()) return scope.status();
  role.name = name->value_or("");
  Result<DataScope> ds = ParseDataScope(scope->value_or(""));
  if (!ds.ok()) return ds.status();
  role.scope = *ds;
  const json::value* perms = body->if_contains("permissions");
  if (perms == nullptr || !perms->is_array()) {
    return Status("request.field", "字段 permissions 应为权限标识的数组",
                  Location{.field = "permissions"});
  }
  for (const json::value& p : perms->as_array()) {
    if (!p.is_string())
      return Status("request.field", "permissions 的每一项应为字符串",
                    Location{.field = "permissions"});
    role.permissions.push_back(std::string(p.as_string()));
  }
  db::Database& db = call.registry->db();
  Result<std::optional<Role>> existing = FindRole(db, role.key);
  if (!existing.ok()) return existing.status();
  role.builtin = existing->has_value() && (*existing)->builtin;
  if (Status s = CheckRoleEdit(db, *call.user, role, *existing); !s.ok()) {
    call.Audit("role.save", role.key, "denied", {{"code", s.code()}});
    return s;
  }
  if (Status s = SaveRole(db, role); !s.ok()) return s;
  call.app.sessions().ForgetCached();
  call.Audit("role.save", role.key, "ok",
             {{"data_scope", DataScopeKey(role.scope)}, {"permissions", *perms}});
  return Reply::Json(json::object{{"key", role.key}, {"name", role.name}});
}

Result<AuditQuery> AuditQueryOf(Call& call, const Paging& paging) {
  if (call.user->scope != DataScope::kAll) {
    return Status("auth.scope", "查询操作日志需要“全部”数据范围");
  }
  AuditQuery q;
  q.username = call.Query("user").value_or("");
  q.action = call.Query("action").value_or("");
  q.target = call.Query("target").value_or("");
  q.outcome = call.Query("outcome").value_or("");
  q.from = call.Query("from").value_or("");
  q.to = call.Query("to").value_or("");
  q.offset = paging.offset();
  q.limit = paging.size;
  return q;
}

json::object AuditJson(const AuditRecord& a) {
  json::object o;
  o["id"] = a.id;
  o["at"] = a.at;
  o["username"] = a.username;
  o["unit_code"] = a.unit_code;
  o["ip"] = a.ip;
  o["action"] = a.action;
  o["target"] = MaskIfIdNumber(a.target);
  o["outcome"] = a.outcome;
  Result<json::value> d = ParseJson(a.detail);
  o["detail"] = d.ok() ? *d : json::value(a.detail);
  o["request_id"] = a.request_id;
  return o;
}

Result<Reply> SearchAuditRoute(Call& call) {
  Result<Paging> paging = PagingOf(call, 500);
  if (!paging.ok()) return paging.status();
  Result<AuditQuery> q = AuditQueryOf(call, *paging);
  if (!q.ok()) return q.status();
  Result<AuditPage> page = SearchAudit(call.registry->db(), *q);
  if (!page.ok()) return page.status();
  json::array items;
  for (const AuditRecord& a : page->records) items.push_back(AuditJson(a));
  return Reply::Json(PageJson(*paging, page->total, std::move(items)));
}

// The query as decoded parameters ("target=4213**********0016&format=csv"),
// for the record of an export (masked by Call::Audit: a raw target could
// carry a percent-encoded full number).
std::string FilterText(const Call& call) {
  std::string out;
  for (const auto& [k, v] : call.query) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out.substr(0, 1000);
}

Result<Reply> ExportAuditRoute(Call& call) {
  Paging all{1, 100000};
  Result<AuditQuery> q = AuditQueryOf(call, all);
  if (!q.ok()) return q.status();
  Result<AuditPage> page = SearchAudit(call.registry->db(), *q);
  if (!page.ok()) return page.status();
  std::vector<std::vector<std::string>> rows = {{"编号", "时间（UTC）", "用户", "单位", "来源地址",
                                                 "操作", "对象", "结果", "详情", "请求编号"}};
  for (const AuditRecord& a : page->records) {
    rows.push_back({std::to_string(a.id), a.at, a.username, a.unit_code, a.ip, a.action,
                    MaskIfIdNumber(a.target), a.outcome, a.detail, a.request_id});
  }
  std::string format = call.Query("format").value_or("csv");
  Result<Reply> r = TableDownload(rows, format, "操作日志", "操作日志");
  if (r.ok()) {
    call.Audit("audit.export", "server_audit", "ok",
               {{"rows", page->records.size()}, {"format", format}, {"filter", FilterText(call)}});
  }
  return r;
}

}  // namespace

void AddAdminRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/users", {.permission = "system:user:list"}, ListUsersRoute);
  router.Add(verb::post, "/api/v1/users", {.permission = "system:user:create", .blocking = true},
             CreateUserRoute);
  router.Add(verb::patch, "/api/v1/users/{id}",
             {.permission = "system:user:update", .blocking = true}, UpdateUserRoute);
  router.Add(verb::get, "/api/v1/users/{id}/caseload", {.permission = "system:user:list"},
             GetCaseload);
  router.Add(verb::put, "/api/v1/users/{id}/caseload",
             {.permission = "system:user:update", .body_limit = 1 << 20}, PutCaseload);
  router.Add(verb::get, "/api/v1/roles", {.permission = "system:role:list"}, ListRolesRoute);
  router.Add(verb::put, "/api/v1/roles/{key}", {.permission = "system:role:update"}, PutRole);
  router.Add(verb::get, "/api/v1/audit", {.permission = "system:audit:list"}, SearchAuditRoute);
  router.Add(verb::get, "/api/v1/audit/export",
             {.permission = "system:audit:export", .blocking = true}, ExportAuditRoute);
}

}  // namespace yanglao::server
