// Fuzz target: the rule parser, and printing what it parsed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/rule_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yanglao::Location origin{.file = "fuzz.yaml", .line = 1, .column = 1};
  auto e = yanglao::policy::ParseRule(text, origin);
  if (e.ok()) {
    // What the printer writes parses again to the same text.
    std::string printed = yanglao::policy::ToSource(**e);
    auto again = yanglao::policy::ParseRule(printed, origin);
    if (!again.ok() || yanglao::policy::ToSource(**again) != printed) __builtin_trap();
  } else if (e.status().where().line < 1) {
    __builtin_trap();
  }
  return 0;
}
