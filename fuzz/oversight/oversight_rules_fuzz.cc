// Fuzz target: the oversight module's other parsers of outside input: a task
// indicator file (policies/oversight/*.indicators.yaml), a credit rules file
// (credit.yaml) and a report period ("2026", "2026-Q2", "2026-03", from the
// command line or a query string). Whatever the bytes, each returns a
// located failure with its own code or a value that holds its invariants.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "oversight/credit.h"
#include "oversight/indicators.h"
#include "oversight/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::oversight;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yanglao::Result<IndicatorPolicy> ind = ParseIndicatorPolicy(text, "fuzz.indicators.yaml");
  if (!ind.ok()) {
    if (ind.status().code() != "oversight.indicators") __builtin_trap();
  } else {
    if (ind->jurisdiction.size() != 6 || ind->at_risk_days < 0) __builtin_trap();
    for (const IndicatorLink& l : ind->links) {
      if (!IsKnownIndicator(l.indicator) || !(l.min >= 0)) __builtin_trap();
    }
  }
  yanglao::Result<CreditPolicy> credit = ParseCreditPolicy(text, "fuzz.credit.yaml");
  if (!credit.ok()) {
    if (credit.status().code() != "oversight.credit_policy") __builtin_trap();
  } else {
    if (credit->bands.empty() || credit->bands.back().min != 0) __builtin_trap();
    for (int score = 0; score <= credit->base; ++score) {
      const CreditBand& b = credit->BandOf(score);
      if (score < b.min || b.inspections_per_year < 1) __builtin_trap();
    }
    if (credit->min_grade < 1 || credit->min_grade > 5) __builtin_trap();
  }
  yanglao::Result<Period> period = ParsePeriod(text);
  if (!period.ok()) {
    if (period.status().code() != "oversight.period") __builtin_trap();
  } else if (period->first > period->last || period->start() > period->end()) {
    __builtin_trap();
  }
  return 0;
}
