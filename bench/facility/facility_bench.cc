// Facility planning on the generated Suizhou (`yanglao gen` facilities,
// estates and community points; about 1,000 communities, 800 facilities,
// 300 estates) with the older population of a scale-1 city (a count per
// community drawn like the census: 100-2,000 people aged 60+): every coverage
// indicator of the policy at each level, the 15-minute circle (R-tree) and
// 10 suggested sites. Baselines from the same run: one pass summing the
// older population (the least any indicator costs), and the circle by brute
// force over every (community, facility) pair.
// Targets (issue #22): indicators < 1 s, circle < 1 s, 10 sites < 5 s.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "core/file_io.h"
#include "facility/planning.h"
#include "facility/policy.h"
#include "facility/table.h"
#include "gen/facility_synthetic.h"
#include "gen/rng.h"

namespace {

using namespace yanglao;
using namespace yanglao::facility;
namespace fs = std::filesystem;

struct City {
  FacilityPolicy policy;
  CityView view;
};

const City& Suizhou() {
  static City* city = [] {
    auto* c = new City;
    const char* src = std::getenv("YANGLAO_SOURCE_DIR");
    fs::path root = src ? src : YANGLAO_SOURCE_DIR_DEFAULT;
    c->policy = *LoadFacilityPolicy(root / "policies/facility/suizhou.yaml");
    fs::path dir = fs::temp_directory_path() / ("facility_bench_" + std::to_string(::getpid()));
    auto syn = gen::WriteSyntheticFacilities({.region = "421300", .seed = 7, .out = dir});
    ParsedTable t[3];
    int k = 0;
    for (const char* f : {"养老设施.csv", "住宅小区.csv", "社区坐标.csv"}) {
      t[k++] = *ParseFacilityFile(*ReadFileBytes(syn->dir / f), f);
    }
    fs::remove_all(dir);
    std::unordered_map<std::string, int64_t> older;
    gen::Rng rng(7);
    for (const CommunityPoint& p : t[2].points) older[p.community] = rng.Between(100, 2000);
    c->view = *BuildCityView(c->policy, t[0].facilities, t[1].estates, t[2].points, older);
    return c;
  }();
  return *city;
}

const std::vector<Kind> kKinds = {Kind::kComplex, Kind::kDayCare, Kind::kMutualAid, Kind::kCanteen};

void BM_Baseline_SumOlder(benchmark::State& state) {
  const CityView& v = Suizhou().view;
  for (auto _ : state) {
    int64_t sum = 0;
    for (const Area& a : v.areas) sum += a.older;
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_Baseline_SumOlder);

void BM_CoverageAllLevels(benchmark::State& state) {
  const CityView& v = Suizhou().view;
  for (auto _ : state) {
    for (GroupBy by : {GroupBy::kCity, GroupBy::kCounty, GroupBy::kStreet}) {
      auto lines = CoverageTable(v, {2023, 2024, 2025}, by);
      benchmark::DoNotOptimize(lines.data());
    }
  }
}
BENCHMARK(BM_CoverageAllLevels)->Unit(benchmark::kMicrosecond);

void BM_WalkRTree(benchmark::State& state) {
  const CityView& v = Suizhou().view;
  for (auto _ : state) {
    WalkCoverage w = Walk(v, kKinds);
    benchmark::DoNotOptimize(w.older_covered);
  }
}
BENCHMARK(BM_WalkRTree)->Unit(benchmark::kMicrosecond);

void BM_Baseline_WalkBruteForce(benchmark::State& state) {
  const CityView& v = Suizhou().view;
  const double r = v.policy->walk.radius_m(), r2 = r * r;
  for (auto _ : state) {
    int64_t covered = 0;
    for (const Area& a : v.areas) {
      for (const Facility& f : v.facilities) {
        if (!f.active() || (f.kind != Kind::kComplex && f.kind != Kind::kDayCare &&
                            f.kind != Kind::kMutualAid && f.kind != Kind::kCanteen)) {
          continue;
        }
        double dx = static_cast<double>(f.x) - a.x, dy = static_cast<double>(f.y) - a.y;
        if (dx * dx + dy * dy <= r2) {
          covered += a.older;
          break;
        }
      }
    }
    benchmark::DoNotOptimize(covered);
  }
}
BENCHMARK(BM_Baseline_WalkBruteForce)->Unit(benchmark::kMicrosecond);

void BM_Suggest10(benchmark::State& state) {
  const CityView& v = Suizhou().view;
  for (auto _ : state) {
    Suggestion s = SuggestSites(v, kKinds, 10, 3000);
    benchmark::DoNotOptimize(s.uncovered_after);
  }
}
BENCHMARK(BM_Suggest10)->Unit(benchmark::kMicrosecond);

}  // namespace

extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_CoverageAllLevels", "BM_Baseline_SumOlder"},
    {"BM_WalkRTree", "BM_Baseline_WalkBruteForce"},
    {"BM_Suggest10", "BM_WalkRTree"},
    {nullptr, nullptr},
};
