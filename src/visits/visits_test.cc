// The visits module on both back ends: the roster and tiers of each city from
// its list's item 24 and its visit policy (golden cases, tests/visits/
// roster.golden), a visit sent twice stored once, due and overdue, and the
// monthly visit rate of a generated month checked against an independent SQL
// query.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "core/file_io.h"
#include "core/id_number.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "registry/feed_file.h"
#include "registry/registry.h"
#include "visits/policy.h"
#include "visits/roster.h"
#include "visits/store.h"

namespace yanglao::visits {
namespace {

namespace fs = std::filesystem;

CivilDate D(const char* t) { return *CivilDate::Parse(t); }
Month M(const char* t) { return *Month::Parse(t); }
std::string Id(const std::string& first17) { return first17 + IdCheckCharacter(first17); }
fs::path SourceDir() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : ".");
}
// A person aged `age` on 2026-03-01 (born on 1 June), ID issued in `county`.
std::string AgedOn(const char* county, int age, int seq) {
  return Id(fmt::format("{}{}0601{:03}", county, 2026 - age - 1, seq));
}

constexpr const char* kPolice = "公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n";
constexpr const char* kCivil =
    "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
    "入住养老机构,有赡养能力的赡养人,死亡日期,起始日期,终止日期\n";
constexpr const char* kHealth =
    "公民身份号码,姓名,计划生育特殊家庭,失智,死亡日期,起始日期,终止日期\n";
constexpr const char* kDisabled =
    "公民身份号码,姓名,残疾类别,残疾等级,残疾证有效期至,需要长期照护,起始日期,终止日期\n";

class VisitsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_visits");
    if (IsSkipped() || HasFatalFailure()) return;
    auto r = registry::Registry::Open(db_.url());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reg_ = std::move(*r);
    ASSERT_TRUE(db::MigrateAll(reg_->db(), {VisitsSchema()}).ok());
    store_ = std::make_unique<VisitsStore>(reg_->db());
  }
  void TearDown() override {
    store_.reset();
    reg_.reset();
    db_.Remove();
  }

  void Feed(const char* source, const std::string& csv, const char* recorded = "2026-01-05") {
    auto f = registry::ReadFeedCsv(csv, fmt::format("{}-{}.csv", source, recorded), source,
                                   D("2026-11-22"));
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE(f->problems.empty()) << f->problems[0].message;
    auto out = reg_->Import(*f, D(recorded));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }

  int64_t Count(const std::string& sql) {
    auto rows = reg_->db().QueryAll(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? (*rows)[0].AsInt(0) : -1;
  }

  db::TestDatabase db_;
  std::unique_ptr<registry::Registry> reg_;
  std::unique_ptr<VisitsStore> store_;
};

TEST(VisitPolicyTest, CitiesLoadWithTargetsAndBadFilesAreLocated) {
  auto rules = RosterRules::LoadDirectory(SourceDir() / "policies" / "visits");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const RosterRules* ez = RulesFor(*rules, "420704001002");
  const RosterRules* sz = RulesFor(*rules, "421303");
  ASSERT_NE(ez, nullptr);
  ASSERT_NE(sz, nullptr);
  // 鄂州 措施4“到2025年，特殊困难老年人月探访率达100%”.
  ASSERT_TRUE(ez->policy().TargetFor(2025).has_value());
  EXPECT_EQ(ez->policy().TargetFor(2025)->percent, 100);
  EXPECT_FALSE(ez->policy().TargetFor(2024).has_value());
  // After 2025 the 100% stays (the year it was set is reported).
  ASSERT_TRUE(ez->policy().TargetFor(2026).has_value());
  EXPECT_EQ(ez->policy().TargetFor(2026)->year, 2025);
  EXPECT_EQ(ez->policy().TargetFor(2026)->percent, 100);
  // 随州 任务分解表：2023 年 90%，2024 年 95%，2025 年 100%.
  EXPECT_EQ(sz->policy().TargetFor(2023)->percent, 90);
  EXPECT_EQ(sz->policy().TargetFor(2024)->percent, 95);
  EXPECT_EQ(sz->policy().TargetFor(2025)->percent, 100);
  // The default (monthly) tier is the seeds'; the faster ones are local choices.
  for (const RosterRules* r : {ez, sz}) {
    EXPECT_FALSE(r->policy().default_tier.local);
    EXPECT_EQ(r->policy().default_tier.every_days, 30);
    for (const Tier& t : r->policy().tiers) EXPECT_TRUE(t.local) << t.id;
  }

  // 启东 (seeds/003): the roster is item 8 (措施4); measure 6's visits to
  // 困难残疾老年人家庭 raise their tier; no rate target, every frequency local.
  const RosterRules* qd = RulesFor(*rules, "320681");
  ASSERT_NE(qd, nullptr);
  EXPECT_EQ(qd->policy().item, "8");
  EXPECT_TRUE(qd->policy().targets.empty());
  EXPECT_FALSE(qd->policy().TargetFor(2025).has_value());
  EXPECT_TRUE(qd->policy().default_tier.local);
  ASSERT_NE(qd->policy().FindTier("weekly"), nullptr);
  EXPECT_NE(qd->policy().FindTier("weekly")->quote.find("困难残疾老年人家庭走访探视"),
            std::string::npos);

  auto bad = ParseVisitPolicy(
      "format: yanglao.visits/1\nversion: 1\nlist: x.yaml\nitem: \"24\"\nsource: s\n"
      "default: {id: m, label: 每月, every_days: 300, local: false, quote: q}\n",
      "bad.visits.yaml", ".");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "visits.policy");
  EXPECT_EQ(bad.status().where().field, "every_days");
  EXPECT_EQ(bad.status().where().line, 6);

  // A tier naming a fact the schema does not have fails, located in the file.
  fs::path dir = fs::temp_directory_path() / fmt::format("visits_bad_{}", ::getpid());
  fs::create_directories(dir);
  std::string text = *ReadFileBytes(SourceDir() / "policies" / "visits" / "ezhou.visits.yaml");
  size_t at = text.find("living_alone || (empty_nest");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "lives_alone");
  size_t list = text.find("list: ../ezhou.yaml");
  text.replace(list, 19, "list: " + (SourceDir() / "policies" / "ezhou.yaml").string());
  std::ofstream(dir / "x.visits.yaml") << text;
  auto r = RosterRules::Load(dir / "x.visits.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "visits.list");
  EXPECT_EQ(r.status().where().file, (dir / "x.visits.yaml").string());
  EXPECT_GT(r.status().where().line, 0);
  fs::remove_all(dir);
}

// Golden cases: who is on each city's roster for 2026-03 and in which tier,
// compared with tests/visits/roster.golden (YANGLAO_UPDATE_GOLDEN=1
// rewrites it; review the diff).
TEST_P(VisitsTest, GoldenRosterAndTiersPerCity) {
  auto rules = RosterRules::LoadDirectory(SourceDir() / "policies" / "visits");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  struct Case {
    const char* label;
    int age;
    // 民政: 生活不能自理 独居 空巢 留守 入住养老机构; 残联: 类别 等级; 卫健: 计生特殊家庭
    bool cannot_self_care, alone, empty_nest, left_behind, institution;
    const char* category;
    const char* grade;
    bool fp_special;
    const char* died;
  };
  const std::vector<Case> cases = {
      {"独居 70岁", 70, false, true, false, false, false, "无", "无", false, ""},
      {"空巢 70岁", 70, false, false, true, false, false, "无", "无", false, ""},
      {"空巢 82岁", 82, false, false, true, false, false, "无", "无", false, ""},
      {"留守 66岁", 66, false, false, false, true, false, "无", "无", false, ""},
      {"重残 肢体一级 70岁", 70, false, false, false, false, false, "肢体", "一级", false, ""},
      {"精神三级 70岁", 70, false, false, false, false, false, "精神", "三级", false, ""},
      {"计生特殊家庭 65岁", 65, false, false, false, false, false, "无", "无", true, ""},
      {"独居且重残 85岁", 85, false, true, false, false, false, "视力", "二级", false, ""},
      {"独居 入住养老机构 75岁", 75, false, true, false, false, true, "无", "无", false, ""},
      {"独居 59岁", 59, false, true, false, false, false, "无", "无", false, ""},
      {"生活不能自理 无所列情形 78岁", 78, true, false, false, false, false, "无", "无", false, ""},
      {"独居 2026-02-20 死亡", 72, false, true, false, false, false, "无", "无", false,
       "2026-02-20"},
      {"均无 90岁", 90, false, false, false, false, false, "无", "无", false, ""},
  };
  std::string police = kPolice, civil = kCivil, health = kHealth, disabled = kDisabled;
  std::vector<std::tuple<std::string, std::string, const RosterRules*>> people;
  int seq = 1;
  auto yn = [](bool b) { return b ? "是" : "否"; };
  for (const auto& [city, county, home] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"鄂州", "420704", "420704001002"}, {"随州", "421303", "421303001001"}}) {
    for (const Case& c : cases) {
      std::string id = AgedOn(county.c_str(), c.age, seq++);
      police +=
          fmt::format("{},{},{h},{h},{},2000-01-01,\n", id, c.label, c.died, fmt::arg("h", home));
      civil += fmt::format("{},{},否,否,否,否,{},{},{},{},否,{},否,{},2000-01-01,\n", id, c.label,
                           yn(c.cannot_self_care), yn(c.alone), yn(c.empty_nest), yn(c.left_behind),
                           yn(c.institution), c.died);
      health += fmt::format("{},{},{},否,{},2000-01-01,\n", id, c.label, yn(c.fp_special), c.died);
      disabled += fmt::format("{},{},{},{},,否,2000-01-01,\n", id, c.label, c.category, c.grade);
      people.emplace_back(city + " " + c.label, id, RulesFor(*rules, home));
    }
  }
  Feed("公安", police);
  Feed("民政", civil);
  Feed("卫健", health);
  Feed("残联", disabled);

  std::map<const RosterRules*, Roster> rosters;
  for (const auto& [label, id, rule] : people) {
    ASSERT_NE(rule, nullptr);
    if (rosters.count(rule) == 0) {
      auto roster = rule->Compute(*reg_, M("2026-03"), D("2026-03-01"));
      ASSERT_TRUE(roster.ok()) << roster.status().ToString();
      rosters[rule] = std::move(*roster);
    }
  }
  std::string actual =
      "# 探访名单与分档的金标准（tests/visits/roster.golden），由 visits_test 生成与比对。\n"
      "# 名单：清单第24项 居家探访关爱服务，服务对象“居家的空巢、独居、留守、失能、重残、计划生育"
      "特殊家庭等特殊困难老年人”（鄂州 seeds/000 清单第24项；随州 seeds/004 清单第24项），"
      "按 policies/ezhou.yaml、policies/suizhou.yaml 第24项的规则于 2026-03-01 求值。\n"
      "# 分档：policies/visits/*.visits.yaml。每月一次为文件所定（鄂州措施4、随州任务分解表"
      "“月探访率”）；每周、每两周两档为本地设置（local: true）。\n";
  for (const auto& [label, id, rule] : people) {
    const Roster& roster = rosters[rule];
    auto it = std::find_if(roster.people.begin(), roster.people.end(),
                           [&](const RosterEntry& e) { return e.id_number == id; });
    if (it == roster.people.end()) {
      actual += fmt::format("{} | 不在名单\n", label);
    } else {
      const Tier* t = rule->policy().FindTier(it->tier);
      actual += fmt::format("{} | 在名单（{}） | {} | 每{}天 | {}\n", label, roster.citation,
                            t->label, t->every_days, t->local ? "本地设置" : "文件所定");
    }
  }
  fs::path golden = SourceDir() / "tests" / "visits" / "roster.golden";
  if (std::getenv("YANGLAO_UPDATE_GOLDEN") != nullptr && GetParam() == "sqlite") {
    std::ofstream(golden) << actual;
  }
  auto expected = ReadFileBytes(golden);
  ASSERT_TRUE(expected.ok()) << "missing " << golden;
  EXPECT_EQ(actual, *expected);

  // Saving the roster twice keeps one row per person; the next month's
  // roster counts who joined and who left.
  const Roster& ez = rosters[RulesFor(*rules, "4207")];
  auto saved = store_->SaveRoster(ez);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->joined, static_cast<int64_t>(ez.people.size()));
  saved = store_->SaveRoster(ez);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM visits_roster"), static_cast<int64_t>(ez.people.size()));
  Roster april = ez;
  april.month = M("2026-04");
  april.people.pop_back();
  saved = store_->SaveRoster(april);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->joined, 0);
  EXPECT_EQ(saved->left, 1);
}

TEST_P(VisitsTest, AVisitSentTwiceIsStoredOnceAndBadInputWritesNothing) {
  auto vid = store_->PutVisitor(
      {.code = "EZ-V-001", .name = "张网格", .kind = "网格员", .unit = "420704001002"});
  ASSERT_TRUE(vid.ok()) << vid.status().ToString();
  std::string id = AgedOn("420704", 80, 1);
  VisitRequest req{.client_id = "phone1-0001",
                   .id_number = id,
                   .visitor_id = *vid,
                   .kind = "上门",
                   .visited_on = "2026-03-05",
                   .note = "精神尚好",
                   .findings = {{"health", "血压偏高"}, {"needs", "希望助餐"}},
                   .recorded_by = "zhang"};
  auto first = store_->RecordVisit(req, D("2026-03-06"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->already_recorded);
  req.note = "重发";  // the phone's queue sent again: the stored visit stands
  auto again = store_->RecordVisit(req, D("2026-03-07"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_recorded);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->note, "精神尚好");
  ASSERT_EQ(again->findings.size(), 2u);
  EXPECT_EQ(again->findings[0].category, "health");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM visits_visit"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM visits_finding"), 2);

  VisitRequest bad = req;
  bad.client_id = "phone1-0002";
  bad.findings = {{"health", "x"}, {"weather", "晴"}};
  auto r = store_->RecordVisit(bad, D("2026-03-07"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "visits.visit");
  EXPECT_EQ(r.status().where().value, "weather");
  bad.findings = {};
  bad.kind = "视频";
  EXPECT_EQ(store_->RecordVisit(bad, D("2026-03-07")).status().where().field, "kind");
  bad.kind = "电话";
  bad.visitor_id = *vid + 100;
  EXPECT_EQ(store_->RecordVisit(bad, D("2026-03-07")).status().code(), "visits.not_found");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM visits_visit"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM visits_finding"), 2);
  auto history = store_->VisitsOf(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);
}

TEST_P(VisitsTest, DueAndOverdueFromTheTierSortedByRiskThenLateness) {
  auto rules = RosterRules::LoadDirectory(SourceDir() / "policies" / "visits");
  ASSERT_TRUE(rules.ok());
  const VisitPolicy& policy = RulesFor(*rules, "4207")->policy();
  auto vid = store_->PutVisitor(
      {.code = "EZ-V-001", .name = "张网格", .kind = "网格员", .unit = "420704001002"});
  auto other = store_->PutVisitor(
      {.code = "EZ-V-002", .name = "李社工", .kind = "社工", .unit = "420704001002"});
  ASSERT_TRUE(vid.ok() && other.ok());
  Roster roster;
  roster.month = M("2026-03");
  std::string weekly = AgedOn("420704", 70, 1), biweekly = AgedOn("420704", 71, 2),
              monthly = AgedOn("420704", 72, 3), monthly2 = AgedOn("420704", 73, 4);
  roster.people = {{weekly, "420704001002", "weekly", 7, 0},
                   {biweekly, "420704001002", "biweekly", 14, 1},
                   {monthly, "420704001002", "monthly", 30, 2},
                   {monthly2, "420704001003", "monthly", 30, 2}};
  ASSERT_TRUE(store_->SaveRoster(roster).ok());
  int n = 0;
  auto visit = [&](const std::string& id, const char* on) {
    VisitRequest r{.client_id = fmt::format("due-{:04}", ++n),
                   .id_number = id,
                   .visitor_id = *vid,
                   .kind = "电话",
                   .visited_on = on};
    ASSERT_TRUE(store_->RecordVisit(r, D("2026-03-31")).ok());
  };
  visit(weekly, "2026-03-01");    // due 03-08: on 03-20 overdue by 12, escalated (>= 7)
  visit(biweekly, "2026-03-10");  // due 03-24: on 03-20 "due" (within 3 days? no: 4) -> not due
  visit(monthly, "2026-02-25");   // due 03-27 (30 days): not due on 03-20
  // monthly2 never visited: due on 03-01, overdue by 19
  auto due = store_->DueList(policy, D("2026-03-20"));
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 4u);
  EXPECT_EQ((*due)[0].id_number, weekly);
  EXPECT_EQ((*due)[0].state, DueState::kOverdue);
  EXPECT_EQ((*due)[0].days_overdue, 12);
  EXPECT_TRUE((*due)[0].escalate);
  EXPECT_EQ((*due)[1].id_number, biweekly);
  EXPECT_EQ((*due)[1].state, DueState::kNotDue);
  EXPECT_EQ((*due)[1].due_on, "2026-03-24");
  EXPECT_EQ((*due)[2].id_number, monthly2);  // same tier: the later first
  EXPECT_EQ((*due)[2].days_overdue, 19);
  EXPECT_EQ((*due)[3].id_number, monthly);
  EXPECT_EQ((*due)[3].due_on, "2026-03-27");
  EXPECT_EQ((*due)[3].state, DueState::kNotDue);
  due = store_->DueList(policy, D("2026-03-21"));
  EXPECT_EQ((*due)[1].state, DueState::kDue);  // 3 days before 03-24
  // A visitor sees only the people assigned to them.
  ASSERT_TRUE(store_->Assign(*vid, weekly, "2026-03-01").ok());
  ASSERT_TRUE(store_->Assign(*vid, weekly, "2026-03-02").ok());  // again: unchanged
  ASSERT_TRUE(store_->Assign(*other, monthly, "2026-03-01").ok());
  due = store_->DueList(policy, D("2026-03-20"), "", *vid);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id_number, weekly);
  EXPECT_EQ(store_->Assign(*vid + 100, weekly, "2026-03-01").code(), "visits.not_found");
}

// A generated month: 600 people over 3 counties, 2 streets each, 3
// communities per street; visits at random (some people several times, some
// in the month before or after, some never), some people documented as died
// or moved away. The module's rate at every level equals an independent
// query over the logs by dates.
TEST_P(VisitsTest, MonthlyRateAgreesWithAnIndependentQuery) {
  std::mt19937 rng(20260301);
  auto vid = store_->PutVisitor(
      {.code = "SZ-V-001", .name = "王志愿", .kind = "志愿者", .unit = "421303"});
  ASSERT_TRUE(vid.ok());
  Roster roster;
  roster.month = M("2026-03");
  const std::vector<std::string> counties = {"421303", "421321", "421381"};
  for (int i = 0; i < 600; ++i) {
    const std::string& county = counties[static_cast<size_t>(i) % 3];
    std::string region = fmt::format("{}{:03}{:03}", county, 1 + (i / 3) % 2, 1 + (i / 6) % 3);
    roster.people.push_back({AgedOn(county.c_str(), 60 + i % 30, i), region, "monthly", 30, 0});
  }
  ASSERT_TRUE(store_->SaveRoster(roster).ok());
  int n = 0;
  for (const RosterEntry& e : roster.people) {
    int visits = static_cast<int>(rng() % 4);  // 0..3
    for (int k = 0; k < visits; ++k) {
      int offset = static_cast<int>(rng() % 45) - 7;  // 02-22 .. 04-07
      CivilDate on = D("2026-03-01").AddDays(offset);
      VisitRequest r{.client_id = fmt::format("gen-{:06}", ++n),
                     .id_number = e.id_number,
                     .visitor_id = *vid,
                     .kind = rng() % 2 ? "上门" : "电话",
                     .visited_on = on.ToString()};
      auto v = store_->RecordVisit(r, D("2026-04-30"));
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      if (rng() % 10 == 0) {  // resent
        ASSERT_TRUE(store_->RecordVisit(r, D("2026-04-30")).ok());
      }
    }
    if (rng() % 25 == 0) {
      const char* reason = rng() % 2 ? "死亡" : "迁出";
      ASSERT_TRUE(store_->MarkLeft(roster.month, e.id_number, "2026-03-15", reason).ok());
    }
  }
  EXPECT_EQ(store_->MarkLeft(roster.month, "420704195001010010", "2026-03-15", "死亡").code(),
            "visits.not_found");
  EXPECT_EQ(store_->MarkLeft(roster.month, roster.people[0].id_number, "2026-04-01", "死亡").code(),
            "visits.bad_date");
  for (RateLevel level :
       {RateLevel::kCommunity, RateLevel::kStreet, RateLevel::kCounty, RateLevel::kCity}) {
    auto rates = store_->Rates(roster.month, level);
    ASSERT_TRUE(rates.ok()) << rates.status().ToString();
    size_t d = LevelDigits(level);
    // Independent: visits by date range, counted distinct through a join.
    auto rows = reg_->db().QueryAll(fmt::format(
        "SELECT SUBSTR(r.region, 1, {d}), COUNT(DISTINCT r.id_number), "
        "COUNT(DISTINCT CASE WHEN v.id_number IS NOT NULL OR r.left_reason IN ('死亡', '迁出') "
        "THEN r.id_number END) "
        "FROM visits_roster r LEFT JOIN visits_visit v ON v.id_number = r.id_number AND "
        "v.visited_on BETWEEN '2026-03-01' AND '2026-03-31' WHERE r.month = '2026-03' "
        "GROUP BY SUBSTR(r.region, 1, {d}) ORDER BY 1",
        fmt::arg("d", d)));
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rates->size(), rows->size());
    int64_t total = 0, done = 0;
    for (size_t i = 0; i < rows->size(); ++i) {
      EXPECT_EQ((*rates)[i].unit, (*rows)[i].AsText(0));
      EXPECT_EQ((*rates)[i].roster, (*rows)[i].AsInt(1));
      EXPECT_EQ((*rates)[i].visited + (*rates)[i].documented, (*rows)[i].AsInt(2));
      total += (*rates)[i].roster;
      done += (*rates)[i].visited + (*rates)[i].documented;
    }
    EXPECT_EQ(total, 600);
    EXPECT_GT(done, 300);
    EXPECT_LT(done, 600);
  }
  auto city = store_->Rates(roster.month, RateLevel::kCity);
  ASSERT_EQ(city->size(), 1u);
  EXPECT_EQ((*city)[0].unit, "4213");
  EXPECT_GT((*city)[0].documented, 0);
  auto street = store_->Rates(roster.month, RateLevel::kStreet, "421321");
  ASSERT_EQ(street->size(), 2u);
  EXPECT_EQ((*street)[0].unit, "421321001");
}

INSTANTIATE_TEST_SUITE_P(Backends, VisitsTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace yanglao::visits

namespace yanglao::visits {
namespace {

// Rebalancing within a unit: from the busiest visitor to the lightest while a
// move narrows the gap; visitors of another unit are left alone.
TEST(RebalanceTest, MovesNarrowTheGapWithinAUnitOnly) {
  auto load = [](int64_t id, const char* unit, std::vector<int64_t> people) {
    Workload w;
    w.visitor = Visitor{.id = id, .code = fmt::format("V{}", id), .unit = unit};
    for (size_t i = 0; i < people.size(); ++i) {
      w.assigned.emplace_back(fmt::format("P{}-{}", id, i), people[i]);
      w.load_tenths += people[i];
      w.people += 1;
    }
    return w;
  };
  // Unit A: 8 monthly people (10 each) and 2 weekly (43) against nobody.
  std::vector<Workload> loads = {
      load(1, "A", {10, 10, 10, 10, 10, 10, 10, 10, 43, 43}),
      load(2, "A", {}),
      load(3, "B", {43, 43, 43}),
  };
  std::vector<Rebalance> moves = SuggestRebalance(loads);
  int64_t a = 166, b = 0;
  for (const Rebalance& m : moves) {
    EXPECT_EQ(m.from_visitor, 1);
    EXPECT_EQ(m.to_visitor, 2);
    int64_t l = m.id_number.ends_with("-8") || m.id_number.ends_with("-9") ? 43 : 10;
    a -= l;
    b += l;
  }
  ASSERT_FALSE(moves.empty());
  EXPECT_LE(std::abs(a - b), 43);  // no move left would narrow it
  EXPECT_EQ(a + b, 166);
  // One person cannot be split: no move between two visitors 10 apart.
  EXPECT_TRUE(SuggestRebalance({load(1, "A", {10}), load(2, "A", {})}).empty());
}

}  // namespace
}  // namespace yanglao::visits
