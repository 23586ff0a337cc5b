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
    // A site gives its visitors' role (here the built-in caseworker, scope
    // "self") the visits permissions in the role editor.
    ASSERT_TRUE(
        reg->db()
            .Execute("UPDATE server_role SET permissions = permissions || ' "
                     "visits:roster:read visits:visit:create' WHERE role_key = 'caseworker'")
            .ok());
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

INSTANTIATE_TEST_SUITE_P(Backends, VisitsRouteTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace yanglao::server
