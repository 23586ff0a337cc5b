// The devices module through a real mosquitto (scripts/mqtt-test-broker.sh,
// which scripts/test.sh starts: YANGLAO_TEST_MQTT_URL is the ingest's URL,
// YANGLAO_TEST_MQTT_DIR the broker's directory, where devices are added with
// their own credentials). Without them the tests are skipped, or fail when
// YANGLAO_REQUIRE_MQTT is set. On SQLite and PostgreSQL.
//
//   EndToEnd: the ingest in process. SOS → alarm → the nearest available
//   responders → acknowledged → dispatched → on scene → resolved, with the
//   audit trail; a repeated SOS updating the one alarm; a fence leave only
//   after the dwell; an offline device.
//   KillDuringBurst: the real `yanglao devices ingest`, killed with SIGKILL
//   in the middle of a burst and started again: every message taken exactly
//   once, one alarm per device, none lost and none doubled.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "db/database.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "devices/mqtt.h"
#include "devices/payload.h"
#include "devices/rules.h"
#include "devices/store.h"

namespace yanglao::devices {
namespace {

namespace fs = std::filesystem;

fs::path SourceDir() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : YANGLAO_SOURCE_DIR_DEFAULT);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr double kHomeLat = 30.3914, kHomeLon = 114.8949;
constexpr double kMetresPerDegree = 111320;

class MqttTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* url = std::getenv("YANGLAO_TEST_MQTT_URL");
    const char* dir = std::getenv("YANGLAO_TEST_MQTT_DIR");
    if (!url || !dir) {
      if (std::getenv("YANGLAO_REQUIRE_MQTT")) {
        FAIL() << "YANGLAO_TEST_MQTT_URL / YANGLAO_TEST_MQTT_DIR not set";
      }
      GTEST_SKIP() << "no test broker (scripts/mqtt-test-broker.sh)";
    }
    url_ = url;
    dir_ = dir;
    auto u = ParseMqttUrl(url_);
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    broker_ = *u;
    tdb_.SetUp(GetParam(), "yanglao_devices_mqtt");
    if (IsSkipped() || HasFatalFailure()) return;
    auto db = db::Database::Open(tdb_.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db::MigrateAll(*db_, {DevicesSchema()}).ok());
    store_ = std::make_unique<DevicesStore>(*db_);
    suffix_ = fmt::format("{}-{}-{}", GetParam().substr(0, 2), getpid(), NowMs() % 100000000);
  }
  void TearDown() override {
    if (!client_id_.empty()) (void)ForgetSession(broker_, client_id_);
    store_.reset();
    db_.reset();
  }

  std::string Name(const char* what) { return fmt::format("{}-{}", what, suffix_); }

  // A device enrolled in the database and given credentials on the broker.
  std::unique_ptr<DeviceClient> AddDevice(const std::string& code, std::string overrides = {}) {
    Device d{.code = code,
             .kind = "wristband",
             .person_name = "测试老人",
             .region = "420704001003",
             .has_home = true,
             .home_lat = kHomeLat,
             .home_lon = kHomeLon,
             .overrides = std::move(overrides)};
    EXPECT_TRUE(store_->PutDevice(d).ok());
    const std::string password = "pw-" + code;
    const std::string cmd = fmt::format("bash '{}' device '{}' '{}' '{}'",
                                        (SourceDir() / "scripts" / "mqtt-test-broker.sh").string(),
                                        dir_, code, password);
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    for (int attempt = 0; attempt < 50; ++attempt) {  // the broker reloads on SIGHUP
      auto c = DeviceClient::Connect(broker_, code, password);
      if (c.ok()) return std::move(*c);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "device " << code << " cannot sign in";
    return nullptr;
  }

  // Pumps the clients until every message is acked (bounded, not timed).
  void WaitAcked(const std::vector<DeviceClient*>& clients, int seconds = 60) {
    const int64_t until = NowMs() + seconds * 1000LL;
    int64_t resend = NowMs() + 10000;  // a device's patience
    while (NowMs() < until) {
      size_t left = 0;
      for (DeviceClient* c : clients) {
        ASSERT_TRUE(c->Pump(10).ok());
        left += c->unacked();
      }
      if (left == 0) return;
      if (NowMs() > resend) {
        resend = NowMs() + 10000;
        for (DeviceClient* c : clients) ASSERT_TRUE(c->ResendUnacked().ok());
      }
    }
    FAIL() << "messages not acked within " << seconds << " s";
  }

  Message Msg(const std::string& device, MessageType type, const std::string& id, int64_t ts) {
    Message m;
    m.device = device;
    m.type = type;
    m.id = id;
    m.ts_ms = ts;
    return m;
  }

  std::vector<Alarm> AlarmsOf(const std::string& device) {
    auto all = store_->Alarms(false);
    EXPECT_TRUE(all.ok());
    std::vector<Alarm> out;
    for (const Alarm& a : *all) {
      if (a.device == device) out.push_back(a);
    }
    return out;
  }

  std::string url_, dir_, suffix_, client_id_;
  MqttUrl broker_;
  db::TestDatabase tdb_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<DevicesStore> store_;
};

TEST_P(MqttTest, EndToEnd) {
  const std::string sos = Name("sos"), fence = Name("fence"), off = Name("off");
  auto sos_c = AddDevice(sos);
  auto fence_c = AddDevice(fence, "fence.radius_m=500;fence.dwell_s=60");
  auto off_c = AddDevice(off, "offline.timeout_s=10");
  ASSERT_TRUE(sos_c && fence_c && off_c);
  auto responder = [&](const char* code, double north_m, bool available) {
    ASSERT_TRUE(store_
                    ->PutResponder({.code = Name(code),
                                    .name = code,
                                    .role = "网格员",
                                    .available = available,
                                    .lat = kHomeLat + north_m / kMetresPerDegree,
                                    .lon = kHomeLon})
                    .ok());
  };
  responder("near", 400, true);
  responder("busy", 100, false);
  responder("far", -2500, true);

  client_id_ = Name("ingest");
  std::atomic<bool> stop{false};
  Status ingest_status;
  std::thread ingest([&] {
    IngestOptions o{.db_url = tdb_.url(),
                    .mqtt = broker_,
                    .client_id = client_id_,
                    .rules = SourceDir() / "policies" / "devices" / "ezhou.devices.yaml",
                    .tick_ms = 500};
    ingest_status = RunIngest(o, stop);
  });
  // Stopped and joined however the test ends.
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } joiner{stop, ingest};
  const int64_t now = NowMs();

  // A repeated SOS: one alarm, updated.
  for (int i = 1; i <= 3; ++i) {
    Message m = Msg(sos, MessageType::kSos, fmt::format("sos-{}", i), now + i);
    m.has_fix = true, m.lat = kHomeLat, m.lon = kHomeLon, m.acc = 8;
    ASSERT_TRUE(sos_c->Publish(m).ok());
  }
  WaitAcked({sos_c.get()});
  std::vector<Alarm> alarms = AlarmsOf(sos);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].kind, "sos");
  EXPECT_EQ(alarms[0].state, "open");
  EXPECT_EQ(alarms[0].repeats, 2);
  const int64_t id = alarms[0].id;

  // The nearest available responders: "busy" is nearer but not available.
  auto call_list = store_->Nearest(alarms[0].lat, alarms[0].lon, 3);
  ASSERT_TRUE(call_list.ok());
  ASSERT_EQ(call_list->size(), 2u);
  EXPECT_EQ((*call_list)[0].responder.code, Name("near"));
  EXPECT_NEAR((*call_list)[0].metres, 400, 3);
  EXPECT_EQ((*call_list)[1].responder.code, Name("far"));
  ASSERT_TRUE(store_->Acknowledge(id, "street", NowMs()).ok());
  ASSERT_TRUE(store_->Dispatch(id, (*call_list)[0].responder.code, "street", NowMs()).ok());
  ASSERT_TRUE(store_->OnScene(id, Name("near"), NowMs()).ok());
  ASSERT_TRUE(
      store_->Close(id, AlarmState::kResolved, "street", NowMs(), "老人手滑误按后确认平安").ok());
  auto steps = store_->Steps(id);
  ASSERT_TRUE(steps.ok());
  std::vector<std::string> trail;
  for (const AlarmStep& s : *steps) trail.push_back(s.step + "/" + s.actor);
  EXPECT_EQ(trail, (std::vector<std::string>{"open/system", "repeat/system", "repeat/system",
                                             "acknowledged/street", "dispatched/street",
                                             "on_scene/" + Name("near"), "resolved/street"}));
  EXPECT_NE((*steps)[4].note.find("near"), std::string::npos);
  for (const AlarmStep& s : *steps) EXPECT_GT(s.at_ms, 0);

  // The fence: out at t+10 s and t+40 s is not yet a leave; t+75 s is.
  // Five minutes back: well inside the rules' 600 s offline timeout, so a
  // slow machine's ingest tick never finds the fence device offline between
  // two fixes (with t0 600 s back it could, and the test then saw an
  // offline alarm beside the fence's).
  const int64_t t0 = now - 300000;
  auto fix = [&](int seq, int64_t at, double north_m) {
    Message m = Msg(fence, MessageType::kLocation, fmt::format("f{}", seq), t0 + at);
    m.has_fix = true, m.lat = kHomeLat + north_m / kMetresPerDegree, m.lon = kHomeLon, m.acc = 15;
    ASSERT_TRUE(fence_c->Publish(m).ok());
  };
  fix(1, 0, 20);
  fix(2, 10000, 900);
  fix(3, 40000, 950);
  WaitAcked({fence_c.get()});
  EXPECT_TRUE(AlarmsOf(fence).empty());
  fix(4, 75000, 980);
  WaitAcked({fence_c.get()});
  alarms = AlarmsOf(fence);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].kind, "fence_leave");
  EXPECT_EQ(alarms[0].opened_ms, t0 + 75000);

  // Offline: a heartbeat, then silence past its 10 s timeout.
  ASSERT_TRUE(off_c->Publish(Msg(off, MessageType::kHeartbeat, "hb-1", NowMs())).ok());
  WaitAcked({off_c.get()});
  const int64_t until = NowMs() + 60000;
  while (AlarmsOf(off).empty() && NowMs() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  alarms = AlarmsOf(off);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].kind, "offline");
  EXPECT_EQ(alarms[0].detail, "超过 10 秒未收到设备消息");

  stop = true;
  ingest.join();
  EXPECT_TRUE(ingest_status.ok()) << ingest_status.ToString();
}

pid_t StartIngest(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::fopen(log.c_str(), "a");
    if (f) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

TEST_P(MqttTest, KillDuringBurst) {
  constexpr int kDevices = 12, kSos = 25;
  std::vector<std::unique_ptr<DeviceClient>> clients;
  std::vector<DeviceClient*> raw;
  std::vector<std::string> names;
  for (int i = 0; i < kDevices; ++i) {
    names.push_back(Name(fmt::format("burst{:02d}", i).c_str()));
    clients.push_back(AddDevice(names.back()));
    ASSERT_TRUE(clients.back());
    raw.push_back(clients.back().get());
  }
  client_id_ = Name("ingest-proc");
  const std::string log = (fs::temp_directory_path() / (client_id_ + ".log")).string();
  const std::vector<std::string> args{
      YANGLAO_BIN,
      "devices",
      "ingest",
      "--db",
      tdb_.url(),
      "--mqtt",
      url_,
      "--client-id",
      client_id_,
      "--rules",
      (SourceDir() / "policies/devices/ezhou.devices.yaml").string()};
  pid_t pid = StartIngest(args, log);
  ASSERT_GT(pid, 0);
  struct Reaper {  // a child left running by a failed assertion
    pid_t& pid;
    ~Reaper() {
      if (pid > 0 && kill(pid, SIGKILL) == 0) waitpid(pid, nullptr, 0);
    }
  } reaper{pid};
  const int64_t now = NowMs();
  // Up: a first heartbeat acked.
  ASSERT_TRUE(raw[0]->Publish(Msg(names[0], MessageType::kHeartbeat, "probe", now)).ok());
  WaitAcked({raw[0]});

  // The burst: each device an SOS and a heartbeat, kSos times. Half of it is
  // published, the ingest is killed once a third of that half has been acked
  // (the rest in flight: in the broker, in the socket, in the transaction),
  // and the other half is published while it is down.
  int64_t total = 0;
  auto acked = [&] {
    int64_t n = 0;
    for (DeviceClient* c : raw) n += c->acked();
    return n;
  };
  auto publish_round = [&](int k) {
    for (int i = 0; i < kDevices; ++i) {
      const size_t d = static_cast<size_t>(i);
      Message sos = Msg(names[d], MessageType::kSos, fmt::format("sos-{}", k), now + k * 100 + i);
      ASSERT_TRUE(raw[d]->Publish(sos).ok());
      Message hb =
          Msg(names[d], MessageType::kHeartbeat, fmt::format("hb-{}", k), now + k * 100 + i);
      hb.motion = 3;
      ASSERT_TRUE(raw[d]->Publish(hb).ok());
      total += 2;
    }
    for (DeviceClient* c : raw) ASSERT_TRUE(c->Pump(0).ok());
  };
  for (int k = 0; k < kSos / 2; ++k) publish_round(k);
  const int64_t target = 1 + total / 3;
  for (int64_t until = NowMs() + 60000; acked() < target && NowMs() < until;) {
    for (DeviceClient* c : raw) ASSERT_TRUE(c->Pump(1).ok());
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  {
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    pid = -1;
  }
  const int64_t acked_at_kill = acked();
  for (int k = kSos / 2; k < kSos; ++k) publish_round(k);
  // While it is down the devices keep publishing into the broker's session.
  for (int i = 0; i < 20; ++i) {
    for (DeviceClient* c : raw) ASSERT_TRUE(c->Pump(5).ok());
  }
  pid = StartIngest(args, log);
  ASSERT_GT(pid, 0);
  WaitAcked(raw, 120);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "see " << log;
  pid = -1;
  EXPECT_GE(acked_at_kill, 1 + (kSos / 2) * kDevices * 2 / 3);
  EXPECT_LT(acked_at_kill, total) << "the kill came after the burst";
  std::printf("burst: %lld messages, %lld acked when killed\n", static_cast<long long>(total + 1),
              static_cast<long long>(acked_at_kill));

  // Every message taken exactly once; one SOS alarm per device, repeats kSos - 1.
  int64_t messages = 0;
  ASSERT_TRUE(db_->Query("SELECT COUNT(*) FROM devices_message WHERE device LIKE ?",
                         {fmt::format("burst%-{}", suffix_)},
                         [&](const db::Row& r) {
                           messages = r.AsInt(0);
                           return false;
                         })
                  .ok());
  EXPECT_EQ(messages, total + 1);
  for (const std::string& name : names) {
    std::vector<Alarm> a = AlarmsOf(name);
    ASSERT_EQ(a.size(), 1u) << name;
    EXPECT_EQ(a[0].kind, "sos");
    EXPECT_EQ(a[0].repeats, kSos - 1) << name;
    auto steps = store_->Steps(a[0].id);
    ASSERT_TRUE(steps.ok());
    EXPECT_EQ(steps->size(), static_cast<size_t>(kSos)) << name;
  }
  // The two runs' own counts (taken, repeats: resent or redelivered).
  if (FILE* f = std::fopen(log.c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
      if (std::string_view(line).starts_with("已停止")) std::printf("ingest: %s", line);
    }
    std::fclose(f);
  }
  std::error_code ec;
  if (!HasFailure()) fs::remove(log, ec);
}

INSTANTIATE_TEST_SUITE_P(Backends, MqttTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace yanglao::devices
