// GET /api/v1/console/menu: the web console's menu and the signed-in user's
// permissions. The console shows a page only when it is in this answer and
// checks buttons against `permissions`; the server checks every call again.
// The menu is data in one table (kMenu) so that it can later come from the
// module table. GET /api/v1/console/import-template?source=民政&format=xlsx|csv:
// a department's blank feed template (the header row), for the import page.
#include <fmt/format.h>

#include <string_view>

#include "registry/feed_template.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/web_routes.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

struct MenuEntry {
  std::string_view group;       // top-level group title ("" = top level)
  std::string_view path;        // console route
  std::string_view title;       // Chinese label
  std::string_view icon;        // Element Plus icon name
  std::string_view permission;  // needed to see it; "" = every signed-in user
};

// clang-format off
constexpr MenuEntry kMenu[] = {
    {"",         "/dashboard",         "首页",       "Odometer",   ""},
    {"老年人",   "/persons",           "老年人信息", "User",       "person:person:list"},
    {"老年人",   "/assessments",       "能力评估",   "Document",   "assess:due:list"},
    {"政策",     "/lists",             "服务清单",   "Tickets",    "policy:list:read"},
    {"政策",     "/runs",              "月度核定",   "Calendar",   "entitle:run:read"},
    {"政策",     "/whatif",            "政策测算",   "TrendCharts", "entitle:whatif:run"},
    {"数据",     "/imports",           "数据导入",   "Upload",     "registry:import:read"},
    {"系统管理", "/system/users",      "用户管理",   "Avatar",     "system:user:list"},
    {"系统管理", "/system/roles",      "角色管理",   "Lock",       "system:role:list"},
    {"系统管理", "/system/audit",      "审计日志",   "List",       "system:audit:list"},
};
// clang-format on

Result<Reply> Menu(Call& call) {
  const Principal& user = *call.user;
  json::array menus;
  json::object* group = nullptr;
  std::string_view group_title;
  for (const MenuEntry& e : kMenu) {
    if (!e.permission.empty() && !user.Can(e.permission)) continue;
    json::object item{
        {"path", e.path}, {"title", e.title}, {"icon", e.icon}, {"permission", e.permission}};
    if (e.group.empty()) {
      menus.push_back(std::move(item));
      group = nullptr;
      continue;
    }
    if (group == nullptr || group_title != e.group) {
      menus.push_back(json::object{{"title", e.group}, {"children", json::array{}}});
      group = &menus.back().as_object();
      group_title = e.group;
    }
    (*group)["children"].as_array().push_back(std::move(item));
  }
  json::object o;
  o["menus"] = std::move(menus);
  json::array perms;
  for (const std::string& p : user.permissions) perms.push_back(json::string(p));
  o["permissions"] = std::move(perms);
  o["user"] = PrincipalJson(user);
  return Reply::Json(o);
}

Result<Reply> ImportTemplate(Call& call) {
  std::string source = call.Query("source").value_or("");
  const registry::FeedTemplate* t = registry::FindTemplate(source);
  if (t == nullptr) {
    return Status("feed.source", fmt::format("未知的数据来源部门「{}」", source.substr(0, 60)),
                  Location{.field = "source", .value = source.substr(0, 60)});
  }
  std::string format = call.Query("format").value_or("xlsx");
  if (format != "xlsx" && format != "csv") {
    return Status("request.param", "format 应为 xlsx 或 csv",
                  Location{.field = "format", .value = format.substr(0, 16)});
  }
  return TableDownload({t->Header()}, format, source, fmt::format("{}-数据模板", source));
}

}  // namespace

void AddConsoleRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/console/menu", {}, Menu);
  router.Add(verb::get, "/api/v1/console/import-template", {.permission = "registry:import:read"},
             ImportTemplate);
}

}  // namespace yanglao::server
