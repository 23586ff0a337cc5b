// Reading a person's facts from a JSON or YAML mapping ({"age": 82,
// "hukou_local": true, "tekun": "dispersed"}), as used by `policy explain`
// and the golden cases. Facts not given take their defaults (false, 0, the
// first enum value); `age` is required.
#ifndef YANGLAO_POLICY_PERSON_FILE_H_
#define YANGLAO_POLICY_PERSON_FILE_H_

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "policy/fact_schema.h"

namespace yanglao::policy {

// Reads facts from `node` (a mapping). Errors, located in `file`:
// person.unknown_fact, person.type, person.enum_value, person.range,
// person.missing_age.
Result<PersonFacts> ReadPerson(const YAML::Node& node, const std::string& file);
// Reads a whole JSON or YAML file holding one mapping.
Result<PersonFacts> ReadPersonFile(const std::filesystem::path& path);

// The facts that differ from their defaults, in Chinese: "年龄（周岁）=82，本地户籍=是".
std::string DescribePerson(const PersonFacts& person);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_PERSON_FILE_H_
