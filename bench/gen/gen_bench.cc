// Benchmarks of the synthetic city generator (yanglao gen). People generated
// per second, reported with the ratio against baselines measured in the same
// run (see bench/ratio_main.cc):
//   - BM_GenerateCity (whole run: model, people, seven files, manifest)
//     against BM_GenBaseline_WriteFixedRows: writing the same number of bytes
//     of one fixed CSV row to seven files, the least any generator must do;
//   - BM_GenerateBlocks (people and their rows in memory, one thread)
//     against BM_GenBaseline_AppendFixedRows: appending the same bytes of a
//     fixed row to a string.
// The whole-process run for 10 million people is bench/gen/gen_10m.sh.
// Run: bash bench/run.sh
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "core/region.h"
#include "gen/calibration.h"
#include "gen/city_model.h"
#include "gen/generator.h"
#include "gen/person.h"

namespace yanglao::gen {
namespace {

namespace fs = std::filesystem;

// 随州 at scale 0.1: about 74,500 people aged 50+.
GenOptions Options(const fs::path& out) {
  return GenOptions{.region = "421300", .seed = 7, .scale = 0.1, .out = out};
}

fs::path BenchDir(const char* name) {
  return fs::temp_directory_path() / (std::string("yanglao_gen_bench_") + name);
}

// What one generation of Options() writes, measured once.
struct Reference {
  int64_t people = 0;
  int64_t bytes = 0;
};
const Reference& GetReference() {
  static const Reference ref = [] {
    fs::path dir = BenchDir("reference");
    Result<GenSummary> s = GenerateCity(Options(dir));
    fs::remove_all(dir);
    if (!s.ok()) return Reference{};
    return Reference{s->people, s->bytes_written};
  }();
  return ref;
}

constexpr std::string_view kFixedRow =
    "421303195001012345,张建国,421303001001,421303001001,,2001-01-01,\n";

void BM_GenBaseline_WriteFixedRows(benchmark::State& state) {
  const Reference& ref = GetReference();
  fs::path dir = BenchDir("baseline");
  fs::create_directories(dir);
  for (auto _ : state) {
    std::FILE* files[7];
    for (int f = 0; f < 7; ++f) {
      files[f] = std::fopen((dir / (std::to_string(f) + ".csv")).c_str(), "wb");
      std::setvbuf(files[f], nullptr, _IOFBF, 1 << 20);
    }
    int64_t written = 0;
    for (int64_t row = 0; written < ref.bytes; ++row) {
      std::fwrite(kFixedRow.data(), 1, kFixedRow.size(), files[row % 7]);
      written += static_cast<int64_t>(kFixedRow.size());
    }
    for (std::FILE* f : files) std::fclose(f);
  }
  fs::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * ref.people);
  state.SetBytesProcessed(state.iterations() * ref.bytes);
}
BENCHMARK(BM_GenBaseline_WriteFixedRows)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GenerateCity(benchmark::State& state) {
  const Reference& ref = GetReference();
  fs::path dir = BenchDir("city");
  for (auto _ : state) {
    Result<GenSummary> s = GenerateCity(Options(dir));
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(s->people);
  }
  fs::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * ref.people);
  state.SetBytesProcessed(state.iterations() * ref.bytes);
  state.counters["people"] = static_cast<double>(ref.people);
}
BENCHMARK(BM_GenerateCity)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GenBaseline_AppendFixedRows(benchmark::State& state) {
  const Reference& ref = GetReference();
  std::string out;
  for (auto _ : state) {
    out.clear();
    while (static_cast<int64_t>(out.size()) < ref.bytes) out += kFixedRow;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * ref.people);
  state.SetBytesProcessed(state.iterations() * ref.bytes);
}
BENCHMARK(BM_GenBaseline_AppendFixedRows)->Unit(benchmark::kMillisecond);

void BM_GenerateBlocks(benchmark::State& state) {
  GenOptions options = Options(BenchDir("unused"));
  Result<CityModel> model = BuildCityModel(options, BuiltinCalibration(), RegionTable::Builtin());
  if (!model.ok()) {
    state.SkipWithError(model.status().ToString().c_str());
    return;
  }
  std::vector<BlockStart> blocks = PlanBlocks(*model, 8192);
  BlockOutput out;
  for (auto _ : state) {
    for (const BlockStart& b : blocks) {
      GenerateBlock(*model, b, out);
      benchmark::DoNotOptimize(out.text[0].data());
    }
  }
  state.SetItemsProcessed(state.iterations() * model->people);
}
BENCHMARK(BM_GenerateBlocks)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace yanglao::gen

// Ratios printed after the run: measured / baseline (see ratio_main.cc).
extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_GenerateCity/real_time", "BM_GenBaseline_WriteFixedRows/real_time"},
    {"BM_GenerateBlocks", "BM_GenBaseline_AppendFixedRows"},
    {nullptr, nullptr},
};
