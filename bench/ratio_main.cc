// main() for yanglao's Google Benchmark binaries. Runs the benchmarks as
// usual, then prints each ratio the binary declares in kYanglaoBenchRatios
// ({measured, baseline} pairs of benchmark names, ended by {nullptr,
// nullptr}): real time of the measured benchmark divided by the baseline's,
// both from this same run.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

extern const char* const kYanglaoBenchRatios[][2];

namespace {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && run.iterations > 0) {
        real_ns_[run.benchmark_name()] = run.GetAdjustedRealTime() *
                                         benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond) /
                                         benchmark::GetTimeUnitMultiplier(run.time_unit);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void PrintRatios() const {
    std::printf("\nRatios (real time, this run):\n");
    for (int i = 0; kYanglaoBenchRatios[i][0] != nullptr; ++i) {
      auto m = real_ns_.find(kYanglaoBenchRatios[i][0]);
      auto b = real_ns_.find(kYanglaoBenchRatios[i][1]);
      if (m == real_ns_.end() || b == real_ns_.end() || b->second <= 0) continue;
      std::printf("  %-24s / %-30s = %8.2fx  (%.3g ns vs %.3g ns)\n", m->first.c_str(),
                  b->first.c_str(), m->second / b->second, m->second, b->second);
    }
  }

 private:
  std::map<std::string, double> real_ns_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
