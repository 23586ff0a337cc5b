#include "policy/population.h"

#include <algorithm>
#include <functional>

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

// x op y  <=>  y flipped(op) x
PlanOp Flip(PlanOp op) {
  switch (op) {
    case PlanOp::kLt:
      return PlanOp::kGt;
    case PlanOp::kLe:
      return PlanOp::kGe;
    case PlanOp::kGt:
      return PlanOp::kLt;
    case PlanOp::kGe:
      return PlanOp::kLe;
    default:
      return op;
  }
}

}  // namespace

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
    return SelectFactConst(Flip(nd.op), pop_.columns[static_cast<size_t>(b.value)], a.value, in, n,
                           out);
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
