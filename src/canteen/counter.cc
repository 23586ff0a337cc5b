#include "canteen/counter.h"

#include <fmt/format.h>

#include "core/money.h"
#include "policy/entitlement.h"

namespace yanglao::canteen {

Result<std::unique_ptr<Counter>> Counter::Load(const std::filesystem::path& rules_file) {
  Result<CanteenRules> rules = LoadCanteenRules(rules_file);
  if (!rules.ok()) return rules.status();
  policy::LoadedList loaded = policy::LoadServiceList(rules->list_file);
  if (!rules->params_file.empty()) {
    policy::ApplyParameterFile(rules->params_file, loaded.list, loaded.errors);
  }
  if (!loaded.ok()) {
    return Status("canteen.list",
                  fmt::format("服务清单有错误：{}", loaded.errors.front().message()),
                  loaded.errors.front().where());
  }
  auto owned = std::make_unique<policy::ServiceList>(std::move(loaded.list));
  Result<std::unique_ptr<Counter>> c = Make(*owned, std::move(*rules));
  if (!c.ok()) return c.status();
  (*c)->owned_ = std::move(owned);
  return c;
}

Result<std::unique_ptr<Counter>> Counter::Make(const policy::ServiceList& list,
                                               CanteenRules rules) {
  std::unique_ptr<Counter> c(new Counter());
  c->list_ = &list;
  Result<entitle::Jurisdiction> where = entitle::Jurisdiction::Of(list.jurisdiction);
  if (!where.ok()) return where.status();
  c->where_ = *where;
  for (const MealItem& m : rules.items) {
    size_t index = list.items.size();
    for (size_t i = 0; i < list.items.size(); ++i) {
      if (list.items[i].number == m.item) index = i;
    }
    if (index == list.items.size()) {
      return Status("canteen.list", fmt::format("服务清单《{}》中没有第{}项", list.title, m.item),
                    Location{.file = rules.path, .field = "item", .value = m.item});
    }
    const policy::Item& item = list.items[index];
    if (item.benefit.type != policy::BenefitType::kDiscount && !m.subsidy_per_meal) {
      return Status(
          "canteen.list",
          fmt::format("第{}项不是折扣项目，规则文件须给出每餐补贴 subsidy_per_meal", m.item),
          Location{.file = rules.path, .field = "subsidy_per_meal", .value = m.item});
    }
    c->item_index_.push_back(index);
  }
  c->rules_ = std::move(rules);
  return c;
}

Result<const policy::CompiledList*> Counter::CompiledOn(CivilDate on) {
  std::lock_guard lock(mu_);
  auto it = compiled_.find(on);
  if (it != compiled_.end()) return it->second.get();
  Result<policy::CompiledList> compiled = policy::CompileList(*list_, on);
  if (!compiled.ok()) {
    return Status("canteen.list", compiled.status().message(), compiled.status().where());
  }
  if (compiled_.size() > 400) compiled_.clear();
  auto [pos, inserted] =
      compiled_.emplace(on, std::make_unique<policy::CompiledList>(std::move(*compiled)));
  return pos->second.get();
}

Decision Counter::MarketPrice(int64_t market_fen) {
  Decision d;
  d.market_fen = market_fen;
  d.paid_fen = market_fen;
  d.words = "未登记的就餐者，按市场价";
  return d;
}

Result<Decision> Counter::Decide(const registry::PersonView& person, CivilDate on,
                                 int64_t market_fen) {
  Result<const policy::CompiledList*> list = CompiledOn(on);
  if (!list.ok()) return list.status();
  policy::PersonFacts facts = entitle::FactsOf(person, *where_, on);
  std::vector<policy::ItemOutcome> outcomes = policy::EntitlePerson(**list, facts, true);
  Decision best;
  best.market_fen = market_fen;
  best.paid_fen = market_fen;
  best.deceased = person.deceased_on(on);
  std::vector<std::string> not_why;
  for (size_t k = 0; k < rules_.items.size(); ++k) {
    const MealItem& m = rules_.items[k];
    const policy::ItemOutcome& o = outcomes[item_index_[k]];
    const policy::Item& item = list_->items[item_index_[k]];
    if (!o.entitled) {
      if (not_why.empty()) {
        not_why.push_back(fmt::format("不符合第{}项 {}（{}）", item.number, item.name,
                                      o.verify ? "有待核实的条件" : item.target));
      }
      continue;
    }
    Decision d;
    d.market_fen = market_fen;
    d.item = item.number;
    d.item_name = item.name;
    d.citation = fmt::format("{} 第{}项 {}", list_->title, item.number, item.name);
    d.per_period = m.per_period;
    d.per_day = m.per_day;
    d.why = o.why;
    d.deceased = best.deceased;
    if (item.benefit.type == policy::BenefitType::kDiscount) {
      d.percent = o.percent;
      d.discount_fen = (market_fen * o.percent + 50) / 100;
      d.words = fmt::format("优惠 {}%，减 {}", o.percent, Money::Fen(d.discount_fen).FormatYuan());
    } else {
      d.subsidy_fen = std::min(market_fen, *m.subsidy_per_meal);
      d.words = fmt::format("助餐补贴 {}", Money::Fen(d.subsidy_fen).FormatYuan());
    }
    d.paid_fen = market_fen - d.benefit();
    std::vector<int64_t> parts = SplitByShares(d.benefit(), m.funding);
    for (size_t i = 0; i < parts.size(); ++i) d.funds.push_back({m.funding[i].source, parts[i]});
    if (best.item.empty() || d.benefit() > best.benefit()) best = std::move(d);
  }
  if (best.item.empty()) {
    best.why = not_why;
    best.words = best.deceased     ? "就餐者已登记死亡，按市场价"
                 : not_why.empty() ? "按市场价"
                                   : not_why.front() + "，按市场价";
  }
  return best;
}

}  // namespace yanglao::canteen
