// yanglao waitlist: the admission waitlist (入住评估轮候) of public
// institutions: the queue with each position's rule trace (or the public
// view with masked names), allocation of a vacant bed, and a check that the
// event log replays to the stored state (src/waitlist, docs/waitlist.md).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/id_number.h"
#include "db/database.h"
#include "waitlist/queue.h"
#include "waitlist/rules.h"
#include "waitlist/store.h"

namespace yanglao::cli {
namespace {

using namespace yanglao::waitlist;

struct Common {
  std::string db, city, rules, policies = "policies", on;
};

Result<CivilDate> OnDate(const Common& c) {
  if (c.on.empty()) return CivilDate::Today();
  return CivilDate::Parse(c.on);
}

// The rules file: --rules, else the file in <policies>/waitlist/ whose list
// is the city's.
Result<std::unique_ptr<WaitlistRules>> RulesOf(const Common& c, CivilDate on) {
  if (!c.rules.empty()) return WaitlistRules::Load(c.rules, on);
  if (c.city.empty()) {
    return Status("waitlist.usage", "请用 --city 指定城市区划代码，或用 --rules 指定轮候规则文件",
                  Location{.file = "命令行参数"});
  }
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(c.policies) / "waitlist", ec)) {
    if (!e.path().filename().string().ends_with(".waitlist.yaml")) continue;
    Result<std::unique_ptr<WaitlistRules>> r = WaitlistRules::Load(e.path(), on);
    if (!r.ok()) return r.status();
    if ((*r)->jurisdiction() == c.city) return r;
  }
  return Status("waitlist.city", "没有该市的轮候规则（policies/waitlist/）",
                Location{.field = "--city", .value = c.city});
}

struct Opened {
  std::unique_ptr<WaitlistRules> rules;
  std::unique_ptr<db::Database> db;
  std::unique_ptr<WaitlistStore> store;
  CivilDate on;
};

Result<Opened> Open(const Common& c) {
  Opened o;
  Result<CivilDate> on = OnDate(c);
  if (!on.ok()) return on.status();
  o.on = *on;
  Result<std::unique_ptr<WaitlistRules>> rules = RulesOf(c, o.on);
  if (!rules.ok()) return rules.status();
  o.rules = std::move(*rules);
  Result<std::unique_ptr<db::Database>> d = db::Database::Open(DbUrl(c.db));
  if (!d.ok()) return d.status();
  o.db = std::move(*d);
  if (Status s = WaitlistStore::Migrate(*o.db); !s.ok()) return s;
  o.store = std::make_unique<WaitlistStore>(*o.db, *o.rules);
  return o;
}

int RunQueue(const Common& c, bool public_view) {
  Result<Opened> o = Open(c);
  if (!o.ok()) return Fail(o.status());
  Result<State> s = o->store->Load();
  if (!s.ok()) return Fail(s.status());
  if (public_view) {
    std::cout << "序号\t姓名\t床位类型\t类别\t轮候自\n";
    for (const PublicEntry& e : PublicQueue(*o->rules, *s)) {
      std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\n", e.position, e.name, e.bed_type, e.klass,
                               e.since);
    }
    return 0;
  }
  std::cout << "序号\t申请\t身份证号\t姓名\t床位类型\t排序依据\n";
  for (const Position& p : Rank(*o->rules, *s)) {
    const Application& a = s->applications.at(p.application);
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", p.position, a.id, MaskIdNumber(a.person),
                             a.name, a.bed_type, p.trace);
  }
  return 0;
}

int RunAllocate(const Common& c, const std::string& bed, int days) {
  Result<Opened> o = Open(c);
  if (!o.ok()) return Fail(o.status());
  Result<std::optional<Offer>> offer = o->store->Allocate(bed, o->on, days);
  if (!offer.ok()) return Fail(offer.status());
  if (!offer->has_value()) {
    std::cout << fmt::format("床位 {}：没有可分配的轮候申请人\n", bed);
    return 0;
  }
  std::cout << fmt::format("床位 {} 分配给申请 {}，请于 {} 前确认\n", bed, (*offer)->application,
                           (*offer)->deadline.ToString());
  return 0;
}

int RunReplay(const Common& c) {
  Result<Opened> o = Open(c);
  if (!o.ok()) return Fail(o.status());
  Result<std::vector<Event>> log = o->store->Events();
  if (!log.ok()) return Fail(log.status());
  Result<State> replayed = Replay(*o->rules, *log);
  if (!replayed.ok()) return Fail(replayed.status());
  Result<std::vector<Position>> stored = o->store->Queue();
  if (!stored.ok()) return Fail(stored.status());
  std::vector<Position> again = Rank(*o->rules, *replayed);
  size_t same = 0;
  for (size_t i = 0; i < again.size() && i < stored->size(); ++i) {
    if (again[i].application == (*stored)[i].application && again[i].trace == (*stored)[i].trace)
      ++same;
  }
  if (same != again.size() || again.size() != stored->size()) {
    return Fail(Status(ErrorCategory::kInternal, "waitlist.replay_mismatch",
                       fmt::format("重放 {} 条事件得到的队列与库中不一致（{} 人中 {} 人一致）",
                                   log->size(), stored->size(), same)));
  }
  std::cout << fmt::format("重放 {} 条事件：{} 名轮候人的位次与库中一致\n", log->size(),
                           again.size());
  return 0;
}

}  // namespace

void AddWaitlistCommands(CLI::App& app, int& exit_code) {
  CLI::App* wl = app.add_subcommand("waitlist", "公办养老机构入住评估轮候：队列、床位分配");
  wl->require_subcommand(1);
  auto common = [](CLI::App* cmd, Common& c) {
    AddDbOption(cmd, c.db);
    cmd->add_option("--city", c.city,
                    "城市区划代码（如 420700），按它在 policies/waitlist/ 中找规则");
    cmd->add_option("--rules", c.rules, "轮候规则文件（policies/waitlist/*.waitlist.yaml）");
    cmd->add_option("--policies", c.policies, "政策目录（默认 policies）");
    cmd->add_option("--on", c.on, "日期（YYYY-MM-DD，默认今天）");
  };
  {
    auto c = std::make_shared<Common>();
    auto pub = std::make_shared<bool>(false);
    CLI::App* cmd = wl->add_subcommand("queue", "列出轮候队列及每人的排序依据");
    common(cmd, *c);
    cmd->add_flag("--public", *pub, "公开版：姓名打码，不含身份证号");
    cmd->callback([=, &exit_code] { exit_code = RunQueue(*c, *pub); });
  }
  {
    auto c = std::make_shared<Common>();
    auto bed = std::make_shared<std::string>();
    auto days = std::make_shared<int>(7);
    CLI::App* cmd = wl->add_subcommand("allocate", "把空出的床位分配给下一位符合条件的轮候人");
    common(cmd, *c);
    cmd->add_option("bed", *bed, "床位编号")->required();
    cmd->add_option("--days", *days, "确认期限（天，默认 7）")->check(CLI::Range(1, 90));
    cmd->callback([=, &exit_code] { exit_code = RunAllocate(*c, *bed, *days); });
  }
  {
    auto c = std::make_shared<Common>();
    CLI::App* cmd = wl->add_subcommand("replay", "重放事件日志，核对每人位次与库中一致");
    common(cmd, *c);
    cmd->callback([=, &exit_code] { exit_code = RunReplay(*c); });
  }
}

}  // namespace yanglao::cli
