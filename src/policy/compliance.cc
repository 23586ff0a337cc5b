#include "policy/compliance.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/money.h"
#include "policy/entitlement.h"
#include "policy/evaluator.h"
#include "policy/rule_plan.h"

namespace yanglao::policy {
namespace {

constexpr size_t kMaxExhaustiveCases = 2'000'000;
constexpr size_t kSearchCases = 200'000;

// What a set of plan roots needs from the fact space.
struct Analysis {
  std::set<size_t> slots;                    // facts read
  std::map<size_t, std::set<int64_t>> cuts;  // int fact -> constants compared with
  bool symbolic = true;  // every comparison is fact-vs-constant, amounts piecewise constant
};

bool DependsOnFacts(const Plan& plan, int32_t i) {
  if (i < 0) return false;
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  if (n.op == PlanOp::kFact) return true;
  return DependsOnFacts(plan, n.a) || DependsOnFacts(plan, n.b) || DependsOnFacts(plan, n.c);
}

void Analyse(const Plan& plan, int32_t i, Analysis& out) {
  if (i < 0) return;
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  switch (n.op) {
    case PlanOp::kFact:
      out.slots.insert(static_cast<size_t>(n.value));
      return;
    case PlanOp::kEq:
    case PlanOp::kNe:
    case PlanOp::kLt:
    case PlanOp::kLe:
    case PlanOp::kGt:
    case PlanOp::kGe: {
      const PlanNode& a = plan.nodes[static_cast<size_t>(n.a)];
      const PlanNode& b = plan.nodes[static_cast<size_t>(n.b)];
      if (a.op == PlanOp::kFact && !DependsOnFacts(plan, n.b)) {
        out.cuts[static_cast<size_t>(a.value)].insert(
            EvaluateNode(plan, n.b, PersonFacts(FactSchema::Person().size(), 0)));
      } else if (b.op == PlanOp::kFact && !DependsOnFacts(plan, n.a)) {
        out.cuts[static_cast<size_t>(b.value)].insert(
            EvaluateNode(plan, n.a, PersonFacts(FactSchema::Person().size(), 0)));
      } else if (DependsOnFacts(plan, n.a) || DependsOnFacts(plan, n.b)) {
        out.symbolic = false;
      }
      break;
    }
    case PlanOp::kIn: {
      const PlanNode& a = plan.nodes[static_cast<size_t>(n.a)];
      if (a.op == PlanOp::kFact) {
        for (int64_t v : n.set) out.cuts[static_cast<size_t>(a.value)].insert(v);
      } else if (DependsOnFacts(plan, n.a)) {
        out.symbolic = false;
      }
      break;
    }
    case PlanOp::kScale: {
      const PlanNode& a = plan.nodes[static_cast<size_t>(n.a)];
      if (a.op == PlanOp::kFact) {
        for (const auto& [min, value] : n.brackets)
          out.cuts[static_cast<size_t>(a.value)].insert(min);
      } else if (DependsOnFacts(plan, n.a)) {
        out.symbolic = false;
      }
      break;
    }
    case PlanOp::kAdd:
    case PlanOp::kSub:
    case PlanOp::kMul:
    case PlanOp::kDiv:
    case PlanOp::kNeg:
      if (DependsOnFacts(plan, i)) out.symbolic = false;
      break;
    default:
      break;
  }
  Analyse(plan, n.a, out);
  Analyse(plan, n.b, out);
  Analyse(plan, n.c, out);
}

// Candidate values of each analysed fact: the default first, then one value
// per interval the constants cut (c-1, c, c+1 and the range ends).
std::vector<std::pair<size_t, std::vector<int64_t>>> Candidates(const Analysis& a) {
  const FactSchema& schema = FactSchema::Person();
  std::vector<std::pair<size_t, std::vector<int64_t>>> out;
  for (size_t slot : a.slots) {
    const FactInfo& f = schema.at(slot);
    std::set<int64_t> values;
    if (f.type == FactType::kInt) {
      values.insert(f.min);
      values.insert(f.max);
      if (auto it = a.cuts.find(slot); it != a.cuts.end()) {
        for (int64_t c : it->second) {
          for (int64_t v : {c - 1, c, c + 1}) {
            if (v >= f.min && v <= f.max) values.insert(v);
          }
        }
      }
    } else {
      for (int64_t v = f.min; v <= f.max; ++v) values.insert(v);
    }
    std::vector<int64_t> ordered(values.begin(), values.end());
    // The default (0) first, so the first counterexample found changes as
    // little as possible from an ordinary person.
    auto zero = std::find(ordered.begin(), ordered.end(), 0);
    if (zero != ordered.end()) std::rotate(ordered.begin(), zero, zero + 1);
    out.emplace_back(slot, std::move(ordered));
  }
  return out;
}

std::string Standard(const Item& item, int64_t amount, int64_t percent) {
  switch (item.benefit.type) {
    case BenefitType::kCash:
      return FormatCash(item, amount);
    case BenefitType::kDiscount:
      return fmt::format("优惠{}%", percent);
    case BenefitType::kService:
      return ServiceFrequency(item.benefit.per, item.benefit.times);
    default:
      return std::string(BenefitTypeName(item.benefit.type));
  }
}

// Compares one parent item with its child item over candidate people.
class PairCheck {
 public:
  PairCheck(const Item& parent_item, const CompiledItem& p, const Plan& parent_plan,
            const Item& child_item, const CompiledItem& c, const Plan& child_plan)
      : pi_(parent_item), p_(p), pp_(parent_plan), ci_(child_item), c_(c), cp_(child_plan) {}

  // Returns the first violation for `person`, if any.
  std::optional<ComplianceViolation> Try(const PersonFacts& person,
                                         const std::vector<size_t>& slots) {
    if (EvaluateNode(pp_, p_.eligibility, person) == 0) return std::nullopt;
    std::string who = DescribeFacts(person, slots);
    if (EvaluateNode(cp_, c_.eligibility, person) == 0) {
      return Violation(
          ComplianceViolation::Kind::kCoverage, person,
          fmt::format("上级清单第{}项「{}」覆盖此人，本清单第{}项不覆盖：{}", pi_.number, pi_.name,
                      ci_.number, who.empty() ? "（任何人）" : who));
    }
    if (pi_.benefit.type == BenefitType::kCash && ci_.benefit.type == BenefitType::kCash) {
      int64_t pa = EvaluateNode(pp_, p_.amount, person), ca = EvaluateNode(cp_, c_.amount, person);
      if (YearlyEquivalent(ci_, ca) < YearlyEquivalent(pi_, pa)) {
        return Violation(
            ComplianceViolation::Kind::kStandard, person,
            fmt::format("第{}项「{}」标准低于上级清单：上级 {}，本清单 {}；例如：{}", ci_.number,
                        ci_.name, Standard(pi_, pa, 0), Standard(ci_, ca, 0), who));
      }
    } else if (pi_.benefit.type == BenefitType::kDiscount &&
               ci_.benefit.type == BenefitType::kDiscount) {
      int64_t pp = EvaluateNode(pp_, p_.percent, person),
              cp = EvaluateNode(cp_, c_.percent, person);
      if (cp < pp) {
        return Violation(ComplianceViolation::Kind::kStandard, person,
                         fmt::format("第{}项「{}」优惠低于上级清单：上级 {}%，本清单 {}%；例如：{}",
                                     ci_.number, ci_.name, pp, cp, who));
      }
    }
    return std::nullopt;
  }

 private:
  ComplianceViolation Violation(ComplianceViolation::Kind kind, const PersonFacts& person,
                                std::string message) {
    return ComplianceViolation{kind, pi_.number, pi_.name, ci_.number, std::move(message), person};
  }

  const Item& pi_;
  const CompiledItem& p_;
  const Plan& pp_;
  const Item& ci_;
  const CompiledItem& c_;
  const Plan& cp_;
};

std::optional<ComplianceViolation> StandardTypeMismatch(const Item& p, const Item& c) {
  bool comparable = p.benefit.type == c.benefit.type;
  if (comparable && p.benefit.type == BenefitType::kService && p.benefit.per == c.benefit.per &&
      c.benefit.times < p.benefit.times) {
    return ComplianceViolation{
        ComplianceViolation::Kind::kStandard,
        p.number,
        p.name,
        c.number,
        fmt::format("第{}项「{}」服务次数低于上级清单：上级每{} {} 次，本清单 {} 次", c.number,
                    c.name, p.benefit.per, p.benefit.times, c.benefit.times),
        {}};
  }
  if (comparable) return std::nullopt;
  return ComplianceViolation{
      ComplianceViolation::Kind::kStandard,
      p.number,
      p.name,
      c.number,
      fmt::format("第{}项「{}」待遇类型与上级清单不同（上级为{}，本清单为{}），无法认定不低于上级",
                  c.number, c.name, BenefitTypeName(p.benefit.type),
                  BenefitTypeName(c.benefit.type)),
      {}};
}

}  // namespace

std::string DescribeFacts(const PersonFacts& person, const std::vector<size_t>& slots) {
  const FactSchema& schema = FactSchema::Person();
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : "，") + s; };
  for (size_t slot : slots) {
    const FactInfo& f = schema.at(slot);
    int64_t v = person[slot];
    if (f.name == "age") {
      add(fmt::format("{}岁", v));
    } else if (f.name == "disability_grade") {
      if (v != 0) add(fmt::format("残疾{}级", v));
    } else if (f.name == "capability_level") {
      if (v != 0) add(fmt::format("能力等级{}级", v));
    } else if (f.type == FactType::kBool) {
      if (v != 0) add(f.label);
    } else if (f.type == FactType::kEnum) {
      if (v != 0) add(fmt::format("{}：{}", f.label, schema.Describe(slot, v)));
    } else if (v != 0) {
      add(fmt::format("{} {}", f.label, v));
    }
  }
  return out;
}

Result<ComplianceReport> CheckCompliance(const ServiceList& parent, const ServiceList& child,
                                         CivilDate date) {
  ComplianceReport report;
  const FactSchema& schema = FactSchema::Person();
  for (const Item& pi : parent.items) {
    const Item* ci = nullptr;
    for (const Item& c : child.items) {
      if (c.name == pi.name) ci = &c;
    }
    if (ci == nullptr) {
      report.violations.push_back({ComplianceViolation::Kind::kMissingItem,
                                   pi.number,
                                   pi.name,
                                   "",
                                   fmt::format("缺少上级清单第{}项「{}」", pi.number, pi.name),
                                   {}});
      continue;
    }
    if (auto v = StandardTypeMismatch(pi, *ci)) report.violations.push_back(*v);

    Plan pplan, cplan;
    Result<CompiledItem> p = CompileItem(parent, pi, date, pplan);
    if (!p.ok()) return p.status();
    Result<CompiledItem> c = CompileItem(child, *ci, date, cplan);
    if (!c.ok()) return c.status();

    Analysis a;
    for (int32_t root : {p->eligibility, p->amount, p->percent}) Analyse(pplan, root, a);
    for (int32_t root : {c->eligibility, c->amount, c->percent}) Analyse(cplan, root, a);
    auto candidates = Candidates(a);
    std::vector<size_t> slots;
    for (const auto& [slot, values] : candidates) slots.push_back(slot);

    size_t total = 1;
    for (const auto& [slot, values] : candidates) {
      total = total > kMaxExhaustiveCases / values.size() ? kMaxExhaustiveCases + 1
                                                          : total * values.size();
    }
    bool exhaustive = a.symbolic && total <= kMaxExhaustiveCases;
    PairCheck check(pi, *p, pplan, *ci, *c, cplan);
    PersonFacts person(schema.size(), 0);
    std::optional<ComplianceViolation> found;
    size_t tried = 0;
    if (exhaustive) {
      std::vector<size_t> odometer(candidates.size(), 0);
      while (!found) {
        for (size_t k = 0; k < candidates.size(); ++k) {
          person[candidates[k].first] = candidates[k].second[odometer[k]];
        }
        ++tried;
        found = check.Try(person, slots);
        size_t k = 0;
        while (k < odometer.size() && ++odometer[k] == candidates[k].second.size())
          odometer[k++] = 0;
        if (k == odometer.size()) break;
      }
    } else {
      std::mt19937_64 rng(20231017);
      for (tried = 0; tried < kSearchCases && !found; ++tried) {
        for (const auto& [slot, values] : candidates) {
          const FactInfo& f = schema.at(slot);
          bool from_cuts = rng() % 2 == 0;
          person[slot] =
              from_cuts
                  ? values[rng() % values.size()]
                  : f.min + static_cast<int64_t>(rng() % static_cast<uint64_t>(f.max - f.min + 1));
        }
        found = check.Try(person, slots);
      }
    }
    report.checks.push_back(
        {pi.number, pi.name, ci->number, exhaustive ? "symbolic" : "search", tried});
    if (found) report.violations.push_back(*found);
  }
  return report;
}

}  // namespace yanglao::policy
