#include "canteen/settle.h"

#include <fmt/format.h>

namespace yanglao::canteen {

std::string Yuan(int64_t fen) {
  uint64_t m = fen < 0 ? static_cast<uint64_t>(-(fen + 1)) + 1 : static_cast<uint64_t>(fen);
  return fmt::format("{}{}.{:02}", fen < 0 ? "-" : "", m / 100, m % 100);
}

std::vector<xlsx::Sheet> SettlementSheets(const Settlement& s) {
  xlsx::Sheet lines{"结算单", {}};
  lines.rows.push_back({"结算月份", "食堂编号", "食堂名称", "区县", "资金来源", "享受餐次",
                        "优惠与补贴（元）", "复核不予结算（元）", "应结算（元）", "待复核异常",
                        "状态", "审核人", "审核日期"});
  int64_t meals = 0, benefit = 0, disallowed = 0, claimed = 0;
  for (const StatementLine& l : s.lines) {
    lines.rows.push_back({s.month, l.canteen_code, l.canteen_name, l.county, l.source,
                          std::to_string(l.meals), Yuan(l.benefit_fen), Yuan(l.disallowed_fen),
                          Yuan(l.claimed_fen), std::to_string(l.open_flags),
                          l.status == "approved" ? "已审核" : "待审核", l.approved_by,
                          l.approved_on});
    meals += l.meals;
    benefit += l.benefit_fen;
    disallowed += l.disallowed_fen;
    claimed += l.claimed_fen;
  }
  lines.rows.push_back({"合计", "", "", "", "", std::to_string(meals), Yuan(benefit),
                        Yuan(disallowed), Yuan(claimed), "", "", "", ""});

  xlsx::Sheet canteens{"食堂汇总", {}};
  canteens.rows.push_back({"食堂编号", "食堂名称", "区县", "销售笔数", "享受笔数", "市场价（元）",
                           "优惠（元）", "补贴（元）", "就餐者支付（元）", "待复核异常",
                           "核对（市场价 = 优惠 + 补贴 + 支付）"});
  int64_t sales = 0, with = 0, market = 0, discount = 0, subsidy = 0, paid = 0;
  for (const CanteenMonth& m : s.canteens) {
    if (m.sales == 0) continue;
    bool ok = m.market_fen == m.discount_fen + m.subsidy_fen + m.paid_fen;
    canteens.rows.push_back({m.canteen_code, m.canteen_name, m.county, std::to_string(m.sales),
                             std::to_string(m.meals_with_benefit), Yuan(m.market_fen),
                             Yuan(m.discount_fen), Yuan(m.subsidy_fen), Yuan(m.paid_fen),
                             std::to_string(m.open_flags), ok ? "相符" : "不符"});
    sales += m.sales;
    with += m.meals_with_benefit;
    market += m.market_fen;
    discount += m.discount_fen;
    subsidy += m.subsidy_fen;
    paid += m.paid_fen;
  }
  canteens.rows.push_back({"合计", "", "", std::to_string(sales), std::to_string(with),
                           Yuan(market), Yuan(discount), Yuan(subsidy), Yuan(paid), "",
                           market == discount + subsidy + paid ? "相符" : "不符"});

  xlsx::Sheet counties{"区县汇总", {}};
  counties.rows.push_back({"结算月份", "区县代码", "区县", "资金来源", "食堂数", "享受餐次",
                           "优惠与补贴（元）", "复核不予结算（元）", "应结算（元）"});
  for (const Settlement::CountyLine& c : s.counties) {
    counties.rows.push_back({s.month, c.county, c.county_name, c.source, std::to_string(c.canteens),
                             std::to_string(c.meals), Yuan(c.benefit_fen), Yuan(c.disallowed_fen),
                             Yuan(c.claimed_fen)});
  }
  counties.rows.push_back({"合计", "", "", "", "", std::to_string(meals), Yuan(benefit),
                           Yuan(disallowed), Yuan(claimed)});
  return {std::move(lines), std::move(canteens), std::move(counties)};
}

Status WriteSettlementXlsx(const std::filesystem::path& path, const Settlement& s) {
  return xlsx::WriteWorkbook(path, SettlementSheets(s));
}

}  // namespace yanglao::canteen
