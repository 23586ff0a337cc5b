#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/csv.h"
#include "core/id_number.h"
#include "core/region.h"
#include "gen/calibration.h"
#include "gen/feeds.h"
#include "gen/generator.h"
#include "registry/feed_file.h"

namespace yanglao::gen {
namespace {

namespace fs = std::filesystem;
using registry::FeedTemplate;
using registry::FeedTemplates;

// The column named `header` in `department`'s rows.
size_t Col(Department department, std::string_view header) {
  int i = ColumnIndex(TemplateOf(department), header);
  EXPECT_GE(i, 0) << header;
  return static_cast<size_t>(i);
}

const CivilDate kAsOf = *CivilDate::FromYmd(2026, 1, 1);

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

fs::path TempDir(const std::string& name) {
  // CTest runs each test case in its own process, several at once: one
  // directory per process.
  fs::path dir =
      fs::path(testing::TempDir()) / ("yanglao_gen_test_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

GenOptions Suizhou(const fs::path& out, uint64_t seed = 7) {
  return GenOptions{.region = "421300", .seed = seed, .scale = 0.02, .out = out};
}

// A row read back from a feed.
struct FeedRow {
  int line = 0;
  std::vector<std::string> fields;
};

std::vector<FeedRow> ReadFeed(const fs::path& dir, const FeedTemplate& t, std::string* header) {
  std::string text = ReadFile(dir / FileName(t));
  CsvReader reader(text, FileName(t));
  std::vector<FeedRow> rows;
  CsvRow row;
  bool first = true;
  while (true) {
    Result<bool> more = reader.Next(row);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    if (first) {
      first = false;
      if (header != nullptr) {
        *header = text.substr(0, text.find('\n'));
      }
      continue;
    }
    rows.push_back(FeedRow{row.line, row.fields});
  }
  return rows;
}

// The first problem the importer finds in a row, or nullopt if it is good.
// `warning` receives a note when the row is valid but unusual (a 15-digit
// ID).
std::optional<std::string> Problem(const FeedTemplate& t, const FeedRow& row,
                                   std::string* warning) {
  if (row.fields.size() != t.Header().size()) return "field count";
  std::string text = HeaderLine(t) + "\n";
  for (size_t c = 0; c < row.fields.size(); ++c) {
    text += (c ? "," : "") + CsvEscape(row.fields[c]);
  }
  text += "\n";
  Result<registry::ParsedFeed> feed = registry::ReadFeedCsv(text, FileName(t), t.source, kAsOf);
  if (!feed.ok()) return feed.status().ToString();
  if (!feed->problems.empty()) {
    const registry::RowProblem& p = feed->problems[0];
    return p.code + " " + p.header + " " + p.value;
  }
  if (!feed->warnings.empty() && warning != nullptr) *warning = "id15";
  return std::nullopt;
}

class GenTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(TempDir("suizhou"));
    Result<GenSummary> s = GenerateCity(Suizhou(*dir_));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    summary_ = new GenSummary(*s);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete summary_;
  }
  static fs::path* dir_;
  static GenSummary* summary_;
};
fs::path* GenTest::dir_ = nullptr;
GenSummary* GenTest::summary_ = nullptr;

TEST_F(GenTest, HeadersAreExactlyTheTemplates) {
  // Spelled out as in docs/registry-feeds.md, not derived from the templates.
  const std::map<std::string, std::string> expected = {
      {"公安.csv",
       "公民身份号码,姓名,性别,出生日期,户籍地,居住地,联系电话,户号,死亡日期,起始日期,终止日期"},
      {"民政.csv",
       "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
       "入住养老机构,有赡养能力的赡养人,死亡日期,联系电话,家庭照护者公民身份号码,家庭照护者姓名,"
       "家庭照护者与老年人关系,起始日期,终止日期"},
      {"人社.csv", "公民身份号码,姓名,养老保险,符合领取条件,起始日期,终止日期"},
      {"卫健.csv", "公民身份号码,姓名,计划生育特殊家庭,失智,死亡日期,起始日期,终止日期"},
      {"医保.csv", "公民身份号码,姓名,需要长期照护,起始日期,终止日期"},
      {"残联.csv",
       "公民身份号码,姓名,残疾类别,残疾等级,残疾证有效期至,需要长期照护,起始日期,终止日期"},
      {"退役军人.csv",
       "公民身份号码,姓名,烈士遗属,因公牺牲军人遗属,病故军人遗属,残疾军人,复员军人,退役军人,"
       "现役军人家属,享受定期抚恤补助,起始日期,终止日期"},
  };
  ASSERT_EQ(FeedTemplates().size(), expected.size());
  for (const FeedTemplate& t : FeedTemplates()) {
    std::string text = ReadFile(*dir_ / FileName(t));
    ASSERT_FALSE(text.empty()) << FileName(t);
    EXPECT_FALSE(text.starts_with("\xEF\xBB\xBF")) << "no BOM";
    EXPECT_EQ(text.find('\r'), std::string::npos) << "LF line ends only";
    EXPECT_TRUE(text.ends_with("\n"));
    EXPECT_EQ(text.substr(0, text.find('\n')), expected.at(FileName(t)));
    EXPECT_EQ(HeaderLine(t), expected.at(FileName(t)));
  }
  EXPECT_TRUE(fs::exists(*dir_ / "manifest.yaml"));
  // Some older people who need care have a family carer on record (issue 14).
  std::string civil = ReadFile(*dir_ / "民政.csv");
  size_t carers = 0;
  for (std::string_view r : {",配偶,", ",子女,", ",子女配偶,"}) {
    for (size_t at = civil.find(r); at != std::string::npos; at = civil.find(r, at + 1)) ++carers;
  }
  EXPECT_GT(carers, 0u);
}

TEST_F(GenTest, EveryRowIsValidAndEveryoneIsInPublicSecurity) {
  std::set<std::string> people;
  std::map<std::string, int64_t> rows;
  for (const FeedTemplate& t : FeedTemplates()) {
    // The whole file, as the importer reads it (duplicates included).
    Result<registry::ParsedFeed> whole =
        registry::ReadFeedFile(*dir_ / FileName(t), t.source, kAsOf);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    EXPECT_TRUE(whole->problems.empty())
        << FileName(t) << ":" << whole->problems[0].row << " " << whole->problems[0].message;
    std::vector<FeedRow> feed = ReadFeed(*dir_, t, nullptr);
    rows[FileName(t)] = static_cast<int64_t>(feed.size());
    const FeedRow* previous = nullptr;
    for (const FeedRow& row : feed) {
      std::string warning;
      std::optional<std::string> problem = Problem(t, row, &warning);
      ASSERT_FALSE(problem) << FileName(t) << ":" << row.line << " " << *problem;
      EXPECT_TRUE(warning.empty()) << FileName(t) << ":" << row.line << " 15-digit ID";
      ASSERT_EQ(row.fields[0].size(), 18u);
      if (previous != nullptr) {
        EXPECT_NE(previous->fields, row.fields) << FileName(t) << ":" << row.line;
      }
      previous = &row;
      if (t.source == "公安") {
        people.insert(row.fields[0]);
      } else {
        EXPECT_TRUE(people.contains(row.fields[0]))
            << FileName(t) << ":" << row.line << " not in 公安.csv";
      }
    }
  }
  EXPECT_EQ(static_cast<int64_t>(people.size()), summary_->people);
  for (const auto& [file, n] : summary_->rows_per_file) EXPECT_EQ(rows[file], n) << file;
  // The living: census population x share 50+ x scale; and those who died
  // during the year.
  EXPECT_NEAR(static_cast<double>(summary_->people - summary_->deaths),
              2047923 * (0.1597 + 0.2042) * 0.02,
              4 * std::sqrt(static_cast<double>(summary_->deaths)) + 2);
}

TEST_F(GenTest, IdNumbersAreUniqueAndPlacesReal) {
  const RegionTable& regions = RegionTable::Builtin();
  const Region* city = regions.Find("4213");
  std::set<std::string> ids;
  int abolished = 0, nonlocal = 0;
  std::vector<FeedRow> feed = ReadFeed(*dir_, TemplateOf(Department::kPublicSecurity), nullptr);
  const size_t kHukou = Col(Department::kPublicSecurity, "户籍地");
  const size_t kResidence = Col(Department::kPublicSecurity, "居住地");
  for (const FeedRow& row : feed) {
    if (row.fields[kHukou].empty()) continue;  // a death row
    ids.insert(row.fields[0]);
    if (row.fields[0].starts_with("421302")) ++abolished;  // 曾都区 before 2009
    const Region* residence = regions.Find(*NormalizeRegionCode(row.fields[kResidence]));
    ASSERT_NE(residence, nullptr);
    EXPECT_TRUE(regions.IsWithin(*residence, *city)) << row.fields[kResidence];
    const Region* hukou = regions.Find(*NormalizeRegionCode(row.fields[kHukou]));
    if (!regions.IsWithin(*hukou, *city)) ++nonlocal;
  }
  EXPECT_EQ(static_cast<int64_t>(ids.size()), summary_->people);
  EXPECT_GT(abolished, 0) << "some 曾都区 IDs keep the abolished code 421302";
  double nonlocal_share = static_cast<double>(nonlocal) / static_cast<double>(ids.size());
  EXPECT_GT(nonlocal_share, 0.02);
  EXPECT_LT(nonlocal_share, 0.12);
}

// Shares in the feeds against the calibration, within sampling error.
TEST_F(GenTest, SharesMatchTheCalibration) {
  const Calibration& cal = BuiltinCalibration();
  const CityCalibration& city = *cal.FindCity("4213");
  const RegionTable& regions = RegionTable::Builtin();
  struct Person {
    int age = 0;
    bool male = false;
    std::optional<bool> urban;
  };
  std::map<std::string, Person> people;
  std::set<std::string> dead;
  const size_t kDeath = Col(Department::kPublicSecurity, "死亡日期");
  const size_t kResidence = Col(Department::kPublicSecurity, "居住地");
  for (const FeedRow& row : ReadFeed(*dir_, TemplateOf(Department::kPublicSecurity), nullptr)) {
    if (!row.fields[kDeath].empty()) {
      dead.insert(row.fields[0]);
      CivilDate d = *CivilDate::Parse(row.fields[kDeath]);
      EXPECT_GE(d, kAsOf.AddYears(-1)) << "deaths are in the year before as_of";
      EXPECT_LT(d, kAsOf);
      continue;
    }
    if (people.contains(row.fields[0])) continue;  // a move: keep the first row
    IdNumber id = *ParseIdNumber(row.fields[0], regions, kAsOf);
    Person p{.age = AgeOn(id.birth_date, kAsOf), .male = id.sex == Sex::kMale};
    const Region* r = regions.Find(row.fields[kResidence]);
    if (r->level == RegionLevel::kVillage) p.urban = r->is_urban_community();
    people[row.fields[0]] = p;
  }
  // Deaths: about the age-specific mortality of this population.
  double expected_deaths = 0;
  for (const auto& [id, p] : people) {
    expected_deaths +=
        cal.mortality_per_1000.At(p.age) / 1000 * cal.mortality_sex_factor.Of(p.male);
  }
  EXPECT_NEAR(static_cast<double>(dead.size()), expected_deaths,
              4 * std::sqrt(expected_deaths) + 2);
  EXPECT_EQ(static_cast<int64_t>(dead.size()), summary_->deaths);
  // The shares are those of the living on as_of.
  for (const std::string& id : dead) people.erase(id);
  int n = static_cast<int>(people.size());
  int n60 = 0, n80 = 0, n5059 = 0, male5059 = 0, urban = 0, placed = 0, urban60 = 0, placed60 = 0;
  for (const auto& [id, p] : people) {
    EXPECT_GE(p.age, 50);
    n60 += p.age >= 60;
    n80 += p.age >= 80;
    if (p.age < 60) {
      ++n5059;
      male5059 += p.male;
    }
    if (p.urban) {
      ++placed;
      urban += *p.urban;
      if (p.age >= 60) {
        ++placed60;
        urban60 += *p.urban;
      }
    }
  }
  auto near = [](double observed, double expected, int sample, const char* what) {
    double se = std::sqrt(expected * (1 - expected) / sample);
    EXPECT_NEAR(observed, expected, 4 * se + 0.002) << what;
  };
  double s50 = cal.share_50_59 + city.share_60_plus;
  near(static_cast<double>(n60) / n, city.share_60_plus / s50, n, "60+");
  near(static_cast<double>(n80) / n, city.share_60_plus * cal.share_80_plus_of_60_plus / s50, n,
       "80+");
  near(static_cast<double>(male5059) / n5059, cal.male_share_by_age.At(55), n5059, "male 50-59");
  double urban_share = city.urbanization * cal.elderly_urban_factor;
  near(static_cast<double>(urban) / placed, urban_share, placed, "urban");

  // 低保 (still on it on as_of) and 特困 among people aged 60+, from 民政.csv.
  std::set<std::string> dibao, tekun;
  const size_t kUntil = Col(Department::kCivilAffairs, "终止日期");
  for (const FeedRow& row : ReadFeed(*dir_, TemplateOf(Department::kCivilAffairs), nullptr)) {
    if (row.fields[2] == "是" && row.fields[kUntil].empty()) dibao.insert(row.fields[0]);
    if (row.fields[5] == "集中供养" || row.fields[5] == "分散供养") {
      tekun.insert(row.fields[0]);
      EXPECT_EQ(row.fields[12], "否") << "特困 only without an able supporter";
      EXPECT_NE(row.fields[2], "是") << "特困 are not on 低保";
    }
  }
  int dibao60 = 0, tekun60 = 0;
  for (const auto& [id, p] : people) {
    if (p.age < 60) continue;
    dibao60 += dibao.contains(id);
    tekun60 += tekun.contains(id);
  }
  double urban60_share = static_cast<double>(urban60) / placed60;
  near(static_cast<double>(dibao60) / n60,
       urban60_share * cal.dibao_60_plus.urban + (1 - urban60_share) * cal.dibao_60_plus.rural, n60,
       "dibao 60+");
  near(static_cast<double>(tekun60) / n60,
       urban60_share * cal.tekun_60_plus.urban + (1 - urban60_share) * cal.tekun_60_plus.rural, n60,
       "tekun 60+");
}

// Deaths reported by 卫健 and 民政 agree with 公安's, except a few that are
// days off; some 低保 periods end during the year; some people move.
TEST_F(GenTest, ConflictsExitsAndMoves) {
  std::map<std::string, CivilDate> deaths;
  std::map<std::string, int> registrations;
  const size_t kDeath = Col(Department::kPublicSecurity, "死亡日期");
  for (const FeedRow& row : ReadFeed(*dir_, TemplateOf(Department::kPublicSecurity), nullptr)) {
    if (!row.fields[kDeath].empty()) {
      deaths[row.fields[0]] = *CivilDate::Parse(row.fields[kDeath]);
    } else {
      ++registrations[row.fields[0]];
    }
  }
  int same = 0, differ = 0;
  for (Department d : {Department::kHealth, Department::kCivilAffairs}) {
    const FeedTemplate& t = TemplateOf(d);
    int death = ColumnIndex(t, "死亡日期");
    for (const FeedRow& row : ReadFeed(*dir_, t, nullptr)) {
      const std::string& v = row.fields[static_cast<size_t>(death)];
      if (v.empty()) continue;
      ASSERT_TRUE(deaths.contains(row.fields[0])) << "a death 公安 does not know";
      int days = CivilDate::Parse(v)->DaysSinceEpoch() - deaths[row.fields[0]].DaysSinceEpoch();
      EXPECT_LE(std::abs(days), 5);
      (days == 0 ? same : differ) += 1;
    }
  }
  EXPECT_GT(same, 20 * differ);
  EXPECT_GT(differ, 0);

  int exits = 0;
  const size_t kUntil = Col(Department::kCivilAffairs, "终止日期");
  for (const FeedRow& row : ReadFeed(*dir_, TemplateOf(Department::kCivilAffairs), nullptr)) {
    if (row.fields[2] == "是" && !row.fields[kUntil].empty()) {
      CivilDate until = *CivilDate::Parse(row.fields[kUntil]);
      EXPECT_GE(until, kAsOf.AddYears(-1));
      ++exits;
    }
  }
  EXPECT_GT(exits, 0);

  int moves = 0;
  for (const auto& [id, n] : registrations) moves += n == 2;
  EXPECT_GT(moves, 0);
  EXPECT_LT(moves, summary_->people / 50);
}

TEST_F(GenTest, LeftBehindOnlyRural) {
  const RegionTable& regions = RegionTable::Builtin();
  std::map<std::string, bool> urban;
  const size_t kResidence = Col(Department::kPublicSecurity, "居住地");
  for (const FeedRow& row : ReadFeed(*dir_, TemplateOf(Department::kPublicSecurity), nullptr)) {
    if (row.fields[kResidence].empty() || urban.contains(row.fields[0])) continue;
    const Region* r = regions.Find(row.fields[kResidence]);
    if (r->level == RegionLevel::kVillage) urban[row.fields[0]] = r->is_urban_community();
  }
  int left_behind = 0;
  for (const FeedRow& row : ReadFeed(*dir_, TemplateOf(Department::kCivilAffairs), nullptr)) {
    if (row.fields[9] != "是") continue;
    ++left_behind;
    auto it = urban.find(row.fields[0]);
    if (it != urban.end()) {
      EXPECT_FALSE(it->second) << row.fields[0];
    }
  }
  EXPECT_GT(left_behind, 0);
}

// Couples share a 户号 and their places; phones and 户号 are what the
// importer accepts; 性别 and 出生日期 restate the ID number.
TEST_F(GenTest, HouseholdsPhonesSexAndBirth) {
  const Department ps = Department::kPublicSecurity;
  const size_t kHousehold = Col(ps, "户号"), kPhone = Col(ps, "联系电话"),
               kHukou = Col(ps, "户籍地"), kResidence = Col(ps, "居住地"), kSex = Col(ps, "性别"),
               kBirth = Col(ps, "出生日期");
  struct Member {
    std::string id, hukou, residence, sex;
    int age = 0;
  };
  std::map<std::string, std::vector<Member>> households;
  std::set<std::string> seen;
  int people = 0, mobiles = 0, landlines = 0;
  for (const FeedRow& row : ReadFeed(*dir_, TemplateOf(ps), nullptr)) {
    IdNumber id = *ParseIdNumber(row.fields[0], RegionTable::Builtin(), kAsOf);
    EXPECT_EQ(row.fields[kSex], id.sex == Sex::kMale ? "男" : "女") << row.line;
    EXPECT_EQ(row.fields[kBirth], id.birth_date.ToString()) << row.line;
    if (row.fields[kHukou].empty() || !seen.insert(row.fields[0]).second) continue;
    ++people;
    const std::string& household = row.fields[kHousehold];
    Result<std::string> h = registry::NormalizeHousehold(household);
    ASSERT_TRUE(h.ok() && *h == household) << household;
    EXPECT_EQ(household.size(), 16u);
    households[household].push_back({row.fields[0], row.fields[kHukou], row.fields[kResidence],
                                     row.fields[kSex], AgeOn(id.birth_date, kAsOf)});
    const std::string& phone = row.fields[kPhone];
    if (phone.empty()) continue;
    Result<std::string> normal = registry::NormalizePhone(phone);
    ASSERT_TRUE(normal.ok() && *normal == phone) << phone;
    (phone.starts_with("0722-") ? landlines : mobiles) += 1;
  }
  int in_couples = 0, gap_years = 0;
  for (const auto& [household, members] : households) {
    ASSERT_LE(members.size(), 2u) << household;
    if (members.size() < 2) continue;
    in_couples += 2;
    const Member &a = members[0], &b = members[1];
    EXPECT_NE(a.sex, b.sex) << household;
    EXPECT_EQ(a.hukou, b.hukou) << household;
    EXPECT_EQ(a.residence, b.residence) << household;
    int gap = a.sex == "男" ? a.age - b.age : b.age - a.age;  // husband's age minus wife's
    EXPECT_GE(gap, -6) << household;
    EXPECT_LE(gap, 13) << household;
    gap_years += gap;
  }
  // Husbands are a little older, on average.
  EXPECT_GT(gap_years, 0);
  EXPECT_LT(gap_years, in_couples / 2 * 5);
  double couple_share = static_cast<double>(in_couples) / people;
  EXPECT_GT(couple_share, 0.4);
  EXPECT_LT(couple_share, 0.9);
  EXPECT_GT(mobiles, people * 7 / 10);
  EXPECT_GT(landlines, 0);
  EXPECT_LT(mobiles + landlines, people);
}

TEST_F(GenTest, DeterministicForASeedWhateverTheThreads) {
  fs::path again = TempDir("again");
  GenOptions options = Suizhou(again);
  options.threads = 1;
  ASSERT_TRUE(GenerateCity(options).ok());
  for (const FeedTemplate& t : FeedTemplates()) {
    EXPECT_TRUE(ReadFile(*dir_ / FileName(t)) == ReadFile(again / FileName(t)))
        << FileName(t) << " differs between two runs";
  }
  EXPECT_EQ(ReadFile(*dir_ / "manifest.yaml"), ReadFile(again / "manifest.yaml"));

  fs::path other = TempDir("other_seed");
  ASSERT_TRUE(GenerateCity(Suizhou(other, 8)).ok());
  EXPECT_NE(ReadFile(*dir_ / "公安.csv"), ReadFile(other / "公安.csv"));
  fs::remove_all(again);
  fs::remove_all(other);
}

TEST(GenDirtyTest, DirtyRowsAreListedAndAllOthersAreGood) {
  fs::path dir = TempDir("dirty");
  GenOptions options = Suizhou(dir);
  options.dirty = true;
  Result<GenSummary> s = GenerateCity(options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_GT(s->dirty_rows, 0);

  // The manifest lists the same rows as the summary.
  YAML::Node manifest = YAML::LoadFile((dir / "manifest.yaml").string());
  ASSERT_EQ(manifest["dirty_list"].size(), s->dirty.size());
  std::map<std::pair<std::string, int64_t>, std::string> listed;
  for (const YAML::Node& d : manifest["dirty_list"]) {
    listed[{d["file"].as<std::string>(), d["line"].as<int64_t>()}] = d["kind"].as<std::string>();
  }
  EXPECT_EQ(listed.size(), s->dirty.size()) << "one dirty entry per line";

  int64_t total_rows = 0;
  std::set<std::string> kinds;
  for (const FeedTemplate& t : FeedTemplates()) {
    const FeedRow* previous = nullptr;
    std::vector<FeedRow> feed = ReadFeed(dir, t, nullptr);
    total_rows += static_cast<int64_t>(feed.size());
    for (const FeedRow& row : feed) {
      std::string warning;
      std::optional<std::string> problem = Problem(t, row, &warning);
      bool duplicate = previous != nullptr && previous->fields == row.fields;
      previous = &row;
      auto it = listed.find({FileName(t), row.line});
      if (it == listed.end()) {
        EXPECT_FALSE(problem) << FileName(t) << ":" << row.line
                              << " bad but not listed: " << *problem;
        EXPECT_TRUE(warning.empty()) << FileName(t) << ":" << row.line;
        EXPECT_FALSE(duplicate) << FileName(t) << ":" << row.line;
        continue;
      }
      kinds.insert(it->second);
      if (it->second == "old_id15") {
        EXPECT_FALSE(problem) << FileName(t) << ":" << row.line << " " << *problem;
        EXPECT_EQ(warning, "id15");
        EXPECT_EQ(row.fields[0].size(), 15u);
      } else if (it->second == "duplicate_row") {
        EXPECT_TRUE(duplicate) << FileName(t) << ":" << row.line;
      } else {
        EXPECT_TRUE(problem) << FileName(t) << ":" << row.line << " listed as " << it->second
                             << " but good";
      }
    }
  }
  EXPECT_EQ(kinds.size(), 8u) << "every kind of dirty row appears";
  double share = static_cast<double>(s->dirty_rows) / static_cast<double>(total_rows);
  EXPECT_GT(share, 0.003);
  EXPECT_LT(share, 0.008);

  // Apart from the listed rows, --dirty changes nothing: line by line, the
  // files equal the clean ones once the duplicates are skipped.
  fs::path clean = TempDir("dirty_clean");
  ASSERT_TRUE(GenerateCity(Suizhou(clean)).ok());
  for (const FeedTemplate& t : FeedTemplates()) {
    std::vector<std::string> clean_lines = Lines(ReadFile(clean / FileName(t)));
    std::vector<std::string> dirty_lines = Lines(ReadFile(dir / FileName(t)));
    size_t j = 0;
    for (size_t i = 0; i < dirty_lines.size(); ++i) {
      auto it = listed.find({FileName(t), static_cast<int64_t>(i) + 1});
      if (it != listed.end() && it->second == "duplicate_row") {
        EXPECT_EQ(dirty_lines[i], dirty_lines[i - 1]);
        continue;
      }
      ASSERT_LT(j, clean_lines.size()) << FileName(t);
      if (it == listed.end()) {
        EXPECT_EQ(dirty_lines[i], clean_lines[j]) << FileName(t) << ":" << i + 1;
      } else {
        EXPECT_NE(dirty_lines[i], clean_lines[j]) << FileName(t) << ":" << i + 1;
      }
      ++j;
    }
    EXPECT_EQ(j, clean_lines.size()) << FileName(t);
  }
  fs::remove_all(dir);
  fs::remove_all(clean);
}

TEST(GenRegionTest, ACountyOfTheRegionTable) {
  fs::path dir = TempDir("chibi");
  Result<GenSummary> s =
      GenerateCity(GenOptions{.region = "421281", .seed = 1, .scale = 0.01, .out = dir});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->region_name, "赤壁市");
  // 赤壁's census population is in the calibration: 470400 x share 50+ x 0.01
  // living on as_of.
  EXPECT_NEAR(static_cast<double>(s->people - s->deaths), 470400 * (0.1597 + 0.2042) * 0.01,
              4 * std::sqrt(static_cast<double>(s->deaths)) + 2);
  const RegionTable& regions = RegionTable::Builtin();
  const Region* chibi = regions.Find("421281");
  const size_t kResidence = Col(Department::kPublicSecurity, "居住地");
  for (const FeedRow& row : ReadFeed(dir, TemplateOf(Department::kPublicSecurity), nullptr)) {
    if (row.fields[kResidence].empty()) continue;
    EXPECT_TRUE(regions.IsWithin(*regions.Find(row.fields[kResidence]), *chibi))
        << row.fields[kResidence];
  }
  fs::remove_all(dir);
}

TEST(GenRegionTest, RegionErrors) {
  fs::path dir = TempDir("errors");
  auto code = [&](std::string region, double scale = 0.01) {
    Result<GenSummary> s =
        GenerateCity(GenOptions{.region = std::move(region), .scale = scale, .out = dir});
    return s.ok() ? std::string("ok") : s.status().code();
  };
  EXPECT_EQ(code("420100"), "gen.no_villages");  // 武汉: no village-level data
  EXPECT_EQ(code("42"), "gen.region");           // a province
  EXPECT_EQ(code("421303001"), "gen.region");    // a street
  EXPECT_EQ(code("abc"), "region.code_format");
  EXPECT_EQ(code("999900"), "gen.region");
  EXPECT_EQ(code("421300", 0), "gen.scale");
  EXPECT_EQ(code("421300", 25), "gen.scale");
  Result<GenSummary> no_out = GenerateCity(GenOptions{.region = "421300", .scale = 0.001});
  ASSERT_FALSE(no_out.ok());
  EXPECT_EQ(no_out.status().code(), "gen.io");
  fs::remove_all(dir);
}

TEST(GenCalibrationTest, BuiltinHasASourceForEveryRate) {
  const Calibration& cal = BuiltinCalibration();
  // The five seed cities and the other prefecture-level units of 湖北.
  EXPECT_EQ(cal.cities.size(), 16u);
  for (const char* code : {"4207", "4213", "4212", "4302", "3206"}) {
    const CityCalibration* city = cal.FindCity(code);
    ASSERT_NE(city, nullptr) << code;
    EXPECT_GT(city->population, 1e6);
    EXPECT_GT(city->share_60_plus, city->share_65_plus);
  }
  EXPECT_EQ(cal.FindCity("4213")->population, 2047923);
  EXPECT_EQ(cal.FindCity("3206")->county_population.size(), 8u);
  EXPECT_EQ(cal.FindCity("4201")->population, 12326518);
  EXPECT_EQ(cal.FindCity("4290")->county_population.size(), 4u);
  int estimates = 0;
  for (const RateInfo& r : cal.rates) {
    EXPECT_FALSE(r.unit.empty()) << r.name;
    EXPECT_FALSE(r.source.empty()) << r.name;
    estimates += r.estimate;
  }
  EXPECT_GT(cal.rates.size(), 60u);
  EXPECT_GT(estimates, 0);
  EXPECT_LT(estimates, static_cast<int>(cal.rates.size()));
}

TEST(GenCalibrationTest, ErrorsAreLocated) {
  std::string text(BuiltinCalibrationText());
  auto parse = [](const std::string& t) {
    Result<Calibration> c = ParseCalibration(t, "test.yaml");
    return c.ok() ? Status::Ok() : c.status();
  };
  EXPECT_TRUE(parse(text).ok());

  Status bad_yaml = parse("format: [");
  EXPECT_EQ(bad_yaml.code(), "gen.calibration_yaml");
  EXPECT_EQ(bad_yaml.where().file, "test.yaml");

  std::string unknown = text;
  unknown.replace(unknown.find("  share_50_59:"), 14, "  share_50_5x:");
  Status s = parse(unknown);
  EXPECT_EQ(s.code(), "gen.calibration_unknown");
  EXPECT_GT(s.where().line, 1);

  std::string out_of_range = text;
  size_t at = out_of_range.find("dirty_row_share:");
  at = out_of_range.find("value: 0.005", at);
  out_of_range.replace(at, 12, "value: 1.5  ");
  EXPECT_EQ(parse(out_of_range).code(), "gen.calibration_value");

  std::string no_source = text;
  at = no_source.find("  move_per_year:");
  size_t source = no_source.find("    source:", at);
  no_source.replace(source, 11, "    nsourc:");
  EXPECT_EQ(parse(no_source).code(), "gen.calibration_unknown");

  EXPECT_EQ(parse("format: other/1\n").code(), "gen.calibration_format");

  // Any prefix of the file is either the whole file or a located failure.
  for (size_t cut = 0; cut < text.size(); cut += 331) {
    Status st = parse(text.substr(0, cut));
    EXPECT_FALSE(st.ok()) << "cut at " << cut;
    EXPECT_TRUE(st.code().starts_with("gen.calibration_")) << st.ToString();
  }
}

TEST(GenCalibrationTest, OverrideFile) {
  fs::path dir = TempDir("override");
  fs::create_directories(dir);
  std::string text(BuiltinCalibrationText());
  // Everyone on 低保: the override must be what is used.
  size_t at = text.find("  dibao_60_plus:");
  size_t values = text.find("values:", at);
  size_t end = text.find('\n', values);
  text.replace(values, end - values, "values: {\"城镇\": 0.5, \"农村\": 0.5}");
  std::ofstream(dir / "cal.yaml") << text;
  GenOptions options = Suizhou(dir / "out");
  options.scale = 0.005;
  options.calibration = dir / "cal.yaml";
  Result<GenSummary> s = GenerateCity(options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->calibration_source, (dir / "cal.yaml").string());
  EXPECT_GT(static_cast<double>(s->dibao) / static_cast<double>(s->aged_60_plus), 0.3);
  options.calibration = dir / "missing.yaml";
  EXPECT_EQ(GenerateCity(options).status().code(), "gen.io");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace yanglao::gen
