#include "devices/simulate.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <random>
#include <thread>

namespace yanglao::devices {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr double kMetresPerDegree = 111320;

struct Sim {
  std::unique_ptr<DeviceClient> client;
  Device device;
  double lat = 0, lon = 0;
  bool walker = false, silent_later = false, silent = false;
  int64_t silent_at = 0;
  double heading = 0;
  int64_t seq = 0, next_heartbeat = 0, next_fix = 0, next_vitals = 0;
  int battery = 100;
};

}  // namespace

std::vector<Device> SimulatedDevices(const SimulateOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<Device> out;
  for (int i = 1; i <= o.devices; ++i) {
    Device d;
    d.code = fmt::format("{}-{:05d}", o.prefix, i);
    d.kind = "wristband";
    d.person_id_number = "";
    d.person_name = fmt::format("模拟老人{:05d}（合成数据）", i);
    d.region = o.region;
    d.has_home = true;
    d.home_lat = o.centre_lat + u(rng) * 4000 / kMetresPerDegree;
    d.home_lon = o.centre_lon +
                 u(rng) * 4000 / kMetresPerDegree / std::cos(o.centre_lat * 3.14159265358979 / 180);
    out.push_back(d);
  }
  return out;
}

Result<SimulateReport> Simulate(const SimulateOptions& o, const std::atomic<bool>& stop) {
  std::mt19937_64 rng(o.seed * 7919 + 1);
  std::uniform_real_distribution<double> u01(0, 1);
  std::normal_distribution<double> gauss(0, 1);
  SimulateReport report;
  std::vector<Sim> sims;
  const int64_t start = NowMs();
  for (const Device& d : SimulatedDevices(o)) {
    Result<std::unique_ptr<DeviceClient>> c = DeviceClient::Connect(o.mqtt, d.code, o.password);
    if (!c.ok()) return c.status();
    Sim s;
    s.client = std::move(*c);
    s.device = d;
    s.lat = d.home_lat;
    s.lon = d.home_lon;
    s.walker = u01(rng) < 0.3;
    s.silent_later = u01(rng) < o.silent_share;
    s.silent_at = start + static_cast<int64_t>(u01(rng) * 60000);
    s.heading = u01(rng) * 6.283;
    s.battery = 30 + static_cast<int>(u01(rng) * 70);
    s.next_heartbeat = start + static_cast<int64_t>(u01(rng) * 30000);
    s.next_fix = start + static_cast<int64_t>(u01(rng) * 10000);
    s.next_vitals = start + static_cast<int64_t>(u01(rng) * 60000);
    sims.push_back(std::move(s));
  }
  auto send = [&](Sim& s, Message m) -> Status {
    m.device = s.device.code;
    m.id = fmt::format("{}-{}", start / 1000, ++s.seq);
    ++report.published;
    return s.client->Publish(m);
  };
  int64_t last_resend = start;
  while (!stop.load() && (o.seconds == 0 || NowMs() - start < o.seconds * 1000LL)) {
    const int64_t now = NowMs();
    for (Sim& s : sims) {
      if (s.silent) continue;
      if (s.silent_later && now >= s.silent_at) {
        s.silent = true;  // the battery ran out, or it was left in a drawer
        ++report.silent;
        continue;
      }
      Message m;
      m.ts_ms = now;
      if (now >= s.next_heartbeat) {
        s.next_heartbeat = now + 30000;
        m.type = MessageType::kHeartbeat;
        m.motion = s.walker ? 20 + static_cast<int>(u01(rng) * 50) : static_cast<int>(u01(rng) * 3);
        if (u01(rng) < 0.1 && s.battery > 0) --s.battery;
        m.percent = s.battery;
        if (Status st = send(s, m); !st.ok()) return st;
      }
      if (now >= s.next_fix) {
        s.next_fix = now + 10000;
        if (s.walker) {
          s.heading += gauss(rng) * 0.3;
          s.lat += std::cos(s.heading) * 12 / kMetresPerDegree;
          s.lon += std::sin(s.heading) * 12 / kMetresPerDegree;
        }
        Message f = m;
        f.type = MessageType::kLocation;
        f.has_fix = true;
        f.acc = 5 + std::abs(gauss(rng)) * (s.walker ? 10 : 25);
        // The fix drifts around the true position by about its accuracy.
        f.lat = s.lat + gauss(rng) * f.acc / 2 / kMetresPerDegree;
        f.lon = s.lon + gauss(rng) * f.acc / 2 / kMetresPerDegree;
        if (Status st = send(s, f); !st.ok()) return st;
      }
      if (now >= s.next_vitals) {
        s.next_vitals = now + 60000;
        Message h = m;
        h.type = MessageType::kHeartRate;
        h.bpm = std::clamp(static_cast<int>(72 + gauss(rng) * 12), 30, 200);
        if (Status st = send(s, h); !st.ok()) return st;
        Message b = m;
        b.type = MessageType::kBloodPressure;
        b.sys = std::clamp(static_cast<int>(130 + gauss(rng) * 18), 80, 240);
        b.dia = std::clamp(static_cast<int>(80 + gauss(rng) * 10), 40, b.sys - 10);
        if (Status st = send(s, b); !st.ok()) return st;
      }
      // Poisson events, per 100 ms step.
      if (u01(rng) < o.sos_per_hour / 36000) {
        Message e = m;
        e.type = MessageType::kSos;
        e.has_fix = true, e.lat = s.lat, e.lon = s.lon, e.acc = 15;
        ++report.sos;
        if (Status st = send(s, e); !st.ok()) return st;
      }
      if (u01(rng) < o.fall_per_hour / 36000) {
        Message e = m;
        e.type = MessageType::kFall;
        e.has_fix = true, e.lat = s.lat, e.lon = s.lon, e.acc = 15;
        e.confidence = 0.7 + u01(rng) * 0.3;
        ++report.falls;
        if (Status st = send(s, e); !st.ok()) return st;
      }
    }
    for (Sim& s : sims) {
      if (Status st = s.client->Pump(0); !st.ok()) return st;
    }
    if (now - last_resend > 5000) {
      last_resend = now;
      for (Sim& s : sims) {
        if (!s.silent) (void)s.client->ResendUnacked();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int i = 0; i < 20; ++i) {
    for (Sim& s : sims) (void)s.client->Pump(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (Sim& s : sims) report.acked += s.client->acked();
  return report;
}

}  // namespace yanglao::devices
