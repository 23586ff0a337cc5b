#include "policy/evaluator.h"

#include <fmt/format.h>

#include <algorithm>

namespace yanglao::policy {
namespace {

bool IsBoolNode(const PlanNode& n) {
  return n.origin != nullptr && n.origin->type.kind == TypeKind::kBool;
}

int64_t Compare(PlanOp op, int64_t x, int64_t y) {
  switch (op) {
    case PlanOp::kEq:
      return x == y;
    case PlanOp::kNe:
      return x != y;
    case PlanOp::kLt:
      return x < y;
    case PlanOp::kLe:
      return x <= y;
    case PlanOp::kGt:
      return x > y;
    case PlanOp::kGe:
      return x >= y;
    default:
      return 0;
  }
}

bool IsComparison(PlanOp op) {
  return op == PlanOp::kEq || op == PlanOp::kNe || op == PlanOp::kLt || op == PlanOp::kLe ||
         op == PlanOp::kGt || op == PlanOp::kGe;
}

bool IsArithmetic(PlanOp op) {
  return op == PlanOp::kAdd || op == PlanOp::kSub || op == PlanOp::kMul || op == PlanOp::kDiv;
}

// The bracket value for `x`: the entry with the largest min <= x, or 0.
int64_t ScaleLookup(const PlanNode& n, int64_t x) {
  int64_t v = 0;
  for (const auto& [min, value] : n.brackets) {
    if (min <= x) v = value;
  }
  return v;
}

bool InSet(const PlanNode& n, int64_t x) {
  return std::find(n.set.begin(), n.set.end(), x) != n.set.end();
}

// a minus b, both ascending.
void Difference(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b,
                std::vector<uint32_t>& out) {
  out.clear();
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
}

void Union(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b,
           std::vector<uint32_t>& out) {
  out.clear();
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
}

void CollectFacts(const Plan& plan, int32_t i, std::vector<size_t>& slots) {
  if (i < 0) return;
  const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
  if (n.op == PlanOp::kFact) {
    auto slot = static_cast<size_t>(n.value);
    if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
    return;
  }
  CollectFacts(plan, n.a, slots);
  CollectFacts(plan, n.b, slots);
  CollectFacts(plan, n.c, slots);
}

}  // namespace

int64_t EvaluateNode(const Plan& plan, int32_t root, const PersonFacts& person,
                     std::vector<int32_t>* deciding) {
  const PlanNode& n = plan.nodes[static_cast<size_t>(root)];
  auto eval = [&](int32_t i, std::vector<int32_t>* d = nullptr) {
    return EvaluateNode(plan, i, person, d);
  };
  switch (n.op) {
    case PlanOp::kConst:
      return n.value;
    case PlanOp::kFact: {
      int64_t v = person[static_cast<size_t>(n.value)];
      if (deciding && IsBoolNode(n)) deciding->push_back(root);
      return v;
    }
    case PlanOp::kScale:
      return ScaleLookup(n, eval(n.a));
    case PlanOp::kNot:
      return eval(n.a, deciding) == 0;
    case PlanOp::kNeg:
      return ApplyArithmetic(PlanOp::kSub, n.money, 0, eval(n.a));
    case PlanOp::kAnd:
    case PlanOp::kOr: {
      bool is_and = n.op == PlanOp::kAnd;
      std::vector<int32_t> da, db;
      int64_t x = eval(n.a, deciding ? &da : nullptr) != 0;
      if (x != is_and) {  // AND false / OR true: the left side decided
        if (deciding) deciding->insert(deciding->end(), da.begin(), da.end());
        return x;
      }
      int64_t y = eval(n.b, deciding ? &db : nullptr) != 0;
      if (deciding) {
        if (y != is_and) {
          deciding->insert(deciding->end(), db.begin(), db.end());
        } else {
          deciding->insert(deciding->end(), da.begin(), da.end());
          deciding->insert(deciding->end(), db.begin(), db.end());
        }
      }
      return y;
    }
    case PlanOp::kIn: {
      int64_t v = InSet(n, eval(n.a));
      if (deciding) deciding->push_back(root);
      return v;
    }
    case PlanOp::kCond:
      return eval(n.a, deciding) != 0 ? eval(n.b, deciding) : eval(n.c, deciding);
    case PlanOp::kMin:
      return std::min(eval(n.a), eval(n.b));
    case PlanOp::kMax:
      return std::max(eval(n.a), eval(n.b));
    default:
      if (IsComparison(n.op)) {
        int64_t v = Compare(n.op, eval(n.a), eval(n.b));
        if (deciding) deciding->push_back(root);
        return v;
      }
      return ApplyArithmetic(n.op, n.money, eval(n.a), eval(n.b));
  }
}

std::vector<std::string> ExplainNodes(const Plan& plan, const std::vector<int32_t>& deciding,
                                      const PersonFacts& person) {
  const FactSchema& schema = FactSchema::Person();
  std::vector<std::string> lines;
  for (int32_t i : deciding) {
    const PlanNode& n = plan.nodes[static_cast<size_t>(i)];
    bool value = EvaluateNode(plan, i, person) != 0;
    if (n.op == PlanOp::kFact) {
      lines.push_back(fmt::format("{}：{}", schema.at(static_cast<size_t>(n.value)).label,
                                  value ? "是" : "否"));
      continue;
    }
    std::vector<size_t> slots;
    CollectFacts(plan, i, slots);
    std::string facts;
    for (size_t slot : slots) {
      facts += fmt::format("{}{}={}", facts.empty() ? "" : "，", schema.at(slot).label,
                           schema.Describe(slot, person[slot]));
    }
    std::string source = n.origin ? ToSource(*n.origin) : "?";
    lines.push_back(facts.empty()
                        ? fmt::format("{}：{}", source, value ? "是" : "否")
                        : fmt::format("{}（{}）：{}", source, facts, value ? "是" : "否"));
  }
  return lines;
}

Population Population::FromPeople(const std::vector<PersonFacts>& people) {
  Population pop;
  pop.size = people.size();
  size_t slots = FactSchema::Person().size();
  pop.columns.assign(slots, std::vector<int32_t>(people.size(), 0));
  for (size_t r = 0; r < people.size(); ++r) {
    for (size_t s = 0; s < slots && s < people[r].size(); ++s) {
      pop.columns[s][r] = static_cast<int32_t>(people[r][s]);
    }
  }
  return pop;
}

void SelectRows(const Plan& plan, int32_t root, const Population& pop,
                const std::vector<uint32_t>& in, std::vector<uint32_t>& out) {
  const PlanNode& n = plan.nodes[static_cast<size_t>(root)];
  out.clear();
  switch (n.op) {
    case PlanOp::kConst:
      if (n.value != 0) out = in;
      return;
    case PlanOp::kFact: {
      const std::vector<int32_t>& col = pop.columns[static_cast<size_t>(n.value)];
      for (uint32_t r : in) {
        if (col[r] != 0) out.push_back(r);
      }
      return;
    }
    case PlanOp::kAnd: {
      std::vector<uint32_t> left;
      SelectRows(plan, n.a, pop, in, left);
      SelectRows(plan, n.b, pop, left, out);  // only rows still in
      return;
    }
    case PlanOp::kOr: {
      std::vector<uint32_t> left, rest, right;
      SelectRows(plan, n.a, pop, in, left);
      Difference(in, left, rest);
      SelectRows(plan, n.b, pop, rest, right);  // only rows not yet in
      Union(left, right, out);
      return;
    }
    case PlanOp::kNot: {
      std::vector<uint32_t> yes;
      SelectRows(plan, n.a, pop, in, yes);
      Difference(in, yes, out);
      return;
    }
    case PlanOp::kCond: {
      std::vector<uint32_t> cond, rest, t, f;
      SelectRows(plan, n.a, pop, in, cond);
      Difference(in, cond, rest);
      SelectRows(plan, n.b, pop, cond, t);
      SelectRows(plan, n.c, pop, rest, f);
      Union(t, f, out);
      return;
    }
    case PlanOp::kIn: {
      std::vector<int64_t> values;
      ComputeValues(plan, n.a, pop, in, values);
      for (size_t i = 0; i < in.size(); ++i) {
        if (InSet(n, values[i])) out.push_back(in[i]);
      }
      return;
    }
    default:
      break;
  }
  if (IsComparison(n.op)) {
    const PlanNode& a = plan.nodes[static_cast<size_t>(n.a)];
    const PlanNode& b = plan.nodes[static_cast<size_t>(n.b)];
    if (a.op == PlanOp::kFact && b.op == PlanOp::kConst) {  // the common case: fact op constant
      const std::vector<int32_t>& col = pop.columns[static_cast<size_t>(a.value)];
      for (uint32_t r : in) {
        if (Compare(n.op, col[r], b.value)) out.push_back(r);
      }
      return;
    }
    std::vector<int64_t> x, y;
    ComputeValues(plan, n.a, pop, in, x);
    ComputeValues(plan, n.b, pop, in, y);
    for (size_t i = 0; i < in.size(); ++i) {
      if (Compare(n.op, x[i], y[i])) out.push_back(in[i]);
    }
    return;
  }
  // A non-boolean node in a boolean position cannot pass the checker.
  std::vector<int64_t> v;
  ComputeValues(plan, root, pop, in, v);
  for (size_t i = 0; i < in.size(); ++i) {
    if (v[i] != 0) out.push_back(in[i]);
  }
}

void ComputeValues(const Plan& plan, int32_t root, const Population& pop,
                   const std::vector<uint32_t>& rows, std::vector<int64_t>& out) {
  const PlanNode& n = plan.nodes[static_cast<size_t>(root)];
  out.assign(rows.size(), 0);
  switch (n.op) {
    case PlanOp::kConst:
      std::fill(out.begin(), out.end(), n.value);
      return;
    case PlanOp::kFact: {
      const std::vector<int32_t>& col = pop.columns[static_cast<size_t>(n.value)];
      for (size_t i = 0; i < rows.size(); ++i) out[i] = col[rows[i]];
      return;
    }
    case PlanOp::kScale: {
      std::vector<int64_t> x;
      ComputeValues(plan, n.a, pop, rows, x);
      for (size_t i = 0; i < rows.size(); ++i) out[i] = ScaleLookup(n, x[i]);
      return;
    }
    case PlanOp::kNeg: {
      ComputeValues(plan, n.a, pop, rows, out);
      for (int64_t& v : out) v = ApplyArithmetic(PlanOp::kSub, n.money, 0, v);
      return;
    }
    case PlanOp::kMin:
    case PlanOp::kMax: {
      std::vector<int64_t> x, y;
      ComputeValues(plan, n.a, pop, rows, x);
      ComputeValues(plan, n.b, pop, rows, y);
      for (size_t i = 0; i < rows.size(); ++i) {
        out[i] = n.op == PlanOp::kMin ? std::min(x[i], y[i]) : std::max(x[i], y[i]);
      }
      return;
    }
    case PlanOp::kCond: {
      std::vector<uint32_t> cond, rest;
      SelectRows(plan, n.a, pop, rows, cond);
      Difference(rows, cond, rest);
      std::vector<int64_t> t, f;
      ComputeValues(plan, n.b, pop, cond, t);
      ComputeValues(plan, n.c, pop, rest, f);
      // Scatter back in row order: both parts are ascending subsets of rows.
      size_t ti = 0, fi = 0;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (ti < cond.size() && cond[ti] == rows[i]) {
          out[i] = t[ti++];
        } else {
          out[i] = f[fi++];
        }
      }
      return;
    }
    default:
      break;
  }
  if (IsArithmetic(n.op)) {
    std::vector<int64_t> x, y;
    ComputeValues(plan, n.a, pop, rows, x);
    ComputeValues(plan, n.b, pop, rows, y);
    for (size_t i = 0; i < rows.size(); ++i) out[i] = ApplyArithmetic(n.op, n.money, x[i], y[i]);
    return;
  }
  // Boolean-valued node: 1 for rows it selects.
  std::vector<uint32_t> yes;
  SelectRows(plan, root, pop, rows, yes);
  size_t j = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (j < yes.size() && yes[j] == rows[i]) {
      out[i] = 1;
      ++j;
    }
  }
}

}  // namespace yanglao::policy
