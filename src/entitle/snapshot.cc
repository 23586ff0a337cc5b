#include "entitle/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "core/id_number.h"

namespace yanglao::entitle {

using policy::FactSchema;
using policy::FactType;
using policy::PersonFacts;

uint64_t PackIdNumber(std::string_view id18) {
  uint64_t v = 0;
  for (size_t i = 0; i < 17 && i < id18.size(); ++i) {
    v = v * 10 + static_cast<uint64_t>(id18[i] - '0');
  }
  return v;
}

std::string UnpackIdNumber(uint64_t packed) {
  std::string s(17, '0');
  for (size_t i = 17; i-- > 0;) {
    s[i] = static_cast<char>('0' + packed % 10);
    packed /= 10;
  }
  s.push_back(IdCheckCharacter(s));
  return s;
}

Result<Jurisdiction> Jurisdiction::Of(std::string_view code) {
  const RegionTable& table = RegionTable::Builtin();
  const Region* r = table.Find(code);
  if (r == nullptr) {
    return Status("entitle.jurisdiction", fmt::format("辖区代码 {} 不是有效的行政区划代码", code),
                  Location{.field = "jurisdiction", .value = std::string(code)});
  }
  Jurisdiction j;
  j.region_ = r;
  auto [b, e] = table.DescendantRange(*r);
  j.begin_ = table.IndexOfRegion(*r);
  j.end_ = static_cast<int32_t>(e);
  (void)b;
  return j;
}

namespace {

// The index of a region code in the built-in table, or -1.
int32_t RegionIndexOf(std::string_view code) {
  const RegionTable& table = RegionTable::Builtin();
  const Region* r = table.Find(code);
  return r == nullptr ? -1 : table.IndexOfRegion(*r);
}

int32_t RegionIndex(const registry::PersonView& p, const char* fact) {
  auto it = p.facts.find(fact);
  return it == p.facts.end() ? -1 : RegionIndexOf(it->second.value);
}

struct Slots {
  size_t age, sex, hukou_local, resident_local, area, deceased, cert_valid, carer;
  std::vector<std::pair<size_t, std::string>> stored;  // slot -> registry fact of the same name
};

const Slots& SlotsOf() {
  static const Slots* const slots = [] {
    const FactSchema& schema = FactSchema::Person();
    auto* s = new Slots{*schema.Find("age"),
                        *schema.Find("sex"),
                        *schema.Find("hukou_local"),
                        *schema.Find("resident_local"),
                        *schema.Find("area"),
                        *schema.Find("deceased"),
                        *schema.Find("disability_cert_valid"),
                        *schema.Find("has_family_carer"),
                        {}};
    for (size_t slot = 0; slot < schema.size(); ++slot) {
      if (slot == s->age || slot == s->sex || slot == s->hukou_local || slot == s->resident_local ||
          slot == s->area || slot == s->deceased || slot == s->cert_valid || slot == s->carer)
        continue;
      s->stored.emplace_back(slot, schema.at(slot).name);
    }
    return s;
  }();
  return *slots;
}

bool IsUrban(int32_t region_index) {
  if (region_index < 0) return true;
  const Region& r = RegionTable::Builtin().all()[static_cast<size_t>(region_index)];
  switch (r.kind) {
    case RegionKind::kRuralVillage:
    case RegionKind::kTownship:
    case RegionKind::kTown:
      return false;
    default:
      return true;
  }
}

// A stored fact's slot value from the chosen record's text: an enum by the
// index of its value (unknown: 0), anything else as an integer clamped to
// 0..255 (not a number: 0).
int64_t SlotValue(size_t slot, std::string_view v) {
  const FactSchema& schema = FactSchema::Person();
  if (schema.at(slot).type == FactType::kEnum) return schema.EnumIndex(slot, v).value_or(0);
  int64_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return std::clamp<int64_t>(n, 0, 255);
}

// What the derived facts are computed from, however the registry was read.
struct Chosen {
  Sex sex = Sex::kMale;
  CivilDate birth_date;
  int32_t residence = -1, hukou = -1;  // region indexes
  bool deceased = false;               // a death date on or before the snapshot date
  bool cert_valid = false;             // a 残疾证 valid on it
  bool carer = false;                  // a family carer on record (carer_id_number)
};

// Fills `f` (schema size; stored slots already set) with the derived facts.
void Derive(const Chosen& c, const Jurisdiction& where, CivilDate as_of, PersonFacts& f) {
  const Slots& slots = SlotsOf();
  f[slots.age] = std::clamp<int64_t>(AgeOn(c.birth_date, as_of), 0, 255);
  f[slots.sex] = c.sex == Sex::kFemale ? 1 : 0;
  // No record of a region: whether it lies within the jurisdiction is unknown.
  f[slots.hukou_local] = c.hukou < 0 ? policy::kUnknownFact : where.Contains(c.hukou) ? 1 : 0;
  f[slots.resident_local] = c.residence < 0               ? policy::kUnknownFact
                            : where.Contains(c.residence) ? 1
                                                          : 0;
  f[slots.area] = IsUrban(c.residence) ? 0 : 1;
  f[slots.deceased] = c.deceased ? 1 : 0;
  f[slots.cert_valid] = c.cert_valid ? 1 : 0;
  // No carer on record: unknown (to verify), not "none".
  f[slots.carer] = c.carer ? 1 : policy::kUnknownFact;
}

}  // namespace

PersonFacts FactsOf(const registry::PersonView& person, const Jurisdiction& where,
                    CivilDate as_of) {
  const Slots& slots = SlotsOf();
  PersonFacts f(FactSchema::Person().size(), 0);
  for (const auto& [slot, name] : slots.stored) {
    auto it = person.facts.find(name);
    if (it != person.facts.end()) {
      f[slot] = SlotValue(slot, it->second.value);
    } else if (FactSchema::Person().at(slot).absent_unknown) {
      f[slot] = policy::kUnknownFact;
    }
  }
  Chosen c;
  c.sex = person.sex;
  c.birth_date = person.birth_date;
  c.residence = RegionIndex(person, "residence_region");
  c.hukou = RegionIndex(person, "hukou_region");
  c.deceased = person.deceased_on(as_of);
  auto cert = person.facts.find("disability_cert_until");
  c.cert_valid = cert != person.facts.end() && cert->second.value >= as_of.ToString();
  c.carer = person.facts.contains("carer_id_number");
  Derive(c, where, as_of, f);
  return f;
}

void Snapshot::Add(uint64_t packed_id, CivilDate birth, int32_t residence_index,
                   int32_t hukou_index, const PersonFacts& person) {
  if (facts.empty()) facts.resize(FactSchema::Person().size());
  id.push_back(packed_id);
  birth_days.push_back(birth.DaysSinceEpoch());
  residence.push_back(residence_index);
  hukou.push_back(hukou_index);
  if (unknown.size() != facts.size()) unknown.assign(facts.size(), 0);
  for (size_t s = 0; s < facts.size(); ++s) {
    auto v = static_cast<uint8_t>(std::clamp<int64_t>(person[s], 0, 255));
    facts[s].push_back(v);
    unknown[s] |= static_cast<uint8_t>(v == policy::kUnknownFact);
  }
  ++size;
}

policy::Population Snapshot::View() const {
  policy::Population pop;
  pop.size = size;
  if (facts.empty()) {
    static const std::vector<uint8_t> kNone;
    pop.columns.assign(FactSchema::Person().size(), kNone.data());
    return pop;
  }
  for (const std::vector<uint8_t>& col : facts) pop.columns.push_back(col.data());
  pop.unknown = unknown;
  if (pop.unknown.size() != facts.size()) {  // columns filled without Add
    pop.unknown.assign(facts.size(), 0);
    for (size_t s = 0; s < facts.size(); ++s) {
      pop.unknown[s] = std::find(facts[s].begin(), facts[s].end(),
                                 static_cast<uint8_t>(policy::kUnknownFact)) != facts[s].end();
    }
  }
  return pop;
}

size_t Snapshot::BytesPerPerson() const {
  return sizeof(uint64_t) + sizeof(int32_t) * 3 + FactSchema::Person().size() * sizeof(uint8_t);
}

std::optional<size_t> Snapshot::Find(std::string_view id_number) const {
  if (id_number.size() != 18) return std::nullopt;
  uint64_t key = PackIdNumber(id_number);
  auto it = std::lower_bound(id.begin(), id.end(), key);
  if (it == id.end() || *it != key || IdNumber(static_cast<size_t>(it - id.begin())) != id_number)
    return std::nullopt;
  return static_cast<size_t>(it - id.begin());
}

uint8_t Snapshot::Fact(std::string_view name, size_t row) const {
  return facts[*FactSchema::Person().Find(name)][row];
}

std::string FirstDifference(const Snapshot& a, const Snapshot& b) {
  if (a.jurisdiction != b.jurisdiction) return "jurisdiction";
  if (a.as_of != b.as_of) return "as_of";
  if (a.known_on != b.known_on) return "known_on";
  if (a.feed_watermark != b.feed_watermark) return "feed_watermark";
  if (a.size != b.size) return fmt::format("size {} vs {}", a.size, b.size);
  auto row = [&](const char* what, size_t r) {
    return fmt::format("{} row {} ({} vs {})", what, r, a.IdNumber(r), b.IdNumber(r));
  };
  for (size_t r = 0; r < a.size; ++r) {
    if (a.id[r] != b.id[r]) return row("column id", r);
    if (a.birth_days[r] != b.birth_days[r]) return row("column birth_days", r);
    if (a.residence[r] != b.residence[r]) return row("column residence", r);
    if (a.hukou[r] != b.hukou[r]) return row("column hukou", r);
  }
  if (a.facts.size() != b.facts.size()) return "fact columns";
  for (size_t slot = 0; slot < a.facts.size(); ++slot) {
    if (a.facts[slot].size() != b.facts[slot].size()) {
      return fmt::format("fact {} length", FactSchema::Person().at(slot).name);
    }
    for (size_t r = 0; r < a.facts[slot].size(); ++r) {
      if (a.facts[slot][r] != b.facts[slot][r]) {
        return row(fmt::format("fact {} = {} vs {}", FactSchema::Person().at(slot).name,
                               a.facts[slot][r], b.facts[slot][r])
                       .c_str(),
                   r);
      }
    }
  }
  return "";
}

namespace {

// A snapshot with its state fixed: the jurisdiction checked and the
// watermark made explicit.
Result<Snapshot> StartSnapshot(registry::Registry& registry, const Jurisdiction& where,
                               CivilDate as_of, CivilDate known_on, int64_t feed_watermark) {
  if (feed_watermark == 0) {
    Result<int64_t> latest = registry.LatestFeedId();
    if (!latest.ok()) return latest.status();
    feed_watermark = *latest;
  }
  Snapshot snap;
  snap.jurisdiction = where.region().code;
  snap.as_of = as_of;
  snap.known_on = known_on;
  snap.feed_watermark = feed_watermark;
  snap.facts.resize(FactSchema::Person().size());
  return snap;
}

}  // namespace

Result<Snapshot> BuildSnapshot(registry::Registry& registry, std::string_view where,
                               CivilDate as_of, CivilDate known_on, int64_t feed_watermark) {
  Result<Jurisdiction> j = Jurisdiction::Of(where);
  if (!j.ok()) return j.status();
  Result<Snapshot> snap = StartSnapshot(registry, *j, as_of, known_on, feed_watermark);
  if (!snap.ok()) return snap;
  const Slots& slots = SlotsOf();
  // The registry facts read: these four, then one per stored slot.
  enum : size_t { kResidence, kHukou, kDeath, kCertUntil, kCarer, kFirstStored };
  std::vector<std::string> names = {"residence_region", "hukou_region", "death_date",
                                    "disability_cert_until", "carer_id_number"};
  for (const auto& [slot, name] : slots.stored) names.push_back(name);
  const std::string d = as_of.ToString();
  std::unordered_map<std::string, int32_t> regions;  // a few thousand codes, looked up often
  auto encode = [&](size_t fact, std::string_view v) -> int32_t {
    switch (fact) {
      case kResidence:
      case kHukou: {
        std::string code(v);
        auto it = regions.find(code);
        if (it == regions.end()) it = regions.emplace(code, RegionIndexOf(v)).first;
        return it->second;
      }
      case kDeath:  // PersonView::deceased_on
        return v <= d ? 1 : 0;
      case kCertUntil:
        return v >= d ? 1 : 0;
      case kCarer:
        return 1;
      default:
        return static_cast<int32_t>(SlotValue(slots.stored[fact - kFirstStored].first, v));
    }
  };
  constexpr int32_t kNone = registry::CodedPerson::kNoRecord;
  std::vector<uint8_t> absent_unknown;
  for (const auto& [slot, name] : slots.stored)
    absent_unknown.push_back(FactSchema::Person().at(slot).absent_unknown ? 1 : 0);
  PersonFacts f(FactSchema::Person().size(), 0);
  Status s = registry.ForEachPersonCoded(
      as_of, known_on, names, encode,
      [&](const registry::CodedPerson& p) {
        if (p.birth_date > as_of) return;  // not born yet on the snapshot date
        std::fill(f.begin(), f.end(), 0);
        for (size_t i = 0; i < slots.stored.size(); ++i) {
          int32_t code = p.codes[kFirstStored + i];
          if (code != kNone) {
            f[slots.stored[i].first] = code;
          } else if (absent_unknown[i]) {
            f[slots.stored[i].first] = policy::kUnknownFact;
          }
        }
        Chosen c;
        c.sex = p.sex;
        c.birth_date = p.birth_date;
        c.residence = p.codes[kResidence] == kNone ? -1 : p.codes[kResidence];
        c.hukou = p.codes[kHukou] == kNone ? -1 : p.codes[kHukou];
        c.deceased = p.codes[kDeath] == 1;
        c.cert_valid = p.codes[kCertUntil] == 1;
        c.carer = p.codes[kCarer] == 1;
        if (!j->Contains(c.residence) && !j->Contains(c.hukou)) return;  // not the city's
        Derive(c, *j, as_of, f);
        snap->Add(PackIdNumber(p.id_number), p.birth_date, c.residence, c.hukou, f);
      },
      snap->feed_watermark);
  if (!s.ok()) return s;
  return snap;
}

Result<Snapshot> BuildSnapshotReference(registry::Registry& registry, std::string_view where,
                                        CivilDate as_of, CivilDate known_on,
                                        int64_t feed_watermark) {
  Result<Jurisdiction> j = Jurisdiction::Of(where);
  if (!j.ok()) return j.status();
  Result<Snapshot> snap = StartSnapshot(registry, *j, as_of, known_on, feed_watermark);
  if (!snap.ok()) return snap;
  Status s = registry.ForEachPerson(
      as_of, known_on,
      [&](const registry::PersonView& p) {
        if (p.birth_date > as_of) return;  // not born yet on the snapshot date
        int32_t residence = RegionIndex(p, "residence_region");
        int32_t hukou = RegionIndex(p, "hukou_region");
        if (!j->Contains(residence) && !j->Contains(hukou)) return;  // not the city's
        snap->Add(PackIdNumber(p.id_number), p.birth_date, residence, hukou, FactsOf(p, *j, as_of));
      },
      snap->feed_watermark);
  if (!s.ok()) return s;
  return snap;
}

}  // namespace yanglao::entitle
