#include "registry/province_import.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <map>

#include "core/file_io.h"
#include "core/utf8.h"
#include "registry/feed_template.h"

namespace yanglao::registry {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kProvinceFormat = "yanglao.gen-province/1";
constexpr std::string_view kUnitFormat = "yanglao.gen-manifest/1";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A YAML scalar as the manifests write it: plain or double-quoted.
std::string Scalar(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) ++i;
      out += s[i];
    }
    return out;
  }
  return std::string(s);
}

struct Line {
  int number = 0;
  size_t indent = 0;
  std::string_view text;  // without the indentation
};

// The lines of a manifest, without blank lines and comments.
std::vector<Line> Lines(std::string_view text) {
  std::vector<Line> out;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    size_t indent = raw.find_first_not_of(' ');
    if (indent == std::string_view::npos || raw[indent] == '#') continue;
    out.push_back({number, indent, raw.substr(indent)});
  }
  return out;
}

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

// "key: value" -> (key, value); nullopt without a colon.
std::optional<std::pair<std::string, std::string>> KeyValue(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::pair{std::string(Trim(text.substr(0, colon))), Scalar(text.substr(colon + 1))};
}

Status ManifestError(const fs::path& file, int line, std::string field, std::string value,
                     std::string message) {
  return Status("province.manifest", std::move(message),
                Location{.file = file.string(),
                         .line = line,
                         .field = std::move(field),
                         .value = std::move(value)});
}

// "{code: "420100", name: 武汉市, dir: 420100, ...}" -> its keys and values.
std::optional<std::map<std::string, std::string>> FlowMap(std::string_view text) {
  text = Trim(text);
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    // Commas inside a quoted value do not split.
    size_t end = start;
    bool quoted = false;
    while (end < text.size() && (quoted || text[end] != ',')) {
      if (text[end] == '"') quoted = !quoted;
      if (text[end] == '\\' && quoted) ++end;
      ++end;
    }
    std::optional<std::pair<std::string, std::string>> kv =
        KeyValue(text.substr(start, std::min(end, text.size()) - start));
    if (!kv) return std::nullopt;
    out.insert(std::move(*kv));
    start = end + 1;
  }
  return out;
}

Result<int64_t> Count(const fs::path& file, const Line& line, const std::string& field,
                      const std::string& value) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 0) {
    return ManifestError(file, line.number, field, value, "行数应为非负整数");
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
  Result<std::string> text = ReadFileBytes(manifest);
  if (!text.ok()) return text.status();
  if (Status s = CheckUtf8(manifest, *text); !s.ok()) return s;
  bool format_seen = false, rows_seen = false;
  std::vector<Line> lines = Lines(*text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.indent != 0) continue;
    std::optional<std::pair<std::string, std::string>> kv = KeyValue(line.text);
    if (!kv) continue;
    if (kv->first == "format") {
      if (kv->second != kUnitFormat) {
        return ManifestError(manifest, line.number, "format", kv->second,
                             fmt::format("不是 yanglao gen 的城市清单（应为 {}）", kUnitFormat));
      }
      format_seen = true;
    } else if (kv->first == "region") {
      if (kv->second != unit.code) {
        return ManifestError(
            manifest, line.number, "region", kv->second,
            fmt::format("此目录的区划代码与全省清单所列 {}（{}）不符", unit.code, unit.name));
      }
    } else if (kv->first == "rows") {
      rows_seen = true;
      for (size_t j = i + 1; j < lines.size() && lines[j].indent > 0; ++j) {
        std::optional<std::pair<std::string, std::string>> file = KeyValue(lines[j].text);
        if (!file) {
          return ManifestError(manifest, lines[j].number, "rows", std::string(lines[j].text),
                               "应为「文件名: 行数」");
        }
        // A file of this unit's directory, by its name alone (no directory
        // part: a manifest does not send the import elsewhere).
        if (file->first.empty() || file->first.find('/') != std::string::npos ||
            file->first.find('\\') != std::string::npos || file->first == "." ||
            file->first == "..") {
          return ManifestError(manifest, lines[j].number, "rows", file->first,
                               "应为本目录下的文件名（如 公安.csv），不能含目录");
        }
        const std::string source = fs::path(file->first).stem().string();
        if (FindTemplate(source) == nullptr) {
          return ManifestError(manifest, lines[j].number, "rows", file->first,
                               fmt::format("文件名「{}」不是已知的数据来源部门", file->first));
        }
        Result<int64_t> rows = Count(manifest, lines[j], "rows", file->second);
        if (!rows.ok()) return rows.status();
        ProvinceFeedFile f{.unit_code = unit.code,
                           .unit_name = unit.name,
                           .path = unit_dir / file->first,
                           .source = source,
                           .rows = *rows};
        (*rows > 0 ? plan.files : plan.empty_files).push_back(std::move(f));
      }
    }
  }
  if (!format_seen) {
    return ManifestError(manifest, 0, "format", "",
                         fmt::format("缺少 format（应为 {}）", kUnitFormat));
  }
  if (!rows_seen) return ManifestError(manifest, 0, "rows", "", "缺少 rows（各数据文件的行数）");
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
  Result<std::string> text = ReadFileBytes(manifest);
  if (!text.ok()) return text.status();
  if (Status s = CheckUtf8(manifest, *text); !s.ok()) return s;
  ProvincePlan plan;
  std::vector<Unit> units;
  bool format_seen = false;
  std::vector<Line> lines = Lines(*text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.indent != 0) continue;
    std::optional<std::pair<std::string, std::string>> kv = KeyValue(line.text);
    if (!kv) {
      return ManifestError(manifest, line.number, "", std::string(line.text), "应为「键: 值」");
    }
    if (kv->first == "format") {
      if (kv->second != kProvinceFormat) {
        return ManifestError(
            manifest, line.number, "format", kv->second,
            fmt::format("不是全省清单（应为 {}；一个城市的目录请用 registry import 逐个导入）",
                        kProvinceFormat));
      }
      format_seen = true;
    } else if (kv->first == "region") {
      plan.region_code = kv->second;
    } else if (kv->first == "region_name") {
      plan.region_name = kv->second;
    } else if (kv->first == "cities") {
      for (size_t j = i + 1; j < lines.size() && lines[j].indent > 0; ++j) {
        std::string_view item = lines[j].text;
        if (!item.starts_with("- ")) {
          return ManifestError(manifest, lines[j].number, "cities", std::string(item),
                               "应为「- {code: …, name: …, dir: …}」");
        }
        std::optional<std::map<std::string, std::string>> m = FlowMap(item.substr(2));
        if (!m) {
          return ManifestError(manifest, lines[j].number, "cities", std::string(item),
                               "应为「- {code: …, name: …, dir: …}」");
        }
        Unit u{.code = (*m)["code"], .name = (*m)["name"], .dir = (*m)["dir"]};
        u.line = lines[j].number;
        for (const auto& [field, value] : {std::pair{"code", u.code}, std::pair{"dir", u.dir}}) {
          if (value.empty()) {
            return ManifestError(manifest, lines[j].number, field, "",
                                 fmt::format("缺少 {}", field));
          }
        }
        // A unit's directory lies in the province's: one name, no path.
        if (u.dir == "." || u.dir == ".." || u.dir.find('/') != std::string::npos ||
            u.dir.find('\\') != std::string::npos) {
          return ManifestError(manifest, lines[j].number, "dir", u.dir,
                               "dir 应为本目录下的子目录名");
        }
        units.push_back(std::move(u));
      }
    }
  }
  if (!format_seen) {
    return ManifestError(manifest, 0, "format", "",
                         fmt::format("缺少 format（应为 {}）", kProvinceFormat));
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
