// The oversight routes in process (api_oversight.cc) over a generated city:
// the public page (信息公开) without sign-in publishes no count of people
// below the threshold anywhere in its tables; the report downloads as PDF
// and XLSX for a signed-in official and not without the permission. Both
// back ends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "facility/store.h"
#include "oversight/draw.h"
#include "oversight/publish.h"
#include "oversight/store.h"
#include "oversight/tasks.h"
#include "oversight/test_city.h"
#include "registry/test_database.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/test_route_client.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;

class OversightRouteTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const db::TestDatabase* city =
        oversight::testing::SharedCity(GetParam(), "yanglao_oversight_routes");
    if (city == nullptr) return;
    AppOptions o;
    o.db_url = city->url();
    o.policies_dir = testing::SourceDir() / "policies";
    o.connections = 2;
    o.password_cost = PasswordCost::Minimal();
    o.today = *CivilDate::FromYmd(2026, 11, 22);
    auto app = App::Open(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    static std::set<std::string> users_made;  // per back end: the city is shared
    if (!users_made.insert(GetParam()).second) return;
    App::Lease reg = app_->Acquire();
    for (auto [user, role] :
         {std::pair{"city", "city_official"}, std::pair{"clerk", "community_worker"}}) {
      auto id = CreateUser(reg->db(), {user, user, "pw-oversight-2026", "421300", "民政", role},
                           PasswordCost::Minimal());
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
  }
  void TearDown() override { app_.reset(); }
  std::unique_ptr<App> app_;
};

TEST_P(OversightRouteTest, PublicPagePublishesNoCountOfPeopleBelowTen) {
  HttpResponse r = testing::Request(
      *app_, http::verb::get, "/api/v1/public/oversight?jurisdiction=421300&period=2026", nullptr);
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  json::object page = testing::ObjectOf(r);
  EXPECT_EQ(page.at("title").as_string(), "随州市养老服务信息公开");
  EXPECT_EQ(page.at("min_people").as_int64(), 10);
  // The lists and their documents are published.
  ASSERT_FALSE(page.at("lists").as_array().empty());
  EXPECT_GT(page.at("lists").as_array()[0].at("items").as_array().size(), 5u);
  EXPECT_FALSE(page.at("policies").as_array().empty());
  // Every column headed as a count of people: a number of at least 10, zero,
  // or the withheld mark.
  int published = 0, withheld = 0, tables_with_people = 0;
  for (const json::value& tv : page.at("tables").as_array()) {
    const json::object& t = tv.as_object();
    std::vector<size_t> people_cols;
    const json::array& header = t.at("header").as_array();
    for (size_t c = 0; c < header.size(); ++c) {
      std::string h(header[c].as_string());
      if (h.find("床位") != std::string::npos) continue;  // beds per 1000 people: not a count
      if (h.find("人") != std::string::npos || h.find("周岁") != std::string::npos ||
          h == "特困人员" || h == "低保对象" || h == "独居老人") {
        people_cols.push_back(c);
      }
    }
    if (!people_cols.empty()) ++tables_with_people;
    for (const json::value& row : t.at("rows").as_array()) {
      for (size_t c : people_cols) {
        std::string cell(row.as_array()[c].as_string());
        if (cell == "<阈值") {
          ++withheld;
          continue;
        }
        const long long n = std::stoll(cell);
        EXPECT_TRUE(n == 0 || n >= 10) << t.at("title").as_string() << ": " << cell;
        if (n > 0) ++published;
      }
    }
  }
  EXPECT_EQ(tables_with_people, 3);
  EXPECT_GT(published, 20);
  EXPECT_GT(withheld, 0);
  for (const json::value& iv : page.at("indicators").as_array()) {
    std::string v(iv.at("value").as_string());
    if (v.ends_with(" 人")) {
      EXPECT_GE(std::stoll(v), 10) << v;
    }
  }
  EXPECT_EQ(
      testing::Request(*app_, http::verb::get, "/api/v1/public/oversight?period=2026-Q9", nullptr)
          .result_int(),
      400u);
}

TEST_P(OversightRouteTest, ReportDownloadsForOfficialsOnly) {
  testing::Session city = testing::SignIn(*app_, "city", "pw-oversight-2026");
  HttpResponse pdf = testing::Request(*app_, http::verb::get,
                                      "/api/v1/oversight/report?period=2026-Q1&format=pdf", &city);
  ASSERT_EQ(pdf.result_int(), 200u) << pdf.body().substr(0, 300);
  EXPECT_TRUE(pdf.body().starts_with("%PDF-"));
  HttpResponse book = testing::Request(
      *app_, http::verb::get, "/api/v1/oversight/report?period=2026-03&format=xlsx", &city);
  ASSERT_EQ(book.result_int(), 200u);
  EXPECT_TRUE(book.body().starts_with("PK"));
  testing::Session clerk = testing::SignIn(*app_, "clerk", "pw-oversight-2026");
  EXPECT_EQ(testing::Request(*app_, http::verb::get, "/api/v1/oversight/report?period=2026", &clerk)
                .result_int(),
            403u);
  EXPECT_EQ(
      testing::Request(*app_, http::verb::get, "/api/v1/oversight/report?period=2026", nullptr)
          .result_int(),
      401u);
}

TEST_P(OversightRouteTest, TasksCarryLiveFiguresProgressWithEvidenceAndScorecards) {
  {
    App::Lease reg = app_->Acquire();
    Result<oversight::TaskPlan> plan =
        oversight::LoadTaskPlan(testing::SourceDir() / "policies/oversight/suizhou.tasks.yaml");
    ASSERT_TRUE(plan.ok());
    ASSERT_TRUE(oversight::OversightStore(reg->db()).PutPlan(*plan).ok());
  }
  testing::Session city = testing::SignIn(*app_, "city", "pw-oversight-2026");
  auto tasks = [&](const std::string& q) {
    HttpResponse r =
        testing::Request(*app_, http::verb::get, "/api/v1/oversight/tasks?" + q, &city);
    EXPECT_EQ(r.result_int(), 200u) << r.body();
    return testing::ObjectOf(r);
  };
  json::object y2023 = tasks("jurisdiction=421300&year=2023&on=2023-10-15");
  json::array items = y2023.at("items").as_array();
  ASSERT_EQ(items.size(), 21u);
  // Task 7 (961 households) is not measured: its state comes from the reports.
  const int64_t adapt = items[6].at("id").as_int64();
  EXPECT_EQ(items[6].at("source").as_string(), "进展报告");
  EXPECT_EQ(items[6].at("state").as_string(), "未报告");
  const std::string evidence = "验收清单：已完成 600 户";
  HttpResponse post = testing::Request(
      *app_, http::verb::post,
      "/api/v1/oversight/tasks/" + std::to_string(adapt) +
          "/progress?client_id=web-r-1&unit=%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80&status=at_risk"
          "&reported_on=2023-10-10&file_name=list.pdf",
      &city, evidence, "application/octet-stream");
  ASSERT_EQ(post.result_int(), 200u) << post.body();
  EXPECT_EQ(testing::ObjectOf(post).at("evidence_sha256").as_string(),
            oversight::Sha256Hex(evidence));
  items = tasks("jurisdiction=421300&year=2023&on=2023-10-15").at("items").as_array();
  EXPECT_EQ(items[6].at("state").as_string(), "有风险");
  EXPECT_EQ(items[6].at("latest").at("unit").as_string(), "市民政局");
  EXPECT_EQ(items[6].at("latest").at("evidence_sha256").as_string(),
            oversight::Sha256Hex(evidence));
  // Task 8 (20 幸福食堂) is measured live from the facility store.
  int64_t canteens = 0;
  {
    App::Lease reg = app_->Acquire();
    Result<std::vector<facility::Facility>> facilities =
        facility::FacilityStore(reg->db()).Facilities("4213");
    ASSERT_TRUE(facilities.ok());
    for (const facility::Facility& f : *facilities)
      canteens += f.active() && f.kind == facility::Kind::kCanteen;
  }
  const json::object& t8 = items[7].as_object();
  EXPECT_EQ(t8.at("source").as_string(), "实时数据");
  ASSERT_EQ(t8.at("live").as_array().size(), 1u);
  EXPECT_EQ(t8.at("live").as_array()[0].at("shown").as_string(), std::to_string(canteens) + " 个");
  EXPECT_EQ(t8.at("state").as_string(), canteens >= 20 ? "已完成" : "有风险");
  // Scorecards: per responsible unit and per county.
  bool civil = false;
  for (const json::value& u : y2023.at("units").as_array())
    civil |= u.at("unit").as_string() == "市民政局";
  EXPECT_TRUE(civil);
  const json::array& counties = y2023.at("counties").as_array();
  ASSERT_GE(counties.size(), 3u);
  EXPECT_GT(counties[0].at("measured").as_int64(), 0);
  // A reader without the permission may not report.
  testing::Session clerk = testing::SignIn(*app_, "clerk", "pw-oversight-2026");
  EXPECT_EQ(testing::Request(*app_, http::verb::post,
                             "/api/v1/oversight/tasks/" + std::to_string(adapt) +
                                 "/progress?client_id=x-2&unit=u&status=done",
                             &clerk, "x", "application/octet-stream")
                .result_int(),
            403u);
}

TEST_P(OversightRouteTest, InspectionsFollowUpCreditGradesAndPublishedResults) {
  testing::Session city = testing::SignIn(*app_, "city", "pw-oversight-2026");
  const std::string inspection = R"({"client_id": "insp-2026-001", "institution": "JG001",
    "on": "2026-03-02", "kind": "双随机", "areas": ["消防安全", "服务质量"],
    "findings": [
      {"area": "消防安全", "severity": "较重", "text": "疏散通道堆放杂物", "deadline": "2026-03-31"},
      {"area": "服务质量", "severity": "一般", "text": "护理记录不全", "deadline": "2026-04-30"}]})";
  HttpResponse add =
      testing::Request(*app_, http::verb::post, "/api/v1/oversight/inspections", &city, inspection);
  ASSERT_EQ(add.result_int(), 200u) << add.body();
  // Sent again (a reply lost): recorded once.
  HttpResponse again =
      testing::Request(*app_, http::verb::post, "/api/v1/oversight/inspections", &city, inspection);
  EXPECT_EQ(testing::ObjectOf(again).at("id"), testing::ObjectOf(add).at("id"));
  // A finding outside the areas inspected is refused, located.
  HttpResponse bad =
      testing::Request(*app_, http::verb::post, "/api/v1/oversight/inspections", &city,
                       R"({"client_id": "insp-2", "institution": "JG002", "on": "2026-03-02",
      "areas": ["消防安全"], "findings": [{"area": "食品安全", "severity": "一般", "text": "x",
      "deadline": "2026-04-01"}]})");
  EXPECT_EQ(bad.result_int(), 400u);
  EXPECT_NE(bad.body().find("findings[0].area"), std::string::npos) << bad.body();
  // The follow-up: the first finding rectified in time.
  int64_t first_finding = 0;
  {
    App::Lease reg = app_->Acquire();
    auto stored = oversight::OversightStore(reg->db()).Inspections("JG001");
    ASSERT_TRUE(stored.ok());
    ASSERT_EQ(stored->size(), 1u);
    first_finding = (*stored)[0].finding_ids[0];
    oversight::OversightStore store(reg->db());
    ASSERT_TRUE(
        store.PutGrade({"JG001", "甲养老院", "民办", true, 1, "随民评〔2025〕3 号", "2025-06-01"})
            .ok());
    ASSERT_TRUE(store.AddComplaint({"JG001", *CivilDate::FromYmd(2026, 5, 6), true}, "c-1").ok());
  }
  ASSERT_EQ(testing::Request(*app_, http::verb::post,
                             "/api/v1/oversight/findings/" + std::to_string(first_finding) +
                                 "/rectified?on=2026-03-20",
                             &city)
                .result_int(),
            200u);
  HttpResponse credit =
      testing::Request(*app_, http::verb::get, "/api/v1/oversight/credit?on=2026-06-01", &city);
  ASSERT_EQ(credit.result_int(), 200u) << credit.body();
  json::object c = testing::ObjectOf(credit);
  ASSERT_EQ(c.at("items").as_array().size(), 1u);
  const json::object& jg = c.at("items").as_array()[0].as_object();
  EXPECT_EQ(jg.at("score").as_int64(), 85);  // 100 − 5 − 2 − 5 (overdue) − 3 (complaint)
  EXPECT_EQ(jg.at("band").as_string(), "B");
  EXPECT_EQ(jg.at("next_due").as_string(), "2026-09-02");
  ASSERT_EQ(c.at("grade_violations").as_array().size(), 1u);
  EXPECT_EQ(c.at("grade_violations").as_array()[0].at("reason").as_string(),
            "承担基本养老服务的民办机构为1级，须达到2级以上");
  // Published without sign-in: the institution, areas and rectification status.
  HttpResponse pub =
      testing::Request(*app_, http::verb::get, "/api/v1/public/inspections?year=2026", nullptr);
  ASSERT_EQ(pub.result_int(), 200u);
  json::array items = testing::ObjectOf(pub).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  json::array findings = items[0].at("findings").as_array();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].at("status").as_string(), "已整改");
  EXPECT_EQ(findings[1].at("status").as_string(), "逾期未整改");  // today 2026-11-22
}

INSTANTIATE_TEST_SUITE_P(Backends, OversightRouteTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace yanglao::server
