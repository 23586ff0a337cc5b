// The visits routes in process (api_visits.cc): a visitor (scope "self")
// records and reads only the people assigned to them, a visit sent twice is
// stored once, every read of a person's visit history is audited. Both back
// ends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "registry/feed_file.h"
#include "registry/test_database.h"
#include "server/app.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/test_route_client.h"
#include "visits/store.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);
constexpr const char* kLi = "421321195003150021";     // lives in 随县
constexpr const char* kZhang = "421303194402290016";  // lives in 曾都区

using testing::Session;
using testing::SourceDir;

class VisitsRouteTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_visits_routes");
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
    auto feed =
        registry::ReadFeedFile(SourceDir() / "tests/registry/feeds/公安.csv", "公安", kToday);
    ASSERT_TRUE(feed.ok());
    App::Lease reg = app_->Acquire();
    ASSERT_TRUE(reg->Import(*feed, *CivilDate::Parse("2026-01-05")).ok());
    for (auto [name, role, unit] : {std::tuple{"admin", "admin", "421300"},
                                    std::tuple{"community", "community_worker", "421303001001"},
                                    std::tuple{"street", "street_worker", "421303001"},
                                    std::tuple{"county", "county_official", "421321"},
                                    std::tuple{"caseworker", "caseworker", "421300"}}) {
      auto id = CreateUser(reg->db(), {name, name, Pw(name), unit, "民政", role},
                           PasswordCost::Minimal());
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
  }
  void TearDown() override {
    app_.reset();
    db_.Remove();
  }
  static std::string Pw(std::string_view u) { return fmt::format("pw-{}-2026", u); }

  HttpResponse Do(http::verb method, const std::string& target, const Session* s,
                  const std::string& body = "", const char* type = "application/json") {
    return testing::Request(*app_, method, target, s, body, type);
  }
  Session Login(const std::string& user) { return testing::SignIn(*app_, user, Pw(user)); }
  static json::object Obj(const HttpResponse& r) { return testing::ObjectOf(r); }

  registry::TestDatabase db_;
  std::unique_ptr<App> app_;
};

TEST_P(VisitsRouteTest, AVisitorSeesOnlyAssignedPeopleVisitsOnceAndReadsAreAudited) {
  int64_t visitor = 0;
  {
    App::Lease reg = app_->Acquire();
    visits::VisitsStore store(reg->db());
    auto v = store.PutVisitor(
        {.code = "caseworker", .name = "个案员", .kind = "社工", .unit = "421321101201"});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    visitor = *v;
    // The built-in caseworker role (scope "self") is a visitor's: it has
    // visits:roster:read and visits:visit:create from the module table.
  }
  Session admin = Login("admin"), caseworker = Login("caseworker");
  const std::string visit = json::serialize(json::object{{"client_id", "phone-a-0001"},
                                                         {"id_number", kLi},
                                                         {"kind", "上门"},
                                                         {"visited_on", "2026-11-20"},
                                                         {"note", "身体尚好"}});
  HttpResponse denied = Do(http::verb::post, "/api/v1/visits/visits", &caseworker, visit);
  EXPECT_EQ(denied.result_int(), 403u) << denied.body();
  {
    App::Lease reg = app_->Acquire();
    visits::VisitsStore store(reg->db());
    ASSERT_TRUE(store.Assign(visitor, kLi, "2026-11-01").ok());
  }
  HttpResponse first = Do(http::verb::post, "/api/v1/visits/visits", &caseworker, visit);
  ASSERT_EQ(first.result_int(), 200u) << first.body();
  EXPECT_FALSE(Obj(first).at("already_recorded").as_bool());
  EXPECT_EQ(Obj(first).at("id_number").as_string(), MaskIdNumber(kLi));
  HttpResponse again = Do(http::verb::post, "/api/v1/visits/visits", &caseworker, visit);
  ASSERT_EQ(again.result_int(), 200u) << again.body();
  EXPECT_TRUE(Obj(again).at("already_recorded").as_bool());
  EXPECT_EQ(Obj(again).at("id").as_int64(), Obj(first).at("id").as_int64());

  HttpResponse other =
      Do(http::verb::get, fmt::format("/api/v1/visits/persons/{}/visits", kZhang), &caseworker);
  EXPECT_EQ(other.result_int(), 403u) << other.body();
  HttpResponse mine =
      Do(http::verb::get, fmt::format("/api/v1/visits/persons/{}/visits", kLi), &caseworker);
  ASSERT_EQ(mine.result_int(), 200u) << mine.body();
  EXPECT_EQ(Obj(mine).at("items").as_array().size(), 1u);
  HttpResponse by_admin =
      Do(http::verb::get, fmt::format("/api/v1/visits/persons/{}/visits", kLi), &admin);
  ASSERT_EQ(by_admin.result_int(), 200u) << by_admin.body();
  {
    App::Lease reg = app_->Acquire();
    auto rows = reg->db().QueryAll("SELECT COUNT(*) FROM visits_visit");
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ((*rows)[0].AsInt(0), 1);
    AuditQuery q;
    q.action = "visits.history";
    q.target = kLi;
    auto page = SearchAudit(reg->db(), q);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 2);
    q.target = kZhang;
    page = SearchAudit(reg->db(), q);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 1);  // the denied attempt
    EXPECT_EQ(page->records[0].outcome, "denied");
  }
}

// A street supervisor (street_worker of 421303001) sees the due list, the
// rates, the visitors, the referrals and the workload of their street only;
// a county official of 随县 only theirs. Referrals raised by a visit are
// tracked until closed; an event brings the due date forward; the rates
// export as a workbook.
TEST_P(VisitsRouteTest, AStreetSupervisorSeesOnlyTheirStreetAndReferralsAreTrackedUntilClosed) {
  int64_t zhang_visitor = 0, li_visitor = 0, spare = 0;
  {
    App::Lease reg = app_->Acquire();
    visits::VisitsStore store(reg->db());
    visits::Roster roster;
    roster.month = Month::Of(kToday);
    roster.people = {{kZhang, "421303001001", "monthly", 30, 2},
                     {kLi, "421321101201", "weekly", 7, 0}};
    ASSERT_TRUE(store.SaveRoster(roster).ok());
  }
  Session admin = Login("admin"), street = Login("street"), county = Login("county");
  auto put_visitor = [&](const Session& s, const char* code, const char* unit) {
    return Do(http::verb::post, "/api/v1/visits/visitors", &s,
              json::serialize(json::object{{"code", code},
                                           {"name", "探访员"},
                                           {"kind", "网格员"},
                                           {"unit", unit},
                                           {"phone", "13900000000"}}));
  };
  HttpResponse r = put_visitor(street, "ST-V-1", "421303001001");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  zhang_visitor = Obj(r).at("id").as_int64();
  r = put_visitor(street, "ST-V-2", "421303001001");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  spare = Obj(r).at("id").as_int64();
  // Not in the street supervisor's street.
  EXPECT_EQ(put_visitor(street, "ST-V-9", "421321101201").result_int(), 403u);
  r = put_visitor(admin, "SX-V-1", "421321101201");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  li_visitor = Obj(r).at("id").as_int64();

  auto assign = [&](const Session& s, int64_t visitor, const char* id, int64_t from = 0) {
    json::object body{{"visitor_id", visitor}, {"id_number", id}};
    if (from != 0) body["from_visitor_id"] = from;
    return Do(http::verb::post, "/api/v1/visits/assignments", &s, json::serialize(body));
  };
  EXPECT_EQ(assign(street, zhang_visitor, kZhang).result_int(), 200u);
  EXPECT_EQ(assign(street, li_visitor, kLi).result_int(), 403u);  // outside the street
  EXPECT_EQ(assign(admin, li_visitor, kLi).result_int(), 200u);

  // The due list: the street sees 张三 only, the county 李四 only, the
  // administrator both, 李四 (weekly) first.
  auto due_ids = [&](const Session& s) {
    HttpResponse d = Do(http::verb::get, "/api/v1/visits/due", &s);
    EXPECT_EQ(d.result_int(), 200u) << d.body();
    std::vector<std::string> out;
    json::object body = Obj(d);
    for (const json::value& e : body.at("items").as_array()) {
      out.emplace_back(e.at("id_number").as_string());
    }
    return out;
  };
  EXPECT_EQ(due_ids(street), std::vector<std::string>{MaskIdNumber(kZhang)});
  EXPECT_EQ(due_ids(county), std::vector<std::string>{MaskIdNumber(kLi)});
  EXPECT_EQ(due_ids(admin), (std::vector<std::string>{MaskIdNumber(kLi), MaskIdNumber(kZhang)}));

  // Rates by community: the street's one community only.
  HttpResponse rates = Do(http::verb::get, "/api/v1/visits/rates?level=community", &street);
  ASSERT_EQ(rates.result_int(), 200u) << rates.body();
  json::object rates_body = Obj(rates);
  const json::array& units = rates_body.at("items").as_array();
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].at("region").at("code").as_string(), "421303001001");
  EXPECT_EQ(units[0].at("roster").as_int64(), 1);
  EXPECT_EQ(units[0].at("visited").as_int64(), 0);
  // The street's history of a person elsewhere: refused and audited.
  EXPECT_EQ(Do(http::verb::get, fmt::format("/api/v1/visits/persons/{}/visits", kLi), &street)
                .result_int(),
            403u);

  // A visit with a referral: the street's referral list has it open until
  // closed; the county does not see it.
  HttpResponse v =
      Do(http::verb::post, "/api/v1/visits/visits", &street,
         json::serialize(json::object{
             {"client_id", "street-0001"},
             {"id_number", kZhang},
             {"visitor_id", zhang_visitor},
             {"kind", "上门"},
             {"visited_on", "2026-11-21"},
             {"findings", json::array{{{"category", "safety"}, {"text", "浴室无扶手"}}}},
             {"referrals", json::array{{{"kind", "wristband"}, {"note", "独居，夜间无人"}}}}}));
  ASSERT_EQ(v.result_int(), 200u) << v.body();
  HttpResponse open = Do(http::verb::get, "/api/v1/visits/referrals?status=open", &street);
  ASSERT_EQ(open.result_int(), 200u) << open.body();
  json::object open_body = Obj(open);
  ASSERT_EQ(open_body.at("items").as_array().size(), 1u);
  const json::value& ref = open_body.at("items").as_array()[0];
  EXPECT_EQ(ref.at("kind_name").as_string(), "建议配发手环");
  EXPECT_EQ(ref.at("status").as_string(), "open");
  int64_t ref_id = ref.at("id").as_int64();
  EXPECT_TRUE(
      Obj(Do(http::verb::get, "/api/v1/visits/referrals", &county)).at("items").as_array().empty());
  const std::string close_target = fmt::format("/api/v1/visits/referrals/{}/close", ref_id);
  EXPECT_EQ(Do(http::verb::post, close_target, &county,
               json::serialize(json::object{{"outcome", "已配发"}}))
                .result_int(),
            404u);
  HttpResponse closed = Do(http::verb::post, close_target, &street,
                           json::serialize(json::object{{"outcome", "已配发手环"}}));
  ASSERT_EQ(closed.result_int(), 200u) << closed.body();
  EXPECT_EQ(Obj(closed).at("status").as_string(), "closed");
  EXPECT_EQ(Do(http::verb::post, close_target, &street,
               json::serialize(json::object{{"outcome", "again"}}))
                .result_int(),
            400u);
  EXPECT_TRUE(Obj(Do(http::verb::get, "/api/v1/visits/referrals?status=open", &street))
                  .at("items")
                  .as_array()
                  .empty());
  // Visited in the month: the street's rate is 100%.
  rates = Do(http::verb::get, "/api/v1/visits/rates?level=street", &street);
  EXPECT_EQ(Obj(rates).at("items").as_array()[0].at("rate_bp").as_int64(), 10000);

  // An alarm on 11-22 after the visit of 11-21: due within 3 days.
  HttpResponse ev = Do(http::verb::post, "/api/v1/visits/events", &street,
                       json::serialize(json::object{
                           {"id_number", kZhang}, {"kind", "alarm"}, {"on", "2026-11-22"}}));
  ASSERT_EQ(ev.result_int(), 200u) << ev.body();
  HttpResponse due = Do(http::verb::get, "/api/v1/visits/due", &street);
  json::object due_body = Obj(due);
  const json::value& zhang = due_body.at("items").as_array()[0];
  EXPECT_EQ(zhang.at("due_on").as_string(), "2026-11-25");
  EXPECT_EQ(zhang.at("event").as_string(), "紧急呼叫");
  EXPECT_EQ(zhang.at("state").as_string(), "应探访");

  // Workload of the street: two visitors, one with 张三; a suggestion moves
  // nobody (one person cannot be split). Reassigning moves 张三.
  HttpResponse load = Do(http::verb::get, "/api/v1/visits/workload", &street);
  ASSERT_EQ(load.result_int(), 200u) << load.body();
  EXPECT_EQ(Obj(load).at("items").as_array().size(), 2u);
  EXPECT_EQ(Obj(load).at("items").as_array()[0].at("people").as_int64(), 1);
  EXPECT_TRUE(Obj(load).at("suggestions").as_array().empty());
  EXPECT_EQ(assign(street, spare, kZhang, zhang_visitor).result_int(), 200u);
  {
    App::Lease reg = app_->Acquire();
    visits::VisitsStore store(reg->db());
    EXPECT_EQ(*store.AssignedTo(spare), std::vector<std::string>{kZhang});
    EXPECT_TRUE(store.AssignedTo(zhang_visitor)->empty());
  }

  // The summary the dashboard shows: the street's figures.
  HttpResponse sum = Do(http::verb::get, "/api/v1/visits/summary", &street);
  ASSERT_EQ(sum.result_int(), 200u) << sum.body();
  EXPECT_EQ(Obj(sum).at("roster").as_int64(), 1);
  EXPECT_EQ(Obj(sum).at("rate_bp").as_int64(), 10000);
  EXPECT_EQ(Obj(sum).at("open_referrals").as_int64(), 0);
  sum = Do(http::verb::get, "/api/v1/visits/summary", &county);
  EXPECT_EQ(Obj(sum).at("roster").as_int64(), 1);
  EXPECT_EQ(Obj(sum).at("overdue").as_int64(), 1);  // 李四 never visited this month
  EXPECT_EQ(Obj(sum).at("escalated").as_int64(), 1);

  // The rates as a workbook.
  HttpResponse x = Do(http::verb::get, "/api/v1/visits/rates?level=community&format=xlsx", &admin);
  ASSERT_EQ(x.result_int(), 200u) << x.body();
  EXPECT_TRUE(x.body().starts_with("PK"));
}

INSTANTIATE_TEST_SUITE_P(Backends, VisitsRouteTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace yanglao::server
