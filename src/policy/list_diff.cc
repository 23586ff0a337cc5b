#include "policy/list_diff.h"

#include <fmt/format.h>

#include "core/money.h"

namespace yanglao::policy {
namespace {

std::string Rule(const ExprPtr& e) { return e ? ToSource(*e) : ""; }

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::string BenefitText(const Benefit& b) {
  switch (b.type) {
    case BenefitType::kCash:
      return fmt::format("现金 {} {}", Rule(b.amount), CashPeriodSuffix(b.period));
    case BenefitType::kDiscount:
      return fmt::format("优惠 {}%", Rule(b.percent));
    case BenefitType::kService:
      return fmt::format("服务 {}", ServiceFrequency(b.per, b.times));
    default:
      return fmt::format("{} {}", BenefitTypeName(b.type), b.text);
  }
}

std::string ValuesText(const Parameter& p) {
  std::string out;
  for (const DatedValue& v : p.values) {
    out += (out.empty() ? "" : "；") + v.from.ToString() + "起 ";
    if (v.brackets.empty()) {
      out += p.money ? Money::Fen(v.value).FormatYuan() : std::to_string(v.value);
    } else {
      for (const auto& [min, value] : v.brackets) {
        out += fmt::format("≥{}:{} ", min,
                           p.money ? Money::Fen(value).FormatYuan() : std::to_string(value));
      }
    }
  }
  return out.empty() ? "（无取值）" : out;
}

void Compare(std::vector<std::string>& out, const char* field, const std::string& a,
             const std::string& b) {
  if (a != b) out.push_back(fmt::format("{}：「{}」→「{}」", field, a, b));
}

}  // namespace

ListDiff DiffLists(const ServiceList& old_list, const ServiceList& new_list) {
  ListDiff diff;
  auto find_by_name = [](const ServiceList& l, const std::string& name) -> const Item* {
    for (const Item& i : l.items) {
      if (i.name == name) return &i;
    }
    return nullptr;
  };
  for (const Item& n : new_list.items) {
    const Item* o = find_by_name(old_list, n.name);
    if (o == nullptr) {
      diff.items.push_back({ItemChange::Kind::kAdded,
                            n.number,
                            n.name,
                            {fmt::format("对象：{}；规则：{}；待遇：{}", n.target,
                                         Rule(n.eligibility), BenefitText(n.benefit))}});
      continue;
    }
    ItemChange c{ItemChange::Kind::kChanged, n.number, n.name, {}};
    Compare(c.details, "序号", o->number, n.number);
    Compare(c.details, "服务内容及标准", o->content, n.content);
    Compare(c.details, "服务对象", o->target, n.target);
    Compare(c.details, "服务类型", o->kind_label, n.kind_label);
    Compare(c.details, "牵头责任部门", Join(o->departments), Join(n.departments));
    Compare(c.details, "资格规则", Rule(o->eligibility), Rule(n.eligibility));
    Compare(c.details, "待遇", BenefitText(o->benefit), BenefitText(n.benefit));
    if (!c.details.empty()) diff.items.push_back(std::move(c));
  }
  for (const Item& o : old_list.items) {
    if (find_by_name(new_list, o.name) == nullptr) {
      diff.items.push_back({ItemChange::Kind::kRemoved, o.number, o.name, {}});
    }
  }
  for (const Parameter& n : new_list.parameters) {
    const Parameter* o = old_list.FindParameter(n.name);
    if (o == nullptr) {
      diff.parameters.push_back(fmt::format("新增参数「{}」：{}", n.label, ValuesText(n)));
    } else if (ValuesText(*o) != ValuesText(n)) {
      diff.parameters.push_back(
          fmt::format("参数「{}」：{} → {}", n.label, ValuesText(*o), ValuesText(n)));
    }
  }
  for (const Parameter& o : old_list.parameters) {
    if (new_list.FindParameter(o.name) == nullptr)
      diff.parameters.push_back(fmt::format("删除参数「{}」", o.label));
  }
  return diff;
}

}  // namespace yanglao::policy
