// yanglao gen for a province (gen/province.h): every prefecture-level unit
// of 湖北 at a tiny scale, unique ID numbers across the province, the same
// files twice whatever the threads, and an import of every city's feeds
// into the registry on both back ends, file by file and in one process
// (registry import-province).
#include "gen/province.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/csv.h"
#include "core/region.h"
#include "db/test_database.h"
#include "gen/feeds.h"
#include "registry/province_import.h"
#include "registry/registry.h"

namespace yanglao::gen {
namespace {

namespace fs = std::filesystem;

const CivilDate kAsOf = *CivilDate::FromYmd(2026, 1, 1);
constexpr double kScale = 0.002;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::path(testing::TempDir()) /
                 ("yanglao_province_test_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

GenOptions Hubei(const fs::path& out, int threads = 0) {
  return GenOptions{.region = "420000", .seed = 7, .scale = kScale, .out = out, .threads = threads};
}

// The province generated once per test process.
const ProvinceSummary& Generated(fs::path* dir_out = nullptr) {
  static fs::path dir = TempDir("hubei");
  static ProvinceSummary* summary = [] {
    Result<ProvinceSummary> s = GenerateProvince(Hubei(dir));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return new ProvinceSummary(s.ok() ? *s : ProvinceSummary{});
  }();
  if (dir_out != nullptr) *dir_out = dir;
  return *summary;
}

// Column `header` of every data row of a member's feed.
std::vector<std::string> Column(const fs::path& dir, Department d, std::string_view header) {
  const registry::FeedTemplate& t = TemplateOf(d);
  int col = ColumnIndex(t, header);
  EXPECT_GE(col, 0);
  std::string text = ReadFile(dir / FileName(t));
  CsvReader reader(text, FileName(t));
  CsvRow row;
  std::vector<std::string> out;
  bool first = true;
  while (reader.Next(row).value_or(false)) {
    if (first) {
      first = false;
      continue;
    }
    out.push_back(row.fields[static_cast<size_t>(col)]);
  }
  return out;
}

TEST(ProvinceTest, EveryPrefectureLevelUnitOfHubei) {
  fs::path dir;
  const ProvinceSummary& s = Generated(&dir);
  ASSERT_FALSE(s.members.empty());
  std::vector<std::string> codes;
  for (const ProvinceMember& m : s.members) codes.push_back(m.code);
  // 12 地级市, 恩施州, and the four 省直辖县级行政单位.
  EXPECT_EQ(codes,
            (std::vector<std::string>{"420100", "420200", "420300", "420500", "420600", "420700",
                                      "420800", "420900", "421000", "421100", "421200", "421300",
                                      "422800", "429004", "429005", "429006", "429021"}));
  ASSERT_EQ(s.cities.size(), s.members.size());
  std::string manifest = ReadFile(dir / "manifest.yaml");
  EXPECT_NE(manifest.find("format: yanglao.gen-province/1"), std::string::npos);
  int64_t people = 0;
  const RegionTable& regions = RegionTable::Builtin();
  for (size_t i = 0; i < s.members.size(); ++i) {
    const ProvinceMember& m = s.members[i];
    const GenSummary& city = s.cities[i];
    EXPECT_GT(city.people, 0) << m.code;
    EXPECT_NE(manifest.find("code: \"" + m.code + "\""), std::string::npos) << m.code;
    EXPECT_TRUE(fs::exists(dir / m.dir / "manifest.yaml")) << m.code;
    people += city.people;
    // Everyone lives in the member: residence codes are within it.
    const Region* member = regions.Find(m.region->code);
    ASSERT_NE(member, nullptr);
    for (const std::string& code : Column(dir / m.dir, Department::kPublicSecurity, "居住地")) {
      if (code.empty()) continue;  // a row saying nothing of the residence
      const Region* r = regions.Find(code);
      ASSERT_NE(r, nullptr) << code;
      ASSERT_TRUE(regions.IsWithin(*r, *member)) << m.code << " " << code;
    }
  }
  EXPECT_EQ(s.people, people);
  // Calibrated as the cities are: people follow the census population
  // (武汉 12,326,518; 随州 2,047,923; both with the province's age shares).
  auto people_of = [&](std::string_view code) {
    for (size_t i = 0; i < s.members.size(); ++i) {
      if (s.members[i].code == code) return static_cast<double>(s.cities[i].people);
    }
    return 0.0;
  };
  EXPECT_NEAR(people_of("420100") / people_of("421300"), 12326518.0 / 2047923.0, 0.1);
  // 神农架 (66,570 people) is the smallest member.
  EXPECT_NEAR(people_of("429021") / people_of("421300"), 66570.0 / 2047923.0, 0.01);
  // About 37% of 湖北's 57.75 million people are aged 50+ (20.42% 60+ and
  // the national share of 50-59), the year's deaths on top.
  EXPECT_GT(static_cast<double>(people), 57752556 * kScale * 0.35);
  EXPECT_LT(static_cast<double>(people), 57752556 * kScale * 0.40);
}

TEST(ProvinceTest, IdNumbersAreUniqueAcrossTheProvince) {
  fs::path dir;
  const ProvinceSummary& s = Generated(&dir);
  std::set<std::string> ids;
  std::map<std::string, std::string> member_of;
  for (const ProvinceMember& m : s.members) {
    std::set<std::string> mine;
    for (const std::string& id : Column(dir / m.dir, Department::kPublicSecurity, "公民身份号码")) {
      mine.insert(id);
    }
    for (const std::string& id : mine) {
      auto [it, added] = member_of.emplace(id, m.code);
      EXPECT_TRUE(added) << id << " in " << it->second << " and " << m.code;
      ids.insert(id);
    }
  }
  EXPECT_EQ(static_cast<int64_t>(ids.size()), s.people);
}

TEST(ProvinceTest, SameFilesTwiceWhateverTheThreads) {
  fs::path dir;
  const ProvinceSummary& s = Generated(&dir);
  fs::path again = TempDir("again");
  Result<ProvinceSummary> second = GenerateProvince(Hubei(again, 1));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(ReadFile(dir / "manifest.yaml"), ReadFile(again / "manifest.yaml"));
  for (const ProvinceMember& m : s.members) {
    for (const auto& entry : fs::directory_iterator(dir / m.dir)) {
      EXPECT_TRUE(ReadFile(entry.path()) == ReadFile(again / m.dir / entry.path().filename()))
          << m.dir << "/" << entry.path().filename().string() << " differs";
    }
  }
  fs::remove_all(again);
}

TEST(ProvinceTest, NotAProvince) {
  Result<ProvinceSummary> s =
      GenerateProvince(GenOptions{.region = "421300", .scale = kScale, .out = TempDir("bad")});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), "gen.region");
  EXPECT_TRUE(IsProvinceCode("420000"));
  EXPECT_TRUE(IsProvinceCode("42"));
  EXPECT_FALSE(IsProvinceCode("421300"));
}

class ProvinceImportTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_.SetUp(GetParam(), "yanglao_province");
    if (IsSkipped() || HasFatalFailure()) return;
  }
  db::TestDatabase db_;
};

TEST_P(ProvinceImportTest, EveryCitysFeedsImport) {
  if (IsSkipped()) return;
  // A smaller province than the other tests' (the import is what is tested).
  fs::path dir = TempDir("import_" + GetParam());
  GenOptions options = Hubei(dir);
  options.scale = 0.0005;
  Result<ProvinceSummary> s = GenerateProvince(options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(db_.url());
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  int64_t persons_added = 0;
  int files = 0;
  for (const ProvinceMember& m : s->members) {
    for (const registry::FeedTemplate& t : registry::FeedTemplates()) {
      std::string bytes = ReadFile(dir / m.dir / FileName(t));
      // A department with nothing to report for a small city sends no file.
      if (bytes.find('\n') + 1 == bytes.size()) continue;
      registry::ParsedFeed parsed;
      Result<registry::ImportOutcome> out = (*reg)->ImportBytes(
          bytes, FileName(t), t.source, *CivilDate::FromYmd(2026, 6, 1), kAsOf, parsed);
      ASSERT_TRUE(out.ok()) << m.code << " " << FileName(t) << ": " << out.status().ToString();
      EXPECT_FALSE(out->already_imported);
      EXPECT_TRUE(parsed.problems.empty());
      persons_added += out->persons_added;
      ++files;
    }
  }
  EXPECT_GE(files, 17 * 6);
  EXPECT_EQ(persons_added, s->people);
  EXPECT_EQ((*reg)->PersonCount(), s->people);
  fs::remove_all(dir);
}

// `registry import-province` (registry/province_import.h): the whole
// province in one process gives the registry that importing its files one
// by one gives; a rerun changes nothing; a kill -9 in the middle and a bad
// file in one unit leave the files before committed, and a rerun then goes
// on to the same registry.
class ProvinceOneProcessTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    for (size_t i = 0; i < std::size(dbs_); ++i) {
      dbs_[i].SetUp(GetParam(), "yanglao_prov" + std::to_string(i));
      if (IsSkipped() || HasFatalFailure()) return;
    }
  }
  std::unique_ptr<registry::Registry> Open(size_t i) {
    Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(dbs_[i].url());
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return reg.ok() ? std::move(*reg) : nullptr;
  }
  static std::string Checksum(registry::Registry& reg) {
    Result<std::string> sum = reg.Checksum();
    EXPECT_TRUE(sum.ok()) << sum.status().ToString();
    return sum.ok() ? *sum : "";
  }
  db::TestDatabase dbs_[4];
};

TEST_P(ProvinceOneProcessTest, SameRegistryAsFileByFileRerunKillAndBadFile) {
  if (IsSkipped()) return;
  const CivilDate today = *CivilDate::FromYmd(2026, 6, 1);
  fs::path dir = TempDir("one_process_" + GetParam());
  GenOptions options = Hubei(dir);
  options.scale = 0.0005;
  Result<ProvinceSummary> s = GenerateProvince(options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();

  Result<registry::ProvincePlan> plan = registry::ReadProvincePlan(dir);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->region_code, "420000");
  EXPECT_EQ(plan->units, 17u);

  // 0: file by file, as `registry import` does for each file (the member
  // directories in code order, the departments in the templates' order;
  // a department with only a header sends no file).
  std::string by_file;
  int64_t facts = 0;
  {
    std::unique_ptr<registry::Registry> reg = Open(0);
    ASSERT_NE(reg, nullptr);
    size_t files = 0;
    for (const ProvinceMember& m : s->members) {
      for (const registry::FeedTemplate& t : registry::FeedTemplates()) {
        fs::path path = dir / m.dir / FileName(t);
        std::string bytes = ReadFile(path);
        if (bytes.find('\n') + 1 == bytes.size()) continue;
        registry::ParsedFeed parsed;
        Result<registry::ImportOutcome> out =
            reg->ImportBytes(bytes, path.string(), t.source, today, kAsOf, parsed);
        ASSERT_TRUE(out.ok()) << path << ": " << out.status().ToString();
        facts += out->facts_added;
        ++files;
      }
    }
    EXPECT_EQ(files, plan->files.size());
    EXPECT_EQ(reg->PersonCount(), s->people);
    by_file = Checksum(*reg);
  }

  // 1: the whole province in one call.
  {
    std::unique_ptr<registry::Registry> reg = Open(1);
    ASSERT_NE(reg, nullptr);
    size_t calls = 0;
    registry::ProvinceImportSummary sum =
        registry::ImportProvince(*reg, *plan, today, kAsOf, [&](const auto& r) {
          EXPECT_EQ(r.index, calls++);
          EXPECT_FALSE(r.outcome.already_imported);
        });
    ASSERT_TRUE(sum.status.ok()) << sum.status.ToString();
    EXPECT_EQ(calls, plan->files.size());
    EXPECT_EQ(sum.imported, plan->files.size());
    EXPECT_EQ(sum.persons_added, s->people);
    EXPECT_EQ(sum.facts_added, facts);
    EXPECT_EQ(reg->PersonCount(), s->people);
    EXPECT_EQ(Checksum(*reg), by_file);  // every table, row by row

    // A rerun: every file recognised, nothing changed.
    registry::ProvinceImportSummary again = registry::ImportProvince(*reg, *plan, today, kAsOf);
    ASSERT_TRUE(again.status.ok()) << again.status.ToString();
    EXPECT_EQ(again.imported, 0u);
    EXPECT_EQ(again.already_imported, plan->files.size());
    EXPECT_EQ(again.persons_added, 0);
    EXPECT_EQ(Checksum(*reg), by_file);
  }

  // 2: kill -9 just before the commit of the 11th file.
  {
    const size_t killed_at = 10;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(dbs_[2].url());
      if (!reg.ok()) _exit(3);
      (void)registry::ImportProvince(**reg, *plan, today, kAsOf, [&](const auto& r) {
        if (r.index + 1 == killed_at) setenv("YANGLAO_FAULT_KILL", "import.before_commit", 1);
      });
      _exit(0);  // not reached
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    std::unique_ptr<registry::Registry> reg = Open(2);
    ASSERT_NE(reg, nullptr);
    EXPECT_EQ(*reg->LatestFeedId(), static_cast<int64_t>(killed_at));
    registry::ProvinceImportSummary rest = registry::ImportProvince(*reg, *plan, today, kAsOf);
    ASSERT_TRUE(rest.status.ok()) << rest.status.ToString();
    EXPECT_EQ(rest.already_imported, killed_at);
    EXPECT_EQ(rest.imported, plan->files.size() - killed_at);
    EXPECT_EQ(Checksum(*reg), by_file);
  }

  // 3: a bad row in one unit's file (随州's 民政.csv, the 3rd line after its
  // header): a located error; the files before it are committed, it and
  // those after are not; once it is corrected a rerun goes on to the same
  // registry.
  {
    size_t bad = plan->files.size();
    for (size_t i = 0; i < plan->files.size(); ++i) {
      if (plan->files[i].unit_code == "421300" && plan->files[i].source == "民政") bad = i;
    }
    ASSERT_LT(bad, plan->files.size());
    const fs::path path = plan->files[bad].path;
    const std::string original = ReadFile(path);
    std::string broken = original;
    // Line 4: the ID number of the third data row loses its last digit.
    size_t line4 = 0;
    for (int n = 0; n < 3; ++n) line4 = broken.find('\n', line4) + 1;
    broken.erase(line4 + 17, 1);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << broken;

    std::unique_ptr<registry::Registry> reg = Open(3);
    ASSERT_NE(reg, nullptr);
    registry::ProvinceImportSummary sum = registry::ImportProvince(*reg, *plan, today, kAsOf);
    ASSERT_FALSE(sum.status.ok());
    EXPECT_EQ(sum.status.code(), "feed.invalid");
    ASSERT_TRUE(sum.has_failed);
    EXPECT_EQ(sum.failed.index, bad);
    EXPECT_EQ(sum.failed.file->unit_code, "421300");
    EXPECT_EQ(sum.imported, bad);
    ASSERT_EQ(sum.failed.parsed.problems.size(), 1u);
    const registry::RowProblem& p = sum.failed.parsed.problems[0];
    EXPECT_EQ(p.row, 4);
    EXPECT_EQ(p.column, 1);
    EXPECT_EQ(p.header, "公民身份号码");
    EXPECT_EQ(p.value.size(), 17u);
    EXPECT_EQ(*reg->LatestFeedId(), static_cast<int64_t>(bad));

    std::ofstream(path, std::ios::binary | std::ios::trunc) << original;
    registry::ProvinceImportSummary rest = registry::ImportProvince(*reg, *plan, today, kAsOf);
    ASSERT_TRUE(rest.status.ok()) << rest.status.ToString();
    EXPECT_EQ(rest.already_imported, bad);
    EXPECT_EQ(Checksum(*reg), by_file);
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, ProvinceOneProcessTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// A province manifest that is not one, or a unit that is missing: located.
TEST(ProvincePlanTest, ManifestProblemsAreLocated) {
  fs::path dir = TempDir("plan");
  fs::create_directories(dir / "420700");
  std::ofstream(dir / "manifest.yaml") << "# x\nformat: yanglao.gen-manifest/1\n";
  Result<registry::ProvincePlan> plan = registry::ReadProvincePlan(dir);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), "province.manifest");
  EXPECT_EQ(plan.status().where().line, 2);
  EXPECT_EQ(plan.status().where().field, "format");

  std::ofstream(dir / "manifest.yaml", std::ios::trunc)
      << "format: yanglao.gen-province/1\nregion: \"420000\"\ncities:\n"
         "  - {code: \"420700\", name: 鄂州市, dir: 420700}\n"
         "  - {code: \"421300\", name: 随州市, dir: ../421300}\n";
  plan = registry::ReadProvincePlan(dir);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().where().line, 5);
  EXPECT_EQ(plan.status().where().field, "dir");

  std::ofstream(dir / "manifest.yaml", std::ios::trunc)
      << "format: yanglao.gen-province/1\nregion: \"420000\"\ncities:\n"
         "  - {code: \"420700\", name: 鄂州市, dir: 420700}\n";
  std::ofstream(dir / "420700" / "manifest.yaml")
      << "format: yanglao.gen-manifest/1\nregion: \"420700\"\nrows:\n  公安.csv: 10\n"
         "  税务.csv: 3\n";
  plan = registry::ReadProvincePlan(dir);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), "province.manifest");
  EXPECT_EQ(plan.status().where().line, 5);
  EXPECT_EQ(plan.status().where().value, "税务.csv");

  // Bytes that are not UTF-8 in a unit's name (found by the fuzz target:
  // the name went into the message as it was): the line is named instead.
  std::ofstream(dir / "manifest.yaml", std::ios::trunc)
      << "format: yanglao.gen-province/1\nregion: \"420000\"\ncities:\n"
         "  - {code: \"420700\", name: \xE9\x84\xC2\xB7, dir: 420700}\n";
  plan = registry::ReadProvincePlan(dir);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), "province.manifest");
  EXPECT_EQ(plan.status().where().line, 4);
  EXPECT_EQ(plan.status().message(), "清单不是有效的 UTF-8 文本");

  // A unit's file named with a directory (found by the fuzz target: "/公安.csv"
  // was read from the root) is refused, located.
  std::ofstream(dir / "manifest.yaml", std::ios::trunc)
      << "format: yanglao.gen-province/1\nregion: \"420000\"\ncities:\n"
         "  - {code: \"420700\", name: 鄂州市, dir: 420700}\n";
  for (const char* name : {"/公安.csv", "../420100/公安.csv"}) {
    std::ofstream(dir / "420700" / "manifest.yaml", std::ios::trunc)
        << "format: yanglao.gen-manifest/1\nregion: \"420700\"\nrows:\n  " << name << ": 10\n";
    plan = registry::ReadProvincePlan(dir);
    ASSERT_FALSE(plan.ok()) << name;
    EXPECT_EQ(plan.status().code(), "province.manifest");
    EXPECT_EQ(plan.status().where().line, 4);
    EXPECT_EQ(plan.status().where().value, name);
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, ProvinceImportTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace yanglao::gen
