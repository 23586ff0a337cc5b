// The devices' rule pipeline (issue #21: every rule evaluated, fed directly,
// >= 50,000 messages/s per core). A realistic stream for 10,000 wristbands
// (locations drifting or walking near the fence, heartbeats, heart rate,
// blood pressure, a few SOS and falls) is generated once; then:
//   BM_ParseOnly        the strict JSON parser alone (the baseline);
//   BM_RulesOnly        the pipeline fed parsed messages, with the clock
//                       ticking every simulated second;
//   BM_ParseAndRules    both, as the ingest does before its database write.
// items_per_second is messages per second on one core; the ratios compare
// with the parser in the same run.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "devices/payload.h"
#include "devices/rules.h"

namespace {

using namespace yanglao::devices;

constexpr int kDevices = 10000;
constexpr int kMessages = 200000;
constexpr double kLat = 30.3914, kLon = 114.8949, kPerDegree = 111320;

struct Stream {
  std::vector<std::pair<std::string, std::string>> wire;  // topic, payload
  std::vector<Message> parsed;
  std::vector<double> home_lat, home_lon;
};

const Stream& TheStream() {
  static const Stream* const s = [] {
    auto* out = new Stream;
    std::mt19937_64 rng(21);
    std::normal_distribution<double> g(0, 1);
    std::uniform_real_distribution<double> u(0, 1);
    for (int d = 0; d < kDevices; ++d) {
      out->home_lat.push_back(kLat + (u(rng) - 0.5) * 0.08);
      out->home_lon.push_back(kLon + (u(rng) - 0.5) * 0.08);
    }
    std::vector<double> north(kDevices, 0);
    const int64_t t0 = 1796600000000;
    for (int i = 0; i < kMessages; ++i) {
      const int d = static_cast<int>(u(rng) * kDevices) % kDevices;
      Message m;
      m.device = fmt::format("w-{:05d}", d);
      m.id = fmt::format("{}", i);
      // 1,000 messages per simulated second: each device about every 10 s.
      m.ts_ms = t0 + static_cast<int64_t>(i);
      const double r = u(rng);
      if (r < 0.5) {
        m.type = MessageType::kLocation;
        if (d % 3 == 0) north[static_cast<size_t>(d)] += g(rng) * 40;  // walkers
        m.has_fix = true;
        m.acc = 5 + std::abs(g(rng)) * 30;
        m.lat = out->home_lat[static_cast<size_t>(d)] +
                (north[static_cast<size_t>(d)] + g(rng) * m.acc / 2) / kPerDegree;
        m.lon = out->home_lon[static_cast<size_t>(d)] + g(rng) * m.acc / 2 / kPerDegree;
      } else if (r < 0.75) {
        m.type = MessageType::kHeartbeat;
        m.motion = static_cast<int>(u(rng) * 10);
        m.percent = 10 + static_cast<int>(u(rng) * 90);
      } else if (r < 0.9) {
        m.type = MessageType::kHeartRate;
        m.bpm = std::clamp(static_cast<int>(75 + g(rng) * 20), 30, 220);
      } else if (r < 0.99) {
        m.type = MessageType::kBloodPressure;
        m.sys = std::clamp(static_cast<int>(135 + g(rng) * 20), 80, 250);
        m.dia = std::clamp(static_cast<int>(82 + g(rng) * 10), 40, m.sys - 10);
      } else if (r < 0.995) {
        m.type = MessageType::kSos;
      } else {
        m.type = MessageType::kFall;
        m.confidence = u(rng);
      }
      out->wire.emplace_back(UpTopic(m.device, m.type), PayloadJson(m));
      out->parsed.push_back(m);
    }
    return out;
  }();
  return *s;
}

Pipeline MakePipeline() {
  const Stream& s = TheStream();
  Pipeline p(Settings{});
  for (int d = 0; d < kDevices; ++d) {
    DeviceRules r;
    r.has_fence = true;
    r.home_lat = s.home_lat[static_cast<size_t>(d)];
    r.home_lon = s.home_lon[static_cast<size_t>(d)];
    r.settings.fence_radius_m = 300;
    p.Configure(fmt::format("w-{:05d}", d), r);
  }
  return p;
}

void BM_ParseOnly(benchmark::State& state) {
  const Stream& s = TheStream();
  size_t i = 0;
  int64_t ok = 0;
  for (auto _ : state) {
    auto m = ParseMessage(s.wire[i].first, s.wire[i].second);
    ok += m.ok() ? 1 : 0;
    benchmark::DoNotOptimize(m);
    if (++i == s.wire.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  if (ok != static_cast<int64_t>(state.iterations())) state.SkipWithError("a message failed");
}

void BM_RulesOnly(benchmark::State& state) {
  const Stream& s = TheStream();
  Pipeline p = MakePipeline();
  std::vector<AlarmEvent> ev;
  size_t i = 0;
  int64_t alarms = 0;
  for (auto _ : state) {
    ev.clear();
    p.Feed(s.parsed[i], ev);
    if (i % 1000 == 0) p.Tick(s.parsed[i].ts_ms, ev);  // every simulated second
    alarms += static_cast<int64_t>(ev.size());
    if (++i == s.parsed.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["alarms"] = static_cast<double>(alarms);
}

void BM_ParseAndRules(benchmark::State& state) {
  const Stream& s = TheStream();
  Pipeline p = MakePipeline();
  std::vector<AlarmEvent> ev;
  size_t i = 0;
  for (auto _ : state) {
    ev.clear();
    auto m = ParseMessage(s.wire[i].first, s.wire[i].second);
    if (m.ok()) p.Feed(*m, ev);
    if (i % 1000 == 0) p.Tick(s.parsed[i].ts_ms, ev);
    benchmark::DoNotOptimize(ev);
    if (++i == s.wire.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ParseOnly);
BENCHMARK(BM_RulesOnly);
BENCHMARK(BM_ParseAndRules);

}  // namespace

extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_RulesOnly", "BM_ParseOnly"},
    {"BM_ParseAndRules", "BM_ParseOnly"},
    {nullptr, nullptr},
};
