// yanglao waitlist: the admission waitlist (入住评估轮候) of public
// institutions: the queue with each position's rule trace (or the public
// view with masked names), allocation of a vacant bed, and a check that the
// event log replays to the stored state (src/waitlist, docs/waitlist.md).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "db/database.h"
#include "waitlist/applications_file.h"
#include "waitlist/institution.h"
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

// Imports institutions from an XLSX or CSV file, all or nothing.
int RunImport(const Common& c, const std::string& file) {
  Result<Opened> o = Open(c);
  if (!o.ok()) return Fail(o.status());
  Result<std::string> bytes = ReadFileBytes(file);
  if (!bytes.ok()) return Fail(bytes.status());
  Result<InstitutionFile> parsed =
      ParseInstitutionFile(*bytes, std::filesystem::path(file).filename().string());
  if (!parsed.ok()) return Fail(parsed.status());
  if (!parsed->ok()) {
    for (const Status& p : parsed->problems) std::cerr << p.ToString() << "\n";
    std::cerr << fmt::format("共 {} 处错误，未导入任何机构\n", parsed->problem_count);
    return 1;
  }
  Result<ImportOutcome> out = o->store->PutInstitutions(parsed->institutions);
  if (!out.ok()) return Fail(out.status());
  std::cout << fmt::format("导入 {} 家机构：新增 {}，更新 {}，未变 {}\n",
                           parsed->institutions.size(), out->added, out->updated, out->unchanged);
  return 0;
}

// Loads a directory as `yanglao gen` writes it (入住轮候/: 机构.csv,
// 床位.csv, 轮候申请.csv): institutions, beds, applications (assessed ones
// into the queue), then the sweep on --on, and offers of some vacant beds
// (a few accepted) so that the console shows every state. Once: a store
// that already has applications is left as it is.
int RunLoad(const Common& c, const std::string& dir) {
  Result<Opened> o = Open(c);
  if (!o.ok()) return Fail(o.status());
  Result<State> before = o->store->Load();
  if (!before.ok()) return Fail(before.status());
  if (!before->applications.empty()) {
    std::cout << fmt::format("已有 {} 份入住申请，未重复载入\n", before->applications.size());
    return 0;
  }
  std::filesystem::path d(dir);
  auto read = [&](const char* name) { return ReadFileBytes(d / name); };
  Result<std::string> inst_bytes = read("机构.csv");
  if (!inst_bytes.ok()) return Fail(inst_bytes.status());
  Result<InstitutionFile> insts = ParseInstitutionFile(*inst_bytes, "机构.csv");
  if (!insts.ok()) return Fail(insts.status());
  Result<std::string> bed_bytes = read("床位.csv");
  if (!bed_bytes.ok()) return Fail(bed_bytes.status());
  Result<BedFile> beds = ParseBedFile(*bed_bytes, "床位.csv");
  if (!beds.ok()) return Fail(beds.status());
  Result<std::string> app_bytes = read("轮候申请.csv");
  if (!app_bytes.ok()) return Fail(app_bytes.status());
  Result<ApplicationFile> apps = ParseApplicationFile(*app_bytes, "轮候申请.csv");
  if (!apps.ok()) return Fail(apps.status());
  for (const std::vector<Status>* problems : {&insts->problems, &beds->problems, &apps->problems}) {
    if (!problems->empty()) {
      for (const Status& p : *problems) std::cerr << p.ToString() << "\n";
      return 1;
    }
  }
  Result<ImportOutcome> put = o->store->PutInstitutions(insts->institutions);
  if (!put.ok()) return Fail(put.status());
  CivilDate first = o->on.AddDays(-400);
  for (const BedRow& b : beds->beds) {
    if (Status s = o->store->AddBed(b.id, b.institution, b.type, first); !s.ok()) return Fail(s);
  }
  std::vector<ApplicationRow> rows = apps->applications;
  std::stable_sort(rows.begin(), rows.end(), [](const ApplicationRow& x, const ApplicationRow& y) {
    return x.application.applied_on < y.application.applied_on;
  });
  for (const ApplicationRow& r : rows) {
    Result<int64_t> id = o->store->Apply(r.application);
    if (!id.ok()) return Fail(id.status());
    if (r.assessed) {
      Status s = o->store->Assess(*id, r.application.facts, r.application.applied_on,
                                  r.application.valid_until);
      if (!s.ok() && s.code() != "waitlist.assessment_expired") return Fail(s);
    }
  }
  Result<std::vector<int64_t>> expired = o->store->ExpireAssessments(o->on);
  if (!expired.ok()) return Fail(expired.status());
  // Offer two thirds of the beds three days ago; every other offer accepted.
  int offered = 0, admitted = 0;
  for (size_t i = 0; i < beds->beds.size(); ++i) {
    if (i % 3 == 2) continue;
    Result<std::optional<Offer>> offer = o->store->Allocate(beds->beds[i].id, o->on.AddDays(-3));
    if (!offer.ok()) return Fail(offer.status());
    if (!offer->has_value()) continue;
    ++offered;
    if (offered % 2 == 0) {
      if (Status s = o->store->Accept((*offer)->application, o->on.AddDays(-1)); !s.ok()) {
        return Fail(s);
      }
      ++admitted;
    }
  }
  std::cout << fmt::format(
      "载入 {} 家机构、{} 张床位、{} 份申请；评估过期退回 {} 人；分配 {} 张床位，其中 {} "
      "人已入住\n",
      insts->institutions.size(), beds->beds.size(), rows.size(), expired->size(), offered,
      admitted);
  return 0;
}

// The beds report against the city's targets.
int RunInstitutions(const Common& c) {
  Result<Opened> o = Open(c);
  if (!o.ok()) return Fail(o.status());
  Result<std::vector<Institution>> insts = o->store->Institutions();
  if (!insts.ok()) return Fail(insts.status());
  Result<State> s = o->store->Load();
  if (!s.ok()) return Fail(s.status());
  BedReport r = ReportBeds(*o->rules, *insts, *s);
  std::cout << "区县\t机构\t床位\t普通\t护理型\t认知障碍\t在住\t护理型占比\t特困集中供养率\n";
  auto line = [](const BedCounts& b, const std::string& label) {
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.1f}%\t{:.1f}%\n", label,
                             b.institutions, b.beds(), b.beds_normal, b.beds_nursing,
                             b.beds_dementia, b.occupied, b.nursing_share() * 100,
                             b.tekun_rate() * 100);
  };
  for (const BedCounts& b : r.counties) line(b, b.county);
  line(r.city, "全市");
  for (const TargetCheck& k : r.checks) {
    std::cout << fmt::format("{}\t{}\t实际 {:.4g}\t目标 ≥{:.4g}\t{}\t「{}」\n",
                             k.county.empty() ? "全市" : k.county, k.target->label, k.value,
                             k.target->min, k.met ? "达标" : "未达标", k.target->quote);
  }
  return 0;
}

// Expired assessments back to 评估; offers past their deadline refused.
int RunSweep(const Common& c) {
  Result<Opened> o = Open(c);
  if (!o.ok()) return Fail(o.status());
  Result<std::vector<int64_t>> expired = o->store->ExpireAssessments(o->on);
  if (!expired.ok()) return Fail(expired.status());
  Result<std::vector<int64_t>> lapsed = o->store->LapseOffers(o->on);
  if (!lapsed.ok()) return Fail(lapsed.status());
  std::cout << fmt::format("评估过期退回 {} 人，逾期未确认视为拒绝 {} 人\n", expired->size(),
                           lapsed->size());
  return 0;
}

}  // namespace

void AddWaitlistCommands(CLI::App& app, int& exit_code) {
  CLI::App* wl =
      app.add_subcommand("waitlist", "公办养老机构入住评估轮候：机构床位、队列、床位分配");
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
  {
    auto c = std::make_shared<Common>();
    auto file = std::make_shared<std::string>();
    CLI::App* cmd =
        wl->add_subcommand("import", "从 Excel（XLSX）或 CSV 导入养老机构名单（全部或不导入）");
    common(cmd, *c);
    cmd->add_option("file", *file, "机构名单文件")->required();
    cmd->callback([=, &exit_code] { exit_code = RunImport(*c, *file); });
  }
  {
    auto c = std::make_shared<Common>();
    auto dir = std::make_shared<std::string>();
    CLI::App* cmd = wl->add_subcommand(
        "load", "载入 yanglao gen 生成的 入住轮候/ 目录（机构、床位、申请；演示用，只载入一次）");
    common(cmd, *c);
    cmd->add_option("dir", *dir, "目录（含 机构.csv、床位.csv、轮候申请.csv）")->required();
    cmd->callback([=, &exit_code] { exit_code = RunLoad(*c, *dir); });
  }
  {
    auto c = std::make_shared<Common>();
    CLI::App* cmd = wl->add_subcommand("institutions", "各区县床位、护理型床位占比与目标对照");
    common(cmd, *c);
    cmd->callback([=, &exit_code] { exit_code = RunInstitutions(*c); });
  }
  {
    auto c = std::make_shared<Common>();
    CLI::App* cmd = wl->add_subcommand("sweep", "评估过期者退回重新评估，逾期未确认的分配视为拒绝");
    common(cmd, *c);
    cmd->callback([=, &exit_code] { exit_code = RunSweep(*c); });
  }
}

}  // namespace yanglao::cli
