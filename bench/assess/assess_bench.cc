// Benchmarks of capability assessment forms: reading one form (Boost.JSON's
// SAX parser into a located tree, then every check) against the baseline of
// Boost.JSON's own DOM parse of the same text, and scoring. Run: bash bench/run.sh
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <string>

#include "assess/form_json.h"
#include "assess/scoring.h"
#include "core/region.h"

namespace yanglao::assess {
namespace {

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);

std::string WorkedForm() {
  FormDocument f;
  f.header.id_number = "421303194402290016";
  f.header.name = "张三";
  f.header.assessed_on = CivilDate::FromYmd(2026, 3, 10);
  f.header.reason = Reason::kFirst;
  f.header.assessor = "李评估";
  f.header.agency = "曾都区老年人能力评估中心";
  f.answers.items = {4, 3, 2, 3, 3, 4, 4, 3, 4, 3, 3, 2, 4, 4, 4, 3, 4, 4, 1, 1, 2, 2, 1, 3, 2, 4};
  f.answers.dementia = true;
  f.answers.risk_events = {2, 0, 0, 0, 0};
  return FormToJson(f);
}

// Baseline: Boost.JSON's DOM parse of the form, no checks.
void BM_FormBaseline_BoostJsonDom(benchmark::State& state) {
  std::string text = WorkedForm();
  for (auto _ : state) benchmark::DoNotOptimize(boost::json::parse(text));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_FormBaseline_BoostJsonDom);

// The whole read: located tree, header (ID number, date, age), items, basic.
void BM_FormParse(benchmark::State& state) {
  std::string text = WorkedForm();
  FormParseOptions options{.require_header = true, .today = kToday};
  (void)RegionTable::Builtin();  // loaded once per process, not per form
  for (auto _ : state) benchmark::DoNotOptimize(ParseFormJson(text, "f.json", options));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_FormParse);

void BM_FormScore(benchmark::State& state) {
  FormAnswers a = ParseFormJson(WorkedForm(), "f.json", {.today = kToday}).value().answers;
  for (auto _ : state) benchmark::DoNotOptimize(ScoreForm(a));
}
BENCHMARK(BM_FormScore);

}  // namespace
}  // namespace yanglao::assess

extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_FormParse", "BM_FormBaseline_BoostJsonDom"},
    {"BM_FormScore", "BM_FormBaseline_BoostJsonDom"},
    {nullptr, nullptr},
};
