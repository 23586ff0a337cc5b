// Monthly runs on a small registry, on SQLite and on PostgreSQL
// (YANGLAO_TEST_PG_URL): births into 80+, deaths, 低保 exits and moves show as
// newly entitled and ceased with their reasons; re-running is idempotent; a
// run killed half-way leaves nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "core/id_number.h"
#include "entitle/engine.h"
#include "entitle/run.h"
#include "entitle/snapshot.h"
#include "policy/entitlement.h"
#include "policy/service_list.h"
#include "registry/feed_file.h"
#include "registry/registry.h"

namespace yanglao::entitle {
namespace {

namespace fs = std::filesystem;
using registry::Registry;

CivilDate D(const char* text) { return *CivilDate::Parse(text); }
Month M(const char* text) { return *Month::Parse(text); }

std::string Id(const std::string& first17) { return first17 + IdCheckCharacter(first17); }

// 421303 曾都区 people; 1946-03-15 turns 80 in March 2026.
const std::string kTurns80 = Id("42130319460315001");
const std::string kDies = Id("42130319400505002");
const std::string kLeavesDibao = Id("42130319500101003");
const std::string kMoves = Id("42130319440101004");
const std::string kStays = Id("42130319300101005");

constexpr const char* kCivilAffairsHeader =
    "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
    "入住养老机构,有赡养能力的赡养人,死亡日期,起始日期,终止日期";

policy::LoadedList Suizhou() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  EXPECT_NE(src, nullptr);
  fs::path dir = fs::path(src ? src : ".") / "policies";
  policy::LoadedList l = policy::LoadServiceList(dir / "suizhou.yaml");
  policy::ApplyParameterFile(dir / "demo" / "suizhou.demo.yaml", l.list, l.errors);
  EXPECT_TRUE(l.ok()) << l.errors[0].ToString();
  return l;
}

class EntitleTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    std::string name = fmt::format("yanglao_entitle_{}_{}", getpid(), counter++);
    if (GetParam() == "sqlite") {
      path_ = fs::temp_directory_path() / (name + ".db");
      url_ = "sqlite:" + path_.string();
    } else {
      const char* pg = std::getenv("YANGLAO_TEST_PG_URL");
      if (pg == nullptr) {
        if (std::getenv("YANGLAO_REQUIRE_PG") != nullptr)
          FAIL() << "YANGLAO_TEST_PG_URL is not set";
        GTEST_SKIP() << "no PostgreSQL server (scripts/test.sh starts one)";
      }
      auto admin = registry::Database::Open(pg);
      ASSERT_TRUE(admin.ok()) << admin.status().ToString();
      ASSERT_TRUE((*admin)->Execute(fmt::format("CREATE SCHEMA {}", name)).ok());
      schema_ = name;
      url_ = fmt::format("{}?options=-csearch_path%3D{}", pg, name);
    }
    Open();
    list_ = Suizhou();
    Feed("公安",
         fmt::format("公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n"
                     "{},甲,421303001001,421303001001,,2020-01-01,\n"
                     "{},乙,421303001001,421303001001,,2020-01-01,\n"
                     "{},丙,421303001001,421303001001,,2020-01-01,\n"
                     "{},丁,421303001001,421303001001,,2020-01-01,2026-03-04\n"
                     "{},丁,420102,420102,,2026-03-05,\n"
                     "{},戊,421303001001,421303001001,,2020-01-01,\n",
                     kTurns80, kDies, kLeavesDibao, kMoves, kMoves, kStays),
         "2026-02-20");
    Feed("民政",
         fmt::format("{}\n"
                     "{},丙,是,,,,,,,,,,,,2020-01-01,2026-03-20\n"
                     "{},戊,是,,,,,,,,,,,,2020-01-01,\n",
                     kCivilAffairsHeader,
                     kLeavesDibao, kStays),
         "2026-02-20");
    // The death is reported in March.
    Feed("公安",
         fmt::format("公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n"
                     "{},乙,421303001001,421303001001,2026-03-10,2026-03-10,\n",
                     kDies),
         "2026-03-12");
  }

  void TearDown() override {
    store_.reset();
    reg_.reset();
    if (!path_.empty()) {
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
    }
    if (!schema_.empty()) {
      if (auto admin = registry::Database::Open(std::getenv("YANGLAO_TEST_PG_URL")); admin.ok())
        (void)(*admin)->Execute(fmt::format("DROP SCHEMA {} CASCADE", schema_));
    }
  }

  void Open() {
    store_.reset();
    reg_.reset();
    auto r = Registry::Open(url_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reg_ = std::move(*r);
    auto s = RunStore::Open(*reg_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  void Feed(const char* source, const std::string& csv, const char* recorded) {
    auto f = registry::ReadFeedCsv(csv, fmt::format("{}-{}.csv", source, recorded), source,
                                   D("2026-11-22"));
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE(f->problems.empty()) << f->problems[0].message;
    auto out = reg_->Import(*f, D(recorded));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }

  RunOutcome Run(const char* month, const std::string& sha = "v1") {
    RunOptions o;
    o.known_on = D("2026-11-22");
    o.today = D("2026-11-22");
    auto r = store_->Run(ListVersion{&list_.list, sha}, M(month), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : RunOutcome{};
  }

  int64_t Count(const char* table) {
    auto r = reg_->db().QueryAll(fmt::format("SELECT COUNT(*) FROM {}", table));
    return r.ok() ? (*r)[0].AsInt(0) : -1;
  }

  std::string url_, schema_;
  fs::path path_;
  std::unique_ptr<Registry> reg_;
  std::unique_ptr<RunStore> store_;
  policy::LoadedList list_;
};

const Change* FindChange(const RunOutcome& r, ChangeKind kind, const std::string& item,
                         const std::string& id) {
  for (const Change& c : r.changes) {
    if (c.kind == kind && c.item == item && c.id_number == id) return &c;
  }
  return nullptr;
}

TEST_P(EntitleTest, NextMonthShowsNewlyEntitledAndCeasedWithReasons) {
  RunOutcome march = Run("2026-03");
  EXPECT_EQ(march.run.as_of, "2026-03-01");
  EXPECT_EQ(march.run.people, 5);
  EXPECT_TRUE(march.changes.empty());  // the first run has nothing to compare with
  RunOutcome april = Run("2026-04");
  EXPECT_EQ(april.run.previous_run, march.run.id);

  // 高龄津贴 (item 3, hukou_local && age >= 80): from April for the one who
  // turned 80 on 2026-03-15, at the demo 80-89 rate of 50元/月.
  const Change* c = FindChange(april, ChangeKind::kNew, "3", kTurns80);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->new_amount, 5000);
  EXPECT_NE(c->reason.find("80"), std::string::npos) << c->reason;
  // Died on 2026-03-10: every item ceases, the reason names the date.
  c = FindChange(april, ChangeKind::kCeased, "3", kDies);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->reason, "已死亡（2026-03-10）");
  EXPECT_EQ(c->old_amount, 5000);
  // Left 低保 on 2026-03-20: item 28 (特困 or 低保) ceases, because of 低保.
  c = FindChange(april, ChangeKind::kCeased, "28", kLeavesDibao);
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->reason.find("低保对象：否"), std::string::npos) << c->reason;
  // Moved the hukou to Wuhan on 2026-03-05: 高龄津贴 ceases for hukou.
  c = FindChange(april, ChangeKind::kCeased, "3", kMoves);
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->reason.find("户籍"), std::string::npos) << c->reason;
  // The one whose situation did not change has no change at all.
  for (const Change& k : april.changes) EXPECT_NE(k.id_number, kStays) << k.item;
  // Only the listed changes happened.
  for (const Change& k : april.changes) {
    EXPECT_TRUE(k.id_number == kTurns80 || k.id_number == kDies || k.id_number == kLeavesDibao ||
                k.id_number == kMoves)
        << k.item << " " << k.id_number;
  }
  // Stored: the changes can be read back.
  auto stored = store_->Changes(april.run.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), april.changes.size());
}

TEST_P(EntitleTest, RerunningAMonthRecomputesIdenticallyAndWritesNothing) {
  Run("2026-03");
  RunOutcome first = Run("2026-04");
  int64_t lines = Count("entitle_line"), runs = Count("entitle_run");
  // A feed imported after the run does not change the stored month.
  Feed("民政",
       fmt::format("{}\n{},甲,是,,,,,,,,,,,,2026-01-01,\n", kCivilAffairsHeader, kTurns80),
       "2026-04-20");
  RunOutcome again = Run("2026-04");
  EXPECT_TRUE(again.recomputed);
  EXPECT_TRUE(again.identical);
  EXPECT_EQ(again.run.id, first.run.id);
  EXPECT_EQ(again.run.lines, first.run.lines);
  EXPECT_EQ(Count("entitle_line"), lines);
  EXPECT_EQ(Count("entitle_run"), runs);
  // Another version of the list for the same month is refused...
  RunOptions o;
  o.known_on = D("2026-11-22");
  auto other = store_->Run(ListVersion{&list_.list, "v2"}, M("2026-04"), o);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), "entitle.run_exists");
  // ...unless replacing: then the new feed counts (one more line: 甲 is now on 低保).
  o.replace = true;
  auto replaced = store_->Run(ListVersion{&list_.list, "v2"}, M("2026-04"), o);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_GT(replaced->run.lines, first.run.lines);
  EXPECT_EQ(Count("entitle_run"), runs);
}

TEST_P(EntitleTest, AKilledRunLeavesNothing) {
  Run("2026-03");
  auto before = reg_->Checksum();
  ASSERT_TRUE(before.ok());
  int64_t runs = Count("entitle_run"), lines = Count("entitle_line");
  for (const char* point : {"entitle.half_lines", "entitle.before_commit"}) {
    store_.reset();
    reg_.reset();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      setenv("YANGLAO_FAULT_KILL", point, 1);
      auto r = Registry::Open(url_);
      if (!r.ok()) _exit(3);
      auto s = RunStore::Open(**r);
      if (!s.ok()) _exit(4);
      RunOptions o;
      o.known_on = D("2026-11-22");
      (void)(*s)->Run(ListVersion{&list_.list, "v1"}, M("2026-04"), o);
      _exit(0);  // not reached: the fault kills the process
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << point;
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    Open();
    EXPECT_EQ(Count("entitle_run"), runs) << point;
    EXPECT_EQ(Count("entitle_line"), lines) << point;
    auto after = reg_->Checksum();
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(*after, *before) << point;
  }
  // And the month can then be run normally.
  RunOutcome april = Run("2026-04");
  EXPECT_FALSE(april.recomputed);
  EXPECT_EQ(Count("entitle_run"), runs + 1);
}

TEST_P(EntitleTest, SnapshotDerivesPlaceAndTimeFacts) {
  auto snap = BuildSnapshot(*reg_, "421300", D("2026-04-01"), D("2026-11-22"));
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  ASSERT_EQ(snap->size, 5u);
  EXPECT_LE(snap->BytesPerPerson(), 64u);
  size_t a = *snap->Find(kTurns80), d = *snap->Find(kDies), m = *snap->Find(kMoves);
  EXPECT_EQ(snap->Fact("age", a), 80);
  EXPECT_EQ(snap->Fact("hukou_local", a), 1);
  EXPECT_EQ(snap->Fact("area", a), 0);  // 421303001001 is a 社区居委会
  EXPECT_EQ(snap->Fact("deceased", d), 1);
  EXPECT_EQ(snap->Fact("hukou_local", m), 0);
  EXPECT_EQ(snap->IdNumber(a), kTurns80);
  EXPECT_FALSE(snap->Find(Id("11010519491231002")).has_value());
  // As of March 1st the death had not happened yet.
  auto march = BuildSnapshot(*reg_, "421300", D("2026-03-01"), D("2026-11-22"));
  ASSERT_TRUE(march.ok());
  EXPECT_EQ(march->Fact("deceased", *march->Find(kDies)), 0);
  EXPECT_EQ(march->Fact("age", *march->Find(kTurns80)), 79);
  // Known on a date before the death was reported, it had not happened either.
  auto unaware = BuildSnapshot(*reg_, "421300", D("2026-04-01"), D("2026-03-01"));
  ASSERT_TRUE(unaware.ok());
  EXPECT_EQ(unaware->Fact("deceased", *unaware->Find(kDies)), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, EntitleTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(SnapshotTest, PackedIdNumbersRoundTrip) {
  for (const char* first17 : {"11010519491231002", "42130319460315001", "65290119000101999"}) {
    std::string id = Id(first17);
    EXPECT_EQ(UnpackIdNumber(PackIdNumber(id)), id);
  }
  EXPECT_LT(PackIdNumber(Id("11010519491231002")), PackIdNumber(Id("42130319460315001")));
}

}  // namespace
}  // namespace yanglao::entitle
