// yanglao entitle run | runs | changes | rolls | advise | whatif
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/money.h"
#include "core/region.h"
#include "entitle/advisor.h"
#include "entitle/rolls.h"
#include "entitle/run.h"
#include "entitle/whatif.h"
#include "policy/entitlement.h"
#include "policy/fact_schema.h"
#include "registry/feed_file.h"
#include "registry/registry.h"

namespace yanglao::cli {
namespace {

namespace fs = std::filesystem;
using entitle::RunStore;
using registry::Registry;

struct Options {
  std::string db, list, params, month, known_on;
};

using LoadedVersion = entitle::LoadedListVersion;

std::unique_ptr<LoadedVersion> LoadList(const std::string& file, const std::string& params) {
  auto v = std::make_unique<LoadedVersion>(entitle::LoadListVersion(file, params));
  if (!v->loaded.ok()) {
    for (const Status& e : v->loaded.errors) fmt::print(stderr, "{}\n", e.ToString());
    return nullptr;
  }
  return v;
}

std::unique_ptr<Registry> OpenRegistry(const Options& o) { return cli::OpenRegistry(o.db); }

// The registry and its run store, or nulls after printing why not.
struct Stores {
  std::unique_ptr<Registry> reg;
  std::unique_ptr<RunStore> runs;
};

Stores OpenStores(const Options& o) {
  Stores s;
  s.reg = OpenRegistry(o);
  if (s.reg == nullptr) return s;
  Result<std::unique_ptr<RunStore>> store = RunStore::Open(*s.reg);
  if (!store.ok()) {
    fmt::print(stderr, "{}\n", store.status().ToString());
    s.reg.reset();
    return s;
  }
  s.runs = std::move(*store);
  return s;
}

// The stored run of `list` for `month`, or nullopt after printing why not.
std::optional<entitle::RunRecord> StoredRun(RunStore& runs, const policy::ServiceList& list,
                                            Month month) {
  Result<std::optional<entitle::RunRecord>> run = runs.Find(list.jurisdiction, month.ToString());
  if (!run.ok()) {
    fmt::print(stderr, "{}\n", run.status().ToString());
    return std::nullopt;
  }
  if (!run->has_value())
    fmt::print(stderr, "{} 尚未运行（yanglao entitle run）\n", month.ToString());
  return *run;
}

std::optional<Month> MonthOr(const std::string& text) {
  if (text.empty()) return Month::Of(CivilDate::Today());
  Result<Month> m = Month::Parse(text);
  if (!m.ok()) {
    fmt::print(stderr, "yanglao: --month {}\n", m.status().ToString());
    return std::nullopt;
  }
  return *m;
}

std::string Yuan(int64_t fen) { return Money::Fen(fen).FormatYuan(); }

std::string RegionLabel(int32_t index) {
  if (index < 0) return "未知";
  const Region& r = RegionTable::Builtin().all()[static_cast<size_t>(index)];
  return fmt::format("{} {}", r.code, r.name);
}

// `entitle run --format json`: the run's summary (with the to-verify count
// per item), per item its people, amount and changes, and the rolls written.
int PrintRunJson(const entitle::RunOutcome& out, const policy::ServiceList& list,
                 const std::vector<entitle::ItemCount>& verify_counts, Registry& reg,
                 RunStore& runs, const std::string& rolls_dir) {
  namespace bj = boost::json;
  const entitle::RunRecord& run = out.run;
  std::map<std::string, std::array<int64_t, 3>> changes;  // item -> new, ceased, changed
  for (const entitle::Change& c : out.changes) ++changes[c.item][static_cast<size_t>(c.kind)];
  std::map<std::string, int64_t> verify_of;
  bj::array by_item;
  for (const entitle::ItemCount& c : verify_counts) {
    verify_of[c.item] = c.count;
    const policy::Item* item = list.FindItem(c.item);
    by_item.emplace_back(
        bj::object{{"item", c.item}, {"name", item ? item->name : ""}, {"count", c.count}});
  }
  bj::array items;
  for (size_t i = 0; i < out.evaluation.rolls.size() && i < list.items.size(); ++i) {
    const policy::Item& item = list.items[i];
    const policy::ItemRoll& roll = out.evaluation.rolls[i];
    int64_t sum = 0;
    for (int64_t a : roll.amounts) sum += a;
    auto c = changes[item.number];
    items.emplace_back(
        bj::object{{"item", item.number},
                   {"name", item.name},
                   {"standing", item.benefit.standing()},
                   {"recipient", std::string(policy::RecipientName(item.benefit.recipient))},
                   {"people", static_cast<int64_t>(roll.rows.size())},
                   {"amount_fen", item.benefit.type == policy::BenefitType::kCash ? sum : 0},
                   {"new", c[0]},
                   {"ceased", c[1]},
                   {"changed", c[2]},
                   {"to_verify", item.benefit.standing() ? verify_of[item.number] : 0}});
  }
  bj::object o{{"run", run.id},
               {"list", run.list_title},
               {"jurisdiction", run.list_code},
               {"month", run.month},
               {"as_of", run.as_of},
               {"known_on", run.known_on},
               {"feed_watermark", run.feed_watermark},
               {"list_sha256", run.list_sha256},
               {"recomputed", out.recomputed},
               {"identical", out.identical},
               {"recomputed_next", out.recomputed_next},
               {"previous_run", run.previous_run},
               {"people", run.people},
               {"residents", run.residents},
               {"lines", run.lines},
               {"monthly_fen", run.monthly_fen},
               {"yearly_fen", run.yearly_fen},
               {"to_verify", run.verify},
               {"to_verify_by_item", std::move(by_item)},
               {"changes", static_cast<int64_t>(out.changes.size())},
               {"items", std::move(items)}};
  if (!rolls_dir.empty()) {
    Result<entitle::RollsOutcome> rolls = entitle::WriteRolls(reg, runs, run, list, rolls_dir);
    if (!rolls.ok()) {
      fmt::print(stderr, "{}\n", rolls.status().ToString());
      return 1;
    }
    o["rolls"] = bj::object{{"files", static_cast<int64_t>(rolls->rolls.size())},
                            {"people", rolls->people},
                            {"total_fen", rolls->total_fen},
                            {"summary", rolls->summary_xlsx.string()}};
  }
  fmt::print("{}\n", bj::serialize(o));
  return out.recomputed && !out.identical ? 1 : 0;
}

int RunRun(const Options& o, bool replace, const std::string& rolls_dir, size_t show,
           const std::string& format) {
  std::unique_ptr<LoadedVersion> v = LoadList(o.list, o.params);
  if (v == nullptr) return 1;
  std::optional<Month> month = MonthOr(o.month);
  if (!month) return 2;
  entitle::RunOptions options;
  options.replace = replace;
  if (!o.known_on.empty()) {
    Result<CivilDate> k = CivilDate::Parse(o.known_on);
    if (!k.ok()) {
      fmt::print(stderr, "yanglao: --known-on {}\n", k.status().ToString());
      return 2;
    }
    options.known_on = *k;
  }
  Stores st = OpenStores(o);
  if (st.runs == nullptr) return 1;
  Result<entitle::RunOutcome> out =
      st.runs->Run(entitle::ListVersion{&v->loaded.list, v->sha256}, *month, options);
  if (!out.ok()) {
    fmt::print(stderr, "{}\n", out.status().ToString());
    return 1;
  }
  const entitle::RunRecord& run = out->run;
  // The stored to-verify count per item: the run's summary.
  Result<std::vector<entitle::ItemCount>> verify_counts = st.runs->VerifyCounts(run.id);
  if (!verify_counts.ok()) {
    fmt::print(stderr, "{}\n", verify_counts.status().ToString());
    return 1;
  }
  if (format == "json")
    return PrintRunJson(*out, v->loaded.list, *verify_counts, *st.reg, *st.runs, rolls_dir);
  fmt::print("{} {} 待遇核定（第 {} 次运行）\n", run.list_title, run.month, run.id);
  fmt::print("事实基准：{}（月初），按 {} 所知，数据批次至 #{}；清单 SHA-256 {}\n", run.as_of,
             run.known_on, run.feed_watermark, run.list_sha256.substr(0, 16));
  if (out->recomputed) {
    fmt::print("该月已运行过：按当时保存的登记状态重新计算，结果{}，未写入任何数据。\n",
               out->identical ? "与已存结果完全一致" : "与已存结果不一致（请检查）");
  }
  fmt::print("人数 {}，享受待遇 {} 人项，待核实 {} 人项；按月发放 {}，折合全年 {}\n", run.people,
             run.lines, run.verify, Yuan(run.monthly_fen), Yuan(run.yearly_fen));
  fmt::print(
      "覆盖范围：居住地在本辖区（{}）的 {} 人，户籍在本辖区而居住地不在或不明的 {} "
      "人（只由写明户籍的项目覆盖）；其他地方的人不在本次核定之内\n",
      run.list_code, run.residents, run.people - run.residents);
  if (!out->recomputed_next.empty()) {
    fmt::print("已按日历顺序重新计算 {} 与本月相比的变化（该月先于本月运行过）\n",
               out->recomputed_next);
  }
  fmt::print("用时：快照 {:.2f} 秒，计算 {:.3f} 秒，保存 {:.2f} 秒\n\n", out->snapshot_seconds,
             out->evaluate_seconds, out->store_seconds);
  // Per item.
  std::map<std::string, std::array<int64_t, 3>> changes;  // item -> new, ceased, changed
  for (const entitle::Change& c : out->changes) ++changes[c.item][static_cast<size_t>(c.kind)];
  fmt::print("{:<6}{:<28}{:>10}{:>16}{:>8}{:>8}{:>8}{:>8}  {}\n", "序号", "服务项目", "人数",
             "金额", "新增", "停发", "变更", "待核实", "覆盖");
  Result<policy::CompiledList> compiled = policy::CompileList(v->loaded.list, month->FirstDay());
  const policy::ServiceList& list = v->loaded.list;
  for (size_t i = 0; i < out->evaluation.rolls.size(); ++i) {
    const policy::Item& item = list.items[i];
    const policy::ItemRoll& roll = out->evaluation.rolls[i];
    int64_t sum = 0;
    for (int64_t a : roll.amounts) sum += a;
    auto c = changes[item.number];
    if (!item.benefit.standing()) {
      fmt::print("{:<6}{:<28}{:>10}  可申请（{}，如{}；领取人：{}），不列入名册\n", item.number,
                 item.name, roll.rows.size(), policy::GrantName(item.benefit.grant),
                 item.benefit.condition, policy::RecipientName(item.benefit.recipient));
      continue;
    }
    fmt::print("{:<6}{:<28}{:>10}{:>16}{:>8}{:>8}{:>8}{:>8}  {}\n", item.number, item.name,
               roll.rows.size(),
               item.benefit.type == policy::BenefitType::kCash ? policy::FormatCash(item, sum) : "",
               c[0], c[1], c[2], roll.verify.size(),
               compiled.ok() ? policy::CoverageName(compiled->items[i].coverage) : "");
  }
  if (!verify_counts->empty()) {
    std::string per_item;
    for (const entitle::ItemCount& c : *verify_counts)
      per_item += fmt::format("{}第{}项 {} 人", per_item.empty() ? "" : "，", c.item, c.count);
    fmt::print(
        "\n待核实（按项目，共 {} 人项；核实前不列入名册，yanglao entitle lines --kind "
        "待核实 列出）：{}\n",
        run.verify, per_item);
  }
  if (!out->changes.empty()) {
    fmt::print("\n与上次运行（#{}）相比的变化（前 {} 条，身份证号已脱敏）：\n", run.previous_run,
               std::min(show, out->changes.size()));
    for (size_t k = 0; k < out->changes.size() && k < show; ++k) {
      const entitle::Change& c = out->changes[k];
      fmt::print("  {} 第{}项 {}：{}\n", entitle::ChangeKindName(c.kind), c.item,
                 MaskIdNumber(c.id_number), c.reason);
    }
  }
  if (!rolls_dir.empty()) {
    Result<entitle::RollsOutcome> rolls =
        entitle::WriteRolls(*st.reg, *st.runs, run, list, rolls_dir);
    if (!rolls.ok()) {
      fmt::print(stderr, "{}\n", rolls.status().ToString());
      return 1;
    }
    fmt::print("\n代发名册 {} 份写入 {}，合计 {} 人项 {}；资金汇总：{}\n", rolls->rolls.size(),
               rolls_dir, rolls->people, Yuan(rolls->total_fen), rolls->summary_xlsx.string());
  }
  return out->recomputed && !out->identical ? 1 : 0;
}

int RunRuns(const Options& o) {
  Stores st = OpenStores(o);
  if (st.runs == nullptr) return 1;
  Result<std::vector<entitle::RunRecord>> runs = st.runs->Runs();
  if (!runs.ok()) {
    fmt::print(stderr, "{}\n", runs.status().ToString());
    return 1;
  }
  for (const entitle::RunRecord& r : *runs) {
    fmt::print("#{} {} {} {}：{} 人，{} 人项，按月 {}，全年 {}（按 {} 所知，批次至 #{}）\n", r.id,
               r.list_code, r.list_title, r.month, r.people, r.lines, Yuan(r.monthly_fen),
               Yuan(r.yearly_fen), r.known_on, r.feed_watermark);
  }
  return 0;
}

// A stored run with its list and stores, for the commands that read one.
struct StoredRunContext {
  std::unique_ptr<LoadedVersion> v;
  std::optional<Month> month;
  Stores st;
  std::optional<entitle::RunRecord> run;
  int error = 0;  // the exit code when something was missing (printed)
};

StoredRunContext OpenStoredRun(const Options& o) {
  StoredRunContext c;
  c.error = 1;
  c.v = LoadList(o.list, o.params);
  if (c.v == nullptr) return c;
  c.month = MonthOr(o.month);
  if (!c.month) {
    c.error = 2;
    return c;
  }
  c.st = OpenStores(o);
  if (c.st.runs == nullptr) return c;
  c.run = StoredRun(*c.st.runs, c.v->loaded.list, *c.month);
  if (c.run) c.error = 0;
  return c;
}

// A person's name as the registry knows it for a run ("" when not found).
std::string NameOf(Registry& reg, const entitle::RunRecord& run, const std::string& id) {
  Result<CivilDate> as_of = CivilDate::Parse(run.as_of);
  Result<CivilDate> known = CivilDate::Parse(run.known_on);
  if (!as_of.ok() || !known.ok()) return "";
  Result<std::optional<registry::PersonView>> p = reg.Person(id, *as_of, *known);
  return p.ok() && p->has_value() ? (*p)->name() : "";
}

bool CheckFormat(const std::string& format) {
  if (format == "text" || format == "json") return true;
  fmt::print(stderr, "yanglao: --format 应为 text 或 json\n");
  return false;
}

int RunChanges(const Options& o, const std::string& kind, bool full, size_t limit,
               const std::string& format) {
  if (!CheckFormat(format)) return 2;
  StoredRunContext ctx = OpenStoredRun(o);
  if (ctx.error != 0) return ctx.error;
  std::unique_ptr<LoadedVersion>& v = ctx.v;
  std::optional<Month>& month = ctx.month;
  Stores& st = ctx.st;
  std::optional<entitle::RunRecord>& run = ctx.run;
  Result<std::vector<entitle::Change>> changes = st.runs->Changes(run->id);
  if (!changes.ok()) {
    fmt::print(stderr, "{}\n", changes.status().ToString());
    return 1;
  }
  namespace bj = boost::json;
  bj::array rows;
  if (format == "text") {
    fmt::print("{} {} 与上月相比的变化（身份证号{}）\n", v->loaded.list.title, month->ToString(),
               full ? "完整显示" : "已脱敏");
    fmt::print("类别\t序号 服务项目\t姓名\t身份证号\t金额或标准\t原因\n");
  }
  size_t shown = 0;
  for (const entitle::Change& c : *changes) {
    if (!kind.empty() && entitle::ChangeKindName(c.kind) != kind) continue;
    if (shown++ == limit) break;
    const policy::Item* item = v->loaded.list.FindItem(c.item);
    std::string id = full ? c.id_number : MaskIdNumber(c.id_number);
    std::string name = NameOf(*st.reg, *run, c.id_number);
    bool cash = item != nullptr && item->benefit.type == policy::BenefitType::kCash;
    std::string amount =
        c.kind == entitle::ChangeKind::kChanged || !cash
            ? ""
            : policy::FormatCash(*item,
                                 c.kind == entitle::ChangeKind::kNew ? c.new_amount : c.old_amount);
    if (format == "json") {
      rows.emplace_back(bj::object{{"kind", std::string(entitle::ChangeKindName(c.kind))},
                                   {"item", c.item},
                                   {"item_name", item ? item->name : ""},
                                   {"name", name},
                                   {"id_number", id},
                                   {"old", c.old_amount},
                                   {"new", c.new_amount},
                                   {"unit", cash ? "fen" : "percent"},
                                   {"amount", amount},
                                   {"reason", c.reason}});
      continue;
    }
    fmt::print("{}\t第{}项 {}\t{}\t{}\t{}\t{}\n", entitle::ChangeKindName(c.kind), c.item,
               item ? item->name : "", name, id, amount, c.reason);
  }
  if (format == "json") {
    fmt::print("{}\n", bj::serialize(bj::object{{"list", v->loaded.list.title},
                                                {"month", month->ToString()},
                                                {"previous_run", run->previous_run},
                                                {"changes", std::move(rows)}}));
  }
  return 0;
}

int RunLines(const Options& o, const std::string& item_filter, const std::string& region,
             const std::string& kind, bool full, size_t limit, const std::string& format) {
  if (!CheckFormat(format)) return 2;
  if (!kind.empty() && kind != "享受" && kind != "待核实") {
    fmt::print(stderr, "yanglao: --kind 应为 享受 或 待核实\n");
    return 2;
  }
  StoredRunContext ctx = OpenStoredRun(o);
  if (ctx.error != 0) return ctx.error;
  std::unique_ptr<LoadedVersion>& v = ctx.v;
  std::optional<Month>& month = ctx.month;
  Stores& st = ctx.st;
  std::optional<entitle::RunRecord>& run = ctx.run;
  const policy::ServiceList& list = v->loaded.list;
  auto in_region = [&](const std::string& community) {
    return region.empty() || community.starts_with(region);
  };
  namespace bj = boost::json;
  bj::array rows;
  size_t shown = 0;
  if (format == "text") {
    fmt::print("{} {} 核定结果（第 {} 次运行；身份证号{}）\n", list.title, month->ToString(),
               run->id, full ? "完整显示" : "已脱敏");
    fmt::print("类别\t序号 服务项目\t姓名\t身份证号\t待遇或待核实事实\t核实部门\t居住地\n");
  }
  auto emit = [&](const char* what, const std::string& item_number, const std::string& id_number,
                  const std::string& benefit, const std::string& departments,
                  const std::string& community) {
    const policy::Item* item = list.FindItem(item_number);
    std::string id = full ? id_number : MaskIdNumber(id_number);
    std::string name = NameOf(*st.reg, *run, id_number);
    if (format == "json") {
      rows.emplace_back(bj::object{{"kind", what},
                                   {"item", item_number},
                                   {"item_name", item ? item->name : ""},
                                   {"name", name},
                                   {"id_number", id},
                                   {"benefit", benefit},
                                   {"departments", departments},
                                   {"community", community}});
      return;
    }
    fmt::print("{}\t第{}项 {}\t{}\t{}\t{}\t{}\t{}\n", what, item_number, item ? item->name : "",
               name, id, benefit, departments, community);
  };
  // Prints the rows of one kind that pass the filters; false after an error.
  auto emit_all = [&](const char* what, auto stored, auto emit_row) {
    if (!stored.ok()) {
      fmt::print(stderr, "{}\n", stored.status().ToString());
      return false;
    }
    for (const auto& l : *stored) {
      if ((!item_filter.empty() && l.item != item_filter) || !in_region(l.community)) continue;
      if (shown++ == limit) break;
      emit_row(what, l);
    }
    return true;
  };
  if ((kind.empty() || kind == "享受") &&
      !emit_all("享受", st.runs->Lines(run->id), [&](const char* what, const entitle::RunLine& l) {
        const policy::Item* item = list.FindItem(l.item);
        policy::ItemOutcome outcome;
        outcome.amount = l.amount;
        outcome.percent = l.percent;
        emit(what, l.item, l.id_number, item ? policy::BenefitWords(*item, outcome) : "", "",
             l.community);
      }))
    return 1;
  if ((kind.empty() || kind == "待核实") &&
      !emit_all("待核实", st.runs->Verify(run->id),
                [&](const char* what, const entitle::VerifyLine& l) {
                  emit(what, l.item, l.id_number, l.facts, l.departments, l.community);
                }))
    return 1;
  if (format == "json") {
    fmt::print("{}\n", bj::serialize(bj::object{{"list", list.title},
                                                {"month", month->ToString()},
                                                {"run", run->id},
                                                {"lines", std::move(rows)}}));
  }
  return 0;
}

int RunRolls(const Options& o, const std::string& dir) {
  StoredRunContext ctx = OpenStoredRun(o);
  if (ctx.error != 0) return ctx.error;
  std::unique_ptr<LoadedVersion>& v = ctx.v;
  Stores& st = ctx.st;
  std::optional<entitle::RunRecord>& run = ctx.run;
  Result<entitle::RollsOutcome> rolls =
      entitle::WriteRolls(*st.reg, *st.runs, *run, v->loaded.list, dir);
  if (!rolls.ok()) {
    fmt::print(stderr, "{}\n", rolls.status().ToString());
    return 1;
  }
  for (const entitle::RollFile& f : rolls->rolls) {
    fmt::print("{}\t第{}项\t{} 人\t{}\t{}\n", f.department, f.item, f.people, Yuan(f.total_fen),
               f.xlsx.string());
  }
  fmt::print("合计 {} 人项 {}；资金汇总 {}\n", rolls->people, Yuan(rolls->total_fen),
             rolls->summary_xlsx.string());
  return 0;
}

int RunAdvise(const Options& o, const std::string& id, bool full, bool code,
              const std::string& format) {
  if (!CheckFormat(format)) return 2;
  std::unique_ptr<LoadedVersion> v = LoadList(o.list, o.params);
  if (v == nullptr) return 1;
  std::optional<Month> month = MonthOr(o.month);
  if (!month) return 2;
  CivilDate known = CivilDate::Today();
  if (!o.known_on.empty()) {
    Result<CivilDate> k = CivilDate::Parse(o.known_on);
    if (!k.ok()) {
      fmt::print(stderr, "yanglao: --known-on {}\n", k.status().ToString());
      return 2;
    }
    known = *k;
  }
  std::unique_ptr<Registry> reg = OpenRegistry(o);
  if (reg == nullptr) return 1;
  Result<entitle::Advice> a = entitle::Advise(*reg, v->loaded.list, id, *month, known, 36, code);
  if (!a.ok()) {
    fmt::print(stderr, "{}\n", a.status().ToString());
    return 1;
  }
  const policy::ServiceList& list = v->loaded.list;
  Result<policy::CompiledList> compiled = policy::CompileList(list, month->FirstDay());
  if (!compiled.ok()) {
    fmt::print(stderr, "{}\n", compiled.status().ToString());
    return 1;
  }
  std::string shown_id = full ? a->id_number : MaskIdNumber(a->id_number);
  if (format == "json") {
    namespace bj = boost::json;
    bj::array items, upcoming;
    for (size_t i = 0; i < a->items.size(); ++i) {
      const policy::ItemOutcome& out = a->items[i];
      const policy::Item& item = list.items[i];
      bj::array why, unknown;
      for (const std::string& w : out.why) why.emplace_back(w);
      for (size_t slot : out.unknown_facts) {
        const policy::FactInfo& f = policy::FactSchema::Person().at(slot);
        unknown.emplace_back(
            bj::object{{"fact", f.name}, {"label", f.label}, {"department", f.source}});
      }
      items.emplace_back(
          bj::object{{"number", item.number},
                     {"name", item.name},
                     {"status", out.entitled ? (item.benefit.standing() ? "entitled" : "available")
                                : out.verify ? "verify"
                                : out.excluded ? "excluded"
                                               : "no"},
                     {"condition", item.benefit.condition},
                     {"recipient", std::string(policy::RecipientName(item.benefit.recipient))},
                     {"benefit", out.entitled ? policy::BenefitWords(item, out) : ""},
                     {"amount_fen", out.amount},
                     {"percent", out.percent},
                     {"department", item.departments.empty() ? "" : item.departments.front()},
                     {"combination", policy::CombinationWords(*compiled, i)},
                     {"why", std::move(why)},
                     {"to_verify", std::move(unknown)}});
    }
    for (const entitle::Upcoming& u : a->upcoming) {
      upcoming.emplace_back(bj::object{{"date", u.event_date.ToString()},
                                       {"event", u.event},
                                       {"from", u.from.ToString()},
                                       {"item", u.item},
                                       {"starts", u.starts},
                                       {"text", u.text}});
    }
    fmt::print("{}\n", bj::serialize(bj::object{{"name", a->name},
                                                {"id_number", shown_id},
                                                {"list", list.title},
                                                {"month", month->ToString()},
                                                {"deceased", a->deceased},
                                                {"items", std::move(items)},
                                                {"upcoming", std::move(upcoming)}}));
    return 0;
  }
  fmt::print("养老顾问：{} {}，{}（按 {} 月初情况）\n", a->name, shown_id, list.title,
             month->ToString());
  if (a->deceased) fmt::print("此人已死亡，不再享受任何待遇。\n");
  auto print_why = [&](size_t i) {
    const policy::ItemOutcome& out = a->items[i];
    std::string how = policy::CombinationWords(*compiled, i);
    if (!how.empty() && out.why.size() > 1) fmt::print("      （{}）\n", how);
    for (const std::string& w : out.why) fmt::print("      {}\n", w);
  };
  fmt::print("\n可享受：\n");
  for (size_t i = 0; i < a->items.size(); ++i) {
    const policy::ItemOutcome& out = a->items[i];
    const policy::Item& item = list.items[i];
    if (!out.entitled || !item.benefit.standing()) continue;
    fmt::print("  第{}项 {}：{}（{}{}）\n", item.number, item.name, policy::BenefitWords(item, out),
               item.departments.empty() ? "" : item.departments.front(),
               item.benefit.recipient == policy::Recipient::kOlderPerson
                   ? ""
                   : fmt::format("；领取人：{}", policy::RecipientName(item.benefit.recipient)));
    print_why(i);
  }
  bool any_available = false;
  for (size_t i = 0; i < a->items.size(); ++i)
    any_available |= a->items[i].entitled && !list.items[i].benefit.standing();
  if (any_available) {
    fmt::print("\n符合条件，可申请（非按月主动发放）：\n");
    for (size_t i = 0; i < a->items.size(); ++i) {
      const policy::ItemOutcome& out = a->items[i];
      const policy::Item& item = list.items[i];
      if (!out.entitled || item.benefit.standing()) continue;
      fmt::print("  第{}项 {}：如{}，{}（{}；领取人：{}）\n", item.number, item.name,
                 item.benefit.condition, policy::BenefitWords(item, out),
                 policy::GrantName(item.benefit.grant),
                 policy::RecipientName(item.benefit.recipient));
      print_why(i);
    }
  }
  bool any_verify = false;
  for (const policy::ItemOutcome& out : a->items) any_verify |= out.verify;
  if (any_verify) {
    fmt::print("\n可能可以享受，待核实（核实后方可发放）：\n");
    for (size_t i = 0; i < a->items.size(); ++i) {
      const policy::ItemOutcome& out = a->items[i];
      if (!out.verify) continue;
      fmt::print("  第{}项 {}：请核实 {}\n", list.items[i].number, list.items[i].name,
                 policy::DescribeUnknownFacts(out.unknown_facts));
      print_why(i);
    }
  }
  fmt::print("\n暂不可享受：\n");
  for (size_t i = 0; i < a->items.size(); ++i) {
    const policy::ItemOutcome& out = a->items[i];
    if (out.entitled || out.verify) continue;
    std::string why;
    for (const std::string& w : out.why) why += (why.empty() ? "" : "；") + w;
    fmt::print("  第{}项 {}：{}\n", list.items[i].number, list.items[i].name, why);
  }
  if (!a->upcoming.empty()) {
    fmt::print("\n即将到来：\n");
    for (const entitle::Upcoming& u : a->upcoming) fmt::print("  {}\n", u.text);
  }
  return 0;
}

int RunWhatIf(const Options& o, const std::string& variant_file, const std::string& variant_params,
              const entitle::WhatIfEdits& edits, const std::string& format) {
  if (!CheckFormat(format)) return 2;
  std::unique_ptr<LoadedVersion> base = LoadList(o.list, o.params);
  if (base == nullptr) return 1;
  std::unique_ptr<LoadedVersion> variant =
      LoadList(variant_file.empty() ? o.list : variant_file,
               variant_file.empty() ? o.params : variant_params);
  if (variant == nullptr) return 1;
  std::optional<Month> month = MonthOr(o.month);
  if (!month) return 2;
  CivilDate as_of = month->FirstDay();
  if (Status s = entitle::ApplyEdits(variant->loaded.list, edits, as_of); !s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    return 1;
  }
  auto a = policy::CompileList(base->loaded.list, as_of);
  auto b = policy::CompileList(variant->loaded.list, as_of);
  for (const auto* c : {&a, &b}) {
    if (!c->ok()) {
      fmt::print(stderr, "{}\n", c->status().ToString());
      return 1;
    }
  }
  std::unique_ptr<Registry> reg = OpenRegistry(o);
  if (reg == nullptr) return 1;
  auto t0 = std::chrono::steady_clock::now();
  Result<entitle::Snapshot> snap =
      entitle::BuildSnapshot(*reg, base->loaded.list.jurisdiction, as_of, CivilDate::Today());
  if (!snap.ok()) {
    fmt::print(stderr, "{}\n", snap.status().ToString());
    return 1;
  }
  auto t1 = std::chrono::steady_clock::now();
  entitle::WhatIfReport r = entitle::CompareLists(*a, *b, *snap);
  auto t2 = std::chrono::steady_clock::now();
  if (format == "json") {
    namespace bj = boost::json;
    bj::array items, counties;
    for (const entitle::ItemDelta& d : r.items) {
      bj::array gainers, losers;
      for (const std::string& g : d.sample_gainers) gainers.emplace_back(g);
      for (const std::string& l : d.sample_losers) losers.emplace_back(l);
      items.emplace_back(bj::object{{"item", d.item},
                                    {"name", d.name},
                                    {"in_base", d.in_base},
                                    {"in_variant", d.in_variant},
                                    {"base_people", d.base_people},
                                    {"variant_people", d.variant_people},
                                    {"gainers", d.gainers},
                                    {"losers", d.losers},
                                    {"amount_up", d.amount_up},
                                    {"amount_down", d.amount_down},
                                    {"monthly_delta_fen", d.monthly_delta},
                                    {"yearly_delta_fen", d.yearly_delta},
                                    {"sample_gainers", std::move(gainers)},
                                    {"sample_losers", std::move(losers)}});
    }
    for (const entitle::CountyDelta& c : r.counties) {
      counties.emplace_back(bj::object{{"county", RegionLabel(c.county)},
                                       {"base_monthly_fen", c.base_monthly},
                                       {"variant_monthly_fen", c.variant_monthly},
                                       {"base_yearly_fen", c.base_yearly},
                                       {"variant_yearly_fen", c.variant_yearly}});
    }
    fmt::print("{}\n", bj::serialize(bj::object{{"list", base->loaded.list.title},
                                                {"month", month->ToString()},
                                                {"people", r.people},
                                                {"monthly_delta_fen", r.monthly_delta},
                                                {"yearly_delta_fen", r.yearly_delta},
                                                {"items", std::move(items)},
                                                {"counties", std::move(counties)}}));
    return 0;
  }
  fmt::print("测算（不保存）：{} {}，{} 人；快照 {:.2f} 秒，两次全市计算与比较 {:.3f} 秒\n\n",
             base->loaded.list.title, month->ToString(), r.people,
             std::chrono::duration<double>(t1 - t0).count(),
             std::chrono::duration<double>(t2 - t1).count());
  fmt::print("{:<6}{:<26}{:>10}{:>10}{:>8}{:>8}{:>8}{:>16}{:>18}\n", "序号", "服务项目", "现人数",
             "测算人数", "新增", "减少", "增额", "每月增减", "全年增减");
  for (const entitle::ItemDelta& d : r.items) {
    if (d.gainers == 0 && d.losers == 0 && d.amount_up == 0 && d.amount_down == 0 && d.in_base &&
        d.in_variant)
      continue;
    fmt::print("{:<6}{:<26}{:>10}{:>10}{:>8}{:>8}{:>8}{:>16}{:>18}\n", d.item,
               d.name + (d.in_base ? "" : "（新增项目）") + (d.in_variant ? "" : "（取消）"),
               d.base_people, d.variant_people, d.gainers, d.losers, d.amount_up,
               Yuan(d.monthly_delta), Yuan(d.yearly_delta));
    if (!d.sample_gainers.empty())
      fmt::print("      新增对象举例：{}\n", fmt::join(d.sample_gainers, "、"));
    if (!d.sample_losers.empty())
      fmt::print("      减少对象举例：{}\n", fmt::join(d.sample_losers, "、"));
  }
  fmt::print("\n按县级单位的资金变化：\n");
  for (const entitle::CountyDelta& c : r.counties) {
    if (c.base_yearly == c.variant_yearly && c.base_monthly == c.variant_monthly) continue;
    fmt::print("  {}：每月 {} → {}（{}），全年 {} → {}（{}）\n", RegionLabel(c.county),
               Yuan(c.base_monthly), Yuan(c.variant_monthly),
               Yuan(c.variant_monthly - c.base_monthly), Yuan(c.base_yearly),
               Yuan(c.variant_yearly), Yuan(c.variant_yearly - c.base_yearly));
  }
  fmt::print("\n合计：每月 {}，全年 {}\n", Yuan(r.monthly_delta), Yuan(r.yearly_delta));
  return 0;
}

}  // namespace

void AddEntitleCommands(CLI::App& app, int& exit_code) {
  CLI::App* ent = app.add_subcommand(
      "entitle", "待遇核定：全市按月主动核定（政策找人、免申即享）、名册、顾问、测算");
  ent->require_subcommand(1);
  auto o = std::make_shared<Options>();
  auto common = [o](CLI::App* cmd, bool list) {
    AddDbOption(cmd, o->db);
    if (!list) return;
    cmd->add_option("--list", o->list, "服务清单文件（policies/*.yaml）")->required();
    cmd->add_option("--params", o->params, "参数文件（如 policies/demo/ 下的演示数值）");
    cmd->add_option("--month", o->month, "月份 YYYY-MM（默认本月）；按该月1日的情况核定");
  };

  auto replace = std::make_shared<bool>(false);
  auto rolls = std::make_shared<std::string>();
  auto show = std::make_shared<size_t>(20);
  CLI::App* run = ent->add_subcommand("run", "按月核定：全市每人每项，与上月比较新增、停发、变更");
  common(run, true);
  run->add_option("--known-on", o->known_on, "按此日期已知的登记记录（默认今天）");
  run->add_flag("--replace", *replace, "该月已用另一版本清单运行过时，替换之");
  run->add_option("--rolls", *rolls, "同时把代发名册与资金汇总写入此目录");
  run->add_option("--show", *show, "显示变化的条数（默认20）");
  auto run_format = std::make_shared<std::string>("text");
  AddFormatOption(run, *run_format, {"text", "json"},
                  "text（默认）或 json（运行摘要，含各项目待核实人数）");
  run->callback([=, &exit_code] { exit_code = RunRun(*o, *replace, *rolls, *show, *run_format); });

  CLI::App* runs = ent->add_subcommand("runs", "已保存的各次运行");
  common(runs, false);
  runs->callback([=, &exit_code] { exit_code = RunRuns(*o); });

  auto kind = std::make_shared<std::string>();
  auto full = std::make_shared<bool>(false);
  auto limit = std::make_shared<size_t>(1000);
  CLI::App* changes = ent->add_subcommand("changes", "某月与上月相比的新增、停发、变更及原因");
  common(changes, true);
  changes->add_option("--kind", *kind, "只看：新增、停发 或 变更");
  changes->add_flag("--full", *full, "显示完整身份证号");
  changes->add_option("--limit", *limit, "最多显示条数（默认1000）");
  auto format = std::make_shared<std::string>("text");
  changes->add_option("--format", *format, "text（默认）或 json");
  changes->callback([=, &exit_code] { exit_code = RunChanges(*o, *kind, *full, *limit, *format); });

  auto item_filter = std::make_shared<std::string>();
  auto region = std::make_shared<std::string>();
  CLI::App* lines_cmd =
      ent->add_subcommand("lines", "某月核定的每一条：享受待遇的与待核实的（可按项目、地区筛选）");
  common(lines_cmd, true);
  lines_cmd->add_option("--item", *item_filter, "只看此序号的项目");
  lines_cmd->add_option("--region", *region, "只看居住地在此区划（代码，县、乡镇街道或社区）内的");
  lines_cmd->add_option("--kind", *kind, "只看：享受 或 待核实");
  lines_cmd->add_flag("--full", *full, "显示完整身份证号");
  lines_cmd->add_option("--limit", *limit, "最多显示条数（默认1000）");
  lines_cmd->add_option("--format", *format, "text（默认）或 json");
  lines_cmd->callback([=, &exit_code] {
    exit_code = RunLines(*o, *item_filter, *region, *kind, *full, *limit, *format);
  });

  auto dir = std::make_shared<std::string>();
  CLI::App* roll = ent->add_subcommand("rolls", "某月的代发名册（按牵头部门、项目）与资金汇总");
  common(roll, true);
  roll->add_option("-o,--output", *dir, "输出目录")->required();
  roll->callback([=, &exit_code] { exit_code = RunRolls(*o, *dir); });

  auto id = std::make_shared<std::string>();
  CLI::App* advise =
      ent->add_subcommand("advise", "养老顾问：某人可享受的全部待遇、原因和即将到来的变化");
  advise->add_option("id", *id, "公民身份号码")->required();
  common(advise, true);
  advise->add_option("--known-on", o->known_on, "按此日期已知的登记记录（默认今天）");
  advise->add_flag("--full", *full, "显示完整身份证号");
  auto code = std::make_shared<bool>(false);
  advise->add_flag("--code", *code, "同时显示规则原文（规则语言）");
  advise->add_option("--format", *format, "text（默认）或 json");
  advise->callback([=, &exit_code] { exit_code = RunAdvise(*o, *id, *full, *code, *format); });

  auto variant = std::make_shared<std::string>();
  auto variant_params = std::make_shared<std::string>();
  auto edits = std::make_shared<entitle::WhatIfEdits>();
  CLI::App* whatif =
      ent->add_subcommand("whatif", "测算（不保存）：调整参数、规则或项目后谁得谁失、资金增减");
  common(whatif, true);
  whatif->add_option("--variant", *variant, "调整后的清单文件（可增删项目）");
  whatif->add_option("--variant-params", *variant_params, "调整后清单的参数文件");
  whatif->add_option("--set", edits->set, "参数=数值，或 参数@下限=数值（分档参数），可重复");
  whatif->add_option("--rule", edits->rule, "项目序号=新的享受条件，可重复");
  whatif->add_option("--drop", edits->drop, "取消的项目序号，可重复");
  whatif->add_option("--format", *format, "text（默认）或 json");
  whatif->callback(
      [=, &exit_code] { exit_code = RunWhatIf(*o, *variant, *variant_params, *edits, *format); });
}

}  // namespace yanglao::cli
