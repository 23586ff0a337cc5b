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
#include <random>
#include <thread>

#include "db/database.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "waitlist/queue.h"
#include "waitlist/rules.h"
#include "waitlist/store.h"

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
    Result<State> st = store.Load();
    ASSERT_TRUE(st.ok());
    std::vector<int64_t> waiting, offered;
    std::vector<std::string> occupied, vacant;
    for (const auto& [id, a] : st->applications) {
      if (a.status == AppStatus::kWaiting) waiting.push_back(id);
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
      ASSERT_TRUE(store.Assess(*id, Facts(profiles[rng() % 8]), day).ok());
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

INSTANTIATE_TEST_SUITE_P(Backends, WaitlistStoreTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace yanglao::waitlist
