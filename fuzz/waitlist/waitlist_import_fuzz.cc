// Fuzz target: the institutions list (src/waitlist/institution.h, CSV or
// XLSX bytes) and the facts text of an assessment (FactsFromText). Whatever
// the input (also as the beds and applications files of
// waitlist/applications_file.h), each parser returns a located failure or a value that holds its
// invariants: a file with problems yields no institutions; every institution
// passes CheckInstitution; facts read back from their text are the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "waitlist/applications_file.h"
#include "waitlist/institution.h"
#include "waitlist/rules.h"
#include "waitlist/store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao;
  using namespace yanglao::waitlist;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<InstitutionFile> file = ParseInstitutionFile(text, "fuzz.csv");
  if (!file.ok()) {
    if (file.status().code().empty() || file.status().message().empty()) __builtin_trap();
  } else {
    if (file->problem_count > 0 && !file->institutions.empty()) __builtin_trap();
    if (file->problems.size() > file->problem_count) __builtin_trap();
    for (const Status& p : file->problems) {
      if (p.code() != "waitlist.import" || p.where().line <= 0) __builtin_trap();
    }
    for (const Institution& i : file->institutions) {
      if (!CheckInstitution(i).ok()) __builtin_trap();
    }
  }
  Result<BedFile> beds = ParseBedFile(text, "fuzz.csv");
  if (beds.ok() && beds->problem_count > 0 && !beds->beds.empty()) __builtin_trap();
  Result<ApplicationFile> apps = ParseApplicationFile(text, "fuzz.csv");
  if (apps.ok()) {
    if (apps->problem_count > 0 && !apps->applications.empty()) __builtin_trap();
    for (const ApplicationRow& r : apps->applications) {
      if (r.application.person.size() != 18 || r.application.county.size() != 6) __builtin_trap();
    }
  }
  Result<policy::PersonFacts> facts = FactsFromText(text);
  if (facts.ok()) {
    Result<policy::PersonFacts> again = FactsFromText(FactsToText(*facts));
    if (!again.ok() || *again != *facts) __builtin_trap();
  } else if (facts.status().code() != "waitlist.fact") {
    __builtin_trap();
  }
  return 0;
}
