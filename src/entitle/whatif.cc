#include "entitle/whatif.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "core/id_number.h"
#include "core/money.h"
#include "policy/entitlement.h"
#include "policy/fact_schema.h"
#include "policy/rule_checker.h"
#include "policy/rule_parser.h"

namespace yanglao::entitle {
namespace {

Status EditError(std::string_view kind, const std::string& edit, std::string_view why) {
  return Status("whatif.edit", fmt::format("--{} {}：{}", kind, edit, why),
                Location{.field = std::string(kind), .value = edit});
}

// Monthly and yearly cost of one entitlement.
std::pair<int64_t, int64_t> Cost(const policy::Item& item, int64_t amount) {
  if (item.benefit.type != policy::BenefitType::kCash) return {0, 0};
  int64_t monthly = item.benefit.period == policy::CashPeriod::kMonth ? amount : 0;
  return {monthly, policy::YearlyEquivalent(item, amount)};
}

}  // namespace

Status ApplyEdits(policy::ServiceList& list, const WhatIfEdits& edits, CivilDate date) {
  for (const std::string& e : edits.set) {
    size_t eq = e.find('=');
    if (eq == std::string::npos) return EditError("set", e, "应为 参数名=数值 或 参数名@下限=数值");
    std::string name = e.substr(0, eq), value_text = e.substr(eq + 1);
    std::optional<int64_t> bracket;
    if (size_t at = name.find('@'); at != std::string::npos) {
      try {
        bracket = std::stoll(name.substr(at + 1));
      } catch (...) {
        return EditError("set", e, "@ 后应为整数下限");
      }
      name = name.substr(0, at);
    }
    policy::Parameter* p = nullptr;
    for (policy::Parameter& q : list.parameters) {
      if (q.name == name) p = &q;
    }
    if (p == nullptr) return EditError("set", e, "清单没有这个参数");
    int64_t value = 0;
    if (p->money) {
      std::string t = value_text;
      for (const char* unit : {"元/月", "元/年", "元/人次", "元"}) {
        if (t.size() > std::strlen(unit) && t.ends_with(unit)) {
          t.resize(t.size() - std::strlen(unit));
          break;
        }
      }
      Result<Money> m = Money::Parse(t);
      if (!m.ok()) return EditError("set", e, m.status().message());
      value = m->fen();
    } else {
      try {
        size_t used = 0;
        value = std::stoll(value_text, &used);
        if (used != value_text.size()) throw std::invalid_argument("trailing");
      } catch (...) {
        return EditError("set", e, "应为整数");
      }
    }
    // The entry in force on `date` (values are sorted by `from`), or a new one.
    size_t at = p->values.size();
    for (size_t k = 0; k < p->values.size(); ++k) {
      if (p->values[k].from <= date) at = k;
    }
    if (at == p->values.size()) {
      p->values.insert(p->values.begin(), policy::DatedValue{date, 0, {}});
      at = 0;
    }
    policy::DatedValue& entry = p->values[at];
    if (!p->scale_slot) {
      if (bracket) return EditError("set", e, "该参数不分档，不能用 @");
      entry.value = value;
      continue;
    }
    if (!bracket) {
      if (entry.brackets.empty()) return EditError("set", e, "该参数分档且尚无档次，请用 @下限");
      entry.brackets.front().second = value;
      continue;
    }
    auto it = std::find_if(entry.brackets.begin(), entry.brackets.end(),
                           [&](const auto& b) { return b.first == *bracket; });
    if (it != entry.brackets.end()) {
      it->second = value;
    } else {
      entry.brackets.emplace_back(*bracket, value);
      std::sort(entry.brackets.begin(), entry.brackets.end());
    }
  }
  for (const std::string& e : edits.rule) {
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) return EditError("rule", e, "应为 项目序号=规则");
    std::string number = e.substr(0, eq);
    policy::Item* item = nullptr;
    for (policy::Item& i : list.items) {
      if (i.number == number) item = &i;
    }
    if (item == nullptr) return EditError("rule", e, "清单没有这个项目");
    Result<policy::ExprPtr> expr =
        policy::ParseRule(e.substr(eq + 1), Location{.file = "--rule", .line = 1, .column = 1});
    if (!expr.ok()) return EditError("rule", e, expr.status().message());
    item->eligibility = std::move(*expr);
  }
  for (const std::string& e : edits.drop) {
    auto it = std::find_if(list.items.begin(), list.items.end(),
                           [&](const policy::Item& i) { return i.number == e; });
    if (it == list.items.end()) return EditError("drop", e, "清单没有这个项目");
    list.items.erase(it);
    for (policy::ExclusiveGroup& g : list.exclusive_groups) {
      std::erase(g.items, e);
    }
  }
  std::vector<Status> errors;
  policy::CheckListRules(list, policy::FactSchema::Person(), errors);
  if (!errors.empty()) return errors.front();
  return Status::Ok();
}

WhatIfBase PrepareWhatIf(const policy::CompiledList& base, const Snapshot& snap) {
  WhatIfBase out;
  out.list = &base;
  out.evaluation = Evaluate(base, snap, 0, false);
  out.county_of_row.resize(snap.size);
  std::unordered_map<int32_t, int32_t> county_of_residence;
  for (size_t row = 0; row < snap.size; ++row) {
    int32_t res = snap.residence[row];
    auto [it, inserted] = county_of_residence.try_emplace(res, -1);
    if (inserted) it->second = CountyOf(res);
    out.county_of_row[row] = it->second;
  }
  out.item_counties.resize(base.items.size());
  for (size_t i = 0; i < base.items.size(); ++i) {
    const policy::Item& item = *base.items[i].item;
    const policy::ItemRoll& roll = out.evaluation.rolls[i];
    auto& counties = out.item_counties[i];
    for (size_t x = 0; x < roll.rows.size(); ++x) {
      auto [m, y] = Cost(item, roll.amounts.empty() ? 0 : roll.amounts[x]);
      auto& c = counties[out.county_of_row[roll.rows[x]]];
      c.first += m;
      c.second += y;
    }
  }
  return out;
}

WhatIfReport CompareLists(const policy::CompiledList& base, const policy::CompiledList& variant,
                          const Snapshot& snap) {
  return CompareLists(PrepareWhatIf(base, snap), variant, snap);
}

namespace {

// Whether node `a` of plan `pa` computes what node `b` of plan `pb` computes:
// the same operation on the same constants, facts and brackets, over operands
// that compute the same (names and origins, for explanations only, aside).
bool SameNode(const policy::Plan& pa, int32_t a, const policy::Plan& pb, int32_t b,
              std::set<std::pair<int32_t, int32_t>>& same) {
  if (a < 0 || b < 0) return a == b;
  if (same.contains({a, b})) return true;
  const policy::PlanNode& x = pa.nodes[static_cast<size_t>(a)];
  const policy::PlanNode& y = pb.nodes[static_cast<size_t>(b)];
  if (x.op != y.op || x.money != y.money || x.value != y.value || x.set != y.set ||
      x.brackets != y.brackets || !SameNode(pa, x.a, pb, y.a, same) ||
      !SameNode(pa, x.b, pb, y.b, same) || !SameNode(pa, x.c, pb, y.c, same)) {
    return false;
  }
  same.emplace(a, b);
  return true;
}

int FindItem(const policy::CompiledList& l, const std::string& number) {
  for (size_t i = 0; i < l.items.size(); ++i) {
    if (l.items[i].item->number == number) return static_cast<int>(i);
  }
  return -1;
}

// The numbers of the exclusive groups item `i` of `l` belongs to, in order.
std::vector<std::vector<std::string>> GroupsOf(const policy::CompiledList& l, size_t i) {
  std::vector<std::vector<std::string>> out;
  for (const std::vector<size_t>& g : l.groups) {
    if (std::find(g.begin(), g.end(), i) == g.end()) continue;
    std::vector<std::string>& numbers = out.emplace_back();
    for (size_t j : g) numbers.push_back(l.items[j].item->number);
  }
  return out;
}

}  // namespace

std::vector<int> UnchangedItems(const policy::CompiledList& base,
                                const policy::CompiledList& variant) {
  std::vector<int> out(variant.items.size(), -1);
  std::set<std::pair<int32_t, int32_t>> same;
  for (size_t i = 0; i < variant.items.size(); ++i) {
    const policy::CompiledItem& vb = variant.items[i];
    int ia = FindItem(base, vb.item->number);
    if (ia < 0) continue;
    const policy::CompiledItem& va = base.items[static_cast<size_t>(ia)];
    if (va.item->benefit.type != vb.item->benefit.type ||
        va.item->benefit.period != vb.item->benefit.period || va.coverage != vb.coverage ||
        va.also_percents.size() != vb.also_percents.size() ||
        !SameNode(base.plan, va.eligibility, variant.plan, vb.eligibility, same) ||
        !SameNode(base.plan, va.amount, variant.plan, vb.amount, same) ||
        !SameNode(base.plan, va.percent, variant.plan, vb.percent, same)) {
      continue;
    }
    bool also = true;
    for (size_t k = 0; k < va.also_percents.size(); ++k) {
      also =
          also && SameNode(base.plan, va.also_percents[k], variant.plan, vb.also_percents[k], same);
    }
    if (!also || GroupsOf(base, static_cast<size_t>(ia)) != GroupsOf(variant, i)) continue;
    out[i] = ia;
  }
  // An exclusive group is resolved as a whole: one changed member, and every
  // member's roll may change.
  for (bool again = true; again;) {
    again = false;
    for (const std::vector<size_t>& g : variant.groups) {
      bool changed = false;
      for (size_t j : g) changed = changed || out[j] < 0;
      if (!changed) continue;
      for (size_t j : g) {
        if (out[j] >= 0) {
          out[j] = -1;
          again = true;
        }
      }
    }
  }
  return out;
}

WhatIfReport CompareLists(const WhatIfBase& prepared, const policy::CompiledList& variant,
                          const Snapshot& snap) {
  const policy::CompiledList& base = *prepared.list;
  const Evaluation& a = prepared.evaluation;
  // Only the items whose rolls may differ from the base's are evaluated: a
  // list of those alone (over the variant's plan, their groups with them);
  // the others are the base's rolls.
  const std::vector<int> unchanged = UnchangedItems(base, variant);
  std::vector<const policy::ItemRoll*> rolls_b(variant.items.size(), nullptr);
  Evaluation b;
  {
    policy::CompiledList changed;
    changed.list = variant.list;
    changed.date = variant.date;
    std::vector<size_t> at(variant.items.size(), SIZE_MAX);
    for (size_t i = 0; i < variant.items.size(); ++i) {
      if (unchanged[i] >= 0) {
        rolls_b[i] = &a.rolls[static_cast<size_t>(unchanged[i])];
        continue;
      }
      at[i] = changed.items.size();
      changed.items.push_back(variant.items[i]);
    }
    if (!changed.items.empty()) {
      changed.plan = variant.plan;
      for (const std::vector<size_t>& g : variant.groups) {
        // A group has all its members changed or none (UnchangedItems).
        if (g.empty() || at[g.front()] == SIZE_MAX) continue;
        std::vector<size_t>& group = changed.groups.emplace_back();
        for (size_t j : g) group.push_back(at[j]);
      }
      b = Evaluate(changed, snap, 0, false);
      for (size_t i = 0; i < variant.items.size(); ++i) {
        if (at[i] != SIZE_MAX) rolls_b[i] = &b.rolls[at[i]];
      }
    }
  }
  WhatIfReport report;
  report.people = static_cast<int64_t>(snap.size);
  std::map<int32_t, CountyDelta> counties;
  auto county_at = [&](int32_t index) -> CountyDelta& {
    CountyDelta& c = counties[index];
    c.county = index;
    return c;
  };
  auto county = [&](uint32_t row) -> CountyDelta& {
    return county_at(prepared.county_of_row[row]);
  };
  std::vector<std::string> numbers;
  for (const auto& ci : base.items) numbers.push_back(ci.item->number);
  for (const auto& ci : variant.items) {
    if (FindItem(base, ci.item->number) < 0) numbers.push_back(ci.item->number);
  }
  static const policy::ItemRoll kEmpty;
  for (const std::string& number : numbers) {
    int ia = FindItem(base, number), ib = FindItem(variant, number);
    const policy::ItemRoll& ra = ia >= 0 ? a.rolls[static_cast<size_t>(ia)] : kEmpty;
    const policy::ItemRoll& rb = ib >= 0 ? *rolls_b[static_cast<size_t>(ib)] : kEmpty;
    const policy::Item& item_a =
        *(ia >= 0 ? base : variant).items[static_cast<size_t>(ia >= 0 ? ia : ib)].item;
    const policy::Item& item_b =
        *(ib >= 0 ? variant : base).items[static_cast<size_t>(ib >= 0 ? ib : ia)].item;
    ItemDelta d;
    d.item = number;
    d.name = (ib >= 0 ? item_b : item_a).name;
    d.in_base = ia >= 0;
    d.in_variant = ib >= 0;
    d.base_people = static_cast<int64_t>(ra.rows.size());
    d.variant_people = static_cast<int64_t>(rb.rows.size());
    if (ia >= 0 && ib >= 0 && item_a.benefit.type == item_b.benefit.type &&
        item_a.benefit.period == item_b.benefit.period &&
        (unchanged[static_cast<size_t>(ib)] == ia ||
         (ra.rows == rb.rows && ra.amounts.size() == rb.amounts.size() &&
          (ra.amounts.empty() || ra.amounts == rb.amounts)))) {
      // The same roll at the same cost: nobody gains or loses, and each
      // county's money is the base's on both sides.
      for (const auto& [index, money] : prepared.item_counties[static_cast<size_t>(ia)]) {
        CountyDelta& c = county_at(index);
        c.base_monthly += money.first;
        c.base_yearly += money.second;
        c.variant_monthly += money.first;
        c.variant_yearly += money.second;
      }
      report.items.push_back(std::move(d));
      continue;
    }
    size_t x = 0, y = 0;
    while (x < ra.rows.size() || y < rb.rows.size()) {
      bool only_a = y == rb.rows.size() || (x < ra.rows.size() && ra.rows[x] < rb.rows[y]);
      bool only_b = x == ra.rows.size() || (y < rb.rows.size() && rb.rows[y] < ra.rows[x]);
      uint32_t row = only_a ? ra.rows[x] : rb.rows[y];
      auto [ma, ya] = only_b ? std::pair<int64_t, int64_t>{0, 0}
                             : Cost(item_a, ra.amounts.empty() ? 0 : ra.amounts[x]);
      auto [mb, yb] = only_a ? std::pair<int64_t, int64_t>{0, 0}
                             : Cost(item_b, rb.amounts.empty() ? 0 : rb.amounts[y]);
      CountyDelta& c = county(row);
      c.base_monthly += ma;
      c.base_yearly += ya;
      c.variant_monthly += mb;
      c.variant_yearly += yb;
      d.monthly_delta += mb - ma;
      d.yearly_delta += yb - ya;
      if (only_a) {
        ++d.losers;
        if (d.sample_losers.size() < 5) d.sample_losers.push_back(MaskIdNumber(snap.IdNumber(row)));
        ++x;
      } else if (only_b) {
        ++d.gainers;
        if (d.sample_gainers.size() < 5)
          d.sample_gainers.push_back(MaskIdNumber(snap.IdNumber(row)));
        ++y;
      } else {
        if (yb > ya) ++d.amount_up;
        if (yb < ya) ++d.amount_down;
        ++x;
        ++y;
      }
    }
    report.monthly_delta += d.monthly_delta;
    report.yearly_delta += d.yearly_delta;
    report.items.push_back(std::move(d));
  }
  for (auto& [index, c] : counties) report.counties.push_back(c);
  return report;
}

}  // namespace yanglao::entitle
