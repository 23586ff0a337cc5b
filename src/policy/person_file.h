// Reading a person's facts from a JSON or YAML mapping ({"age": 82,
// "hukou_local": true, "tekun": "dispersed"}), as used by `policy explain`
// and the golden cases. Facts not given take their defaults (false, 0, the
// first enum value), except `resident_local`, true: a person file describes
// someone living in the list's jurisdiction unless it says otherwise. Any
// fact may be `unknown` (or 未知): nobody knows it (kUnknownFact). `age` is
// required, or `birth_date` (YYYY-MM-DD) with the evaluation date, the age
// then being the 周岁 on it. `capability_level` takes 0..4 or the level's
// name as an assessment agency states it (能力完好, 轻度失能, 中度失能,
// 重度失能, 完全失能); a name implies `capability_assessed: true`.
#ifndef YANGLAO_POLICY_PERSON_FILE_H_
#define YANGLAO_POLICY_PERSON_FILE_H_

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "policy/fact_schema.h"

namespace yanglao::policy {

// Reads facts from `node` (a mapping). Errors, located in `file`:
// person.unknown_fact, person.type, person.enum_value, person.range,
// person.missing_age.
Result<PersonFacts> ReadPerson(const YAML::Node& node, const std::string& file,
                               std::optional<CivilDate> on = std::nullopt);
// Reads a whole JSON or YAML file holding one mapping.
Result<PersonFacts> ReadPersonFile(const std::filesystem::path& path,
                                   std::optional<CivilDate> on = std::nullopt);

// The facts that differ from their defaults, in Chinese: "年龄（周岁）=82，本地户籍=是".
std::string DescribePerson(const PersonFacts& person);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_PERSON_FILE_H_
