#include "core/region.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/csv.h"
#include "core/file_io.h"

namespace yanglao {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

size_t CodeLength(RegionLevel level) {
  static constexpr std::array<size_t, 6> kLength = {0, 2, 4, 6, 9, 12};
  return kLength[static_cast<size_t>(level)];
}

// Drops a trailing full-width or ASCII parenthetical: "黄龙居委会（社区）" -> "黄龙居委会".
std::string_view StripParenthetical(std::string_view name) {
  for (std::string_view open : {"（", "("}) {
    size_t at = name.rfind(open);
    if (at != std::string_view::npos && at > 0 && (name.ends_with("）") || name.ends_with(")"))) {
      return name.substr(0, at);
    }
  }
  return name;
}

bool EndsWithAny(std::string_view s, std::initializer_list<std::string_view> suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(),
                     [&](std::string_view x) { return s.ends_with(x); });
}
bool ContainsAny(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view x) { return s.find(x) != std::string_view::npos; });
}

struct PendingRegion {
  Region region;
  std::string parent_code;
};

// Reads one level's CSV file. `parent_column` is the index of the column
// holding the direct parent's code, or -1 for provinces.
Status ReadLevel(const RegionSources::File& file, RegionLevel level,
                 const std::vector<std::string_view>& header, int parent_column,
                 const std::unordered_map<std::string, int32_t>& known,
                 std::vector<PendingRegion>& out) {
  CsvReader reader(file.text, file.name);
  CsvRow row;
  Result<bool> more = reader.Next(row);
  if (!more.ok()) return more.status();
  if (!*more) {
    return Status("region.empty_file", "行政区划文件为空（缺少表头）", Location{.file = file.name});
  }
  if (Status s = CheckCsvHeader(row, header, file.name); !s.ok()) return s;
  while (true) {
    more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    auto at = [&](int column, std::string_view field) {
      return Location{.file = file.name,
                      .line = row.line,
                      .column = column + 1,
                      .field = std::string(field),
                      .value = static_cast<size_t>(column) < row.fields.size()
                                   ? row.fields[static_cast<size_t>(column)]
                                   : ""};
    };
    if (row.fields.size() != header.size()) {
      return Status("region.field_count",
                    fmt::format("应有{}列，实际为{}列", header.size(), row.fields.size()),
                    Location{.file = file.name, .line = row.line});
    }
    const std::string& code = row.fields[0];
    if (!AllDigits(code) || code.size() != CodeLength(level)) {
      return Status(
          "region.code_format",
          fmt::format("{}区划代码应为{}位数字", RegionLevelName(level), CodeLength(level)),
          at(0, header[0]));
    }
    if (row.fields[1].empty()) {
      return Status("region.name_empty", "区划名称为空", at(1, header[1]));
    }
    PendingRegion p;
    p.region.code = code;
    p.region.name = row.fields[1];
    p.region.level = level;
    switch (level) {
      case RegionLevel::kProvince:
        p.region.kind = RegionKind::kProvince;
        break;
      case RegionLevel::kCity:
        p.region.kind = RegionKind::kCity;
        break;
      case RegionLevel::kCounty:
        p.region.kind = RegionKind::kCounty;
        break;
      case RegionLevel::kTownship:
        p.region.kind = ClassifyTownship(p.region.name);
        break;
      case RegionLevel::kVillage:
        p.region.kind = ClassifyVillage(p.region.name);
        break;
    }
    if (parent_column >= 0) {
      p.parent_code = row.fields[static_cast<size_t>(parent_column)];
      auto parent = known.find(p.parent_code);
      if (parent == known.end()) {
        return Status("region.unknown_parent", "上级区划代码不存在",
                      at(parent_column, header[static_cast<size_t>(parent_column)]));
      }
      auto parent_level = out[static_cast<size_t>(parent->second)].region.level;
      if (static_cast<int>(parent_level) + 1 != static_cast<int>(level)) {
        return Status(
            "region.parent_level",
            fmt::format("上级区划级别不符：{}单位的上级应为{}单位", RegionLevelName(level),
                        RegionLevelName(static_cast<RegionLevel>(static_cast<int>(level) - 1))),
            at(parent_column, header[static_cast<size_t>(parent_column)]));
      }
      if (!code.starts_with(p.parent_code)) {
        return Status("region.parent_mismatch", "区划代码与上级区划代码不一致（应以上级代码开头）",
                      at(0, header[0]));
      }
    }
    out.push_back(std::move(p));
  }
  return Status::Ok();
}

Status ReadAbolished(const RegionSources::File& file, std::vector<AbolishedRegion>& out) {
  static const std::vector<std::string_view> kHeader = {"code", "name", "until", "successor",
                                                        "note"};
  CsvReader reader(file.text, file.name);
  CsvRow row;
  Result<bool> more = reader.Next(row);
  if (!more.ok()) return more.status();
  if (!*more) return Status::Ok();
  if (Status s = CheckCsvHeader(row, kHeader, file.name); !s.ok()) return s;
  while (true) {
    more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (row.fields.size() != kHeader.size()) {
      return Status("region.field_count",
                    fmt::format("应有{}列，实际为{}列", kHeader.size(), row.fields.size()),
                    Location{.file = file.name, .line = row.line});
    }
    if (!AllDigits(row.fields[0]) || row.fields[0].size() != 6) {
      return Status("region.code_format", "已撤销区划代码应为6位数字",
                    Location{.file = file.name,
                             .line = row.line,
                             .column = 1,
                             .field = "code",
                             .value = row.fields[0]});
    }
    out.push_back(
        AbolishedRegion{row.fields[0], row.fields[1], row.fields[2], row.fields[3], row.fields[4]});
  }
  return Status::Ok();
}

}  // namespace

std::string_view RegionKindName(RegionKind kind) {
  switch (kind) {
    case RegionKind::kProvince:
      return "省级";
    case RegionKind::kCity:
      return "地级";
    case RegionKind::kCounty:
      return "县级";
    case RegionKind::kStreet:
      return "街道";
    case RegionKind::kTown:
      return "镇";
    case RegionKind::kTownship:
      return "乡";
    case RegionKind::kOtherTownship:
      return "其他乡级单位";
    case RegionKind::kUrbanCommunity:
      return "社区居委会";
    case RegionKind::kRuralVillage:
      return "村委会";
    case RegionKind::kOtherVillage:
      return "其他村级单位";
  }
  return "";
}

std::string_view RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kProvince:
      return "省级";
    case RegionLevel::kCity:
      return "地级";
    case RegionLevel::kCounty:
      return "县级";
    case RegionLevel::kTownship:
      return "乡级";
    case RegionLevel::kVillage:
      return "村级";
  }
  return "";
}

RegionLevel LevelOfKind(RegionKind kind) {
  switch (kind) {
    case RegionKind::kProvince:
      return RegionLevel::kProvince;
    case RegionKind::kCity:
      return RegionLevel::kCity;
    case RegionKind::kCounty:
      return RegionLevel::kCounty;
    case RegionKind::kStreet:
    case RegionKind::kTown:
    case RegionKind::kTownship:
    case RegionKind::kOtherTownship:
      return RegionLevel::kTownship;
    case RegionKind::kUrbanCommunity:
    case RegionKind::kRuralVillage:
    case RegionKind::kOtherVillage:
      return RegionLevel::kVillage;
  }
  return RegionLevel::kVillage;
}

RegionKind ClassifyTownship(std::string_view name) {
  name = StripParenthetical(name);
  if (name.ends_with("街道") || name.ends_with("街道办事处")) return RegionKind::kStreet;
  if (name.ends_with("镇")) return RegionKind::kTown;
  if (name.ends_with("乡") || name.ends_with("苏木")) return RegionKind::kTownship;
  return RegionKind::kOtherTownship;
}

RegionKind ClassifyVillage(std::string_view name) {
  name = StripParenthetical(name);
  // 虚拟社区 / 虚拟生活区 of farms and development zones have no residents' committee.
  if (name.find("虚拟") != std::string_view::npos) return RegionKind::kOtherVillage;
  if (EndsWithAny(name, {"居委会", "居民委员会", "社区"})) return RegionKind::kUrbanCommunity;
  if (EndsWithAny(name, {"村委会", "村民委员会", "村", "嘎查"})) return RegionKind::kRuralVillage;
  // Virtual living areas of farms and forest farms are neither.
  if (ContainsAny(name, {"生活区", "农场", "林场", "茶场", "管理"}))
    return RegionKind::kOtherVillage;
  // Misspelt or unusual endings ("秦西社区居民委委会").
  if (ContainsAny(name, {"社区", "居委", "居民委"})) return RegionKind::kUrbanCommunity;
  if (ContainsAny(name, {"村委", "村民委"})) return RegionKind::kRuralVillage;
  return RegionKind::kOtherVillage;
}

std::string Region::DisplayCode() const {
  if (code.size() >= 6) return code;
  return code + std::string(6 - code.size(), '0');
}

Result<std::string> NormalizeRegionCode(std::string_view text) {
  if (!AllDigits(text) || (text.size() != 2 && text.size() != 4 && text.size() != 6 &&
                           text.size() != 9 && text.size() != 12)) {
    return Status("region.code_format", "区划代码应为2、4、6、9或12位数字",
                  Location{.value = std::string(text)});
  }
  std::string code(text);
  if (code.size() == 12 && code.ends_with("000")) code.resize(9);
  if (code.size() == 9 && code.ends_with("000")) code.resize(6);
  if (code.size() == 6 && code.ends_with("00")) code.resize(4);
  if (code.size() == 4 && code.ends_with("00")) code.resize(2);
  return code;
}

Result<RegionTable> RegionTable::Load(const RegionSources& sources) {
  std::vector<PendingRegion> pending;
  std::unordered_map<std::string, int32_t> known;  // code -> level, for parent checks
  struct Spec {
    const RegionSources::File* file;
    RegionLevel level;
    std::vector<std::string_view> header;
    int parent_column;
  };
  const Spec specs[] = {
      {&sources.provinces, RegionLevel::kProvince, {"code", "name"}, -1},
      {&sources.cities, RegionLevel::kCity, {"code", "name", "provinceCode"}, 2},
      {&sources.areas, RegionLevel::kCounty, {"code", "name", "cityCode", "provinceCode"}, 2},
      {&sources.streets,
       RegionLevel::kTownship,
       {"code", "name", "areaCode", "provinceCode", "cityCode"},
       2},
      {&sources.villages,
       RegionLevel::kVillage,
       {"code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"},
       2},
  };
  for (const Spec& spec : specs) {
    if (spec.level == RegionLevel::kVillage && spec.file->text.empty()) continue;
    size_t first = pending.size();
    if (Status s =
            ReadLevel(*spec.file, spec.level, spec.header, spec.parent_column, known, pending);
        !s.ok()) {
      return s;
    }
    for (size_t i = first; i < pending.size(); ++i) {
      auto [it, inserted] = known.emplace(pending[i].region.code, static_cast<int32_t>(i));
      if (!inserted) {
        return Status(
            "region.duplicate_code", "区划代码重复",
            Location{.file = spec.file->name, .field = "code", .value = pending[i].region.code});
      }
    }
  }

  std::sort(pending.begin(), pending.end(), [](const PendingRegion& a, const PendingRegion& b) {
    return a.region.code < b.region.code;
  });
  RegionTable table;
  table.regions_.reserve(pending.size());
  table.by_code_.reserve(pending.size());
  for (PendingRegion& p : pending) {
    table.by_code_.emplace(p.region.code, static_cast<int32_t>(table.regions_.size()));
    table.regions_.push_back(std::move(p.region));
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    if (!pending[i].parent_code.empty()) {
      table.regions_[i].parent = table.by_code_.at(pending[i].parent_code);
    }
  }

  if (!sources.abolished.text.empty()) {
    if (Status s = ReadAbolished(sources.abolished, table.abolished_); !s.ok()) return s;
    std::sort(table.abolished_.begin(), table.abolished_.end(),
              [](const AbolishedRegion& a, const AbolishedRegion& b) { return a.code < b.code; });
    for (const AbolishedRegion& a : table.abolished_) {
      if (table.Find(a.code) != nullptr) {
        return Status("region.abolished_is_current", "已撤销区划代码仍是现行代码",
                      Location{.file = sources.abolished.name, .field = "code", .value = a.code});
      }
    }
  }
  return table;
}

Result<RegionTable> RegionTable::LoadDirectory(const std::filesystem::path& dir) {
  std::array<std::string, 6> texts;
  const std::array<std::string_view, 6> names = {
      "provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages-seed-cities.csv",
      "abolished.csv"};
  for (size_t i = 0; i < names.size(); ++i) {
    std::filesystem::path path = dir / names[i];
    bool optional = i >= 4;
    if (optional && !std::filesystem::exists(path)) continue;
    Result<std::string> text = ReadFileBytes(path);
    if (!text.ok()) return text.status();
    texts[i] = std::move(*text);
  }
  auto file = [&](size_t i) { return RegionSources::File{(dir / names[i]).string(), texts[i]}; };
  return Load(RegionSources{file(0), file(1), file(2), file(3), file(4), file(5)});
}

const Region* RegionTable::Find(std::string_view code) const {
  // The code as written first: cities without counties (东莞 4419, 儋州 4604
  // ...) have a county-level unit whose code is the city's padded code
  // (441900), which would otherwise read as the city itself.
  if (auto exact = by_code_.find(std::string(code)); exact != by_code_.end()) {
    return &regions_[static_cast<size_t>(exact->second)];
  }
  Result<std::string> normal = NormalizeRegionCode(code);
  if (!normal.ok()) return nullptr;
  auto it = by_code_.find(*normal);
  return it == by_code_.end() ? nullptr : &regions_[static_cast<size_t>(it->second)];
}

const AbolishedRegion* RegionTable::FindAbolished(std::string_view code) const {
  auto it =
      std::lower_bound(abolished_.begin(), abolished_.end(), code,
                       [](const AbolishedRegion& a, std::string_view c) { return a.code < c; });
  return it != abolished_.end() && it->code == code ? &*it : nullptr;
}

std::vector<const Region*> RegionTable::FindByName(std::string_view name, size_t limit) const {
  std::vector<const Region*> exact, partial;
  if (name.empty()) return exact;
  for (const Region& r : regions_) {
    if (r.name == name) {
      exact.push_back(&r);
    } else if (r.name.find(name) != std::string::npos) {
      partial.push_back(&r);
    }
  }
  exact.insert(exact.end(), partial.begin(), partial.end());
  if (exact.size() > limit) exact.resize(limit);
  return exact;
}

std::vector<const Region*> RegionTable::Ancestors(const Region& r) const {
  std::vector<const Region*> out;
  for (const Region* p = Parent(r); p != nullptr; p = Parent(*p)) out.push_back(p);
  std::reverse(out.begin(), out.end());
  return out;
}

std::string RegionTable::FullName(const Region& r) const {
  std::string out;
  for (const Region* a : Ancestors(r)) {
    // Municipalities list "市辖区" as their city level; it adds nothing to a name.
    if (a->name == "市辖区" || a->name == "县" || a->name == "省直辖县级行政区划") continue;
    out += a->name;
  }
  return out + r.name;
}

std::pair<size_t, size_t> RegionTable::DescendantRange(const Region& r) const {
  auto first = static_cast<size_t>(IndexOfRegion(r)) + 1;
  auto last =
      std::partition_point(regions_.begin() + static_cast<std::ptrdiff_t>(first), regions_.end(),
                           [&](const Region& x) { return x.code.starts_with(r.code); });
  return {first, static_cast<size_t>(last - regions_.begin())};
}

std::vector<const Region*> RegionTable::Children(const Region& r) const {
  std::vector<const Region*> out;
  auto [first, last] = DescendantRange(r);
  for (size_t i = first; i < last; ++i) {
    if (regions_[i].parent == IndexOfRegion(r)) out.push_back(&regions_[i]);
  }
  return out;
}

bool RegionTable::IsWithin(const Region& r, const Region& ancestor) const {
  return r.code.starts_with(ancestor.code);
}

std::vector<size_t> RegionTable::CountDescendantsByKind(const Region& r) const {
  std::vector<size_t> counts(static_cast<size_t>(RegionKind::kOtherVillage) + 1, 0);
  auto [first, last] = DescendantRange(r);
  for (size_t i = first; i < last; ++i) ++counts[static_cast<size_t>(regions_[i].kind)];
  return counts;
}

}  // namespace yanglao
