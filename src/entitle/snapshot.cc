#include "entitle/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

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

int32_t RegionIndex(const registry::PersonView& p, const char* fact) {
  auto it = p.facts.find(fact);
  if (it == p.facts.end()) return -1;
  const RegionTable& table = RegionTable::Builtin();
  const Region* r = table.Find(it->second.value);
  return r == nullptr ? -1 : table.IndexOfRegion(*r);
}

struct Slots {
  size_t age, sex, hukou_local, resident_local, area, deceased, cert_valid;
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
                        {}};
    for (size_t slot = 0; slot < schema.size(); ++slot) {
      if (slot == s->age || slot == s->sex || slot == s->hukou_local || slot == s->resident_local ||
          slot == s->area || slot == s->deceased || slot == s->cert_valid)
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

}  // namespace

PersonFacts FactsOf(const registry::PersonView& person, const Jurisdiction& where,
                    CivilDate as_of) {
  const FactSchema& schema = FactSchema::Person();
  const Slots& slots = SlotsOf();
  PersonFacts f(schema.size(), 0);
  f[slots.age] = std::clamp<int64_t>(AgeOn(person.birth_date, as_of), 0, 255);
  f[slots.sex] = person.sex == Sex::kFemale ? 1 : 0;
  int32_t residence = RegionIndex(person, "residence_region");
  f[slots.hukou_local] = where.Contains(RegionIndex(person, "hukou_region")) ? 1 : 0;
  f[slots.resident_local] = where.Contains(residence) ? 1 : 0;
  f[slots.area] = IsUrban(residence) ? 0 : 1;
  f[slots.deceased] = person.deceased_on(as_of) ? 1 : 0;
  auto cert = person.facts.find("disability_cert_until");
  f[slots.cert_valid] = cert != person.facts.end() && cert->second.value >= as_of.ToString();
  for (const auto& [slot, name] : slots.stored) {
    auto it = person.facts.find(name);
    if (it == person.facts.end()) continue;
    const std::string& v = it->second.value;
    if (schema.at(slot).type == FactType::kEnum) {
      f[slot] = schema.EnumIndex(slot, v).value_or(0);
    } else {
      int64_t n = 0;
      std::from_chars(v.data(), v.data() + v.size(), n);
      f[slot] = std::clamp<int64_t>(n, 0, 255);
    }
  }
  return f;
}

void Snapshot::Add(uint64_t packed_id, CivilDate birth, int32_t residence_index,
                   int32_t hukou_index, const PersonFacts& person) {
  if (facts.empty()) facts.resize(FactSchema::Person().size());
  id.push_back(packed_id);
  birth_days.push_back(birth.DaysSinceEpoch());
  residence.push_back(residence_index);
  hukou.push_back(hukou_index);
  for (size_t s = 0; s < facts.size(); ++s) {
    facts[s].push_back(static_cast<uint8_t>(std::clamp<int64_t>(person[s], 0, 255)));
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

Result<Snapshot> BuildSnapshot(registry::Registry& registry, std::string_view where,
                               CivilDate as_of, CivilDate known_on, int64_t feed_watermark) {
  Result<Jurisdiction> j = Jurisdiction::Of(where);
  if (!j.ok()) return j.status();
  if (feed_watermark == 0) {
    Result<int64_t> latest = registry.LatestFeedId();
    if (!latest.ok()) return latest.status();
    feed_watermark = *latest;
  }
  Snapshot snap;
  snap.jurisdiction = j->region().code;
  snap.as_of = as_of;
  snap.known_on = known_on;
  snap.feed_watermark = feed_watermark;
  snap.facts.resize(FactSchema::Person().size());
  Status s = registry.ForEachPerson(
      as_of, known_on,
      [&](const registry::PersonView& p) {
        if (p.birth_date > as_of) return;  // not born yet on the snapshot date
        snap.Add(PackIdNumber(p.id_number), p.birth_date, RegionIndex(p, "residence_region"),
                 RegionIndex(p, "hukou_region"), FactsOf(p, *j, as_of));
      },
      feed_watermark);
  if (!s.ok()) return s;
  return snap;
}

}  // namespace yanglao::entitle
