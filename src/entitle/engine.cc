#include "entitle/engine.h"

#include <algorithm>
#include <tuple>

namespace yanglao::entitle {
namespace {

int32_t AncestorAt(int32_t index, RegionLevel level) {
  if (index < 0) return -1;
  const RegionTable& table = RegionTable::Builtin();
  const Region* r = &table.all()[static_cast<size_t>(index)];
  while (r != nullptr && r->level > level) r = table.Parent(*r);
  return r != nullptr && r->level == level ? table.IndexOfRegion(*r) : -1;
}

}  // namespace

int32_t StreetOf(int32_t region_index) { return AncestorAt(region_index, RegionLevel::kTownship); }
int32_t CountyOf(int32_t region_index) { return AncestorAt(region_index, RegionLevel::kCounty); }

Evaluation Evaluate(const policy::CompiledList& list, const Snapshot& snap, unsigned threads,
                    bool with_totals) {
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

}  // namespace yanglao::entitle
