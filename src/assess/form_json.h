// Assessment forms as JSON (the format of docs/assessment.md,
// "yanglao.assessment/1"): who was assessed, when, why and by whom, the 26
// item answers by item number ("B1.1": 4) and the basic information the
// adjustments depend on. Batch files are JSON Lines: one form per line.
//
// Errors name the place: syntax errors and wrong values by file:line:col
// (columns in characters) and the field; every problem has a stable code.
#ifndef YANGLAO_ASSESS_FORM_JSON_H_
#define YANGLAO_ASSESS_FORM_JSON_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "assess/scoring.h"
#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::assess {

// Why the person was assessed (GB/T 42195-2022 A.1.3).
enum class Reason { kFirst, kPeriodic, kChange, kRequest };
inline constexpr size_t kReasonCount = 4;
// "first", "periodic", "change", "request": the values in form files.
std::string_view ReasonKey(Reason reason);
// "首次评估", "常规评估", "即时评估（状况变化）", "申请复评".
std::string_view ReasonName(Reason reason);
std::optional<Reason> ParseReason(std::string_view key);

// Who, when, why and by whom. Empty / nullopt when the form leaves it out.
struct FormHeader {
  std::string id_number;  // validated, 18 characters
  std::string name;
  std::optional<CivilDate> assessed_on;
  std::optional<Reason> reason;
  std::string assessor;  // 评估员
  std::string agency;    // 评估机构
  std::string note;
};

struct FormDocument {
  FormHeader header;
  FormAnswers answers;
};

struct FormParseOptions {
  // Require the header fields (id_number, assessed_on, reason, assessor,
  // agency), as recording does; scoring needs only the answers.
  bool require_header = false;
  // ID numbers must not be born after, and assessments not dated after, this day.
  CivilDate today = CivilDate::Today();
  // Line number of the text's first line in its file (JSON Lines batches).
  int first_line = 1;
};

// Parses one form. Fails with
//   assess.syntax        not JSON (file:line:col of the fault)
//   assess.format        "format" is not "yanglao.assessment/1"
//   assess.unknown_field a key the format does not have (a typo, say)
//   assess.duplicate     a key given twice
//   assess.type          a value of the wrong kind ("应为整数" ...)
//   assess.missing       a required field or item is missing (all missing
//                        items are named, the first in the location)
//   assess.range         an answer outside its points, a risk count outside 0..3
//   assess.inconsistent  coma with B3.9 above 0
//   assess.id / assess.date / assess.age / assess.reason  header values
// with the file:line:col of the key or value and its field name.
Result<FormDocument> ParseFormJson(std::string_view text, const std::string& file_name,
                                   const FormParseOptions& options = {});

// The answers as one line of JSON in the same format (header fields that
// are set, then items and basic), for writing batch files.
std::string FormToJson(const FormDocument& form);

}  // namespace yanglao::assess

#endif  // YANGLAO_ASSESS_FORM_JSON_H_
