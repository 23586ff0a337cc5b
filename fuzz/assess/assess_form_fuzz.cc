// Fuzz target: an assessment form as JSON (src/assess/form_json.h), the
// parser behind `yanglao assess score|record|import`. Whatever the input,
// the parser returns a located failure or a form whose answers are in range
// and whose canonical JSON reads back to the same form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assess/form_json.h"
#include "assess/scoring.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao;
  using namespace yanglao::assess;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);
  for (bool header : {false, true}) {
    FormParseOptions options{.require_header = header, .today = kToday, .first_line = 3};
    Result<FormDocument> form = ParseFormJson(text, "fuzz.json", options);
    if (!form.ok()) {
      if (form.status().code().empty() || form.status().message().empty()) __builtin_trap();
      if (form.status().where().line != 0 && form.status().where().line < 3) __builtin_trap();
      continue;
    }
    if (!CheckAnswers(form->answers).ok()) __builtin_trap();
    Score s = ScoreForm(form->answers);
    int sum = 0;
    for (int v : s.subtotals) sum += v;
    if (sum != s.total || s.total < 0 || s.total > kMaxTotal) __builtin_trap();
    if (s.final_level < 0 || s.final_level >= kLevelCount) __builtin_trap();
    std::string canonical = FormToJson(*form);
    Result<FormDocument> back = ParseFormJson(canonical, "canonical.json", options);
    if (!back.ok() || FormToJson(*back) != canonical) __builtin_trap();
  }
  return 0;
}
