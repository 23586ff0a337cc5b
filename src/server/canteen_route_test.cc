// The canteen routes in process (api_canteen.cc): permissions, the canteen
// within the caller's scope but any diner (通享), masking, idempotent sales,
// audit, the settlement workbook. Both back ends.
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

namespace yanglao::server {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);
constexpr const char* kLi = "421321195003150021";  // lives in 随县

using testing::Session;
using testing::SourceDir;

class CanteenRouteTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_canteen_routes");
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

TEST_P(CanteenRouteTest, CounterServesAnyDinerAtACanteenInScopeMaskedAndAudited) {
  Session admin = Login("admin"), community = Login("community"), caseworker = Login("caseworker");
  const std::string csv =
      "食堂编号,名称,类型,所在社区,服务社区,运营方,开放时间,供餐时段,价格\n"
      "SZ-A,乌龙巷幸福食堂,幸福食堂,421303001001,,某公司,每日,午餐 11:00-13:00,套餐A 15.00\n"
      "SZ-B,随县助餐点,助餐点,421321101201,,某公司,每日,午餐 11:00-13:00,套餐A 15.00\n";
  HttpResponse imp = Do(http::verb::post, "/api/v1/canteen/canteens/import?file_name=a.csv", &admin,
                        csv, "text/csv");
  ASSERT_EQ(imp.result_int(), 200u) << imp.body();
  EXPECT_EQ(Obj(imp).at("added").as_int64(), 2);
  HttpResponse list = Do(http::verb::get, "/api/v1/canteen/canteens", &community);
  ASSERT_EQ(list.result_int(), 200u) << list.body();
  json::array items = Obj(list).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);  // the one in the community's unit
  int64_t a = items[0].at("id").as_int64();
  int64_t b = a + 1;

  // 李四 lives in 随县, outside the community's scope: served all the same (通享).
  json::object sale{{"client_id", "tab-0000000001"},
                    {"canteen_id", a},
                    {"sold_at", "2026-11-22T11:30"},
                    {"diner", kLi},
                    {"dish", "套餐A"}};
  HttpResponse first =
      Do(http::verb::post, "/api/v1/canteen/sales", &community, json::serialize(sale));
  ASSERT_EQ(first.result_int(), 201u) << first.body();
  json::object receipt = Obj(first);
  EXPECT_EQ(receipt.at("id_number").as_string(), "4213**********0021");
  EXPECT_EQ(first.body().find(kLi), std::string::npos);
  EXPECT_EQ(receipt.at("market_fen").as_int64(), receipt.at("discount_fen").as_int64() +
                                                     receipt.at("subsidy_fen").as_int64() +
                                                     receipt.at("paid_fen").as_int64());
  HttpResponse again =
      Do(http::verb::post, "/api/v1/canteen/sales", &community, json::serialize(sale));
  ASSERT_EQ(again.result_int(), 200u) << again.body();
  EXPECT_TRUE(Obj(again).at("already_recorded").as_bool());
  EXPECT_EQ(Obj(again).at("id").as_int64(), receipt.at("id").as_int64());
  sale["dish"] = "不存在";
  HttpResponse reused =
      Do(http::verb::post, "/api/v1/canteen/sales", &community, json::serialize(sale));
  EXPECT_EQ(reused.result_int(), 409u) << reused.body();

  // A canteen outside the unit: as if it did not exist.
  sale["client_id"] = "tab-0000000002";
  sale["canteen_id"] = b;
  sale["dish"] = "套餐A";
  HttpResponse outside =
      Do(http::verb::post, "/api/v1/canteen/sales", &community, json::serialize(sale));
  EXPECT_EQ(outside.result_int(), 404u) << outside.body();
  // Without the permission.
  HttpResponse denied =
      Do(http::verb::post, "/api/v1/canteen/sales", &caseworker, json::serialize(sale));
  EXPECT_EQ(denied.result_int(), 403u);
  HttpResponse flags = Do(http::verb::get, "/api/v1/canteen/flags?month=2026-11", &community);
  EXPECT_EQ(flags.result_int(), 403u);

  // The sale is an audited read of 李四's data, with the full number in the target only.
  {
    App::Lease reg = app_->Acquire();
    AuditQuery q;
    q.action = "canteen.sale";
    q.target = kLi;
    auto page = SearchAudit(reg->db(), q);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 2);
    EXPECT_EQ(page->records[0].username, "community");
  }

  // The settlement: JSON lines reconcile, the workbook downloads.
  HttpResponse st = Do(http::verb::get, "/api/v1/canteen/settlement?month=2026-11", &admin);
  ASSERT_EQ(st.result_int(), 200u) << st.body();
  json::array canteens = Obj(st).at("canteens").as_array();
  ASSERT_EQ(canteens.size(), 1u);
  EXPECT_EQ(canteens[0].at("market_fen").as_int64(), 1500);
  int64_t parts = 0;
  json::object settlement = Obj(st);
  for (const auto& l : settlement.at("lines").as_array()) parts += l.at("benefit_fen").as_int64();
  EXPECT_EQ(parts, receipt.at("discount_fen").as_int64() + receipt.at("subsidy_fen").as_int64());
  HttpResponse xlsx =
      Do(http::verb::get, "/api/v1/canteen/settlement?month=2026-11&format=xlsx", &admin);
  ASSERT_EQ(xlsx.result_int(), 200u);
  EXPECT_TRUE(xlsx.body().starts_with("PK"));
  // Coverage of Suizhou: one street of many.
  HttpResponse cov = Do(http::verb::get, "/api/v1/canteen/coverage?city=421300", &admin);
  ASSERT_EQ(cov.result_int(), 200u) << cov.body();
  json::object coverage = Obj(cov);
  EXPECT_FALSE(coverage.at("groups").as_array()[2].at("met").as_bool());
}

INSTANTIATE_TEST_SUITE_P(Backends, CanteenRouteTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace yanglao::server
