// The live snapshot (entitle/live.h) against a fresh build, on SQLite and on
// PostgreSQL (YANGLAO_TEST_PG_URL): a random sequence of a generated city's
// feeds (as of January and as of July, in random order, recorded on random
// days), its capability assessments, random 民政 corrections (低保, deaths,
// new people) and a precedence change; after every step each live snapshot
// is advanced and must equal BuildSnapshot at the same watermark, row by row
// and column by column. And the aggregates read from a snapshot (registry
// statistics, the dashboard's age bands) against the registry's own counts.
#include "entitle/live.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "assess/form_json.h"
#include "assess/store.h"
#include "core/id_number.h"
#include "entitle/snapshot.h"
#include "gen/assess_synthetic.h"
#include "gen/generator.h"
#include "registry/feed_file.h"
#include "registry/registry.h"
#include "registry/stats.h"
#include "registry/test_database.h"

namespace yanglao::entitle {
namespace {

namespace fs = std::filesystem;
using registry::Registry;

CivilDate D(const char* text) { return *CivilDate::Parse(text); }

constexpr const char* kCivilAffairsHeader =
    "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
    "入住养老机构,有赡养能力的赡养人,死亡日期,起始日期,终止日期";

class EntitleLiveTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_live");
    if (IsSkipped() || HasFatalFailure()) return;
    auto r = Registry::Open(db_.url());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reg_ = std::move(*r);
    dir_ = fs::temp_directory_path() / fmt::format("yanglao_live_{}_{}", getpid(), GetParam());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    reg_.reset();
    db_.Remove();
    fs::remove_all(dir_);
  }

  // Generates the city as of `as_of` into `name`; its feed files.
  std::vector<registry::ParsedFeed> Generate(const char* name, const char* as_of) {
    gen::GenOptions g;
    g.region = "421300";
    g.scale = 0.002;
    g.as_of = D(as_of);
    g.out = dir_ / name;
    g.threads = 1;
    auto city = gen::GenerateCity(g);
    EXPECT_TRUE(city.ok()) << city.status().ToString();
    std::vector<registry::ParsedFeed> feeds;
    if (!city.ok()) return feeds;
    for (const auto& [file, rows] : city->rows_per_file) {
      auto feed = registry::ReadFeedFile(g.out / file, fs::path(file).stem().string(), D(as_of));
      EXPECT_TRUE(feed.ok()) << feed.status().ToString();
      if (!feed.ok()) continue;
      EXPECT_TRUE(feed->problems.empty()) << file;
      feeds.push_back(std::move(*feed));
    }
    return feeds;
  }

  void ExpectEqualToFresh(Registry& reg, const LiveSnapshot& live, const std::string& step) {
    std::shared_ptr<const Snapshot> s = live.Current();
    SCOPED_TRACE(fmt::format("{}: as_of {} known_on {} watermark {}", step, s->as_of.ToString(),
                             s->known_on.ToString(), s->feed_watermark));
    auto latest = reg.LatestFeedId();
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(s->feed_watermark, *latest);
    auto fresh = BuildSnapshot(reg, s->jurisdiction, s->as_of, s->known_on, *latest);
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    EXPECT_EQ(FirstDifference(*s, *fresh), "");
    // The flags the evaluator reads besides the columns.
    EXPECT_EQ(s->View().unknown, fresh->View().unknown);
    ++compared_;
  }

  registry::TestDatabase db_;
  std::unique_ptr<Registry> reg_;
  fs::path dir_;
  int compared_ = 0;
};

TEST_P(EntitleLiveTest, RandomSequencesOfFeedsKeepTheLiveSnapshotEqualToAFreshBuild) {
  std::vector<registry::ParsedFeed> jan = Generate("jan", "2026-01-01");
  std::vector<registry::ParsedFeed> jul = Generate("jul", "2026-07-01");
  if (HasFailure()) return;
  ASSERT_GE(jan.size(), 5u);
  gen::SyntheticOptions so;
  so.feeds_dir = dir_ / "jan";
  so.as_of = D("2026-01-01");
  auto histories = gen::WriteSyntheticAssessments(so);
  ASSERT_TRUE(histories.ok()) << histories.status().ToString();

  // One random sequence per back end (each takes minutes under ASan on
  // PostgreSQL); the seeds differ so that the two see different orders.
  for (uint32_t seed : {GetParam() == "sqlite" ? 1u : 2u}) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    std::mt19937 rng(seed);
    // Each sequence starts from an empty registry of its own.
    registry::TestDatabase seq_db;
    seq_db.SetUp(GetParam(), "yanglao_live_seq");
    ASSERT_FALSE(HasFatalFailure());
    std::unique_ptr<Registry> seq_reg;
    {
      auto r = Registry::Open(seq_db.url());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      seq_reg = std::move(*r);
    }
    Registry* reg = seq_reg.get();
    auto store = assess::AssessmentStore::Open(*reg);
    ASSERT_TRUE(store.ok()) << store.status().ToString();

    // Live snapshots of the city: now, and as known before July; opened on
    // the empty registry, so every row comes from patches.
    std::vector<std::unique_ptr<LiveSnapshot>> lives;
    for (auto [as_of, known_on] :
         {std::pair{"2026-09-01", "2026-11-22"}, std::pair{"2026-03-01", "2026-07-02"}}) {
      auto live = LiveSnapshot::Open(*reg, "421300", D(as_of), D(known_on));
      ASSERT_TRUE(live.ok()) << live.status().ToString();
      EXPECT_EQ((*live)->Current()->size, 0u);
      lives.push_back(std::move(*live));
    }

    // The steps: every generated feed, the assessments, corrections, and
    // (once) a precedence change, in random order.
    enum class Kind { kFeed, kAssessments, kCorrection, kPrecedence };
    struct Step {
      Kind kind;
      const registry::ParsedFeed* feed = nullptr;
    };
    std::vector<Step> steps;
    for (const auto& f : jan) steps.push_back({Kind::kFeed, &f});
    for (const auto& f : jul) steps.push_back({Kind::kFeed, &f});
    steps.push_back({Kind::kAssessments});
    for (int i = 0; i < 4; ++i) steps.push_back({Kind::kCorrection});
    steps.push_back({Kind::kPrecedence});
    std::shuffle(steps.begin(), steps.end(), rng);
    const char* recorded_days[] = {"2026-01-05", "2026-06-30", "2026-07-03", "2026-08-01"};
    size_t persons_patched = 0;
    int corrections = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
      CivilDate recorded = D(recorded_days[rng() % std::size(recorded_days)]);
      std::string what;
      switch (steps[i].kind) {
        case Kind::kFeed: {
          what = steps[i].feed->file_name;
          auto out = reg->Import(*steps[i].feed, recorded);
          ASSERT_TRUE(out.ok()) << out.status().ToString();
          break;
        }
        case Kind::kAssessments: {
          what = "assessments";
          auto batch = assess::ReadBatchFile(histories->file, recorded);
          ASSERT_TRUE(batch.ok() && batch->problems.empty());
          auto out = (*store)->Import(*batch, assess::RecordSettings{}, recorded);
          ASSERT_TRUE(out.ok()) << out.status().ToString();
          break;
        }
        case Kind::kCorrection: {
          // 民政 about random people of the city (known yet or not: a
          // person unknown so far is added by it), 低保 from a random month,
          // a death for some.
          what = fmt::format("correction {}", ++corrections);
          const auto& pool = jul.front().facts;
          ASSERT_FALSE(pool.empty());
          std::string csv = std::string(kCivilAffairsHeader) + "\n";
          std::set<std::string> chosen;
          for (int k = 0; k < 25; ++k) {
            const std::string& id = pool[rng() % pool.size()].id_number;
            if (!chosen.insert(id).second) continue;
            csv += fmt::format("{},某,{},,,,,,,,,,,{},2026-0{}-01,\n", id, rng() % 2 ? "是" : "否",
                               rng() % 4 == 0 ? "2026-05-20" : "", 1 + rng() % 8);
          }
          auto feed = registry::ReadFeedCsv(csv, fmt::format("民政-更正{}.csv", corrections),
                                            "民政", D("2026-11-22"));
          ASSERT_TRUE(feed.ok()) << feed.status().ToString();
          ASSERT_TRUE(feed->problems.empty()) << feed->problems[0].message;
          auto out = reg->Import(*feed, recorded);
          ASSERT_TRUE(out.ok()) << out.status().ToString();
          break;
        }
        case Kind::kPrecedence:
          what = "precedence";
          ASSERT_TRUE(reg->SetPrecedence("death_date", {"民政", "公安", "卫健"}).ok());
          break;
      }
      for (auto& live : lives) {
        auto u = live->Advance(*reg);
        ASSERT_TRUE(u.ok()) << u.status().ToString();
        EXPECT_EQ(u->rebuilt, steps[i].kind == Kind::kPrecedence) << what;
        if (!u->rebuilt) persons_patched += u->persons;
        ExpectEqualToFresh(*reg, *live, fmt::format("step {} ({})", i, what));
        if (HasFatalFailure()) return;
      }
    }
    // The sequence filled the snapshots with the city (not a vacuous test):
    EXPECT_GT(lives[0]->Current()->size, 500u);
    EXPECT_GT(persons_patched, 500u);
    // Advancing with nothing new changes nothing.
    auto before = lives[0]->Current();
    auto again = lives[0]->Advance(*reg);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->persons, 0u);
    EXPECT_EQ(lives[0]->Current(), before);
  }
  EXPECT_GT(compared_, 20);
}

// Aggregates from a snapshot equal the registry's own counts over the
// generated city (whose people are all the city's).
TEST_P(EntitleLiveTest, StatisticsAndAgeBandsFromTheSnapshotEqualTheRegistrys) {
  for (const auto& feed : Generate("jan", "2026-01-01")) {
    ASSERT_TRUE(reg_->Import(feed, D("2026-01-05")).ok());
  }
  for (const auto& feed : Generate("jul", "2026-07-01")) {
    ASSERT_TRUE(reg_->Import(feed, D("2026-07-03")).ok());
  }
  const CivilDate on = D("2026-09-01"), known = D("2026-11-22");
  auto snap = BuildSnapshot(*reg_, "421300", on, known);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  auto expected = registry::ComputeStats(*reg_, on, known);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  // The set-based ComputeStats equals the one-person-at-a-time reference.
  auto reference = registry::ComputeStatsReference(*reg_, on, known);
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  EXPECT_EQ(expected->total, reference->total);
  EXPECT_EQ(expected->deceased, reference->deceased);
  ASSERT_EQ(expected->by_county.size(), reference->by_county.size());
  for (const auto& [county, k] : reference->by_county) {
    ASSERT_TRUE(expected->by_county.contains(county)) << county;
    const registry::StatsCounts& e = expected->by_county.at(county);
    EXPECT_EQ(e.people, k.people) << county;
    EXPECT_EQ(e.bands, k.bands) << county;
    EXPECT_EQ(e.urban, k.urban) << county;
    EXPECT_EQ(e.placed, k.placed) << county;
    EXPECT_EQ(e.circumstances, k.circumstances) << county;
  }
  for (size_t i = 0; i < reference->groups.size(); ++i) {
    EXPECT_EQ(expected->groups[i].people, reference->groups[i].people) << i;
    EXPECT_EQ(expected->groups[i].with, reference->groups[i].with) << i;
  }
  registry::RegistryStats got = SnapshotStats(*snap);
  EXPECT_GT(expected->deceased, 0);
  // The living (a snapshot holds the dead only while a residence or hukou
  // record of the city still applies to them).
  EXPECT_EQ(got.total - got.deceased, expected->total - expected->deceased);
  auto same = [](const registry::StatsCounts& a, const registry::StatsCounts& b) {
    return a.people == b.people && a.bands == b.bands && a.urban == b.urban &&
           a.placed == b.placed && a.circumstances == b.circumstances;
  };
  ASSERT_EQ(got.by_county.size(), expected->by_county.size());
  for (const auto& [county, k] : expected->by_county) {
    ASSERT_TRUE(got.by_county.contains(county)) << county;
    EXPECT_TRUE(same(got.by_county.at(county), k)) << county;
  }
  EXPECT_TRUE(same(got.all, expected->all));
  EXPECT_GT(expected->all.circumstances[0], 0);  // 低保
  ASSERT_EQ(got.groups.size(), expected->groups.size());
  for (size_t i = 0; i < got.groups.size(); ++i) {
    EXPECT_EQ(got.groups[i].people, expected->groups[i].people) << i;
    EXPECT_EQ(got.groups[i].with, expected->groups[i].with) << i;
  }

  // The dashboard's table: per county and per township, ages 50+.
  const std::vector<int> bands = {50, 60, 70, 80, 90};
  for (auto [region, digits] : {std::pair{"4213", size_t{6}}, std::pair{"421303", size_t{9}}}) {
    SCOPED_TRACE(region);
    auto today = BuildSnapshot(*reg_, region, on, on);
    ASSERT_TRUE(today.ok());
    auto want = reg_->AgeBandsByUnit(region, digits, bands, on, {});
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto have = SnapshotAgeBands(*today, region, digits, bands, {});
    ASSERT_EQ(have.size(), want->size());
    ASSERT_FALSE(have.empty());
    for (size_t i = 0; i < have.size(); ++i) {
      EXPECT_EQ(have[i].unit, (*want)[i].unit);
      EXPECT_EQ(have[i].counts, (*want)[i].counts) << have[i].unit;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EntitleLiveTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(EntitleLiveMergeTest, MergeReplacesLeavesAndInsertsInIdOrder) {
  auto person = [](const char* first17, int birth) {
    Snapshot s;
    policy::PersonFacts f(policy::FactSchema::Person().size(), 0);
    f[0] = birth % 100;
    s.Add(PackIdNumber(std::string(first17) + IdCheckCharacter(first17)),
          *CivilDate::FromYmd(birth, 1, 1), 1, 1, f);
    return s;
  };
  auto id = [](const char* first17) { return std::string(first17) + IdCheckCharacter(first17); };
  Snapshot base;
  for (const char* p : {"42130319400101001", "42130319400101002", "42130319400101004"}) {
    Snapshot one = person(p, 1940);
    base = MergeSnapshot(base, {}, one);
  }
  ASSERT_EQ(base.size, 3u);
  // 002 re-derived with a new row, 004 leaves, 003 and 005 arrive.
  Snapshot fresh;
  for (auto [p, y] : {std::pair{"42130319400101002", 1950}, std::pair{"42130319400101003", 1941},
                      std::pair{"42130319400101005", 1942}}) {
    fresh = MergeSnapshot(fresh, {}, person(p, y));
  }
  Snapshot merged = MergeSnapshot(base,
                                  {id("42130319400101002"), id("42130319400101003"),
                                   id("42130319400101004"), id("42130319400101005")},
                                  fresh);
  ASSERT_EQ(merged.size, 4u);
  EXPECT_EQ(merged.IdNumber(0), id("42130319400101001"));
  EXPECT_EQ(merged.IdNumber(1), id("42130319400101002"));
  EXPECT_EQ(merged.IdNumber(2), id("42130319400101003"));
  EXPECT_EQ(merged.IdNumber(3), id("42130319400101005"));
  EXPECT_EQ(merged.facts[0][1], 50);
  EXPECT_EQ(merged.facts[0][0], 40);
}

}  // namespace
}  // namespace yanglao::entitle
