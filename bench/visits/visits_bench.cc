// Benchmarks of visiting care (issue #18), each against a baseline of the
// same run on the same database (a temporary SQLite file):
//   - storing a month's roster with its tiers (the write half of the
//     recompute) and a visitor's due list, against one scan of the roster;
//   - the month's rates for the city, against the same scan;
//   - recording a visit through the route, audited as the server does
//     (App::HandleAndAudit: session, CSRF, scope, the visit, the audit
//     record), against GET /api/v1/auth/me through the same path.
// People: YANGLAO_BENCH_PEOPLE (default 20000) on the roster, registered in
// the registry, 40 of them assigned to the visitor. Run: bash bench/run.sh
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/id_number.h"
#include "core/region.h"
#include "registry/feed_file.h"
#include "server/app.h"
#include "server/auth.h"
#include "visits/roster.h"
#include "visits/store.h"

namespace yanglao {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using server::HttpRequest;
using server::HttpResponse;
namespace http = server::http;

struct Session {
  std::string cookie, csrf;
};

// One request through App::HandleAndAudit, as the server handles it.
HttpResponse Request(server::App& app, http::verb method, const std::string& target,
                     const Session& s, const std::string& body = "") {
  HttpRequest req{method, target, 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::cookie, s.cookie);
  req.set("X-CSRF-Token", s.csrf);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  return app.HandleAndAudit(req, "192.0.2.7");
}

Session SignIn(server::App& app, const std::string& user, const std::string& password) {
  Session s;
  HttpResponse r =
      Request(app, http::verb::post, "/api/v1/auth/login", s,
              json::serialize(json::object{{"username", user}, {"password", password}}));
  for (const auto& h : r) {
    std::string v(h.value());
    if (h.name() == http::field::set_cookie && v.starts_with("yl_session=")) {
      s.cookie = v.substr(0, v.find(';'));
    }
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body(), ec);
  if (v.is_object() && v.as_object().contains("csrf_token")) {
    s.csrf = std::string(v.at("csrf_token").as_string());
  }
  return s;
}

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);
const Month kMonth = Month::Of(kToday);

struct World {
  fs::path dir;
  std::unique_ptr<server::App> app;
  Session admin;
  visits::Roster roster;
  int64_t visitor = 0;
  int64_t next_client = 0;
  std::unique_ptr<visits::RosterRules> rules;
};

fs::path SourceDir() {
  const char* s = std::getenv("YANGLAO_SOURCE_DIR");
#ifdef YANGLAO_SOURCE_DIR_DEFAULT
  return s ? s : YANGLAO_SOURCE_DIR_DEFAULT;
#else
  return s ? s : ".";
#endif
}

[[noreturn]] void Die(const Status& s) {
  fmt::print(stderr, "visits_bench: {}\n", s.ToString());
  std::exit(1);
}

World& TheWorld() {
  static World* const the = [] {
    auto* w = new World;
    int people = 20000;
    if (const char* n = std::getenv("YANGLAO_BENCH_PEOPLE")) people = std::atoi(n);
    w->dir = fs::temp_directory_path() / fmt::format("visits-bench-{}", getpid());
    fs::create_directories(w->dir);
    static const fs::path dir = w->dir;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(dir, ec);
    });
    server::AppOptions o;
    o.db_url = "sqlite:" + (w->dir / "bench.db").string();
    o.policies_dir = SourceDir() / "policies";
    o.connections = 2;
    o.password_cost = server::PasswordCost::Minimal();
    o.today = kToday;
    auto app = server::App::Open(o);
    if (!app.ok()) {
      fmt::print(stderr, "{}\n", app.status().ToString());
      std::exit(1);
    }
    w->app = std::move(*app);
    // Suizhou people aged 60..94 over the city's communities and villages.
    std::string csv = "公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n";
    std::vector<std::string> communities;
    {
      const RegionTable& t = RegionTable::Builtin();
      auto [b, e] = t.DescendantRange(*t.Find("421300"));
      for (size_t i = b; i < e; ++i) {
        if (t.all()[i].level == RegionLevel::kVillage) communities.push_back(t.all()[i].code);
      }
    }
    w->roster.month = kMonth;
    for (int i = 0; i < people; ++i) {
      std::string community = communities[static_cast<size_t>(i) % communities.size()];
      std::string county = community.substr(0, 6);
      // Unique for up to 35,000 x 12 people: year from i, month and serial from i / 35.
      std::string first17 = fmt::format("{}{:04}{:02}01{:03}", county, 1932 + i % 35,
                                        1 + (i / 35000) % 12, (i / 35) % 1000);
      std::string id = first17 + IdCheckCharacter(first17);
      csv += fmt::format("{},老人{},{},{},,2020-01-01,\n", id, i, community, community);
      int rank = i % 10 == 0 ? 0 : i % 4 == 0 ? 1 : 2;
      w->roster.people.push_back({id, community,
                                  rank == 0   ? "weekly"
                                  : rank == 1 ? "biweekly"
                                              : "monthly",
                                  rank == 0   ? 7
                                  : rank == 1 ? 14
                                              : 30,
                                  rank});
    }
    std::sort(w->roster.people.begin(), w->roster.people.end(),
              [](const auto& a, const auto& b) { return a.id_number < b.id_number; });
    w->roster.people.erase(
        std::unique(w->roster.people.begin(), w->roster.people.end(),
                    [](const auto& a, const auto& b) { return a.id_number == b.id_number; }),
        w->roster.people.end());
    std::ofstream(w->dir / "公安.csv") << csv;
    auto feed = registry::ReadFeedFile(w->dir / "公安.csv", "公安", kToday);
    server::App::Lease reg = w->app->Acquire();
    if (!feed.ok()) Die(feed.status());
    if (auto imported = reg->Import(*feed, *CivilDate::Parse("2026-01-05")); !imported.ok()) {
      Die(imported.status());
    }
    visits::VisitsStore store(reg->db());
    if (auto saved = store.SaveRoster(w->roster); !saved.ok()) Die(saved.status());
    auto v = store.PutVisitor({.code = "BENCH-V",
                               .name = "探访员",
                               .kind = "网格员",
                               .unit = w->roster.people[0].region});
    if (!v.ok()) Die(v.status());
    w->visitor = *v;
    for (size_t i = 0; i < 40 && i < w->roster.people.size(); ++i) {
      if (!store
               .Assign(w->visitor, w->roster.people[i * 7 % w->roster.people.size()].id_number,
                       "2026-11-01")
               .ok())
        std::exit(1);
    }
    auto id = server::CreateUser(reg->db(),
                                 {"admin", "admin", "pw-admin-2026", "421300", "民政", "admin"},
                                 server::PasswordCost::Minimal());
    if (!id.ok()) Die(id.status());
    auto rules = visits::RosterRules::Load(SourceDir() / "policies/visits/suizhou.visits.yaml");
    if (!rules.ok()) Die(rules.status());
    w->rules = std::move(*rules);
    w->admin = SignIn(*w->app, "admin", "pw-admin-2026");
    return w;
  }();
  return *the;
}

void BM_Baseline_ScanRoster(benchmark::State& state) {
  World& w = TheWorld();
  server::App::Lease reg = w.app->Acquire();
  for (auto _ : state) {
    int64_t n = 0;
    (void)reg->db().Query("SELECT id_number, region, tier FROM visits_roster WHERE month = ?",
                          {kMonth.ToString()}, [&](const db::Row&) {
                            ++n;
                            return true;
                          });
    benchmark::DoNotOptimize(n);
  }
  state.counters["people"] = static_cast<double>(w.roster.people.size());
}
BENCHMARK(BM_Baseline_ScanRoster)->Unit(benchmark::kMillisecond);

void BM_SaveRoster(benchmark::State& state) {
  World& w = TheWorld();
  server::App::Lease reg = w.app->Acquire();
  visits::VisitsStore store(reg->db());
  for (auto _ : state) benchmark::DoNotOptimize(store.SaveRoster(w.roster));
}
BENCHMARK(BM_SaveRoster)->Unit(benchmark::kMillisecond);

void BM_VisitorDueList(benchmark::State& state) {
  World& w = TheWorld();
  server::App::Lease reg = w.app->Acquire();
  visits::VisitsStore store(reg->db());
  for (auto _ : state) {
    auto due = store.DueList(w.rules->policy(), kToday, "", w.visitor);
    if (!due.ok() || due->empty()) state.SkipWithError("due list");
    benchmark::DoNotOptimize(due);
  }
}
BENCHMARK(BM_VisitorDueList)->Unit(benchmark::kMillisecond);

void BM_MonthRatesCityByCommunity(benchmark::State& state) {
  World& w = TheWorld();
  server::App::Lease reg = w.app->Acquire();
  visits::VisitsStore store(reg->db());
  for (auto _ : state) {
    benchmark::DoNotOptimize(store.Rates(kMonth, visits::RateLevel::kCommunity, "4213"));
  }
}
BENCHMARK(BM_MonthRatesCityByCommunity)->Unit(benchmark::kMillisecond);

void BM_Baseline_AuthMeRoute(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    auto r = Request(*w.app, http::verb::get, "/api/v1/auth/me", w.admin);
    if (r.result_int() != 200) state.SkipWithError("auth/me");
  }
}
BENCHMARK(BM_Baseline_AuthMeRoute);

// One visit per iteration, a new client id each, audited.
void BM_RecordVisitRoute(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    const auto& p = w.roster.people[static_cast<size_t>(w.next_client) % w.roster.people.size()];
    std::string body =
        json::serialize(json::object{{"client_id", fmt::format("bench-{:08}", ++w.next_client)},
                                     {"id_number", p.id_number},
                                     {"visitor_id", w.visitor},
                                     {"kind", "上门"},
                                     {"visited_on", "2026-11-20"}});
    auto r = Request(*w.app, http::verb::post, "/api/v1/visits/visits", w.admin, body);
    if (r.result_int() != 200) state.SkipWithError(r.body().c_str());
  }
  state.counters["visits/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RecordVisitRoute)->UseRealTime();

}  // namespace
}  // namespace yanglao

extern const char* const kYanglaoBenchRatios[][2] = {
    {"BM_SaveRoster", "BM_Baseline_ScanRoster"},
    {"BM_VisitorDueList", "BM_Baseline_ScanRoster"},
    {"BM_MonthRatesCityByCommunity", "BM_Baseline_ScanRoster"},
    {"BM_RecordVisitRoute/real_time", "BM_Baseline_AuthMeRoute"},
    {nullptr, nullptr},
};
