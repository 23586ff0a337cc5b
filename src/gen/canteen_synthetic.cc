#include "gen/canteen_synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "core/csv.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/region.h"
#include "gen/csv_io.h"
#include "gen/rng.h"

namespace yanglao::gen {

namespace fs = std::filesystem;

namespace {

struct Diner {
  std::string id, name, residence;
  CivilDate birth;
  bool poor = false;  // 低保 or 特困
};

// The dishes of every generated canteen (prices in its 价格 column below).
const char* const kDishes[] = {"套餐A", "套餐B", "面条", "粥点"};

}  // namespace

Result<CanteenSyntheticSummary> WriteSyntheticCanteens(const CanteenSyntheticOptions& o) {
  CanteenSyntheticSummary out;
  Rng rng(Mix(o.seed, 0xCA7EE7));
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  const CivilDate first = o.month.FirstDay();
  std::vector<Diner> diners;
  std::string county;
  if (!o.feeds_dir.empty()) {
    Result<std::map<std::string, FeedElder>> people = ReadFeedElders(o.feeds_dir, first);
    if (!people.ok()) return people.status();
    for (const auto& [id, p] : *people) {
      if (p.residence.size() != 12) continue;  // a canteen of their community
      diners.push_back(Diner{p.id, p.name, p.residence, p.birth, p.dibao || p.tekun});
    }
    // A sample: every poor 80+ (for the planted claims), then others.
    std::stable_partition(diners.begin(), diners.end(),
                          [&](const Diner& d) { return d.poor && AgeOn(d.birth, first) >= 80; });
    if (diners.size() > static_cast<size_t>(o.diners)) diners.resize(static_cast<size_t>(o.diners));
    // The city (or county) the feeds are of: canteens in all its streets.
    if (!diners.empty()) county = diners.front().residence.substr(0, 4) + "00";
  } else {
    county = o.region;
    const Region* c = RegionTable::Builtin().Find(county);
    if (c == nullptr)
      return Status("gen.canteen", "区划代码不在区划表中", Location{.value = county});
    std::vector<std::string> communities;
    auto [b, e] = RegionTable::Builtin().DescendantRange(*c);
    for (size_t i = b; i < e; ++i) {
      const Region& r = RegionTable::Builtin().all()[i];
      if (r.level == RegionLevel::kVillage) communities.push_back(r.code);
    }
    if (communities.empty()) {
      return Status("gen.canteen", "该区县没有社区（村）数据", Location{.value = county});
    }
    std::string police = "公民身份号码,姓名,户籍地,居住地,死亡日期,起始日期,终止日期\n";
    std::string civil =
        "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,"
        "入住养老机构,有赡养能力的赡养人,死亡日期,起始日期,终止日期\n";
    for (int i = 0; i < o.diners; ++i) {
      Diner d;
      int age = rng.Between(60, 95);
      d.birth = *CivilDate::FromYmd(first.year() - age - 1, 1 + static_cast<int>(rng.Below(12)),
                                    1 + static_cast<int>(rng.Below(28)));
      std::string first17 = fmt::format("{}{:04}{:02}{:02}{:03}", county, d.birth.year(),
                                        d.birth.month(), d.birth.day(), 100 + i % 900);
      d.id = first17 + IdCheckCharacter(first17);
      d.name = fmt::format("食客{}", i + 1);
      d.residence = communities[rng.Below(communities.size())];
      d.poor = i % 3 == 0 || age >= 80;
      police +=
          fmt::format("{},{},{r},{r},,2000-01-01,\n", d.id, d.name, fmt::arg("r", d.residence));
      civil +=
          fmt::format("{},{},{},,,否,,,,,,,,,2000-01-01,\n", d.id, d.name, d.poor ? "是" : "否");
      diners.push_back(std::move(d));
    }
    out.police_file = o.out_dir / "助餐-公安.csv";
    out.civil_file = o.out_dir / "助餐-民政.csv";
    if (Status s = WriteTextFile(out.police_file, police); !s.ok()) return s;
    if (Status s = WriteTextFile(out.civil_file, civil); !s.ok()) return s;
  }
  if (diners.empty()) return Status("gen.canteen", "没有 60 岁及以上的在世居民可作就餐者");
  out.diners = static_cast<int64_t>(diners.size());

  // Canteens: per street where diners live (and the rest of the county's
  // streets), about 70% get one.
  const RegionTable& table = RegionTable::Builtin();
  const Region* c = table.Find(county);
  if (c == nullptr) return Status("gen.canteen", "区划代码不在区划表中", Location{.value = county});
  std::map<std::string, std::vector<std::string>> streets;  // street -> communities
  auto [b, e] = table.DescendantRange(*c);
  for (size_t i = b; i < e; ++i) {
    const Region& r = table.all()[i];
    if (r.level == RegionLevel::kVillage) streets[r.code.substr(0, 9)].push_back(r.code);
  }
  std::string canteens = "食堂编号,名称,类型,所在社区,服务社区,运营方,开放时间,供餐时段,价格\n";
  std::map<std::string, std::string> canteen_of_street;  // street -> canteen code
  std::vector<std::string> codes;
  int n = 0;
  for (const auto& [street, communities] : streets) {
    if (!rng.Bernoulli(0.7)) continue;
    std::string code = fmt::format("ST-{}-{:03}", street.substr(0, 6), ++n);
    const std::string& home = communities[rng.Below(communities.size())];
    std::string served;
    for (size_t k = 0; k < communities.size() && k < 3; ++k) {
      if (communities[k] != home) served += (served.empty() ? "" : "；") + communities[k];
    }
    const Region* r = table.Find(home);
    canteens += fmt::format(
        "{},{}幸福食堂,幸福食堂,{},{},合成餐饮服务有限公司,每日,早餐 06:30-08:30；午餐 "
        "11:00-13:00；晚餐 17:00-19:00,套餐A 15.00；套餐B 12.00；面条 8.00；粥点 5.00\n",
        code, r ? r->name : home, home, served);
    canteen_of_street[street] = code;
    codes.push_back(code);
  }
  if (codes.empty()) return Status("gen.canteen", "没有生成任何食堂（街道太少）");
  out.canteens = static_cast<int64_t>(codes.size());
  out.canteens_file = o.out_dir / "食堂.csv";
  if (Status s = WriteTextFile(out.canteens_file, canteens); !s.ok()) return s;

  // Sales.
  std::string sales = "销售编号,食堂编号,就餐时间,公民身份号码,菜品\n";
  int64_t seq = 0;
  auto sale = [&](const std::string& canteen, CivilDate day, const char* hhmm,
                  const std::string& id) {
    size_t dish = rng.Below(4);
    sales += fmt::format("g{:04}{:02}-{:08},{},{}T{},{},{}\n", o.month.year(), o.month.month(),
                         ++seq, canteen, day.ToString(), hhmm, id, kDishes[dish]);
  };
  const int days = o.month.AddMonths(1).FirstDay().DaysSinceEpoch() - first.DaysSinceEpoch();
  std::vector<size_t> plantable;
  for (size_t i = 0; i < diners.size(); ++i) {
    if (diners[i].poor && AgeOn(diners[i].birth, first) >= 80) plantable.push_back(i);
  }
  std::set<std::pair<size_t, int>> planted;  // diner, day
  for (int k = 0; k < o.double_claims && !plantable.empty() && codes.size() > 1; ++k) {
    size_t d = plantable[rng.Below(plantable.size())];
    int day = static_cast<int>(rng.Below(static_cast<uint64_t>(days)));
    if (!planted.insert({d, day}).second) --k;
    if (planted.size() >= plantable.size() * static_cast<size_t>(days)) break;
  }
  for (int day = 0; day < days; ++day) {
    CivilDate date = first.AddDays(day);
    for (size_t i = 0; i < diners.size(); ++i) {
      const Diner& d = diners[i];
      auto home = canteen_of_street.find(d.residence.substr(0, 9));
      const std::string& canteen = home != canteen_of_street.end() && rng.Bernoulli(0.9)
                                       ? home->second
                                       : codes[rng.Below(codes.size())];
      bool plant = planted.count({i, day}) > 0;
      if (plant || rng.Bernoulli(0.6)) {
        sale(canteen, date, rng.Bernoulli(0.5) ? "11:20" : "12:05", d.id);
        if (plant) {
          std::string other = codes[rng.Below(codes.size())];
          while (other == canteen) other = codes[rng.Below(codes.size())];
          sale(other, date, "12:40", d.id);
          out.planted.push_back(fmt::format("{} {} 午餐", d.id, date.ToString()));
        }
      }
      if (rng.Bernoulli(0.3)) sale(canteen, date, "17:30", d.id);
    }
  }
  out.sales = seq;
  out.sales_file = o.out_dir / "助餐销售.csv";
  if (Status s = WriteTextFile(out.sales_file, sales); !s.ok()) return s;
  std::sort(out.planted.begin(), out.planted.end());
  return out;
}

Result<LoadedSales> LoadSyntheticSales(registry::Registry& registry, canteen::CanteenStore& store,
                                       const canteen::Counters& counters, const fs::path& file,
                                       CivilDate recorded_on) {
  Result<std::string> text = ReadFileBytes(file);
  if (!text.ok()) return text.status();
  Result<std::vector<canteen::Canteen>> all = store.Canteens();
  if (!all.ok()) return all.status();
  std::map<std::string, int64_t> ids;
  for (const canteen::Canteen& c : *all) ids[c.code] = c.id;
  CsvReader reader(*text, file.filename().string());
  CsvRow row;
  LoadedSales out;
  Result<bool> more = reader.Next(row);  // header
  if (!more.ok()) return more.status();
  if (Status s = CheckCsvHeader(row, {"销售编号", "食堂编号", "就餐时间", "公民身份号码", "菜品"},
                                file.filename().string());
      !s.ok())
    return s;
  while (true) {
    more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (row.fields.size() != 5 || !ids.count(row.fields[1])) {
      return Status("canteen.import", "销售行格式错误或食堂编号未导入",
                    Location{.file = file.filename().string(), .line = row.line});
    }
    canteen::SaleRequest r{.client_id = row.fields[0],
                           .canteen_id = ids[row.fields[1]],
                           .sold_at = row.fields[2],
                           .id_number = row.fields[3],
                           .dish = row.fields[4]};
    Result<canteen::Sale> s = canteen::Sell(registry, store, counters, r, recorded_on);
    if (!s.ok()) return s.status();
    ++out.sales;
    if (s->already_recorded) ++out.already;
    if (!s->flags.empty()) ++out.flagged;
  }
  return out;
}

}  // namespace yanglao::gen
