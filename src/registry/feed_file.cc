#include "registry/feed_file.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/csv.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/region.h"
#include "core/utf8.h"
#include "xlsx/xlsx.h"

namespace yanglao::registry {
namespace {

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  // Full-width spaces, common in hand-typed spreadsheets.
  while (s.starts_with("\u3000")) s.remove_prefix(3);
  while (s.ends_with("\u3000")) s.remove_suffix(3);
  return s;
}
std::string Trim(std::string_view s) { return std::string(TrimView(s)); }

// A row's identity for the duplicate check: the 18-character ID number and
// the normalised 10-character 起始日期, side by side.
struct RowKey {
  std::array<char, 28> bytes{};
  bool operator==(const RowKey&) const = default;
};
struct RowKeyHash {
  size_t operator()(const RowKey& k) const {
    return std::hash<std::string_view>()(std::string_view(k.bytes.data(), k.bytes.size()));
  }
};
RowKey MakeRowKey(std::string_view id, std::string_view from) {
  RowKey k;
  id.copy(k.bytes.data(), std::min<size_t>(id.size(), 18));
  from.copy(k.bytes.data() + 18, std::min<size_t>(from.size(), 10));
  return k;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string out;
  for (unsigned char b : hash) out += fmt::format("{:02x}", b);
  return out;
}

Result<ParsedFeed> ReadFeedTable(const std::vector<std::vector<std::string>>& table,
                                 const std::vector<int>& line_of_row, const std::string& file_name,
                                 std::string_view source, CivilDate today) {
  const FeedTemplate* tmpl = FindTemplate(source);
  if (tmpl == nullptr) {
    std::string known;
    for (const FeedTemplate& t : FeedTemplates()) known += (known.empty() ? "" : "、") + t.source;
    return Status("feed.source", fmt::format("未知的数据来源部门「{}」（可选：{}）", source, known),
                  Location{.value = std::string(source)});
  }
  if (table.empty())
    return Status("feed.header", "文件为空，缺少表头", Location{.file = file_name});

  // Header: every template column exactly once, in any order (optional
  // columns at most once); nothing else.
  const std::vector<std::string> want = tmpl->Header();
  const std::vector<std::string> required = tmpl->RequiredHeader();
  std::map<std::string, size_t> column_of;  // header -> cell index
  for (size_t c = 0; c < table[0].size(); ++c) {
    std::string h = Trim(table[0][c]);
    if (h.starts_with("\xEF\xBB\xBF")) h = h.substr(3);
    Location at{
        .file = file_name, .line = line_of_row[0], .column = static_cast<int>(c + 1), .value = h};
    if (h.empty() && c + 1 == table[0].size()) continue;  // a trailing comma
    if (std::find(want.begin(), want.end(), h) == want.end()) {
      return Status("feed.header", fmt::format("表头中有{}模板没有的列「{}」", source, h), at);
    }
    if (!column_of.emplace(h, c).second)
      return Status("feed.header", fmt::format("表头中「{}」列重复", h), at);
  }
  for (const std::string& h : required) {
    if (!column_of.contains(h)) {
      return Status(
          "feed.header",
          fmt::format("表头缺少「{}」列（{}模板的列：{}）", h, source, fmt::join(want, "、")),
          Location{.file = file_name, .line = line_of_row[0]});
    }
  }

  ParsedFeed feed;
  feed.source = std::string(source);
  feed.file_name = file_name;
  const RegionTable& regions = RegionTable::Builtin();
  // The cell index of each fact column; past any row's end when left out.
  std::vector<size_t> fact_cell;
  for (const FeedColumn& column : tmpl->columns) {
    auto it = column_of.find(column.header);
    fact_cell.push_back(it == column_of.end() ? SIZE_MAX : it->second);
  }
  // (ID, 起始日期) -> the first row that has them: 18 + 10 characters.
  std::unordered_map<RowKey, int, RowKeyHash> first_row_of;
  first_row_of.reserve(table.size());
  for (size_t r = 1; r < table.size(); ++r) {
    const std::vector<std::string>& cells = table[r];
    const int row = line_of_row[r];
    bool blank = std::all_of(cells.begin(), cells.end(),
                             [](const std::string& c) { return TrimView(c).empty(); });
    if (blank) continue;
    ++feed.data_rows;
    size_t problems_before = feed.problems.size();
    auto cell = [&](std::string_view header) {
      auto it = column_of.find(std::string(header));
      if (it == column_of.end()) return std::string();  // an optional column left out
      size_t c = it->second;
      return c < cells.size() ? Trim(cells[c]) : std::string();
    };
    auto problem = [&](std::string_view header, std::string value, std::string code,
                       std::string message) {
      feed.problems.push_back({row, static_cast<int>(column_of.at(std::string(header)) + 1),
                               std::string(header), std::move(value), std::move(code),
                               std::move(message)});
    };

    std::string id_text = cell(kIdHeader);
    std::string id;
    std::optional<IdNumber> id_number;
    if (id_text.empty()) {
      problem(kIdHeader, "", "feed.required", "公民身份号码不能为空");
    } else {
      Result<IdNumber> parsed = ParseIdNumber(id_text, regions, today);
      if (!parsed.ok()) {
        problem(kIdHeader, id_text, parsed.status().code(), parsed.status().message());
      } else {
        id = parsed->value;
        id_number = *parsed;
        for (const Status& w : parsed->warnings) {
          if (w.code() == "id.upgraded")
            feed.warnings.push_back(fmt::format("第{}行：{}", row, w.message()));
        }
      }
    }
    std::string name = cell(kNameHeader);
    if (name.empty()) {
      problem(kNameHeader, "", "feed.required", "姓名不能为空");
    } else if (CodePointCount(name) > 30) {
      problem(kNameHeader, name, "feed.name", "姓名超过30个字");
    }
    std::string from = cell(kFromHeader), to = cell(kToHeader);
    std::optional<CivilDate> from_date;
    if (from.empty()) {
      problem(kFromHeader, "", "feed.required", "起始日期不能为空");
    } else if (Result<CivilDate> d = CivilDate::Parse(from); !d.ok()) {
      problem(kFromHeader, from, "feed.date", d.status().message() + "（应为 YYYY-MM-DD）");
    } else {
      from_date = *d;
      from = d->ToString();
    }
    if (!to.empty()) {
      Result<CivilDate> d = CivilDate::Parse(to);
      if (!d.ok()) {
        problem(kToHeader, to, "feed.date", d.status().message() + "（应为 YYYY-MM-DD）");
      } else if (from_date && *d < *from_date) {
        problem(kToHeader, to, "feed.period", fmt::format("终止日期早于起始日期 {}", from));
      } else {
        to = d->ToString();
      }
    }

    std::vector<FactRecord> row_facts;
    for (size_t k = 0; k < tmpl->columns.size(); ++k) {
      const FeedColumn& column = tmpl->columns[k];
      const size_t c = fact_cell[k];
      std::string text = c < cells.size() ? Trim(cells[c]) : std::string();
      if (text.empty()) continue;  // says nothing about this fact
      Result<std::string> value = CellValue(column, text);
      if (!value.ok()) {
        problem(column.header, text, value.status().code(), value.status().message());
        continue;
      }
      if (column.fact == "death_date" && *value > today.ToString()) {
        problem(column.header, text, "feed.future", "死亡日期晚于今天");
        continue;
      }
      // 性别 and 出生日期 restate the ID number: they must agree with it.
      if (column.kind == CellKind::kSex && id_number) {
        std::string_view from_id = id_number->sex == Sex::kMale ? "male" : "female";
        if (*value != from_id) {
          problem(column.header, text, "feed.sex_mismatch",
                  fmt::format("性别「{}」与公民身份号码不符（身份号码第17位表示{}）", text,
                              SexName(id_number->sex)));
        }
      }
      if (column.kind == CellKind::kBirthDate && id_number &&
          *value != id_number->birth_date.ToString()) {
        problem(column.header, text, "feed.birth_mismatch",
                fmt::format("出生日期 {} 与公民身份号码中的出生日期 {} 不符", *value,
                            id_number->birth_date.ToString()));
      }
      if (!column.stored()) continue;
      row_facts.push_back({id, column.fact, *value, from, to, row});
    }

    if (!id.empty() && from_date) {
      auto [it, inserted] = first_row_of.emplace(MakeRowKey(id, from), row);
      if (!inserted) {
        problem(kIdHeader, id_text, "feed.duplicate",
                fmt::format("与第{}行重复（同一人、同一起始日期只能有一行）", it->second));
      }
    }
    if (feed.problems.size() != problems_before) continue;
    feed.facts.push_back({id, "name", name, from, to, row});
    for (FactRecord& f : row_facts) feed.facts.push_back(std::move(f));
  }
  if (feed.data_rows == 0) {
    return Status("feed.empty", "文件只有表头，没有数据行", Location{.file = file_name});
  }
  std::stable_sort(feed.problems.begin(), feed.problems.end(),
                   [](const RowProblem& a, const RowProblem& b) {
                     return std::pair(a.row, a.column) < std::pair(b.row, b.column);
                   });
  return feed;
}

Result<ParsedFeed> ReadFeedCsv(std::string_view text, const std::string& file_name,
                               std::string_view source, CivilDate today) {
  std::vector<std::vector<std::string>> table;
  std::vector<int> lines;
  CsvReader reader(text, file_name);
  CsvRow row;
  while (true) {
    Result<bool> more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    table.push_back(std::move(row.fields));
    lines.push_back(row.line);
  }
  Result<ParsedFeed> feed = ReadFeedTable(table, lines, file_name, source, today);
  if (feed.ok()) feed->sha256 = Sha256Hex(text);
  return feed;
}

Result<ParsedFeed> ReadFeedFile(const std::filesystem::path& path, std::string_view source,
                                CivilDate today) {
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".xls") {
    return Status("feed.format", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）",
                  Location{.file = path.string()});
  }
  if (ext == ".xlsx") {
    Result<xlsx::Sheet> sheet = xlsx::ReadFirstSheetFromMemory(*bytes, path.string());
    if (!sheet.ok()) return sheet.status();
    std::vector<int> lines(sheet->rows.size());
    for (size_t i = 0; i < lines.size(); ++i)
      lines[i] = static_cast<int>(i + 1);  // spreadsheet row numbers
    Result<ParsedFeed> feed = ReadFeedTable(sheet->rows, lines, path.string(), source, today);
    if (feed.ok()) feed->sha256 = Sha256Hex(*bytes);
    return feed;
  }
  return ReadFeedCsv(*bytes, path.string(), source, today);
}

}  // namespace yanglao::registry
