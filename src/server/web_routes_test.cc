// The routes the web front end added (web_routes.h), in process on SQLite and
// PostgreSQL: the citizen page's one-time codes and advice, the console menu,
// age bands within the data scope, and live assessment scoring.
#include "server/web_routes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <regex>
#include <vector>

#include "core/id_number.h"
#include "registry/feed_file.h"
#include "registry/test_database.h"
#include "server/app.h"
#include "server/auth.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);
constexpr const char* kZhang = "421303194402290016";    // 西城街道, mobile on record
constexpr const char* kLi = "421321195003150021";       // 随县, no phone
constexpr const char* kWang = "421381193001010030";     // 广水市, a landline only
constexpr const char* kUnknown = "11010519491231002X";  // valid, not registered

constexpr const char* kFeed =
    "公民身份号码,姓名,户籍地,居住地,联系电话,死亡日期,起始日期,终止日期\n"
    "421303194402290016,张三,421303001001,421303001001,13812345678,,2020-01-01,\n"
    "421321195003150021,李四,421321101001,421321101201,,,2020-01-01,\n"
    "421381193001010030,王五,421381001001,421381001001,0722-3456789,,2020-01-01,\n";

// Keeps the messages instead of sending them.
class CapturingSender : public SmsSender {
 public:
  Status Send(std::string_view phone, std::string_view text) override {
    std::lock_guard lock(mu);
    sent.emplace_back(std::string(phone), std::string(text));
    return Status::Ok();
  }
  std::string LastCode() {
    std::lock_guard lock(mu);
    if (sent.empty()) return "";
    std::smatch m;
    std::regex_search(sent.back().second, m, std::regex("验证码是 (\\d{6})"));
    return m.size() > 1 ? m[1].str() : "";
  }
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> sent;
};

struct Response {
  unsigned status = 0;
  json::value body;
  std::string raw;
  const json::object& obj() const { return body.as_object(); }
  std::string code() const {
    if (!body.is_object() || !obj().contains("error")) return "";
    return std::string(obj().at("error").at("code").as_string());
  }
};

class WebRoutesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_web_routes_test");
    if (IsSkipped() || HasFatalFailure()) return;
    AppOptions o;
    o.db_url = db_.url();
    const char* src = std::getenv("YANGLAO_SOURCE_DIR");
    o.policies_dir = std::filesystem::path(src ? src : ".") / "policies";
    o.connections = 2;
    o.password_cost = PasswordCost::Minimal();
    o.today = kToday;
    auto app = App::Open(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    auto feed = registry::ReadFeedCsv(kFeed, "公安.csv", "公安", kToday);
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    ASSERT_TRUE(feed->problems.empty()) << feed->problems.front().message;
    App::Lease reg = app_->Acquire();
    ASSERT_TRUE(reg->Import(*feed, kToday).ok());
    for (auto [name, role, unit] : {std::tuple{"admin", "admin", "421300"},
                                    std::tuple{"street", "street_worker", "421303001"},
                                    std::tuple{"health", "health_official", "421300"}}) {
      auto id = CreateUser(reg->db(), {name, name, "pw-web-2026", unit, "民政", role},
                           PasswordCost::Minimal());
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
    sender_ = std::make_shared<CapturingSender>();
    SetSmsSender(sender_);
  }
  void TearDown() override {
    SetSmsSender(nullptr);
    app_.reset();
    db_.Remove();
  }

  Response Do(http::verb method, const std::string& target, const std::string& body = "",
              const std::string& remote = "192.0.2.7") {
    HttpRequest req{method, target, 11};
    req.set(http::field::host, "localhost");
    if (!cookie_.empty()) {
      req.set(http::field::cookie, cookie_);
      req.set("X-CSRF-Token", csrf_);
    }
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    HttpResponse res = app_->HandleAndAudit(req, remote);
    Response r;
    r.status = res.result_int();
    r.raw = res.body();
    boost::system::error_code ec;
    r.body = json::parse(r.raw, ec);
    return r;
  }
  Response Code(const std::string& id, const std::string& remote = "192.0.2.7") {
    return Do(http::verb::post, "/api/v1/citizen/code",
              json::serialize(json::object{{"id_number", id}}), remote);
  }
  Response Advice(const std::string& challenge, const std::string& code) {
    return Do(http::verb::post, "/api/v1/citizen/advice",
              json::serialize(json::object{{"challenge", challenge}, {"code", code}}));
  }
  void Login(const std::string& user) {
    HttpRequest req{http::verb::post, "/api/v1/auth/login", 11};
    req.set(http::field::content_type, "application/json");
    req.body() = json::serialize(json::object{{"username", user}, {"password", "pw-web-2026"}});
    req.prepare_payload();
    HttpResponse res = app_->HandleAndAudit(req, "192.0.2.7");
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    cookie_.clear();
    for (const auto& h : res) {
      std::string v(h.value());
      if (h.name() == http::field::set_cookie && v.starts_with("yl_session=")) {
        cookie_ = v.substr(0, v.find(';'));
      }
    }
    csrf_ = std::string(json::parse(res.body()).at("csrf_token").as_string());
  }

  registry::TestDatabase db_;
  std::unique_ptr<App> app_;
  std::shared_ptr<CapturingSender> sender_;
  std::string cookie_, csrf_;
};

INSTANTIATE_TEST_SUITE_P(Backends, WebRoutesTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST_P(WebRoutesTest, CitizenCodeAnswersAlikeWhetherOrNotANumberIsRegistered) {
  Response zhang = Code(kZhang);      // registered, mobile: a code is sent
  Response li = Code(kLi);            // registered, no phone
  Response wang = Code(kWang);        // registered, landline only
  Response unknown = Code(kUnknown);  // not registered
  for (const Response* r : {&zhang, &li, &wang, &unknown}) {
    ASSERT_EQ(r->status, 200u) << r->raw;
    EXPECT_EQ(r->obj().size(), zhang.obj().size());
    EXPECT_EQ(r->obj().at("message"), zhang.obj().at("message"));
    EXPECT_EQ(r->obj().at("challenge").as_string().size(),
              zhang.obj().at("challenge").as_string().size());
  }
  ASSERT_EQ(sender_->sent.size(), 1u);  // only to the mobile on record
  EXPECT_EQ(sender_->sent[0].first, "13812345678");
  EXPECT_NE(sender_->sent[0].second.find("4213**********0016"), std::string::npos);
  EXPECT_EQ(sender_->sent[0].second.find(kZhang), std::string::npos);  // never in full
  // A malformed number is refused for its form alone.
  EXPECT_EQ(Code("421303194402290017").code(), "id.check_char");
}

TEST_P(WebRoutesTest, CitizenCodeOpensTheAdviceOnceAndWrongCodesFailAlike) {
  Response c = Code(kZhang);
  ASSERT_EQ(c.status, 200u) << c.raw;
  std::string challenge(c.obj().at("challenge").as_string());
  std::string code = sender_->LastCode();
  ASSERT_EQ(code.size(), 6u);
  std::string wrong = code == "000000" ? "000001" : "000000";
  Response bad = Advice(challenge, wrong);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.code(), "citizen.code");
  // No code matches a challenge for a number without a mobile.
  Response li = Code(kLi);
  Response li_bad = Advice(std::string(li.obj().at("challenge").as_string()), code);
  EXPECT_EQ(li_bad.code(), "citizen.code");
  EXPECT_EQ(li_bad.obj().at("error").at("message"), bad.obj().at("error").at("message"));

  Response ok = Advice(challenge, code);
  ASSERT_EQ(ok.status, 200u) << ok.raw;
  EXPECT_EQ(ok.obj().at("name"), "张三");
  EXPECT_EQ(ok.obj().at("id_number"), "4213**********0016");
  bool allowance = false;
  for (const json::value& it : ok.obj().at("entitled").as_array()) {
    if (it.at("name") == "高龄津贴") {
      allowance = true;
      EXPECT_FALSE(it.at("why").as_array().empty());
    }
  }
  EXPECT_TRUE(allowance) << ok.raw;  // 82 years old, local hukou
  EXPECT_FALSE(ok.obj().at("contacts").as_array().empty());
  // One time only.
  EXPECT_EQ(Advice(challenge, code).code(), "citizen.code");
}

TEST_P(WebRoutesTest, CitizenCodesAreLimitedPerNumberAndPerAddress) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Code(kLi).status, 200u);
  Response fourth = Code(kLi);
  EXPECT_EQ(fourth.status, 429u);
  EXPECT_EQ(fourth.code(), "auth.throttled");
  EXPECT_EQ(Code(kUnknown).status, 200u);  // another number from the same address
  // Another address is limited for this number too.
  EXPECT_EQ(Code(kLi, "198.51.100.1").status, 429u);
  // Per address: 20 requests in the window, whatever the numbers.
  int ok = 0;
  for (int i = 0; i < 25; ++i) {
    std::string first17 = fmt::format("11010519491231{:03d}", 100 + i);
    Response r = Code(first17 + IdCheckCharacter(first17), "203.0.113.9");
    if (r.status == 200u) ++ok;
    if (i >= 20) {
      EXPECT_EQ(r.code(), "auth.throttled");
    }
  }
  EXPECT_EQ(ok, 20);
}

TEST_P(WebRoutesTest, MenuFollowsThePermissions) {
  Login("street");
  Response street = Do(http::verb::get, "/api/v1/console/menu");
  ASSERT_EQ(street.status, 200u) << street.raw;
  EXPECT_EQ(street.raw.find("系统管理"), std::string::npos);
  EXPECT_NE(street.raw.find("/persons"), std::string::npos);
  Login("admin");
  Response admin = Do(http::verb::get, "/api/v1/console/menu");
  EXPECT_NE(admin.raw.find("/system/audit"), std::string::npos);
  cookie_.clear();
  EXPECT_EQ(Do(http::verb::get, "/api/v1/console/menu").status, 401u);
}

TEST_P(WebRoutesTest, OpenConflictsStayWithinTheDataScope) {
  Login("admin");
  Response before = Do(http::verb::get, "/api/v1/console/conflicts");
  ASSERT_EQ(before.status, 200u) << before.raw;
  EXPECT_EQ(before.obj().at("total"), 0);
  // 民政 disagrees with 公安 on the phone numbers of 张三 (西城街道) and 王五 (广水市).
  auto civil = registry::ReadFeedCsv(
      "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
      "入住养老机构,有赡养能力的赡养人,死亡日期,联系电话,起始日期,终止日期\n"
      "421303194402290016,张三,,,,,,,,,,,,,13700000000,2020-01-01,\n"
      "421381193001010030,王五,,,,,,,,,,,,,13900000000,2020-01-01,\n",
      "民政.csv", "民政", kToday);
  ASSERT_TRUE(civil.ok()) << civil.status().ToString();
  ASSERT_TRUE(civil->problems.empty()) << civil->problems.front().message;
  {
    App::Lease reg = app_->Acquire();
    ASSERT_TRUE(reg->Import(*civil, kToday).ok());
  }
  Response all = Do(http::verb::get, "/api/v1/console/conflicts");
  ASSERT_EQ(all.status, 200u) << all.raw;
  ASSERT_EQ(all.obj().at("total"), 2) << all.raw;
  Login("street");  // 西城街道: 张三's conflict only
  Response street = Do(http::verb::get, "/api/v1/console/conflicts");
  ASSERT_EQ(street.obj().at("total"), 1) << street.raw;
  const json::value& item = street.obj().at("items").as_array()[0];
  EXPECT_EQ(item.at("name"), "张三");
  EXPECT_EQ(item.at("id_number"), "4213**********0016");
  EXPECT_EQ(item.at("fact"), "phone");
}

TEST_P(WebRoutesTest, AgeBandsStayWithinTheDataScope) {
  Login("admin");
  Response all = Do(http::verb::get, "/api/v1/console/ages?region=421300");
  ASSERT_EQ(all.status, 200u) << all.raw;
  EXPECT_EQ(all.obj().at("units").as_array().size(), 3u);  // 曾都区, 随县, 广水市
  Login("street");
  Response street = Do(http::verb::get, "/api/v1/console/ages?region=421300");
  ASSERT_EQ(street.status, 200u) << street.raw;
  const json::array& units = street.obj().at("units").as_array();
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].at("region").at("code"), "421303");
  EXPECT_EQ(units[0].at("total"), 1);  // 张三 only; born 1944: the 80-89 band
  EXPECT_EQ(units[0].at("counts").as_array()[3], 1);
  // A new feed: the answer (cached by the newest feed) follows it.
  auto feed = registry::ReadFeedCsv(
      "公民身份号码,姓名,户籍地,居住地,联系电话,死亡日期,起始日期,终止日期\n"
      "11010519491231002X,孙七,421303001001,421303001001,,,2020-01-01,\n",
      "公安-2.csv", "公安", kToday);
  ASSERT_TRUE(feed.ok() && feed->problems.empty());
  {
    App::Lease reg = app_->Acquire();
    ASSERT_TRUE(reg->Import(*feed, kToday).ok());
  }
  Response after = Do(http::verb::get, "/api/v1/console/ages?region=421300");
  ASSERT_EQ(after.obj().at("units").as_array().size(), 1u) << after.raw;
  EXPECT_EQ(after.obj().at("units").as_array()[0].at("total"), 2) << after.raw;
}

TEST_P(WebRoutesTest, AssessmentScoreNeedsOnlyTheAnswersAndThePermission) {
  Login("health");
  Response form = Do(http::verb::get, "/api/v1/console/assessment-form");
  ASSERT_EQ(form.status, 200u) << form.raw;
  json::object items;
  for (const json::value& it : form.obj().at("items").as_array()) {
    items[it.at("code").as_string()] = it.at("max");
  }
  ASSERT_EQ(items.size(), 26u);
  items["B1.1"] = 0;
  json::object body{
      {"format", "yanglao.assessment/1"},
      {"items", items},
      {"basic",
       {{"coma", false},
        {"dementia", false},
        {"mental_disorder", false},
        {"care_risk_30d",
         {{"fall", 0}, {"choking", 0}, {"suicide", 0}, {"self_harm", 0}, {"wandering", 0}}}}}};
  Response score = Do(http::verb::post, "/api/v1/console/assessment-score", json::serialize(body));
  ASSERT_EQ(score.status, 200u) << score.raw;
  EXPECT_EQ(score.obj().at("total"), 86);
  EXPECT_EQ(score.obj().at("level"), 1);
  items.erase("B2.1");
  body["items"] = items;
  Response missing =
      Do(http::verb::post, "/api/v1/console/assessment-score", json::serialize(body));
  EXPECT_EQ(missing.code(), "assess.missing");
  Login("street");  // no assess:assessment:create
  EXPECT_EQ(Do(http::verb::post, "/api/v1/console/assessment-score", json::serialize(body)).status,
            403u);
}

}  // namespace
}  // namespace yanglao::server
