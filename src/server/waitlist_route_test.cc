// The waitlist routes in process (api_waitlist.cc): the queue for a
// signed-in official (masked ID numbers, rule traces), allocation, and the
// public queue without sign-in showing no full name or ID number. Both back
// ends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "registry/test_database.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/test_route_client.h"
#include "waitlist/store.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);

using testing::Session;
using testing::SourceDir;

class WaitlistRouteTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_waitlist_routes");
    if (IsSkipped() || HasFatalFailure()) return;
    AppOptions o;
    o.db_url = db_.url();
    o.policies_dir = SourceDir() / "policies";
    o.connections = 2;
    o.password_cost = PasswordCost::Minimal();
    o.today = kToday;
    auto app = App::Open(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    App::Lease reg = app_->Acquire();
    auto id =
        CreateUser(reg->db(), {"city", "city", "pw-city-2026", "420700", "民政", "city_official"},
                   PasswordCost::Minimal());
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    auto rules = waitlist::WaitlistRules::Load(
        SourceDir() / "policies/waitlist/ezhou.waitlist.yaml", kToday);
    ASSERT_TRUE(rules.ok());
    waitlist::WaitlistStore store(reg->db(), **rules);
    ASSERT_TRUE(store.AddBed("E1-01", "E1", "普通", kToday).ok());
    for (auto [person, name, facts, willing] :
         {std::tuple{"420700194501012345", "欧阳春花", "age=81", false},
          std::tuple{"420700195002023456", "张建国", "age=76 tekun=dispersed", true}}) {
      waitlist::Application a;
      a.person = person;
      a.name = name;
      a.bed_type = "普通";
      a.willing = willing;
      a.applied_on = *CivilDate::FromYmd(2026, 1, 5);
      auto app_id = store.Apply(a);
      ASSERT_TRUE(app_id.ok());
      ASSERT_TRUE(store.Assess(*app_id, *waitlist::FactsFromText(facts), kToday).ok());
    }
  }
  void TearDown() override {
    app_.reset();
    db_.Remove();
  }

  HttpResponse Do(http::verb method, const std::string& target, const Session* s) {
    return testing::Request(*app_, method, target, s);
  }
  Session Login() { return testing::SignIn(*app_, "city", "pw-city-2026"); }

  registry::TestDatabase db_;
  std::unique_ptr<App> app_;
};

TEST_P(WaitlistRouteTest, PublicQueueShowsNoFullNameOrIdNumber) {
  HttpResponse r = Do(http::verb::get, "/api/v1/public/waitlist?city=420700", nullptr);
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  json::array items = json::parse(r.body()).at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name").as_string(), "张**");  // the willing 特困 person first
  EXPECT_EQ(items[0].at("class").as_string(), "特困集中供养");
  EXPECT_EQ(items[1].at("name").as_string(), "欧***");
  for (const char* secret : {"欧阳春花", "张建国", "420700194501012345", "420700195002023456",
                             "19450101", "19500202", "2345", "3456"}) {
    EXPECT_EQ(r.body().find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(Do(http::verb::get, "/api/v1/public/waitlist?city=999999", nullptr).result_int(), 400u);
}

TEST_P(WaitlistRouteTest, QueueForOfficialsIsMaskedTracedAndAudited) {
  EXPECT_EQ(Do(http::verb::get, "/api/v1/waitlist/queue?city=420700", nullptr).result_int(), 401u);
  Session s = Login();
  HttpResponse r = Do(http::verb::get, "/api/v1/waitlist/queue?city=420700", &s);
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  json::array items = json::parse(r.body()).at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name").as_string(), "张建国");
  EXPECT_EQ(items[0].at("id_number").as_string(), "4207**********3456");
  EXPECT_EQ(items[0].at("trace").as_string(),
            "特困集中供养 · 能力等级（GB/T 42195）0 · 年龄（周岁）76 · 轮候自 2026-01-05");
  EXPECT_EQ(r.body().find("420700195002023456"), std::string::npos);
  HttpResponse a = Do(http::verb::post, "/api/v1/waitlist/beds/E1-01/allocate?city=420700", &s);
  ASSERT_EQ(a.result_int(), 200u) << a.body();
  EXPECT_EQ(json::parse(a.body()).at("offer").at("application").as_int64(), 2);
  HttpResponse again = Do(http::verb::post, "/api/v1/waitlist/beds/E1-01/allocate?city=420700", &s);
  EXPECT_EQ(again.result_int(), 409u) << again.body();
  EXPECT_NE(again.body().find("waitlist.bed_taken"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, WaitlistRouteTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace yanglao::server
