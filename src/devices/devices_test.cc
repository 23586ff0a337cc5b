// The devices module without a broker: the payload parser, the policy files,
// the rule pipeline (fence dwell and drift, vitals durations, offline,
// inactivity), and the store on SQLite and PostgreSQL (one open alarm per
// kind, idempotent messages, the alarm's life with its audit trail,
// escalation, nearest responders).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "db/database.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "devices/payload.h"
#include "devices/rules.h"
#include "devices/store.h"

namespace yanglao::devices {
namespace {

namespace fs = std::filesystem;
fs::path SourceDir() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : ".");
}

constexpr int64_t kT0 = 1796600000000;  // 2026-12-07 ~07:33 Beijing time
constexpr double kHomeLat = 30.3914, kHomeLon = 114.8949;
constexpr double kMetresPerDegree = 111320;

Message Fix(const std::string& dev, int64_t ts, double north_m, double acc, int seq) {
  Message m;
  m.device = dev;
  m.type = MessageType::kLocation;
  m.id = fmt::format("m{}", seq);
  m.ts_ms = ts;
  m.has_fix = true;
  m.lat = kHomeLat + north_m / kMetresPerDegree;
  m.lon = kHomeLon;
  m.acc = acc;
  return m;
}

TEST(DevicesPayload, ParsesEveryTypeAndRoundTrips) {
  auto m = ParseMessage("yanglao/dev/w-001/up/location",
                        R"({"id":"a1","ts":1796600000000,"lat":30.39,"lon":114.89,"acc":12.5})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->device, "w-001");
  EXPECT_EQ(m->type, MessageType::kLocation);
  EXPECT_DOUBLE_EQ(m->acc, 12.5);
  auto again = ParseMessage(UpTopic("w-001", m->type), PayloadJson(*m));
  ASSERT_TRUE(again.ok());
  EXPECT_DOUBLE_EQ(again->lat, 30.39);
  auto bp = ParseMessage("yanglao/dev/w-001/up/blood_pressure",
                         R"({"id":"b","ts":1796600000000,"sys":150,"dia":95})");
  ASSERT_TRUE(bp.ok());
  EXPECT_EQ(bp->sys, 150);
  auto sos = ParseMessage("yanglao/dev/w-001/up/sos", R"({"id":"s","ts":1796600000000})");
  ASSERT_TRUE(sos.ok());
  EXPECT_FALSE(sos->has_fix);
}

TEST(DevicesPayload, ErrorsNameTheField) {
  struct Case {
    const char *topic, *payload, *code, *field;
  } cases[] = {
      {"yanglao/dev/w-1/up/location", R"({"id":"a","ts":1796600000000,"lat":91,"lon":1,"acc":5})",
       "devices.payload", "lat"},
      {"yanglao/dev/w-1/up/location", R"({"id":"a","ts":1796600000000,"lat":30,"lon":114})",
       "devices.payload", "acc"},
      {"yanglao/dev/w-1/up/heart_rate", R"({"id":"a","ts":1796600000000,"bpm":"72"})",
       "devices.payload", "bpm"},
      {"yanglao/dev/w-1/up/heart_rate", R"({"id":"a","ts":1796600000000,"bpm":72,"x":1})",
       "devices.payload", "x"},
      {"yanglao/dev/w-1/up/blood_pressure", R"({"id":"a","ts":1796600000000,"sys":80,"dia":90})",
       "devices.payload", "dia"},
      {"yanglao/dev/w-1/up/door", R"({"id":"a","ts":1796600000000,"state":"ajar"})",
       "devices.payload", "state"},
      {"yanglao/dev/w-1/up/sos", R"({"ts":1796600000000})", "devices.payload", "id"},
      {"yanglao/dev/w-1/up/sos", R"({"id":"a","ts":12})", "devices.payload", "ts"},
      {"yanglao/dev/w-1/up/battery", R"({"id":"a","ts":1796600000000,"percent":101})",
       "devices.payload", "percent"},
      {"yanglao/dev/w-1/up/sos", R"([1,2])", "devices.payload", ""},
      {"yanglao/dev/w-1/up/teleport", R"({})", "devices.topic", "topic"},
      {"yanglao/dev/w 1/up/sos", R"({})", "devices.topic", "topic"},
  };
  for (const Case& c : cases) {
    auto m = ParseMessage(c.topic, c.payload);
    ASSERT_FALSE(m.ok()) << c.payload;
    EXPECT_EQ(m.status().code(), c.code) << c.payload;
    EXPECT_EQ(m.status().where().field, c.field) << c.payload << " " << m.status().ToString();
  }
}

TEST(DevicesPolicy, CityFilesLoadAndQuoteTheSeed) {
  auto all = LoadPolicyDirectory(SourceDir() / "policies" / "devices");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  const DevicesPolicy& ez = (*all)[0];
  EXPECT_EQ(ez.city, "鄂州市");
  EXPECT_EQ(ez.item, "27");
  EXPECT_NE(ez.quote.find("一键报警、语音通话、定位、电子围墙、血压、心率"), std::string::npos);
  EXPECT_EQ(ez.defaults.fence_dwell_s, 120);
  EXPECT_EQ(ez.defaults.ack_sla_s, 60);
  const DevicesPolicy& qd = (*all)[1];
  EXPECT_EQ(qd.item, "18");
  EXPECT_NE(qd.quote.find("智能床垫、智能手环、智能门磁"), std::string::npos);
  EXPECT_EQ(qd.defaults.battery_low, 20);
  // Suizhou's list has no wristband item: the rules cite the seed's text.
  const DevicesPolicy& sz = (*all)[2];
  EXPECT_EQ(sz.city, "随州市");
  EXPECT_EQ(sz.item, "");
  EXPECT_NE(sz.quote.find("紧急救护等“点单式”就近便捷服务"), std::string::npos);
  EXPECT_EQ(sz.defaults.ack_sla_s, 60);
  Settings s;
  Status bad = ApplyOverride(s, "heart_rate.hgh", "140");
  EXPECT_EQ(bad.code(), "devices.override");
  EXPECT_EQ(bad.where().field, "heart_rate.hgh");
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.fence_radius_m = 500;
    settings_.fence_dwell_s = 60;
    settings_.fence_margin_m = 50;
    rules_.settings = settings_;
    rules_.has_fence = true;
    rules_.home_lat = kHomeLat;
    rules_.home_lon = kHomeLon;
  }
  int Count(const std::vector<AlarmEvent>& ev, AlarmKind k) {
    return static_cast<int>(
        std::count_if(ev.begin(), ev.end(), [&](const AlarmEvent& e) { return e.kind == k; }));
  }
  Settings settings_;
  DeviceRules rules_;
};

TEST_F(PipelineTest, FenceLeavesOnlyAfterTheDwell) {
  Pipeline p(settings_);
  p.Configure("w", rules_);
  std::vector<AlarmEvent> ev;
  p.Feed(Fix("w", kT0, 0, 10, 1), ev);            // at home
  p.Feed(Fix("w", kT0 + 10000, 700, 10, 2), ev);  // outside: candidate
  p.Feed(Fix("w", kT0 + 40000, 720, 10, 3), ev);
  EXPECT_EQ(Count(ev, AlarmKind::kFenceLeave), 0);
  p.Feed(Fix("w", kT0 + 70000, 730, 10, 4), ev);  // 60 s after the first outside fix
  ASSERT_EQ(Count(ev, AlarmKind::kFenceLeave), 1);
  EXPECT_NEAR(ev.back().lat, kHomeLat + 730 / kMetresPerDegree, 1e-9);
  EXPECT_EQ(ev.back().message_id, "m4");
  // Back in: after the dwell, once.
  ev.clear();
  p.Feed(Fix("w", kT0 + 100000, 100, 10, 5), ev);
  p.Feed(Fix("w", kT0 + 170000, 90, 10, 6), ev);
  EXPECT_EQ(Count(ev, AlarmKind::kFenceEnter), 1);
}

TEST_F(PipelineTest, AShortExcursionDoesNotAlarm) {
  Pipeline p(settings_);
  p.Configure("w", rules_);
  std::vector<AlarmEvent> ev;
  p.Feed(Fix("w", kT0, 0, 10, 1), ev);
  p.Feed(Fix("w", kT0 + 10000, 700, 10, 2), ev);
  p.Feed(Fix("w", kT0 + 40000, 100, 10, 3), ev);  // back before the dwell
  p.Feed(Fix("w", kT0 + 80000, 700, 10, 4), ev);  // out again: the dwell starts again
  p.Feed(Fix("w", kT0 + 120000, 700, 10, 5), ev);
  EXPECT_EQ(Count(ev, AlarmKind::kFenceLeave), 0);
}

TEST_F(PipelineTest, StationaryDriftAtTheBorderNeverFlaps) {
  // A device lying still exactly on the fence line, and another 40 m outside
  // it, for a day of fixes every 10 s with the accuracy and the drift of a
  // cheap GPS indoors (accuracy 10..80 m, fixes scattered by about it), and
  // coarse cell fixes now and then.
  Pipeline p(settings_);
  std::mt19937_64 rng(42);
  std::normal_distribution<double> gauss(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<AlarmEvent> ev;
  for (double at : {500.0, 540.0, 460.0}) {
    const std::string dev = fmt::format("still-{}", at);
    p.Configure(dev, rules_);
    for (int i = 0; i < 8640; ++i) {
      const double acc = u(rng) < 0.05 ? 900 : 10 + u(rng) * 70;
      p.Feed(Fix(dev, kT0 + i * 10000LL, at + gauss(rng) * acc / 2, acc, i), ev);
    }
  }
  EXPECT_EQ(Count(ev, AlarmKind::kFenceLeave), 0);
  EXPECT_EQ(Count(ev, AlarmKind::kFenceEnter), 0);
}

TEST_F(PipelineTest, VitalsOutOfRangeForTheDuration) {
  settings_.hr_duration_s = 120;
  Pipeline p(settings_);
  std::vector<AlarmEvent> ev;
  auto hr = [&](int64_t t, int bpm, int seq) {
    Message m;
    m.device = "h";
    m.type = MessageType::kHeartRate;
    m.id = fmt::format("h{}", seq);
    m.ts_ms = kT0 + t * 1000;
    m.bpm = bpm;
    p.Feed(m, ev);
  };
  hr(0, 150, 1);
  hr(60, 150, 2);
  hr(90, 80, 3);  // back in range: starts over
  hr(100, 150, 4);
  hr(200, 150, 5);
  EXPECT_EQ(Count(ev, AlarmKind::kHeartRate), 0);
  hr(220, 150, 6);  // 120 s out of range
  EXPECT_EQ(Count(ev, AlarmKind::kHeartRate), 1);
  Message bp;
  bp.device = "h";
  bp.type = MessageType::kBloodPressure;
  bp.id = "b";
  bp.ts_ms = kT0;
  bp.sys = 195;
  bp.dia = 100;
  p.Feed(bp, ev);  // duration 0: at once
  EXPECT_EQ(Count(ev, AlarmKind::kBloodPressure), 1);
}

TEST_F(PipelineTest, OfflineWithinTheTimeoutPlusTheTick) {
  settings_.offline_timeout_s = 600;
  Pipeline p(settings_);
  std::vector<AlarmEvent> ev;
  Message hb;
  hb.device = "o";
  hb.type = MessageType::kHeartbeat;
  hb.id = "1";
  hb.ts_ms = kT0;
  hb.motion = 5;
  p.Feed(hb, ev);
  for (int64_t t = kT0; t <= kT0 + 600000; t += 1000) p.Tick(t, ev);
  EXPECT_EQ(Count(ev, AlarmKind::kOffline), 0);
  p.Tick(kT0 + 601000, ev);  // the next tick after the timeout: < timeout + 10 s
  EXPECT_EQ(Count(ev, AlarmKind::kOffline), 1);
  p.Tick(kT0 + 700000, ev);  // once
  EXPECT_EQ(Count(ev, AlarmKind::kOffline), 1);
}

TEST_F(PipelineTest, NoMovementOnlyInTheDaytime) {
  settings_.no_motion_s = 3600;
  Pipeline p(settings_);
  std::vector<AlarmEvent> ev;
  Message hb;
  hb.device = "n";
  hb.type = MessageType::kHeartbeat;
  hb.id = "1";
  hb.motion = 0;
  // 2026-12-07 00:00 Beijing = 2026-12-06 16:00 UTC.
  const int64_t midnight = 1796572800000;
  hb.ts_ms = midnight;  // still all night: no alarm before 07:00
  p.Feed(hb, ev);
  for (int h = 0; h < 7; ++h) {
    hb.ts_ms = midnight + h * 3600000LL;
    hb.id = fmt::format("{}", h);
    p.Feed(hb, ev);
    p.Tick(hb.ts_ms, ev);
  }
  EXPECT_EQ(Count(ev, AlarmKind::kNoMovement), 0);
  hb.ts_ms = midnight + 7 * 3600000LL + 60000;
  hb.id = "x";
  p.Feed(hb, ev);
  p.Tick(hb.ts_ms, ev);
  EXPECT_EQ(Count(ev, AlarmKind::kNoMovement), 1);
}

class DevicesStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    tdb_.SetUp(GetParam(), "yanglao_devices");
    if (IsSkipped() || HasFatalFailure()) return;
    auto db = db::Database::Open(tdb_.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db::MigrateAll(*db_, {DevicesSchema()}).ok());
    store_ = std::make_unique<DevicesStore>(*db_);
    ASSERT_TRUE(store_
                    ->PutDevice({.code = "w-1",
                                 .kind = "wristband",
                                 .person_name = "张某",
                                 .region = "420704001003",
                                 .has_home = true,
                                 .home_lat = kHomeLat,
                                 .home_lon = kHomeLon})
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  Message Sos(const std::string& id, int64_t ts) {
    Message m;
    m.device = "w-1";
    m.type = MessageType::kSos;
    m.id = id;
    m.ts_ms = ts;
    m.has_fix = true;
    m.lat = kHomeLat;
    m.lon = kHomeLon;
    m.acc = 10;
    return m;
  }
  db::TestDatabase tdb_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<DevicesStore> store_;
};

TEST_P(DevicesStoreTest, RepeatsUpdateOneOpenAlarmAndRedeliveriesChangeNothing) {
  Pipeline p(Settings{});
  for (int i = 1; i <= 3; ++i) {
    Message m = Sos(fmt::format("s{}", i), kT0 + i * 1000);
    std::vector<AlarmEvent> ev;
    p.Feed(m, ev);
    auto fresh = store_->TakeIn(m, ev, 60, kT0);
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    EXPECT_TRUE(*fresh);
  }
  // s2 again (a redelivery): nothing changes.
  auto again = store_->TakeIn(Sos("s2", kT0 + 2000), {}, 60, kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto taken = store_->Taken("w-1", "s2");
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(*taken);
  auto alarms = store_->Alarms(false);
  ASSERT_TRUE(alarms.ok());
  ASSERT_EQ(alarms->size(), 1u);
  EXPECT_EQ((*alarms)[0].kind, "sos");
  EXPECT_EQ((*alarms)[0].repeats, 2);
  EXPECT_EQ((*alarms)[0].region, "420704001003");
  EXPECT_EQ(*store_->MessageCount(), 3);
}

TEST_P(DevicesStoreTest, AlarmLifeIsAuditedAndEscalatesUpTheTree) {
  ASSERT_TRUE(store_
                  ->Record({{.device = "w-1",
                             .kind = AlarmKind::kFall,
                             .at_ms = kT0,
                             .detail = "检测到跌倒",
                             .has_fix = true,
                             .lat = kHomeLat,
                             .lon = kHomeLon}},
                           60)
                  .ok());
  auto a = store_->Alarms(true);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 1u);
  const int64_t id = (*a)[0].id;
  // Not acknowledged in 60 s: up to the township, then the county.
  EXPECT_EQ(*store_->EscalateOverdue(kT0 + 59000, 60), 0);
  EXPECT_EQ(*store_->EscalateOverdue(kT0 + 60000, 60), 1);
  EXPECT_EQ(*store_->EscalateOverdue(kT0 + 120000, 60), 1);
  auto esc = store_->FindAlarm(id);
  EXPECT_EQ((*esc)->unit, "420704000000");
  EXPECT_EQ((*esc)->escalation, 2);
  // Out of order: refused with a conflict.
  Status early = store_->OnScene(id, "street", kT0 + 121000);
  EXPECT_EQ(early.code(), "devices.alarm_state");
  EXPECT_EQ(early.category(), ErrorCategory::kConflict);
  ASSERT_TRUE(store_
                  ->PutResponder({.code = "r1",
                                  .name = "李网格员",
                                  .role = "网格员",
                                  .lat = kHomeLat + 0.002,
                                  .lon = kHomeLon})
                  .ok());
  ASSERT_TRUE(store_->Acknowledge(id, "street", kT0 + 125000).ok());
  ASSERT_TRUE(store_->Dispatch(id, "r1", "street", kT0 + 130000).ok());
  ASSERT_TRUE(store_->OnScene(id, "r1", kT0 + 600000).ok());
  ASSERT_TRUE(store_->Close(id, AlarmState::kResolved, "street", kT0 + 900000, "已送医").ok());
  EXPECT_EQ(*store_->EscalateOverdue(kT0 + 2000000, 60), 0);
  auto steps = store_->Steps(id);
  ASSERT_TRUE(steps.ok());
  std::vector<std::string> seen;
  for (const AlarmStep& s : *steps) seen.push_back(s.step + "/" + s.actor);
  EXPECT_EQ(seen, (std::vector<std::string>{"open/system", "escalate/system", "escalate/system",
                                            "acknowledged/street", "dispatched/street",
                                            "on_scene/r1", "resolved/street"}));
  EXPECT_EQ((*steps)[6].at_ms, kT0 + 900000);
  EXPECT_EQ((*steps)[6].note, "已送医");
  // Closed: a new fall opens a new alarm.
  ASSERT_TRUE(
      store_->Record({{.device = "w-1", .kind = AlarmKind::kFall, .at_ms = kT0 + 1}}, 60).ok());
  EXPECT_EQ(store_->Alarms(true)->size(), 1u);
  EXPECT_EQ(store_->Alarms(false)->size(), 2u);
}

TEST_P(DevicesStoreTest, NearestAvailableRespondersByDistance) {
  auto put = [&](const char* code, double north_m, double east_m, bool available) {
    ASSERT_TRUE(store_
                    ->PutResponder({.code = code,
                                    .name = code,
                                    .role = "志愿者",
                                    .available = available,
                                    .lat = kHomeLat + north_m / kMetresPerDegree,
                                    .lon = kHomeLon + east_m / (kMetresPerDegree *
                                                                std::cos(kHomeLat * M_PI / 180))})
                    .ok());
  };
  put("far", 3000, 0, true);
  put("near", 0, 300, true);
  put("nearest-busy", 50, 0, false);
  put("mid", -1000, 0, true);
  auto c = store_->Nearest(kHomeLat, kHomeLon, 2);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].responder.code, "near");
  EXPECT_NEAR((*c)[0].metres, 300, 2);
  EXPECT_EQ((*c)[1].responder.code, "mid");
  EXPECT_NEAR((*c)[1].metres, 1000, 5);
}

INSTANTIATE_TEST_SUITE_P(Backends, DevicesStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace yanglao::devices
