#include "registry/province_import.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <chrono>

#include "core/file_io.h"
#include "core/utf8.h"
#include "registry/feed_template.h"

namespace yanglao::registry {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kProvinceFormat = "yanglao.gen-province/1";
constexpr std::string_view kUnitFormat = "yanglao.gen-manifest/1";

// A manifest is UTF-8 text: the first line that is not, located (its names
// go into messages and the registry).
Status CheckUtf8(const fs::path& file, std::string_view text) {
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    if (!IsValidUtf8(text.substr(start, end - start))) {
      return Status("province.manifest", "清单不是有效的 UTF-8 文本",
                    Location{.file = file.string(), .line = number});
    }
    start = end + 1;
  }
  return Status::Ok();
}

Status ManifestError(const fs::path& file, int line, std::string field, std::string value,
                     std::string message) {
  return Status("province.manifest", std::move(message),
                Location{.file = file.string(),
                         .line = line,
                         .field = std::move(field),
                         .value = std::move(value)});
}

int LineOf(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

// A scalar's text ("" for anything else).
std::string Text(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

// The manifest `file` as a YAML mapping, or where it is not one.
Result<YAML::Node> LoadManifest(const fs::path& file) {
  Result<std::string> text = ReadFileBytes(file);
  if (!text.ok()) return text.status();
  if (Status s = CheckUtf8(file, *text); !s.ok()) return s;
  try {
    YAML::Node root = YAML::Load(*text);
    if (!root.IsMap()) return ManifestError(file, 1, "", "", "应为「键: 值」的清单");
    return root;
  } catch (const YAML::Exception& e) {
    return Status("province.manifest", "清单的 YAML 格式有误",
                  Location{.file = file.string(),
                           .line = e.mark.line + 1,
                           .column = e.mark.column + 1,
                           .value = e.msg});
  }
}

Result<int64_t> Count(const fs::path& file, int line, const std::string& field,
                      const std::string& value) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 0) {
    return ManifestError(file, line, field, value, "行数应为非负整数");
  }
  return n;
}

struct Unit {
  std::string code, name, dir;
  int line = 0;
};

// The unit's feed files from its manifest, appended to `plan`.
Status ReadUnit(const fs::path& dir, const Unit& unit, const fs::path& province_manifest,
                ProvincePlan& plan) {
  const fs::path unit_dir = dir / unit.dir;
  const fs::path manifest = unit_dir / "manifest.yaml";
  if (!fs::exists(manifest)) {
    return Status("io.open",
                  fmt::format("{}（{}）的目录中没有 manifest.yaml：{}", unit.name, unit.code,
                              manifest.string()),
                  Location{.file = province_manifest.string(),
                           .line = unit.line,
                           .field = "dir",
                           .value = unit.dir});
  }
  Result<YAML::Node> root = LoadManifest(manifest);
  if (!root.ok()) return root.status();
  const YAML::Node format = (*root)["format"];
  if (Text(format) != kUnitFormat) {
    return ManifestError(
        manifest, LineOf(format), "format", Text(format),
        fmt::format("{}（应为 {}）", format ? "不是 yanglao gen 的城市清单" : "缺少 format",
                    kUnitFormat));
  }
  if (const YAML::Node region = (*root)["region"]; region && Text(region) != unit.code) {
    return ManifestError(
        manifest, LineOf(region), "region", Text(region),
        fmt::format("此目录的区划代码与全省清单所列 {}（{}）不符", unit.code, unit.name));
  }
  const YAML::Node rows = (*root)["rows"];
  if (!rows) return ManifestError(manifest, 0, "rows", "", "缺少 rows（各数据文件的行数）");
  if (!rows.IsMap()) {
    return ManifestError(manifest, LineOf(rows), "rows", "", "应为「文件名: 行数」");
  }
  for (const auto& entry : rows) {
    const std::string name = Text(entry.first);
    const int line = LineOf(entry.first);
    // A file of this unit's directory, by its name alone (no directory
    // part: a manifest does not send the import elsewhere).
    if (name.empty() || name.find('/') != std::string::npos ||
        name.find('\\') != std::string::npos || name == "." || name == "..") {
      return ManifestError(manifest, line, "rows", name,
                           "应为本目录下的文件名（如 公安.csv），不能含目录");
    }
    const std::string source = fs::path(name).stem().string();
    if (FindTemplate(source) == nullptr) {
      return ManifestError(manifest, line, "rows", name,
                           fmt::format("文件名「{}」不是已知的数据来源部门", name));
    }
    Result<int64_t> count = Count(manifest, line, "rows", Text(entry.second));
    if (!count.ok()) return count.status();
    ProvinceFeedFile f{.unit_code = unit.code,
                       .unit_name = unit.name,
                       .path = unit_dir / name,
                       .source = source,
                       .rows = *count};
    (*count > 0 ? plan.files : plan.empty_files).push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace

Result<ProvincePlan> ReadProvincePlan(const fs::path& dir) {
  const fs::path manifest = dir / "manifest.yaml";
  if (!fs::exists(manifest)) {
    return Status("io.open",
                  fmt::format("目录中没有全省清单 manifest.yaml（yanglao gen --region 省级代码 "
                              "写出）：{}",
                              dir.string()),
                  Location{.file = manifest.string()});
  }
  Result<YAML::Node> root = LoadManifest(manifest);
  if (!root.ok()) return root.status();
  const YAML::Node format = (*root)["format"];
  if (Text(format) != kProvinceFormat) {
    return ManifestError(
        manifest, LineOf(format), "format", Text(format),
        format ? fmt::format("不是全省清单（应为 {}；一个城市的目录请用 registry import 逐个导入）",
                             kProvinceFormat)
               : fmt::format("缺少 format（应为 {}）", kProvinceFormat));
  }
  ProvincePlan plan;
  plan.region_code = Text((*root)["region"]);
  plan.region_name = Text((*root)["region_name"]);
  const YAML::Node cities = (*root)["cities"];
  if (cities && !cities.IsSequence()) {
    return ManifestError(manifest, LineOf(cities), "cities", "",
                         "应为「- {code: …, name: …, dir: …}」的列表");
  }
  std::vector<Unit> units;
  for (const YAML::Node& item : cities ? cities : YAML::Node(YAML::NodeType::Sequence)) {
    const int line = LineOf(item);
    if (!item.IsMap()) {
      return ManifestError(manifest, line, "cities", Text(item),
                           "应为「- {code: …, name: …, dir: …}」");
    }
    Unit u{.code = Text(item["code"]),
           .name = Text(item["name"]),
           .dir = Text(item["dir"]),
           .line = line};
    for (const auto& [field, value] : {std::pair{"code", u.code}, std::pair{"dir", u.dir}}) {
      if (value.empty()) {
        return ManifestError(manifest, line, field, "", fmt::format("缺少 {}", field));
      }
    }
    // A unit's directory lies in the province's: one name, no path.
    if (u.dir == "." || u.dir == ".." || u.dir.find('/') != std::string::npos ||
        u.dir.find('\\') != std::string::npos) {
      return ManifestError(manifest, line, "dir", u.dir, "dir 应为本目录下的子目录名");
    }
    units.push_back(std::move(u));
  }
  if (units.empty()) return ManifestError(manifest, 0, "cities", "", "清单中没有列出城市");
  for (const Unit& u : units) {
    if (Status s = ReadUnit(dir, u, manifest, plan); !s.ok()) return s;
  }
  plan.units = units.size();
  return plan;
}

ProvinceImportSummary ImportProvince(
    Registry& registry, const ProvincePlan& plan, CivilDate today, CivilDate recorded_on,
    const std::function<void(const ProvinceFeedResult&)>& after_each) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point started = Clock::now();
  ProvinceImportSummary summary;
  for (size_t i = 0; i < plan.files.size(); ++i) {
    const ProvinceFeedFile& file = plan.files[i];
    const Clock::time_point file_started = Clock::now();
    ProvinceFeedResult result;
    result.file = &file;
    result.index = i;
    Result<std::string> bytes = ReadFileBytes(file.path);
    Result<ImportOutcome> out = bytes.ok()
                                    ? registry.ImportBytes(*bytes, file.path.string(), file.source,
                                                           today, recorded_on, result.parsed)
                                    : Result<ImportOutcome>(bytes.status());
    result.seconds = std::chrono::duration<double>(Clock::now() - file_started).count();
    if (!out.ok()) {
      summary.status = out.status();
      summary.has_failed = true;
      summary.failed = std::move(result);
      if (after_each) after_each(summary.failed);
      break;
    }
    result.outcome = *out;
    if (out->already_imported) {
      ++summary.already_imported;
    } else {
      ++summary.imported;
      summary.rows += result.parsed.data_rows;
      summary.persons_added += out->persons_added;
      summary.facts_added += out->facts_added;
      summary.facts_unchanged += out->facts_unchanged;
      summary.conflicts_added += out->conflicts_added;
    }
    if (after_each) after_each(result);
  }
  summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return summary;
}

}  // namespace yanglao::registry
