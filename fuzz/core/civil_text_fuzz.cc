// Fuzz target: the parsers of dates, months, money and region codes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/region.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto d = yanglao::CivilDate::Parse(text); d.ok()) {
    // Printing and parsing again gives the same date.
    if (yanglao::CivilDate::Parse(d->ToString()).value_or({}) != *d) __builtin_trap();
    (void)yanglao::AgeOn(*d, d->AddMonths(1200));
  }
  if (auto d = yanglao::CivilDate::ParseCompact(text); d.ok()) (void)d->ToString();
  if (auto m = yanglao::Month::Parse(text); m.ok()) {
    if (m->ToString() != text) __builtin_trap();
    if (m->LastDay() < m->FirstDay()) __builtin_trap();
  }
  if (auto money = yanglao::Money::Parse(text); money.ok()) {
    // Formatting and parsing again gives the same amount.
    auto again = yanglao::Money::Parse(money->Format());
    if (!again.ok() || *again != *money) __builtin_trap();
  }
  if (auto code = yanglao::NormalizeRegionCode(text); code.ok()) {
    (void)yanglao::RegionTable::Builtin().Find(*code);
  }
  (void)yanglao::ClassifyVillage(text);
  (void)yanglao::ClassifyTownship(text);
  return 0;
}
