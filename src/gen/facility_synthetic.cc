#include "gen/facility_synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/region.h"
#include "facility/table.h"
#include "gen/rng.h"

namespace yanglao::gen {
namespace {

struct Place {
  const Region* region;
  double x, y;
};

std::string Row(const std::vector<std::string>& fields) {
  std::string s;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) s += ',';
    s += CsvEscape(fields[i]);
  }
  s += '\n';
  return s;
}

std::string Header(const std::vector<std::string_view>& h) {
  return Row(std::vector<std::string>(h.begin(), h.end()));
}

std::string Num(double v) { return std::to_string(static_cast<int64_t>(std::lround(v))); }

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return Status("gen.io", "无法写入文件", Location{.file = path.string()});
  return Status::Ok();
}

// A point at distance up to `r` from (x, y), denser near the centre.
void Around(Rng& rng, double x, double y, double r, double& ox, double& oy) {
  double d = r * std::sqrt(rng.Uniform());
  double a = 2 * std::numbers::pi * rng.Uniform();
  ox = x + d * std::cos(a);
  oy = y + d * std::sin(a);
}

}  // namespace

Result<FacilitySyntheticSummary> WriteSyntheticFacilities(const FacilitySyntheticOptions& options) {
  const RegionTable& table = RegionTable::Builtin();
  const Region* root = table.Find(options.region);
  if (root == nullptr ||
      (root->level != RegionLevel::kCity && root->level != RegionLevel::kCounty)) {
    return Status("gen.region", "区划代码不是地级市或县级单位",
                  Location{.field = "region", .value = options.region});
  }
  Rng rng(Mix(options.seed, 0xFAC1117Eull));
  std::string points = Header(facility::PointHeader());
  std::string sites = Header(facility::FacilityHeader());
  std::string estates = Header(facility::EstateHeader());
  FacilitySyntheticSummary out;
  out.dir = options.out / "设施";

  std::vector<const Region*> counties;
  if (root->level == RegionLevel::kCounty) {
    counties.push_back(root);
  } else {
    for (const Region* c : table.Children(*root)) counties.push_back(c);
  }
  int site_no = 0, estate_no = 0;
  // The draws of a site, in a fixed order (never as function arguments, whose
  // order of evaluation C++ leaves open): floor area, nursing share of the
  // beds, opening year and month.
  struct Range {
    int lo, hi;
  };
  auto add_site = [&](facility::Kind kind, const std::string& name, const Place& at, Range area,
                      int64_t beds, Range nursing_pct, const std::string& op, Range year) {
    ++site_no;
    int64_t floor = rng.Between(area.lo, area.hi);
    int64_t nursing = beds > 0 ? beds * rng.Between(nursing_pct.lo, nursing_pct.hi) / 100 : 0;
    if (beds > 0 && options.scale != 1.0) {
      // The beds scaled, and the nursing beds the site's share of them.
      auto scaled = [&](int64_t n) {
        return static_cast<int64_t>(std::llround(static_cast<double>(n) * options.scale));
      };
      // An institution keeps at least one bed; a day-care centre's few beds
      // may round to none.
      const int64_t b =
          std::max<int64_t>(kind == facility::Kind::kInstitution ? 1 : 0, scaled(beds));
      nursing = std::min(b, static_cast<int64_t>(std::llround(static_cast<double>(b * nursing) /
                                                              static_cast<double>(beds))));
      beds = b;
    }
    int y = rng.Between(year.lo, year.hi);
    int m = rng.Between(1, 12);
    sites +=
        Row({fmt::format("SF{:05d}", site_no), name, std::string(facility::KindLabel(kind)),
             at.region->code, Num(at.x), Num(at.y), "", std::to_string(floor), std::to_string(beds),
             std::to_string(nursing), op, fmt::format("{}-{:02d}-01", y, m), "运营", "是"});
    ++out.facilities;
  };
  for (size_t ci = 0; ci < counties.size(); ++ci) {
    const Region* county = counties[ci];
    double cx = static_cast<double>(ci % 3) * 40'000, cy = static_cast<double>(ci / 3) * 40'000;
    std::vector<Place> county_places;
    for (const Region* t : table.Children(*county)) {
      bool street = t->kind == RegionKind::kStreet;
      double tx, ty;
      Around(rng, cx, cy, street ? 4'000 : 16'000, tx, ty);
      std::vector<Place> places;
      for (const Region* v : table.Children(*t)) {
        double vx, vy;
        Around(rng, tx, ty, v->is_urban_community() ? 1'100 : 4'000, vx, vy);
        places.push_back({v, vx, vy});
        points += Row({v->code, Num(vx), Num(vy), "是"});
        ++out.points;
      }
      if (places.empty()) continue;
      county_places.insert(county_places.end(), places.begin(), places.end());
      const Place& centre = places[0];
      if (rng.Bernoulli(street ? 0.8 : 0.5)) {
        int64_t beds = rng.Between(20, 60);
        add_site(facility::Kind::kComplex, t->name + "养老服务综合体", centre, {800, 3000}, beds,
                 {30, 70}, "街道（乡镇）", {2019, 2025});
      }
      if (rng.Bernoulli(0.85)) {
        const Place& p = places[rng.Below(places.size())];
        add_site(facility::Kind::kCanteen, p.region->name + "幸福食堂", p, {80, 300}, 0, {0, 0},
                 "社区", {2020, 2025});
      }
      if (!street) {
        int64_t beds = rng.Between(40, 160);
        int area = static_cast<int>(beds * 30);
        add_site(facility::Kind::kInstitution, t->name + "敬老院", centre, {area, area}, beds,
                 {30, 70}, "乡镇人民政府", {1995, 2015});
      }
      add_site(facility::Kind::kHealth, t->name + (street ? "社区卫生服务中心" : "卫生院"), centre,
               {1000, 4000}, 0, {0, 0}, "卫生健康局", {1990, 2015});
      for (const Place& p : places) {
        if (p.region->is_urban_community()) {
          if (rng.Bernoulli(0.93)) {
            int64_t beds = rng.Between(0, 10);
            add_site(facility::Kind::kDayCare, p.region->name + "日间照料中心", p, {200, 600}, beds,
                     {0, 0}, "社区", {2012, 2025});
          }
          int n = rng.Between(1, 3);
          for (int e = 0; e < n; ++e) {
            ++estate_no;
            int year = rng.Between(1995, 2025);
            int64_t households = rng.Between(150, 2500);
            int64_t area = 0, largest = 0;
            bool recent = year >= 2018;
            if (rng.Bernoulli(recent ? 0.8 : 0.3)) {
              area = (households * rng.Between(20, 34) + 99) / 100;  // meets 20 (often 30) per 100
            } else if (rng.Bernoulli(0.6)) {
              area = households * rng.Between(4, 18) / 100;  // short
            }
            largest = rng.Bernoulli(0.7) ? area : area * rng.Between(40, 90) / 100;
            double ex, ey;
            Around(rng, p.x, p.y, 400, ex, ey);
            estates += Row({fmt::format("SE{:05d}", estate_no),
                            fmt::format("{}{}号小区", p.region->name, e + 1), p.region->code,
                            std::to_string(households), std::to_string(year), std::to_string(area),
                            std::to_string(largest), "是"});
            ++out.estates;
          }
        } else if (rng.Bernoulli(0.57)) {
          add_site(facility::Kind::kMutualAid, p.region->name + "互助照料中心", p, {100, 300}, 0,
                   {0, 0}, "村委会", {2014, 2025});
        }
      }
    }
    if (county_places.empty()) continue;
    const Place& seat = county_places[0];
    if (ci == 0 || rng.Bernoulli(0.5)) {
      add_site(facility::Kind::kGuidance, county->name + "养老服务指导中心", seat, {300, 800}, 0,
               {0, 0}, "民政局", {2022, 2025});
    }
    int homes = rng.Between(2, 4);
    for (int h = 0; h < homes; ++h) {
      const Place& p = county_places[rng.Below(county_places.size())];
      int64_t beds = rng.Between(150, 600);
      add_site(
          facility::Kind::kInstitution,
          fmt::format("{}{}", county->name, h == 0 ? "社会福利院" : fmt::format("第{}养老院", h)),
          p, {static_cast<int>(beds * 35), static_cast<int>(beds * 35)}, beds, {40, 80},
          h == 0 ? "民政局" : "社会力量", {2000, 2024});
    }
  }
  if (out.points == 0) {
    return Status("gen.region", "该区划没有社区（村）数据",
                  Location{.field = "region", .value = options.region});
  }
  std::error_code ec;
  std::filesystem::create_directories(out.dir, ec);
  if (ec) return Status("gen.io", "无法创建目录", Location{.file = out.dir.string()});
  if (Status s = WriteFile(out.dir / "社区坐标.csv", points); !s.ok()) return s;
  if (Status s = WriteFile(out.dir / "养老设施.csv", sites); !s.ok()) return s;
  if (Status s = WriteFile(out.dir / "住宅小区.csv", estates); !s.ok()) return s;
  return out;
}

}  // namespace yanglao::gen
