#include "oversight/draw.h"

#include <fmt/format.h>
#include <sodium.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/csv.h"
#include "core/file_io.h"

namespace yanglao::oversight {
namespace {

constexpr std::string_view kAlgorithm = "yanglao-draw/1";

Status PolicyBad(const std::string& file, const YAML::Node& at, std::string field,
                 std::string value, std::string message) {
  Location loc{.file = file, .field = std::move(field), .value = std::move(value)};
  const YAML::Mark m = at.Mark();
  if (m.line >= 0) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return Status("oversight.draw_policy", std::move(message), std::move(loc));
}

std::string Key(const std::string& seed, std::string_view kind,
                std::initializer_list<std::string_view> parts) {
  std::string msg(kAlgorithm);
  msg += '\n';
  msg += seed;
  msg += '\n';
  msg += kind;
  for (std::string_view p : parts) {
    msg += '\n';
    msg += p;
  }
  return Sha256Hex(msg);
}

Status ListBad(const std::string& file, int line, int column, std::string field, std::string value,
               std::string message) {
  return Status("oversight.list", std::move(message),
                Location{.file = file,
                         .line = line,
                         .column = column,
                         .field = std::move(field),
                         .value = std::move(value)});
}

// Reads a CSV file with the given header into rows of exactly that width.
Result<std::vector<CsvRow>> ReadTable(std::string_view text, const std::string& name,
                                      const std::vector<std::string_view>& header) {
  CsvReader reader(text, name);
  CsvRow row;
  Result<bool> more = reader.Next(row);
  if (!more.ok()) return more.status();
  if (!*more) return ListBad(name, 1, 1, "", "", "名单文件为空，缺少表头");
  if (Status s = CheckCsvHeader(row, header, name); !s.ok()) return s;
  std::vector<CsvRow> rows;
  while (true) {
    more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (row.fields.size() != header.size()) {
      return ListBad(name, row.line, 1, "", "",
                     fmt::format("应有 {} 列，实有 {} 列", header.size(), row.fields.size()));
    }
    rows.push_back(row);
  }
  return rows;
}

bool IsSixDigits(std::string_view s) {
  return s.size() == 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An id: non-empty, no tab, line break or comma (so a draw file line stays parseable).
bool GoodId(std::string_view s) {
  return !s.empty() && s.size() <= 64 && s.find_first_of("\t\r\n,") == std::string_view::npos;
}

Status CheckParams(const DrawParams& p) {
  auto bad = [](std::string field, std::string value, std::string message) {
    return Status("oversight.draw_params", std::move(message),
                  Location{.field = std::move(field), .value = std::move(value)});
  };
  if (p.seed.empty() || p.seed.size() > 200 ||
      p.seed.find_first_of("\t\r\n") != std::string::npos) {
    return bad("seed", p.seed, "种子应为 1 到 200 字节、不含制表符和换行的文字");
  }
  if (p.year < 1900 || p.year > 9999) return bad("year", std::to_string(p.year), "年份无效");
  if (p.share_percent < 1 || p.share_percent > 100) {
    return bad("share_percent", std::to_string(p.share_percent), "抽查比例应为 1 到 100（百分比）");
  }
  if (p.inspectors_per_institution < 1 || p.inspectors_per_institution > 10) {
    return bad("inspectors_per_institution", std::to_string(p.inspectors_per_institution),
               "每家机构的检查人员数应为 1 到 10");
  }
  return Status::Ok();
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * sizeof out);
  for (unsigned char c : out) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

Result<DrawPolicy> ParseDrawPolicy(std::string_view text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status("oversight.draw_policy", fmt::format("抽查规则文件不是有效的 YAML：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  try {
    if (!root.IsMap()) return PolicyBad(name, root, "", "", "抽查规则文件应为 YAML 映射");
    DrawPolicy p;
    p.file = name;
    auto text_of = [&](const char* key, std::string& out) -> Status {
      const YAML::Node v = root[key];
      if (!v || !v.IsScalar() || v.Scalar().empty()) {
        return PolicyBad(name, v ? v : root, key, "", fmt::format("缺少「{}」", key));
      }
      out = v.Scalar();
      return Status::Ok();
    };
    std::string format;
    if (Status s = text_of("format", format); !s.ok()) return s;
    if (format != "yanglao.draw/1") {
      return PolicyBad(name, root["format"], "format", format, "格式应为 yanglao.draw/1");
    }
    for (auto [key, out] : {std::pair{"city", &p.city},
                            {"jurisdiction", &p.jurisdiction},
                            {"period", &p.period},
                            {"quote", &p.quote},
                            {"source", &p.source}}) {
      if (Status s = text_of(key, *out); !s.ok()) return s;
    }
    if (p.period != "year")
      return PolicyBad(name, root["period"], "period", p.period, "周期目前只支持 year");
    auto int_of = [&](const char* key, int lo, int hi, int& out) -> Status {
      const YAML::Node v = root[key];
      if (v && v.IsScalar()) {
        try {
          out = v.as<int>();
          if (out >= lo && out <= hi) return Status::Ok();
        } catch (const YAML::Exception&) {
        }
      }
      return PolicyBad(name, v ? v : root, key, v && v.IsScalar() ? v.Scalar() : "",
                       fmt::format("「{}」应为 {} 到 {} 之间的整数", key, lo, hi));
    };
    if (Status s = int_of("share_percent", 1, 100, p.share_percent); !s.ok()) return s;
    if (Status s = int_of("inspectors_per_institution", 1, 10, p.inspectors_per_institution);
        !s.ok()) {
      return s;
    }
    return p;
  } catch (const YAML::Exception& e) {
    return Status("oversight.draw_policy", fmt::format("抽查规则文件结构有误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
}

Result<DrawPolicy> LoadDrawPolicy(const std::filesystem::path& path) {
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  return ParseDrawPolicy(*bytes, path.string());
}

Result<DrawLists> ParseDrawLists(std::string_view institutions,
                                 const std::string& institutions_name, std::string_view inspectors,
                                 const std::string& inspectors_name, std::string_view conflicts,
                                 const std::string& conflicts_name) {
  DrawLists lists;
  lists.institutions_sha256 = Sha256Hex(institutions);
  lists.inspectors_sha256 = Sha256Hex(inspectors);
  lists.conflicts_sha256 = Sha256Hex(conflicts);

  Result<std::vector<CsvRow>> rows =
      ReadTable(institutions, institutions_name, {"机构编号", "机构名称", "区县代码"});
  if (!rows.ok()) return rows.status();
  std::set<std::string> institution_ids;
  for (const CsvRow& r : *rows) {
    if (!GoodId(r.fields[0])) {
      return ListBad(institutions_name, r.line, 1, "机构编号", r.fields[0],
                     "机构编号不能为空，不超过 64 字节，且不含逗号、制表符和换行");
    }
    if (!institution_ids.insert(r.fields[0]).second) {
      return ListBad(institutions_name, r.line, 1, "机构编号", r.fields[0], "机构编号重复");
    }
    if (!IsSixDigits(r.fields[2])) {
      return ListBad(institutions_name, r.line, 3, "区县代码", r.fields[2],
                     "区县代码应为 6 位数字");
    }
    lists.institutions.push_back({r.fields[0], r.fields[1], r.fields[2]});
  }

  rows = ReadTable(inspectors, inspectors_name, {"检查人员编号", "姓名", "单位"});
  if (!rows.ok()) return rows.status();
  std::set<std::string> inspector_ids;
  for (const CsvRow& r : *rows) {
    if (!GoodId(r.fields[0])) {
      return ListBad(inspectors_name, r.line, 1, "检查人员编号", r.fields[0],
                     "检查人员编号不能为空，不超过 64 字节，且不含逗号、制表符和换行");
    }
    if (!inspector_ids.insert(r.fields[0]).second) {
      return ListBad(inspectors_name, r.line, 1, "检查人员编号", r.fields[0], "检查人员编号重复");
    }
    lists.inspectors.push_back({r.fields[0], r.fields[1], r.fields[2]});
  }

  rows = ReadTable(conflicts, conflicts_name, {"检查人员编号", "机构编号", "原因"});
  if (!rows.ok()) return rows.status();
  for (const CsvRow& r : *rows) {
    if (!inspector_ids.contains(r.fields[0])) {
      return ListBad(conflicts_name, r.line, 1, "检查人员编号", r.fields[0],
                     "检查人员名单中没有这个编号");
    }
    if (!institution_ids.contains(r.fields[1])) {
      return ListBad(conflicts_name, r.line, 2, "机构编号", r.fields[1], "机构名单中没有这个编号");
    }
    lists.conflicts.push_back({r.fields[0], r.fields[1], r.fields[2]});
  }
  return lists;
}

Result<Draw> ComputeDraw(const DrawParams& params, const DrawLists& lists) {
  if (Status s = CheckParams(params); !s.ok()) return s;
  Draw draw;
  draw.params = params;
  draw.institutions_sha256 = lists.institutions_sha256;
  draw.inspectors_sha256 = lists.inspectors_sha256;
  draw.conflicts_sha256 = lists.conflicts_sha256;

  std::set<std::pair<std::string, std::string>> conflicted;
  for (const Conflict& c : lists.conflicts) conflicted.emplace(c.inspector, c.institution);

  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_county;
  for (const Institution& i : lists.institutions) {
    by_county[i.county].emplace_back(Key(params.seed, "institution", {i.id}), i.id);
  }
  const auto pct = static_cast<size_t>(params.share_percent);
  const auto per = static_cast<size_t>(params.inspectors_per_institution);
  for (auto& [county, keyed] : by_county) {
    std::sort(keyed.begin(), keyed.end());
    const size_t take = std::min(keyed.size(), (keyed.size() * pct + 99) / 100);
    for (size_t k = 0; k < take; ++k) {
      const std::string& inst = keyed[k].second;
      std::vector<std::pair<std::string, std::string>> eligible;
      for (const Inspector& p : lists.inspectors) {
        if (conflicted.contains({p.id, inst})) continue;
        eligible.emplace_back(Key(params.seed, "inspector", {inst, p.id}), p.id);
      }
      if (eligible.size() < per) {
        return Status("oversight.too_few_inspectors",
                      fmt::format("没有利害关系的检查人员只有 {} 名，少于每家机构所需的 {} 名",
                                  eligible.size(), per),
                      Location{.field = "机构编号", .value = inst});
      }
      std::sort(eligible.begin(), eligible.end());
      Pick pick{county, inst, {}};
      for (size_t j = 0; j < per; ++j) pick.inspectors.push_back(eligible[j].second);
      draw.picks.push_back(std::move(pick));
    }
  }
  return draw;
}

std::string FormatDraw(const Draw& d) {
  std::string out = fmt::format("{}\n", kAlgorithm);
  out += fmt::format("seed\t{}\n", d.params.seed);
  out += fmt::format("year\t{}\n", d.params.year);
  out += fmt::format("share_percent\t{}\n", d.params.share_percent);
  out += fmt::format("inspectors_per_institution\t{}\n", d.params.inspectors_per_institution);
  out += fmt::format("institutions_sha256\t{}\n", d.institutions_sha256);
  out += fmt::format("inspectors_sha256\t{}\n", d.inspectors_sha256);
  out += fmt::format("conflicts_sha256\t{}\n", d.conflicts_sha256);
  for (const Pick& p : d.picks) {
    out += fmt::format("pick\t{}\t{}\t{}\n", p.county, p.institution, fmt::join(p.inspectors, ","));
  }
  return out;
}

Result<Draw> ParseDraw(std::string_view text, const std::string& name) {
  auto bad = [&](int line, std::string field, std::string value, std::string message) {
    return Status(
        "oversight.draw_file", std::move(message),
        Location{.file = name, .line = line, .field = std::move(field), .value = std::move(value)});
  };
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  if (lines.empty() || lines[0] != kAlgorithm) {
    return bad(1, "", lines.empty() ? "" : std::string(lines[0].substr(0, 64)),
               "不是抽查结果文件：第一行应为 yanglao-draw/1");
  }
  Draw d;
  const std::vector<std::string_view> header = {"seed",
                                                "year",
                                                "share_percent",
                                                "inspectors_per_institution",
                                                "institutions_sha256",
                                                "inspectors_sha256",
                                                "conflicts_sha256"};
  if (lines.size() < 1 + header.size())
    return bad(static_cast<int>(lines.size()), "", "", "文件不完整");
  auto number = [](std::string_view s, int& out) {
    if (s.empty() || s.size() > 4) return false;
    out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    return true;
  };
  for (size_t i = 0; i < header.size(); ++i) {
    const int line = static_cast<int>(i) + 2;
    std::string_view l = lines[i + 1];
    size_t tab = l.find('\t');
    if (tab == std::string_view::npos || l.substr(0, tab) != header[i]) {
      return bad(line, std::string(header[i]), std::string(l.substr(0, 64)),
                 fmt::format("此行应为「{}」和制表符后的值", header[i]));
    }
    std::string_view v = l.substr(tab + 1);
    const std::string field(header[i]);
    if (i == 0) {
      d.params.seed = std::string(v);
    } else if (i <= 3) {
      int* out = i == 1   ? &d.params.year
                 : i == 2 ? &d.params.share_percent
                          : &d.params.inspectors_per_institution;
      if (!number(v, *out)) return bad(line, field, std::string(v.substr(0, 64)), "应为整数");
    } else {
      if (v.size() != 64 || v.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return bad(line, field, std::string(v.substr(0, 80)), "应为 64 位小写十六进制 SHA-256");
      }
      (i == 4 ? d.institutions_sha256 : i == 5 ? d.inspectors_sha256 : d.conflicts_sha256) = v;
    }
  }
  if (Status s = CheckParams(d.params); !s.ok()) {
    return bad(0, s.where().field, s.where().value, s.message());
  }
  for (size_t i = 1 + header.size(); i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    std::string_view l = lines[i];
    if (l.empty()) continue;
    std::vector<std::string_view> f;
    while (true) {
      size_t tab = l.find('\t');
      f.push_back(l.substr(0, tab));
      if (tab == std::string_view::npos) break;
      l.remove_prefix(tab + 1);
    }
    if (f.size() != 4 || f[0] != "pick") {
      return bad(line, "pick", std::string(lines[i].substr(0, 64)),
                 "此行应为 pick、区县代码、机构编号、检查人员编号（逗号分隔），以制表符分隔");
    }
    if (!IsSixDigits(f[1]))
      return bad(line, "区县代码", std::string(f[1].substr(0, 64)), "区县代码应为 6 位数字");
    if (!GoodId(f[2]))
      return bad(line, "机构编号", std::string(f[2].substr(0, 64)), "机构编号无效");
    Pick p{std::string(f[1]), std::string(f[2]), {}};
    std::string_view ins = f[3];
    while (true) {
      size_t comma = ins.find(',');
      std::string_view id = ins.substr(0, comma);
      if (!GoodId(id))
        return bad(line, "检查人员编号", std::string(id.substr(0, 64)), "检查人员编号无效");
      p.inspectors.emplace_back(id);
      if (comma == std::string_view::npos) break;
      ins.remove_prefix(comma + 1);
    }
    d.picks.push_back(std::move(p));
  }
  return d;
}

Verdict VerifyDraw(const Draw& published, const DrawLists& lists) {
  if (published.institutions_sha256 != lists.institutions_sha256) {
    return {false, "机构名单与抽查结果所依据的名单不同（SHA-256 不符）"};
  }
  if (published.inspectors_sha256 != lists.inspectors_sha256) {
    return {false, "检查人员名单与抽查结果所依据的名单不同（SHA-256 不符）"};
  }
  if (published.conflicts_sha256 != lists.conflicts_sha256) {
    return {false, "利害关系回避名单与抽查结果所依据的名单不同（SHA-256 不符）"};
  }
  Result<Draw> again = ComputeDraw(published.params, lists);
  if (!again.ok()) return {false, fmt::format("无法重新抽取：{}", again.status().message())};
  const std::vector<Pick>& a = published.picks;
  const std::vector<Pick>& b = again->picks;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size()) {
      return {false, fmt::format("公布的结果少了第 {} 条：机构 {}", i + 1, b[i].institution)};
    }
    if (i >= b.size()) {
      return {false, fmt::format("公布的结果多出第 {} 条：机构 {}", i + 1, a[i].institution)};
    }
    if (a[i] != b[i]) {
      return {false,
              fmt::format(
                  "第 {} 条不同：公布为 {} 机构 {} 检查人员 {}，重新抽取为 {} 机构 {} 检查人员 {}",
                  i + 1, a[i].county, a[i].institution, fmt::join(a[i].inspectors, "、"),
                  b[i].county, b[i].institution, fmt::join(b[i].inspectors, "、"))};
    }
  }
  return {true, fmt::format("重新抽取 {} 家机构及其检查人员，与公布结果逐条相同", b.size())};
}

Verdict CheckPolicy(const Draw& d, const DrawPolicy& p) {
  if (d.params.share_percent < p.share_percent) {
    return {false, fmt::format("抽查比例 {}% 低于{}的规定 {}%（{}）", d.params.share_percent,
                               p.city, p.share_percent, p.quote)};
  }
  if (d.params.inspectors_per_institution < p.inspectors_per_institution) {
    return {false, fmt::format("每家机构检查人员 {} 名，少于规定的 {} 名",
                               d.params.inspectors_per_institution, p.inspectors_per_institution)};
  }
  return {true, fmt::format("抽查比例 {}% 不低于{}的规定 {}%", d.params.share_percent, p.city,
                            p.share_percent)};
}

}  // namespace yanglao::oversight
