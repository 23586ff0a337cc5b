// The admission waitlist at city size: 10,000 waiting applicants (Suizhou's
// rules; facts drawn from a seeded generator: ages, capability levels,
// 特困 with and without willingness, 优抚 and 计生 tie-breakers, preferred
// institutions) and 200 beds.
//   BM_RankAll         every position recomputed (class and tie-breaker as
//                      set once per assessment, then the ordering and every
//                      trace) — target < 50 ms
//   BM_RankAllFresh    the same with every class and tie-breaker evaluated
//                      again by the rule engine (a rules change)
//   BM_FreedBedOffer   a freed bed's next applicant decided (filter, then
//                      the minimum; no full sort) — target < 10 ms
// Baselines from the same run over the same rows: a plain std::sort of the
// 10,000 rows by a precomputed integer key and date (the least a re-ranking
// costs), and one linear scan for the minimum of that key.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "waitlist/queue.h"
#include "waitlist/rules.h"

namespace {

using namespace yanglao;
using namespace yanglao::waitlist;
namespace fs = std::filesystem;

constexpr int kApplicants = 10000;

struct Fixture {
  std::unique_ptr<WaitlistRules> rules;
  State state;
  Bed freed;
};

const Fixture& City() {
  static Fixture* f = [] {
    auto* x = new Fixture;
    const char* src = std::getenv("YANGLAO_SOURCE_DIR");
    fs::path root = src ? src : YANGLAO_SOURCE_DIR_DEFAULT;
    CivilDate on = *CivilDate::FromYmd(2026, 1, 1);
    auto rules = WaitlistRules::Load(root / "policies/waitlist/suizhou.waitlist.yaml", on);
    if (!rules.ok()) std::abort();
    x->rules = std::move(*rules);
    std::mt19937 rng(2026);
    const char* types[] = {"普通", "护理型", "认知障碍照护专区"};
    const char* extras[] = {"",
                            " tekun=dispersed",
                            " martyr_family=true",
                            " active_duty_family=true",
                            " family_planning_special=true",
                            " dibao=true",
                            " disability_grade=1",
                            " dementia=true"};
    for (int i = 1; i <= kApplicants; ++i) {
      Application a;
      a.id = i;
      a.person = "4213031950" + std::to_string(10000000 + i);
      a.name = "轮候" + std::to_string(i);
      a.bed_type = types[rng() % 3];
      a.willing = rng() % 2 == 0;
      if (rng() % 3 == 0) a.institutions = {"I" + std::to_string(rng() % 20)};
      a.applied_on = on.AddDays(-static_cast<int>(rng() % 1000));
      a.since = a.applied_on;
      a.county = rng() % 2 ? "421303" : "421321";
      std::string facts = "age=" + std::to_string(60 + rng() % 40) +
                          " capability_level=" + std::to_string(rng() % 5) + extras[rng() % 8];
      a.facts = *FactsFromText(facts);
      a.status = AppStatus::kWaiting;
      Classify(*x->rules, a);  // as the store does when the facts are set
      x->state.applications[i] = std::move(a);
    }
    for (int b = 0; b < 200; ++b) {
      Bed bed{.id = "B" + std::to_string(b),
              .institution = "I" + std::to_string(b % 20),
              .type = types[b % 3]};
      x->state.beds[bed.id] = bed;
    }
    x->freed = x->state.beds.at("B1");  // a 护理型 bed of I1
    return x;
  }();
  return *f;
}

struct Row {
  int64_t key;
  CivilDate since;
  int64_t id;
};

std::vector<Row> Rows() {
  std::vector<Row> rows;
  for (const auto& [id, a] : City().state.applications) {
    rows.push_back({a.facts[0] * 1000 + a.facts[1], a.since, id});
  }
  return rows;
}

void BM_Baseline_PlainSort(benchmark::State& state) {
  const std::vector<Row> rows = Rows();
  for (auto _ : state) {
    std::vector<Row> r = rows;
    std::sort(r.begin(), r.end(), [](const Row& x, const Row& y) {
      if (x.key != y.key) return x.key > y.key;
      if (x.since != y.since) return x.since < y.since;
      return x.id < y.id;
    });
    benchmark::DoNotOptimize(r.data());
  }
}
BENCHMARK(BM_Baseline_PlainSort)->Unit(benchmark::kMillisecond);

void BM_RankAll(benchmark::State& state) {
  const Fixture& f = City();
  size_t n = 0;
  for (auto _ : state) {
    std::vector<Position> q = Rank(*f.rules, f.state);
    n = q.size();
    benchmark::DoNotOptimize(q.data());
  }
  if (n != kApplicants) state.SkipWithError("not every applicant ranked");
}
BENCHMARK(BM_RankAll)->Unit(benchmark::kMillisecond);

void BM_RankAllFresh(benchmark::State& state) {
  const Fixture& f = City();
  State fresh = f.state;
  for (auto& [id, a] : fresh.applications) a.klass = a.tie = -1;
  for (auto _ : state) {
    std::vector<Position> q = Rank(*f.rules, fresh);
    benchmark::DoNotOptimize(q.data());
  }
}
BENCHMARK(BM_RankAllFresh)->Unit(benchmark::kMillisecond);

void BM_Baseline_PlainScan(benchmark::State& state) {
  const std::vector<Row> rows = Rows();
  for (auto _ : state) {
    const Row* best = &rows[0];
    for (const Row& r : rows) {
      if (r.key > best->key || (r.key == best->key && r.since < best->since)) best = &r;
    }
    benchmark::DoNotOptimize(best);
  }
}
BENCHMARK(BM_Baseline_PlainScan)->Unit(benchmark::kMillisecond);

void BM_FreedBedOffer(benchmark::State& state) {
  const Fixture& f = City();
  std::optional<int64_t> next;
  for (auto _ : state) {
    next = NextFor(*f.rules, f.state, f.freed);
    benchmark::DoNotOptimize(next);
  }
  if (!next) state.SkipWithError("nobody eligible");
}
BENCHMARK(BM_FreedBedOffer)->Unit(benchmark::kMillisecond);

}  // namespace

extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_RankAll", "BM_Baseline_PlainSort"},
    {"BM_RankAllFresh", "BM_Baseline_PlainSort"},
    {"BM_FreedBedOffer", "BM_Baseline_PlainScan"},
    {nullptr, nullptr},
};
