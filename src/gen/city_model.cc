#include "gen/city_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/csv.h"
#include "gen/rng.h"

namespace yanglao::gen {
namespace {

size_t IndexOf(const RegionTable& regions, const Region& r) {
  return static_cast<size_t>(&r - regions.all().data());
}

// Abolished county codes by the current code they were merged into.
std::map<std::string_view, std::vector<std::string_view>> OldCodesBySuccessor(
    const RegionTable& regions) {
  std::map<std::string_view, std::vector<std::string_view>> out;
  RegionSources sources = BuiltinRegionSources();
  CsvReader reader(sources.abolished.text, sources.abolished.name);
  CsvRow row;
  bool header = true;
  while (reader.Next(row).value_or(false)) {
    if (header || row.fields.empty()) {
      header = false;
      continue;
    }
    const AbolishedRegion* old = regions.FindAbolished(row.fields[0]);
    if (old != nullptr && !old->successor.empty()) {
      out[old->successor].push_back(old->code);
    }
  }
  return out;
}

double StandardNormal(Rng& rng) {
  double u1 = std::max(rng.Uniform(), 1e-300);
  double u2 = rng.Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
}

uint64_t CodeNumber(const std::string& code) {
  uint64_t v = 0;
  for (char c : code) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

// Relative number of people at each single year of age, from the 5-year
// groups of the calibration: log-linear between group midpoints, geometric
// decline above 99.
std::array<double, kMaxAge + 1> AgeShape(const AgeTable& groups) {
  struct Point {
    double mid;
    double log_density;
  };
  std::vector<Point> points;
  for (const AgeTable::Band& b : groups.bands) {
    if (b.hi >= 100 || b.value <= 0) continue;  // the open group only scales
    double width = b.hi - b.lo + 1;
    points.push_back({b.lo + width / 2.0, std::log(b.value / width)});
  }
  std::array<double, kMaxAge + 1> shape{};
  for (int a = kMinAge; a <= std::min(kMaxAge, 99); ++a) {
    double x = a + 0.5;
    size_t hi = 0;
    while (hi < points.size() && points[hi].mid < x) ++hi;
    size_t i = hi == 0 ? 0 : (hi >= points.size() ? points.size() - 2 : hi - 1);
    if (points.size() < 2) {
      shape[static_cast<size_t>(a)] = 1;
      continue;
    }
    const Point& p = points[i];
    const Point& q = points[i + 1];
    double t = (x - p.mid) / (q.mid - p.mid);
    shape[static_cast<size_t>(a)] = std::exp(p.log_density + t * (q.log_density - p.log_density));
  }
  for (int a = 100; a <= kMaxAge; ++a) {
    shape[static_cast<size_t>(a)] = shape[static_cast<size_t>(a - 1)] * 0.6;
  }
  return shape;
}

// The value of `t` at `age`, linear between the midpoints of its bands (an
// open band "100+" counts as five years), constant beyond the first and last.
double Smooth(const AgeTable& t, int age) {
  double x = age + 0.5;
  double prev_mid = 0, prev_value = 0;
  for (size_t i = 0; i < t.bands.size(); ++i) {
    const AgeTable::Band& b = t.bands[i];
    double mid = (b.lo + std::min(b.hi, b.lo + 4) + 1) / 2.0;
    if (x <= mid) {
      if (i == 0) return b.value;
      return prev_value + (b.value - prev_value) * (x - prev_mid) / (mid - prev_mid);
    }
    prev_mid = mid;
    prev_value = b.value;
  }
  return prev_value;
}

}  // namespace

void CityModel::CellOf(size_t cell, int& family, int& county, int& day, int& sex) const {
  sex = static_cast<int>(cell % 2);
  cell /= 2;
  day = static_cast<int>(cell % day_age.size());
  cell /= day_age.size();
  county = static_cast<int>(cell % counties.size());
  family = static_cast<int>(cell / counties.size());
}

size_t CityModel::UnitAt(double u) const {
  auto it = std::upper_bound(unit_cum.begin(), unit_cum.end(), u);
  return std::min(static_cast<size_t>(it - unit_cum.begin()), units.size() - 1);
}

size_t CityModel::UnitInCounty(int c, double u) const {
  const County& county = counties[static_cast<size_t>(c)];
  double lo = county.first_unit == 0 ? 0 : unit_cum[county.first_unit - 1];
  double hi = unit_cum[county.last_unit - 1];
  double x = lo + u * (hi - lo);
  auto first = unit_cum.begin() + static_cast<std::ptrdiff_t>(county.first_unit);
  auto last = unit_cum.begin() + static_cast<std::ptrdiff_t>(county.last_unit);
  auto it = std::upper_bound(first, last, x);
  return std::min(static_cast<size_t>(it - unit_cum.begin()), county.last_unit - 1);
}

Result<CityModel> BuildCityModel(const GenOptions& options, const Calibration& cal,
                                 const RegionTable& regions) {
  CityModel m;
  m.cal = &cal;
  m.regions = &regions;
  m.seed = options.seed;
  m.dirty = options.dirty;
  m.as_of = options.as_of;
  m.as_of_day = options.as_of.DaysSinceEpoch();
  m.window_first_day = options.as_of.AddYears(-1).DaysSinceEpoch();

  if (!(options.scale > 0 && options.scale <= 20)) {
    return Status("gen.scale", fmt::format("规模系数应在 (0, 20] 之间，实际为 {}", options.scale),
                  Location{.field = "--scale", .value = fmt::format("{}", options.scale)});
  }
  Result<std::string> code = NormalizeRegionCode(options.region);
  if (!code.ok()) return code.status();
  m.region = regions.Find(*code);
  if (m.region == nullptr ||
      (m.region->level != RegionLevel::kCity && m.region->level != RegionLevel::kCounty)) {
    return Status(
        "gen.region",
        fmt::format("区划代码 {} 不是地级市或县级区划（如 421300、421281）", options.region),
        Location{.field = "--region", .value = options.region});
  }
  const Region* city = m.region->level == RegionLevel::kCity ? m.region : regions.Parent(*m.region);
  const Region* province = regions.Parent(*city);
  m.city = cal.FindCity(city->code);

  // The city's communities and villages (its descendants are contiguous).
  std::vector<Unit> city_units;
  std::vector<const Region*> city_counties;
  const std::vector<Region>& all = regions.all();
  for (size_t i = IndexOf(regions, *city) + 1;
       i < all.size() && all[i].code.starts_with(city->code); ++i) {
    const Region& r = all[i];
    if (r.kind != RegionKind::kUrbanCommunity && r.kind != RegionKind::kRuralVillage) continue;
    const Region* street = regions.Parent(r);
    const Region* county = regions.Parent(*street);
    if (city_counties.empty() || city_counties.back() != county) city_counties.push_back(county);
    city_units.push_back(Unit{.region = &r,
                              .street = street,
                              .county = static_cast<int>(city_counties.size() - 1),
                              .urban = r.kind == RegionKind::kUrbanCommunity});
  }
  auto has_units = [&] {
    return std::any_of(city_units.begin(), city_units.end(),
                       [&](const Unit& u) { return regions.IsWithin(*u.region, *m.region); });
  };
  if (!has_units() && options.province_member) {
    // No village-level data: people live in the city's townships (a 街道
    // counts as urban, a 镇/乡/other township as rural).
    city_units.clear();
    city_counties.clear();
    m.township_units = true;
    for (size_t i = IndexOf(regions, *city) + 1;
         i < all.size() && all[i].code.starts_with(city->code); ++i) {
      const Region& r = all[i];
      if (r.level != RegionLevel::kTownship) continue;
      const Region* county = regions.Parent(r);
      if (county == nullptr) continue;
      if (city_counties.empty() || city_counties.back() != county) city_counties.push_back(county);
      city_units.push_back(Unit{.region = &r,
                                .street = &r,
                                .county = static_cast<int>(city_counties.size() - 1),
                                .urban = r.kind == RegionKind::kStreet});
    }
  }
  bool region_has_units = has_units();
  if (!region_has_units) {
    return Status("gen.no_villages",
                  fmt::format("{}（{}）没有村级（社区、村）区划数据；目前只有鄂州、随州、咸宁、"
                              "株洲、南通五个试点城市有",
                              m.region->name, m.region->DisplayCode()),
                  Location{.field = "--region", .value = options.region});
  }
  if (m.city == nullptr) {
    return Status("gen.no_calibration",
                  fmt::format("校准文件 {} 中没有{}（{}）的人口数据", cal.source_name, city->name,
                              city->code),
                  Location{.file = cal.source_name, .value = city->code});
  }

  // Weights of the city's units: urban and rural shares of older people,
  // each spread over its units with a log-normal size (villages and
  // communities differ in size), then fitted to county census totals.
  double urban_share = std::clamp(m.city->urbanization * cal.elderly_urban_factor, 0.0, 1.0);
  size_t n_urban = static_cast<size_t>(
      std::count_if(city_units.begin(), city_units.end(), [](const Unit& u) { return u.urban; }));
  if (n_urban == 0) urban_share = 0;
  if (n_urban == city_units.size()) urban_share = 1;
  std::vector<double> w(city_units.size());
  double jitter_sum[2] = {0, 0};
  for (size_t i = 0; i < city_units.size(); ++i) {
    Rng rng(Mix(options.seed ^ 0x756E697473ULL, CodeNumber(city_units[i].region->code)));
    w[i] = std::exp(0.45 * StandardNormal(rng));
    jitter_sum[city_units[i].urban ? 1 : 0] += w[i];
  }
  for (size_t i = 0; i < city_units.size(); ++i) {
    bool urban = city_units[i].urban;
    w[i] *= (urban ? urban_share : 1 - urban_share) / jitter_sum[urban ? 1 : 0];
  }
  bool census_by_county =
      !m.city->county_population.empty() &&
      std::all_of(city_counties.begin(), city_counties.end(),
                  [&](const Region* c) { return m.city->county_population.contains(c->code); });
  if (census_by_county) {
    double census_total = 0;
    for (const Region* c : city_counties) census_total += m.city->county_population.at(c->code);
    for (int round = 0; round < 30; ++round) {
      std::vector<double> county_sum(city_counties.size(), 0);
      for (size_t i = 0; i < w.size(); ++i) {
        county_sum[static_cast<size_t>(city_units[i].county)] += w[i];
      }
      for (size_t i = 0; i < w.size(); ++i) {
        auto c = static_cast<size_t>(city_units[i].county);
        if (county_sum[c] > 0) {
          w[i] *=
              m.city->county_population.at(city_counties[c]->code) / census_total / county_sum[c];
        }
      }
      double kind_sum[2] = {0, 0};
      for (size_t i = 0; i < w.size(); ++i) kind_sum[city_units[i].urban ? 1 : 0] += w[i];
      for (size_t i = 0; i < w.size(); ++i) {
        bool urban = city_units[i].urban;
        double target = urban ? urban_share : 1 - urban_share;
        if (kind_sum[urban ? 1 : 0] > 0) w[i] *= target / kind_sum[urban ? 1 : 0];
      }
    }
  }

  // Keep the region's units.
  double region_weight = 0;
  for (size_t i = 0; i < city_units.size(); ++i) {
    if (!regions.IsWithin(*city_units[i].region, *m.region)) continue;
    region_weight += w[i];
  }
  for (size_t i = 0; i < city_units.size(); ++i) {
    Unit u = city_units[i];
    if (!regions.IsWithin(*u.region, *m.region)) continue;
    const Region* county = city_counties[static_cast<size_t>(u.county)];
    if (m.counties.empty() || m.counties.back().region != county) {
      m.counties.push_back(County{.region = county, .first_unit = m.units.size()});
    }
    u.county = static_cast<int>(m.counties.size() - 1);
    m.counties.back().last_unit = m.units.size() + 1;
    m.counties.back().weight += w[i] / region_weight;
    m.units.push_back(u);
    m.unit_cum.push_back((m.unit_cum.empty() ? 0 : m.unit_cum.back()) + w[i] / region_weight);
  }
  m.unit_cum.back() = 1.0;
  if (m.region->level == RegionLevel::kCity) {
    m.region_population = m.city->population;
  } else if (auto it = m.city->county_population.find(m.region->code);
             it != m.city->county_population.end()) {
    m.region_population = it->second;
  } else {
    double city_weight = std::accumulate(w.begin(), w.end(), 0.0);
    m.region_population = m.city->population * region_weight / city_weight;
    m.region_population_estimated = true;
  }

  // ID address codes: abolished predecessors, and counties elsewhere.
  std::map<std::string_view, std::vector<std::string_view>> old_codes =
      OldCodesBySuccessor(regions);
  for (County& c : m.counties) {
    if (auto it = old_codes.find(c.region->code); it != old_codes.end()) c.old_codes = it->second;
  }
  std::vector<int> foreign_index(all.size(), -1);
  for (size_t i = 0; i < all.size(); ++i) {
    const Region& r = all[i];
    if (r.level == RegionLevel::kCounty && !regions.IsWithin(r, *m.region)) {
      ForeignCounty f{.region = &r};
      if (auto it = old_codes.find(r.code); it != old_codes.end()) f.old_codes = it->second;
      bool same_province = r.code.starts_with(province->code);
      std::vector<ForeignCounty>& list = same_province ? m.province_counties : m.other_counties;
      foreign_index[i] = static_cast<int>(list.size()) * 2 + (same_province ? 0 : 1);
      list.push_back(std::move(f));
    } else if (r.level == RegionLevel::kTownship && r.parent >= 0) {
      int f = foreign_index[static_cast<size_t>(r.parent)];
      if (f >= 0) {
        (f % 2 == 0 ? m.province_counties : m.other_counties)[static_cast<size_t>(f / 2)]
            .streets.push_back(&r);
      }
    }
  }

  // Ages: five bands fitted to the census shares, each shaped by the
  // national single-year profile.
  double s60 = m.city->share_60_plus;
  double s65 = m.city->share_65_plus;
  double s80 = std::min(s60 * cal.share_80_plus_of_60_plus, s65);
  double per_100k = m.city->centenarians_per_100k >= 0 ? m.city->centenarians_per_100k
                                                       : cal.centenarians_per_100k;
  double s100 = std::min(per_100k / 1e5, s80 * 0.5);
  struct Band {
    int lo, hi;
    double share;
  };
  const Band bands[] = {{50, 59, cal.share_50_59},
                        {60, 64, s60 - s65},
                        {65, 79, s65 - s80},
                        {80, 99, s80 - s100},
                        {100, kMaxAge, s100}};
  std::array<double, kMaxAge + 1> shape = AgeShape(cal.age_groups);
  m.share_50_plus = 0;
  for (const Band& b : bands) {
    double sum = 0;
    for (int a = b.lo; a <= b.hi; ++a) sum += shape[static_cast<size_t>(a)];
    for (int a = b.lo; a <= b.hi; ++a) {
      m.age_share[static_cast<size_t>(a)] =
          sum > 0 ? b.share * shape[static_cast<size_t>(a)] / sum : 0;
    }
    m.share_50_plus += b.share;
  }
  for (double& s : m.age_share) s /= m.share_50_plus;

  double mobility = cal.elderly_mobility_factor;
  m.p_separated = std::clamp(m.city->separated_within_city * mobility, 0.0, 1.0);
  double floating = m.city->floating_within_province + m.city->floating_other_province;
  m.p_nonlocal = std::clamp(floating * mobility, 0.0, 0.9);
  m.p_other_province = floating > 0 ? m.city->floating_other_province / floating : 0;
  if (m.province_counties.empty()) m.p_other_province = 1;
  double n60 = 0, dibao = 0, tekun = 0;
  for (int a = 60; a <= kMaxAge; ++a) {
    double s = m.age_share[static_cast<size_t>(a)];
    n60 += s;
    dibao += s * cal.dibao_age_factor.At(a);
    tekun += s * cal.tekun_age_factor.At(a);
  }
  m.dibao_age_norm = dibao > 0 ? dibao / n60 : 1;
  m.tekun_age_norm = tekun > 0 ? tekun / n60 : 1;

  // Birth days of people aged kMinAge..kMaxAge on as_of.
  int last = options.as_of.AddYears(-kMinAge).DaysSinceEpoch();
  int first = options.as_of.AddYears(-(kMaxAge + 1)).DaysSinceEpoch() - 2;
  std::array<int, kMaxAge + 1> days_at_age{};
  for (int d = first; d <= last; ++d) {
    int age =
        AgeOn(CivilDate::FromDays(std::chrono::sys_days(std::chrono::days(d))), options.as_of);
    if (age < kMinAge || age > kMaxAge) continue;
    if (m.day_age.empty()) m.first_birth_day = d;
    m.day_age.push_back(static_cast<uint8_t>(age));
    ++days_at_age[static_cast<size_t>(age)];
  }

  // Cell counts by systematic rounding of their expected sizes.
  double people = std::round(m.region_population * m.share_50_plus * options.scale);
  for (size_t c = 0; c < m.counties.size(); ++c) m.counties[c].slot_index = static_cast<int>(c);
  m.other_slots_per_county = std::max(1, kOtherSlots / static_cast<int>(m.counties.size()));
  if (options.province_member) {
    // Half codes of people with 户籍 elsewhere, shared out among every county
    // of the province (in code order).
    std::map<std::string_view, int> province_index;
    for (const Region& r : all) {
      if (r.level == RegionLevel::kCounty && regions.IsWithin(r, *province)) {
        province_index.emplace(r.code, static_cast<int>(province_index.size()));
      }
    }
    for (County& c : m.counties) c.slot_index = province_index.at(c.region->code);
    m.local_slots = kProvinceLocalSlots;
    m.other_slots_per_county = std::max(1, (kLocalSlots + kOtherSlots - kProvinceLocalSlots) /
                                               static_cast<int>(province_index.size()));
  }
  m.cell_count.assign(2 * m.counties.size() * m.day_age.size() * 2, 0);
  Rng offset_rng(Mix(options.seed, 0x63656C6C73ULL));
  long double cumulative = offset_rng.Uniform();
  auto rounded = static_cast<int64_t>(std::floor(cumulative));
  for (int family = 0; family < 2; ++family) {
    double family_people = people * (family == 0 ? 1 - m.p_nonlocal : m.p_nonlocal);
    for (size_t c = 0; c < m.counties.size(); ++c) {
      double county_people = family_people * m.counties[c].weight;
      for (size_t d = 0; d < m.day_age.size(); ++d) {
        auto age = static_cast<size_t>(m.day_age[d]);
        double day_people = county_people * m.age_share[age] / days_at_age[age];
        double male = Smooth(cal.male_share_by_age, static_cast<int>(age));
        for (int sex = 0; sex < 2; ++sex) {
          // The census shape is that of the living on as_of: add the people
          // of the cell who die during the year before it.
          double q = DeathProbability(cal, static_cast<int>(age), sex == 0);
          cumulative += day_people * (sex == 0 ? male : 1 - male) / (1 - q);
          auto next = static_cast<int64_t>(std::floor(cumulative));
          int64_t n = next - rounded;
          rounded = next;
          int capacity = family == 0 ? m.local_slots : m.other_slots_per_county;
          if (n > capacity) {
            return Status("gen.id_space",
                          fmt::format("规模过大：同一县、同一出生日期、同一性别的人数超过 {}，"
                                      "无法编出不重复的身份号码（请减小 --scale）",
                                      capacity),
                          Location{.field = "--scale", .value = fmt::format("{}", options.scale)});
          }
          m.cell_count[m.CellIndex(family, static_cast<int>(c), static_cast<int>(d), sex)] =
              static_cast<uint16_t>(n);
          m.people += n;
        }
      }
    }
  }
  // Positions within each (family, county, sex) group, in birth-day order.
  m.group_position.assign(m.cell_count.size(), 0);
  for (int family = 0; family < 2; ++family) {
    for (size_t c = 0; c < m.counties.size(); ++c) {
      for (int sex = 0; sex < 2; ++sex) {
        int32_t before = 0;
        for (size_t d = 0; d < m.day_age.size(); ++d) {
          size_t cell = m.CellIndex(family, static_cast<int>(c), static_cast<int>(d), sex);
          m.group_position[cell] = before;
          before += m.cell_count[cell];
        }
      }
    }
  }
  return m;
}

double DeathProbability(const Calibration& cal, int age, bool male) {
  return std::min(cal.mortality_per_1000.At(age) * cal.mortality_sex_factor.Of(male) / 1000.0, 0.9);
}

int32_t CityModel::GroupSize(int family, int county, int sex) const {
  size_t last = CellIndex(family, county, static_cast<int>(day_age.size()) - 1, sex);
  return group_position[last] + cell_count[last];
}

bool CityModel::CellAtPosition(int family, int county, int sex, int32_t position, size_t& cell,
                               int& rank) const {
  if (position < 0 || position >= GroupSize(family, county, sex)) return false;
  // The last day whose group position is <= position.
  size_t lo = 0, hi = day_age.size();
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (group_position[CellIndex(family, county, static_cast<int>(mid), sex)] <= position) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  cell = CellIndex(family, county, static_cast<int>(lo), sex);
  rank = position - group_position[cell];
  return rank < cell_count[cell];
}

std::vector<BlockStart> PlanBlocks(const CityModel& model, int64_t block_size) {
  std::vector<BlockStart> blocks;
  int64_t person = 0;
  BlockStart current;
  for (size_t cell = 0; cell < model.cell_count.size(); ++cell) {
    int n = model.cell_count[cell];
    int rank = 0;
    while (rank < n) {
      if (current.count == 0) {
        current.cell = cell;
        current.rank = rank;
        current.person = person;
      }
      int64_t take = std::min<int64_t>(n - rank, block_size - current.count);
      current.count += take;
      person += take;
      rank += static_cast<int>(take);
      if (current.count == block_size) {
        blocks.push_back(current);
        current = BlockStart{};
      }
    }
  }
  if (current.count > 0) blocks.push_back(current);
  return blocks;
}

}  // namespace yanglao::gen
