#include "gen/assess_synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <optional>
#include <unordered_set>
#include <vector>

#include "assess/form_json.h"
#include "assess/store.h"
#include "core/csv.h"
#include "core/id_number.h"
#include "core/region.h"
#include "gen/calibration.h"
#include "gen/rng.h"

namespace yanglao::gen {
namespace {

using assess::FindItem;
using assess::FormAnswers;
using assess::FormDocument;
using assess::FormToJson;
using assess::Item;
using assess::Items;
using assess::kDimensionCount;
using assess::kItemCount;
using assess::kMaxTotal;
using assess::Level;
using assess::Levels;
using assess::Reason;
using assess::ValidUntil;

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

// An 18-character ID number whose check character matches (generated
// feeds written with --dirty have a few that do not: they are skipped).
bool WellFormedId(std::string_view id) {
  if (id.size() != 18) return false;
  for (size_t i = 0; i < 17; ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
  }
  return IdCheckCharacter(id.substr(0, 17)) == id[17];
}

// Calls `visit` with the fields of each data row of a feed file, streaming
// line by line (generated feeds have one row per line), with `columns`
// looked up in the header by name.
Status ForEachRow(
    const std::filesystem::path& path, const std::vector<std::string_view>& columns,
    const std::function<void(const std::vector<std::string>&, const std::vector<size_t>&)>& visit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status("io.open", "无法打开文件", Location{.file = path.string()});
  std::string line;
  std::vector<size_t> index;
  CsvRow row;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    CsvReader reader(line, path.string());
    Result<bool> more = reader.Next(row);
    if (!more.ok()) {
      if (number == 1) return more.status();
      continue;  // a bad row (--dirty): not needed here
    }
    if (!*more) continue;
    if (number == 1) {
      for (std::string_view c : columns) {
        auto it = std::find(row.fields.begin(), row.fields.end(), c);
        if (it == row.fields.end()) {
          return Status("assess.feed", fmt::format("数据文件缺少「{}」列", c),
                        Location{.file = path.string(), .line = 1, .field = std::string(c)});
        }
        index.push_back(static_cast<size_t>(it - row.fields.begin()));
      }
      continue;
    }
    bool complete =
        std::all_of(index.begin(), index.end(), [&](size_t i) { return i < row.fields.size(); });
    if (complete) visit(row.fields, index);
  }
  return Status::Ok();
}

// The IDs a feed marks 是 in `column`.
Result<std::unordered_set<std::string>> Marked(const std::filesystem::path& path,
                                               std::string_view column) {
  std::unordered_set<std::string> out;
  Status s = ForEachRow(path, {"公民身份号码", column},
                        [&](const std::vector<std::string>& f, const std::vector<size_t>& i) {
                          if (f[i[1]] == "是" && WellFormedId(f[i[0]])) out.insert(f[i[0]]);
                        });
  if (!s.ok()) return s;
  return out;
}

int DayOf(CivilDate d) { return d.DaysSinceEpoch(); }
CivilDate DateOf(int day) {
  return CivilDate::FromDays(std::chrono::sys_days(std::chrono::days(day)));
}

// One person of 公安.csv.
struct Resident {
  std::string id;
  std::string name;
  std::string residence;
  std::string residence_from;
  std::optional<CivilDate> death;
};

class Writer {
 public:
  Writer(const SyntheticOptions& options, std::ofstream& out)
      : options_(options), out_(out), cal_(gen::BuiltinCalibration()) {
    as_of_day_ = DayOf(options.as_of);
  }

  std::unordered_set<std::string> cannot_self_care, dementia, long_term_care;
  SyntheticSummary summary;

  void Person(const Resident& r) {
    CivilDate birth = *CivilDate::ParseCompact(std::string_view(r.id).substr(6, 8));
    int age = AgeOn(birth, options_.as_of);
    if (age < 60) return;
    bool alive = !r.death || *r.death > options_.as_of;
    bool old = age >= 80;
    if (alive) {
      ++summary.living_60_plus;
      summary.living_80_plus += old;
    }
    Rng rng(gen::Mix(options_.seed ^ 0x617373657373ULL, Fnv1a(r.id)));
    bool csc = cannot_self_care.count(r.id) > 0;
    bool ltc = long_term_care.count(r.id) > 0;
    bool dem = dementia.count(r.id) > 0;
    int level = InitialLevel(rng, age, csc, ltc, dem);

    // Who is ever assessed (estimates; docs/assessment.md).
    double p = age >= 80 ? 0.55 : age >= 65 ? 0.12 : 0.04;
    if (level >= 1) p *= 1.5;
    if (dem) p = std::max(p, 0.6);
    if (csc || ltc) p = std::max(p, 0.8);
    std::string county = r.residence.size() >= 6 ? r.residence.substr(0, 6) : r.id.substr(0, 6);
    p = std::min(0.97, p * CountyFactor(county));
    if (!rng.Bernoulli(p)) return;

    const int end_day = r.death ? std::min(DayOf(*r.death), as_of_day_) : as_of_day_;
    const int window = as_of_day_ - 3 * 365;
    int day = as_of_day_ - rng.Between(1, 3 * 365);
    day = std::max({day, window, DayOf(AgeAnniversary(birth, 60))});
    if (day >= end_day) return;

    std::string agency = Agency(county, rng);
    std::string assessor = fmt::format("评估员{:03d}", rng.Between(1, 40));
    Reason reason = Reason::kFirst;
    int emitted = 0;
    CivilDate last_until;
    while (day < end_day) {
      Emit(r, rng, DateOf(day), reason, level, dem, agency, assessor);
      ++emitted;
      last_until = ValidUntil(DateOf(day), options_.validity_months);
      int until = DayOf(last_until);
      if (rng.Bernoulli(0.06)) {  // a change of condition: re-assessed early
        int change = day + rng.Between(60, 300);
        if (change < std::min(end_day, until)) {
          level = std::min(4, level + 1);
          day = change;
          reason = Reason::kChange;
          continue;
        }
      }
      double u = rng.Uniform();
      if (u < 0.70) {
        day = until - rng.Between(0, 30);  // renewed on time
      } else if (u < 0.82) {
        day = until + rng.Between(1, 120);  // late
      } else {
        break;  // lapsed
      }
      if (rng.Bernoulli(0.12)) level = std::min(4, level + 1);
      reason = Reason::kPeriodic;
      if (rng.Bernoulli(0.5)) assessor = fmt::format("评估员{:03d}", rng.Between(1, 40));
    }
    if (emitted == 0) return;
    ++summary.people_assessed;
    if (alive) {
      bool valid = last_until >= options_.as_of;
      summary.valid_60_plus += valid;
      summary.valid_80_plus += valid && old;
      summary.overdue += !valid;
    }
  }

  Status Flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    return out_ ? Status::Ok()
                : Status("gen.io", fmt::format("无法写入文件：{}", summary.file.string()),
                         Location{.file = summary.file.string()});
  }

 private:
  // The level a person's first assessment finds: the calibration's
  // distribution for 60+ (capability_level_60_plus), impairment made more
  // likely with age, and at least moderate for those 生活不能自理 or needing
  // long-term care.
  int InitialLevel(Rng& rng, int age, bool csc, bool ltc, bool dem) const {
    const auto& dist = cal_.capability_level_60_plus;
    if (csc) return 2 + static_cast<int>(rng.Pick(std::array<double, 3>{0.35, 0.40, 0.25}));
    if (ltc) return 2 + static_cast<int>(rng.Pick(std::array<double, 3>{0.50, 0.35, 0.15}));
    // Age multipliers of the impaired share, normalised so that a typical
    // 60+ age structure (55% 60-69, 31% 70-79, 12% 80-89, 2% 90+)
    // averages 1.
    double m = age >= 90 ? 3.0 : age >= 80 ? 2.0 : age >= 70 ? 1.0 : 0.5;
    double impaired = std::min(0.95, (1.0 - dist[0]) * m / 0.885);
    if (!dem && !rng.Bernoulli(impaired)) return 0;
    return 1 + static_cast<int>(rng.Pick(std::span<const double>(dist.data() + 1, 4)));
  }

  double CountyFactor(const std::string& county) {
    Rng rng(gen::Mix(options_.seed ^ 0x636F756E7479ULL, Fnv1a(county)));
    return 0.7 + 0.55 * rng.Uniform();
  }

  std::string Agency(const std::string& county, Rng& rng) const {
    const Region* r = RegionTable::Builtin().Find(county);
    std::string name = r != nullptr ? r->name : county;
    return rng.Bernoulli(0.6) ? name + "老年人能力评估中心" : name + "社会福利中心评估站";
  }

  void Emit(const Resident& r, Rng& rng, CivilDate date, Reason reason, int level, bool dem,
            const std::string& agency, const std::string& assessor) {
    FormDocument f;
    f.header.id_number = r.id;
    f.header.name = r.name;
    f.header.assessed_on = date;
    f.header.reason = reason;
    f.header.assessor = assessor;
    f.header.agency = agency;
    f.answers = DrawAnswers(rng, level, dem);
    buffer_ += FormToJson(f);
    buffer_ += '\n';
    ++summary.assessments;
    if (buffer_.size() > (1 << 20)) (void)Flush();
  }

  // Answers whose total falls in `level`'s band, the points lost where a
  // physical or (with dementia) a cognitive profile makes it likely.
  static FormAnswers DrawAnswers(Rng& rng, int level, bool dem) {
    FormAnswers a = FormAnswers::Best();
    const Level& band = Levels()[static_cast<size_t>(level)];
    int total =
        level == 4 ? rng.Between(6, band.max_total) : rng.Between(band.min_total, band.max_total);
    int deficit = kMaxTotal - total;
    const size_t consciousness = *FindItem("B3.9");
    if (level == 4 && rng.Bernoulli(0.02)) {
      a.coma = true;
      deficit -= a.items[consciousness];
      a.items[consciousness] = 0;
    }
    static constexpr std::array<double, kDimensionCount> kPhysical = {1.0, 1.0, 0.25, 0.6};
    static constexpr std::array<double, kDimensionCount> kCognitive = {0.5, 0.4, 1.6, 1.0};
    const auto& dim = dem || rng.Bernoulli(0.15) ? kCognitive : kPhysical;
    std::array<double, kItemCount> weights{};
    while (deficit > 0) {
      double sum = 0;
      for (size_t i = 0; i < kItemCount; ++i) {
        const Item& item = Items()[i];
        double w = a.items[i] > 0 ? dim[item.dimension] : 0.0;
        if (i == consciousness) w *= 0.1;
        if (item.max == 1) w *= 0.5;
        weights[i] = w;
        sum += w;
      }
      if (sum <= 0) break;
      --a.items[rng.Pick(weights)];
      --deficit;
    }
    a.dementia = dem;
    a.mental_disorder = rng.Bernoulli(0.01);
    double u = rng.Uniform();
    if (u < 0.05) {
      a.risk_events[0] = 2;  // two falls
    } else if (u < 0.07) {
      a.risk_events[0] = 1;
      a.risk_events[dem ? 4 : 1] = 1;  // a fall, and wandering off or choking
    } else if (u < 0.17) {
      a.risk_events[0] = 1;
    }
    return a;
  }

  const SyntheticOptions& options_;
  std::ofstream& out_;
  const gen::Calibration& cal_;
  int as_of_day_ = 0;
  std::string buffer_;
};

}  // namespace

Result<SyntheticSummary> WriteSyntheticAssessments(const SyntheticOptions& options) {
  std::filesystem::path file =
      options.out.empty() ? options.feeds_dir / "能力评估.jsonl" : options.out;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) {
    return Status("gen.io", fmt::format("无法写入文件：{}", file.string()),
                  Location{.file = file.string()});
  }
  Writer writer(options, out);
  writer.summary.file = file;
  for (auto [name, column, set] :
       {std::tuple{"民政.csv", "生活不能自理", &writer.cannot_self_care},
        std::tuple{"卫健.csv", "失智", &writer.dementia},
        std::tuple{"医保.csv", "需要长期照护", &writer.long_term_care}}) {
    Result<std::unordered_set<std::string>> marked = Marked(options.feeds_dir / name, column);
    if (!marked.ok()) return marked.status();
    *set = std::move(*marked);
  }

  // 公安.csv lists each person's rows together: residence from the latest
  // row that has one, and the death date if any.
  Resident current;
  Status s = ForEachRow(options.feeds_dir / "公安.csv",
                        {"公民身份号码", "姓名", "居住地", "死亡日期", "起始日期"},
                        [&](const std::vector<std::string>& f, const std::vector<size_t>& i) {
                          const std::string& id = f[i[0]];
                          if (!WellFormedId(id)) return;
                          if (id != current.id) {
                            if (!current.id.empty()) writer.Person(current);
                            current = Resident{.id = id};
                          }
                          if (!f[i[1]].empty()) current.name = f[i[1]];
                          if (!f[i[2]].empty() && f[i[4]] >= current.residence_from) {
                            current.residence = f[i[2]];
                            current.residence_from = f[i[4]];
                          }
                          if (!f[i[3]].empty()) {
                            if (Result<CivilDate> d = CivilDate::Parse(f[i[3]]); d.ok())
                              current.death = *d;
                          }
                        });
  if (!s.ok()) return s;
  if (!current.id.empty()) writer.Person(current);
  if (Status f = writer.Flush(); !f.ok()) return f;
  out.close();
  if (!out) {
    return Status("gen.io", fmt::format("无法写入文件：{}", file.string()),
                  Location{.file = file.string()});
  }
  return writer.summary;
}

}  // namespace yanglao::gen
