#include "gen/province.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "gen/rng.h"

namespace yanglao::gen {
namespace {

uint64_t CodeNumber(std::string_view code) {
  uint64_t v = 0;
  for (char c : code) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

bool DirectlyAdministered(const Region& city) {
  return city.name.find("直辖") != std::string::npos;
}

}  // namespace

bool IsProvinceCode(std::string_view region) {
  Result<std::string> code = NormalizeRegionCode(region);
  if (!code.ok()) return false;
  const Region* r = RegionTable::Builtin().Find(*code);
  return r != nullptr && r->level == RegionLevel::kProvince;
}

std::vector<ProvinceMember> ProvinceMembers(const RegionTable& regions, const Region& province,
                                            uint64_t seed) {
  std::vector<ProvinceMember> members;
  auto add = [&](const Region& r) {
    ProvinceMember m{.region = &r, .code = r.DisplayCode()};
    m.dir = m.code;
    m.seed = Mix(seed ^ 0x70726F76ULL, CodeNumber(m.code));
    members.push_back(std::move(m));
  };
  for (const Region& r : regions.all()) {
    if (!regions.IsWithin(r, province)) continue;
    if (r.level == RegionLevel::kCity) {
      if (!DirectlyAdministered(r)) add(r);
    } else if (r.level == RegionLevel::kCounty) {
      const Region* city = regions.Parent(r);
      if (city != nullptr && DirectlyAdministered(*city)) add(r);
    }
  }
  return members;
}

Result<ProvinceSummary> GenerateProvince(
    const GenOptions& options,
    const std::function<Status(const ProvinceMember&, const GenSummary&)>& after_member) {
  auto started = std::chrono::steady_clock::now();
  const RegionTable& regions = RegionTable::Builtin();
  Result<std::string> code = NormalizeRegionCode(options.region);
  if (!code.ok()) return code.status();
  const Region* province = regions.Find(*code);
  if (province == nullptr || province->level != RegionLevel::kProvince) {
    return Status("gen.region",
                  fmt::format("区划代码 {} 不是省级区划（如 420000）", options.region),
                  Location{.field = "--region", .value = options.region});
  }
  if (options.out.empty()) {
    return Status("gen.io", "未指定输出目录（--out）", Location{.field = "--out"});
  }
  ProvinceSummary summary;
  summary.region_code = province->DisplayCode();
  summary.region_name = province->name;
  summary.members = ProvinceMembers(regions, *province, options.seed);
  for (const ProvinceMember& member : summary.members) {
    GenOptions city = options;
    city.region = member.code;
    city.seed = member.seed;
    city.out = options.out / member.dir;
    city.province_member = true;
    Result<GenSummary> s = GenerateCity(city);
    if (!s.ok()) return s.status();
    if (after_member) {
      if (Status st = after_member(member, *s); !st.ok()) return st;
    }
    summary.people += s->people;
    summary.bytes_written += s->bytes_written;
    summary.cities.push_back(std::move(*s));
  }

  std::string m;
  m += "# yanglao gen for a province: one directory per city, each as `yanglao gen` writes a "
       "city.\n";
  m += "format: yanglao.gen-province/1\n";
  m += fmt::format("region: \"{}\"\nregion_name: {}\n", summary.region_code, summary.region_name);
  m += fmt::format("seed: {}\nscale: {}\nas_of: {}\ndirty: {}\n", options.seed, options.scale,
                   options.as_of.ToString(), options.dirty ? "true" : "false");
  m += fmt::format("people: {}\n", summary.people);
  m += "cities:\n";
  for (size_t i = 0; i < summary.members.size(); ++i) {
    const ProvinceMember& member = summary.members[i];
    const GenSummary& s = summary.cities[i];
    m += fmt::format(
        "  - {{code: \"{}\", name: {}, dir: {}, seed: {}, people: {}, deaths: {}, aged_60_plus: "
        "{}}}\n",
        member.code, s.region_name, member.dir, member.seed, s.people, s.deaths, s.aged_60_plus);
  }
  std::filesystem::path path = options.out / "manifest.yaml";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  bool ok = f != nullptr && std::fwrite(m.data(), 1, m.size(), f) == m.size();
  if (f != nullptr && std::fclose(f) != 0) ok = false;
  if (!ok) {
    return Status("gen.io", fmt::format("无法写入文件：{}", path.string()),
                  Location{.file = path.string()});
  }
  summary.bytes_written += static_cast<int64_t>(m.size());
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace yanglao::gen
