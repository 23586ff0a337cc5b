// Benchmarks of the core types. Each measured operation is reported with the
// ratio against a named baseline measured in the same run (see
// bench/ratio_main.cc). Run: bash bench/run.sh
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "core/civil_date.h"
#include "core/csv.h"
#include "core/id_number.h"
#include "core/money.h"
#include "core/region.h"

namespace yanglao {
namespace {

size_t SourceBytes(const RegionSources& s) {
  return s.provinces.text.size() + s.cities.text.size() + s.areas.text.size() +
         s.streets.text.size() + s.villages.text.size() + s.abolished.text.size();
}

// Baseline: the least any loader must do, touching every byte once (count
// the lines).
void BM_RegionBaseline_CountLines(benchmark::State& state) {
  RegionSources s = BuiltinRegionSources();
  for (auto _ : state) {
    size_t lines = 0;
    for (std::string_view t : {s.provinces.text, s.cities.text, s.areas.text, s.streets.text,
                               s.villages.text, s.abolished.text}) {
      lines += static_cast<size_t>(std::count(t.begin(), t.end(), '\n'));
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(SourceBytes(s)));
}
BENCHMARK(BM_RegionBaseline_CountLines)->Unit(benchmark::kMillisecond);

// Splitting the CSV alone, without building the table.
void BM_RegionCsvOnly(benchmark::State& state) {
  RegionSources s = BuiltinRegionSources();
  for (auto _ : state) {
    size_t fields = 0;
    for (const RegionSources::File* f :
         {&s.provinces, &s.cities, &s.areas, &s.streets, &s.villages, &s.abolished}) {
      CsvReader reader(f->text, f->name);
      CsvRow row;
      while (reader.Next(row).value_or(false)) fields += row.fields.size();
    }
    benchmark::DoNotOptimize(fields);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(SourceBytes(s)));
}
BENCHMARK(BM_RegionCsvOnly)->Unit(benchmark::kMillisecond);

// The whole start-up load: parse, validate, classify, sort and index.
void BM_RegionTableLoad(benchmark::State& state) {
  RegionSources s = BuiltinRegionSources();
  for (auto _ : state) {
    Result<RegionTable> t = RegionTable::Load(s);
    benchmark::DoNotOptimize(t.ok());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(SourceBytes(s)));
  state.counters["units"] = static_cast<double>(RegionTable::Builtin().size());
}
BENCHMARK(BM_RegionTableLoad)->Unit(benchmark::kMillisecond);

std::vector<std::string> SampleIds(size_t n) {
  std::mt19937_64 rng(7);
  std::vector<const Region*> counties;
  for (const Region& r : RegionTable::Builtin().all()) {
    if (r.level == RegionLevel::kCounty) counties.push_back(&r);
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) {
    CivilDate birth = CivilDate::FromYmd(1930, 1, 1)->AddDays(static_cast<int>(rng() % 30000));
    std::string s = counties[rng() % counties.size()]->code + birth.ToString().substr(0, 4) +
                    birth.ToString().substr(5, 2) + birth.ToString().substr(8, 2) +
                    std::to_string(100 + rng() % 900);
    s += IdCheckCharacter(s);
    ids.push_back(s);
  }
  return ids;
}

// Baseline for ID parsing: copying the text (what any parser must at least do).
void BM_IdBaseline_Copy(benchmark::State& state) {
  std::vector<std::string> ids = SampleIds(4096);
  size_t i = 0;
  for (auto _ : state) {
    std::string copy = ids[i++ & 4095];
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_IdBaseline_Copy);

void BM_IdCheckCharacter(benchmark::State& state) {
  std::vector<std::string> ids = SampleIds(4096);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(IdCheckCharacter(ids[i++ & 4095]));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_IdCheckCharacter);

void BM_ParseIdNumber(benchmark::State& state) {
  std::vector<std::string> ids = SampleIds(4096);
  const RegionTable& regions = RegionTable::Builtin();
  CivilDate today = *CivilDate::FromYmd(2026, 11, 22);
  size_t i = 0;
  for (auto _ : state) {
    Result<IdNumber> id = ParseIdNumber(ids[i++ & 4095], regions, today);
    benchmark::DoNotOptimize(id.ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseIdNumber);

void BM_AgeOn(benchmark::State& state) {
  CivilDate birth = *CivilDate::FromYmd(1944, 2, 29);
  CivilDate on = *CivilDate::FromYmd(2026, 11, 22);
  for (auto _ : state) {
    benchmark::DoNotOptimize(AgeOn(birth, on));
    on = on.AddDays(1);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_AgeOn);

void BM_MoneyFormat(benchmark::State& state) {
  Money m = Money::Fen(123456789);
  for (auto _ : state) benchmark::DoNotOptimize(m.Format());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_MoneyFormat);

}  // namespace
}  // namespace yanglao

// Ratios printed after the run: measured / baseline (see ratio_main.cc).
extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_RegionCsvOnly", "BM_RegionBaseline_CountLines"},
    {"BM_RegionTableLoad", "BM_RegionBaseline_CountLines"},
    {"BM_RegionTableLoad", "BM_RegionCsvOnly"},
    {"BM_IdCheckCharacter", "BM_IdBaseline_Copy"},
    {"BM_ParseIdNumber", "BM_IdBaseline_Copy"},
    {nullptr, nullptr},
};
