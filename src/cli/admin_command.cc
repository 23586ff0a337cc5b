// yanglao admin: bootstrap and manage users of the platform server.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/id_number.h"
#include "core/region.h"
#include "registry/registry.h"
#include "server/auth.h"
#include "server/schema.h"

namespace yanglao::cli {
namespace {

struct AdminArgs {
  std::string db;
  std::string username;
  std::string name;
  std::string role;
  std::string unit;
  std::string department = "民政";
  bool password_stdin = false;
  std::string city = "421300";
  std::string logins;
  std::vector<std::string> ids;
};

std::unique_ptr<registry::Registry> OpenDb(const AdminArgs& a) {
  Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(DbUrl(a.db));
  if (!reg.ok()) {
    fmt::print(stderr, "yanglao: {}\n", reg.status().ToString());
    return nullptr;
  }
  if (Status s = server::MigrateServer((*reg)->db()); !s.ok()) {
    fmt::print(stderr, "yanglao: {}\n", s.ToString());
    return nullptr;
  }
  return std::move(*reg);
}

// The password: one line from standard input, or a new random one.
std::string PasswordOf(const AdminArgs& a, bool& generated) {
  generated = !a.password_stdin;
  if (generated) return server::RandomPassword();
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int RunCreateUser(const AdminArgs& a) {
  auto reg = OpenDb(a);
  if (!reg) return 1;
  bool generated = false;
  server::NewUser u{a.username, a.name, PasswordOf(a, generated), a.unit, a.department, a.role};
  Result<int64_t> id = server::CreateUser(reg->db(), u, server::PasswordCost::Interactive());
  if (!id.ok()) {
    fmt::print(stderr, "yanglao: {}\n", id.status().ToString());
    return 1;
  }
  fmt::print("已创建用户 {}（编号 {}，角色 {}，单位 {}，部门 {}）\n", a.username, *id, a.role,
             a.unit, a.department);
  if (generated) fmt::print("初始密码：{}（仅显示这一次，请妥善保管）\n", u.password);
  return 0;
}

int RunSetPassword(const AdminArgs& a) {
  auto reg = OpenDb(a);
  if (!reg) return 1;
  Result<std::optional<server::User>> user = server::FindUser(reg->db(), a.username);
  if (!user.ok() || !user->has_value()) {
    fmt::print(stderr, "yanglao: 没有用户 {} [user.not_found]\n", a.username);
    return 1;
  }
  bool generated = false;
  server::UserChanges c;
  c.password = PasswordOf(a, generated);
  c.active = true;
  if (Status s = server::UpdateUser(reg->db(), (*user)->id, c, server::PasswordCost::Interactive());
      !s.ok()) {
    fmt::print(stderr, "yanglao: {}\n", s.ToString());
    return 1;
  }
  // This process keeps no sessions in memory: the store only deletes the rows.
  (void)server::SessionStore(0).EndAllOf(reg->db(), (*user)->id);
  fmt::print("已重设用户 {} 的密码（并结束其全部会话）\n", a.username);
  if (generated) fmt::print("新密码：{}\n", *c.password);
  return 0;
}

int RunListUsers(const AdminArgs& a) {
  auto reg = OpenDb(a);
  if (!reg) return 1;
  Result<std::vector<server::User>> users = server::ListUsers(reg->db(), "");
  if (!users.ok()) {
    fmt::print(stderr, "yanglao: {}\n", users.status().ToString());
    return 1;
  }
  for (const server::User& u : *users) {
    const Region* r = RegionTable::Builtin().Find(u.unit_code);
    fmt::print("{:<16} {:<18} {} {}（{}） {}{}\n", u.username, u.role_key, u.department,
               r ? r->name : u.unit_code, u.unit_code, u.display_name, u.active ? "" : " [已停用]");
  }
  return 0;
}

int RunAssign(const AdminArgs& a) {
  auto reg = OpenDb(a);
  if (!reg) return 1;
  Result<std::optional<server::User>> user = server::FindUser(reg->db(), a.username);
  if (!user.ok() || !user->has_value()) {
    fmt::print(stderr, "yanglao: 没有用户 {} [user.not_found]\n", a.username);
    return 1;
  }
  std::vector<std::string> ids;
  for (const std::string& text : a.ids) {
    Result<IdNumber> id = ParseIdNumber(text, RegionTable::Builtin(), CivilDate::Today());
    if (!id.ok()) {
      fmt::print(stderr, "yanglao: {}\n", id.status().ToString());
      return 1;
    }
    ids.push_back(id->value);
  }
  if (Status s = server::SetCaseload(reg->db(), (*user)->id, ids); !s.ok()) {
    fmt::print(stderr, "yanglao: {}\n", s.ToString());
    return 1;
  }
  fmt::print("用户 {} 的服务对象：{} 人\n", a.username, ids.size());
  return 0;
}

// The demo accounts of a city: an administrator, and a worker at each level
// of the city's first county, street and community, and a health official.
int RunDemoUsers(const AdminArgs& a) {
  // Shown for an existing user whose password no logins file records.
  static constexpr char kKeptPassword[] = "（已有用户，密码不变）";
  const RegionTable& regions = RegionTable::Builtin();
  const Region* city = regions.Find(a.city);
  if (city == nullptr || city->level != RegionLevel::kCity) {
    fmt::print(stderr, "yanglao: --city 应为地级市的行政区划代码（如 421300） [region.code]\n");
    return 2;
  }
  auto first_child = [&](const Region* r) -> const Region* {
    if (r == nullptr) return nullptr;
    std::vector<const Region*> kids = regions.Children(*r);
    return kids.empty() ? nullptr : kids.front();
  };
  const Region* county = first_child(city);
  const Region* street = first_child(county);
  const Region* community = first_child(street);
  if (community == nullptr) {
    fmt::print(stderr, "yanglao: {} 没有社区（村）级区划数据，无法创建演示用户\n", city->name);
    return 1;
  }
  struct Demo {
    const char* username;
    const char* name;
    const char* role;
    const Region* unit;
    const char* department;
  };
  const Demo demos[] = {
      {"admin", "系统管理员", "admin", city, "民政"},
      {"city", "市民政局工作人员", "city_official", city, "民政"},
      {"county", "区县民政工作人员", "county_official", county, "民政"},
      {"street", "街道工作人员", "street_worker", street, "民政"},
      {"community", "社区工作人员", "community_worker", community, "民政"},
      {"health", "市卫健委工作人员", "health_official", city, "卫健"},
  };
  auto reg = OpenDb(a);
  if (!reg) return 1;
  std::map<std::string, std::string> known;  // username -> password, from the logins file
  if (!a.logins.empty()) {
    std::ifstream in(a.logins);
    for (std::string line; std::getline(in, line);) {
      size_t tab = line.find('\t');
      if (tab != std::string::npos) known[line.substr(0, tab)] = line.substr(tab + 1);
    }
  }
  for (const Demo& d : demos) {
    Result<std::optional<server::User>> existing = server::FindUser(reg->db(), d.username);
    if (!existing.ok()) {
      fmt::print(stderr, "yanglao: {}\n", existing.status().ToString());
      return 1;
    }
    if (existing->has_value()) {
      // An existing user is kept as it is, password included (an
      // administrator may have changed it); the logins file, if any, says
      // the password it was given.
      if (!known.count(d.username)) known[d.username] = kKeptPassword;
      continue;
    }
    std::string password = server::RandomPassword();
    {
      server::NewUser u{d.username, d.name, password, d.unit->code, d.department, d.role};
      Result<int64_t> id = server::CreateUser(reg->db(), u, server::PasswordCost::Interactive());
      if (!id.ok()) {
        fmt::print(stderr, "yanglao: {}\n", id.status().ToString());
        return 1;
      }
    }
    known[d.username] = password;
  }
  if (!a.logins.empty()) {
    std::ofstream out(a.logins, std::ios::trunc);
    for (const Demo& d : demos) {
      if (known[d.username] != kKeptPassword)
        out << d.username << '\t' << known[d.username] << '\n';
    }
    out.close();
    std::filesystem::permissions(
        a.logins, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  fmt::print("演示用户（密码随机生成{}）：\n", a.logins.empty() ? "" : "，保存在 " + a.logins);
  for (const Demo& d : demos) {
    fmt::print("  {:<10} 密码 {}  {}，{}（{} {}）\n", d.username, known[d.username], d.name,
               d.department, d.unit->name, d.unit->DisplayCode());
  }
  return 0;
}

}  // namespace

void AddAdminCommands(CLI::App& app, int& exit_code) {
  CLI::App* admin =
      app.add_subcommand("admin", "平台用户管理：创建管理员和用户、重设密码、演示用户");
  admin->require_subcommand(1);
  auto add_db = [](CLI::App* cmd, AdminArgs& a) { AddDbOption(cmd, a.db); };
  {
    auto a = std::make_shared<AdminArgs>();
    CLI::App* cmd = admin->add_subcommand("create-user", "创建用户（如首个管理员：--role admin）");
    cmd->add_option("--username", a->username, "用户名（3-32 个英文字母、数字或 _ . -）")
        ->required();
    cmd->add_option("--name", a->name, "姓名或称呼");
    cmd->add_option("--role", a->role,
                    "角色：admin、city_official、county_official、street_worker、community_"
                    "worker、health_official、caseworker、auditor")
        ->required();
    cmd->add_option("--unit", a->unit, "所属单位的行政区划代码（如 421300）")->required();
    cmd->add_option("--department", a->department, "所属部门（默认 民政）");
    cmd->add_flag("--password-stdin", a->password_stdin,
                  "从标准输入读一行作为密码（否则随机生成并显示）");
    add_db(cmd, *a);
    cmd->callback([a, &exit_code] { exit_code = RunCreateUser(*a); });
  }
  {
    auto a = std::make_shared<AdminArgs>();
    CLI::App* cmd = admin->add_subcommand("set-password", "重设用户密码并启用该用户");
    cmd->add_option("--username", a->username, "用户名")->required();
    cmd->add_flag("--password-stdin", a->password_stdin,
                  "从标准输入读一行作为密码（否则随机生成并显示）");
    add_db(cmd, *a);
    cmd->callback([a, &exit_code] { exit_code = RunSetPassword(*a); });
  }
  {
    auto a = std::make_shared<AdminArgs>();
    CLI::App* cmd = admin->add_subcommand("list-users", "列出用户");
    add_db(cmd, *a);
    cmd->callback([a, &exit_code] { exit_code = RunListUsers(*a); });
  }
  {
    auto a = std::make_shared<AdminArgs>();
    CLI::App* cmd = admin->add_subcommand("assign", "设定用户的服务对象（“仅本人”数据范围）");
    cmd->add_option("--username", a->username, "用户名")->required();
    cmd->add_option("ids", a->ids, "公民身份号码");
    add_db(cmd, *a);
    cmd->callback([a, &exit_code] { exit_code = RunAssign(*a); });
  }
  {
    auto a = std::make_shared<AdminArgs>();
    CLI::App* cmd =
        admin->add_subcommand("demo-users", "创建演示用户（已有则沿用），并显示登录名和密码");
    cmd->add_option("--city", a->city, "地级市代码（默认 421300 随州市）");
    cmd->add_option("--logins", a->logins, "演示密码保存到此文件（再次运行时沿用）");
    add_db(cmd, *a);
    cmd->callback([a, &exit_code] { exit_code = RunDemoUsers(*a); });
  }
}

}  // namespace yanglao::cli
