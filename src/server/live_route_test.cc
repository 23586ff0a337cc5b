// The aggregates the server reads from the live state (issue #17), in
// process, on both back ends: GET /api/v1/registry/stats and the dashboard's
// GET /api/v1/console/ages equal the registry's own counts
// (registry::ComputeStats, Registry::AgeBandsByUnit) for a generated city;
// after a feed is imported the next answer re-derives only that feed's
// people (no rebuild) and equals the counts again; a what-if reads the same
// live snapshot. The assessment work list (GET /api/v1/assessments/due, its
// visible entries kept per work lists, region and withheld groups) equals
// assess::ComputeDue for each reader, status and page.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <set>

#include "assess/due.h"
#include "assess/store.h"
#include "gen/generator.h"
#include "registry/feed_file.h"
#include "registry/stats.h"
#include "registry/test_database.h"
#include "server/access.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/entitle_service.h"
#include "server/test_route_client.h"

namespace yanglao::server {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);

using testing::ObjectOf;
using testing::Request;
using testing::Session;
using testing::SourceDir;

class ServerLiveRouteTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_live_routes");
    if (IsSkipped() || HasFatalFailure()) return;
    dir_ =
        fs::temp_directory_path() / fmt::format("yanglao_live_routes_{}_{}", getpid(), GetParam());
    fs::remove_all(dir_);
    AppOptions o;
    o.db_url = db_.url();
    o.policies_dir = SourceDir() / "policies";
    o.connections = 2;
    o.password_cost = PasswordCost::Minimal();
    o.today = kToday;
    auto app = App::Open(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    gen::GenOptions g;
    g.region = "421300";
    g.scale = 0.002;
    g.as_of = *CivilDate::FromYmd(2026, 7, 1);
    g.out = dir_;
    g.threads = 1;
    auto city = gen::GenerateCity(g);
    ASSERT_TRUE(city.ok()) << city.status().ToString();
    App::Lease reg = app_->Acquire();
    for (const auto& [file, rows] : city->rows_per_file) {
      auto feed = registry::ReadFeedFile(dir_ / file, fs::path(file).stem().string(), kToday);
      ASSERT_TRUE(feed.ok() && feed->problems.empty()) << file;
      ASSERT_TRUE(reg->Import(*feed, *CivilDate::FromYmd(2026, 7, 3)).ok());
      if (fs::path(file).stem() == "公安") police_ = std::move(*feed);
    }
    auto id =
        CreateUser(reg->db(), {"city", "city", "city-pass-2026", "421300", "民政", "city_official"},
                   PasswordCost::Minimal());
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    session_ = testing::SignIn(*app_, "city", "city-pass-2026");
  }
  void TearDown() override {
    app_.reset();
    db_.Remove();
    fs::remove_all(dir_);
  }

  json::object Get(const std::string& target) {
    HttpResponse r = Request(*app_, http::verb::get, target, &session_);
    EXPECT_EQ(r.result_int(), 200u) << target << ": " << r.body();
    return ObjectOf(r);
  }

  // The stats route against ComputeStats over the registry (which holds
  // the city's people only).
  void ExpectStatsEqualTheRegistrys(const json::object& got) {
    App::Lease reg = app_->Acquire();
    auto want = registry::ComputeStats(*reg, kToday, kToday);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    const json::object& all = got.at("all").as_object();
    EXPECT_EQ(all.at("people").as_int64(), want->total - want->deceased);
    EXPECT_EQ(all.at("people").as_int64(), want->all.people);
    EXPECT_EQ(all.at("urban").as_int64(), want->all.urban);
    EXPECT_EQ(all.at("placed").as_int64(), want->all.placed);
    for (size_t b = 0; b < registry::kStatsBands; ++b) {
      EXPECT_EQ(all.at("bands").as_array()[b].as_int64(), want->all.bands[b]) << b;
    }
    const auto& circumstances = registry::StatsCircumstances();
    for (size_t i = 0; i < circumstances.size(); ++i) {
      EXPECT_EQ(all.at("circumstances").at(circumstances[i].fact).as_int64(),
                want->all.circumstances[i])
          << circumstances[i].fact;
    }
    const json::array& counties = got.at("counties").as_array();
    ASSERT_EQ(counties.size(), want->by_county.size());
    size_t i = 0;
    for (const auto& [county, k] : want->by_county) {
      const json::object& c = counties[i++].as_object();
      EXPECT_EQ(c.at("region").at("code").as_string(), county);
      EXPECT_EQ(c.at("people").as_int64(), k.people) << county;
    }
  }

  void ExpectAgesEqualTheRegistrys(const std::string& region, size_t digits) {
    json::object got = Get("/api/v1/console/ages?region=" + region);
    App::Lease reg = app_->Acquire();
    const Region* r = RegionTable::Builtin().Find(region);
    ASSERT_NE(r, nullptr);
    auto want = reg->AgeBandsByUnit(r->code, digits, {50, 60, 70, 80, 90}, kToday, {});
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    const json::array& units = got.at("units").as_array();
    ASSERT_EQ(units.size(), want->size());
    ASSERT_FALSE(units.empty());
    for (size_t i = 0; i < units.size(); ++i) {
      const json::object& u = units[i].as_object();
      EXPECT_EQ(u.at("region").at("code").as_string(), (*want)[i].unit);
      for (size_t b = 0; b < (*want)[i].counts.size(); ++b) {
        EXPECT_EQ(u.at("counts").as_array()[b].as_int64(), (*want)[i].counts[b])
            << (*want)[i].unit << " band " << b;
      }
    }
  }

  registry::TestDatabase db_;
  fs::path dir_;
  std::unique_ptr<App> app_;
  Session session_;
  registry::ParsedFeed police_;
};

TEST_P(ServerLiveRouteTest, AggregatesFromTheLiveStateFollowEachFeed) {
  // The first request builds the live snapshot.
  json::object first = Get("/api/v1/registry/stats?region=421300");
  EXPECT_TRUE(first.at("live").at("rebuilt").as_bool());
  EXPECT_GT(first.at("all").at("people").as_int64(), 500);
  ExpectStatsEqualTheRegistrys(first);
  ExpectAgesEqualTheRegistrys("421300", 6);
  ExpectAgesEqualTheRegistrys("421303", 9);
  // Nothing new: nothing to do.
  json::object again = Get("/api/v1/registry/stats?region=421300");
  EXPECT_FALSE(again.at("live").at("rebuilt").as_bool());
  EXPECT_EQ(again.at("live").at("persons_rederived").as_int64(), 0);

  // A 民政 feed about 40 people: 低保 for all, a death for every fourth.
  std::string csv =
      "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
      "入住养老机构,有赡养能力的赡养人,死亡日期,起始日期,终止日期\n";
  std::set<std::string> ids;
  for (size_t r = 0; ids.size() < 40 && r < police_.facts.size(); r += 7) {
    if (!ids.insert(police_.facts[r].id_number).second) continue;
    csv += fmt::format("{},某,是,,,,,,,,,,,{},2026-08-01,\n", police_.facts[r].id_number,
                       ids.size() % 4 == 0 ? "2026-09-20" : "");
  }
  auto feed = registry::ReadFeedCsv(csv, "民政-更正.csv", "民政", kToday);
  ASSERT_TRUE(feed.ok() && feed->problems.empty());
  {
    App::Lease reg = app_->Acquire();
    ASSERT_TRUE(reg->Import(*feed, kToday).ok());
  }
  json::object after = Get("/api/v1/registry/stats?region=421300");
  EXPECT_FALSE(after.at("live").at("rebuilt").as_bool());
  EXPECT_EQ(after.at("live").at("persons_rederived").as_int64(), static_cast<int64_t>(ids.size()));
  EXPECT_EQ(after.at("live").at("feed_watermark").as_int64(),
            first.at("live").at("feed_watermark").as_int64() + 1);
  EXPECT_LT(after.at("all").at("people").as_int64(), first.at("all").at("people").as_int64());
  ExpectStatsEqualTheRegistrys(after);
  ExpectAgesEqualTheRegistrys("421300", 6);

  // A what-if reads the live snapshot at the latest feed.
  HttpResponse w =
      Request(*app_, http::verb::post, "/api/v1/entitlement/whatif", &session_,
              json::serialize(json::object{
                  {"list", "suizhou"}, {"month", "2026-11"}, {"drop", json::array{"17"}}}));
  ASSERT_EQ(w.result_int(), 200u) << w.body();
  EXPECT_EQ(ObjectOf(w).at("feed_watermark").as_int64(),
            after.at("live").at("feed_watermark").as_int64());

  // Outside the reader's scope: refused.
  HttpResponse out =
      Request(*app_, http::verb::get, "/api/v1/registry/stats?region=420100", &session_);
  EXPECT_EQ(out.result_int(), 403u) << out.body();
}

// The assessment work list through the API (its visible entries kept per
// work lists, region and withheld groups) equals assess::ComputeDue with the
// reasons a reader may not see left out, for readers of two departments (the
// health facts withheld from 公安's), regions of two levels, every status and
// every page; after requests for re-assessment the next answers follow.
TEST_P(ServerLiveRouteTest, TheDueListEqualsTheWorkListsForEachReaderStatusAndPage) {
  {
    App::Lease reg = app_->Acquire();
    ASSERT_TRUE(
        CreateUser(reg->db(),
                   {"police", "police", "police-pass-2026", "421300", "公安", "city_official"},
                   PasswordCost::Minimal())
            .ok());
  }
  struct Reader {
    Session session;
    Principal principal;
  };
  std::vector<Reader> readers;
  for (auto [name, department] : {std::pair{"city", "民政"}, std::pair{"police", "公安"}}) {
    Principal p;
    p.unit_code = "421300";
    p.department = department;
    p.role_key = "city_official";
    readers.push_back(
        {testing::SignIn(*app_, name, std::string(name) + "-pass-2026"), std::move(p)});
  }
  ASSERT_FALSE(Withholding(readers[0].principal).HidesFact("dementia"));
  ASSERT_TRUE(Withholding(readers[1].principal).HidesFact("dementia"));
  // The reasons of `need` a reader sees (as the route documents it).
  auto visible = [](const Withholding& w, const std::string& need) {
    static const std::map<std::string, std::string> kFacts = {
        {"生活不能自理", "cannot_self_care"},
        {"需要长期照护", "long_term_care_need"},
        {"失智", "dementia"}};
    if (w.hidden_bits() == 0) return need;
    std::string out;
    size_t from = 0;
    while (from <= need.size() && !need.empty()) {
      size_t at = need.find("、", from);
      std::string part = need.substr(from, at == std::string::npos ? std::string::npos : at - from);
      auto f = kFacts.find(part);
      if (part.ends_with("周岁及以上") || (f != kFacts.end() && !w.HidesFact(f->second))) {
        out += (out.empty() ? "" : "、") + part;
      }
      if (at == std::string::npos) break;
      from = at + std::string("、").size();
    }
    return out;
  };
  auto check = [&](const std::string& when) {
    for (const Reader& reader : readers) {
      const Withholding w(reader.principal);
      for (const std::string region : {"421300", "421303"}) {
        assess::DueReport want;
        {
          App::Lease reg = app_->Acquire();
          assess::AssessmentStore store(*reg);
          auto r = assess::ComputeDue(store, region, {.as_of = kToday, .known_on = kToday});
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          want = std::move(*r);
        }
        for (const std::string status : {"", "overdue", "requested", "due_soon", "never"}) {
          const std::string what =
              fmt::format("{} {} {} {}", when, reader.principal.department, region, status);
          std::vector<std::string> expected, got;
          std::map<std::string, int64_t> counts;
          for (const assess::DueEntry& e : want.entries) {
            std::string need = visible(w, e.need);
            if (e.status == assess::DueStatus::kNever && need.empty()) continue;
            const std::string name(assess::DueStatusName(e.status));
            ++counts[name];
            static const std::map<std::string, std::string> kNames = {{"overdue", "已过期"},
                                                                      {"requested", "申请复评"},
                                                                      {"due_soon", "即将到期"},
                                                                      {"never", "从未评估"}};
            if (!status.empty() && kNames.at(status) != name) continue;
            expected.push_back(e.id_number + " " + name + " " + need);
          }
          int64_t total = -1;
          for (int page = 1; page < 100; ++page) {
            HttpResponse r =
                Request(*app_, http::verb::get,
                        fmt::format("/api/v1/assessments/due?region={}&size=37&page={}{}", region,
                                    page, status.empty() ? "" : "&status=" + status),
                        &reader.session);
            ASSERT_EQ(r.result_int(), 200u) << what << ": " << r.body();
            json::object o = ObjectOf(r);
            total = o.at("total").as_int64();
            for (const auto& [name, n] : counts) {
              EXPECT_EQ(o.at("counts").at(name).as_int64(), n) << what << " " << name;
            }
            EXPECT_EQ(o.at("residents_60_plus").as_int64(), want.residents_60_plus) << what;
            const json::array& items = o.at("items").as_array();
            for (const json::value& v : items) {
              auto id = app_->DecodePersonRef(v.at("ref").as_string());
              ASSERT_TRUE(id.ok()) << what;
              got.push_back(fmt::format("{} {} {}", *id, v.at("status").as_string().c_str(),
                                        v.at("need").as_string().c_str()));
            }
            if (items.size() < 37) break;
          }
          EXPECT_EQ(total, static_cast<int64_t>(expected.size())) << what;
          EXPECT_EQ(got, expected) << what;
          if (region == "421300" && status.empty()) {
            EXPECT_GT(expected.size(), 20u) << what;
          }
        }
      }
    }
  };
  check("first");
  // Requests for re-assessment (one a person not otherwise on the list):
  // the work lists change, and so does every answer.
  {
    App::Lease reg = app_->Acquire();
    assess::AssessmentStore store(*reg);
    for (size_t r = 0; r < 3 && r < police_.facts.size(); ++r) {
      assess::AssessmentRequest q;
      q.id_number = police_.facts[r * 11].id_number;
      q.requested_on = kToday;
      q.note = "家属申请";
      ASSERT_TRUE(store.Request(q, kToday).ok());
    }
  }
  check("after requests");
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerLiveRouteTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace yanglao::server
