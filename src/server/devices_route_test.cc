// The devices routes in process (api_devices.cc): alarms scoped to the
// caller's unit (the person's region or the unit it was escalated to), the
// person masked in lists, the alarm with its trail and call list, the steps
// in order (a step out of order is a conflict), the live board's event
// stream with its cursor, and every read and step audited. Both back ends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "devices/store.h"
#include "registry/test_database.h"
#include "server/app.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/test_route_client.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;
using testing::Session;
using testing::SourceDir;

constexpr double kLat = 31.7174, kLon = 113.3829;

class DevicesRouteTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_devices_routes");
    if (IsSkipped() || HasFatalFailure()) return;
    AppOptions o;
    o.db_url = db_.url();
    o.policies_dir = SourceDir() / "policies";
    o.connections = 2;
    o.password_cost = PasswordCost::Minimal();
    o.today = *CivilDate::FromYmd(2026, 12, 7);
    auto app = App::Open(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    App::Lease reg = app_->Acquire();
    for (auto [name, role, unit] : {std::tuple{"admin", "admin", "421300"},
                                    std::tuple{"community", "community_worker", "421303001001"},
                                    std::tuple{"other", "community_worker", "421303001002"}}) {
      auto id = CreateUser(reg->db(), {name, name, Pw(name), unit, "民政", role},
                           PasswordCost::Minimal());
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
    devices::DevicesStore store(reg->db());
    ASSERT_TRUE(store
                    .PutDevice({.code = "w-1",
                                .kind = "wristband",
                                .person_name = "张三丰",
                                .region = "421303001001",
                                .has_home = true,
                                .home_lat = kLat,
                                .home_lon = kLon})
                    .ok());
    ASSERT_TRUE(store
                    .PutDevice({.code = "w-2",
                                .kind = "wristband",
                                .person_name = "李四",
                                .region = "421321100200"})
                    .ok());
    ASSERT_TRUE(store
                    .PutResponder({.code = "r-1",
                                   .name = "赵网格员",
                                   .role = "网格员",
                                   .phone = "13800001234",
                                   .region = "421303001001",
                                   .lat = kLat + 0.002,
                                   .lon = kLon})
                    .ok());
    ASSERT_TRUE(store
                    .Record({{.device = "w-1",
                              .kind = devices::AlarmKind::kSos,
                              .at_ms = 1796600000000,
                              .detail = "一键报警",
                              .has_fix = true,
                              .lat = kLat,
                              .lon = kLon},
                             {.device = "w-2",
                              .kind = devices::AlarmKind::kFall,
                              .at_ms = 1796600000000,
                              .detail = "检测到跌倒"}},
                            60)
                    .ok());
    auto all = store.Alarms(true);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 2u);
    mine_ = (*all)[0].id;
  }
  void TearDown() override {
    app_.reset();
    db_.Remove();
  }
  static std::string Pw(std::string_view u) { return fmt::format("pw-{}-2026", u); }
  HttpResponse Do(http::verb method, const std::string& target, const Session* s,
                  const std::string& body = "") {
    return testing::Request(*app_, method, target, s, body);
  }
  Session Login(const std::string& user) { return testing::SignIn(*app_, user, Pw(user)); }
  int64_t Audited(const std::string& action, const std::string& user, const std::string& outcome) {
    App::Lease reg = app_->Acquire();
    AuditQuery q;
    q.action = action;
    q.username = user;
    q.outcome = outcome;
    auto page = SearchAudit(reg->db(), q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->total : -1;
  }

  registry::TestDatabase db_;
  std::unique_ptr<App> app_;
  int64_t mine_ = 0;
};

TEST_P(DevicesRouteTest, ScopedMaskedStepsInOrderStreamedAndAudited) {
  Session community = Login("community"), other = Login("other");
  HttpResponse list = Do(http::verb::get, "/api/v1/devices/alarms", &community);
  ASSERT_EQ(list.result_int(), 200u) << list.body();
  json::array items = testing::ObjectOf(list).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);  // w-2's fall is in 随县
  EXPECT_EQ(items[0].at("person").as_string(), "张**");
  EXPECT_EQ(items[0].at("kind_name").as_string(), "一键报警");

  const std::string one = fmt::format("/api/v1/devices/alarms/{}", mine_);
  HttpResponse denied = Do(http::verb::get, one, &other);
  EXPECT_EQ(denied.result_int(), 404u);
  EXPECT_EQ(Audited("devices.scope", "other", "denied"), 1);

  HttpResponse detail = Do(http::verb::get, one, &community);
  ASSERT_EQ(detail.result_int(), 200u) << detail.body();
  json::object d = testing::ObjectOf(detail);
  ASSERT_EQ(d.at("call_list").as_array().size(), 1u);
  json::object c = d.at("call_list").as_array()[0].as_object();
  EXPECT_EQ(c.at("code").as_string(), "r-1");
  EXPECT_EQ(c.at("metres").as_int64(), 222);
  EXPECT_EQ(c.at("phone").as_string().find("1234") != json::string::npos, true);
  EXPECT_NE(std::string(c.at("phone").as_string()), "13800001234");

  // Out of order: on scene before dispatch.
  HttpResponse early = Do(http::verb::post, one + "/on_scene", &community);
  EXPECT_EQ(early.result_int(), 409u) << early.body();
  EXPECT_EQ(Do(http::verb::post, one + "/ack", &community).result_int(), 200u);
  EXPECT_EQ(
      Do(http::verb::post, one + "/dispatch", &community, R"({"responder":"r-1"})").result_int(),
      200u);
  HttpResponse done = Do(http::verb::post, one + "/resolve", &community, R"({"note":"已送医"})");
  ASSERT_EQ(done.result_int(), 200u) << done.body();
  EXPECT_EQ(testing::ObjectOf(done).at("state").as_string(), "resolved");
  json::array trail =
      testing::ObjectOf(Do(http::verb::get, one, &community)).at("trail").as_array();
  ASSERT_EQ(trail.size(), 4u);
  EXPECT_EQ(trail[1].at("actor").as_string(), "community");
  EXPECT_EQ(trail[3].at("note").as_string(), "已送医");
  EXPECT_EQ(Audited("devices.step", "community", "ok"), 3);
  EXPECT_EQ(Audited("devices.step", "community", "failed"), 1);
  EXPECT_EQ(Audited("devices.alarm", "community", "ok"), 2);

  // The live board: every change after the cursor, only what the user may see.
  HttpResponse stream = Do(http::verb::get, "/api/v1/devices/stream?after=0", &community);
  ASSERT_EQ(stream.result_int(), 200u) << stream.body();
  EXPECT_EQ(stream[http::field::content_type], "text/event-stream; charset=utf-8");
  const std::string& body = stream.body();
  EXPECT_TRUE(body.starts_with("retry: 1000\n"));
  EXPECT_NE(body.find("event: alarm\n"), std::string::npos);
  EXPECT_NE(body.find("\"state\":\"resolved\""), std::string::npos);
  EXPECT_EQ(body.find("w-2"), std::string::npos);
  const size_t id_at = body.rfind("id: ");
  ASSERT_NE(id_at, std::string::npos);
  const std::string cursor = body.substr(id_at + 4, body.find('\n', id_at) - id_at - 4);
  HttpResponse later = Do(http::verb::get, "/api/v1/devices/stream?after=" + cursor, &community);
  EXPECT_EQ(later.body().find("event: alarm"), std::string::npos) << later.body();
}

INSTANTIATE_TEST_SUITE_P(Backends, DevicesRouteTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace yanglao::server
