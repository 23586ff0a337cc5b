#include "gen/waitlist_synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <vector>

#include "core/csv.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/region.h"
#include "gen/csv_io.h"
#include "gen/rng.h"

namespace yanglao::gen {

namespace fs = std::filesystem;

namespace {

struct Person {
  std::string id, name, county;
  CivilDate birth;
  bool tekun = false, dibao = false;
};

}  // namespace

Result<WaitlistSyntheticSummary> WriteSyntheticWaitlist(const WaitlistSyntheticOptions& o) {
  WaitlistSyntheticSummary out;
  Rng rng(Mix(o.seed, 0x3A17115));
  const RegionTable& regions = RegionTable::Builtin();
  const Region* city = regions.Find(o.region);
  if (city == nullptr) {
    return Status("gen.waitlist", "区划代码不在区划表中", Location{.value = o.region});
  }
  std::vector<const Region*> counties;
  if (city->level == RegionLevel::kCounty) {
    counties.push_back(city);
  } else {
    auto [b, e] = regions.DescendantRange(*city);
    for (size_t i = b; i < e; ++i) {
      if (regions.all()[i].level == RegionLevel::kCounty) counties.push_back(&regions.all()[i]);
    }
  }
  if (counties.empty()) {
    return Status("gen.waitlist", "该地区没有区县", Location{.value = o.region});
  }

  // The people aged 60+ from the feeds (or none when there are no feeds):
  // the applicants are drawn from them, and each county's beds are sized by
  // their number.
  std::map<std::string, Person> people;
  if (!o.feeds_dir.empty() && fs::exists(o.feeds_dir / "公安.csv")) {
    Result<std::map<std::string, FeedElder>> read = ReadFeedElders(o.feeds_dir, o.as_of);
    if (!read.ok()) return read.status();
    for (const auto& [id, f] : *read) {
      people[id] = Person{f.id, f.name, f.residence.substr(0, 6), f.birth, f.tekun, f.dibao};
    }
  }
  std::map<std::string, int64_t> aged_60;  // county -> people aged 60+
  for (const auto& [id, p] : people) ++aged_60[p.county];

  // Institutions and beds.
  std::string inst_csv =
      "机构编号,机构名称,性质,等级,所在区县,普通床位,护理型床位,认知障碍照护床位,房间数,"
      "在住人数,特困供养机构\n";
  std::string bed_csv = "床位编号,机构编号,类型\n";
  std::map<std::string, std::vector<std::string>> public_homes;  // county -> ids
  const char* const kGrades[] = {"未评定", "一级", "二级", "三级", "四级", "五级"};
  for (size_t c = 0; c < counties.size(); ++c) {
    const Region& county = *counties[c];
    std::string code = county.DisplayCode();
    // The nursing share of the county's beds: around the targets (40%..85%).
    double nursing = 0.40 + 0.45 * static_cast<double>(c) /
                                static_cast<double>(std::max<size_t>(1, counties.size() - 1));
    struct Kind {
      const char* ownership;
      const char* suffix;
      int beds_lo, beds_hi;
    };
    const Kind kinds[] = {{"公办", "社会福利院", 150, 300},
                          {"公建民营", "颐养中心", 100, 220},
                          {"民办", "康养院", 80, 260}};
    // With feeds, the county's beds are 32-46 per 1,000 people aged 60+
    // (Suizhou's 2 万张 is about 42 per 1,000 of its 60+ population), about
    // 40% of them in the 公办 home (the 社会力量 share around the 60% target),
    // at least 10 per institution; without feeds, the fixed ranges.
    auto it60 = aged_60.find(code);
    const int64_t county_beds =
        it60 == aged_60.end() ? 0 : it60->second * rng.Between(32, 46) / 1000;
    const double kind_share[] = {0.34 + 0.12 * rng.Uniform(), 0.28, 0.0};
    for (int k = 0; k < 3; ++k) {
      std::string id = fmt::format("YL{}{:02}", code, k + 1);
      int beds = 0;
      if (county_beds == 0) {
        beds = rng.Between(kinds[k].beds_lo, kinds[k].beds_hi);
      } else {
        double share = k < 2 ? kind_share[k] : 1.0 - kind_share[0] - kind_share[1];
        beds = std::max(10, static_cast<int>(static_cast<double>(county_beds) * share));
      }
      int dementia = k == 0 ? beds / 10 : rng.Between(0, beds / 12);
      int nursing_beds =
          std::max(0, static_cast<int>(static_cast<double>(beds) * nursing) - dementia);
      int normal = beds - nursing_beds - dementia;
      int occupied = static_cast<int>(static_cast<double>(beds) * (0.55 + 0.4 * rng.Uniform()));
      bool tekun_care = k == 0 && c + 1 < counties.size();
      inst_csv +=
          fmt::format("{},{}{},{},{},{},{},{},{},{},{},{}\n", id, county.name, kinds[k].suffix,
                      kinds[k].ownership, kGrades[rng.Between(0, 5)], code, normal, nursing_beds,
                      dementia, beds / 2 + rng.Between(0, 20), occupied, tekun_care ? "是" : "否");
      ++out.institutions;
      if (k == 0) {
        public_homes[code].push_back(id);
        const char* const types[] = {"普通", "护理型", "认知障碍照护专区"};
        for (int b = 0; b < 6; ++b) {
          bed_csv += fmt::format("{}-{:02},{},{}\n", id, b + 1, id, types[b / 2]);
          ++out.beds;
        }
      }
    }
  }

  std::vector<Person> sample;
  for (auto& [id, p] : people) {
    if (public_homes.count(p.county) && !p.name.empty() && p.name.find(',') == std::string::npos) {
      sample.push_back(p);
    }
  }
  // The poorest and oldest first, then a seeded shuffle of the rest.
  for (size_t i = sample.size(); i > 1; --i) std::swap(sample[i - 1], sample[rng.Below(i)]);
  std::stable_partition(sample.begin(), sample.end(), [&](const Person& p) {
    return p.tekun || p.dibao || AgeOn(p.birth, o.as_of) >= 85;
  });
  if (sample.size() > static_cast<size_t>(o.applicants))
    sample.resize(static_cast<size_t>(o.applicants));

  std::string app_csv =
      "申请日期,公民身份号码,姓名,区县,床位类型,集中供养意愿,意向机构,评估事实,评估有效期至\n";
  for (const Person& p : sample) {
    CivilDate applied = o.as_of.AddDays(-rng.Between(5, 360));
    int level = static_cast<int>(rng.Pick(std::vector<double>{0.25, 0.2, 0.2, 0.2, 0.15}));
    bool dementia = rng.Bernoulli(0.1);
    std::string facts = fmt::format("age={}", AgeOn(p.birth, applied));
    if (level > 0) facts += fmt::format(" capability_level={}", level);
    if (p.tekun) facts += " tekun=dispersed";
    if (p.dibao) facts += " dibao=true";
    if (dementia) facts += " dementia=true";
    if (rng.Bernoulli(0.03)) facts += " martyr_family=true";
    if (rng.Bernoulli(0.02)) facts += " active_duty_family=true";
    if (rng.Bernoulli(0.04)) facts += " family_planning_special=true";
    if (rng.Bernoulli(0.05)) facts += " disability_grade=1";
    std::string type = dementia ? "认知障碍照护专区" : level >= 2 ? "护理型" : "普通";
    bool willing = p.tekun && rng.Bernoulli(0.8);
    std::string prefer = rng.Bernoulli(0.5) ? public_homes[p.county].front() : "";
    // Assessed a little before applying; valid for a year (a few expired).
    CivilDate assessed = applied.AddDays(-rng.Between(0, 40));
    std::string until = rng.Bernoulli(0.08) ? "" : assessed.AddDays(364).ToString();
    app_csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", applied.ToString(), p.id, p.name,
                           p.county, type, willing ? "是" : "否", prefer, facts, until);
    ++out.applicants;
  }

  out.dir = o.out_dir / "入住轮候";
  std::error_code ec;
  fs::create_directories(out.dir, ec);
  for (auto [file, text] : {std::pair{"机构.csv", &inst_csv}, std::pair{"床位.csv", &bed_csv},
                            std::pair{"轮候申请.csv", &app_csv}}) {
    if (Status s = WriteTextFile(out.dir / file, *text); !s.ok()) return s;
  }
  return out;
}

}  // namespace yanglao::gen
