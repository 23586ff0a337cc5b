// The statistics report over a generated city, on both back ends: its
// figures against the stores read independently, no published count of
// people below the threshold, the same digest from the same stored state
// after a later import, and the PDF (rendered to PNG by pdftoppm, read back
// by pdftotext) and XLSX files.
#include "oversight/report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/file_io.h"
#include "db/test_database.h"
#include "entitle/run.h"
#include "facility/policy.h"
#include "oversight/indicators.h"
#include "oversight/tasks.h"
#include "oversight/test_city.h"
#include "registry/feed_file.h"
#include "xlsx/xlsx.h"

namespace yanglao::oversight {
namespace {

namespace fs = std::filesystem;
using testing::SourceDir;

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

const Indicator* Find(const PeriodReport& r, std::string_view key) {
  for (const Indicator& i : r.indicators)
    if (i.key == key) return &i;
  return nullptr;
}

class ReportTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const db::TestDatabase* city = testing::SharedCity(GetParam(), "yanglao_oversight_report");
    if (city == nullptr) return;
    list_ = testing::SuizhouList();
    dir_ = fs::temp_directory_path() / ("oversight-report-" + std::to_string(getpid()));
    Result<std::unique_ptr<registry::Registry>> r = registry::Registry::Open(city->url());
    ASSERT_TRUE(r.ok());
    reg_ = std::move(*r);
    Result<PublicationPolicy> pub =
        LoadPublicationPolicy(SourceDir() / "policies/oversight/publication.yaml");
    ASSERT_TRUE(pub.ok());
    pub_ = *pub;
    fs::create_directories(dir_);
  }
  void TearDown() override {
    reg_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ReportOptions Options(const char* period) {
    ReportOptions o{.jurisdiction = "421300", .list = &list_.list, .publication = pub_};
    o.period = *ParsePeriod(period);
    return o;
  }
  policy::LoadedList list_;
  fs::path dir_;
  std::unique_ptr<registry::Registry> reg_;
  PublicationPolicy pub_;
};

TEST(ReportPeriod, YearQuarterMonth) {
  Result<Period> y = ParsePeriod("2026");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->start().ToString(), "2026-01-01");
  EXPECT_EQ(y->end().ToString(), "2026-12-31");
  EXPECT_EQ(y->kind, "年报");
  Result<Period> q = ParsePeriod("2026-q2");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->text, "2026-Q2");
  EXPECT_EQ(q->label, "2026 年第二季度");
  EXPECT_EQ(q->end().ToString(), "2026-06-30");
  Result<Period> m = ParsePeriod("2026-02");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->end().ToString(), "2026-02-28");
  EXPECT_EQ(m->kind, "月报");
  for (const char* bad : {"", "26", "2026-Q5", "2026-13", "2026/03", "二〇二六"}) {
    Result<Period> p = ParsePeriod(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), "oversight.period");
    EXPECT_EQ(p.status().where().field, "period");
  }
}

TEST_P(ReportTest, FiguresComeFromTheStoresAndNoCountBelowTheThreshold) {
  Result<PeriodReport> r = BuildReport(*reg_, Options("2026-Q1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->title, "随州市养老服务统计季报（2026 年第一季度）");
  ASSERT_EQ(r->runs.size(), 3u);
  // People served: the distinct people of the March run, read from the run store.
  entitle::RunStore runs(*reg_);
  std::optional<entitle::RunRecord> march = *runs.Find("421300", "2026-03");
  ASSERT_TRUE(march.has_value());
  std::set<std::string> ids;
  Result<std::vector<entitle::RunLine>> lines = runs.Lines(march->id);
  ASSERT_TRUE(lines.ok());
  std::set<std::string> under_60;  // at the quarter's end, from the ID number's birth date
  for (const entitle::RunLine& l : *lines) {
    ids.insert(l.id_number);
    const CivilDate birth = *CivilDate::ParseCompact(l.id_number.substr(6, 8));
    if (AgeOn(birth, *CivilDate::Parse("2026-03-31")) < 60) under_60.insert(l.id_number);
  }
  ASSERT_GT(ids.size(), 100u);
  EXPECT_EQ(Find(*r, "served")->value, std::to_string(ids.size()) + " 人");
  // The served count can exceed the 60+ count: it says by how many people.
  ASSERT_GE(under_60.size(), 10u);
  EXPECT_NE(Find(*r, "served")->basis.find(fmt::format("不满 60 周岁的 {} 人", under_60.size())),
            std::string::npos)
      << Find(*r, "served")->basis;
  // Institutions: the facility store's rows of that kind.
  facility::FacilityStore fstore(reg_->db());
  int64_t institutions = 0, beds = 0, nursing = 0;
  Result<std::vector<facility::Facility>> facilities = fstore.Facilities("4213");
  ASSERT_TRUE(facilities.ok());
  for (const facility::Facility& f : *facilities) {
    if (!f.active()) continue;
    if (f.kind == facility::Kind::kInstitution) ++institutions;
    if (f.kind == facility::Kind::kInstitution || f.kind == facility::Kind::kComplex) {
      beds += f.beds;
      nursing += f.nursing_beds;
    }
  }
  ASSERT_GT(institutions, 0);
  EXPECT_EQ(Find(*r, "institutions")->value, std::to_string(institutions) + " 家");
  EXPECT_EQ(Find(*r, "nursing_bed_share")->basis,
            "护理型床位 " + std::to_string(nursing) + " / 床位 " + std::to_string(beds));
  // Beds per 1,000 people aged 60+: the generator scales each site's beds
  // with the city's population, so the small test city shows what a whole
  // city would (before, its full-scale beds over a small city's people gave
  // more beds than people: 1,807.7 per 1,000).
  EXPECT_NE(Find(*r, "beds_per_1000")->basis.find("床位 " + std::to_string(beds) + " / "),
            std::string::npos);
  const double per_1000 = std::stod(Find(*r, "beds_per_1000")->value);
  EXPECT_GT(per_1000, 5.0) << Find(*r, "beds_per_1000")->basis;
  EXPECT_LT(per_1000, 80.0) << Find(*r, "beds_per_1000")->basis;

  // No count of people below the threshold in the people columns of the tables.
  ASSERT_EQ(r->tables.size(), 4u);
  const std::vector<std::pair<size_t, std::vector<size_t>>> people_columns = {
      {0, {2, 3, 4, 5, 6}}, {1, {2}}, {2, {3}}};
  int published = 0;
  for (const auto& [t, cols] : people_columns) {
    for (const auto& row : r->tables[t].rows) {
      for (size_t c : cols) {
        const std::string& cell = row[c];
        if (cell == "<阈值") continue;
        const int64_t n = std::stoll(cell);
        EXPECT_TRUE(n == 0 || n >= pub_.min_people)
            << r->tables[t].title << " " << row[0] << " " << cell;
        if (n > 0) ++published;
      }
    }
  }
  EXPECT_GT(published, 20);
  EXPECT_GT(r->withheld, 0);  // a small city: the rule has work to do
}

TEST_P(ReportTest, TheSameStoredStateGivesTheSameReport) {
  Result<PeriodReport> first = BuildReport(*reg_, Options("2026"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // A death recorded in 2027 does not change the 2026 report read as known
  // on 2026-12-31, but does when read as known later.
  std::string someone;
  {
    entitle::RunStore runs(*reg_);
    someone = (*runs.Lines(runs.Find("421300", "2026-03")->value().id))[0].id_number;
  }
  auto feed =
      registry::ReadFeedCsv("公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n" +
                                someone + ",某,421303001001,421303001001,2026-06-01,2026-06-01,\n",
                            "公安-2027.csv", "公安", *CivilDate::FromYmd(2027, 1, 5));
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_TRUE(reg_->Import(*feed, *CivilDate::FromYmd(2027, 1, 5)).ok());
  Result<PeriodReport> again = BuildReport(*reg_, Options("2026"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->digest, first->digest);
  EXPECT_EQ(again->digest, ReportDigest(*again));
  ReportOptions later = Options("2026");
  later.known_on = *CivilDate::FromYmd(2027, 1, 31);
  Result<PeriodReport> changed = BuildReport(*reg_, later);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->digest, first->digest);
}

TEST_P(ReportTest, PdfRendersInChineseAndXlsxReadsBack) {
  Result<PeriodReport> r = BuildReport(*reg_, Options("2026"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const fs::path pdf = dir_ / "report.pdf";
  ASSERT_TRUE(WriteReportPdf(*r, pdf).ok());
  // Pages: the tables run over more than one page, each numbered.
  const std::string info = Shell("pdfinfo '" + pdf.string() + "'");
  const size_t at = info.find("Pages:");
  ASSERT_NE(at, std::string::npos) << info;
  const int pages = std::stoi(info.substr(at + 6));
  EXPECT_GE(pages, 2);
  const size_t title = info.find("Title:");
  ASSERT_NE(title, std::string::npos);
  const size_t at_title = info.find("随州市养老服务统计年报（2026 年）", title);
  EXPECT_LT(at_title, info.find('\n', title)) << info;
  // The text layer: the Chinese title, a known figure, the page numbers.
  const std::string text = Shell("pdftotext -layout '" + pdf.string() + "' -");
  EXPECT_NE(text.find("随州市养老服务统计年报（2026 年）"), std::string::npos)
      << text.substr(0, 400);
  EXPECT_NE(text.find(Find(*r, "nursing_bed_share")->value), std::string::npos);
  EXPECT_NE(text.find(Find(*r, "served")->value), std::string::npos);
  EXPECT_NE(text.find("护理型床位占比"), std::string::npos);
  std::string packed;  // -layout pads wide glyph gaps with spaces
  for (char c : text)
    if (c != ' ') packed.push_back(c);
  EXPECT_NE(packed.find("第1页共" + std::to_string(pages) + "页"), std::string::npos)
      << text.substr(text.size() > 600 ? text.size() - 600 : 0);
  // Page 1 as an image (grey PGM, 60 dpi): ink on a white page.
  const fs::path png = dir_ / "page";
  ASSERT_EQ(
      std::system(
          ("pdftoppm -f 1 -l 1 -r 60 -png '" + pdf.string() + "' '" + png.string() + "'").c_str()),
      0);
  fs::path first_png;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().extension() == ".png") first_png = e.path();
  ASSERT_FALSE(first_png.empty());
  EXPECT_GT(fs::file_size(first_png), 5000u);
  ASSERT_EQ(std::system(("pdftoppm -f 1 -l 1 -r 60 -gray '" + pdf.string() + "' '" +
                         (dir_ / "grey").string() + "'")
                            .c_str()),
            0);
  fs::path pgm;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().extension() == ".pgm") pgm = e.path();
  ASSERT_FALSE(pgm.empty());
  std::ifstream in(pgm, std::ios::binary);
  std::string magic;
  int w = 0, h = 0, maxv = 0;
  in >> magic >> w >> h >> maxv;
  in.get();
  ASSERT_EQ(magic, "P5");
  EXPECT_NEAR(w, 496, 2);  // A4 (210 mm) at 60 dpi
  std::string pixels((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(pixels.size(), static_cast<size_t>(w) * static_cast<size_t>(h));
  size_t dark = 0, white = 0;
  for (char c : pixels) {
    const auto v = static_cast<unsigned char>(c);
    dark += v < 100;
    white += v > 240;
  }
  EXPECT_GT(dark, pixels.size() / 100);  // text and rules
  EXPECT_GT(white, pixels.size() / 2);   // on a white page

  const fs::path book = dir_ / "report.xlsx";
  ASSERT_TRUE(WriteReportXlsx(*r, book).ok());
  Result<xlsx::Sheet> sheet = xlsx::ReadFirstSheet(book);
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->name, "主要指标");
  ASSERT_GT(sheet->rows.size(), 5u);
  EXPECT_EQ(sheet->rows[0][0], "指标");
  bool found = false;
  for (const auto& row : sheet->rows) {
    if (row.size() >= 2 && row[0] == "护理型床位占比") {
      EXPECT_EQ(row[1], Find(*r, "nursing_bed_share")->value);
      found = true;
    }
    if (row.size() >= 2 && row[0] == "校验值") {
      EXPECT_EQ(row[1], r->digest);
    }
  }
  EXPECT_TRUE(found);
}

// --- Live indicators of the task tables ---

namespace live {

using yanglao::oversight::testing::SourceDir;

TEST(TaskIndicators, SuizhouLinksQuoteTheirTasks) {
  Result<IndicatorPolicy> p =
      LoadIndicatorPolicy(SourceDir() / "policies/oversight/suizhou.indicators.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Result<TaskPlan> plan = LoadTaskPlan(SourceDir() / "policies/oversight/suizhou.tasks.yaml");
  ASSERT_TRUE(plan.ok());
  Result<facility::FacilityPolicy> fac =
      facility::LoadFacilityPolicy(SourceDir() / "policies/facility/suizhou.yaml");
  ASSERT_TRUE(fac.ok());
  EXPECT_EQ(p->at_risk_days, 90);
  ASSERT_EQ(p->links.size(), 14u);
  for (const IndicatorLink& l : p->links) {
    const TaskTable* t = plan->ForYear(l.year);
    ASSERT_NE(t, nullptr) << l.year;
    ASSERT_LE(l.no, static_cast<int>(t->tasks.size()));
    const Task& task = t->tasks[static_cast<size_t>(l.no - 1)];
    // The quoted words are in the task's 工作要求 cell as written.
    EXPECT_NE(task.requirement.find(l.quote), std::string::npos) << l.year << "-" << l.no;
    if (l.indicator.starts_with("facility:")) {
      bool found = false;
      for (const facility::Target& target : fac->targets)
        found |= "facility:" + target.id == l.indicator;
      EXPECT_TRUE(found) << l.indicator;
    }
  }
}

TEST(TaskIndicators, ErrorsAreLocated) {
  const std::string head =
      "format: yanglao.task_indicators/1\njurisdiction: \"421300\"\nat_risk_days: 90\n";
  Result<IndicatorPolicy> bad = ParseIndicatorPolicy(
      head + "links:\n  - {year: 2023, no: 5, indicator: bed_ratio, min: 0.9, quote: x}\n",
      "i.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "oversight.indicators");
  EXPECT_EQ(bad.status().where().field, "links[0].indicator");
  EXPECT_EQ(bad.status().where().line, 5);
  Result<IndicatorPolicy> nomin = ParseIndicatorPolicy(
      head + "links:\n  - {year: 2023, no: 5, indicator: canteens, quote: x}\n", "i.yaml");
  ASSERT_FALSE(nomin.ok());
  EXPECT_EQ(nomin.status().where().field, "links[0].min");
  Result<IndicatorPolicy> days = ParseIndicatorPolicy(
      "format: yanglao.task_indicators/1\njurisdiction: \"421300\"\nat_risk_days: -3\nlinks: []\n",
      "i.yaml");
  ASSERT_FALSE(days.ok());
  EXPECT_EQ(days.status().where().field, "at_risk_days");
}

TEST(TaskIndicators, StateFollowsTheLiveFigureAndTheDeadline) {
  StoredTask t{.year = 2024, .no = 5};
  t.deadline = *CivilDate::FromYmd(2024, 12, 31);
  IndicatorLink link{.year = 2024, .no = 5, .indicator = "canteens", .min = 20};
  auto check = [&](double v) {
    LiveCheck c{.link = &link};
    c.value.known = true;
    c.value.value = v;
    c.met = v >= link.min;
    return std::vector<LiveCheck>{c};
  };
  const CivilDate june = *CivilDate::FromYmd(2024, 6, 30), nov = *CivilDate::FromYmd(2024, 11, 1),
                  next = *CivilDate::FromYmd(2025, 1, 1);
  EXPECT_EQ(LiveStateOn(t, check(23), std::nullopt, 90, june), TaskState::kDone);
  EXPECT_EQ(LiveStateOn(t, check(12), std::nullopt, 90, june), TaskState::kOnTrack);
  EXPECT_EQ(LiveStateOn(t, check(12), std::nullopt, 90, nov), TaskState::kAtRisk);
  EXPECT_EQ(LiveStateOn(t, check(12), std::nullopt, 90, next), TaskState::kOverdue);
  // Not known: the latest progress report decides.
  std::vector<LiveCheck> unknown = check(0);
  unknown[0].value.known = false;
  unknown[0].met = false;
  ProgressReport done{.status = "done"};
  EXPECT_EQ(LiveStateOn(t, unknown, done, 90, next), TaskState::kDone);
  EXPECT_EQ(LiveStateOn(t, unknown, std::nullopt, 90, june), TaskState::kNoReport);
}

}  // namespace live

TEST_P(ReportTest, LiveIndicatorsReadTheFacilityStore) {
  Result<facility::FacilityPolicy> fac =
      facility::LoadFacilityPolicy(SourceDir() / "policies/facility/suizhou.yaml");
  ASSERT_TRUE(fac.ok());
  Result<std::unique_ptr<LiveIndicators>> live =
      LiveIndicators::Read(*reg_, *fac, *CivilDate::FromYmd(2026, 3, 15));
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  facility::FacilityStore fstore(reg_->db());
  int64_t canteens = 0;
  std::map<std::string, int64_t> by_county;
  Result<std::vector<facility::Facility>> facilities = fstore.Facilities("4213");
  ASSERT_TRUE(facilities.ok());
  for (const facility::Facility& f : *facilities) {
    if (f.active() && f.kind == facility::Kind::kCanteen) {
      ++canteens;
      ++by_county[f.community.substr(0, 6)];
    }
  }
  ASSERT_GT(canteens, 0);
  EXPECT_EQ((*live)->Value("canteens").numerator, canteens);
  ASSERT_GE((*live)->counties().size(), 3u);
  for (const std::string& c : (*live)->counties()) {
    EXPECT_EQ((*live)->Value("canteens", c).numerator, by_county[c]) << c;
  }
  // Urban day care: communities of the city served by a day-care centre or a
  // complex, over all urban communities — between 0 and 1, both parts known.
  LiveValue day = (*live)->Value("facility:urban_day_care");
  ASSERT_TRUE(day.known) << day.why;
  EXPECT_TRUE(day.share);
  EXPECT_GT(day.denominator, 50);
  EXPECT_GT(day.numerator, 0);
  EXPECT_LE(day.numerator, day.denominator);
  // No roster was saved: the visit rate is not known, and says why.
  LiveValue visits = (*live)->Value("visit_rate");
  EXPECT_FALSE(visits.known);
  EXPECT_EQ((*live)->visit_month(), "2026-02");
  EXPECT_NE(visits.why.find("2026-02"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace yanglao::oversight
