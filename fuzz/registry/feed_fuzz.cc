// Fuzz target: a department feed parsed and validated. The first byte picks
// the department template; the rest is the file: CSV in UTF-8 or GB18030, or
// an .xlsx workbook (seeds with number cells, formulas, hidden sheets). The
// seeds in fuzz/corpus/feed include GBK files and workbooks from
// tests/registry/realworld.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/utf8.h"
#include "registry/feed_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::registry;
  if (size == 0) return 0;
  const auto& templates = FeedTemplates();
  const FeedTemplate& t = templates[data[0] % templates.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const yanglao::CivilDate kToday = *yanglao::CivilDate::FromYmd(2026, 11, 22);
  auto feed = ReadFeedBytes(text, "fuzz.csv", t.source, kToday);
  if (!feed.ok()) return 0;
  if (feed->encoding.empty()) __builtin_trap();
  for (const std::string& w : feed->warnings) {
    if (!yanglao::IsValidUtf8(w)) __builtin_trap();
  }
  // A feed without problems yields only valid, located records.
  for (const RowProblem& p : feed->problems) {
    if (p.row < 1 || p.column < 1 || p.code.empty() || p.message.empty()) __builtin_trap();
  }
  if (feed->problems.empty()) {
    for (const FactRecord& f : feed->facts) {
      if (f.id_number.size() != 18 || f.valid_from.size() != 10 || f.row < 2) __builtin_trap();
      if (!yanglao::IsValidUtf8(f.value)) __builtin_trap();
    }
  }
  return 0;
}
