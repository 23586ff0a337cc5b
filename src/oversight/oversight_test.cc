// The oversight module: Suizhou's task breakdown tables checked cell by cell
// against the seed's text (a copy in tests/oversight/data/), the loader's
// located errors, and the 双随机、一公开 draw and its verifier.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/file_io.h"
#include "db/migrate.h"
#include "db/test_database.h"
#include "gen/generator.h"
#include "oversight/draw.h"
#include "oversight/publish.h"
#include "oversight/store.h"
#include "oversight/tasks.h"

namespace yanglao::oversight {
namespace {

namespace fs = std::filesystem;

fs::path Source() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return fs::path(src ? src : ".");
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// The seed's annex 2 as rows: year → rows of 6 tab-separated cells, read from
// the committed copy of the seed text with nothing but splitting.
std::map<int, std::vector<std::vector<std::string>>> SeedTables() {
  Result<std::string> text =
      ReadFileBytes(Source() / "tests/oversight/data/suizhou_004_annex2.txt");
  EXPECT_TRUE(text.ok());
  std::map<int, std::vector<std::vector<std::string>>> out;
  int year = 0;
  for (const std::string& line : Split(*text, '\n')) {
    size_t at = line.find("任务分解表（");
    if (at != std::string::npos) {
      year = std::stoi(line.substr(at + std::string("任务分解表（").size(), 4));
      continue;
    }
    std::vector<std::string> cells = Split(line, '\t');
    if (cells.size() == 6 && cells[0] != "序号") out[year].push_back(cells);
  }
  return out;
}

TEST(SuizhouTasks, EveryCellIsTheSeedsText) {
  Result<TaskPlan> plan = LoadTaskPlan(Source() / "policies/oversight/suizhou.tasks.yaml");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto seed = SeedTables();
  ASSERT_EQ(seed.size(), 3u);
  // The seed's tables: 21 tasks for 2023, 11 for 2024, and 10 for 2025 (the
  // seed's text ends after task 10 of 2025).
  EXPECT_EQ(seed[2023].size(), 21u);
  EXPECT_EQ(seed[2024].size(), 11u);
  EXPECT_EQ(seed[2025].size(), 10u);
  ASSERT_EQ(plan->tables.size(), 3u);
  int cells = 0;
  for (const auto& [year, rows] : seed) {
    const TaskTable* t = plan->ForYear(year);
    ASSERT_NE(t, nullptr) << year;
    ASSERT_EQ(t->tasks.size(), rows.size()) << year;
    for (size_t i = 0; i < rows.size(); ++i) {
      const Task& task = t->tasks[i];
      const auto& r = rows[i];
      SCOPED_TRACE(testing::Message() << year << " 第 " << r[0] << " 项");
      EXPECT_EQ(std::to_string(task.no), r[0]);
      EXPECT_EQ(task.area_cell, r[1]);
      EXPECT_EQ(task.work, r[2]);
      EXPECT_EQ(task.requirement, r[3]);
      EXPECT_EQ(task.deadline_text, r[4]);
      EXPECT_EQ(task.units_text, r[5]);
      cells += 6;
    }
  }
  EXPECT_EQ(cells, 6 * (21 + 11 + 10));
}

TEST(SuizhouTasks, DerivedFields) {
  Result<TaskPlan> plan = LoadTaskPlan(Source() / "policies/oversight/suizhou.tasks.yaml");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const TaskTable& y2023 = *plan->ForYear(2023);
  // A blank 重点任务 cell continues the row above.
  EXPECT_EQ(y2023.tasks[1].area_cell, "");
  EXPECT_EQ(y2023.tasks[1].area, "提升基本养老服务");
  EXPECT_EQ(y2023.tasks[20].area, "组织保障");
  EXPECT_EQ(y2023.tasks[0].deadline.ToString(), "2023-12-31");
  EXPECT_EQ(y2023.tasks[6].deadline_text, "2023 年 11 月底前");
  EXPECT_EQ(y2023.tasks[6].deadline.ToString(), "2023-11-30");
  EXPECT_EQ(plan->ForYear(2024)->tasks[1].deadline.ToString(), "2024-11-30");
  EXPECT_EQ(y2023.tasks[7].units,
            (std::vector<std::string>{"市委组织部", "市民政局", "市商务局", "市市场监管局",
                                      "市财政局", "各县市区政府及管委会"}));
  EXPECT_EQ(y2023.tasks[19].work, "养老机构综合监管");
}

TEST(Tasks, DeadlineForms) {
  EXPECT_EQ(ParseDeadline("2023 年底前")->ToString(), "2023-12-31");
  EXPECT_EQ(ParseDeadline("2024年2月底前")->ToString(), "2024-02-29");
  EXPECT_EQ(ParseDeadline("2025 年 6 月底前")->ToString(), "2025-06-30");
  for (const char* bad : {"", "年底前", "2023 年", "2023 年 13 月底前", "2023年底前后", "明年"}) {
    Result<CivilDate> d = ParseDeadline(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), "oversight.tasks_deadline");
  }
}

const char* kHead =
    "format: yanglao.tasks/1\ncity: 甲市\njurisdiction: \"421300\"\ndocument: 方案\nsource: 附件\n";

TEST(Tasks, ErrorsAreLocated) {
  struct Case {
    std::string text, field;
    int line;
  } cases[] = {
      {std::string(kHead) + "tables:\n  - year: 2023\n    title: 表\n    tasks:\n      - no: 1\n"
                            "        area: 甲\n        work: 工作\n        requirement: 要求\n"
                            "        deadline: 2023 年中\n        units: 市民政局\n",
       "tables[0].tasks[0].deadline", 14},
      {std::string(kHead) + "tables:\n  - year: 2023\n    title: 表\n    tasks:\n      - no: 2\n"
                            "        area: 甲\n        work: 工作\n        requirement: 要求\n"
                            "        deadline: 2023 年底前\n        units: 市民政局\n",
       "tables[0].tasks[0].no", 10},
      {std::string(kHead) + "tables:\n  - year: 2023\n    title: 表\n    tasks:\n      - no: 1\n"
                            "        work: 工作\n        requirement: 要求\n"
                            "        deadline: 2023 年底前\n        units: 市民政局\n",
       "tables[0].tasks[0].area", 10},
      {std::string(kHead) + "tables:\n  - year: 2023\n    title: 表\n    tasks:\n      - no: 1\n"
                            "        area: 甲\n        work: 工作\n        requirement: \"\"\n"
                            "        deadline: 2024 年底前\n        units: 市民政局\n",
       "tables[0].tasks[0].requirement", 13},
      {std::string(kHead) + "tables:\n  - year: 2023\n    title: 表\n    tasks:\n      - no: 1\n"
                            "        area: 甲\n        work: 工作\n        requirement: 要求\n"
                            "        deadline: 2024 年底前\n        units: 市民政局\n",
       "tables[0].tasks[0].deadline", 14},
      {"format: yanglao.tasks/2\n", "format", 1},
  };
  for (const Case& c : cases) {
    Result<TaskPlan> p = ParseTaskPlan(c.text, "x.tasks.yaml");
    ASSERT_FALSE(p.ok()) << c.field;
    EXPECT_EQ(p.status().code(), "oversight.tasks");
    EXPECT_EQ(p.status().where().file, "x.tasks.yaml");
    EXPECT_EQ(p.status().where().field, c.field) << p.status().ToString();
    EXPECT_EQ(p.status().where().line, c.line) << p.status().ToString();
  }
  Result<TaskPlan> p = ParseTaskPlan("a: [", "y.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), "oversight.tasks");
  EXPECT_GT(p.status().where().line, 0);
}

// --- 双随机、一公开 ---

struct Files {
  std::string institutions, inspectors, conflicts;
};

// 3 counties with 10, 7 and 1 institutions; 12 inspectors; 3 conflicts.
Files Sample() {
  Files f;
  f.institutions = "机构编号,机构名称,区县代码\n";
  const std::pair<const char*, int> counties[] = {{"421302", 10}, {"421321", 7}, {"421381", 1}};
  int n = 0;
  for (auto [county, count] : counties) {
    for (int i = 0; i < count; ++i) {
      ++n;
      f.institutions +=
          "JG" + std::to_string(100 + n) + ",养老机构" + std::to_string(n) + "," + county + "\n";
    }
  }
  f.inspectors = "检查人员编号,姓名,单位\n";
  for (int i = 1; i <= 12; ++i) {
    f.inspectors += "JC" + std::to_string(10 + i) + ",检查员" + std::to_string(i) + ",市民政局\n";
  }
  f.conflicts =
      "检查人员编号,机构编号,原因\nJC11,JG101,曾在该机构任职\nJC12,JG101,亲属在该机构\n"
      "JC13,JG118,曾在该机构任职\n";
  return f;
}

DrawLists Lists(const Files& f) {
  Result<DrawLists> l = ParseDrawLists(f.institutions, "机构.csv", f.inspectors, "检查人员.csv",
                                       f.conflicts, "回避.csv");
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  return *l;
}

DrawParams Params(std::string seed) {
  return DrawParams{
      .seed = std::move(seed), .year = 2024, .share_percent = 40, .inspectors_per_institution = 2};
}

TEST(Draw, TakesTheShareOfEachCountyRoundedUp) {
  Result<Draw> d = ComputeDraw(Params("2024-03-01 福彩3D 第2024054期 开奖号 517"), Lists(Sample()));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::map<std::string, int> per_county;
  std::set<std::string> seen;
  for (const Pick& p : d->picks) {
    ++per_county[p.county];
    EXPECT_TRUE(seen.insert(p.institution).second);
    ASSERT_EQ(p.inspectors.size(), 2u);
    EXPECT_NE(p.inspectors[0], p.inspectors[1]);
  }
  // ceil(10 × 40%) = 4, ceil(7 × 40%) = 3 (2.8 rounded up), ceil(1 × 40%) = 1.
  EXPECT_EQ(per_county["421302"], 4);
  EXPECT_EQ(per_county["421321"], 3);
  EXPECT_EQ(per_county["421381"], 1);
}

TEST(Draw, FollowsThePublishedAlgorithm) {
  // The first institution of county 421381 (its only one) and its inspectors
  // recomputed by hand from the documented keys.
  Files f = Sample();
  DrawLists lists = Lists(f);
  Result<Draw> d = ComputeDraw(Params("种子"), lists);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Pick& last = d->picks.back();
  EXPECT_EQ(last.institution, "JG118");
  std::vector<std::pair<std::string, std::string>> keyed;
  for (const Inspector& p : lists.inspectors) {
    if (p.id == "JC13") continue;  // conflict with JG118
    keyed.emplace_back(Sha256Hex("yanglao-draw/1\n种子\ninspector\nJG118\n" + p.id), p.id);
  }
  std::sort(keyed.begin(), keyed.end());
  EXPECT_EQ(last.inspectors, (std::vector<std::string>{keyed[0].second, keyed[1].second}));
}

TEST(Draw, VerifierRecomputesTheSameDrawFromItsSeed) {
  Files f = Sample();
  Result<Draw> d = ComputeDraw(Params("2024-03-01 第2024054期 517"), Lists(f));
  ASSERT_TRUE(d.ok());
  const std::string published = FormatDraw(*d);
  // A verifier holding only the draw file and the published lists.
  Result<Draw> read = ParseDraw(published, "抽查结果.txt");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  Verdict v = VerifyDraw(*read, Lists(f));
  EXPECT_TRUE(v.same) << v.reason;
  EXPECT_EQ(FormatDraw(*read), published);
}

TEST(Draw, AChangedSeedGivesADifferentDraw) {
  DrawLists lists = Lists(Sample());
  Result<Draw> a = ComputeDraw(Params("2024-03-01 第2024054期 517"), lists);
  Result<Draw> b = ComputeDraw(Params("2024-03-01 第2024054期 518"), lists);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->picks, b->picks);
  // And the same counts per county: only who is drawn changes.
  EXPECT_EQ(a->picks.size(), b->picks.size());
  // The published draw with its seed swapped is no longer consistent.
  Draw swapped = *a;
  swapped.params.seed = b->params.seed;
  Verdict v = VerifyDraw(swapped, lists);
  EXPECT_FALSE(v.same);
}

TEST(Draw, ATamperedDrawFileIsInconsistent) {
  Files f = Sample();
  DrawLists lists = Lists(f);
  Result<Draw> d = ComputeDraw(Params("seed-2024"), lists);
  ASSERT_TRUE(d.ok());
  // An institution swapped for one that was not drawn.
  std::set<std::string> drawn;
  for (const Pick& p : d->picks) drawn.insert(p.institution);
  Draw tampered = *d;
  for (const Institution& i : lists.institutions) {
    if (i.county == tampered.picks[0].county && !drawn.contains(i.id)) {
      tampered.picks[0].institution = i.id;
      break;
    }
  }
  Verdict v = VerifyDraw(*ParseDraw(FormatDraw(tampered), "t.txt"), lists);
  EXPECT_FALSE(v.same);
  EXPECT_NE(v.reason.find("第 1 条不同"), std::string::npos) << v.reason;
  // An inspector replaced.
  tampered = *d;
  tampered.picks[2].inspectors[1] = tampered.picks[2].inspectors[1] == "JC22" ? "JC21" : "JC22";
  EXPECT_FALSE(VerifyDraw(tampered, lists).same);
  // A pick dropped.
  tampered = *d;
  tampered.picks.pop_back();
  EXPECT_FALSE(VerifyDraw(tampered, lists).same);
  // A lower share written into the file.
  tampered = *d;
  tampered.params.share_percent = 30;
  EXPECT_FALSE(VerifyDraw(tampered, lists).same);
  // A list changed after the draw: its digest no longer matches.
  Files changed = f;
  changed.institutions += "JG999,新机构,421302\n";
  Verdict lv = VerifyDraw(*d, Lists(changed));
  EXPECT_FALSE(lv.same);
  EXPECT_NE(lv.reason.find("机构名单"), std::string::npos);
}

TEST(Draw, AConflictedInspectorIsNeverDrawn) {
  Files f = Sample();
  DrawLists lists = Lists(f);
  // Over many seeds, JG101 (conflicts: JC11, JC12) and JG118 (JC13).
  int drawn_101 = 0;
  for (int s = 0; s < 300; ++s) {
    Result<Draw> d = ComputeDraw(Params("seed-" + std::to_string(s)), lists);
    ASSERT_TRUE(d.ok());
    for (const Pick& p : d->picks) {
      for (const std::string& i : p.inspectors) {
        EXPECT_FALSE(p.institution == "JG101" && (i == "JC11" || i == "JC12"));
        EXPECT_FALSE(p.institution == "JG118" && i == "JC13");
      }
      if (p.institution == "JG101") ++drawn_101;
    }
  }
  EXPECT_GT(drawn_101, 50);  // drawn in about 40% of the seeds, so the check means something
  // Too few inspectors left for an institution: a located failure.
  Files few = f;
  few.inspectors = "检查人员编号,姓名,单位\nJC11,检查员1,市民政局\nJC12,检查员2,市民政局\n";
  few.conflicts = "检查人员编号,机构编号,原因\nJC11,JG118,曾在该机构任职\n";
  Result<Draw> d = ComputeDraw(Params("x"), Lists(few));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), "oversight.too_few_inspectors");
  EXPECT_EQ(d.status().where().value, "JG118");
}

TEST(Draw, ListAndFileErrorsAreLocated) {
  Files f = Sample();
  f.institutions += "JG101,重复,421302\n";
  Result<DrawLists> l =
      ParseDrawLists(f.institutions, "机构.csv", f.inspectors, "人员.csv", f.conflicts, "回避.csv");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), "oversight.list");
  EXPECT_EQ(l.status().where().file, "机构.csv");
  EXPECT_EQ(l.status().where().line, 20);
  f = Sample();
  f.conflicts += "JC99,JG101,无此人\n";
  l = ParseDrawLists(f.institutions, "机构.csv", f.inspectors, "人员.csv", f.conflicts, "回避.csv");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().where().file, "回避.csv");
  EXPECT_EQ(l.status().where().line, 5);

  Result<Draw> d =
      ParseDraw("yanglao-draw/1\nseed\tx\nyear\t2024\nshare_percent\tforty\n", "d.txt");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), "oversight.draw_file");
  EXPECT_EQ(d.status().where().line, 4);
  d = ParseDraw("hello\n", "d.txt");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().where().line, 1);
}

TEST(DrawPolicy, SuizhouShareIsTheSeeds) {
  Result<DrawPolicy> p = LoadDrawPolicy(Source() / "policies/oversight/suizhou.draw.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->share_percent, 40);
  EXPECT_EQ(p->jurisdiction, "421300");
  // The quote is the seed's cell, word for word.
  auto seed = SeedTables();
  EXPECT_EQ(seed[2023][19][3], p->quote);
  EXPECT_EQ(seed[2024][9][3], p->quote);
  Result<Draw> d = ComputeDraw(Params("s"), Lists(Sample()));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(CheckPolicy(*d, *p).same);
  d->params.share_percent = 30;
  EXPECT_FALSE(CheckPolicy(*d, *p).same);
}

// --- Small-cell suppression ---

TEST(Publish, WithholdsSmallCellsAndOneMoreWhenATotalWouldGiveThemAway) {
  std::vector<PublishedCell> c =
      Suppress({{"甲街道", 25}, {"乙街道", 4}, {"丙街道", 12}, {"丁街道", 0}}, 10);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].people, 25);
  EXPECT_FALSE(c[1].people.has_value());  // 4 < 10
  EXPECT_FALSE(c[2].people.has_value());  // 12: the smallest other, else 4 = total − 25 − 12 − 0
  EXPECT_TRUE(c[2].complementary);
  EXPECT_EQ(c[3].people, 0);  // zero reveals no one
  // Two small cells already hide each other.
  c = Suppress({{"甲", 30}, {"乙", 3}, {"丙", 5}}, 10);
  EXPECT_EQ(c[0].people, 30);
  EXPECT_FALSE(c[1].people || c[2].people);
  // A group whose total is below the threshold publishes nothing.
  c = Suppress({{"甲", 6}, {"乙", 0}}, 10);
  EXPECT_FALSE(c[0].people.has_value());
  // Without a published total, no complementary cell.
  c = Suppress({{"甲", 25}, {"乙", 4}, {"丙", 12}}, 10, false);
  EXPECT_EQ(c[2].people, 12);
}

TEST(Publish, PolicyFile) {
  Result<PublicationPolicy> p =
      LoadPublicationPolicy(Source() / "policies/oversight/publication.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->min_people, 10);
  Result<PublicationPolicy> bad =
      ParsePublicationPolicy("format: yanglao.publication/1\nmin_people: 0\nbasis: x\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "oversight.publication_policy");
  EXPECT_EQ(bad.status().where().line, 2);
}

// Over a generated city: 特困 people per street (街道/乡镇) in each county, as a
// public page would show them. No published figure is below 10 people, and no
// withheld figure can be recovered from the county's total.
TEST(Publish, NoPublishedFigureBelowTenOverTheGeneratedCity) {
  Result<PublicationPolicy> policy =
      LoadPublicationPolicy(Source() / "policies/oversight/publication.yaml");
  ASSERT_TRUE(policy.ok());
  const fs::path dir = fs::temp_directory_path() / ("oversight-city-" + std::to_string(getpid()));
  gen::GenOptions o;
  o.region = "421300";
  o.seed = 7;
  o.scale = 0.05;
  o.out = dir;
  o.threads = 1;
  Result<gen::GenSummary> sum = gen::GenerateCity(o);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();

  auto read = [&](const char* file) {
    Result<std::string> text = ReadFileBytes(dir / file);
    EXPECT_TRUE(text.ok());
    return *text;
  };
  std::set<std::string> tekun;
  {
    std::string text = read("民政.csv");
    CsvReader r(text, "民政.csv");
    CsvRow row;
    ASSERT_TRUE(*r.Next(row));
    ASSERT_EQ(row.fields[5], "特困");
    while (*r.Next(row)) {
      if (row.fields[5] == "分散供养" || row.fields[5] == "集中供养") tekun.insert(row.fields[0]);
    }
  }
  std::map<std::string, std::map<std::string, int64_t>> by_county;  // county → street → people
  {
    std::string text = read("公安.csv");
    CsvReader r(text, "公安.csv");
    CsvRow row;
    ASSERT_TRUE(*r.Next(row));
    ASSERT_EQ(row.fields[5], "居住地");
    while (*r.Next(row)) {
      const std::string& place = row.fields[5];
      if (place.size() < 9) continue;
      int64_t& n = by_county[place.substr(0, 6)][place.substr(0, 9)];
      if (tekun.contains(row.fields[0])) ++n;
    }
  }
  fs::remove_all(dir);
  ASSERT_GE(by_county.size(), 3u);
  int published = 0, withheld = 0;
  for (const auto& [county, streets] : by_county) {
    std::vector<std::pair<std::string, int64_t>> counts(streets.begin(), streets.end());
    int64_t total = 0;
    for (const auto& [s, n] : counts) total += n;
    std::vector<PublishedCell> cells = Suppress(counts, policy->min_people);
    int64_t shown = 0;
    int hidden = 0;
    for (const PublishedCell& c : cells) {
      if (c.people) {
        EXPECT_TRUE(*c.people == 0 || *c.people >= policy->min_people) << county << " " << c.label;
        shown += *c.people;
        if (*c.people > 0) ++published;
      } else {
        ++hidden;
        ++withheld;
      }
    }
    EXPECT_NE(hidden, 1) << county;  // one hidden cell would be total − shown
    if (hidden > 0) {
      EXPECT_GE(total - shown, policy->min_people) << county;
    }
  }
  EXPECT_GT(published, 0);  // non-zero figures were published
  EXPECT_GT(withheld, 0);   // and the rule had work to do
}

// --- The store, on both back ends ---

class OversightStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_oversight");
    if (IsSkipped() || HasFatalFailure()) return;
    Result<std::unique_ptr<db::Database>> d = db::Database::Open(db_.url());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    database_ = std::move(*d);
    ASSERT_TRUE(db::MigrateAll(*database_, {OversightSchema()}).ok());
    store_ = std::make_unique<OversightStore>(*database_);
  }
  void TearDown() override {
    store_.reset();
    database_.reset();
  }
  db::TestDatabase db_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<OversightStore> store_;
};

TEST_P(OversightStoreTest, ImportsThePlanOnceAndTracksProgress) {
  Result<TaskPlan> plan = LoadTaskPlan(Source() / "policies/oversight/suizhou.tasks.yaml");
  ASSERT_TRUE(plan.ok());
  Result<PlanImport> first = store_->PutPlan(*plan);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->added, 42);
  Result<PlanImport> again = store_->PutPlan(*plan);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->unchanged, 42);
  TaskPlan changed = *plan;
  changed.tables[1].tasks[1].requirement = "完成不低于950户改造任务";
  Result<PlanImport> third = store_->PutPlan(changed);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->updated, 1);
  ASSERT_TRUE(store_->PutPlan(*plan).ok());

  Result<std::vector<StoredTask>> y2023 = store_->Tasks("421300", 2023);
  ASSERT_TRUE(y2023.ok());
  ASSERT_EQ(y2023->size(), 21u);
  const StoredTask& adapt = (*y2023)[6];
  EXPECT_EQ(adapt.requirement, "完成改造任务 961 户");
  EXPECT_EQ(adapt.deadline.ToString(), "2023-11-30");
  EXPECT_EQ(store_->Tasks("421300")->size(), 42u);

  const CivilDate oct = *CivilDate::FromYmd(2023, 10, 15);
  EXPECT_EQ(StateOn(adapt, std::nullopt, oct), TaskState::kNoReport);
  ProgressReport r{.task_id = adapt.id,
                   .client_id = "r-1",
                   .reported_on = oct,
                   .unit = "市民政局",
                   .status = "at_risk",
                   .note = "已完成 600 户"};
  Result<int64_t> id = store_->AddProgress(r);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Result<int64_t> twice = store_->AddProgress(r);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*twice, *id);
  Result<std::vector<ProgressReport>> reports = store_->Progress(adapt.id);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ(reports->back().note, "已完成 600 户");
  EXPECT_EQ(StateOn(adapt, reports->back(), oct), TaskState::kAtRisk);
  EXPECT_EQ(StateOn(adapt, reports->back(), *CivilDate::FromYmd(2023, 12, 1)), TaskState::kOverdue);
  ProgressReport done = r;
  done.client_id = "r-2";
  done.status = "done";
  done.evidence_name = "验收清单.pdf";
  done.evidence_sha256 = Sha256Hex("验收清单");
  ASSERT_TRUE(store_->AddProgress(done).ok());
  EXPECT_EQ(StateOn(adapt, store_->Progress(adapt.id)->back(), *CivilDate::FromYmd(2024, 1, 5)),
            TaskState::kDone);

  ProgressReport lost = r;
  lost.client_id = "r-3";
  lost.task_id = 999999;
  Result<int64_t> nf = store_->AddProgress(lost);
  ASSERT_FALSE(nf.ok());
  EXPECT_EQ(nf.status().code(), "oversight.not_found");
  EXPECT_EQ(nf.status().category(), ErrorCategory::kNotFound);
  ProgressReport odd = r;
  odd.client_id = "r-4";
  odd.status = "finished";
  Result<int64_t> bad = store_->AddProgress(odd);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where().field, "status");
  EXPECT_EQ(store_->Progress(adapt.id)->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, OversightStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace yanglao::oversight
