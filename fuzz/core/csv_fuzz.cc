// Fuzz target: CsvReader on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yanglao::CsvReader reader(text, "fuzz.csv");
  yanglao::CsvRow row;
  int last_line = 0;
  for (int rows = 0; rows < 100000; ++rows) {
    yanglao::Result<bool> more = reader.Next(row);
    if (!more.ok()) {
      // Errors are located inside the text.
      if (more.status().where().line < 1) __builtin_trap();
      break;
    }
    if (!*more) break;
    // Rows move forward and every field is valid UTF-8.
    if (row.line <= last_line || row.fields.empty()) __builtin_trap();
    last_line = row.line;
    for (const std::string& f : row.fields) {
      if (!yanglao::IsValidUtf8(f)) __builtin_trap();
    }
  }
  return 0;
}
