#include "policy/population.h"

#include <algorithm>
#include <functional>

#include "policy/evaluator.h"
#include "policy/plan_ops.h"

namespace yanglao::policy {

// Restores the evaluator's scratch stacks when a node is done with them.
class ScratchMark {
 public:
  explicit ScratchMark(PopulationEvaluator& e)
      : e_(e), rows_(e.rows_top_), values_(e.values_top_) {}
  ~ScratchMark() {
    e_.rows_top_ = rows_;
    e_.values_top_ = values_;
  }
  ScratchMark(const ScratchMark&) = delete;
  ScratchMark& operator=(const ScratchMark&) = delete;

 private:
  PopulationEvaluator& e_;
  size_t rows_, values_;
};

namespace {

// in minus sub, where sub is an ascending subset of the ascending in.
size_t Difference(const uint32_t* in, size_t n, const uint32_t* sub, size_t ns, uint32_t* out) {
  size_t k = 0, j = 0;
  for (size_t i = 0; i < n; ++i) {
    if (j < ns && sub[j] == in[i]) {
      ++j;
    } else {
      out[k++] = in[i];
    }
  }
  return k;
}

// Union of two disjoint ascending arrays.
size_t Merge(const uint32_t* a, size_t na, const uint32_t* b, size_t nb, uint32_t* out) {
  std::merge(a, a + na, b, b + nb, out);
  return na + nb;
}

// The common case, a fact compared with a constant: branch-free, every row
// is written and the cursor advances only for rows that pass.
template <typename Op>
size_t SelectFactConst(const uint8_t* col, int64_t constant, const uint32_t* in, size_t n,
                       uint32_t* out) {
  // Column values are 0..255, so clamping the constant keeps every result.
  auto c = static_cast<int32_t>(std::clamp<int64_t>(constant, -1, 256));
  Op op;
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t r = in[i];
    out[k] = r;
    k += static_cast<size_t>(op(static_cast<int32_t>(col[r]), c));
  }
  return k;
}

size_t SelectFactConst(PlanOp op, const uint8_t* col, int64_t c, const uint32_t* in, size_t n,
                       uint32_t* out) {
  switch (op) {
    case PlanOp::kEq:
      return SelectFactConst<std::equal_to<int32_t>>(col, c, in, n, out);
    case PlanOp::kNe:
      return SelectFactConst<std::not_equal_to<int32_t>>(col, c, in, n, out);
    case PlanOp::kLt:
      return SelectFactConst<std::less<int32_t>>(col, c, in, n, out);
    case PlanOp::kLe:
      return SelectFactConst<std::less_equal<int32_t>>(col, c, in, n, out);
    case PlanOp::kGt:
      return SelectFactConst<std::greater<int32_t>>(col, c, in, n, out);
    case PlanOp::kGe:
      return SelectFactConst<std::greater_equal<int32_t>>(col, c, in, n, out);
    default:
      return 0;
  }
}

// Elements of ascending a that are not in ascending b (any subsets).
size_t Minus(const uint32_t* a, size_t na, const uint32_t* b, size_t nb, uint32_t* out) {
  return static_cast<size_t>(std::set_difference(a, a + na, b, b + nb, out) - out);
}
size_t Intersect(const uint32_t* a, size_t na, const uint32_t* b, size_t nb, uint32_t* out) {
  return static_cast<size_t>(std::set_intersection(a, a + na, b, b + nb, out) - out);
}
size_t Union(const uint32_t* a, size_t na, const uint32_t* b, size_t nb, uint32_t* out) {
  return static_cast<size_t>(std::set_union(a, a + na, b, b + nb, out) - out);
}

}  // namespace

PopulationEvaluator::PopulationEvaluator(const Plan& plan, const Population& pop)
    : plan_(plan), pop_(pop) {
  // Children come before their parents in a plan.
  const size_t n = plan.nodes.size();
  may_unknown_.assign(n, 0);
  unknown_slots_.resize(n);
  if (pop.unknown.empty()) return;
  for (size_t i = 0; i < n; ++i) {
    const PlanNode& nd = plan.nodes[i];
    std::vector<size_t>& slots = unknown_slots_[i];
    if (nd.op == PlanOp::kFact) {
      auto slot = static_cast<size_t>(nd.value);
      if (slot < pop.unknown.size() && pop.unknown[slot] != 0) slots.push_back(slot);
    }
    for (int32_t c : {nd.a, nd.b, nd.c}) {
      if (c < 0) continue;
      for (size_t slot : unknown_slots_[static_cast<size_t>(c)]) {
        if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
      }
    }
    may_unknown_[i] = slots.empty() ? 0 : 1;
  }
}

size_t PopulationEvaluator::SelectReadsUnknown(int32_t root, const uint32_t* in, size_t n,
                                               uint32_t* out) {
  const std::vector<size_t>& slots = unknown_slots_[static_cast<size_t>(root)];
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t r = in[i];
    bool unknown = false;
    for (size_t slot : slots) unknown |= pop_.columns[slot][r] == kUnknownFact;
    out[k] = r;
    k += static_cast<size_t>(unknown);
  }
  return k;
}

size_t PopulationEvaluator::Select3(int32_t root, const uint32_t* in, size_t n, uint32_t* yes,
                                    uint32_t* unknown, size_t* nu) {
  *nu = 0;
  if (n == 0) return 0;
  if (!MayBeUnknown(root)) return Select(root, in, n, yes);
  const PlanNode& nd = plan_.nodes[static_cast<size_t>(root)];
  ScratchMark mark(*this);
  switch (nd.op) {
    case PlanOp::kFact: {
      const uint8_t* col = pop_.columns[static_cast<size_t>(nd.value)];
      size_t ky = 0, ku = 0;
      for (size_t i = 0; i < n; ++i) {
        uint32_t r = in[i];
        uint8_t v = col[r];
        yes[ky] = r;
        unknown[ku] = r;
        ky += static_cast<size_t>(v != 0 && v != kUnknownFact);
        ku += static_cast<size_t>(v == kUnknownFact);
      }
      *nu = ku;
      return ky;
    }
    case PlanOp::kNot: {
      uint32_t* y = RowBuffer(n);
      uint32_t* maybe = RowBuffer(n);
      size_t ny = Select3(nd.a, in, n, y, unknown, nu);
      size_t nm = Union(y, ny, unknown, *nu, maybe);
      return Minus(in, n, maybe, nm, yes);
    }
    case PlanOp::kAnd: {
      uint32_t* y1 = RowBuffer(n);
      uint32_t* u1 = RowBuffer(n);
      size_t n1u = 0;
      size_t n1y = Select3(nd.a, in, n, y1, u1, &n1u);
      uint32_t* maybe = RowBuffer(n);
      size_t nm = Merge(y1, n1y, u1, n1u, maybe);
      uint32_t* y2 = RowBuffer(n);
      uint32_t* u2 = RowBuffer(n);
      size_t n2u = 0;
      size_t n2y = Select3(nd.b, maybe, nm, y2, u2, &n2u);
      size_t ny = Intersect(y2, n2y, y1, n1y, yes);
      uint32_t* partly = RowBuffer(n);  // yes on the right, unknown on the left
      size_t np = Intersect(y2, n2y, u1, n1u, partly);
      *nu = Merge(u2, n2u, partly, np, unknown);
      return ny;
    }
    case PlanOp::kOr: {
      uint32_t* y1 = RowBuffer(n);
      uint32_t* u1 = RowBuffer(n);
      size_t n1u = 0;
      size_t n1y = Select3(nd.a, in, n, y1, u1, &n1u);
      uint32_t* rest = RowBuffer(n);
      size_t nr = Difference(in, n, y1, n1y, rest);
      uint32_t* y2 = RowBuffer(n);
      uint32_t* u2 = RowBuffer(n);
      size_t n2u = 0;
      size_t n2y = Select3(nd.b, rest, nr, y2, u2, &n2u);
      size_t ny = Merge(y1, n1y, y2, n2y, yes);
      uint32_t* left = RowBuffer(n);  // unknown on the left, not yes on the right
      size_t nl = Minus(u1, n1u, y2, n2y, left);
      *nu = Union(left, nl, u2, n2u, unknown);
      return ny;
    }
    case PlanOp::kCond: {
      if (nd.origin == nullptr || nd.origin->type.kind != TypeKind::kBool) break;
      uint32_t* yc = RowBuffer(n);
      uint32_t* uc = RowBuffer(n);
      size_t nuc = 0;
      size_t nyc = Select3(nd.a, in, n, yc, uc, &nuc);
      uint32_t* fc = RowBuffer(n);
      uint32_t* maybe = RowBuffer(n);
      size_t nm = Merge(yc, nyc, uc, nuc, maybe);
      size_t nf = Difference(in, n, maybe, nm, fc);
      uint32_t* notyes = RowBuffer(n);
      size_t nny = Merge(fc, nf, uc, nuc, notyes);
      uint32_t* ya = RowBuffer(n);
      uint32_t* ua = RowBuffer(n);
      size_t nua = 0;
      size_t nya = Select3(nd.b, maybe, nm, ya, ua, &nua);
      uint32_t* yb = RowBuffer(n);
      uint32_t* ub = RowBuffer(n);
      size_t nub = 0;
      size_t nyb = Select3(nd.c, notyes, nny, yb, ub, &nub);
      auto has = [](const uint32_t* v, size_t k, uint32_t r) {
        return std::binary_search(v, v + k, r);
      };
      size_t ky = 0, ku = 0;
      for (size_t i = 0; i < n; ++i) {
        uint32_t r = in[i];
        Truth a = has(ya, nya, r) ? Truth::kYes : has(ua, nua, r) ? Truth::kUnknown : Truth::kNo;
        Truth b = has(yb, nyb, r) ? Truth::kYes : has(ub, nub, r) ? Truth::kUnknown : Truth::kNo;
        Truth t = has(yc, nyc, r) ? a : has(uc, nuc, r) ? (a == b ? a : Truth::kUnknown) : b;
        if (t == Truth::kYes) yes[ky++] = r;
        if (t == Truth::kUnknown) unknown[ku++] = r;
      }
      *nu = ku;
      return ky;
    }
    default:
      break;
  }
  // Strict: rows reading an unknown fact are unknown, the others two-valued.
  *nu = SelectReadsUnknown(root, in, n, unknown);
  uint32_t* known = RowBuffer(n);
  size_t nk = Difference(in, n, unknown, *nu, known);
  return Select(root, known, nk, yes);
}

Population Population::FromPeople(const std::vector<PersonFacts>& people) {
  Population pop;
  pop.size = people.size();
  size_t slots = FactSchema::Person().size();
  pop.owned.assign(slots, std::vector<uint8_t>(people.size(), 0));
  for (size_t r = 0; r < people.size(); ++r) {
    for (size_t s = 0; s < slots && s < people[r].size(); ++s) {
      pop.owned[s][r] = static_cast<uint8_t>(std::clamp<int64_t>(people[r][s], 0, 255));
    }
  }
  pop.unknown.assign(slots, 0);
  for (size_t s = 0; s < slots; ++s) {
    const std::vector<uint8_t>& col = pop.owned[s];
    pop.unknown[s] = std::find(col.begin(), col.end(), kUnknownFact) != col.end() ? 1 : 0;
  }
  for (const std::vector<uint8_t>& col : pop.owned) pop.columns.push_back(col.data());
  return pop;
}

uint32_t* PopulationEvaluator::RowBuffer(size_t n) {
  if (rows_top_ == rows_.size()) rows_.emplace_back();
  std::vector<uint32_t>& b = rows_[rows_top_++];
  if (b.size() < n) b.resize(n);
  return b.data();
}

int64_t* PopulationEvaluator::ValueBuffer(size_t n) {
  if (values_top_ == values_.size()) values_.emplace_back();
  std::vector<int64_t>& b = values_[values_top_++];
  if (b.size() < n) b.resize(n);
  return b.data();
}

size_t PopulationEvaluator::Select(int32_t root, const uint32_t* in, size_t n, uint32_t* out) {
  if (n == 0) return 0;
  const PlanNode& nd = plan_.nodes[static_cast<size_t>(root)];
  ScratchMark mark(*this);
  switch (nd.op) {
    case PlanOp::kConst:
      if (nd.value == 0) return 0;
      std::copy(in, in + n, out);
      return n;
    case PlanOp::kFact: {
      const uint8_t* col = pop_.columns[static_cast<size_t>(nd.value)];
      size_t k = 0;
      for (size_t i = 0; i < n; ++i) {
        uint32_t r = in[i];
        out[k] = r;
        k += static_cast<size_t>(col[r] != 0);
      }
      return k;
    }
    case PlanOp::kAnd: {
      uint32_t* left = RowBuffer(n);
      size_t nl = Select(nd.a, in, n, left);
      return Select(nd.b, left, nl, out);  // only rows still in
    }
    case PlanOp::kOr: {
      uint32_t* left = RowBuffer(n);
      size_t nl = Select(nd.a, in, n, left);
      uint32_t* rest = RowBuffer(n);
      size_t nr = Difference(in, n, left, nl, rest);
      uint32_t* right = RowBuffer(nr);
      size_t nrr = Select(nd.b, rest, nr, right);  // only rows not yet in
      return Merge(left, nl, right, nrr, out);
    }
    case PlanOp::kNot: {
      uint32_t* yes = RowBuffer(n);
      size_t ny = Select(nd.a, in, n, yes);
      return Difference(in, n, yes, ny, out);
    }
    case PlanOp::kCond: {
      uint32_t* cond = RowBuffer(n);
      size_t nc = Select(nd.a, in, n, cond);
      uint32_t* rest = RowBuffer(n);
      size_t nr = Difference(in, n, cond, nc, rest);
      uint32_t* t = RowBuffer(nc);
      size_t nt = Select(nd.b, cond, nc, t);
      uint32_t* f = RowBuffer(nr);
      size_t nf = Select(nd.c, rest, nr, f);
      return Merge(t, nt, f, nf, out);
    }
    case PlanOp::kIn: {
      int64_t* v = ValueBuffer(n);
      Values(nd.a, in, n, v);
      size_t k = 0;
      for (size_t i = 0; i < n; ++i) {
        out[k] = in[i];
        k += static_cast<size_t>(InSet(nd, v[i]));
      }
      return k;
    }
    default:
      break;
  }
  if (!IsComparison(nd.op)) return SelectByValues(root, in, n, out);
  const PlanNode& a = plan_.nodes[static_cast<size_t>(nd.a)];
  const PlanNode& b = plan_.nodes[static_cast<size_t>(nd.b)];
  if (a.op == PlanOp::kFact && b.op == PlanOp::kConst) {
    return SelectFactConst(nd.op, pop_.columns[static_cast<size_t>(a.value)], b.value, in, n, out);
  }
  if (a.op == PlanOp::kConst && b.op == PlanOp::kFact) {
    return SelectFactConst(FlipComparison(nd.op), pop_.columns[static_cast<size_t>(b.value)],
                           a.value, in, n, out);
  }
  int64_t* x = ValueBuffer(n);
  int64_t* y = ValueBuffer(n);
  Values(nd.a, in, n, x);
  Values(nd.b, in, n, y);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    out[k] = in[i];
    k += static_cast<size_t>(Compare(nd.op, x[i], y[i]));
  }
  return k;
}

// A non-boolean node in a boolean position cannot pass the checker; kept
// for completeness: rows whose value is not zero.
size_t PopulationEvaluator::SelectByValues(int32_t root, const uint32_t* in, size_t n,
                                           uint32_t* out) {
  int64_t* v = ValueBuffer(n);
  Values(root, in, n, v);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    out[k] = in[i];
    k += static_cast<size_t>(v[i] != 0);
  }
  return k;
}

void PopulationEvaluator::Values(int32_t root, const uint32_t* rows, size_t n, int64_t* out) {
  if (n == 0) return;
  const PlanNode& nd = plan_.nodes[static_cast<size_t>(root)];
  ScratchMark mark(*this);
  switch (nd.op) {
    case PlanOp::kConst:
      std::fill(out, out + n, nd.value);
      return;
    case PlanOp::kFact: {
      const uint8_t* col = pop_.columns[static_cast<size_t>(nd.value)];
      for (size_t i = 0; i < n; ++i) out[i] = col[rows[i]];
      return;
    }
    case PlanOp::kScale:
      Values(nd.a, rows, n, out);
      for (size_t i = 0; i < n; ++i) out[i] = ScaleLookup(nd, out[i]);
      return;
    case PlanOp::kNeg:
      Values(nd.a, rows, n, out);
      for (size_t i = 0; i < n; ++i) out[i] = ApplyArithmetic(PlanOp::kSub, nd.money, 0, out[i]);
      return;
    case PlanOp::kMin:
    case PlanOp::kMax: {
      int64_t* y = ValueBuffer(n);
      Values(nd.a, rows, n, out);
      Values(nd.b, rows, n, y);
      for (size_t i = 0; i < n; ++i) {
        out[i] = nd.op == PlanOp::kMin ? std::min(out[i], y[i]) : std::max(out[i], y[i]);
      }
      return;
    }
    case PlanOp::kCond: {
      uint32_t* cond = RowBuffer(n);
      size_t nc = Select(nd.a, rows, n, cond);
      uint32_t* rest = RowBuffer(n);
      size_t nr = Difference(rows, n, cond, nc, rest);
      int64_t* t = ValueBuffer(nc);
      int64_t* f = ValueBuffer(nr);
      Values(nd.b, cond, nc, t);
      Values(nd.c, rest, nr, f);
      // Scatter back in row order: both parts are ascending subsets of rows.
      size_t ti = 0, fi = 0;
      for (size_t i = 0; i < n; ++i) {
        out[i] = ti < nc && cond[ti] == rows[i] ? t[ti++] : f[fi++];
      }
      return;
    }
    default:
      break;
  }
  if (IsArithmetic(nd.op)) {
    int64_t* y = ValueBuffer(n);
    Values(nd.a, rows, n, out);
    Values(nd.b, rows, n, y);
    for (size_t i = 0; i < n; ++i) out[i] = ApplyArithmetic(nd.op, nd.money, out[i], y[i]);
    return;
  }
  // Boolean-valued node: 1 for rows it selects.
  uint32_t* yes = RowBuffer(n);
  size_t ny = Select(root, rows, n, yes);
  size_t j = 0;
  for (size_t i = 0; i < n; ++i) {
    bool in = j < ny && yes[j] == rows[i];
    out[i] = in ? 1 : 0;
    j += in ? 1 : 0;
  }
}

void SelectRows(const Plan& plan, int32_t root, const Population& pop,
                const std::vector<uint32_t>& in, std::vector<uint32_t>& out) {
  PopulationEvaluator ev(plan, pop);
  out.resize(in.size());
  out.resize(ev.Select(root, in.data(), in.size(), out.data()));
}

void ComputeValues(const Plan& plan, int32_t root, const Population& pop,
                   const std::vector<uint32_t>& rows, std::vector<int64_t>& out) {
  PopulationEvaluator ev(plan, pop);
  out.assign(rows.size(), 0);
  ev.Values(root, rows.data(), rows.size(), out.data());
}

}  // namespace yanglao::policy
