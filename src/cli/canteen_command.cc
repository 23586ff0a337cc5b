// yanglao canteen: canteens and meal aid (src/canteen). Thin commands over
// the library: import canteens, sell at the counter, load a sales file,
// review, settle a month (XLSX), coverage.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "canteen/coverage.h"
#include "canteen/import.h"
#include "canteen/sell.h"
#include "canteen/settle.h"
#include "canteen/store.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/money.h"
#include "core/region.h"
#include "db/migrate.h"
#include "gen/canteen_synthetic.h"

namespace yanglao::cli {
namespace {

struct CanteenArgs {
  std::string db, rules = "policies/canteen", file, canteen, diner, dish, at, client_id, month, out,
                  city;
  CivilDate today = CivilDate::Today();
};

std::unique_ptr<registry::Registry> OpenWithTables(const CanteenArgs& a) {
  std::unique_ptr<registry::Registry> reg = OpenRegistry(a.db);
  if (!reg) return nullptr;
  if (Status s = db::MigrateAll(reg->db(), {canteen::CanteenSchema()}); !s.ok()) {
    (void)Fail(s);
    return nullptr;
  }
  return reg;
}

std::unique_ptr<canteen::Counters> LoadCounters(const CanteenArgs& a) {
  Result<std::unique_ptr<canteen::Counters>> c = canteen::Counters::LoadDirectory(a.rules);
  if (!c.ok()) {
    (void)Fail(c.status());
    return nullptr;
  }
  return std::move(*c);
}

int Import(const CanteenArgs& a) {
  Result<std::string> bytes = ReadFileBytes(a.file);
  if (!bytes.ok()) return Fail(bytes.status());
  Result<canteen::CanteenFile> file = canteen::ParseCanteenFile(*bytes, a.file);
  if (!file.ok()) return Fail(file.status());
  if (!file->ok()) {
    for (const Status& p : file->problems) fmt::print(stderr, "{}\n", p.ToString());
    fmt::print(stderr, "共 {} 处错误，未导入任何食堂\n", file->problem_count);
    return 1;
  }
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  canteen::CanteenStore store(reg->db());
  Result<canteen::ImportOutcome> out = store.PutCanteens(file->canteens);
  if (!out.ok()) return Fail(out.status());
  fmt::print("已导入食堂：新增 {}，更新 {}，未变 {}\n", out->added, out->updated, out->unchanged);
  return 0;
}

int Sell(const CanteenArgs& a) {
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  auto counters = LoadCounters(a);
  if (!counters) return 1;
  canteen::CanteenStore store(reg->db());
  Result<std::optional<canteen::Canteen>> c = store.FindCanteenByCode(a.canteen);
  if (!c.ok()) return Fail(c.status());
  if (!c->has_value()) {
    return Fail(Status("canteen.not_found", "没有这个食堂",
                       Location{.field = "--canteen", .value = a.canteen}));
  }
  std::string id;
  if (!a.diner.empty()) {
    Result<IdNumber> parsed = ParseIdNumber(a.diner, RegionTable::Builtin(), a.today);
    if (!parsed.ok()) return Fail(parsed.status());
    id = parsed->value;
  }
  canteen::SaleRequest r{
      .client_id = a.client_id.empty() ? fmt::format("cli-{}-{}", a.canteen, a.at) : a.client_id,
      .canteen_id = (*c)->id,
      .sold_at = a.at,
      .id_number = id,
      .dish = a.dish};
  for (char& ch : r.client_id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') ch = '_';
  }
  Result<canteen::Sale> sale = canteen::Sell(*reg, store, *counters, r, a.today);
  if (!sale.ok()) return Fail(sale.status());
  fmt::print("{}小票 {}  {} {} {}\n", sale->already_recorded ? "（已记过账）" : "", sale->client_id,
             (*c)->name, sale->sale_date + " " + sale->sold_time, sale->period);
  fmt::print("就餐者 {}  {}\n", MaskIdNumber(sale->id_number), sale->dish);
  fmt::print("市场价 {}  优惠 {}（{}%）  补贴 {}  实付 {}\n",
             Money::Fen(sale->market_fen).FormatYuan(), Money::Fen(sale->discount_fen).FormatYuan(),
             sale->percent, Money::Fen(sale->subsidy_fen).FormatYuan(),
             Money::Fen(sale->paid_fen).FormatYuan());
  if (!sale->citation.empty()) fmt::print("依据 {}\n", sale->citation);
  for (const canteen::FundPart& f : sale->funds) {
    fmt::print("  {} {}\n", f.source, Money::Fen(f.fen).FormatYuan());
  }
  for (const auto& [k, d] : sale->flags) {
    fmt::print("待复核：{}（{}）\n", canteen::FlagName(k), MaskIdNumbersIn(d));
  }
  return 0;
}

int LoadSales(const CanteenArgs& a) {
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  auto counters = LoadCounters(a);
  if (!counters) return 1;
  canteen::CanteenStore store(reg->db());
  Result<gen::LoadedSales> out = gen::LoadSyntheticSales(*reg, store, *counters, a.file, a.today);
  if (!out.ok()) return Fail(out.status());
  fmt::print("已记账 {} 笔（其中此前已记 {} 笔），{} 笔待复核\n", out->sales, out->already,
             out->flagged);
  return 0;
}

int Settle(const CanteenArgs& a) {
  Result<Month> month = Month::Parse(a.month);
  if (!month.ok()) return Fail(month.status());
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  canteen::CanteenStore store(reg->db());
  Result<canteen::Settlement> s = store.Settle(month->ToString());
  if (!s.ok()) return Fail(s.status());
  int64_t benefit = 0, claimed = 0;
  for (const canteen::StatementLine& l : s->lines) {
    benefit += l.benefit_fen;
    claimed += l.claimed_fen;
  }
  int64_t sales = 0, market = 0;
  for (const canteen::CanteenMonth& m : s->canteens) {
    sales += m.sales;
    market += m.market_fen;
  }
  fmt::print("{} 助餐结算：{} 笔，市场价 {}，优惠与补贴 {}，应结算 {}（已与销售逐分核对）\n",
             s->month, sales, Money::Fen(market).FormatYuan(), Money::Fen(benefit).FormatYuan(),
             Money::Fen(claimed).FormatYuan());
  if (!a.out.empty()) {
    if (Status w = canteen::WriteSettlementXlsx(a.out, *s); !w.ok()) return Fail(w);
    fmt::print("结算单：{}\n", a.out);
  }
  return 0;
}

int CoverageCmd(const CanteenArgs& a) {
  auto reg = OpenWithTables(a);
  if (!reg) return 1;
  auto counters = LoadCounters(a);
  if (!counters) return 1;
  std::optional<canteen::CoverageTarget> target;
  for (const auto& c : counters->all()) {
    if (c->jurisdiction() == a.city) target = c->rules().coverage;
  }
  canteen::CanteenStore store(reg->db());
  Result<std::vector<canteen::Canteen>> all =
      store.Canteens(a.city.substr(0, a.city.ends_with("00") ? 4 : 6));
  if (!all.ok()) return Fail(all.status());
  Result<canteen::CoverageReport> r = canteen::Coverage(*all, a.city, target);
  if (!r.ok()) return Fail(r.status());
  fmt::print("{}（{}）助餐覆盖：{} 个食堂或助餐点\n", r->name, r->jurisdiction, all->size());
  if (!r->basis.empty()) fmt::print("目标：{}（{}）\n", r->basis, r->by);
  for (const canteen::CoverageGroup& g : r->groups) {
    fmt::print("  {} {}/{}{}\n", g.label, g.covered, g.total,
               g.target_percent
                   ? fmt::format("，目标 {}%，{}", g.target_percent, g.met ? "已达到" : "未达到")
                   : "");
    for (size_t i = 0; i < g.uncovered.size() && i < 20; ++i) {
      fmt::print("    未覆盖 {}\n", g.uncovered[i]);
    }
    if (g.uncovered.size() > 20) fmt::print("    …… 共 {} 个未覆盖\n", g.uncovered.size());
  }
  return 0;
}

}  // namespace

void AddCanteenCommands(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CanteenArgs>();
  CLI::App* canteen = app.add_subcommand("canteen", "幸福食堂与助餐：食堂、柜台记账、结算、覆盖率");
  canteen->require_subcommand(1);
  auto rules = [&](CLI::App* cmd) {
    cmd->add_option("--rules", a->rules, "助餐规则目录（默认 policies/canteen）");
  };

  CLI::App* imp =
      canteen->add_subcommand("import", "导入食堂名单（XLSX 或 CSV，见 docs/canteen.md）");
  AddDbOption(imp, a->db);
  imp->add_option("file", a->file, "食堂名单文件")->required();
  imp->callback([a, &exit_code] { exit_code = Import(*a); });

  CLI::App* sell =
      canteen->add_subcommand("sell", "柜台记账一笔：识别就餐者，按清单核定优惠或补贴");
  AddDbOption(sell, a->db);
  rules(sell);
  sell->add_option("--canteen", a->canteen, "食堂编号")->required();
  sell->add_option("--diner", a->diner, "就餐者公民身份号码（不填：按市场价）");
  sell->add_option("--dish", a->dish, "菜品或套餐")->required();
  sell->add_option("--at", a->at, "就餐时间 YYYY-MM-DDTHH:MM")->required();
  sell->add_option("--client-id", a->client_id, "销售编号（重复提交只记一次）");
  sell->callback([a, &exit_code] { exit_code = Sell(*a); });

  CLI::App* load =
      canteen->add_subcommand("load-sales", "按柜台规则逐笔记入销售文件（助餐销售.csv）");
  AddDbOption(load, a->db);
  rules(load);
  load->add_option("file", a->file, "销售文件")->required();
  load->callback([a, &exit_code] { exit_code = LoadSales(*a); });

  CLI::App* settle = canteen->add_subcommand("settle", "月度结算：按食堂与资金来源，逐分核对");
  AddDbOption(settle, a->db);
  settle->add_option("--month", a->month, "结算月份 YYYY-MM")->required();
  settle->add_option("--out", a->out, "写出结算单 XLSX");
  settle->callback([a, &exit_code] { exit_code = Settle(*a); });

  CLI::App* cov = canteen->add_subcommand("coverage", "助餐覆盖率与未覆盖的社区、街道");
  AddDbOption(cov, a->db);
  rules(cov);
  cov->add_option("--city", a->city, "市（县）区划代码，如 421300、320681")->required();
  cov->callback([a, &exit_code] { exit_code = CoverageCmd(*a); });
}

}  // namespace yanglao::cli
