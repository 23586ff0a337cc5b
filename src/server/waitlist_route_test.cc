// The waitlist routes in process (api_waitlist.cc): the queue for a
// signed-in official (masked ID numbers, rule traces), allocation, and the
// public queue without sign-in showing no full name or ID number. Both back
// ends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "assess/store.h"
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

// County scope: a county official sees the county's institutions and
// applicants (positions stay the city-wide ones), allocates only the
// county's beds, and is not shown the city's totals.
TEST_P(WaitlistRouteTest, CountyOfficialSeesAndAllocatesOnlyTheirCounty) {
  {
    App::Lease reg = app_->Acquire();
    ASSERT_TRUE(CreateUser(reg->db(),
                           {"ech", "ech", "pw-county-2026", "420704", "民政", "county_official"},
                           PasswordCost::Minimal())
                    .ok());
    auto rules = waitlist::WaitlistRules::Load(
        SourceDir() / "policies/waitlist/ezhou.waitlist.yaml", kToday);
    ASSERT_TRUE(rules.ok());
    waitlist::WaitlistStore store(reg->db(), **rules);
    ASSERT_TRUE(store
                    .PutInstitutions({{.id = "EC1",
                                       .name = "鄂城区社会福利院",
                                       .ownership = "公办",
                                       .county = "420704",
                                       .beds_nursing = 10,
                                       .tekun_care = true},
                                      {.id = "HR1",
                                       .name = "华容区福利院",
                                       .ownership = "公办",
                                       .county = "420703",
                                       .beds_normal = 10}})
                    .ok());
    ASSERT_TRUE(store.AddBed("EC1-01", "EC1", "普通", kToday).ok());
    ASSERT_TRUE(store.AddBed("HR1-01", "HR1", "普通", kToday).ok());
    for (auto [person, name, county] : {std::tuple{"420704194001011111", "鄂城甲", "420704"},
                                        std::tuple{"420703194001012222", "华容乙", "420703"}}) {
      waitlist::Application a;
      a.person = person;
      a.name = name;
      a.bed_type = "普通";
      a.county = county;
      a.applied_on = *CivilDate::FromYmd(2026, 2, 1);
      auto id = store.Apply(a);
      ASSERT_TRUE(id.ok());
      ASSERT_TRUE(store.Assess(*id, *waitlist::FactsFromText("age=70"), kToday).ok());
    }
  }
  Session city = Login();
  json::array all =
      json::parse(Do(http::verb::get, "/api/v1/waitlist/queue?city=420700", &city).body())
          .at("items")
          .as_array();
  ASSERT_EQ(all.size(), 4u);
  Session county = testing::SignIn(*app_, "ech", "pw-county-2026");
  HttpResponse q = Do(http::verb::get, "/api/v1/waitlist/queue?city=420700", &county);
  ASSERT_EQ(q.result_int(), 200u) << q.body();
  json::array mine = json::parse(q.body()).at("items").as_array();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].at("name").as_string(), "鄂城甲");
  EXPECT_EQ(mine[0].at("position").as_int64(), 3);  // the city-wide position
  EXPECT_EQ(q.body().find("华容乙"), std::string::npos);
  EXPECT_EQ(q.body().find("张建国"), std::string::npos);  // no county: the city's

  HttpResponse i = Do(http::verb::get, "/api/v1/waitlist/institutions?city=420700", &county);
  ASSERT_EQ(i.result_int(), 200u) << i.body();
  json::object inst = json::parse(i.body()).as_object();
  ASSERT_EQ(inst.at("items").as_array().size(), 1u);
  EXPECT_EQ(inst.at("items").as_array()[0].at("id").as_string(), "EC1");
  EXPECT_FALSE(inst.contains("total"));
  for (const json::value& c : inst.at("checks").as_array()) {
    EXPECT_EQ(c.at("county").as_string(), "420704");
  }
  HttpResponse beds = Do(http::verb::get, "/api/v1/waitlist/beds?city=420700", &county);
  ASSERT_EQ(beds.result_int(), 200u);
  EXPECT_EQ(beds.body().find("HR1-01"), std::string::npos);

  HttpResponse other =
      Do(http::verb::post, "/api/v1/waitlist/beds/HR1-01/allocate?city=420700", &county);
  EXPECT_EQ(other.result_int(), 403u) << other.body();
  EXPECT_NE(other.body().find("waitlist.scope"), std::string::npos);
  HttpResponse own =
      Do(http::verb::post, "/api/v1/waitlist/beds/EC1-01/allocate?city=420700", &county);
  ASSERT_EQ(own.result_int(), 200u) << own.body();
  json::object offer = json::parse(own.body()).at("offer").as_object();
  EXPECT_EQ(offer.at("deadline").as_string(), kToday.AddDays(7).ToString());
  // The willing 特困 person (no county on file) is first in the city's
  // queue and may take any 普通 bed: the offer goes to them, whoever allocates.
  EXPECT_EQ(offer.at("name").as_string(), "张建国");
}

// The institutions list from a file, all or nothing; problems located by
// row, column, header and value; the queue as a CSV export, masked.
TEST_P(WaitlistRouteTest, ImportInstitutionsAndExportTheQueue) {
  Session s = Login();
  std::string header =
      "机构编号,机构名称,性质,等级,所在区县,普通床位,护理型床位,认知障碍照护床位,房间数,在住人数,"
      "特困供养机构\n";
  HttpResponse bad = testing::Request(
      *app_, http::verb::post, "/api/v1/waitlist/institutions/import?city=420700&file_name=x.csv",
      &s, header + "EC1,鄂城区社会福利院,公办,三级,420704,10,20,0,15,40,是\n", "text/csv");
  ASSERT_EQ(bad.result_int(), 422u) << bad.body();
  json::object p = json::parse(bad.body()).at("problems").as_array()[0].as_object();
  EXPECT_EQ(p.at("code").as_string(), "waitlist.import");
  EXPECT_EQ(p.at("line").as_int64(), 2);
  EXPECT_EQ(p.at("column").as_int64(), 10);
  EXPECT_EQ(p.at("field").as_string(), "在住人数");
  EXPECT_EQ(p.at("value").as_string(), "40");
  HttpResponse good = testing::Request(
      *app_, http::verb::post, "/api/v1/waitlist/institutions/import?city=420700&file_name=x.csv",
      &s, header + "EC1,鄂城区社会福利院,公办,三级,420704,10,20,0,15,25,是\n", "text/csv");
  ASSERT_EQ(good.result_int(), 200u) << good.body();
  EXPECT_EQ(json::parse(good.body()).at("added").as_int64(), 1);
  HttpResponse inst = Do(http::verb::get, "/api/v1/waitlist/institutions?city=420700", &s);
  json::object total = json::parse(inst.body()).at("total").as_object();
  EXPECT_EQ(total.at("beds").as_int64(), 30);
  EXPECT_NEAR(total.at("nursing_share").as_double(), 20.0 / 30, 1e-9);

  HttpResponse csv = Do(http::verb::get, "/api/v1/waitlist/queue?city=420700&format=csv", &s);
  ASSERT_EQ(csv.result_int(), 200u) << csv.body();
  EXPECT_TRUE(csv.body().starts_with("\xEF\xBB\xBF位次,申请编号,身份证号,姓名"));
  EXPECT_NE(csv.body().find("4207**********3456"), std::string::npos);
  EXPECT_EQ(csv.body().find("420700195002023456"), std::string::npos);
}

// The application's assessment comes from the assess module (its public
// store, not its tables): none yet is refused; an expired one is refused
// (back to re-assessment); a valid one puts the application into the queue
// with its level and validity.
TEST_P(WaitlistRouteTest, AssessmentFromTheAssessModuleMustBeValid) {
  const char* person = "421303194402290016";
  int64_t app_id = 0;
  {
    App::Lease reg = app_->Acquire();
    auto rules = waitlist::WaitlistRules::Load(
        SourceDir() / "policies/waitlist/ezhou.waitlist.yaml", kToday);
    ASSERT_TRUE(rules.ok());
    waitlist::WaitlistStore store(reg->db(), **rules);
    waitlist::Application a;
    a.person = person;
    a.name = "张三";
    a.bed_type = "普通";
    a.applied_on = *CivilDate::FromYmd(2026, 3, 1);
    auto id = store.Apply(a);
    ASSERT_TRUE(id.ok());
    app_id = *id;
  }
  Session s = Login();
  std::string target = fmt::format("/api/v1/waitlist/applications/{}/assess?city=420700", app_id);
  HttpResponse none =
      testing::Request(*app_, http::verb::post, target, &s, R"({"facts":"age=82"})");
  EXPECT_EQ(none.result_int(), 409u) << none.body();
  EXPECT_NE(none.body().find("waitlist.no_assessment"), std::string::npos);
  auto record = [&](const char* date) {
    App::Lease reg = app_->Acquire();
    assess::AssessmentStore store(*reg);
    assess::FormDocument f;
    f.header.id_number = person;
    f.header.assessed_on = *CivilDate::Parse(date);
    f.header.reason = assess::Reason::kFirst;
    f.header.assessor = "评估员001";
    f.header.agency = "鄂城区老年人能力评估中心";
    f.answers = assess::FormAnswers::Best();
    auto out = store.Record(f, {}, kToday);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  };
  record("2025-01-10");  // valid for 12 months: ended 2026-01-09
  HttpResponse expired =
      testing::Request(*app_, http::verb::post, target, &s, R"({"facts":"age=82"})");
  EXPECT_EQ(expired.result_int(), 409u) << expired.body();
  EXPECT_NE(expired.body().find("waitlist.assessment_expired"), std::string::npos);
  record("2026-11-01");
  HttpResponse ok = testing::Request(*app_, http::verb::post, target, &s, R"({"facts":"age=82"})");
  ASSERT_EQ(ok.result_int(), 200u) << ok.body();
  EXPECT_EQ(json::parse(ok.body()).at("valid_until").as_string(), "2027-10-31");
  HttpResponse q = Do(http::verb::get, "/api/v1/waitlist/queue?city=420700", &s);
  json::array items = json::parse(q.body()).at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  bool found = false;
  for (const json::value& v : items) {
    if (v.at("application").as_int64() != app_id) continue;
    found = true;
    EXPECT_EQ(v.at("valid_until").as_string(), "2027-10-31");
    EXPECT_EQ(v.at("class").as_string(), "高龄");
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Backends, WaitlistRouteTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace yanglao::server
