// The registry on both back ends: every test runs on SQLite (a temp file)
// and on PostgreSQL (YANGLAO_TEST_PG_URL, a server scripts/test.sh starts on
// loopback; each test gets its own schema).
#include "registry/registry.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "core/id_number.h"
#include "gen/calibration.h"
#include "gen/calibration_check.h"
#include "gen/generator.h"
#include "registry/feed_file.h"
#include "registry/live_reads.h"
#include "registry/migrations.h"
#include "registry/stats.h"
#include "registry/test_database.h"
#include "xlsx/xlsx.h"

namespace yanglao::registry {
namespace {

namespace fs = std::filesystem;

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);
CivilDate D(const char* s) { return *CivilDate::Parse(s); }

fs::path Feeds() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : ".") / "tests/registry/feeds";
}

ParsedFeed Feed(const char* source, const char* file) {
  Result<ParsedFeed> f = ReadFeedFile(Feeds() / file, source, kToday);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : ParsedFeed{};
}

class RegistryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_test");
    if (IsSkipped() || HasFatalFailure()) return;
    url_ = db_.url();
    Result<std::unique_ptr<Registry>> r = Registry::Open(url_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reg_ = std::move(*r);
  }

  void TearDown() override {
    reg_.reset();
    db_.Remove();
  }

  ImportOutcome Import(const char* source, const char* file, const char* recorded) {
    Result<ImportOutcome> out = reg_->Import(Feed(source, file), D(recorded));
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : ImportOutcome{};
  }

  PersonView Person(const char* id, const char* as_of, const char* known_on = "2026-11-22") {
    Result<std::optional<PersonView>> p = reg_->Person(id, D(as_of), D(known_on));
    EXPECT_TRUE(p.ok() && p->has_value()) << id;
    return p.ok() && p->has_value() ? **p : PersonView{};
  }

  int64_t Count(const char* table) {
    Result<std::vector<Row>> r = reg_->db().QueryAll(fmt::format("SELECT COUNT(*) FROM {}", table));
    return r.ok() ? (*r)[0].AsInt(0) : -1;
  }

  TestDatabase db_;
  std::string url_;
  std::unique_ptr<Registry> reg_;
};

// kill -9 in the middle of an import (the facts written, and just before
// the commit), in process: for the first feed of a source (records straight
// into fact) and for a later one (staged and deduped), the registry is
// exactly as before, and the same import then succeeds.
TEST_P(RegistryTest, AKilledImportLeavesNothingBehind) {
  Import("公安", "公安.csv", "2026-01-05");
  struct Case {
    const char* source;
    const char* file;
  };
  for (Case c : {Case{"民政", "民政.csv"}, Case{"公安", "公安-死亡.csv"}}) {
    Result<std::string> before = reg_->Checksum();
    ASSERT_TRUE(before.ok());
    for (const char* point : {"import.after_facts", "import.before_commit"}) {
      reg_.reset();
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        setenv("YANGLAO_FAULT_KILL", point, 1);
        auto r = Registry::Open(url_);
        if (!r.ok()) _exit(3);
        (void)(*r)->Import(Feed(c.source, c.file), D("2026-02-01"));
        _exit(0);  // not reached: the fault kills the process
      }
      int status = 0;
      waitpid(pid, &status, 0);
      ASSERT_TRUE(WIFSIGNALED(status)) << point;
      EXPECT_EQ(WTERMSIG(status), SIGKILL);
      auto r = Registry::Open(url_);
      ASSERT_TRUE(r.ok());
      reg_ = std::move(*r);
      Result<std::string> after = reg_->Checksum();
      ASSERT_TRUE(after.ok());
      EXPECT_EQ(*after, *before) << c.file << " " << point;
    }
    ImportOutcome done = Import(c.source, c.file, "2026-02-01");
    EXPECT_GT(done.facts_added, 0) << c.file;
  }
}

constexpr const char* kZhang = "421303194402290016";  // 张三, 1944-02-29
constexpr const char* kLi = "421321195003150021";     // 李四
constexpr const char* kWang = "421381193001010030";   // 王五, 1930-01-01

TEST_P(RegistryTest, ImportsFeedsAndShowsAPerson) {
  ImportOutcome a = Import("公安", "公安.csv", "2026-01-05");
  EXPECT_FALSE(a.already_imported);
  EXPECT_EQ(a.persons_added, 4);
  EXPECT_EQ(a.facts_added, 12);  // 4 rows x (name, 户籍地, 居住地)
  ImportOutcome b = Import("民政", "民政.csv", "2026-01-05");
  EXPECT_EQ(b.persons_added, 0);
  EXPECT_EQ(b.facts_added, 11);
  EXPECT_EQ(reg_->PersonCount(), 4);

  PersonView z = Person(kZhang, "2026-02-01");
  EXPECT_EQ(z.name(), "张三");
  EXPECT_EQ(z.sex, Sex::kMale);
  EXPECT_EQ(z.birth_date, D("1944-02-29"));
  EXPECT_EQ(z.facts.at("dibao").value, "1");
  EXPECT_EQ(z.facts.at("dibao").source, "民政");
  EXPECT_EQ(z.facts.at("dibao").row, 2);
  EXPECT_EQ(z.facts.at("residence_region").value, "421303001001");
  EXPECT_EQ(z.facts.at("living_alone").value, "1");
  // 李四's 低保 ended on 2026-02-28.
  EXPECT_EQ(Person(kLi, "2026-02-28").facts.count("dibao"), 1u);
  EXPECT_EQ(Person(kLi, "2026-03-01").facts.count("dibao"), 0u);
}

TEST_P(RegistryTest, ReimportChangesNothing) {
  Import("公安", "公安.csv", "2026-01-05");
  int64_t facts = Count("fact"), feeds = Count("feed");
  ImportOutcome again = Import("公安", "公安.csv", "2026-02-01");
  EXPECT_TRUE(again.already_imported);
  EXPECT_EQ(again.feed_id, 1);
  EXPECT_EQ(Count("fact"), facts);
  EXPECT_EQ(Count("feed"), feeds);
  // The same rows in a different file are recorded as a feed but add nothing.
  ParsedFeed copy = Feed("公安", "公安.csv");
  copy.sha256 = "another-file";
  Result<ImportOutcome> out = reg_->Import(copy, D("2026-02-01"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->facts_added, 0);
  EXPECT_EQ(out->facts_unchanged, 12);
  EXPECT_EQ(Count("fact"), facts);
}

TEST_P(RegistryTest, AFeedWithBadRowsCommitsNothingAndNamesEveryProblem) {
  Result<ParsedFeed> bad = ReadFeedFile(Feeds() / "民政-错误.csv", "民政", kToday);
  ASSERT_TRUE(bad.ok());
  struct Want {
    int row, column;
    const char* code;
    const char* value;
  };
  const Want want[] = {
      {2, 1, "id.check_char", "421303194402290010"},
      {3, 2, "feed.required", ""},
      {3, 3, "feed.value", "有"},
      {3, 15, "feed.date", "2023-02-30"},
      {4, 6, "feed.value", "分散"},
      {4, 16, "feed.period", "2021-01-01"},
      {6, 1, "feed.duplicate", "421302194605100044"},
  };
  ASSERT_EQ(bad->problems.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    const RowProblem& p = bad->problems[i];
    EXPECT_EQ(p.row, want[i].row) << i;
    EXPECT_EQ(p.column, want[i].column) << i;
    EXPECT_EQ(p.code, want[i].code) << i;
    EXPECT_EQ(p.value, want[i].value) << i;
    EXPECT_FALSE(p.message.empty());
  }
  EXPECT_EQ(bad->problems[4].header, "特困");
  EXPECT_EQ(bad->problems[4].message, "应为 否、集中供养、分散供养 之一");
  Result<ImportOutcome> out = reg_->Import(*bad, kToday);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), "feed.invalid");
  EXPECT_EQ(Count("fact"), 0);
  EXPECT_EQ(Count("feed"), 0);
  EXPECT_EQ(Count("person"), 0);
}

TEST_P(RegistryTest, AsOfAndKnownOn) {
  Import("公安", "公安.csv", "2026-01-05");
  Import("民政", "民政.csv", "2026-01-05");
  Import("民政", "民政-退保.csv", "2026-03-02");  // 张三 leaves 低保 from 2026-03-01
  EXPECT_EQ(Person(kZhang, "2026-02-15").facts.at("dibao").value, "1");
  EXPECT_EQ(Person(kZhang, "2026-03-15").facts.at("dibao").value, "0");
  // Known on 2026-03-01, the exit was not yet recorded.
  EXPECT_EQ(Person(kZhang, "2026-03-15", "2026-03-01").facts.at("dibao").value, "1");
  // Before the first feed was recorded, nobody was known.
  Result<std::optional<PersonView>> early = reg_->Person(kZhang, D("2026-03-15"), D("2026-01-04"));
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());
  // History keeps every record.
  Result<std::vector<StoredFact>> h = reg_->History(kZhang);
  ASSERT_TRUE(h.ok());
  int dibao_records = 0;
  for (const StoredFact& f : *h) dibao_records += f.fact == "dibao";
  EXPECT_EQ(dibao_records, 2);
}

TEST_P(RegistryTest, DeathByPublicSecurityOverridesCivilAffairsAndQueuesTheConflict) {
  Import("公安", "公安.csv", "2026-01-05");
  Import("民政", "民政.csv", "2026-01-05");
  Import("民政", "民政-死亡.csv", "2026-01-15");  // 民政: died 2026-01-12
  EXPECT_EQ(Person(kWang, "2026-02-01").facts.at("death_date").value, "2026-01-12");
  ImportOutcome police = Import("公安", "公安-死亡.csv", "2026-01-20");  // 公安: died 2026-01-10
  EXPECT_EQ(police.conflicts_added, 1);
  PersonView w = Person(kWang, "2026-02-01");
  EXPECT_EQ(w.facts.at("death_date").value, "2026-01-10");
  EXPECT_EQ(w.facts.at("death_date").source, "公安");
  EXPECT_TRUE(w.deceased_on(D("2026-01-10")));
  EXPECT_FALSE(w.deceased_on(D("2026-01-09")));
  ASSERT_EQ(w.overruled.size(), 1u);
  EXPECT_EQ(w.overruled[0].source, "民政");
  // As known before 公安's report, 民政's date applied.
  EXPECT_EQ(Person(kWang, "2026-02-01", "2026-01-16").facts.at("death_date").value, "2026-01-12");
  Result<std::vector<Conflict>> c = reg_->Conflicts();
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].id_number, kWang);
  EXPECT_EQ((*c)[0].fact, "death_date");
  EXPECT_EQ((*c)[0].a.source, "民政");
  EXPECT_EQ((*c)[0].a.value, "2026-01-12");
  EXPECT_EQ((*c)[0].b.source, "公安");
  EXPECT_EQ((*c)[0].b.value, "2026-01-10");
  EXPECT_EQ((*c)[0].b.feed_id, 4);
  EXPECT_EQ((*c)[0].b.row, 2);
}

TEST_P(RegistryTest, PrecedenceIsConfigurableAndConflictsCanBeResolved) {
  Import("公安", "公安.csv", "2026-01-05");
  Import("民政", "民政-死亡.csv", "2026-01-15");  // 民政: 2026-01-12
  Import("公安", "公安-死亡.csv", "2026-01-20");  // 公安: 2026-01-10
  EXPECT_EQ(Person(kWang, "2026-02-01").facts.at("death_date").source, "公安");
  ASSERT_TRUE(reg_->SetPrecedence("death_date", {"民政", "公安"}).ok());
  EXPECT_EQ(Person(kWang, "2026-02-01").facts.at("death_date").value, "2026-01-12");
  auto table = reg_->Precedence();
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->at("death_date"), (std::vector<std::string>{"民政", "公安"}));
  EXPECT_EQ(reg_->SetPrecedence("death_date", {"教育局"}).code(), "registry.source");
  EXPECT_EQ(reg_->SetPrecedence("shoe_size", {"公安"}).code(), "registry.fact");
  // A reopened registry keeps the setting.
  auto again = Registry::Open(url_);
  ASSERT_TRUE(again.ok());
  auto p = (*again)->Person(kWang, D("2026-02-01"), kToday);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((**p).facts.at("death_date").source, "民政");

  auto open = reg_->Conflicts();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  ASSERT_TRUE(reg_->ResolveConflict((*open)[0].id, "经核实以公安为准").ok());
  EXPECT_TRUE(reg_->Conflicts()->empty());
  EXPECT_EQ(reg_->ResolveConflict((*open)[0].id, "again").code(), "registry.conflict");
}

TEST_P(RegistryTest, ForEachPersonStreamsEveryoneResolved) {
  Import("公安", "公安.csv", "2026-01-05");
  Import("民政", "民政.csv", "2026-01-05");
  std::vector<std::string> ids;
  int dibao = 0;
  ASSERT_TRUE(reg_->ForEachPerson(D("2026-02-01"), kToday,
                                  [&](const PersonView& v) {
                                    ids.push_back(v.id_number);
                                    auto it = v.facts.find("dibao");
                                    dibao += it != v.facts.end() && it->second.value == "1";
                                  })
                  .ok());
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(dibao, 2);
}

TEST_P(RegistryTest, PhoneAndHouseholdAreStoredFactsSexAndBirthAreNot) {
  Import("公安", "公安.csv", "2026-01-05");  // the first template version: no identity columns
  ImportOutcome out = Import("公安", "公安-身份.csv", "2026-01-10");
  // Two rows of name, 户籍地, 居住地, 联系电话, 户号 from a new 起始日期; 性别 and
  // 出生日期 are checked, not stored.
  EXPECT_EQ(out.facts_added, 10);
  EXPECT_EQ(out.facts_unchanged, 0);
  PersonView z = Person(kZhang, "2026-02-01");
  EXPECT_EQ(z.facts.at("phone").value, "13812345678");
  EXPECT_EQ(z.facts.at("household").value, "421303000101");
  EXPECT_EQ(z.facts.count("sex"), 0u);
  EXPECT_EQ(z.facts.count("birth_date"), 0u);
  PersonView zhao = Person("421302194605100044", "2026-02-01");
  EXPECT_EQ(zhao.facts.at("phone").value, "0722-3456789");
  EXPECT_EQ(zhao.facts.at("household").value, z.facts.at("household").value) << "a couple";
  // Before the second feed's period, no phone was known.
  EXPECT_EQ(Person(kZhang, "2025-12-31").facts.count("phone"), 0u);
}

// --- Person search and scope filters (used by the platform server) ---------

TEST_P(RegistryTest, SearchesPersonsByNameIdAndResidence) {
  Import("公安", "公安.csv", "2026-01-05");
  Import("民政", "民政.csv", "2026-01-05");
  const CivilDate on = D("2026-11-22");
  auto ids = [&](PersonSearch s) {
    s.on = on;
    s.limit = 100;
    Result<PersonPage> page = reg_->SearchPersons(s);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page.ok() ? page->total : -1,
              page.ok() ? static_cast<int64_t>(page->ids.size()) : -2);
    return page.ok() ? page->ids : std::vector<std::string>{};
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{"421302194605100044", kZhang, kLi, kWang}));
  EXPECT_EQ(ids({.name = "张"}), V{kZhang});
  EXPECT_EQ(ids({.name = "张三"}), V{kZhang});
  EXPECT_EQ(ids({.name = "张三丰"}), V{});
  EXPECT_EQ(ids({.id_prefix = "42132"}), V{kLi});
  EXPECT_EQ(ids({.id_prefix = kWang}), V{kWang});
  EXPECT_EQ(ids({.region = "421303001"}), (V{"421302194605100044", kZhang}));
  EXPECT_EQ(ids({.filters = {ResidenceFilter("421303001001", true, on)}}), V{kZhang});
  EXPECT_EQ(ids({.filters = {ResidenceFilter("421303001", true, on)}}), V{});
  EXPECT_EQ(ids({.filters = {ResidenceFilter("4213", false, on)}}).size(), 4u);
  EXPECT_EQ(ids({.region = "421321", .filters = {ResidenceFilter("421303", false, on)}}), V{});
  Result<PersonPage> page = reg_->SearchPersons({.on = on, .offset = 1, .limit = 2});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 4);
  EXPECT_EQ(page->ids, (V{kZhang, kLi}));

  EXPECT_TRUE(*reg_->PersonPasses(kLi, {}));
  EXPECT_FALSE(*reg_->PersonPasses(kLi, {ResidenceFilter("421303", false, on)}));
  EXPECT_TRUE(*reg_->PersonPasses(kLi, {ResidenceFilter("421321", false, on)}));
  EXPECT_FALSE(*reg_->PersonPasses("110105194912310029", {}));
}

TEST_P(RegistryTest, ResidenceFilterFollowsAMove) {
  Import("公安", "公安.csv", "2026-01-05");
  Result<ParsedFeed> moved = ReadFeedCsv(
      "公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n"
      "421303194402290016,张三,,421321101201,,2026-06-01,\n",
      "moved.csv", "公安", kToday);
  ASSERT_TRUE(moved.ok());
  ASSERT_TRUE(reg_->Import(*moved, D("2026-06-05")).ok());
  auto in = [&](const char* region, const char* on) {
    return *reg_->PersonPasses(kZhang, {ResidenceFilter(region, false, D(on))});
  };
  EXPECT_TRUE(in("421303", "2026-05-31"));
  EXPECT_FALSE(in("421321", "2026-05-31"));
  EXPECT_FALSE(in("421303", "2026-06-01"));
  EXPECT_TRUE(in("421321", "2026-06-01"));
  // The record view agrees with the filter.
  EXPECT_EQ(Person(kZhang, "2026-06-01").facts.at("residence_region").value, "421321101201");
}

TEST_P(RegistryTest, ScopedReadsForTheServerTakeTheCallersConditions) {
  EXPECT_FALSE(reg_->LatestRecordStart(D("2026-07-01"))->has_value());
  Import("公安", "公安.csv", "2026-01-05");
  const CivilDate on = D("2026-07-01");
  EXPECT_EQ(reg_->LatestRecordStart(on)->value(), D("2020-01-01"));
  EXPECT_FALSE(reg_->LatestRecordStart(D("2019-12-31"))->has_value());

  // Persons passing a scope: unknown numbers and persons outside drop out.
  Result<std::set<std::string>> passing = reg_->PersonsPassing(
      {kZhang, kLi, "110101190001010017"}, {ResidenceFilter("421303", false, on)});
  ASSERT_TRUE(passing.ok()) << passing.status().ToString();
  EXPECT_EQ(*passing, (std::set<std::string>{kZhang}));
  EXPECT_EQ(reg_->PersonsPassing({kZhang, kLi}, {})->size(), 2u);

  // Age bands per unit one level down: 张三 (82) and 赵六 (80) in 421303001;
  // 李四 (76) in 421321; 王五 (96) in 421381.
  const std::vector<int> bands = {50, 60, 70, 80, 90};
  Result<std::vector<Registry::AgeBandCounts>> city =
      reg_->AgeBandsByUnit("4213", 6, bands, on, {});
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  ASSERT_EQ(city->size(), 3u);
  EXPECT_EQ((*city)[0].unit, "421303");
  EXPECT_EQ((*city)[0].counts, (std::vector<int64_t>{0, 0, 0, 2, 0}));
  EXPECT_EQ((*city)[1].unit, "421321");
  EXPECT_EQ((*city)[1].counts, (std::vector<int64_t>{0, 0, 1, 0, 0}));
  EXPECT_EQ((*city)[2].unit, "421381");
  EXPECT_EQ((*city)[2].counts, (std::vector<int64_t>{0, 0, 0, 0, 1}));
  Result<std::vector<Registry::AgeBandCounts>> one =
      reg_->AgeBandsByUnit("421303", 9, bands, on, {ResidenceFilter("421303001001", true, on)});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].unit, "421303001");
  EXPECT_EQ((*one)[0].counts, (std::vector<int64_t>{0, 0, 0, 1, 0}));

  // Open conflicts of the persons in scope only.
  Import("民政", "民政.csv", "2026-01-05");
  Import("民政", "民政-死亡.csv", "2026-01-15");
  Import("公安", "公安-死亡.csv", "2026-01-20");
  Result<std::vector<Registry::OpenConflict>> all = reg_->OpenConflicts({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id_number, kWang);
  EXPECT_EQ((*all)[0].fact, "death_date");
  EXPECT_EQ(reg_->OpenConflicts({ResidenceFilter("421381", false, on)})->size(), 1u);
  EXPECT_TRUE(reg_->OpenConflicts({ResidenceFilter("421303", false, on)})->empty());
}

TEST_P(RegistryTest, PersonWithHistoryMatchesPersonAndHistory) {
  Import("公安", "公安.csv", "2026-01-05");
  Import("民政", "民政.csv", "2026-01-05");
  Import("民政", "民政-死亡.csv", "2026-01-15");
  Import("公安", "公安-死亡.csv", "2026-01-20");
  for (const char* known : {"2026-01-10", "2026-01-16", "2026-11-22"}) {
    Result<Registry::PersonRecord> r = reg_->PersonWithHistory(kWang, D("2026-02-01"), D(known));
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->view.has_value());
    PersonView p = Person(kWang, "2026-02-01", known);
    EXPECT_EQ(r->view->facts.size(), p.facts.size()) << known;
    for (const auto& [fact, f] : p.facts) {
      EXPECT_EQ(r->view->facts.at(fact).value, f.value) << known << " " << fact;
      EXPECT_EQ(r->view->facts.at(fact).source, f.source) << known << " " << fact;
    }
    EXPECT_EQ(r->view->deceased_on(D("2026-02-01")), p.deceased_on(D("2026-02-01"))) << known;
    EXPECT_EQ(r->history.size(), reg_->History(kWang)->size());
  }
  Result<Registry::PersonRecord> early =
      reg_->PersonWithHistory(kWang, D("2026-02-01"), D("2025-01-01"));
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->view.has_value());
  EXPECT_FALSE(early->history.empty());
  Result<std::vector<Conflict>> conflicts = reg_->ConflictsOf(kWang);
  ASSERT_TRUE(conflicts.ok());
  ASSERT_EQ(conflicts->size(), 1u);
  EXPECT_EQ(conflicts->front().fact, "death_date");
  EXPECT_TRUE(reg_->ConflictsOf(kZhang)->empty());
}

TEST_P(RegistryTest, ModulesMigrateOnTheirOwnSequences) {
  const std::vector<std::string> a = {"CREATE TABLE mod_a1 (x INTEGER)",
                                      "CREATE TABLE mod_a2 (x INTEGER)"};
  const std::vector<std::string> b = {"CREATE TABLE mod_b1 (x INTEGER)"};
  ASSERT_TRUE(MigrateModule(reg_->db(), "a", a).ok());
  ASSERT_TRUE(MigrateModule(reg_->db(), "b", b).ok());
  ASSERT_TRUE(MigrateModule(reg_->db(), "a", a).ok());  // nothing left to do
  EXPECT_EQ(Count("module_schema"), 3);
  EXPECT_EQ(Count("mod_a2"), 0);
  // A failing migration names its module and version and leaves no trace.
  Status bad = MigrateModule(reg_->db(), "b", {b[0], "CREATE TABLE mod_b1 (x INTEGER)"});
  EXPECT_EQ(bad.code(), "db.migrate");
  EXPECT_NE(bad.message().find("模块 b"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("第 2 版"), std::string::npos) << bad.message();
  EXPECT_EQ(Count("module_schema"), 3);
  // The registry's own sequence is untouched.
  EXPECT_EQ(Count("schema_version"), static_cast<int64_t>(RegistryMigrations().size()));
}

// The people of a range of feeds (PersonsOfFeeds, read by the live
// snapshot) are those some record of the feeds names: on a registry written
// by today's import, on a database written before migration 4 (no B-tree on
// feed_id since; SQLite finds a feed's records by the rowids its import
// wrote) once migrated, after rowids are renumbered (as VACUUM may), and for
// a feed imported after the migration.
// The rolls' names (ChosenValues) for more people than one slice of IDs
// (500), from two sources that disagree for some: each is the name the
// person's own view resolves (precedence 公安 before 民政; a period that
// has ended does not apply), and people not asked for are not answered.
TEST_P(RegistryTest, ChosenValuesForManyPeopleAgreeWithEachPersonsView) {
  auto make_id = [](int i) {
    std::string first17 = fmt::format("421302{}{:04}", 19400101 + (i % 28), i % 10000);
    first17 = first17.substr(0, 17);
    return first17 + IdCheckCharacter(first17);
  };
  ParsedFeed police{
      .source = "公安", .file_name = "公安-多人.csv", .sha256 = "a1", .data_rows = 1203};
  ParsedFeed civil{
      .source = "民政", .file_name = "民政-多人.csv", .sha256 = "b2", .data_rows = 1203};
  std::set<std::string> asked;
  for (int i = 0; i < 1203; ++i) {
    const std::string id = make_id(i);
    police.facts.push_back({id, "residence", "421302001001", "2020-01-01", "", i + 2});
    if (i % 3 != 0)
      police.facts.push_back({id, "name", fmt::format("公安{}", i), "2020-01-01",
                              i % 7 == 0 ? "2025-12-31" : "", i + 2});
    civil.facts.push_back({id, "name", fmt::format("民政{}", i), "2020-01-01", "", i + 2});
    if (i % 10 != 9) asked.insert(id);
  }
  ASSERT_TRUE(reg_->Import(police, D("2026-01-05")).ok());
  ASSERT_TRUE(reg_->Import(civil, D("2026-01-05")).ok());
  Result<std::vector<Row>> wm = reg_->db().QueryAll("SELECT MAX(id) FROM feed");
  ASSERT_TRUE(wm.ok());
  Result<std::map<std::string, std::string>> names =
      reg_->ChosenValues("name", asked, D("2026-02-01"), D("2026-11-22"), (*wm)[0].AsInt(0));
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(names->size(), asked.size());
  int from_police = 0;
  for (const std::string& id : asked) {
    const std::string want = Person(id.c_str(), "2026-02-01").name();
    EXPECT_EQ((*names)[id], want) << id;
    from_police += want.starts_with("公安");
  }
  // Both sources are chosen from: 公安 where it has a current name.
  EXPECT_GT(from_police, 400);
  EXPECT_LT(from_police, static_cast<int>(asked.size()) - 300);
  // Only the feeds up to the watermark: before 民政's, those without a
  // current 公安 name have none.
  Result<std::map<std::string, std::string>> early =
      reg_->ChosenValues("name", asked, D("2026-02-01"), D("2026-11-22"), (*wm)[0].AsInt(0) - 1);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(static_cast<int>(early->size()), from_police);
}

TEST_P(RegistryTest, PersonsOfFeedsAfterMigrationAndRenumbering) {
  Import("公安", "公安.csv", "2026-01-05");
  Import("民政", "民政.csv", "2026-01-05");
  Import("民政", "民政-死亡.csv", "2026-01-15");
  auto expected = [&](int64_t after, int64_t upto) {
    std::vector<std::string> ids;
    Result<std::vector<Row>> rows = reg_->db().QueryAll(
        "SELECT DISTINCT id_number FROM fact WHERE feed_id > ? AND feed_id <= ?", {after, upto});
    EXPECT_TRUE(rows.ok());
    for (const Row& r : *rows) ids.push_back(r.AsText(0));
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  auto check_all = [&](int64_t feeds, const char* when) {
    for (int64_t after = 0; after <= feeds; ++after) {
      for (int64_t upto = after; upto <= feeds; ++upto) {
        Result<std::vector<std::string>> got = PersonsOfFeeds(*reg_, after, upto);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(*got, expected(after, upto)) << when << " (" << after << ", " << upto << "]";
      }
    }
  };
  check_all(3, "imported");
  EXPECT_FALSE(PersonsOfFeeds(*reg_, 0, 3)->empty());

  // The same rows in a database at version 3, the records written in
  // reverse, then opened (migrated) by today's code.
  std::map<std::string, std::vector<std::vector<Value>>> tables;
  const std::vector<std::pair<std::string, std::vector<std::string>>> kTables = {
      {"feed",
       {"id", "source", "file_name", "sha256", "data_rows", "facts_added", "recorded_on",
        "imported_at"}},
      {"person", {"id_number", "sex", "birth_date", "first_feed"}},
      {"fact",
       {"id_number", "fact", "value", "valid_from", "valid_to", "source", "feed_id", "row_no",
        "recorded_on"}}};
  for (const auto& [table, columns] : kTables) {
    Result<std::vector<Row>> rows = reg_->db().QueryAll(
        fmt::format("SELECT {} FROM {} ORDER BY {}", fmt::join(columns, ", "), table,
                    table == "fact" ? "feed_id DESC, row_no DESC, fact DESC" : "1"));
    ASSERT_TRUE(rows.ok());
    for (Row& r : *rows) tables[table].push_back(std::move(r.values));
  }
  Result<std::string> checksum = reg_->Checksum();
  ASSERT_TRUE(checksum.ok());
  reg_.reset();
  {
    Result<std::unique_ptr<Database>> db = Database::Open(url_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Execute("DROP TABLE feed; DROP TABLE person; DROP TABLE fact; DROP TABLE "
                              "conflict; DROP TABLE precedence; DROP TABLE schema_version")
                    .ok());
    const std::vector<std::string>& all = RegistryMigrationsFor((*db)->dialect());
    ASSERT_TRUE(Migrate(**db, std::vector<std::string>(all.begin(), all.begin() + 3)).ok());
    for (const auto& [table, columns] : kTables) {
      ASSERT_TRUE((*db)->BulkInsert(table, columns, tables[table]).ok()) << table;
    }
  }
  Result<std::unique_ptr<Registry>> reopened = Registry::Open(url_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  reg_ = std::move(*reopened);
  EXPECT_EQ(Count("schema_version"), static_cast<int64_t>(RegistryMigrations().size()));
  EXPECT_EQ(*reg_->Checksum(), *checksum);
  check_all(3, "migrated");

  if (GetParam() == "sqlite") {
    // Rowids renumbered: the recorded ranges no longer hold the records;
    // PersonsOfFeeds notices (the counts differ) and reads every record.
    ASSERT_TRUE(reg_->db().Execute("UPDATE fact SET rowid = rowid + 1000").ok());
    check_all(3, "renumbered");
  }
  ImportOutcome later = Import("民政", "民政-退保.csv", "2026-02-01");
  EXPECT_EQ(later.feed_id, 4);
  check_all(4, "imported after the migration");
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(DatabaseTest, PlaceholdersOutsideQuotesOnly) {
  EXPECT_EQ(PostgresPlaceholders("SELECT ? , '?' , \"a?\" , ?"), "SELECT $1 , '?' , \"a?\" , $2");
}

TEST(DatabaseTest, BadUrl) {
  EXPECT_EQ(Database::Open("mysql://x").status().code(), "db.url");
  EXPECT_EQ(Database::Open("sqlite:/nonexistent-dir/x.db").status().code(), "db.open");
}

TEST(FeedFileTest, HeaderProblemsAreLocated) {
  Result<ParsedFeed> f = ReadFeedCsv("公民身份号码,姓名,低保,起始日期\n", "h.csv", "民政", kToday);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), "feed.header");
  EXPECT_NE(f.status().message().find("低保后仍困难"), std::string::npos);
  // A header without 公民身份号码 and 姓名 in the first rows is no header.
  f = ReadFeedCsv("身份,名字,户籍地\n1,2,3\n", "h.csv", "公安", kToday);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), "feed.header");
  EXPECT_EQ(f.status().where().line, 1);
  // Extra columns (序号, 备注) are ignored with a notice.
  f = ReadFeedCsv(
      "序号,公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期,备注\n"
      "1,421303194402290016,张三,421303001001,421303001001,,2020-01-01,,见附件\n",
      "h.csv", "公安", kToday);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(f->problems.empty());
  EXPECT_EQ(f->warnings, std::vector<std::string>{"忽略了模板以外的列：序号、备注"});
  EXPECT_EQ(f->facts.size(), 3u);
  EXPECT_EQ(ReadFeedCsv("a\n", "h.csv", "教育局", kToday).status().code(), "feed.source");
}

TEST(FeedFileTest, ColumnsInAnyOrderAndOldIdsConverted) {
  Result<ParsedFeed> f = ReadFeedCsv(
      "姓名,公民身份号码,起始日期,终止日期,需要长期照护\n"
      "钱七,110105491231002,2025-01-01,,是\n",
      "m.csv", "医保", kToday);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(f->problems.empty()) << f->problems[0].message;
  ASSERT_EQ(f->facts.size(), 2u);
  EXPECT_EQ(f->facts[0].id_number, "11010519491231002X");
  EXPECT_EQ(f->facts[1].fact, "long_term_care_need");
  EXPECT_EQ(f->facts[1].value, "1");
  EXPECT_EQ(f->warnings.size(), 1u);
}

TEST(FeedFileTest, XlsxAndCsvGiveTheSameRecords) {
  Result<ParsedFeed> csv = ReadFeedFile(Feeds() / "民政.csv", "民政", kToday);
  ASSERT_TRUE(csv.ok());
  // The same table as a workbook, every cell text.
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(Feeds() / "民政.csv");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    size_t start = 0, comma;
    while ((comma = line.find(',', start)) != std::string::npos) {
      cells.push_back(line.substr(start, comma - start));
      start = comma + 1;
    }
    cells.push_back(line.substr(start));
    rows.push_back(cells);
  }
  fs::path book = fs::temp_directory_path() / fmt::format("yanglao_feed_{}.xlsx", getpid());
  ASSERT_TRUE(xlsx::WriteWorkbook(book, {xlsx::Sheet{"民政", rows}}).ok());
  Result<ParsedFeed> x = ReadFeedFile(book, "民政", kToday);
  fs::remove(book);
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  ASSERT_TRUE(x->problems.empty());
  ASSERT_EQ(x->facts.size(), csv->facts.size());
  for (size_t i = 0; i < x->facts.size(); ++i) {
    EXPECT_EQ(x->facts[i].id_number, csv->facts[i].id_number);
    EXPECT_EQ(x->facts[i].fact, csv->facts[i].fact);
    EXPECT_EQ(x->facts[i].value, csv->facts[i].value);
    EXPECT_EQ(x->facts[i].row, csv->facts[i].row);  // spreadsheet row = CSV line
  }
  EXPECT_NE(x->sha256, csv->sha256);
}

TEST(FeedFileTest, SexAndBirthDateMustAgreeWithTheIdNumber) {
  Result<ParsedFeed> f = ReadFeedFile(Feeds() / "公安-身份-错误.csv", "公安", kToday);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  struct Want {
    int row, column;
    const char* header;
    const char* code;
    const char* value;
  };
  const Want want[] = {
      {2, 3, "性别", "feed.sex_mismatch", "男"},
      {3, 4, "出生日期", "feed.birth_mismatch", "1930-01-02"},
      {4, 7, "联系电话", "feed.phone", "12345"},
      {4, 8, "户号", "feed.household", "42-13"},
      {5, 3, "性别", "feed.value", "F"},
  };
  ASSERT_EQ(f->problems.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    const RowProblem& p = f->problems[i];
    EXPECT_EQ(p.row, want[i].row) << i;
    EXPECT_EQ(p.column, want[i].column) << i;
    EXPECT_EQ(p.header, want[i].header) << i;
    EXPECT_EQ(p.code, want[i].code) << i;
    EXPECT_EQ(p.value, want[i].value) << i;
  }
  EXPECT_EQ(f->problems[0].message, "性别「男」与公民身份号码不符（身份号码第17位表示女）");
  EXPECT_EQ(f->problems[1].message,
            "出生日期 1930-01-02 与公民身份号码中的出生日期 1930-01-01 不符");
  // The same rows with agreeing identity columns are good.
  Result<ParsedFeed> good = ReadFeedFile(Feeds() / "公安-身份.csv", "公安", kToday);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->problems.empty()) << good->problems[0].message;
  // A 15-digit ID is checked after conversion: 1949-12-31, female.
  Result<ParsedFeed> old = ReadFeedCsv(
      "公民身份号码,姓名,性别,出生日期,户籍地,居住地,死亡日期,起始日期,终止日期\n"
      "110105491231002,钱七,男,1949-12-31,,,,2025-01-01,\n",
      "o.csv", "公安", kToday);
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->problems.size(), 1u);
  EXPECT_EQ(old->problems[0].code, "feed.sex_mismatch");
}

TEST(FeedFileTest, OptionalColumnsMayBeLeftOutButNotRepeated) {
  // 公安 without 性别, 出生日期, 联系电话, 户号: the first version of the template.
  EXPECT_TRUE(ReadFeedFile(Feeds() / "公安.csv", "公安", kToday).ok());
  Result<ParsedFeed> f =
      ReadFeedCsv("公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期,户号,户号\n", "h.csv",
                  "公安", kToday);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), "feed.header");
  EXPECT_EQ(f.status().where().column, 9);
  // A required column is still required.
  f = ReadFeedCsv("公民身份号码,姓名,性别,户籍地,死亡日期,起始日期,终止日期\n", "h.csv", "公安",
                  kToday);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("居住地"), std::string::npos);
}

TEST(FeedTemplateTest, PhonesAreNormalisedOrRejected) {
  const std::pair<const char*, const char*> good[] = {
      {"13812345678", "13812345678"},   {"138 1234 5678", "13812345678"},
      {"138-1234-5678", "13812345678"}, {"+86 19912345678", "19912345678"},
      {"8613812345678", "13812345678"}, {"0722-1234567", "0722-1234567"},
      {"07221234567", "0722-1234567"},  {"0513-81234567", "0513-81234567"},
      {"010-12345678", "010-12345678"}, {"02162345678", "021-62345678"},
  };
  for (const auto& [text, want] : good) {
    Result<std::string> p = NormalizePhone(text);
    ASSERT_TRUE(p.ok()) << text;
    EXPECT_EQ(*p, want) << text;
  }
  for (const char* bad : {"", "12812345678", "1381234567", "138123456789", "0722-123456",
                          "010-1234567", "072-21234567", "0722-0234567", "+1 2025550123", "电话",
                          "0722--1234567", "13812345678 转 2"}) {
    Result<std::string> p = NormalizePhone(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), "feed.phone") << bad;
  }
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("0722-1234567"), "0722-***4567");
  EXPECT_EQ(MaskPhone("010-12345678"), "010-****5678");
}

TEST(FeedTemplateTest, HouseholdNumbers) {
  EXPECT_EQ(*NormalizeHousehold("421303000101"), "421303000101");
  EXPECT_EQ(*NormalizeHousehold("a00123"), "A00123");
  for (const char* bad :
       {"12345", "ABCDEF", "12-3456", "123 456", "123456789012345678901", "户号123456"}) {
    Result<std::string> h = NormalizeHousehold(bad);
    ASSERT_FALSE(h.ok()) << bad;
    EXPECT_EQ(h.status().code(), "feed.household") << bad;
  }
}

// A generated city imported whole: every rate `registry stats` can observe
// is within 4 binomial standard errors of the calibration (each failure
// names the rate).
TEST(RegistryStatsTest, AGeneratedCityMatchesTheCalibration) {
  fs::path dir = fs::temp_directory_path() / fmt::format("yanglao_stats_{}", getpid());
  fs::remove_all(dir);
  Result<gen::GenSummary> city = gen::GenerateCity(
      gen::GenOptions{.region = "421300", .seed = 11, .scale = 0.02, .out = dir / "feeds"});
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  EXPECT_GT(city->people, 15000);
  EXPECT_LT(city->people, 30000);
  Result<std::unique_ptr<Registry>> reg = Registry::Open("sqlite:" + (dir / "r.db").string());
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  const CivilDate as_of = *CivilDate::FromYmd(2026, 1, 1);  // the generator's reference date
  for (const char* source : {"公安", "民政", "人社", "卫健", "医保", "残联", "退役军人"}) {
    Result<ParsedFeed> feed =
        ReadFeedFile(dir / "feeds" / fmt::format("{}.csv", source), source, as_of);
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    ASSERT_TRUE(feed->problems.empty()) << source << ": " << feed->problems[0].message;
    ASSERT_TRUE((*reg)->Import(*feed, as_of).ok()) << source;
  }
  Result<RegistryStats> stats = ComputeStats(**reg, as_of, as_of);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->total, city->people);
  EXPECT_EQ(stats->deceased, city->deaths);
  EXPECT_EQ(stats->all.people, city->people - city->deaths);
  EXPECT_EQ(gen::MainCity(*stats), "4213");
  Result<std::vector<gen::RateCheck>> checks =
      gen::CompareWithCalibration(*stats, gen::BuiltinCalibration(), "4213");
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  EXPECT_GE(checks->size(), 14u);
  int published = 0;
  for (const gen::RateCheck& r : *checks) {
    EXPECT_GT(r.sample, 1000) << r.key;
    EXPECT_GT(r.observed, 0) << r.key;
    EXPECT_LE(std::abs(r.z), 4.0) << r.key << " (" << r.label << "): observed " << r.observed_rate
                                  << " of " << r.sample << ", calibration " << r.expected_rate
                                  << ", SE " << r.se << ", z " << r.z;
    published += !r.estimate;
  }
  EXPECT_GE(published, 1) << "65+ among 60+ is published for 随州 (湖北 census)";
  // A city the calibration does not have.
  EXPECT_EQ(gen::CompareWithCalibration(*stats, gen::BuiltinCalibration(), "1101").status().code(),
            "gen.no_calibration");
  reg->reset();
  fs::remove_all(dir);
}

TEST(FeedFileTest, EmptyAndOldFormatFilesAreRejected) {
  EXPECT_EQ(
      ReadFeedCsv("公民身份号码,姓名,需要长期照护,起始日期,终止日期\n", "e.csv", "医保", kToday)
          .status()
          .code(),
      "feed.empty");
  EXPECT_EQ(ReadFeedFile(Feeds() / "不存在.xls", "医保", kToday).status().code(), "io.open");
}

// tests/registry/realworld: files as departments really send them (see
// make.py there), each imported exactly as clean.csv or refused as
// expected.txt says. No file may give different records.
using RecordKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
std::multiset<RecordKey> Records(const ParsedFeed& feed) {
  std::multiset<RecordKey> out;
  for (const FactRecord& f : feed.facts) {
    if (f.fact == "name_written") continue;  // the original spelling, kept beside
    out.insert({f.id_number, f.fact, f.value, f.valid_from, f.valid_to});
  }
  return out;
}

TEST(FeedRealWorldTest, EveryFileImportsAsTheCleanOneOrIsRefusedAsExpected) {
  const fs::path dir = Feeds().parent_path() / "realworld";
  Result<ParsedFeed> clean = ReadFeedFile(dir / "clean.csv", "公安", kToday);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  ASSERT_TRUE(clean->problems.empty()) << clean->problems[0].message;
  ASSERT_EQ(clean->data_rows, 3);
  const std::multiset<RecordKey> want = Records(*clean);
  std::ifstream expected(dir / "expected.txt");
  ASSERT_TRUE(expected.good());
  std::string line;
  int cases = 0;
  while (std::getline(expected, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      parts.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    ASSERT_GE(parts.size(), 3u) << line;
    ++cases;
    SCOPED_TRACE(parts[0]);
    Result<ParsedFeed> feed = ReadFeedFile(dir / parts[0], "公安", kToday);
    if (parts[1] == "same") {
      ASSERT_TRUE(feed.ok()) << feed.status().ToString();
      ASSERT_TRUE(feed->problems.empty())
          << feed->problems[0].code << " " << feed->problems[0].message;
      EXPECT_EQ(Records(*feed), want);
      if (parts[2] != "-") {
        bool found = false;
        for (const std::string& w : feed->warnings)
          found = found || w.find(parts[2]) != std::string::npos;
        EXPECT_TRUE(found) << "no notice with " << parts[2];
      }
      continue;
    }
    ASSERT_EQ(parts[1], "refused");
    ASSERT_EQ(parts.size(), 5u);
    std::string code, message;
    int row = 0;
    if (!feed.ok()) {
      code = feed.status().code();
      message = feed.status().message();
      row = feed.status().where().line;
    } else {
      ASSERT_FALSE(feed->problems.empty()) << "imported, but should be refused";
      code = feed->problems[0].code;
      message = feed->problems[0].message;
      row = feed->problems[0].row;
    }
    EXPECT_EQ(code, parts[2]);
    EXPECT_EQ(row, std::stoi(parts[3]));
    EXPECT_NE(message.find(parts[4]), std::string::npos) << message;
  }
  EXPECT_EQ(cases, 20);
}

TEST(FeedRealWorldTest, NameDotsAreComparedNormalisedAndKeptAsWritten) {
  const fs::path dir = Feeds().parent_path() / "realworld";
  Result<ParsedFeed> feed = ReadFeedFile(dir / "name-dots.csv", "公安", kToday);
  ASSERT_TRUE(feed.ok());
  std::vector<std::string> names, written;
  for (const FactRecord& f : feed->facts) {
    if (f.fact == "name" && f.id_number == "421321193002030029") names.push_back(f.value);
    if (f.fact == "name_written") written.push_back(f.value);
  }
  EXPECT_EQ(names, std::vector<std::string>{"阿依古丽\u00B7买买提"});
  EXPECT_EQ(written, std::vector<std::string>{"阿依古丽\u2022买买提"});
}

TEST(FeedFileTest, ResidenceNeedsNineOrTwelveDigits) {
  Result<ParsedFeed> f = ReadFeedCsv(
      "公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n"
      "421303194402290016,张三,421303,421303,,2020-01-01,\n"
      "421302194605100044,赵六,421303,421303001,,2020-01-01,\n",
      "r.csv", "公安", kToday);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->problems.size(), 1u);
  EXPECT_EQ(f->problems[0].row, 2);
  EXPECT_EQ(f->problems[0].header, "居住地");
  EXPECT_EQ(f->problems[0].code, "feed.region");
}

TEST_P(RegistryTest, ImportBytesStoresWhatImportStoresAndNothingOfABadFile) {
  std::ifstream in(Feeds() / "民政-错误.csv", std::ios::binary);
  std::string bad((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ParsedFeed parsed;
  Result<ImportOutcome> refused =
      reg_->ImportBytes(bad, "民政-错误.csv", "民政", kToday, kToday, parsed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "feed.invalid");
  EXPECT_EQ(parsed.problems.size(), 7u);
  EXPECT_EQ(Count("fact"), 0);
  EXPECT_EQ(Count("feed"), 0);
  EXPECT_EQ(Count("person"), 0);

  std::ifstream good_in(Feeds() / "公安.csv", std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(good_in)), std::istreambuf_iterator<char>());
  std::vector<int64_t> progress;
  Result<ImportOutcome> out =
      reg_->ImportBytes(good, "公安.csv", "公安", kToday, D("2026-01-05"), parsed,
                        [&](const FeedProgress& p) { progress.push_back(p.rows); });
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(parsed.encoding, "UTF-8");
  EXPECT_TRUE(parsed.facts.empty());
  const int64_t facts = Count("fact"), persons = Count("person");
  EXPECT_EQ(out->facts_added, facts);
  EXPECT_EQ(out->persons_added, persons);
  // The same file through Import, in a fresh registry, stores the same.
  Result<std::vector<Row>> via_bytes = reg_->db().QueryAll(
      "SELECT id_number, fact, value, valid_from, COALESCE(valid_to, ''), row_no FROM fact "
      "ORDER BY 1, 2, 3, 4");
  ASSERT_TRUE(via_bytes.ok());
  ASSERT_TRUE(reg_->db().Execute("DELETE FROM fact; DELETE FROM person; DELETE FROM feed;").ok());
  Import("公安", "公安.csv", "2026-01-05");
  Result<std::vector<Row>> via_feed = reg_->db().QueryAll(
      "SELECT id_number, fact, value, valid_from, COALESCE(valid_to, ''), row_no FROM fact "
      "ORDER BY 1, 2, 3, 4");
  ASSERT_TRUE(via_feed.ok());
  ASSERT_EQ(via_bytes->size(), via_feed->size());
  for (size_t i = 0; i < via_feed->size(); ++i) {
    for (size_t c = 0; c < 5; ++c) EXPECT_EQ((*via_bytes)[i].AsText(c), (*via_feed)[i].AsText(c));
  }
  // Again: already imported, not read.
  Result<ImportOutcome> again =
      reg_->ImportBytes(good, "公安.csv", "公安", kToday, D("2026-01-05"), parsed);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_imported);
}

}  // namespace
}  // namespace yanglao::registry
