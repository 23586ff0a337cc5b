// The module table: the server's routes, permissions, built-in roles and
// console menu are built from it (server/modules.h), and the built-in roles
// are reconciled from it at start-up on both back ends.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "db/test_database.h"
#include "registry/feed_template.h"
#include "registry/registry.h"
#include "server/access.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/modules.h"
#include "server/router.h"
#include "server/schema.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::map<std::string, std::string> RolePermissions(registry::Database& db) {
  std::map<std::string, std::string> out;
  Result<std::vector<Role>> roles = ListRoles(db);
  EXPECT_TRUE(roles.ok()) << roles.status().ToString();
  if (!roles.ok()) return out;
  for (const Role& r : *roles) out[r.key] = Joined(r.permissions);
  return out;
}

// --- The table itself ---------------------------------------------------------

TEST(ModuleTableTest, EveryRoutePermissionAndMenuPermissionIsInTheTable) {
  db::TestDatabase d;
  d.SetUp("sqlite", "yanglao_module_test");
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  AppOptions o;
  o.db_url = d.url();
  o.policies_dir = "does-not-exist";
  o.connections = 1;
  o.password_cost = PasswordCost::Minimal();
  auto app = App::Open(o);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  size_t checked = 0;
  for (const Route& r : (*app)->router().routes()) {
    if (r.spec.permission.empty()) continue;
    EXPECT_TRUE(IsKnownPermission(r.spec.permission)) << r.pattern << " " << r.spec.permission;
    ++checked;
  }
  EXPECT_GT(checked, 30u);
  for (const db::ModuleInfo* m : ModuleInfos()) {
    for (const db::MenuEntry& e : m->menu) {
      EXPECT_TRUE(e.permission.empty() || IsKnownPermission(e.permission)) << e.path;
    }
  }
  // Routes are added module by module, and the first that matches answers:
  // no two routes may match one path unless they are of one group in the
  // intended order (a literal before the {param} it would otherwise hit).
  std::vector<std::string> overlaps;
  const std::vector<Route>& routes = (*app)->router().routes();
  for (size_t i = 0; i < routes.size(); ++i) {
    for (size_t j = i + 1; j < routes.size(); ++j) {
      const Route& a = routes[i];
      const Route& b = routes[j];
      if (a.method != b.method || a.segments.size() != b.segments.size()) continue;
      bool overlap = true;
      for (size_t k = 0; overlap && k < a.segments.size(); ++k) {
        const bool pa = a.segments[k].starts_with('{'), pb = b.segments[k].starts_with('{');
        overlap = pa || pb || a.segments[k] == b.segments[k];
      }
      if (overlap) overlaps.push_back(a.pattern + " before " + b.pattern);
    }
  }
  EXPECT_EQ(overlaps,
            (std::vector<std::string>{"/api/v1/persons/export before /api/v1/persons/{ref}"}));
  app->reset();
}

TEST(ModuleTableTest, DeclarationsAreConsistent) {
  std::set<std::string_view> names, roles, permissions;
  for (const db::ModuleInfo* m : ModuleInfos()) {
    EXPECT_TRUE(names.insert(m->name).second) << "module declared twice: " << m->name;
    for (const db::RoleInfo& r : m->roles) EXPECT_TRUE(roles.insert(r.key).second) << r.key;
  }
  for (const db::ModuleInfo* m : ModuleInfos()) {
    for (const db::PermissionInfo& p : m->permissions) {
      EXPECT_TRUE(permissions.insert(p.key).second) << "permission declared twice: " << p.key;
      EXPECT_EQ(std::count(p.key.begin(), p.key.end(), ':'), 2) << p.key;
      EXPECT_FALSE(p.label.empty()) << p.key;
      for (std::string_view r : p.roles) {
        EXPECT_TRUE(roles.contains(r)) << p.key << " grants an undeclared role " << r;
      }
    }
    for (const db::FieldGroupInfo& g : m->field_groups) {
      EXPECT_TRUE(permissions.contains("person:field:" + std::string(g.key))) << g.key;
      for (std::string_view dept : g.departments) {
        EXPECT_TRUE(IsKnownDepartment(dept)) << g.key << " " << dept;
      }
    }
    for (std::string_view source : m->sources) {
      EXPECT_TRUE(IsKnownDepartment(source) || source == registry::kAssessmentSource)
          << m->name << " " << source;
    }
  }
  // The order the role editor shows (GET /api/v1/admin/permissions).
  ASSERT_FALSE(AllPermissions().empty());
  EXPECT_EQ(AllPermissions().front().key, "region:region:read");
  EXPECT_EQ(AllPermissions().back().key, "system:audit:export");
  EXPECT_GE(FieldGroups().size(), 3u);
  EXPECT_EQ(FieldGroups()[0].key, "income");
}

// --- Built-in roles, reconciled on both back ends -------------------------------

class ReconcileTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_reconcile_test");
    if (IsSkipped() || HasFatalFailure()) return;
    auto reg = registry::Registry::Open(db_.url());
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(*reg);
    ASSERT_TRUE(PrepareDatabase(reg_->db()).ok());
  }
  void TearDown() override {
    reg_.reset();
    db_.Remove();
  }
  // The table with one more module, which grants a new permission to the
  // community worker (as a module added in a later version would).
  std::vector<const db::ModuleInfo*> WithTrial() {
    std::vector<const db::ModuleInfo*> modules = ModuleInfos();
    modules.push_back(&trial_);
    return modules;
  }
  Status Restart(const std::vector<const db::ModuleInfo*>& modules) {
    return ReconcileBuiltinRoles(reg_->db(), modules);
  }

  db::TestDatabase db_;
  std::unique_ptr<registry::Registry> reg_;
  db::ModuleInfo trial_{
      .name = "trial",
      .label = "试点模块",
      .permissions = {{"trial:visit:read", "查看试点记录", {"community_worker", "caseworker"}}},
  };
};

TEST_P(ReconcileTest, AFreshDatabaseGetsTheBuiltInRolesOfTheTable) {
  std::map<std::string, std::string> roles = RolePermissions(reg_->db());
  ASSERT_EQ(roles.size(), 8u);
  EXPECT_EQ(roles["admin"], "*");
  // The same permissions, in the same order, as the migrations gave before
  // the table (the role editor shows them in this order).
  EXPECT_PRED2(
      [](const std::string& role, const std::string& prefix) { return role.starts_with(prefix); },
      roles["city_official"],
      "region:region:read policy:list:read person:person:list person:person:read "
      "person:person:export person:conflict:resolve registry:import:create "
      "registry:import:read entitle:run:read entitle:run:create entitle:roll:export "
      "entitle:advice:read entitle:whatif:run assess:assessment:read "
      "assess:assessment:create assess:request:create assess:due:list");
  EXPECT_EQ(roles["caseworker"],
            "region:region:read person:person:list person:person:read entitle:advice:read "
            "assess:assessment:read assess:request:create visits:roster:read visits:visit:create");
  EXPECT_EQ(roles["auditor"], "system:audit:list system:audit:export");
  Result<std::optional<Role>> street = FindRole(reg_->db(), "street_worker");
  ASSERT_TRUE(street.ok() && street->has_value());
  EXPECT_EQ((*street)->name, "街道（乡镇）工作人员");
  EXPECT_EQ((*street)->scope, DataScope::kSubtree);
  EXPECT_TRUE((*street)->builtin);
  // Starting again changes nothing.
  ASSERT_TRUE(PrepareDatabase(reg_->db()).ok());
  EXPECT_EQ(RolePermissions(reg_->db()), roles);
}

TEST_P(ReconcileTest, APermissionAModuleAddsAppearsInItsRolesAfterRestart) {
  ASSERT_TRUE(Restart(WithTrial()).ok());
  std::map<std::string, std::string> roles = RolePermissions(reg_->db());
  EXPECT_TRUE(roles["community_worker"].ends_with(" trial:visit:read"))
      << roles["community_worker"];
  EXPECT_TRUE(roles["caseworker"].ends_with(" trial:visit:read"));
  EXPECT_EQ(roles["city_official"].find("trial"), std::string::npos);
  ASSERT_TRUE(Restart(WithTrial()).ok());
  EXPECT_EQ(RolePermissions(reg_->db()), roles);
}

TEST_P(ReconcileTest, ASitesOwnRoleEditSurvivesRestarts) {
  ASSERT_TRUE(Restart(WithTrial()).ok());
  // The site takes entitle:run:read and trial:visit:read from the community
  // worker, renames the role, narrows its scope, and adds its own role.
  Result<std::optional<Role>> role = FindRole(reg_->db(), "community_worker");
  ASSERT_TRUE(role.ok() && role->has_value());
  Role edited = **role;
  std::erase(edited.permissions, "entitle:run:read");
  edited.name = "村级协管员";
  edited.scope = DataScope::kSelf;
  ASSERT_TRUE(IsKnownPermission("entitle:run:read"));
  Status saved = SaveRole(reg_->db(), edited);  // trial:visit:read is unknown to this build
  EXPECT_EQ(saved.code(), "role.permission");
  std::erase(edited.permissions, "trial:visit:read");
  ASSERT_TRUE(SaveRole(reg_->db(), edited).ok());
  Role own{"meal_helper", "助餐员", DataScope::kUnit, {"person:person:list"}, false};
  ASSERT_TRUE(SaveRole(reg_->db(), own).ok());
  std::map<std::string, std::string> before = RolePermissions(reg_->db());

  ASSERT_TRUE(Restart(WithTrial()).ok());
  ASSERT_TRUE(PrepareDatabase(reg_->db()).ok());
  EXPECT_EQ(RolePermissions(reg_->db()), before);
  role = FindRole(reg_->db(), "community_worker");
  ASSERT_TRUE(role.ok() && role->has_value());
  EXPECT_EQ((*role)->name, "村级协管员");
  EXPECT_EQ((*role)->scope, DataScope::kSelf);
  EXPECT_EQ(Joined((*role)->permissions).find("entitle:run:read"), std::string::npos);
  EXPECT_EQ(before["meal_helper"], "person:person:list");
}

TEST_P(ReconcileTest, ADatabaseFromBeforeTheTableKeepsWhatTheSiteTookAway) {
  // As a database of the previous version: roles from the old migrations, no
  // record of offers, and a permission the site took away then.
  ASSERT_TRUE(reg_->db().Execute("DELETE FROM server_role_grant").ok());
  ASSERT_TRUE(reg_->db()
                  .Execute("UPDATE server_role SET permissions = ? WHERE role_key = ?",
                           {std::string("region:region:read person:person:list"),
                            std::string("caseworker")})
                  .ok());
  ASSERT_TRUE(Restart(WithTrial()).ok());
  std::map<std::string, std::string> roles = RolePermissions(reg_->db());
  // Only what the new module grants is added.
  const std::string& caseworker = roles["caseworker"];
  EXPECT_TRUE(caseworker.starts_with("region:region:read person:person:list ")) << caseworker;
  EXPECT_TRUE(caseworker.ends_with(" trial:visit:read")) << caseworker;
  EXPECT_EQ(caseworker.find("person:person:read"), std::string::npos) << caseworker;
  EXPECT_EQ(caseworker.find("entitle:advice:read"), std::string::npos) << caseworker;
}

TEST_P(ReconcileTest, ABuiltInRoleTheSiteDeletedIsNotCreatedAgain) {
  ASSERT_TRUE(reg_->db().Execute("DELETE FROM server_role WHERE role_key = 'auditor'").ok());
  ASSERT_TRUE(PrepareDatabase(reg_->db()).ok());
  EXPECT_FALSE(RolePermissions(reg_->db()).contains("auditor"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ReconcileTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

// --- The console's menu, per built-in role --------------------------------------

class MenuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.SetUp("sqlite", "yanglao_menu_test");
    if (IsSkipped() || HasFatalFailure()) return;
    AppOptions o;
    o.db_url = db_.url();
    o.policies_dir = "does-not-exist";
    o.connections = 1;
    o.password_cost = PasswordCost::Minimal();
    auto app = App::Open(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
  }
  void TearDown() override {
    app_.reset();
    db_.Remove();
  }

  // The menu of a user of the built-in role `role_key`, through the route's
  // handler (no socket): "title" for top-level entries, "group: a, b" for groups.
  std::vector<std::string> MenuOf(const std::string& role_key) {
    Principal user{.username = "t", .unit_code = "421303", .role_key = role_key};
    {
      App::Lease lease = app_->Acquire();
      Result<std::optional<Role>> role = FindRole(lease->db(), role_key);
      EXPECT_TRUE(role.ok() && role->has_value()) << role_key;
      if (!role.ok() || !role->has_value()) return {};
      user.permissions.insert((*role)->permissions.begin(), (*role)->permissions.end());
    }
    Router::Match m = app_->router().Find(http::verb::get, SplitPath("/api/v1/console/menu"));
    EXPECT_NE(m.route, nullptr);
    if (m.route == nullptr) return {};
    EXPECT_TRUE(m.route->spec.permission.empty());
    HttpRequest request;
    App::Lease lease = app_->Acquire();
    Call call{request, *app_};
    call.registry = lease.get();
    call.user = &user;
    Result<Reply> reply = m.route->handler(call);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    if (!reply.ok()) return {};
    json::object o = json::parse(reply->body).as_object();
    std::set<std::string> perms;
    for (const json::value& p : o.at("permissions").as_array()) perms.emplace(p.as_string());
    EXPECT_EQ(perms, user.permissions);
    // Every entry of the table the user may see is shown once; the lines
    // below keep the entries of the modules this test was written with, so
    // that a module added later changes no expectation here.
    static const std::set<std::string> kKnown = {
        "/dashboard", "/persons", "/conflicts",    "/assessments",  "/lists",       "/runs",
        "/whatif",    "/imports", "/system/users", "/system/roles", "/system/audit"};
    size_t visible = 0, shown = 0;
    for (const db::ModuleInfo* mod : ModuleInfos()) {
      for (const db::MenuEntry& e : mod->menu) {
        if (e.permission.empty() || user.Can(e.permission)) ++visible;
      }
    }
    std::vector<std::string> out;
    for (const json::value& e : o.at("menus").as_array()) {
      const json::object& entry = e.as_object();
      if (!entry.contains("children")) {
        EXPECT_TRUE(entry.contains("path") && entry.contains("icon") &&
                    entry.contains("permission"));
        ++shown;
        if (kKnown.contains(std::string(entry.at("path").as_string()))) {
          out.emplace_back(entry.at("title").as_string());
        }
        continue;
      }
      std::string line = std::string(entry.at("title").as_string()) + ":";
      bool any = false;
      for (const json::value& c : entry.at("children").as_array()) {
        ++shown;
        if (!kKnown.contains(std::string(c.at("path").as_string()))) continue;
        any = true;
        line += " " + std::string(c.at("title").as_string()) + "(" +
                std::string(c.at("path").as_string()) + ")";
      }
      if (any) out.push_back(line);
    }
    EXPECT_EQ(shown, visible) << role_key;
    return out;
  }

  db::TestDatabase db_;
  std::unique_ptr<App> app_;
};

TEST_F(MenuTest, EachBuiltInRoleSeesTheEntriesItsPermissionsAllow) {
  using V = std::vector<std::string>;
  EXPECT_EQ(
      MenuOf("admin"),
      (V{"首页", "老年人: 老年人信息(/persons) 数据冲突(/conflicts) 能力评估(/assessments)",
         "政策: 服务清单(/lists) 月度核定(/runs) 政策测算(/whatif)", "数据: 数据导入(/imports)",
         "系统管理: 用户管理(/system/users) 角色管理(/system/roles) 审计日志(/system/audit)"}));
  EXPECT_EQ(
      MenuOf("city_official"),
      (V{"首页", "老年人: 老年人信息(/persons) 数据冲突(/conflicts) 能力评估(/assessments)",
         "政策: 服务清单(/lists) 月度核定(/runs) 政策测算(/whatif)", "数据: 数据导入(/imports)"}));
  EXPECT_EQ(MenuOf("community_worker"),
            (V{"首页", "老年人: 老年人信息(/persons) 数据冲突(/conflicts) 能力评估(/assessments)",
               "政策: 服务清单(/lists) 月度核定(/runs)"}));
  EXPECT_EQ(MenuOf("health_official"),
            (V{"首页", "老年人: 老年人信息(/persons) 数据冲突(/conflicts) 能力评估(/assessments)",
               "政策: 服务清单(/lists)", "数据: 数据导入(/imports)"}));
  EXPECT_EQ(MenuOf("caseworker"), (V{"首页", "老年人: 老年人信息(/persons) 数据冲突(/conflicts)"}));
  EXPECT_EQ(MenuOf("auditor"), (V{"首页", "系统管理: 审计日志(/system/audit)"}));
}

// --- Path and query parameters (api_util.h), one helper for every route ---------

class ParamsTest : public MenuTest {
 protected:
  Call CallWith(Params path, Params query) {
    Call call{request_, *app_};
    call.path = std::move(path);
    call.query = std::move(query);
    return call;
  }
  HttpRequest request_;
};

TEST_F(ParamsTest, IdsArePositiveIntegers) {
  Call ok = CallWith({{"id", "42"}}, {});
  ASSERT_TRUE(IdPath(ok, "id", "核定编号").ok());
  EXPECT_EQ(*IdPath(ok, "id", "核定编号"), 42);
  for (const char* bad : {"0", "-3", "4x", "", "99999999999999999999"}) {
    Call call = CallWith({{"id", bad}}, {});
    Result<int64_t> id = IdPath(call, "id", "核定编号");
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), "request.param");
    EXPECT_EQ(id.status().message(), "核定编号应为正整数");
    EXPECT_EQ(id.status().where().field, "id");
    EXPECT_EQ(id.status().where().value, bad);
    EXPECT_EQ(HttpStatusOf(id.status().category()), 400u);
  }
}

TEST_F(ParamsTest, EnumsNameTheirValuesInChinese) {
  const std::vector<EnumValue> kinds = {{"new", "新增"}, {"ceased", "停发"}, {"changed", "变更"}};
  Call absent = CallWith({}, {});
  ASSERT_TRUE(EnumQuery(absent, "kind", kinds).ok());
  EXPECT_FALSE(EnumQuery(absent, "kind", kinds)->has_value());
  Call good = CallWith({}, {{"kind", "ceased"}});
  EXPECT_EQ(EnumQuery(good, "kind", kinds)->value(), "ceased");
  Call bad = CallWith({}, {{"kind", "gone-for-a-very-long-while"}});
  Result<std::optional<std::string>> r = EnumQuery(bad, "kind", kinds);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "request.param");
  EXPECT_EQ(r.status().message(), "kind 应为 new（新增）、ceased（停发）或 changed（变更）");
  EXPECT_EQ(r.status().where().field, "kind");
  EXPECT_EQ(r.status().where().value, "gone-for-a-very-");
  Call format = CallWith({}, {{"format", "pdf"}});
  EXPECT_EQ(EnumQuery(format, "format", {{"xlsx", ""}, {"csv", ""}}).status().message(),
            "format 应为 xlsx 或 csv");
  Call status = CallWith({}, {{"status", "late"}});
  EXPECT_EQ(EnumQuery(status, "status",
                      {{"overdue", ""}, {"requested", ""}, {"due_soon", ""}, {"never", ""}})
                .status()
                .message(),
            "status 应为 overdue、requested、due_soon 或 never");
}

TEST_F(ParamsTest, RegionsMonthsDatesAndPages) {
  Call absent = CallWith({}, {});
  ASSERT_TRUE(RegionQuery(absent, "region").ok());
  EXPECT_EQ(*RegionQuery(absent, "region"), nullptr);
  EXPECT_EQ((*RegionQuery(absent, "region", "421303"))->name, "曾都区");
  Call unknown = CallWith({}, {{"region", "421399"}});
  Result<const Region*> r = RegionQuery(unknown, "region", "421303");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "region.not_found");
  EXPECT_EQ(HttpStatusOf(r.status().category()), 404u);
  EXPECT_EQ(r.status().where().field, "region");
  EXPECT_EQ(r.status().where().value, "421399");

  Call month = CallWith({}, {{"month", "2026-13"}});
  Result<Month> m = MonthParam(month, "month", Month::Of(*CivilDate::Parse("2026-07-01")));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "参数 month 应为月份 YYYY-MM");
  EXPECT_EQ(m.status().where().field, "month");
  EXPECT_EQ(MonthParam(absent, "month", Month::Of(*CivilDate::Parse("2026-07-01")))->ToString(),
            "2026-07");
  Call date = CallWith({}, {{"as_of", "2026-02-30"}});
  EXPECT_EQ(DateParam(date, "as_of", *CivilDate::Parse("2026-07-01")).status().where().field,
            "as_of");

  Call page = CallWith({}, {{"page", "3"}, {"size", "50"}});
  ASSERT_TRUE(PagingOf(page).ok());
  EXPECT_EQ(PagingOf(page)->offset(), 100);
  EXPECT_EQ(PagingOf(page)->db_page().offset(), 100);
  Call big = CallWith({}, {{"size", "1000"}});
  Result<Paging> p = PagingOf(big);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "参数 size 应为 1 到 100 之间的整数");
  EXPECT_EQ(p.status().where().field, "size");
}

TEST(ErrorResponseTest, TheStatusComesFromTheCategoryNotTheCode) {
  // A code the naming rule reads as invalid input, given a category of its own.
  ASSERT_EQ(HttpStatusFor("visit.slot_taken"), 400u);
  HttpResponse r = App::ErrorResponse(
      Status(ErrorCategory::kConflict, "visit.slot_taken", "该时段已有预约"), "rid-1");
  EXPECT_EQ(r.result_int(), 409u);
  json::object body = json::parse(r.body()).as_object();
  EXPECT_EQ(body.at("error").at("code").as_string(), "visit.slot_taken");
  EXPECT_EQ(App::ErrorResponse(Status("entitle.run_exists", "已核定"), "rid-2").result_int(), 409u);
}

}  // namespace
}  // namespace yanglao::server
