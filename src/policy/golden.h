// Golden policy cases (tests/policy/*.cases.yaml): people with the items and
// amounts each is entitled to under a list on a date, read from the policy
// text by a person. Running a file checks both evaluators against them: the
// one-person evaluator case by case, and the population evaluator over all
// cases at once.
#ifndef YANGLAO_POLICY_GOLDEN_H_
#define YANGLAO_POLICY_GOLDEN_H_

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace yanglao::policy {

struct GoldenReport {
  int cases = 0;
  std::vector<std::string> failures;  // one Chinese line per mismatch
};

// Fails (Status) when the cases file, its list or its parameter file cannot
// be read or checked; mismatches are reported in the GoldenReport.
Result<GoldenReport> RunGoldenFile(const std::filesystem::path& path);

}  // namespace yanglao::policy

#endif  // YANGLAO_POLICY_GOLDEN_H_
