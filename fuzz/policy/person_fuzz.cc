// Fuzz target: a person's facts from JSON/YAML text.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "policy/person_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return 0;  // the CLI reports these as person.syntax
  }
  auto person = yanglao::policy::ReadPerson(node, "fuzz.json");
  if (person.ok()) {
    const auto& schema = yanglao::policy::FactSchema::Person();
    for (size_t s = 0; s < schema.size(); ++s) {
      if ((*person)[s] < schema.at(s).min || (*person)[s] > schema.at(s).max) __builtin_trap();
    }
    (void)yanglao::policy::DescribePerson(*person);
  }
  return 0;
}
