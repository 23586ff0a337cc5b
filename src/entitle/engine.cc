#include "entitle/engine.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/thread_priority.h"
#include "policy/fact_schema.h"
#include "policy/plan_ops.h"
#include "policy/rule_ast.h"

namespace yanglao::entitle {
namespace {

using policy::PlanNode;
using policy::PlanOp;

int32_t AncestorAt(int32_t index, RegionLevel level) {
  if (index < 0) return -1;
  const RegionTable& table = RegionTable::Builtin();
  const Region* r = &table.all()[static_cast<size_t>(index)];
  while (r != nullptr && r->level > level) r = table.Parent(*r);
  return r != nullptr && r->level == level ? table.IndexOfRegion(*r) : -1;
}

// The street of every region of the built-in table, computed once.
const std::vector<int32_t>& StreetOfRegion() {
  static const std::vector<int32_t> streets = [] {
    std::vector<int32_t> s(RegionTable::Builtin().size());
    for (size_t i = 0; i < s.size(); ++i)
      s[i] = AncestorAt(static_cast<int32_t>(i), RegionLevel::kTownship);
    return s;
  }();
  return streets;
}

// ---------------------------------------------------------------------------
// The block evaluator. Rows are taken kBlock at a time; every boolean node a
// list needs is computed once per block as a byte mask (0 or 1 per row) from
// the columns (a fact compared with a constant, the common case, is one
// vectorised pass over the column), structurally equal nodes of different
// items are the same node, and each item's rows are compressed from its mask.
// It computes exactly what policy::EntitlePopulation computes (the reference,
// EvaluateReference): the same two-valued and three-valued semantics of
// policy/population.cc, node by node.

constexpr size_t kBlock = 2048;          // rows evaluated together (masks stay in L1/L2)
constexpr size_t kStride = kBlock + 64;  // bytes per mask: room for compression's tails
constexpr size_t kChunkBlocks = 8;       // blocks a thread takes and commits at once

// A fact compared with a constant, in the byte domain of the columns.
enum class ByteTest : uint8_t { kAll, kNone, kEq, kNe, kLt, kGe };

struct NodeInfo {
  int32_t canon = -1;        // the first structurally equal node
  bool may_unknown = false;  // reads a column that may hold kUnknownFact
  std::vector<size_t> unknown_slots;
  bool bool_cond = false;  // a conditional typed bool (three-valued)
  // A fact compared with a constant (or `in` a set of constants).
  bool fact_test = false;
  size_t slot = 0;
  ByteTest test = ByteTest::kNone;
  uint8_t constant = 0;
  bool fact_in = false;
  std::vector<uint8_t> in_values;  // the set's values that a byte can hold
};

ByteTest Normalise(PlanOp op, int64_t c, uint8_t& out) {
  // Columns hold 0..255: `col op c` as a test against a byte.
  switch (op) {
    case PlanOp::kEq:
      if (c < 0 || c > 255) return ByteTest::kNone;
      out = static_cast<uint8_t>(c);
      return ByteTest::kEq;
    case PlanOp::kNe:
      if (c < 0 || c > 255) return ByteTest::kAll;
      out = static_cast<uint8_t>(c);
      return ByteTest::kNe;
    case PlanOp::kLt:
      if (c <= 0) return ByteTest::kNone;
      if (c > 255) return ByteTest::kAll;
      out = static_cast<uint8_t>(c);
      return ByteTest::kLt;
    case PlanOp::kLe:
      return Normalise(PlanOp::kLt, c >= 255 ? 256 : c + 1, out);
    case PlanOp::kGt:
      return Normalise(PlanOp::kGe, c >= 255 ? 256 : c + 1, out);
    case PlanOp::kGe:
      if (c <= 0) return ByteTest::kAll;
      if (c > 255) return ByteTest::kNone;
      out = static_cast<uint8_t>(c);
      return ByteTest::kGe;
    default:
      return ByteTest::kNone;
  }
}

struct Program {
  const policy::Plan* plan = nullptr;
  std::vector<NodeInfo> info;  // per plan node

  Program(const policy::Plan& p, const policy::Population& pop) : plan(&p) {
    const size_t n = p.nodes.size();
    info.resize(n);
    std::map<std::string, int32_t> first;
    std::vector<std::string> key(n);
    // Children come before their parents in a plan (policy/rule_plan.cc), so
    // one pass in index order sees every child first.
    for (size_t i = 0; i < n; ++i) {
      const PlanNode& nd = p.nodes[i];
      NodeInfo& in = info[i];
      std::string k =
          std::to_string(static_cast<int>(nd.op)) + ' ' + std::to_string(nd.value) +
          (nd.money ? "m" : "") +
          (nd.origin != nullptr && nd.origin->type.kind == policy::TypeKind::kBool ? "b" : "");
      for (int64_t v : nd.set) k += " s" + std::to_string(v);
      for (const auto& [min, value] : nd.brackets)
        k += " b" + std::to_string(min) + ':' + std::to_string(value);
      for (int32_t c : {nd.a, nd.b, nd.c}) {
        k += c < 0 ? std::string(" _") : " c" + std::to_string(info[static_cast<size_t>(c)].canon);
      }
      auto [it, inserted] = first.emplace(k, static_cast<int32_t>(i));
      in.canon = it->second;
      // As PopulationEvaluator: the columns that may hold unknown facts.
      if (!pop.unknown.empty()) {
        if (nd.op == PlanOp::kFact) {
          auto slot = static_cast<size_t>(nd.value);
          if (slot < pop.unknown.size() && pop.unknown[slot] != 0) in.unknown_slots.push_back(slot);
        }
        for (int32_t c : {nd.a, nd.b, nd.c}) {
          if (c < 0) continue;
          for (size_t slot : info[static_cast<size_t>(c)].unknown_slots) {
            if (std::find(in.unknown_slots.begin(), in.unknown_slots.end(), slot) ==
                in.unknown_slots.end())
              in.unknown_slots.push_back(slot);
          }
        }
      }
      in.may_unknown = !in.unknown_slots.empty();
      in.bool_cond = nd.op == PlanOp::kCond && nd.origin != nullptr &&
                     nd.origin->type.kind == policy::TypeKind::kBool;
      if (policy::IsComparison(nd.op)) {
        const PlanNode& a = p.nodes[static_cast<size_t>(nd.a)];
        const PlanNode& b = p.nodes[static_cast<size_t>(nd.b)];
        if (a.op == PlanOp::kFact && b.op == PlanOp::kConst) {
          in.fact_test = true;
          in.slot = static_cast<size_t>(a.value);
          in.test = Normalise(nd.op, b.value, in.constant);
        } else if (a.op == PlanOp::kConst && b.op == PlanOp::kFact) {
          in.fact_test = true;
          in.slot = static_cast<size_t>(b.value);
          in.test = Normalise(policy::FlipComparison(nd.op), a.value, in.constant);
        }
      } else if (nd.op == PlanOp::kIn && p.nodes[static_cast<size_t>(nd.a)].op == PlanOp::kFact) {
        in.fact_in = true;
        in.slot = static_cast<size_t>(p.nodes[static_cast<size_t>(nd.a)].value);
        for (int64_t v : nd.set) {
          if (v >= 0 && v <= 255 &&
              std::find(in.in_values.begin(), in.in_values.end(), v) == in.in_values.end())
            in.in_values.push_back(static_cast<uint8_t>(v));
        }
      }
    }
  }
};

// Compression of a mask into the ascending row numbers it holds.
struct CompressTable {
  alignas(16) uint16_t offsets[256][8];
  uint8_t count[256];
  CompressTable() {
    for (unsigned bits = 0; bits < 256; ++bits) {
      uint8_t k = 0;
      for (uint16_t b = 0; b < 8; ++b) {
        offsets[bits][b] = 0;
        if ((bits >> b) & 1u) offsets[bits][k++] = b;
      }
      count[bits] = k;
    }
  }
};
const CompressTable kCompress;

// Rows (block-local) of m[0..n) that are 1, into out (room for n + 8);
// m[n..n rounded up to 8) must be 0.
size_t Compress(const uint8_t* m, size_t n, uint16_t* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w;
    std::memcpy(&w, m + i, 8);
    // Bytes of 0 or 1 into 8 bits, byte j to bit j.
    auto bits = static_cast<unsigned>((w * 0x0102040810204080ULL) >> 56);
#if defined(__SSE2__)
    __m128i v =
        _mm_add_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(kCompress.offsets[bits])),
                      _mm_set1_epi16(static_cast<int16_t>(i)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), v);
#else
    for (size_t b = 0; b < 8; ++b)
      out[k + b] = static_cast<uint16_t>(kCompress.offsets[bits][b] + i);
#endif
    k += kCompress.count[bits];
  }
  return k;
}

struct Masks {
  const uint8_t* yes;
  const uint8_t* unknown;
};

alignas(64) const uint8_t kZeros[kStride] = {};

// One item's part of a chunk, appended to the result in chunk order.
struct Staged {
  std::vector<uint32_t> rows, verify;
  std::vector<int64_t> amounts, percents;
  void Clear() {
    rows.clear();
    verify.clear();
    amounts.clear();
    percents.clear();
  }
};

class Worker {
 public:
  Worker(const policy::CompiledList& list, const Program& prog, const policy::Population& pop,
         const Snapshot& snap, bool with_totals)
      : list_(list),
        prog_(prog),
        plan_(list.plan),
        pop_(pop),
        snap_(snap),
        with_totals_(with_totals),
        items_(list.items.size()) {
    const size_t nodes = plan_.nodes.size();
    s_mask_.resize(nodes * kStride);
    t_yes_.resize(nodes * kStride);
    t_unknown_.resize(nodes * kStride);
    s_at_.assign(nodes, 0);
    t_at_.assign(nodes, 0);
    cols_.resize(pop.columns.size());
    for (uint16_t i = 0; i < kBlock; ++i) iota_[i] = i;
    item_yes_.resize(items_ * kStride);
    item_unknown_.resize(items_ * kStride);
    local_rows_.resize(items_ * (kBlock + 16));
    local_verify_.resize(items_ * (kBlock + 16));
    count_.assign(items_, 0);
    count_verify_.assign(items_, 0);
    amounts_.resize(items_);
    percents_.resize(items_);
    for (size_t i = 0; i < items_; ++i) {
      if (list.items[i].amount >= 0) amounts_[i].resize(kBlock);
      if (list.items[i].percent >= 0) percents_[i].resize(kBlock);
    }
    three_.assign(items_, 0);
    value_unknown_.assign(items_, 0);
    rep_.assign(items_, 0);
    std::vector<uint8_t> grouped(items_, 0);
    for (const auto& g : list.groups)
      for (size_t i : g) grouped[i] = 1;
    for (size_t i = 0; i < items_; ++i) {
      const policy::CompiledItem& ci = list.items[i];
      value_unknown_[i] = (ci.amount >= 0 && Info(ci.amount).may_unknown) ||
                          (ci.percent >= 0 && Info(ci.percent).may_unknown);
      three_[i] = Info(ci.eligibility).may_unknown || value_unknown_[i];
      // An earlier item with the same eligibility gives the same rows.
      rep_[i] = i;
      if (grouped[i] || value_unknown_[i]) continue;
      for (size_t j = 0; j < i; ++j) {
        if (!grouped[j] && !value_unknown_[j] &&
            Info(list.items[j].eligibility).canon == Info(ci.eligibility).canon) {
          rep_[i] = j;
          break;
        }
      }
    }
    static const size_t kDeceased = *policy::FactSchema::Person().Find("deceased");
    deceased_slot_ = kDeceased;
    best_item_.resize(kBlock);
    best_yearly_.resize(kBlock);
    if (with_totals_) {
      slot_of_residence_.assign(RegionTable::Builtin().size() + 1, -1);
      slot_of_street_.assign(RegionTable::Builtin().size() + 1, -1);
      row_slot_.resize(kBlock);
    }
  }

  // Evaluates blocks [b0, b1) into `out` (one part per item).
  void Chunk(size_t b0, size_t b1, std::vector<Staged>& out) {
    out.resize(items_);
    for (Staged& s : out) s.Clear();
    staged_ = &out;
    for (size_t b = b0; b < b1; ++b) Block(b);
  }

  // Totals: streets seen and per (slot, item) people and money.
  std::vector<int32_t> streets;
  std::vector<int64_t> people, money;  // [slot * items + item]
  const std::vector<size_t>& rep() const { return rep_; }

 private:
  const NodeInfo& Info(int32_t node) const { return prog_.info[static_cast<size_t>(node)]; }
  int32_t Canon(int32_t node) const { return Info(node).canon; }
  const uint8_t* Col(size_t slot) const { return cols_[slot]; }

  void Block(size_t b) {
    const size_t base = b * kBlock;
    n_ = std::min(kBlock, pop_.size - base);
    const size_t n8 = (n_ + 7) & ~size_t{7};
    ++epoch_;
    for (size_t s = 0; s < cols_.size(); ++s) cols_[s] = pop_.columns[s] + base;
    const uint8_t* deceased = Col(deceased_slot_);
    for (size_t r = 0; r < n_; ++r) alive_[r] = deceased[r] == 0;
    for (size_t r = n_; r < n8; ++r) alive_[r] = 0;
    if (with_totals_) Slots(base);
    for (size_t i = 0; i < items_; ++i) {
      const policy::CompiledItem& ci = list_.items[i];
      if (rep_[i] != i) {  // the rows of an earlier item; its own amounts
        const uint16_t* rows = &local_rows_[rep_[i] * (kBlock + 16)];
        if (ci.amount >= 0) V(ci.amount, rows, count_[rep_[i]], amounts_[i].data());
        if (ci.percent >= 0) V(ci.percent, rows, count_[rep_[i]], percents_[i].data());
        continue;
      }
      Masks t = three_[i] ? T(ci.eligibility) : Masks{S(ci.eligibility), kZeros};
      uint8_t* y = &item_yes_[i * kStride];
      for (size_t r = 0; r < n8; ++r) y[r] = t.yes[r] & alive_[r];
      uint8_t* u = &item_unknown_[i * kStride];
      if (three_[i]) {
        for (size_t r = 0; r < n8; ++r) u[r] = t.unknown[r] & alive_[r];
        // An amount or discount that reads an unknown fact: to verify too.
        for (int32_t value : {ci.amount, ci.percent}) {
          if (value < 0 || !Info(value).may_unknown) continue;
          for (size_t slot : Info(value).unknown_slots) {
            const uint8_t* col = Col(slot);
            for (size_t r = 0; r < n_; ++r) {
              uint8_t ru = col[r] == policy::kUnknownFact;
              u[r] |= y[r] & ru;
              y[r] &= ru ^ 1;
            }
          }
        }
        count_verify_[i] = Compress(u, n_, &local_verify_[i * (kBlock + 16)]);
      }
      uint16_t* rows = &local_rows_[i * (kBlock + 16)];
      count_[i] = Compress(y, n_, rows);
      if (ci.amount >= 0) V(ci.amount, rows, count_[i], amounts_[i].data());
      if (ci.percent >= 0) V(ci.percent, rows, count_[i], percents_[i].data());
    }
    Groups();
    if (with_totals_) Totals();
    const auto base32 = static_cast<uint32_t>(base);
    for (size_t i = 0; i < items_; ++i) {
      const size_t from = rep_[i];
      const size_t k = count_[from];
      const uint16_t* rows = &local_rows_[from * (kBlock + 16)];
      Staged& st = (*staged_)[i];
      size_t old = st.rows.size();
      st.rows.resize(old + k);
      uint32_t* out = st.rows.data() + old;
      for (size_t j = 0; j < k; ++j) out[j] = base32 + rows[j];
      if (three_[i]) {
        const size_t kv = count_verify_[from];
        const uint16_t* ver = &local_verify_[from * (kBlock + 16)];
        old = st.verify.size();
        st.verify.resize(old + kv);
        out = st.verify.data() + old;
        for (size_t j = 0; j < kv; ++j) out[j] = base32 + ver[j];
      }
      const policy::CompiledItem& ci = list_.items[i];
      if (ci.amount >= 0) {
        st.amounts.insert(st.amounts.end(), amounts_[i].data(), amounts_[i].data() + k);
      }
      if (ci.percent >= 0) {
        st.percents.insert(st.percents.end(), percents_[i].data(), percents_[i].data() + k);
      }
    }
  }

  // Exclusive groups: per row the item with the highest yearly amount; ties
  // keep the earlier item (as policy::EntitlePopulation).
  void Groups() {
    for (const std::vector<size_t>& group : list_.groups) {
      std::fill(best_item_.begin(), best_item_.end(), -1);
      for (size_t i : group) {
        const uint16_t* rows = &local_rows_[i * (kBlock + 16)];
        for (size_t k = 0; k < count_[i]; ++k) {
          size_t at = rows[k];
          int64_t amount = amounts_[i].empty() ? 0 : amounts_[i][k];
          int64_t yearly = policy::YearlyEquivalent(*list_.items[i].item, amount);
          if (best_item_[at] < 0 || yearly > best_yearly_[at]) {
            best_item_[at] = static_cast<int32_t>(i);
            best_yearly_[at] = yearly;
          }
        }
      }
      for (size_t i : group) {
        uint16_t* rows = &local_rows_[i * (kBlock + 16)];
        size_t kept = 0;
        for (size_t k = 0; k < count_[i]; ++k) {
          if (best_item_[rows[k]] != static_cast<int32_t>(i)) continue;
          rows[kept] = rows[k];
          if (!amounts_[i].empty()) amounts_[i][kept] = amounts_[i][k];
          if (!percents_[i].empty()) percents_[i][kept] = percents_[i][k];
          ++kept;
        }
        count_[i] = kept;
      }
    }
  }

  // The street slot of each row of the block.
  void Slots(size_t base) {
    const int32_t* residence = snap_.residence.data() + base;
    for (size_t r = 0; r < n_; ++r) {
      auto at = static_cast<size_t>(residence[r] + 1);
      int32_t slot = slot_of_residence_[at];
      if (slot < 0) slot = NewSlot(residence[r]);
      row_slot_[r] = static_cast<uint32_t>(slot);
    }
  }

  int32_t NewSlot(int32_t residence) {
    int32_t street = residence < 0 ? -1 : StreetOfRegion()[static_cast<size_t>(residence)];
    int32_t& slot = slot_of_street_[static_cast<size_t>(street + 1)];
    if (slot < 0) {
      slot = static_cast<int32_t>(streets.size());
      streets.push_back(street);
      people.resize(people.size() + items_, 0);
      money.resize(money.size() + items_, 0);
    }
    slot_of_residence_[static_cast<size_t>(residence + 1)] = slot;
    return slot;
  }

  void Totals() {
    for (size_t i = 0; i < items_; ++i) {
      const bool amounts = !amounts_[i].empty();
      if (rep_[i] != i && !amounts) continue;  // the representative's people
      const size_t from = rep_[i];
      const uint16_t* rows = &local_rows_[from * (kBlock + 16)];
      const size_t k = count_[from];
      int64_t* p = people.data() + i;
      int64_t* a = money.data() + i;
      if (rep_[i] == i) {
        for (size_t j = 0; j < k; ++j) ++p[row_slot_[rows[j]] * items_];
      }
      if (amounts) {
        const int64_t* amt = amounts_[i].data();
        for (size_t j = 0; j < k; ++j) a[row_slot_[rows[j]] * items_] += amt[j];
      }
    }
  }

  // ---- two-valued selection (PopulationEvaluator::Select), as a mask.
  const uint8_t* S(int32_t node) {
    const auto x = static_cast<size_t>(Canon(node));
    uint8_t* m = &s_mask_[x * kStride];
    if (s_at_[x] == epoch_) return m;
    s_at_[x] = epoch_;
    const PlanNode& nd = plan_.nodes[x];
    const NodeInfo& in = prog_.info[x];
    const size_t n = n_;
    if (in.fact_test) {
      Test(Col(in.slot), in.test, in.constant, m);
      return m;
    }
    if (in.fact_in) {
      const uint8_t* col = Col(in.slot);
      std::fill(m, m + n, 0);
      for (uint8_t v : in.in_values)
        for (size_t r = 0; r < n; ++r) m[r] |= col[r] == v;
      return m;
    }
    switch (nd.op) {
      case PlanOp::kConst:
        std::fill(m, m + n, nd.value != 0 ? 1 : 0);
        return m;
      case PlanOp::kFact: {
        const uint8_t* col = Col(static_cast<size_t>(nd.value));
        for (size_t r = 0; r < n; ++r) m[r] = col[r] != 0;
        return m;
      }
      case PlanOp::kAnd: {
        const uint8_t* a = S(nd.a);
        const uint8_t* b = S(nd.b);
        for (size_t r = 0; r < n; ++r) m[r] = a[r] & b[r];
        return m;
      }
      case PlanOp::kOr: {
        const uint8_t* a = S(nd.a);
        const uint8_t* b = S(nd.b);
        for (size_t r = 0; r < n; ++r) m[r] = a[r] | b[r];
        return m;
      }
      case PlanOp::kNot: {
        const uint8_t* a = S(nd.a);
        for (size_t r = 0; r < n; ++r) m[r] = a[r] ^ 1;
        return m;
      }
      case PlanOp::kCond: {
        const uint8_t* c = S(nd.a);
        const uint8_t* a = S(nd.b);
        const uint8_t* b = S(nd.c);
        for (size_t r = 0; r < n; ++r) m[r] = (c[r] & a[r]) | ((c[r] ^ 1) & b[r]);
        return m;
      }
      case PlanOp::kIn: {
        int64_t* v = Push();
        V(nd.a, iota_, n, v);
        for (size_t r = 0; r < n; ++r) m[r] = policy::InSet(nd, v[r]) ? 1 : 0;
        Pop();
        return m;
      }
      default:
        break;
    }
    if (policy::IsComparison(nd.op)) {
      int64_t* x1 = Push();
      int64_t* y1 = Push();
      V(nd.a, iota_, n, x1);
      V(nd.b, iota_, n, y1);
      for (size_t r = 0; r < n; ++r) m[r] = policy::Compare(nd.op, x1[r], y1[r]) != 0;
      Pop();
      Pop();
      return m;
    }
    int64_t* v = Push();  // a value in a boolean position: not zero
    V(node, iota_, n, v);
    for (size_t r = 0; r < n; ++r) m[r] = v[r] != 0;
    Pop();
    return m;
  }

  void Test(const uint8_t* col, ByteTest test, uint8_t c, uint8_t* m) const {
    const size_t n = n_;
    switch (test) {
      case ByteTest::kAll:
        std::fill(m, m + n, 1);
        return;
      case ByteTest::kNone:
        std::fill(m, m + n, 0);
        return;
      case ByteTest::kEq:
        for (size_t r = 0; r < n; ++r) m[r] = col[r] == c;
        return;
      case ByteTest::kNe:
        for (size_t r = 0; r < n; ++r) m[r] = col[r] != c;
        return;
      case ByteTest::kLt:
        for (size_t r = 0; r < n; ++r) m[r] = col[r] < c;
        return;
      case ByteTest::kGe:
        for (size_t r = 0; r < n; ++r) m[r] = col[r] >= c;
        return;
    }
  }

  // ---- three-valued selection (PopulationEvaluator::Select3): yes and
  // unknown masks.
  Masks T(int32_t node) {
    const auto x = static_cast<size_t>(Canon(node));
    const NodeInfo& in = prog_.info[x];
    if (!in.may_unknown) return Masks{S(node), kZeros};
    uint8_t* y = &t_yes_[x * kStride];
    uint8_t* u = &t_unknown_[x * kStride];
    if (t_at_[x] == epoch_) return Masks{y, u};
    t_at_[x] = epoch_;
    const PlanNode& nd = plan_.nodes[x];
    const size_t n = n_;
    constexpr uint8_t kU = policy::kUnknownFact;
    switch (nd.op) {
      case PlanOp::kFact: {
        const uint8_t* col = Col(static_cast<size_t>(nd.value));
        for (size_t r = 0; r < n; ++r) {
          y[r] = (col[r] != 0) & (col[r] != kU);
          u[r] = col[r] == kU;
        }
        return Masks{y, u};
      }
      case PlanOp::kNot: {
        Masks a = T(nd.a);
        for (size_t r = 0; r < n; ++r) {
          y[r] = (a.yes[r] | a.unknown[r]) ^ 1;
          u[r] = a.unknown[r];
        }
        return Masks{y, u};
      }
      case PlanOp::kAnd: {
        Masks a = T(nd.a);
        Masks b = T(nd.b);
        for (size_t r = 0; r < n; ++r) {
          uint8_t yes = a.yes[r] & b.yes[r];
          y[r] = yes;
          u[r] = (a.yes[r] | a.unknown[r]) & (b.yes[r] | b.unknown[r]) & (yes ^ 1);
        }
        return Masks{y, u};
      }
      case PlanOp::kOr: {
        Masks a = T(nd.a);
        Masks b = T(nd.b);
        for (size_t r = 0; r < n; ++r) {
          uint8_t yes = a.yes[r] | b.yes[r];
          y[r] = yes;
          u[r] = (a.unknown[r] | b.unknown[r]) & (yes ^ 1);
        }
        return Masks{y, u};
      }
      case PlanOp::kCond: {
        if (!in.bool_cond) break;
        Masks c = T(nd.a);
        Masks a = T(nd.b);
        Masks b = T(nd.c);
        for (size_t r = 0; r < n; ++r) {
          uint8_t cy = c.yes[r], cu = c.unknown[r], cn = (cy | cu) ^ 1;
          uint8_t ay = a.yes[r], au = a.unknown[r], an = (ay | au) ^ 1;
          uint8_t by = b.yes[r], bu = b.unknown[r], bn = (by | bu) ^ 1;
          y[r] = (cy & ay) | (cn & by) | (cu & ay & by);
          u[r] = (cy & au) | (cn & bu) | (cu & ((ay & by) ^ 1) & ((an & bn) ^ 1));
        }
        return Masks{y, u};
      }
      default:
        break;
    }
    // Strict: rows reading an unknown fact are unknown, the others two-valued.
    std::fill(u, u + n, 0);
    for (size_t slot : in.unknown_slots) {
      const uint8_t* col = Col(slot);
      for (size_t r = 0; r < n; ++r) u[r] |= col[r] == kU;
    }
    const uint8_t* s = S(node);
    for (size_t r = 0; r < n; ++r) y[r] = s[r] & (u[r] ^ 1);
    return Masks{y, u};
  }

  // ---- values (PopulationEvaluator::Values) of block rows rows[0..k).
  void V(int32_t node, const uint16_t* rows, size_t k, int64_t* out) {
    if (k == 0) return;
    const auto x = static_cast<size_t>(Canon(node));
    const PlanNode& nd = plan_.nodes[x];
    switch (nd.op) {
      case PlanOp::kConst:
        std::fill(out, out + k, nd.value);
        return;
      case PlanOp::kFact: {
        const uint8_t* col = Col(static_cast<size_t>(nd.value));
        for (size_t i = 0; i < k; ++i) out[i] = col[rows[i]];
        return;
      }
      case PlanOp::kScale:
        V(nd.a, rows, k, out);
        for (size_t i = 0; i < k; ++i) out[i] = policy::ScaleLookup(nd, out[i]);
        return;
      case PlanOp::kNeg:
        V(nd.a, rows, k, out);
        for (size_t i = 0; i < k; ++i)
          out[i] = policy::ApplyArithmetic(PlanOp::kSub, nd.money, 0, out[i]);
        return;
      case PlanOp::kMin:
      case PlanOp::kMax: {
        int64_t* y = Push();
        V(nd.a, rows, k, out);
        V(nd.b, rows, k, y);
        for (size_t i = 0; i < k; ++i)
          out[i] = nd.op == PlanOp::kMin ? std::min(out[i], y[i]) : std::max(out[i], y[i]);
        Pop();
        return;
      }
      case PlanOp::kCond: {
        const uint8_t* c = S(nd.a);
        int64_t* f = Push();
        V(nd.b, rows, k, out);
        V(nd.c, rows, k, f);
        for (size_t i = 0; i < k; ++i) out[i] = c[rows[i]] ? out[i] : f[i];
        Pop();
        return;
      }
      default:
        break;
    }
    if (policy::IsArithmetic(nd.op)) {
      int64_t* y = Push();
      V(nd.a, rows, k, out);
      V(nd.b, rows, k, y);
      for (size_t i = 0; i < k; ++i)
        out[i] = policy::ApplyArithmetic(nd.op, nd.money, out[i], y[i]);
      Pop();
      return;
    }
    const uint8_t* m = S(node);  // boolean-valued: 1 for rows it selects
    for (size_t i = 0; i < k; ++i) out[i] = m[rows[i]];
  }

  int64_t* Push() {
    if (values_top_ == values_.size()) values_.emplace_back(kBlock);
    return values_[values_top_++].data();
  }
  void Pop() { --values_top_; }

  const policy::CompiledList& list_;
  const Program& prog_;
  const policy::Plan& plan_;
  const policy::Population& pop_;
  const Snapshot& snap_;
  const bool with_totals_;
  const size_t items_;
  size_t deceased_slot_ = 0;
  size_t n_ = 0;
  uint32_t epoch_ = 0;
  std::vector<const uint8_t*> cols_;
  std::vector<uint8_t> s_mask_, t_yes_, t_unknown_;
  std::vector<uint32_t> s_at_, t_at_;
  alignas(64) uint8_t alive_[kStride] = {};
  uint16_t iota_[kBlock];
  std::vector<std::vector<int64_t>> values_;
  size_t values_top_ = 0;
  std::vector<uint8_t> item_yes_, item_unknown_;
  std::vector<uint16_t> local_rows_, local_verify_;
  std::vector<size_t> count_, count_verify_;
  std::vector<std::vector<int64_t>> amounts_, percents_;
  std::vector<uint8_t> three_, value_unknown_;
  std::vector<size_t> rep_;
  std::vector<int32_t> best_item_;
  std::vector<int64_t> best_yearly_;
  std::vector<int32_t> slot_of_residence_, slot_of_street_;
  std::vector<uint32_t> row_slot_;
  std::vector<Staged>* staged_ = nullptr;
};

// Asks for transparent huge pages under a large buffer not yet written:
// one page fault per 2 MB instead of per 4 kB (on a virtual machine each
// fault is dear).
template <typename T>
void HugePages(std::vector<T>& v) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(v.data());
  const uintptr_t end = begin + v.capacity() * sizeof(T);
  const uintptr_t from = (begin + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t to = end & ~(kHuge - 1);
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
}

}  // namespace

Evaluation EvaluateReference(const policy::CompiledList& list, const Snapshot& snap,
                             unsigned threads, bool with_totals) {
  Evaluation ev;
  policy::Population pop = snap.View();
  ev.person_items = static_cast<int64_t>(snap.size * list.items.size());
  if (!with_totals) {
    ev.rolls = policy::EntitlePopulation(list, pop, threads);
    return ev;
  }
  // Streets seen, each with a dense slot; totals per item and slot are
  // summed while evaluating.
  const size_t regions = RegionTable::Builtin().size();
  std::vector<int32_t> slot_of_residence(regions + 1, -1);  // [index + 1]; [0]: unknown
  std::vector<int32_t> slot_of_street(regions + 1, -1);
  std::vector<int32_t> street_of_slot;
  std::vector<uint32_t> row_slot(snap.size);
  for (size_t r = 0; r < snap.size; ++r) {
    auto at = static_cast<size_t>(snap.residence[r] + 1);
    if (slot_of_residence[at] < 0) {
      int32_t street = StreetOf(snap.residence[r]);
      int32_t& slot = slot_of_street[static_cast<size_t>(street + 1)];
      if (slot < 0) {
        slot = static_cast<int32_t>(street_of_slot.size());
        street_of_slot.push_back(street);
      }
      slot_of_residence[at] = slot;
    }
    row_slot[r] = static_cast<uint32_t>(slot_of_residence[at]);
  }
  policy::GroupTotals totals;
  totals.group_of_row = row_slot.data();
  totals.groups = street_of_slot.size();
  ev.rolls = policy::EntitlePopulation(list, pop, threads, &totals);
  for (size_t i = 0; i < ev.rolls.size(); ++i) {
    for (size_t s = 0; s < totals.groups; ++s) {
      int64_t people = totals.people[i * totals.groups + s];
      if (people == 0) continue;
      ev.totals.push_back(AreaTotal{i, CountyOf(street_of_slot[s]), street_of_slot[s], people,
                                    totals.amounts[i * totals.groups + s]});
    }
  }
  std::sort(ev.totals.begin(), ev.totals.end(), [](const AreaTotal& a, const AreaTotal& b) {
    return std::tie(a.item, a.county, a.street) < std::tie(b.item, b.county, b.street);
  });
  return ev;
}

int32_t StreetOf(int32_t region_index) { return AncestorAt(region_index, RegionLevel::kTownship); }
int32_t CountyOf(int32_t region_index) { return AncestorAt(region_index, RegionLevel::kCounty); }

Evaluation Evaluate(const policy::CompiledList& list, const Snapshot& snap, unsigned threads,
                    bool with_totals) {
  Evaluation ev;
  Evaluate(list, snap, ev, EvaluateOptions{.threads = threads, .with_totals = with_totals});
  return ev;
}

void Evaluate(const policy::CompiledList& list, const Snapshot& snap, Evaluation& ev,
              const EvaluateOptions& options) {
  const unsigned threads = options.threads;
  const bool with_totals = options.with_totals;
  const policy::Population pop = snap.View();
  const size_t items = list.items.size();
  ev.person_items = static_cast<int64_t>(snap.size * items);
  ev.totals.clear();
  ev.rolls.resize(items);
  // What the workspace held is emptied; its memory stays (clear keeps the
  // capacity) and is written again.
  for (policy::ItemRoll& roll : ev.rolls) {
    roll.rows.clear();
    roll.verify.clear();
    roll.amounts.clear();
    roll.percents.clear();
  }
  if (with_totals) (void)StreetOfRegion();
  const Program prog(list.plan, pop);
  const size_t blocks = (pop.size + kBlock - 1) / kBlock;
  const size_t chunks = (blocks + kChunkBlocks - 1) / kChunkBlocks;
  size_t workers = threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  workers = std::max<size_t>(1, std::min(workers, chunks));
  // Room for every row: untouched capacity is only address space. Memory
  // is only asked for when the workspace has too little.
  auto room = [&](auto& v) {
    if (v.capacity() >= pop.size) return;
    v.reserve(pop.size);
    HugePages(v);
  };
  for (size_t i = 0; i < items && pop.size > 0; ++i) {
    policy::ItemRoll& roll = ev.rolls[i];
    room(roll.rows);
    if (list.items[i].amount >= 0) room(roll.amounts);
    if (list.items[i].percent >= 0) room(roll.percents);
  }
  std::vector<std::unique_ptr<Worker>> pool;
  for (size_t w = 0; w < workers; ++w)
    pool.push_back(std::make_unique<Worker>(list, prog, pop, snap, with_totals));
  // Threads take chunks in order and evaluate them into staged parts; the
  // parts are appended in chunk order by whichever thread finds the next one
  // ready. A thread may run at most kAhead chunks ahead of the last appended
  // one (the staged parts stay small), so one thread that the machine
  // deschedules does not stall the others.
  constexpr size_t kAhead = 16;
  std::vector<std::atomic<std::vector<Staged>*>> ready(chunks);
  for (auto& r : ready) r.store(nullptr);
  std::mutex pool_mu, append_mu;
  std::vector<std::unique_ptr<std::vector<Staged>>> parts;  // every staged part made
  std::vector<std::vector<Staged>*> free_parts;
  std::atomic<size_t> next{0}, appended{0};
  auto take = [&] {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (free_parts.empty()) {
      parts.push_back(std::make_unique<std::vector<Staged>>());
      return parts.back().get();
    }
    std::vector<Staged>* part = free_parts.back();
    free_parts.pop_back();
    return part;
  };
  auto append_ready = [&] {
    std::lock_guard<std::mutex> lock(append_mu);
    for (size_t c = appended.load(); c < chunks; ++c) {
      std::vector<Staged>* part = ready[c].load();
      if (part == nullptr) return;
      for (size_t i = 0; i < items; ++i) {
        const Staged& s = (*part)[i];
        policy::ItemRoll& roll = ev.rolls[i];
        roll.rows.insert(roll.rows.end(), s.rows.begin(), s.rows.end());
        roll.verify.insert(roll.verify.end(), s.verify.begin(), s.verify.end());
        roll.amounts.insert(roll.amounts.end(), s.amounts.begin(), s.amounts.end());
        roll.percents.insert(roll.percents.end(), s.percents.begin(), s.percents.end());
      }
      ready[c].store(nullptr);
      {
        std::lock_guard<std::mutex> pool_lock(pool_mu);
        free_parts.push_back(part);
      }
      appended.store(c + 1);
      appended.notify_all();
    }
  };
  std::atomic<int> worker_nice{19};
  auto work = [&](size_t w) {
    Worker& worker = *pool[w];
    for (int nice = ThreadNice(), seen = worker_nice.load();
         nice < seen && !worker_nice.compare_exchange_weak(seen, nice);) {
    }
    for (;;) {
      const size_t c = next.fetch_add(1);
      if (c >= chunks) return;
      for (size_t seen = appended.load(); c >= seen + kAhead; seen = appended.load())
        appended.wait(seen);
      std::vector<Staged>* part = take();
      worker.Chunk(c * kChunkBlocks, std::min(blocks, (c + 1) * kChunkBlocks), *part);
      ready[c].store(part);
      append_ready();  // this chunk, if it is next, and any ready after it
    }
  };
  if (options.nice > 0) {
    // Batch work: every worker on a thread of its own, at the lower priority.
    std::vector<std::jthread> threads_;
    for (size_t w = 0; w < workers; ++w) {
      threads_.emplace_back([&work, w, nice = options.nice] {
        (void)LowerThreadPriority(nice);
        work(w);
      });
    }
  } else {
    std::vector<std::jthread> threads_;
    for (size_t w = 1; w < workers; ++w) threads_.emplace_back([&work, w] { work(w); });
    work(0);
  }
  append_ready();  // every chunk is ready now; normally nothing is left
  ev.worker_nice = worker_nice.load();
  if (!with_totals) return;
  // Totals by street, summed over the workers.
  const size_t regions = RegionTable::Builtin().size();
  std::vector<int32_t> at(regions + 1, -1);
  std::vector<int32_t> street_of;
  std::vector<int64_t> people, money;
  for (const auto& w : pool) {
    for (size_t s = 0; s < w->streets.size(); ++s) {
      int32_t& g = at[static_cast<size_t>(w->streets[s] + 1)];
      if (g < 0) {
        g = static_cast<int32_t>(street_of.size());
        street_of.push_back(w->streets[s]);
        people.resize(people.size() + items, 0);
        money.resize(money.size() + items, 0);
      }
      for (size_t i = 0; i < items; ++i) {
        const size_t from = w->rep()[i];
        people[static_cast<size_t>(g) * items + i] += w->people[s * items + from];
        money[static_cast<size_t>(g) * items + i] += w->money[s * items + i];
      }
    }
  }
  for (size_t g = 0; g < street_of.size(); ++g) {
    const int32_t county = CountyOf(street_of[g]);
    for (size_t i = 0; i < items; ++i) {
      int64_t p = people[g * items + i];
      if (p == 0) continue;
      ev.totals.push_back(AreaTotal{i, county, street_of[g], p, money[g * items + i]});
    }
  }
  std::sort(ev.totals.begin(), ev.totals.end(), [](const AreaTotal& a, const AreaTotal& b) {
    return std::tie(a.item, a.county, a.street) < std::tie(b.item, b.county, b.street);
  });
}

}  // namespace yanglao::entitle
