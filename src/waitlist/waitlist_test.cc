// The waitlist module: golden ordering cases per city quoting the seeds
// (policies/waitlist/), the store on both back ends, replay of a generated
// year of events reproducing every position, and a bed never offered twice
// (repeated and concurrent allocation).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <thread>

#include "db/database.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "waitlist/institution.h"
#include "waitlist/queue.h"
#include "waitlist/rules.h"
#include "waitlist/store.h"
#include "xlsx/xlsx.h"

namespace yanglao::waitlist {
namespace {

namespace fs = std::filesystem;

CivilDate Day(const char* s) { return *CivilDate::Parse(s); }

std::unique_ptr<WaitlistRules> Rules(const char* city) {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  fs::path p =
      fs::path(src ? src : ".") / "policies/waitlist" / (std::string(city) + ".waitlist.yaml");
  auto r = WaitlistRules::Load(p, Day("2026-01-01"));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

policy::PersonFacts Facts(const char* text) {
  Result<policy::PersonFacts> f = FactsFromText(text);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : policy::PersonFacts{};
}

Application Waiting(int64_t id, const char* facts, const char* since, bool willing = false) {
  Application a;
  a.id = id;
  a.person = "42070019400101" + std::to_string(1000 + id);
  a.name = "申请人" + std::to_string(id);
  a.bed_type = "护理型";
  a.willing = willing;
  a.applied_on = Day(since);
  a.since = a.applied_on;
  a.facts = Facts(facts);
  a.status = AppStatus::kWaiting;
  return a;
}

std::vector<int64_t> Order(const WaitlistRules& rules, const std::vector<Application>& apps) {
  std::vector<const Application*> p;
  for (const auto& a : apps) p.push_back(&a);
  std::vector<int64_t> out;
  for (const Position& pos : Rank(rules, p)) out.push_back(pos.application);
  return out;
}

// --- golden ordering cases ------------------------------------------------------

// Ezhou (000, 第8条): “在满足特困人员集中供养需求的前提下，重点为经济困难失能失智老年人和
// 高龄、计划生育特殊家庭老年人提供托养服务”; 清单第23项: “同等条件下优先入住政府投资兴办的
// 养老机构”, 现役军人家属、烈士遗属…
TEST(WaitlistGolden, EzhouWillingTekunFirstThenMartyrAtEqualConditions) {
  auto rules = Rules("ezhou");
  ASSERT_TRUE(rules);
  std::vector<Application> apps = {
      // A very old, fully dependent 低保 person who applied first …
      Waiting(1, "age=95 capability_level=4 dibao=true dementia=true", "2025-01-02"),
      // … comes after a willing 特困 person with a mild level who applied last.
      Waiting(2, "age=62 tekun=dispersed capability_level=1", "2025-12-30", true),
      // The same 特困 person not willing to be 集中供养 is not in the guaranteed class.
      Waiting(3, "age=62 tekun=dispersed capability_level=1", "2025-06-01", false),
      // Two otherwise equal 高龄 applicants: the martyr's family first, even applying later.
      Waiting(4, "age=85 capability_level=2", "2025-03-01"),
      Waiting(5, "age=85 capability_level=2 martyr_family=true", "2025-09-01"),
      // 计划生育特殊家庭 aged 70.
      Waiting(6, "age=70 family_planning_special=true", "2025-02-01"),
  };
  EXPECT_EQ(Order(*rules, apps), (std::vector<int64_t>{2, 1, 5, 4, 6, 3}));
  std::vector<const Application*> p;
  for (const auto& a : apps) p.push_back(&a);
  std::vector<Position> q = Rank(*rules, p);
  EXPECT_EQ(q[0].trace,
            "特困集中供养 · 能力等级（GB/T 42195）1 · 年龄（周岁）62 · 轮候自 2025-12-30");
  EXPECT_EQ(q[2].trace,
            "高龄 · 能力等级（GB/T 42195）2 · 同等条件下优先：烈士遗属 · 年龄（周岁）85 · 轮候自 "
            "2025-09-01");
  EXPECT_EQ(rules->classes()[0].basis, "在满足特困人员集中供养需求的前提下");
  EXPECT_EQ(q[5].trace.substr(0, q[5].trace.find(' ')), "其他");
}

// Ezhou 清单第23项 in its order: 现役军人家属 before 烈士遗属 before 计生特殊家庭 60+
// before 低保家庭, all else equal.
TEST(WaitlistGolden, EzhouTieBreakersInTheListOrder) {
  auto rules = Rules("ezhou");
  ASSERT_TRUE(rules);
  std::vector<Application> apps = {
      Waiting(1, "age=81 dibao=true", "2025-01-01"),
      Waiting(2, "age=81 family_planning_special=true", "2025-01-01"),
      Waiting(3, "age=81 martyr_family=true", "2025-01-01"),
      Waiting(4, "age=81 active_duty_family=true", "2025-01-01"),
      Waiting(5, "age=81", "2025-01-01"),
  };
  EXPECT_EQ(Order(*rules, apps), (std::vector<int64_t>{4, 3, 2, 1, 5}));
}

// Qidong (003, 第10条): “现役军人家属和烈士、因公牺牲军人、病故军人的遗属等重点优抚对象和年满60周岁
// 失能或者生活困难的计划生育特别扶助对象，符合规定条件申请入住公办养老机构的，同等条件下优先安排”;
// 特困 willing to be 集中供养 first (兜底保障).
TEST(WaitlistGolden, QidongTekunFirstThenMartyrAtEqualConditions) {
  auto rules = Rules("qidong");
  ASSERT_TRUE(rules);
  std::vector<Application> apps = {
      Waiting(1, "age=80 capability_level=3", "2024-01-01"),
      Waiting(2, "age=80 capability_level=3 martyr_family=true", "2025-06-01"),
      Waiting(3, "age=66 tekun=dispersed", "2025-09-01", true),
      Waiting(4, "age=80 capability_level=3 active_duty_family=true", "2025-07-01"),
      Waiting(5, "age=80 capability_level=3 family_planning_special=true", "2025-05-01"),
  };
  // 3 (特困, willing) first; then at equal level and age: 现役军人家属, 烈士遗属,
  // 计生特别扶助 (60+, 失能), then by waiting time.
  EXPECT_EQ(Order(*rules, apps), (std::vector<int64_t>{3, 4, 2, 5, 1}));
}

// Suizhou (004, 二、4): “公办养老机构对失能特困老年人予以兜底保障，对重残、失独、优抚对象等
// 特殊困难老年人优先保障”; “有集中供养意愿的特困老年人集中供养率达到100%”.
TEST(WaitlistGolden, SuizhouDisabledTekunThenTekunThenSpecialHardship) {
  auto rules = Rules("suizhou");
  ASSERT_TRUE(rules);
  std::vector<Application> apps = {
      Waiting(1, "age=90 capability_level=4", "2024-01-01"),
      Waiting(2, "age=66 disability_grade=1 disability_category=physical", "2025-05-01"),
      Waiting(3, "age=70 tekun=centralized capability_level=1", "2025-08-01", true),
      Waiting(4, "age=75 tekun=dispersed capability_level=3", "2025-11-01", true),
      // 退役军人 (优抚对象, a tie-breaker too) before 2: same class and level.
      Waiting(5, "age=75 veteran=true", "2025-01-01"),
      // Otherwise equal to 6: the martyr's family first.
      Waiting(6, "age=75 capability_level=2 veteran=true", "2025-01-01"),
      Waiting(7, "age=75 capability_level=2 martyr_family=true", "2025-06-01"),
  };
  EXPECT_EQ(Order(*rules, apps), (std::vector<int64_t>{4, 3, 7, 6, 5, 2, 1}));
  EXPECT_EQ(rules->classes()[0].basis, "公办养老机构对失能特困老年人予以兜底保障");
}

TEST(WaitlistGolden, BedTypesFollowTheRules) {
  auto rules = Rules("ezhou");
  ASSERT_TRUE(rules);
  EXPECT_TRUE(rules->MayTake("普通", Facts("age=70")));
  EXPECT_FALSE(rules->MayTake("护理型", Facts("age=70 capability_level=1")));
  EXPECT_TRUE(rules->MayTake("护理型", Facts("age=70 capability_level=3")));
  EXPECT_TRUE(rules->MayTake("认知障碍照护专区", Facts("age=70 dementia=true")));
  EXPECT_FALSE(rules->MayTake("认知障碍照护专区", Facts("age=70 capability_level=4")));
  EXPECT_FALSE(rules->MayTake("豪华型", Facts("age=70")));
}

TEST(WaitlistRules, BadFilesFailLocated) {
  fs::path dir = fs::temp_directory_path() / ("waitlist_rules_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  fs::copy_file(fs::path(src ? src : ".") / "policies/ezhou.yaml", dir / "ezhou.yaml",
                fs::copy_options::overwrite_existing);
  auto write = [&](const std::string& body) {
    std::ofstream(dir / "w.yaml") << body;
    return WaitlistRules::Load(dir / "w.yaml", Day("2026-01-01"));
  };
  const std::string head = "format: yanglao.waitlist/1\nlist: ezhou.yaml\nsource: x\n";
  const std::string tail =
      "order: [waiting]\ntie_breakers:\n  - {name: a, rule: martyr_family, basis: b}\n"
      "beds:\n  普通: \"true\"\n";
  auto r = write(head + "classes:\n  - {name: a, rule: no_such_fact, basis: b}\n" + tail);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "waitlist.rules");
  EXPECT_EQ(r.status().where().line, 5);
  r = write(head + "classes:\n  - {name: a, rule: age + 1, basis: b}\n" + tail);
  ASSERT_FALSE(r.ok());
  std::string bad_order = tail;
  bad_order.replace(0, 16, "order: [height desc]");
  r = write(head + "classes:\n  - {name: a, rule: age >= 80, basis: b}\n" + bad_order);
  EXPECT_FALSE(r.ok());
  r = write(head + "classes:\n  - {name: a, rule: youfu, basis: b}\n" + tail);
  EXPECT_TRUE(r.ok()) << r.status().ToString();  // the list's definitions are usable
  EXPECT_FALSE(FactsFromText("age=abc").ok());
  EXPECT_FALSE(FactsFromText("height=3").ok());
  EXPECT_EQ(FactsToText(Facts("tekun=dispersed age=80 martyr_family=true")),
            "age=80 tekun=dispersed martyr_family=true");
  fs::remove_all(dir);
}

// --- the store on both back ends ---------------------------------------------------

class WaitlistStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_waitlist");
    if (IsSkipped() || HasFatalFailure()) return;
    auto d = db::Database::Open(db_.url());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    database_ = std::move(*d);
    ASSERT_TRUE(WaitlistStore::Migrate(*database_).ok());
    ASSERT_TRUE(WaitlistStore::Migrate(*database_).ok());  // idempotent
    rules_ = Rules("ezhou");
    ASSERT_TRUE(rules_);
  }
  void TearDown() override {
    database_.reset();
    db_.Remove();
  }
  int64_t Apply(WaitlistStore& store, const char* facts, const char* on, bool willing = false,
                const char* type = "护理型") {
    Application a;
    a.person = std::string("4207001950010") + std::to_string(10000 + next_++);
    a.name = "测试" + std::to_string(next_);
    a.bed_type = type;
    a.willing = willing;
    a.applied_on = Day(on);
    Result<int64_t> id = store.Apply(a);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_TRUE(store.Assess(*id, Facts(facts), Day(on)).ok());
    return *id;
  }
  db::TestDatabase db_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<WaitlistRules> rules_;
  int next_ = 0;
};

TEST_P(WaitlistStoreTest, AllocateOffersTheNextEligibleAndNeverTwice) {
  WaitlistStore store(*database_, *rules_);
  ASSERT_TRUE(store.PutInstitution({"I1", "鄂城区社会福利院", "公办", "420704"}).ok());
  EXPECT_EQ(store.PutInstitution({"I2", "x", "国营", "420704"}).code(), "waitlist.institution");
  ASSERT_TRUE(store.AddBed("I1-101", "I1", "护理型", Day("2025-01-01")).ok());
  EXPECT_EQ(store.AddBed("I1-101", "I1", "护理型", Day("2025-01-01")).code(),
            "waitlist.bed_exists");
  EXPECT_EQ(store.AddBed("I1-102", "I1", "豪华型", Day("2025-01-01")).code(), "waitlist.bed_type");
  int64_t old = Apply(store, "age=92 capability_level=4 dibao=true", "2025-02-01");
  int64_t tekun = Apply(store, "age=65 tekun=dispersed capability_level=3", "2025-05-01", true);
  int64_t mild = Apply(store, "age=88 capability_level=1", "2025-01-15");  // may not take 护理型
  Result<std::vector<Position>> q = store.Queue();
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[0].application, tekun);
  EXPECT_EQ((*q)[1].application, old);
  EXPECT_EQ((*q)[2].application, mild);

  // A new bed is vacant: offered to the first in the queue who may take it.
  auto offer = store.Allocate("I1-101", Day("2025-06-01"));
  ASSERT_TRUE(offer.ok()) << offer.status().ToString();
  ASSERT_TRUE(offer->has_value());
  EXPECT_EQ((*offer)->application, tekun);
  EXPECT_EQ((*offer)->deadline, Day("2025-06-08"));
  // Again: refused, nothing written.
  auto again = store.Allocate("I1-101", Day("2025-06-01"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), "waitlist.bed_taken");
  // Refused: the bed goes to the next, the refuser keeps its place.
  ASSERT_TRUE(store.Refuse(tekun, Day("2025-06-03")).ok());
  offer = store.Allocate("I1-101", Day("2025-06-04"));
  ASSERT_TRUE(offer.ok() && offer->has_value());
  EXPECT_EQ((*offer)->application, old);
  ASSERT_TRUE(store.Accept(old, Day("2025-06-05")).ok());
  EXPECT_EQ(store.Accept(old, Day("2025-06-05")).code(), "waitlist.no_offer");
  EXPECT_EQ(store.Allocate("I1-101", Day("2025-06-06")).status().code(), "waitlist.bed_taken");
  // Freed: offered again; the 特困 person is first again.
  ASSERT_TRUE(store.FreeBed("I1-101", Day("2025-09-01")).ok());
  offer = store.Allocate("I1-101", Day("2025-09-01"));
  ASSERT_TRUE(offer.ok() && offer->has_value());
  EXPECT_EQ((*offer)->application, tekun);
  // A second refusal: 放弃 (refusals.max 2).
  ASSERT_TRUE(store.Refuse(tekun, Day("2025-09-02")).ok());
  Result<State> s = store.Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->applications.at(tekun).status, AppStatus::kGaveUp);
  // Nobody left who may take a 护理型 bed (the 88-year-old is only at level 1).
  offer = store.Allocate("I1-101", Day("2025-09-03"));
  ASSERT_TRUE(offer.ok());
  EXPECT_FALSE(offer->has_value());
  // The tables equal the replay of the log.
  Result<std::vector<Event>> log = store.Events();
  ASSERT_TRUE(log.ok());
  Result<State> replayed = Replay(*rules_, *log);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->applications.at(tekun).status, AppStatus::kGaveUp);
  EXPECT_EQ(replayed->beds.at("I1-101").occupant, 0);
  Result<std::vector<db::Row>> offers =
      database_->QueryAll("SELECT COUNT(*) FROM waitlist_offer WHERE bed = 'I1-101'");
  ASSERT_TRUE(offers.ok());
  EXPECT_EQ((*offers)[0].AsInt(0), 3);
}

TEST_P(WaitlistStoreTest, WithdrawingWithAnOpenOfferFreesTheBedForTheNext) {
  WaitlistStore store(*database_, *rules_);
  ASSERT_TRUE(store.AddBed("W1", "I1", "普通", Day("2025-01-01")).ok());
  int64_t a = Apply(store, "age=90", "2025-01-10", false, "普通");
  int64_t b = Apply(store, "age=70", "2025-01-11", false, "普通");
  auto offer = store.Allocate("W1", Day("2025-02-01"));
  ASSERT_TRUE(offer.ok() && offer->has_value());
  EXPECT_EQ((*offer)->application, a);
  ASSERT_TRUE(store.Withdraw(a, Day("2025-02-02")).ok());
  EXPECT_EQ(store.Refuse(a, Day("2025-02-02")).code(), "waitlist.no_offer");
  offer = store.Allocate("W1", Day("2025-02-03"));
  ASSERT_TRUE(offer.ok() && offer->has_value());
  EXPECT_EQ((*offer)->application, b);
  auto rows = database_->QueryAll(
      "SELECT application, outcome FROM waitlist_offer WHERE bed = 'W1' ORDER BY event_seq");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].AsText(1), "withdrawn");
  EXPECT_EQ((*rows)[1].AsText(1), "open");
  Result<std::vector<Event>> log = store.Events();
  ASSERT_TRUE(log.ok());
  Result<State> replayed = Replay(*rules_, *log);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->applications.at(a).status, AppStatus::kWithdrawn);
  EXPECT_EQ(replayed->beds.at("W1").offered_to, b);
}

TEST_P(WaitlistStoreTest, ConcurrentAllocationsOfOneBedOfferItOnce) {
  WaitlistStore store(*database_, *rules_);
  for (int b = 0; b < 5; ++b) {
    ASSERT_TRUE(store.AddBed("B" + std::to_string(b), "I1", "普通", Day("2025-01-01")).ok());
  }
  for (int i = 0; i < 6; ++i) {
    Apply(store, "age=80", "2025-02-01", false, "普通");
  }
  // Two connections race for every bed.
  std::atomic<int> made{0};
  auto worker = [&](int) {
    auto d = db::Database::Open(db_.url());
    ASSERT_TRUE(d.ok());
    WaitlistStore mine(**d, *rules_);
    for (int b = 0; b < 5; ++b) {
      auto r = mine.Allocate("B" + std::to_string(b), Day("2025-03-01"));
      if (r.ok() && r->has_value()) ++made;
    }
  };
  std::thread t1(worker, 1), t2(worker, 2);
  t1.join();
  t2.join();
  EXPECT_EQ(made.load(), 5);
  Result<std::vector<db::Row>> rows = database_->QueryAll(
      "SELECT bed, COUNT(*), COUNT(DISTINCT application) FROM waitlist_offer GROUP BY bed");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  for (const db::Row& r : *rows) EXPECT_EQ(r.AsInt(1), 1) << r.AsText(0);
  rows = database_->QueryAll("SELECT COUNT(DISTINCT application) FROM waitlist_offer");
  EXPECT_EQ((*rows)[0].AsInt(0), 5);  // nobody holds two offers
  Result<std::vector<Event>> log = store.Events();
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(Replay(*rules_, *log).ok());
}

// A generated year of events: after every event, the positions from the
// tables equal the positions from replaying the log so far.
TEST_P(WaitlistStoreTest, ReplayOfAGeneratedYearReproducesEveryPosition) {
  WaitlistStore store(*database_, *rules_);
  std::mt19937 rng(20260101);
  const char* types[] = {"普通", "护理型", "认知障碍照护专区"};
  for (int b = 0; b < 12; ++b) {
    ASSERT_TRUE(
        store.AddBed("B" + std::to_string(b), b < 4 ? "I1" : "I2", types[b % 3], Day("2025-01-01"))
            .ok());
  }
  const char* profiles[] = {
      "age=72",
      "age=84 capability_level=2",
      "age=90 capability_level=4 dibao=true",
      "age=66 tekun=dispersed capability_level=3",
      "age=81 capability_level=3 martyr_family=true",
      "age=77 dementia=true capability_level=2 low_income=true",
      "age=70 family_planning_special=true capability_level=1",
      "age=85 capability_level=2 active_duty_family=true",
  };
  CivilDate day = Day("2025-01-01");
  int checked = 0;
  for (int step = 0; step < 365 && !HasFailure(); ++step) {
    day = day.AddDays(1);
    int what = static_cast<int>(rng() % 10);
    // The daily sweep: expired assessments back to 评估, lapsed offers refused.
    ASSERT_TRUE(store.ExpireAssessments(day).ok());
    ASSERT_TRUE(store.LapseOffers(day).ok());
    Result<State> st = store.Load();
    ASSERT_TRUE(st.ok());
    std::vector<int64_t> waiting, offered, assessing;
    std::vector<std::string> occupied, vacant;
    for (const auto& [id, a] : st->applications) {
      if (a.status == AppStatus::kWaiting) waiting.push_back(id);
      if (a.status == AppStatus::kAssessing) assessing.push_back(id);
      if (!a.offered_bed.empty()) offered.push_back(id);
    }
    for (const auto& [id, b] : st->beds) {
      if (b.occupant) occupied.push_back(id);
      if (!b.occupant && !b.offered_to) vacant.push_back(id);
    }
    if (what <= 3) {
      Application a;
      a.person = "4207001950" + std::to_string(10000000 + step);
      a.name = "轮候" + std::to_string(step);
      a.bed_type = types[rng() % 3];
      a.willing = rng() % 2 == 0;
      if (rng() % 3 == 0) a.institutions = {rng() % 2 ? "I1" : "I2"};
      a.applied_on = day;
      Result<int64_t> id = store.Apply(a);
      ASSERT_TRUE(id.ok());
      ASSERT_TRUE(store
                      .Assess(*id, Facts(profiles[rng() % 8]), day,
                              day.AddDays(static_cast<int>(30 + rng() % 300)))
                      .ok());
    } else if (what == 4 && !assessing.empty()) {  // re-assessed: back into the queue
      ASSERT_TRUE(store
                      .Assess(assessing[rng() % assessing.size()], Facts(profiles[rng() % 8]), day,
                              day.AddDays(365))
                      .ok());
    } else if (what <= 5 && !vacant.empty()) {
      ASSERT_TRUE(store.Allocate(vacant[rng() % vacant.size()], day).ok());
    } else if (what == 6 && !offered.empty()) {
      ASSERT_TRUE(store.Accept(offered[rng() % offered.size()], day).ok());
    } else if (what == 7 && !offered.empty()) {
      ASSERT_TRUE(store.Refuse(offered[rng() % offered.size()], day).ok());
    } else if (what == 8 && !waiting.empty()) {
      ASSERT_TRUE(store.Withdraw(waiting[rng() % waiting.size()], day).ok());
    } else if (what == 9 && !occupied.empty()) {
      ASSERT_TRUE(store.FreeBed(occupied[rng() % occupied.size()], day).ok());
    }
    if (step % 7 != 0 && step != 364) continue;
    Result<std::vector<Position>> q = store.Queue();
    Result<std::vector<Event>> log = store.Events();
    ASSERT_TRUE(q.ok() && log.ok());
    Result<State> replayed = Replay(*rules_, *log);
    ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
    std::vector<Position> r = Rank(*rules_, *replayed);
    ASSERT_EQ(q->size(), r.size());
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_EQ((*q)[i].application, r[i].application);
      EXPECT_EQ((*q)[i].position, r[i].position);
      EXPECT_EQ((*q)[i].trace, r[i].trace);
    }
    Result<State> tables = store.Load();
    for (const auto& [id, b] : tables->beds) {
      EXPECT_EQ(b.occupant, replayed->beds.at(id).occupant);
      EXPECT_EQ(b.offered_to, replayed->beds.at(id).offered_to);
      EXPECT_EQ(b.refused, replayed->beds.at(id).refused);
    }
    for (const auto& [id, a] : tables->applications) {
      EXPECT_EQ(a.status, replayed->applications.at(id).status);
      EXPECT_EQ(a.offered_bed, replayed->applications.at(id).offered_bed);
      EXPECT_EQ(a.refusals, replayed->applications.at(id).refusals);
      EXPECT_EQ(a.since, replayed->applications.at(id).since);
      EXPECT_EQ(a.valid_until, replayed->applications.at(id).valid_until);
    }
    ++checked;
  }
  EXPECT_GE(checked, 50);
  Result<std::vector<Event>> log = store.Events();
  EXPECT_GT(log->size(), 250u);
}

TEST_P(WaitlistStoreTest, PublicQueueShowsNoFullNameOrIdNumber) {
  WaitlistStore store(*database_, *rules_);
  Application a;
  a.person = "420700194501012345";
  a.name = "欧阳春花";
  a.bed_type = "普通";
  a.applied_on = Day("2025-03-01");
  Result<int64_t> id = store.Apply(a);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store.Assess(*id, Facts("age=83 martyr_family=true"), Day("2025-03-02")).ok());
  Result<State> s = store.Load();
  ASSERT_TRUE(s.ok());
  std::vector<PublicEntry> q = PublicQueue(*rules_, *s);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].name, "欧***");
  EXPECT_EQ(q[0].klass, "高龄");
  EXPECT_EQ(q[0].since, "2025-03-01");
  std::string all = q[0].name + q[0].bed_type + q[0].klass + q[0].since;
  EXPECT_EQ(all.find("欧阳春花"), std::string::npos);
  EXPECT_EQ(all.find("420700194501012345"), std::string::npos);
  EXPECT_EQ(all.find("2345"), std::string::npos);
  EXPECT_EQ(MaskName("李"), "李*");
  EXPECT_EQ(MaskName("王五"), "王*");
}

// kill -9 during an allocation (a child process killing itself with SIGKILL
// with everything written but not committed, then just after the commit):
// after it, the bed is held by at most one person and the offer is either
// made or not, never half; the log still replays to the tables.
TEST_P(WaitlistStoreTest, Kill9DuringAllocationLeavesOfferMadeOrNot) {
  WaitlistStore store(*database_, *rules_);
  ASSERT_TRUE(store.AddBed("K1", "I1", "普通", Day("2025-01-01")).ok());
  int64_t first = Apply(store, "age=88", "2025-02-01", false, "普通");
  Apply(store, "age=70", "2025-02-02", false, "普通");
  auto allocate_in_child = [&](const char* point) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setenv("YANGLAO_FAULT_KILL", point, 1);
      auto d = db::Database::Open(db_.url());
      if (!d.ok()) ::_exit(3);
      WaitlistStore mine(**d, *rules_);
      auto r = mine.Allocate("K1", Day("2025-03-01"));
      ::_exit(r.ok() ? 0 : 4);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
  };
  auto offers = [&] {
    auto rows = database_->QueryAll("SELECT COUNT(*) FROM waitlist_offer WHERE bed = 'K1'");
    return rows.ok() ? (*rows)[0].AsInt(0) : -1;
  };
  auto consistent = [&] {
    Result<std::vector<Event>> log = store.Events();
    ASSERT_TRUE(log.ok());
    Result<State> replayed = Replay(*rules_, *log);
    ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
    Result<State> tables = store.Load();
    ASSERT_TRUE(tables.ok());
    EXPECT_EQ(replayed->beds.at("K1").offered_to, tables->beds.at("K1").offered_to);
    EXPECT_EQ(tables->beds.at("K1").offered_to != 0, offers() == 1);
  };
  EXPECT_EQ(allocate_in_child("waitlist.offer.before_commit"), SIGKILL);
  EXPECT_EQ(offers(), 0);  // not made
  consistent();
  EXPECT_EQ(allocate_in_child("waitlist.offer.after_commit"), SIGKILL);
  EXPECT_EQ(offers(), 1);  // made, whole
  consistent();
  Result<State> s = store.Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->beds.at("K1").offered_to, first);
  // After the restart: the bed is not offered again.
  EXPECT_EQ(store.Allocate("K1", Day("2025-03-02")).status().code(), "waitlist.bed_taken");
  EXPECT_EQ(offers(), 1);
}

// --- institutions: import and the beds report ------------------------------------

constexpr const char* kHeaderCsv =
    "机构编号,机构名称,性质,等级,所在区县,普通床位,护理型床位,认知障碍照护床位,房间数,在住人数,"
    "特困供养机构\n";

TEST(WaitlistImport, CsvRowsBecomeInstitutions) {
  std::string csv = std::string(kHeaderCsv) +
                    "SZ01,曾都区社会福利院,公办,三级,421303,40,100,20,80,130,是\n"
                    "SZ02,随县康养中心,民办,未评定,421321,120,60,0,90,100,否\n";
  Result<InstitutionFile> f = ParseInstitutionFile(csv, "机构.csv");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(f->ok()) << f->problems.front().ToString();
  ASSERT_EQ(f->institutions.size(), 2u);
  const Institution& a = f->institutions[0];
  EXPECT_EQ(a.id, "SZ01");
  EXPECT_EQ(a.ownership, "公办");
  EXPECT_EQ(a.grade, 3);
  EXPECT_EQ(a.county, "421303");
  EXPECT_EQ(a.beds(), 160);
  EXPECT_EQ(a.occupied, 130);
  EXPECT_TRUE(a.tekun_care);
  EXPECT_EQ(f->institutions[1].grade, 0);
  EXPECT_FALSE(f->institutions[1].tekun_care);
}

// One bad cell refuses the file, each problem named by row, column, the
// column's Chinese header and the value, under the stable code.
TEST(WaitlistImport, BadCellsAreLocatedAndNothingIsKept) {
  std::string csv = std::string(kHeaderCsv) +
                    "SZ01,曾都区社会福利院,公办,三级,421303,40,100,20,80,130,是\n"
                    "SZ02,随县康养中心,国营,六级,4213,12a,60,0,90,300,也许\n"
                    "SZ01,重复,民办,一级,421321,1,1,1,1,1,否\n";
  Result<InstitutionFile> f = ParseInstitutionFile(csv, "机构.csv");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_FALSE(f->ok());
  EXPECT_TRUE(f->institutions.empty());
  ASSERT_EQ(f->problem_count, 6u);
  const Status& p = f->problems[0];
  EXPECT_EQ(p.code(), "waitlist.import");
  EXPECT_EQ(p.where().file, "机构.csv");
  EXPECT_EQ(p.where().line, 3);
  EXPECT_EQ(p.where().column, 3);
  EXPECT_EQ(p.where().field, "性质");
  EXPECT_EQ(p.where().value, "国营");
  EXPECT_EQ(p.message(), "性质应为 公办、公建民营 或 民办");
  EXPECT_EQ(f->problems[1].where().field, "等级");
  EXPECT_EQ(f->problems[2].where().field, "所在区县");
  EXPECT_EQ(f->problems[2].where().value, "4213");
  EXPECT_EQ(f->problems[3].where().field, "普通床位");
  EXPECT_EQ(f->problems[4].where().field, "特困供养机构");
  EXPECT_EQ(f->problems[5].where().line, 4);
  EXPECT_EQ(f->problems[5].message(), "机构编号重复");
  // A wrong header fails the whole file.
  Result<InstitutionFile> h = ParseInstitutionFile("编号,名称\nA,B\n", "x.csv");
  EXPECT_FALSE(h.ok());
}

TEST(WaitlistImport, XlsxProblemsNameTheSheet) {
  fs::path path =
      fs::temp_directory_path() / ("waitlist_import_" + std::to_string(getpid()) + ".xlsx");
  xlsx::Sheet sheet{.name = "养老机构"};
  std::vector<std::string> header;
  for (std::string_view h : InstitutionHeader()) header.emplace_back(h);
  sheet.rows = {
      header,
      {"SZ01", "曾都区社会福利院", "公办", "三级", "421303", "40", "100", "20", "80", "130", "是"},
      {"SZ02", "随县康养中心", "民办", "二级", "421321", "10", "10", "0", "9", "25", "否"}};
  ASSERT_TRUE(xlsx::WriteWorkbook(path, {sheet}).ok());
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(path);
  Result<InstitutionFile> f = ParseInstitutionFile(bytes, "机构.xlsx");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->sheet, "养老机构");
  ASSERT_EQ(f->problem_count, 1u);
  EXPECT_EQ(f->problems[0].where().file, "机构.xlsx（工作表“养老机构”）");
  EXPECT_EQ(f->problems[0].where().line, 3);
  EXPECT_EQ(f->problems[0].where().column, 10);
  EXPECT_EQ(f->problems[0].where().field, "在住人数");
  EXPECT_EQ(f->problems[0].where().value, "25");
}

// Suizhou (004): 全市养老床位总数达到 2 万张以上，社会力量举办或经营的养老机构床位数占比达到
// 60%以上，护理型床位数达到总床位的 60%以上；每个县(市、区)至少有1所…县级特困人员供养服务机构；
// 有集中供养意愿的特困老年人集中供养率达到100%.
TEST(WaitlistReport, SuizhouBedsAgainstItsTargetsPerCounty) {
  auto rules = Rules("suizhou");
  ASSERT_TRUE(rules);
  std::vector<Institution> insts = {
      {.id = "A",
       .name = "曾都区福利院",
       .ownership = "公办",
       .county = "421303",
       .beds_normal = 40,
       .beds_nursing = 100,
       .beds_dementia = 20,
       .occupied = 120,
       .tekun_care = true},
      {.id = "B",
       .name = "曾都康养",
       .ownership = "民办",
       .county = "421303",
       .beds_normal = 140,
       .beds_nursing = 100,
       .occupied = 200},
      {.id = "C",
       .name = "随县颐养",
       .ownership = "公建民营",
       .county = "421321",
       .beds_normal = 150,
       .beds_nursing = 50,
       .occupied = 50},
  };
  State state;
  auto app = [&](int64_t id, const char* county, const char* facts, bool willing,
                 AppStatus status) {
    Application a = Waiting(id, facts, "2026-01-01", willing);
    a.county = county;
    a.status = status;
    state.applications[id] = a;
  };
  app(1, "421303", "age=70 tekun=dispersed", true, AppStatus::kAdmitted);
  app(2, "421303", "age=71 tekun=dispersed", true, AppStatus::kWaiting);
  app(3, "421321", "age=72 tekun=dispersed", true, AppStatus::kAdmitted);
  app(4, "421321", "age=73 tekun=dispersed", false, AppStatus::kWaiting);  // not willing
  BedReport r = ReportBeds(*rules, insts, state);
  EXPECT_EQ(r.city.beds(), 600);
  EXPECT_EQ(r.city.beds_nursing + r.city.beds_dementia, 270);
  EXPECT_DOUBLE_EQ(r.city.nursing_share(), 0.45);
  EXPECT_DOUBLE_EQ(r.city.social_share(), 440.0 / 600);
  ASSERT_EQ(r.counties.size(), 2u);
  EXPECT_EQ(r.counties[0].county, "421303");
  EXPECT_DOUBLE_EQ(r.counties[0].nursing_share(), 220.0 / 400);
  EXPECT_DOUBLE_EQ(r.counties[0].tekun_rate(), 0.5);
  EXPECT_DOUBLE_EQ(r.counties[1].tekun_rate(), 1.0);
  EXPECT_EQ(r.counties[1].tekun_institutions, 0);
  std::map<std::string, bool> met;
  for (const TargetCheck& k : r.checks) met[k.target->key + "@" + k.county] = k.met;
  EXPECT_FALSE(met.at("beds_total@"));  // 600 < 20000
  EXPECT_TRUE(met.at("social_bed_share@"));
  EXPECT_FALSE(met.at("nursing_bed_share@"));
  EXPECT_FALSE(met.at("nursing_bed_share@421303"));
  EXPECT_TRUE(met.at("county_tekun_institution@421303"));
  EXPECT_FALSE(met.at("county_tekun_institution@421321"));
  EXPECT_FALSE(met.at("tekun_centralised_rate@421303"));
  EXPECT_TRUE(met.at("tekun_centralised_rate@421321"));
  EXPECT_EQ(met.count("beds_total@421303"), 0u);  // a city-wide target only
  // Qidong (003): 护理型床位占比不低于 75%.
  auto qidong = Rules("qidong");
  ASSERT_TRUE(qidong);
  ASSERT_EQ(qidong->targets().size(), 1u);
  EXPECT_EQ(qidong->targets()[0].key, "nursing_bed_share");
  EXPECT_DOUBLE_EQ(qidong->targets()[0].min, 0.75);
}

TEST_P(WaitlistStoreTest, ImportIsAllOrNothingAndCounted) {
  WaitlistStore store(*database_, *rules_);
  Institution a{.id = "E1",
                .name = "鄂城区福利院",
                .ownership = "公办",
                .county = "420704",
                .grade = 4,
                .beds_normal = 10,
                .beds_nursing = 30,
                .rooms = 20,
                .occupied = 35,
                .tekun_care = true};
  Institution b{
      .id = "E2", .name = "华容区康养", .ownership = "民办", .county = "420703", .beds_normal = 50};
  Result<ImportOutcome> first = store.PutInstitutions({a, b});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->added, 2);
  b.occupied = 20;
  Result<ImportOutcome> second = store.PutInstitutions({a, b});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->unchanged, 1);
  EXPECT_EQ(second->updated, 1);
  Institution bad = b;
  bad.id = "E3";
  bad.occupied = 51;  // more residents than beds
  EXPECT_EQ(store.PutInstitutions({a, bad}).status().code(), "waitlist.institution");
  Result<std::vector<Institution>> all = store.Institutions();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], a);
  EXPECT_EQ((*all)[1], b);
}

// An application's assessment has a validity (assess::ValidUntil): an
// expired one is refused, and a waiting applicant whose assessment expires
// goes back to 评估 (out of the queue, an open offer withdrawn) until
// re-assessed; the waiting time is kept.
TEST_P(WaitlistStoreTest, ExpiredAssessmentSendsTheApplicationBackForReassessment) {
  WaitlistStore store(*database_, *rules_);
  ASSERT_TRUE(store.AddBed("B1", "I1", "护理型", Day("2025-01-01")).ok());
  Application a;
  a.person = "420700195001011234";
  a.name = "李秀英";
  a.bed_type = "护理型";
  a.applied_on = Day("2025-03-01");
  a.county = "420704";
  Result<int64_t> id = store.Apply(a);
  ASSERT_TRUE(id.ok());
  Status expired =
      store.Assess(*id, Facts("age=80 capability_level=3"), Day("2025-03-02"), Day("2025-03-01"));
  EXPECT_EQ(expired.code(), "waitlist.assessment_expired");
  ASSERT_TRUE(
      store.Assess(*id, Facts("age=80 capability_level=3"), Day("2025-03-02"), Day("2025-06-30"))
          .ok());
  auto offer = store.Allocate("B1", Day("2025-06-25"));
  ASSERT_TRUE(offer.ok() && offer->has_value());
  Result<std::vector<int64_t>> none = store.ExpireAssessments(Day("2025-06-30"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());  // still valid on its last day
  Result<std::vector<int64_t>> back = store.ExpireAssessments(Day("2025-07-01"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, std::vector<int64_t>{*id});
  Result<State> s = store.Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->applications.at(*id).status, AppStatus::kAssessing);
  EXPECT_EQ(StatusLabel(s->applications.at(*id).status), "评估");
  EXPECT_EQ(s->beds.at("B1").offered_to, 0);
  EXPECT_TRUE(store.Queue()->empty());
  ASSERT_TRUE(
      store.Assess(*id, Facts("age=80 capability_level=4"), Day("2025-07-05"), Day("2026-07-04"))
          .ok());
  Result<std::vector<Position>> q = store.Queue();
  ASSERT_EQ(q->size(), 1u);
  EXPECT_NE((*q)[0].trace.find("轮候自 2025-03-01"), std::string::npos) << (*q)[0].trace;
  Result<State> replayed = Replay(*rules_, *store.Events());
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->applications.at(*id).valid_until, Day("2026-07-04"));
}

// An offer not answered by its deadline counts as refused under the city's
// rule; Ezhou: the second refusal gives up the place (放弃), and the bed
// goes to the next.
TEST_P(WaitlistStoreTest, OffersLapseAtTheirDeadlineUnderTheRefusalRule) {
  WaitlistStore store(*database_, *rules_);
  ASSERT_TRUE(store.AddBed("B1", "I1", "护理型", Day("2025-01-01")).ok());
  ASSERT_TRUE(store.AddBed("B2", "I1", "护理型", Day("2025-01-01")).ok());
  int64_t first = Apply(store, "age=90 capability_level=4", "2025-01-10");
  int64_t second = Apply(store, "age=70 capability_level=2", "2025-01-11");
  auto o1 = store.Allocate("B1", Day("2025-02-01"), 7);
  ASSERT_TRUE(o1.ok() && o1->has_value());
  EXPECT_EQ((*o1)->application, first);
  EXPECT_TRUE(store.LapseOffers(Day("2025-02-08"))->empty());  // the deadline day itself
  EXPECT_EQ(*store.LapseOffers(Day("2025-02-09")), std::vector<int64_t>{first});
  Result<State> s = store.Load();
  EXPECT_EQ(s->applications.at(first).refusals, 1);
  EXPECT_EQ(s->applications.at(first).status, AppStatus::kWaiting);
  auto o2 = store.Allocate("B1", Day("2025-02-09"));
  ASSERT_TRUE(o2.ok() && o2->has_value());
  EXPECT_EQ((*o2)->application, second);  // B1 is not offered again to who refused it
  auto o3 = store.Allocate("B2", Day("2025-02-09"));
  ASSERT_TRUE(o3.ok() && o3->has_value());
  EXPECT_EQ((*o3)->application, first);
  ASSERT_TRUE(store.Refuse(first, Day("2025-02-10")).ok());
  s = store.Load();
  EXPECT_EQ(s->applications.at(first).status, AppStatus::kGaveUp);
  EXPECT_EQ(StatusLabel(AppStatus::kGaveUp), "放弃");
}

// Qidong's (demo) rule: a refusal restarts the waiting time.
TEST(WaitlistRules, QidongRefusalRestartsTheWaitingTime) {
  auto rules = Rules("qidong");
  ASSERT_TRUE(rules);
  EXPECT_TRUE(rules->refusal_restarts_waiting());
  std::vector<Event> log = {
      {.seq = 1, .kind = "bed", .bed = "B1", .on = Day("2025-01-01"), .data = "I1 护理型"},
      {.seq = 2,
       .kind = "apply",
       .application = 1,
       .on = Day("2025-01-02"),
       .data = "320681195001011234|甲|护理型|0||320681"},
      {.seq = 3,
       .kind = "assess",
       .application = 1,
       .on = Day("2025-01-02"),
       .data = "age=80 capability_level=3|2026-01-01"},
      {.seq = 4, .kind = "offer", .application = 1, .bed = "B1", .on = Day("2025-02-01")},
      {.seq = 5, .kind = "refuse", .application = 1, .bed = "B1", .on = Day("2025-02-03")},
  };
  Result<State> s = Replay(*rules, log);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->applications.at(1).since, Day("2025-02-03"));
  EXPECT_EQ(s->applications.at(1).county, "320681");
  EXPECT_EQ(s->applications.at(1).applied_on, Day("2025-01-02"));
}

INSTANTIATE_TEST_SUITE_P(Backends, WaitlistStoreTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace yanglao::waitlist
