// A module's routes unit-tested without sockets and without the request
// pipeline: the module's route function (AddPolicyRoutes) fills a Router of
// its own, and the handler found for a path is called with a Call built here.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "db/test_database.h"
#include "server/app.h"
#include "server/router.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;

class RouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.SetUp("sqlite", "yanglao_route_test");
    if (IsSkipped() || HasFatalFailure()) return;
    const char* src = std::getenv("YANGLAO_SOURCE_DIR");
    AppOptions o;
    o.db_url = db_.url();
    o.policies_dir = std::filesystem::path(src ? src : ".") / "policies";
    o.connections = 1;
    o.password_cost = PasswordCost::Minimal();
    auto app = App::Open(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    AddPolicyRoutes(*app_, router_);
  }
  void TearDown() override {
    app_.reset();
    db_.Remove();
  }

  // Calls the handler of GET `path` as a user who holds `permission`.
  Result<Reply> Get(std::string_view path) {
    Router::Match m = router_.Find(http::verb::get, SplitPath(path));
    EXPECT_NE(m.route, nullptr) << path;
    if (m.route == nullptr) return Status("request.not_found", "无此接口");
    EXPECT_EQ(m.route->spec.permission, "region:region:read");
    Call call{request_, *app_};
    call.path = m.params;
    call.user = &user_;
    return m.route->handler(call);
  }

  db::TestDatabase db_;
  std::unique_ptr<App> app_;
  Router router_;
  HttpRequest request_;
  Principal user_{.username = "t", .unit_code = "421303", .permissions = {"region:region:read"}};
};

TEST_F(RouteTest, RegionHandlerAnswersWithoutASocket) {
  Result<Reply> r = Get("/api/v1/regions/421303");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200u);
  json::object o = json::parse(r->body).as_object();
  EXPECT_EQ(o.at("name").as_string(), "曾都区");
  EXPECT_FALSE(o.at("children").as_array().empty());
  bool city = false;
  for (const json::value& a : o.at("ancestors").as_array()) city |= a.at("name") == "随州市";
  EXPECT_TRUE(city) << r->body;
}

TEST_F(RouteTest, RegionHandlerFailuresCarryTheirCategory) {
  Result<Reply> missing = Get("/api/v1/regions/421399");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), "region.not_found");
  EXPECT_EQ(HttpStatusOf(missing.status().category()), 404u);
  Result<Reply> bad = Get("/api/v1/regions/42x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().category(), ErrorCategory::kInvalidInput);
  EXPECT_EQ(bad.status().where().field, "code");
}

}  // namespace
}  // namespace yanglao::server
