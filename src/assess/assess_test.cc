// Capability assessment: the form, scoring from worked examples (every
// level boundary, every adjustment alone and together), form files, and
// records on both back ends (SQLite, and PostgreSQL via YANGLAO_TEST_PG_URL
// in a schema of its own per test), with their effect on the registry.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "assess/due.h"
#include "assess/form.h"
#include "assess/form_json.h"
#include "assess/scoring.h"
#include "assess/store.h"
#include "gen/assess_synthetic.h"
#include "gen/generator.h"
#include "registry/feed_file.h"
#include "registry/registry.h"
#include "registry/test_database.h"

namespace yanglao::assess {
namespace {

namespace fs = std::filesystem;

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);
CivilDate D(const char* s) { return *CivilDate::Parse(s); }

// Answers with the given total: points are taken from the items in Annex B
// order, B3.9 (consciousness) last.
FormAnswers WithTotal(int total) {
  FormAnswers a = FormAnswers::Best();
  int deficit = kMaxTotal - total;
  const size_t b39 = *FindItem("B3.9");
  for (size_t i = 0; i < kItemCount && deficit > 0; ++i) {
    if (i == b39) continue;
    int take = std::min(deficit, a.items[i]);
    a.items[i] -= take;
    deficit -= take;
  }
  a.items[b39] -= deficit;
  return a;
}

// --- the form ----------------------------------------------------------------

TEST(FormTest, TwentySixItemsInFourDimensionsMakeNinety) {
  ASSERT_EQ(Items().size(), 26u);
  std::array<int, kDimensionCount> max{};
  std::array<int, kDimensionCount> count{};
  for (const Item& item : Items()) {
    max[item.dimension] += item.max;
    ++count[item.dimension];
    EXPECT_EQ(FindItem(item.code), static_cast<size_t>(&item - Items().data())) << item.code;
    std::string_view clause = Dimensions()[item.dimension].clause;  // "B.1" for item "B1.x"
    EXPECT_EQ(std::string(item.code.substr(0, 2)),
              std::string(clause.substr(0, 1)) + std::string(clause.substr(2)));
  }
  EXPECT_EQ(max, (std::array<int, kDimensionCount>{32, 15, 28, 15}));
  EXPECT_EQ(count, (std::array<int, kDimensionCount>{8, 4, 9, 5}));
  for (size_t d = 0; d < kDimensionCount; ++d) EXPECT_EQ(Dimensions()[d].max, max[d]);
  EXPECT_EQ(Items()[*FindItem("B2.4")].max, 3);
  EXPECT_EQ(Items()[*FindItem("B3.7")].max, 1);
  EXPECT_EQ(Items()[*FindItem("B3.9")].max, 2);
  EXPECT_EQ(Items()[*FindItem("B4.4")].max, 3);
  EXPECT_FALSE(FindItem("B5.1").has_value());
}

// --- scoring: worked examples --------------------------------------------------

TEST(ScoringTest, EveryLevelBoundary) {
  const std::pair<int, int> cases[] = {{90, 0}, {89, 1}, {66, 1}, {65, 2}, {46, 2},
                                       {45, 3}, {30, 3}, {29, 4}, {0, 4}};
  for (auto [total, level] : cases) {
    FormAnswers a = WithTotal(total);
    ASSERT_TRUE(CheckAnswers(a).ok()) << total;
    Score s = ScoreForm(a);
    EXPECT_EQ(s.total, total);
    EXPECT_EQ(s.preliminary_level, level) << "total " << total;
    EXPECT_EQ(s.final_level, level) << "total " << total;
    EXPECT_TRUE(s.adjustments.empty());
  }
}

// The worked example of tests/cli/data/assess_worked.json.
TEST(ScoringTest, SubtotalsOfAWorkedExample) {
  FormAnswers a;
  a.items = {4, 3, 2, 3, 3, 4, 4, 3,     // B.1: 26
             4, 3, 3, 2,                 // B.2: 12
             4, 4, 4, 3, 4, 4, 1, 1, 2,  // B.3: 27
             2, 1, 3, 2, 4};             // B.4: 12
  Score s = ScoreForm(a);
  EXPECT_EQ(s.subtotals, (std::array<int, kDimensionCount>{26, 12, 27, 12}));
  EXPECT_EQ(s.total, 77);
  EXPECT_EQ(s.preliminary_level, 1);
  EXPECT_EQ(s.final_level, 1);
}

TEST(ScoringTest, ComaAlone) {
  FormAnswers a = WithTotal(50);  // preliminary 2
  a.items[*FindItem("B3.9")] = 0;
  a.coma = true;
  ASSERT_TRUE(CheckAnswers(a).ok());
  Score s = ScoreForm(a);
  EXPECT_EQ(s.preliminary_level, 2);
  EXPECT_EQ(s.final_level, 4);
  ASSERT_EQ(s.adjustments.size(), 1u);
  EXPECT_EQ(s.adjustments[0].code, "coma");
  EXPECT_TRUE(s.adjustments[0].applied);
  EXPECT_EQ(s.adjustments[0].from, 2);
  EXPECT_EQ(s.adjustments[0].to, 4);
  // The setting that follows the note under B3.9: 重度失能.
  EXPECT_EQ(ScoreForm(a, {.coma_level = 3}).final_level, 3);
}

TEST(ScoringTest, DementiaAloneAndOtherMentalDisorderAlone) {
  FormAnswers a = WithTotal(70);  // preliminary 1
  a.dementia = true;
  Score s = ScoreForm(a);
  EXPECT_EQ(s.final_level, 2);
  ASSERT_EQ(s.adjustments.size(), 1u);
  EXPECT_EQ(s.adjustments[0].code, "diagnosis");
  EXPECT_NE(s.adjustments[0].reason.find("F00-F03"), std::string::npos);

  FormAnswers b = WithTotal(70);
  b.mental_disorder = true;
  Score t = ScoreForm(b);
  EXPECT_EQ(t.final_level, 2);
  EXPECT_NE(t.adjustments[0].reason.find("F04-F99"), std::string::npos);

  // Both diagnoses are one rule: one level up.
  a.mental_disorder = true;
  EXPECT_EQ(ScoreForm(a, {.raises_stack = true}).final_level, 2);
}

TEST(ScoringTest, CareRiskEventsAlone) {
  FormAnswers a = WithTotal(90);  // 能力完好
  a.risk_events[0] = 1;           // one fall: no change
  EXPECT_EQ(ScoreForm(a).final_level, 0);
  EXPECT_TRUE(ScoreForm(a).adjustments.empty());
  a.risk_events[4] = 1;  // and wandering off once: two in total
  Score s = ScoreForm(a);
  EXPECT_EQ(s.final_level, 1);
  ASSERT_EQ(s.adjustments.size(), 1u);
  EXPECT_EQ(s.adjustments[0].code, "care_risk");
  EXPECT_NE(s.adjustments[0].reason.find("跌倒 1 次、走失 1 次"), std::string::npos);
  FormAnswers b = WithTotal(90);
  b.risk_events[2] = 3;  // "three or more" of one kind
  EXPECT_EQ(ScoreForm(b).final_level, 1);
}

TEST(ScoringTest, AdjustmentsTogether) {
  FormAnswers a = WithTotal(50);  // preliminary 2
  a.dementia = true;
  a.risk_events[0] = 2;
  // Default: at most one level up in total.
  Score s = ScoreForm(a);
  EXPECT_EQ(s.final_level, 3);
  ASSERT_EQ(s.adjustments.size(), 2u);
  EXPECT_TRUE(s.adjustments[0].applied);
  EXPECT_FALSE(s.adjustments[1].applied);
  EXPECT_NE(s.adjustments[1].note.find("至多上调一级"), std::string::npos);
  // Setting: they add up.
  Score t = ScoreForm(a, {.raises_stack = true});
  EXPECT_EQ(t.final_level, 4);
  EXPECT_TRUE(t.adjustments[1].applied);
  // Never above 完全失能.
  FormAnswers c = WithTotal(35);  // preliminary 3
  c.dementia = true;
  c.risk_events[1] = 2;
  Score u = ScoreForm(c, {.raises_stack = true});
  EXPECT_EQ(u.final_level, 4);
  EXPECT_FALSE(u.adjustments[1].applied);
  EXPECT_NE(u.adjustments[1].note.find("最高等级"), std::string::npos);
  FormAnswers d = WithTotal(20);  // preliminary 4
  d.mental_disorder = true;
  EXPECT_EQ(ScoreForm(d).final_level, 4);
  EXPECT_FALSE(ScoreForm(d).adjustments[0].applied);
  // Coma decides alone: the others are listed, not applied.
  FormAnswers e = WithTotal(60);
  e.items[*FindItem("B3.9")] = 0;
  e.coma = true;
  e.dementia = true;
  e.risk_events[0] = 2;
  Score v = ScoreForm(e, {.coma_level = 3, .raises_stack = true});
  EXPECT_EQ(v.final_level, 3);
  ASSERT_EQ(v.adjustments.size(), 3u);
  EXPECT_FALSE(v.adjustments[1].applied);
  EXPECT_FALSE(v.adjustments[2].applied);
}

TEST(ScoringTest, AnswersOutOfRangeAndInconsistentComaAreRejected) {
  FormAnswers a = FormAnswers::Best();
  a.items[*FindItem("B2.4")] = 4;
  Status s = CheckAnswers(a);
  EXPECT_EQ(s.code(), "assess.range");
  EXPECT_EQ(s.where().field, "B2.4");
  EXPECT_EQ(s.where().value, "4");
  EXPECT_NE(s.message().find("上下楼梯"), std::string::npos);
  FormAnswers b = FormAnswers::Best();
  b.risk_events[3] = 4;
  EXPECT_EQ(CheckAnswers(b).where().field, "self_harm");
  FormAnswers c = FormAnswers::Best();
  c.coma = true;
  EXPECT_EQ(CheckAnswers(c).code(), "assess.inconsistent");
}

// --- form files ------------------------------------------------------------------

constexpr const char* kZhang = "421303194402290016";  // 张三, 1944-02-29, 421303001001
constexpr const char* kLi = "421321195003150021";     // 李四, 1950-03-15, 421321101201
constexpr const char* kWang = "421381193001010030";   // 王五, 1930-01-01, 421381001001
constexpr const char* kZhao = "421302194605100044";   // 赵六, 1946-05-10, 421303001002

FormDocument Form(const char* id, const char* date, Reason reason, FormAnswers answers) {
  FormDocument f;
  f.header.id_number = id;
  f.header.assessed_on = D(date);
  f.header.reason = reason;
  f.header.assessor = "评估员001";
  f.header.agency = "曾都区老年人能力评估中心";
  f.answers = answers;
  return f;
}

Result<FormDocument> Parse(const std::string& text, bool header = false) {
  return ParseFormJson(text, "f.json", {.require_header = header, .today = kToday});
}

// A form's JSON with one substitution made.
std::string Edited(const FormDocument& f, const std::string& from, const std::string& to) {
  std::string json = FormToJson(f);
  size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? json : json.replace(at, from.size(), to);
}

TEST(FormJsonTest, RoundTrip) {
  FormDocument f = Form(kZhang, "2026-03-10", Reason::kChange, WithTotal(57));
  f.header.name = "张三";
  f.header.note = "跌倒后复评";
  f.answers.dementia = true;
  f.answers.risk_events = {2, 0, 0, 1, 3};
  Result<FormDocument> back = Parse(FormToJson(f), true);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->answers.items, f.answers.items);
  EXPECT_EQ(back->answers.risk_events, f.answers.risk_events);
  EXPECT_TRUE(back->answers.dementia);
  EXPECT_EQ(back->header.id_number, kZhang);
  EXPECT_EQ(back->header.reason, Reason::kChange);
  EXPECT_EQ(back->header.note, "跌倒后复评");
  EXPECT_EQ(FormToJson(*back), FormToJson(f));
}

TEST(FormJsonTest, AMissingItemIsNamed) {
  FormDocument f = Form(kZhang, "2026-03-10", Reason::kFirst, FormAnswers::Best());
  std::string text = Edited(f, "\"B2.4\":3,", "");
  Result<FormDocument> r = Parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "assess.missing");
  EXPECT_EQ(r.status().where().field, "B2.4");
  EXPECT_NE(r.status().message().find("B2.4 上下楼梯"), std::string::npos);
  // Every missing item is listed.
  r = Parse(Edited(f, "\"B1.1\":4,", "").replace(0, 0, ""));
  text = Edited(f, "\"B1.1\":4,\"B1.2\":4,", "");
  r = Parse(text);
  EXPECT_NE(r.status().message().find("缺少 2 个评估项目的得分：B1.1 进食、B1.2 修饰"),
            std::string::npos)
      << r.status().ToString();
}

TEST(FormJsonTest, AnOutOfRangeAnswerIsNamedWithItsPlace) {
  FormDocument f = Form(kZhang, "2026-03-10", Reason::kFirst, FormAnswers::Best());
  std::string text = Edited(f, "\"B2.4\":3", "\"B2.4\":\n  4");
  Result<FormDocument> r = Parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "assess.range");
  EXPECT_EQ(r.status().where().field, "B2.4");
  EXPECT_EQ(r.status().where().value, "4");
  EXPECT_EQ(r.status().where().line, 2);
  EXPECT_EQ(r.status().where().column, 3);
  EXPECT_EQ(Parse(Edited(f, "\"B1.1\":4", "\"B1.1\":-1")).status().code(), "assess.range");
  EXPECT_EQ(Parse(Edited(f, "\"B1.1\":4", "\"B1.1\":99999999999999999999")).status().code(),
            "assess.range");
  EXPECT_EQ(Parse(Edited(f, "\"fall\":0", "\"fall\":4")).status().where().field, "fall");
  // Wrong kinds.
  EXPECT_EQ(Parse(Edited(f, "\"B1.1\":4", "\"B1.1\":3.5")).status().code(), "assess.type");
  EXPECT_EQ(Parse(Edited(f, "\"B1.1\":4", "\"B1.1\":\"4\"")).status().code(), "assess.type");
  EXPECT_EQ(Parse(Edited(f, "\"coma\":false", "\"coma\":0")).status().code(), "assess.type");
}

TEST(FormJsonTest, SyntaxTyposAndDuplicates) {
  FormDocument f = Form(kZhang, "2026-03-10", Reason::kFirst, FormAnswers::Best());
  Result<FormDocument> r = Parse("{\n  \"items\": {\"B1.1\": 4,, }\n}");
  EXPECT_EQ(r.status().code(), "assess.syntax");
  EXPECT_EQ(r.status().where().line, 2);
  EXPECT_EQ(r.status().where().column, 23);  // the second comma
  EXPECT_EQ(Parse("").status().code(), "assess.syntax");
  EXPECT_EQ(Parse("{} {}").status().code(), "assess.syntax");
  EXPECT_EQ(Parse("[1]").status().code(), "assess.type");
  r = Parse(Edited(f, "\"B1.2\":4", "\"B1.2\":4,\"B1.1\":0"));
  EXPECT_EQ(r.status().code(), "assess.duplicate");
  EXPECT_EQ(r.status().where().field, "B1.1");
  r = Parse(Edited(f, "\"B1.2\"", "\"B12\""));
  EXPECT_EQ(r.status().code(), "assess.unknown_field");
  EXPECT_EQ(r.status().where().field, "B12");
  EXPECT_EQ(Parse(Edited(f, "\"agency\"", "\"agnecy\"")).status().code(), "assess.unknown_field");
  EXPECT_EQ(Parse(Edited(f, "yanglao.assessment/1", "v2")).status().code(), "assess.format");
  EXPECT_EQ(Parse(Edited(f, ",\"mental_disorder\":false", "")).status().code(), "assess.missing");
  EXPECT_EQ(Parse(Edited(f, "\"wandering\":0", "\"wander\":0")).status().code(),
            "assess.unknown_field");
}

TEST(FormJsonTest, HeaderChecks) {
  FormDocument f = Form(kZhang, "2026-03-10", Reason::kFirst, FormAnswers::Best());
  EXPECT_TRUE(Parse(FormToJson(f), true).ok());
  FormDocument bare = f;
  bare.header = {};
  EXPECT_TRUE(Parse(FormToJson(bare), false).ok());
  Result<FormDocument> r = Parse(FormToJson(bare), true);
  EXPECT_EQ(r.status().code(), "assess.missing");
  EXPECT_EQ(r.status().where().field, "id_number");
  EXPECT_EQ(Parse(Edited(f, "0016", "0017")).status().code(), "assess.id");
  EXPECT_EQ(Parse(Edited(f, "2026-03-10", "2026-02-30")).status().code(), "assess.date");
  EXPECT_EQ(Parse(Edited(f, "2026-03-10", "2026-12-01")).status().code(), "assess.date");
  EXPECT_EQ(Parse(Edited(f, "\"first\"", "\"annual\"")).status().code(), "assess.reason");
  // Assessed before turning 60: 张三 turned 60 on 2004-02-29.
  r = Parse(Edited(f, "2026-03-10", "2004-02-28"));
  EXPECT_EQ(r.status().code(), "assess.age");
  EXPECT_TRUE(Parse(Edited(f, "2026-03-10", "2004-02-29")).ok());
}

// --- records on both back ends -------------------------------------------------

fs::path RegistryFeeds() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : ".") / "tests/registry/feeds";
}

class AssessStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_assess");
    if (IsSkipped() || HasFatalFailure()) return;
    url_ = db_.url();
    auto reg = registry::Registry::Open(url_);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(*reg);
    auto store = AssessmentStore::Open(*reg_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto feed = registry::ReadFeedFile(RegistryFeeds() / "公安.csv", "公安", kToday);
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    ASSERT_TRUE(reg_->Import(*feed, D("2026-01-05")).ok());
  }

  void TearDown() override {
    store_.reset();
    reg_.reset();
    db_.Remove();
  }

  RecordOutcome Record(const FormDocument& form, const char* recorded,
                       const RecordSettings& settings = {}) {
    Result<RecordOutcome> out = store_->Record(form, settings, D(recorded));
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : RecordOutcome{};
  }

  registry::PersonView Person(const char* id, const char* as_of,
                              const char* known_on = "2026-11-22") {
    auto p = reg_->Person(id, D(as_of), D(known_on));
    EXPECT_TRUE(p.ok() && p->has_value()) << id;
    return p.ok() && p->has_value() ? **p : registry::PersonView{};
  }

  std::string Fact(const char* id, const char* fact, const char* as_of,
                   const char* known_on = "2026-11-22") {
    registry::PersonView v = Person(id, as_of, known_on);
    auto it = v.facts.find(fact);
    return it == v.facts.end() ? "-" : it->second.value + "@" + it->second.source;
  }

  void ImportHealth(const std::string& rows, const char* recorded) {
    auto feed = registry::ReadFeedCsv(
        "公民身份号码,姓名,计划生育特殊家庭,失智,死亡日期,起始日期,终止日期\n" + rows,
        fmt::format("卫健-{}.csv", recorded), "卫健", kToday);
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    ASSERT_TRUE(feed->problems.empty());
    ASSERT_TRUE(reg_->Import(*feed, D(recorded)).ok());
  }

  fs::path WriteFile(const std::string& name, const std::string& text) {
    fs::path p = fs::temp_directory_path() / fmt::format("{}_{}", getpid(), name);
    std::ofstream(p, std::ios::binary) << text;
    files_.push_back(p);
    return p;
  }

  registry::TestDatabase db_;
  std::string url_;
  std::vector<fs::path> files_;
  std::unique_ptr<registry::Registry> reg_;
  std::unique_ptr<AssessmentStore> store_;

 public:
  ~AssessStoreTest() override {
    for (const fs::path& p : files_) fs::remove(p);
  }
};

TEST_P(AssessStoreTest, ANewAssessmentChangesTheCapabilityLevelTheRegistryResolves) {
  EXPECT_EQ(Fact(kZhang, "capability_level", "2026-02-01"), "-");
  RecordOutcome first = Record(Form(kZhang, "2026-01-10", Reason::kFirst, WithTotal(70)),
                               "2026-01-12");  // level 1
  EXPECT_EQ(first.assessments_added, 1);
  EXPECT_EQ(first.first_id, 1);
  EXPECT_EQ(first.facts_added, 2);  // capability_assessed, capability_level
  EXPECT_EQ(first.persons_added, 0);
  EXPECT_EQ(Fact(kZhang, "capability_level", "2026-02-01"), "1@评估机构");
  EXPECT_EQ(Fact(kZhang, "capability_assessed", "2026-02-01"), "1@评估机构");

  RecordOutcome second = Record(Form(kZhang, "2026-03-15", Reason::kChange, WithTotal(40)),
                                "2026-03-16");  // level 3
  EXPECT_EQ(second.first_id, 2);
  // Old value before the new assessment's date, new after it.
  EXPECT_EQ(Fact(kZhang, "capability_level", "2026-03-14"), "1@评估机构");
  EXPECT_EQ(Fact(kZhang, "capability_level", "2026-03-15"), "3@评估机构");
  // As known before it was recorded, still the old one.
  EXPECT_EQ(Fact(kZhang, "capability_level", "2026-04-01", "2026-03-15"), "1@评估机构");
  // History keeps both.
  auto history = reg_->History(kZhang);
  ASSERT_TRUE(history.ok());
  std::vector<std::string> levels;
  for (const registry::StoredFact& f : *history) {
    if (f.fact == "capability_level")
      levels.push_back(f.value + " " + f.valid_from + ".." + f.valid_to);
  }
  EXPECT_EQ(levels,
            (std::vector<std::string>{"1 2026-01-10..2027-01-09", "3 2026-03-15..2027-03-14"}));
  // The result lapses at the end of its validity.
  EXPECT_EQ(Fact(kZhang, "capability_level", "2027-03-14"), "3@评估机构");
  EXPECT_EQ(Fact(kZhang, "capability_level", "2027-03-15"), "-");
  EXPECT_EQ(Fact(kZhang, "capability_assessed", "2027-03-15"), "-");

  auto records = store_->History(kZhang);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].final_level, 3);
  EXPECT_EQ((*records)[1].total, 40);
  EXPECT_EQ((*records)[1].reason, Reason::kChange);
  EXPECT_EQ((*records)[1].valid_until, D("2027-03-14"));
  EXPECT_EQ((*records)[1].answers.items, WithTotal(40).items);
  EXPECT_EQ((*records)[1].feed_id, second.feed_id);
  EXPECT_EQ((*records)[1].rules, "coma=4;stack=0");
}

TEST_P(AssessStoreTest, RecordingTwiceChangesNothing) {
  FormDocument f = Form(kZhang, "2026-01-10", Reason::kFirst, WithTotal(70));
  Record(f, "2026-01-12");
  auto before = store_->Checksum();
  ASSERT_TRUE(before.ok());
  RecordOutcome again = Record(f, "2026-02-01");
  EXPECT_TRUE(again.already_recorded);
  EXPECT_EQ(again.first_id, 1);
  EXPECT_EQ(*store_->Checksum(), *before);
}

TEST_P(AssessStoreTest, SettingsChangeTheResultAndValidity) {
  FormDocument f = Form(kLi, "2026-01-10", Reason::kFirst, WithTotal(50));
  f.answers.dementia = true;
  f.answers.risk_events[0] = 2;
  Record(f, "2026-01-12", {.rules = {.raises_stack = true}, .validity_months = 24});
  EXPECT_EQ(Fact(kLi, "capability_level", "2026-02-01"), "4@评估机构");
  EXPECT_EQ(Fact(kLi, "capability_level", "2028-01-09"), "4@评估机构");
  EXPECT_EQ(Fact(kLi, "capability_level", "2028-01-10"), "-");
  EXPECT_EQ((*store_->History(kLi))[0].rules, "coma=4;stack=1");
  EXPECT_EQ((*store_->History(kLi))[0].adjustments,
            (std::vector<std::string>{"diagnosis", "care_risk"}));
  EXPECT_EQ(store_->Record(f, {.validity_months = 0}, kToday).status().code(), "assess.setting");
}

TEST_P(AssessStoreTest, DementiaFollowsTheLatestResultWithoutOverrulingHealth) {
  // 卫健 has 张三's diagnosis; an assessment without one does not overrule it.
  ImportHealth(fmt::format("{},张三,,是,,2025-01-01,\n", kZhang), "2026-01-05");
  Record(Form(kZhang, "2026-01-10", Reason::kFirst, WithTotal(70)), "2026-01-12");
  EXPECT_EQ(Fact(kZhang, "dementia", "2026-02-01"), "1@卫健");
  // 李四: diagnosed at one assessment, not at the next: the latest wins.
  FormDocument f = Form(kLi, "2026-01-10", Reason::kFirst, WithTotal(70));
  f.answers.dementia = true;
  Record(f, "2026-01-12");
  EXPECT_EQ(Fact(kLi, "dementia", "2026-02-01"), "1@评估机构");
  EXPECT_EQ(Fact(kLi, "capability_level", "2026-02-01"), "2@评估机构");
  RecordOutcome next =
      Record(Form(kLi, "2026-06-01", Reason::kRequest, WithTotal(70)), "2026-06-02");
  EXPECT_EQ(next.facts_added, 3);
  EXPECT_EQ(Fact(kLi, "dementia", "2026-06-01"), "0@评估机构");
  EXPECT_EQ(Fact(kLi, "dementia", "2026-05-31"), "1@评估机构");
  // For 张三 the same writes 0 over 卫健's 1: the disagreement is queued.
  FormDocument z = Form(kZhang, "2026-02-01", Reason::kChange, WithTotal(60));
  z.answers.dementia = true;
  Record(z, "2026-02-02");
  RecordOutcome later =
      Record(Form(kZhang, "2026-05-01", Reason::kPeriodic, WithTotal(60)), "2026-05-02");
  EXPECT_EQ(later.conflicts_added, 1);
  EXPECT_EQ(Fact(kZhang, "dementia", "2026-05-01"), "0@评估机构");
  auto precedence = reg_->Precedence();
  ASSERT_TRUE(precedence.ok());
  EXPECT_EQ(precedence->at("dementia"), (std::vector<std::string>{"评估机构", "卫健"}));
  EXPECT_EQ(precedence->at("capability_level"), (std::vector<std::string>{"评估机构"}));
  EXPECT_TRUE(reg_->SetPrecedence("capability_level", {"评估机构", "民政"}).ok());
}

TEST_P(AssessStoreTest, ABatchIsImportedWholeOrNotAtAll) {
  std::string a = FormToJson(Form(kZhang, "2025-01-10", Reason::kFirst, WithTotal(70)));
  std::string b = FormToJson(Form(kLi, "2025-02-10", Reason::kFirst, WithTotal(45)));
  std::string c = FormToJson(Form(kWang, "2025-03-10", Reason::kFirst, WithTotal(20)));
  std::string bad =
      Edited(Form(kWang, "2025-03-10", Reason::kFirst, WithTotal(20)), "\"B2.4\":0", "\"B2.4\":5");
  auto before = store_->Checksum();
  auto broken =
      ReadBatchFile(WriteFile("broken.jsonl", a + "\n\n" + bad + "\n" + b + "\n"), kToday);
  ASSERT_TRUE(broken.ok());
  ASSERT_EQ(broken->problems.size(), 1u);
  EXPECT_EQ(broken->problems[0].code(), "assess.range");
  EXPECT_EQ(broken->problems[0].where().line, 3);
  EXPECT_EQ(broken->problems[0].where().field, "B2.4");
  EXPECT_EQ(store_->Import(*broken, {}, kToday).status().code(), "assess.invalid");
  EXPECT_EQ(*store_->Checksum(), *before);

  auto good = ReadBatchFile(WriteFile("good.jsonl", a + "\r\n" + b + "\r\n"), kToday);
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE(good->problems.empty());
  auto out = store_->Import(*good, {}, D("2025-04-01"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->assessments_added, 2);
  EXPECT_EQ(out->facts_added, 4);
  EXPECT_EQ(Fact(kLi, "capability_level", "2025-03-01"), "3@评估机构");
  auto records = store_->History(kLi);
  EXPECT_EQ((*records)[0].row, 2);  // the line in the file
  auto middle = store_->Checksum();
  auto again = store_->Import(*good, {}, D("2025-05-01"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_recorded);
  EXPECT_EQ(*store_->Checksum(), *middle);
  // Another file with the same two and a new one adds the new one only.
  auto more = ReadBatchFile(WriteFile("more.jsonl", b + "\n" + c + "\n" + a + "\n"), kToday);
  auto added = store_->Import(*more, {}, D("2025-05-01"));
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->assessments_added, 1);
  EXPECT_EQ(added->assessments_unchanged, 2);
  EXPECT_EQ(added->first_id, 3);
  EXPECT_EQ(Fact(kWang, "capability_level", "2025-06-01"), "4@评估机构");
}

TEST_P(AssessStoreTest, WorkListsAndCoverage) {
  // On 2026-02-01: 张三 (81) overdue, 李四 (75) due soon, 王五 (96) never
  // assessed though aged 80+, 赵六 (79) needs nothing yet.
  Record(Form(kZhang, "2025-01-10", Reason::kFirst, WithTotal(70)), "2025-01-11");
  Record(Form(kLi, "2025-02-10", Reason::kFirst, WithTotal(50)), "2025-02-11");
  DueOptions options{.as_of = D("2026-02-01"), .known_on = kToday};
  auto report = ComputeDue(*store_, "421300", options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->entries.size(), 3u);
  auto status_of = [&](const DueReport& r, const char* id) -> std::string {
    for (const DueEntry& e : r.entries) {
      if (e.id_number == id) return std::string(DueStatusName(e.status));
    }
    return "-";
  };
  EXPECT_EQ(status_of(*report, kZhang), "已过期");
  EXPECT_EQ(status_of(*report, kLi), "即将到期");
  EXPECT_EQ(status_of(*report, kWang), "从未评估");
  EXPECT_EQ(status_of(*report, kZhao), "-");
  EXPECT_EQ(report->entries[2].need, "80周岁及以上");
  EXPECT_EQ(report->residents_60_plus, 4);
  EXPECT_EQ(report->valid_60_plus, 1);
  ASSERT_EQ(report->coverage.size(), 2u);  // 曾都区 (张三), 广水市 (王五)
  EXPECT_EQ(report->total.cohort, 2);
  EXPECT_EQ(report->total.valid, 0);
  EXPECT_EQ(report->total.ever, 1);

  // A request makes 赵六 due; a new assessment settles 张三.
  ASSERT_TRUE(store_->Request({kZhao, D("2026-01-20"), "家属申请"}, D("2026-01-20")).ok());
  ASSERT_TRUE(store_->Request({kZhao, D("2026-01-20"), "家属申请"}, D("2026-01-21")).ok());
  EXPECT_EQ(store_->Request({"421302194605100045", D("2026-01-20"), ""}, kToday).code(),
            "assess.id");
  Record(Form(kZhang, "2026-01-25", Reason::kPeriodic, WithTotal(68)), "2026-01-26");
  report = ComputeDue(*store_, "421303", options);  // 曾都区: 张三, 赵六
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(status_of(*report, kZhang), "-");
  EXPECT_EQ(status_of(*report, kZhao), "申请复评");
  EXPECT_EQ(report->total.cohort, 1);
  EXPECT_EQ(report->total.valid, 1);
  EXPECT_DOUBLE_EQ(report->total.rate(), 1.0);
  // Assessed after the request: no longer due.
  Record(Form(kZhao, "2026-01-28", Reason::kRequest, WithTotal(80)), "2026-01-28");
  report = ComputeDue(*store_, "421303", options);
  EXPECT_EQ(status_of(*report, kZhao), "-");
  EXPECT_EQ(ComputeDue(*store_, "999999", options).status().code(), "assess.region");
}

TEST_P(AssessStoreTest, MigrationSequencesDoNotCollide) {
  auto versions = [&](const char* table) {
    auto r = reg_->db().QueryAll(fmt::format("SELECT MAX(version) FROM {}", table));
    return r.ok() ? (*r)[0].AsInt(0) : -1;
  };
  EXPECT_EQ(versions("schema_version"),
            static_cast<int64_t>(registry::RegistryMigrations().size()));
  const char* assess = "module_schema WHERE module = 'assess'";
  EXPECT_EQ(versions(assess), static_cast<int64_t>(AssessMigrations().size()));
  // Opening again applies nothing.
  auto again = AssessmentStore::Open(*reg_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(versions(assess), static_cast<int64_t>(AssessMigrations().size()));
}

INSTANTIATE_TEST_SUITE_P(Backends, AssessStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

// --- synthetic histories ---------------------------------------------------------

TEST(SyntheticTest, AGeneratedCityGetsPlausibleHistories) {
  fs::path dir = fs::temp_directory_path() / fmt::format("yanglao_assess_city_{}", getpid());
  gen::GenOptions options{.region = "421300", .seed = 7, .scale = 0.005, .out = dir};
  ASSERT_TRUE(gen::GenerateCity(options).ok());
  auto summary =
      gen::WriteSyntheticAssessments({.feeds_dir = dir, .seed = 7, .as_of = options.as_of});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto batch = ReadBatchFile(summary->file, kToday);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->problems.empty()) << batch->problems[0].ToString();
  EXPECT_EQ(static_cast<int64_t>(batch->forms.size()), summary->assessments);
  EXPECT_GT(summary->people_assessed, 100);
  EXPECT_GT(summary->overdue, 0);
  // Coverage is higher for 80+ than for 60+.
  double all =
      static_cast<double>(summary->valid_60_plus) / static_cast<double>(summary->living_60_plus);
  double old =
      static_cast<double>(summary->valid_80_plus) / static_cast<double>(summary->living_80_plus);
  EXPECT_GT(old, 2 * all);
  // Dates within the three years before the reference date, all levels present.
  std::array<int, kLevelCount> levels{};
  for (const FormDocument& f : batch->forms) {
    EXPECT_LT(*f.header.assessed_on, options.as_of);
    EXPECT_GE(*f.header.assessed_on, options.as_of.AddDays(-3 * 365));
    ++levels[static_cast<size_t>(ScoreForm(f.answers).final_level)];
  }
  for (int n : levels) EXPECT_GT(n, 0);
  // Deterministic.
  auto again = gen::WriteSyntheticAssessments(
      {.feeds_dir = dir, .seed = 7, .as_of = options.as_of, .out = dir / "again.jsonl"});
  ASSERT_TRUE(again.ok());
  auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  EXPECT_EQ(read(summary->file), read(again->file));
  fs::remove_all(dir);
}

// --- the fast work lists against the straightforward computation ------------

std::string DueText(const DueReport& r) {
  std::string out = fmt::format("{} {} residents {} valid {} total {}/{}/{}\n", r.region_code,
                                r.region_name, r.residents_60_plus, r.valid_60_plus, r.total.cohort,
                                r.total.valid, r.total.ever);
  for (const Coverage& c : r.coverage)
    out += fmt::format("county {} {}/{}/{}\n", c.county, c.cohort, c.valid, c.ever);
  auto date = [](const std::optional<CivilDate>& d) { return d ? d->ToString() : "-"; };
  for (const DueEntry& e : r.entries) {
    out += fmt::format("{} {} {} {} {} {} {} {} {} {}\n", e.id_number, e.name, e.age, e.residence,
                       DueStatusName(e.status), date(e.last_assessed), date(e.valid_until),
                       e.last_level, date(e.requested_on), e.need);
  }
  return out;
}

class DueFastTest : public ::testing::TestWithParam<std::string> {
 protected:
  void TearDown() override {
    store_.reset();
    reg_.reset();
    db_.Remove();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  registry::TestDatabase db_;
  fs::path dir_;
  std::unique_ptr<registry::Registry> reg_;
  std::unique_ptr<AssessmentStore> store_;
};

TEST_P(DueFastTest, TheFastListsEqualTheStraightforwardOnAGeneratedCity) {
  db_.SetUp(GetParam(), "yanglao_assess_due");
  if (IsSkipped() || HasFatalFailure()) return;
  auto reg = registry::Registry::Open(db_.url());
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  reg_ = std::move(*reg);
  auto store = AssessmentStore::Open(*reg_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(*store);
  dir_ = fs::temp_directory_path() / fmt::format("yanglao_assess_due_{}", getpid());
  gen::GenOptions g{.region = "421300", .seed = 11, .scale = 0.003, .out = dir_};
  g.threads = 1;
  auto city = gen::GenerateCity(g);
  ASSERT_TRUE(city.ok()) << city.status().ToString();
  for (const auto& [file, rows] : city->rows_per_file) {
    auto feed = registry::ReadFeedFile(dir_ / file, fs::path(file).stem().string(), g.as_of);
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    ASSERT_TRUE(reg_->Import(*feed, g.as_of).ok()) << file;
  }
  auto summary = gen::WriteSyntheticAssessments({.feeds_dir = dir_, .seed = 11, .as_of = g.as_of});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto batch = ReadBatchFile(summary->file, g.as_of);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(store_->Import(*batch, {}, g.as_of.AddDays(1)).ok());
  // Requests: some for assessed people, some for never assessed ones; one
  // answered later by an assessment.
  int requests = 0;
  for (size_t i = 0; i < batch->forms.size() && requests < 20; i += 7, ++requests) {
    const std::string& id = batch->forms[i].header.id_number;
    ASSERT_TRUE(store_->Request({id, g.as_of.AddDays(-10), "申请复评"}, g.as_of).ok());
  }
  int64_t compared = 0;
  for (const char* region : {"421300", "421303", "421381", "421321"}) {
    for (int shift : {0, 40, 400}) {
      DueOptions o{.as_of = g.as_of.AddDays(shift), .known_on = g.as_of.AddDays(shift)};
      SCOPED_TRACE(fmt::format("{} {}", region, o.as_of.ToString()));
      auto fast = ComputeDue(*store_, region, o);
      auto reference = ComputeDueReference(*store_, region, o);
      ASSERT_TRUE(fast.ok()) << fast.status().ToString();
      ASSERT_TRUE(reference.ok()) << reference.status().ToString();
      EXPECT_EQ(DueText(*fast), DueText(*reference));
      compared += static_cast<int64_t>(reference->entries.size());
    }
  }
  // The whole city once (the assessments known), then every region cut from it.
  DueOptions o{.as_of = g.as_of.AddDays(40), .known_on = g.as_of.AddDays(40)};
  auto base = ComputeDueBase(*store_, o);
  ASSERT_TRUE(base.ok());
  auto city_report = ComputeDueReference(*store_, "421300", o);
  ASSERT_TRUE(city_report.ok());
  EXPECT_GT(city_report->entries.size(), 100u);
  for (DueStatus st :
       {DueStatus::kOverdue, DueStatus::kRequested, DueStatus::kDueSoon, DueStatus::kNever}) {
    EXPECT_GT(city_report->Count(st), 0) << DueStatusName(st);
  }
  std::set<std::string> streets;
  for (const DueEntry& e : city_report->entries) streets.insert(e.residence.substr(0, 9));
  for (const std::string& street : streets) {
    auto cut = SliceDue(*base, street);
    auto reference = ComputeDueReference(*store_, street, o);
    ASSERT_TRUE(cut.ok() && reference.ok()) << street;
    EXPECT_EQ(DueText(*cut), DueText(*reference)) << street;
    auto in_place = DueEntriesUnder(*base, RegionTable::Builtin().Find(street)->code);
    EXPECT_EQ(in_place.size(), reference->entries.size()) << street;
  }
  EXPECT_GT(compared, 1000);
  // The watermark moves with a new request and a change of precedence.
  auto w1 = DueWatermark(*store_);
  ASSERT_TRUE(w1.ok());
  EXPECT_EQ(*DueWatermark(*store_), *w1);
  ASSERT_TRUE(
      store_->Request({batch->forms[3].header.id_number, g.as_of, "再次申请"}, g.as_of).ok());
  auto w2 = DueWatermark(*store_);
  ASSERT_TRUE(w2.ok());
  EXPECT_NE(*w2, *w1);
  // The precedence of 失智 reversed: the health department's record first.
  ASSERT_TRUE(reg_->SetPrecedence("dementia", {"卫健", "评估机构"}).ok());
  auto w3 = DueWatermark(*store_);
  ASSERT_TRUE(w3.ok());
  EXPECT_NE(*w3, *w2);
  auto fast = ComputeDue(*store_, "421300", o);
  auto reference = ComputeDueReference(*store_, "421300", o);
  ASSERT_TRUE(fast.ok() && reference.ok());
  EXPECT_EQ(DueText(*fast), DueText(*reference));
}

INSTANTIATE_TEST_SUITE_P(Backends, DueFastTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace yanglao::assess
