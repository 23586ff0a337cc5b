// The columnar snapshot: the registry as of one date, one column per person
// fact, compact, for evaluating a whole city at once.
//
// Bytes per person (BytesPerPerson()): the ID number packed into 8 bytes
// (its 17 digits; the check character is recomputed), birth date 4 (days
// since 1970-01-01), residence and hukou regions 4 each (indexes into the
// built-in region table), and one byte per fact slot of the schema
// (policy/fact_schema.h; every fact lies in 0..150). With the 36 slots of
// today's schema that is 56 bytes.
//
// A snapshot holds the jurisdiction's people only: those whose residence or
// hukou lies within it (a list's items cover residents, or by hukou the
// items that say so: policy::Coverage). A fact that no record states, where
// a missing record does not mean "no" (FactInfo::absent_unknown), is
// policy::kUnknownFact; so are hukou_local and resident_local for a person
// without a hukou or residence record.
//
// Facts that depend on where a list applies are derived when the snapshot is
// built for a jurisdiction (a region code, e.g. "421300"):
//   hukou_local     the hukou region lies within the jurisdiction;
//   resident_local  the residence region lies within the jurisdiction;
//   area            urban if the residence is a 社区居委会 or a 街道, rural if a
//                   村委会, 镇 or 乡 (unknown: urban, the schema default);
//   age             whole years on the snapshot date;
//   deceased        the death date chosen by precedence is on or before it;
//   disability_cert_valid  a 残疾证 valid on the snapshot date;
//   has_family_carer  a family carer on record (carer_id_number) on that
//                   date; unknown without one.
#ifndef YANGLAO_ENTITLE_SNAPSHOT_H_
#define YANGLAO_ENTITLE_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/region.h"
#include "core/status.h"
#include "policy/fact_schema.h"
#include "policy/population.h"
#include "registry/registry.h"

namespace yanglao::entitle {

// An 18-character ID number as 8 bytes and back.
uint64_t PackIdNumber(std::string_view id18);
std::string UnpackIdNumber(uint64_t packed);

// Where a list applies: its jurisdiction's range in the region table.
class Jurisdiction {
 public:
  // Fails with "entitle.jurisdiction" for a code not in the table.
  static Result<Jurisdiction> Of(std::string_view code);
  const Region& region() const { return *region_; }
  bool Contains(int32_t region_index) const {
    return region_index >= begin_ && region_index < end_;
  }

 private:
  const Region* region_ = nullptr;
  int32_t begin_ = 0, end_ = 0;
};

// One person's facts as the policy schema wants them, from a registry view,
// on `as_of` within `where`. The advisor and the snapshot both use this, so
// one person and the whole city cannot disagree.
policy::PersonFacts FactsOf(const registry::PersonView& person, const Jurisdiction& where,
                            CivilDate as_of);

struct Snapshot {
  std::string jurisdiction;  // region code
  CivilDate as_of;
  CivilDate known_on;
  int64_t feed_watermark = 0;  // records of feeds up to this id

  size_t size = 0;
  std::vector<uint64_t> id;                 // packed ID numbers, ascending
  std::vector<int32_t> birth_days;          // days since 1970-01-01
  std::vector<int32_t> residence;           // region index, -1 unknown
  std::vector<int32_t> hukou;               // region index, -1 unknown
  std::vector<std::vector<uint8_t>> facts;  // per schema slot
  // Per slot: some row holds policy::kUnknownFact (kept by Add; a snapshot
  // whose columns are filled otherwise leaves it empty and View() scans).
  std::vector<uint8_t> unknown;

  // Appends one person (facts by slot, clamped to 0..255).
  void Add(uint64_t packed_id, CivilDate birth, int32_t residence_index, int32_t hukou_index,
           const policy::PersonFacts& person);
  // A view for the population evaluator; the snapshot must outlive it.
  policy::Population View() const;
  size_t BytesPerPerson() const;
  // Row of an ID number, or nullopt.
  std::optional<size_t> Find(std::string_view id_number) const;
  std::string IdNumber(size_t row) const { return UnpackIdNumber(id[row]); }
  uint8_t Fact(std::string_view name, size_t row) const;
};

// Where two snapshots first differ ("" when identical in every field and
// column, row by row): "as_of", "size", "column id row 12 (421303...)",
// "fact dibao row 12 (421303...)" ...
std::string FirstDifference(const Snapshot& a, const Snapshot& b);

// The registry as of `as_of`, as known on `known_on`, counting feeds up to
// `feed_watermark` (0: the latest), for the list jurisdiction `where`.
// Read set-based (Registry::ForEachPersonCoded: the people, then every
// record that applies of the facts a snapshot uses, chosen per person in
// memory).
Result<Snapshot> BuildSnapshot(registry::Registry& registry, std::string_view where,
                               CivilDate as_of, CivilDate known_on, int64_t feed_watermark = 0);
// The same snapshot, built the original way: every person resolved from
// all their records one at a time (Registry::ForEachPerson) and FactsOf, as
// the advisor reads one person. About ten times slower; kept as the
// reference BuildSnapshot is tested and benchmarked against (the two must be
// identical column by column).
Result<Snapshot> BuildSnapshotReference(registry::Registry& registry, std::string_view where,
                                        CivilDate as_of, CivilDate known_on,
                                        int64_t feed_watermark = 0);

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_SNAPSHOT_H_
