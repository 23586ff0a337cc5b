// Fuzz target: ParseIdNumber and MaskIdNumber on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/id_number.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const yanglao::CivilDate kToday = *yanglao::CivilDate::FromYmd(2026, 11, 22);
  yanglao::Result<yanglao::IdNumber> id =
      yanglao::ParseIdNumber(text, yanglao::RegionTable::Builtin(), kToday);
  if (id.ok()) {
    // A valid number is 18 characters with a matching check character and a
    // birth date not after today.
    if (id->value.size() != 18) __builtin_trap();
    if (yanglao::IdCheckCharacter(id->value) != id->value[17]) __builtin_trap();
    if (id->birth_date > kToday) __builtin_trap();
    if (yanglao::MaskIdNumber(id->value).size() != 18) __builtin_trap();
  } else if (id.status().code().empty() || id.status().message().empty()) {
    __builtin_trap();
  }
  (void)yanglao::MaskIdNumber(text);
  (void)yanglao::UpgradeIdNumber15(text);
  return 0;
}
