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
#include "core/office_date.h"
#include "core/region.h"
#include "core/text_encoding.h"
#include "core/utf8.h"
#include "xlsx/xlsx.h"
#include "xlsx/xlsx_internal.h"

namespace yanglao::registry {
namespace {

std::string Sha256HexOf(std::string_view bytes);

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

// Header cells are compared after dropping spaces (any width), a byte-order
// mark and notes in parentheses of either width: "公民身份号码（18位）",
// "联系电话(选填)". Then aliases give the template's name.
std::string NormalHeader(std::string_view cell) {
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < cell.size();) {
    std::string_view rest = cell.substr(i);
    auto take = [&](std::string_view token) {
      if (!rest.starts_with(token)) return false;
      i += token.size();
      return true;
    };
    if (take("\xEF\xBB\xBF") || take("\u3000") || take(" ") || take("\t") || take("\r") ||
        take("\n")) {
      continue;
    }
    if (take("（") || take("(") || take("【") || take("[")) {
      ++depth;
      continue;
    }
    if (take("）") || take(")") || take("】") || take("]")) {
      if (depth > 0) --depth;
      continue;
    }
    if (take("*") || take("＊")) continue;  // "required" marks
    if (depth == 0) out += cell[i];
    ++i;
  }
  static const std::map<std::string, std::string, std::less<>> kAliases = {
      {"身份证号", "公民身份号码"},
      {"身份证号码", "公民身份号码"},
      {"公民身份证号", "公民身份号码"},
      {"公民身份证号码", "公民身份号码"},
      {"身份号码", "公民身份号码"},
      {"证件号码", "公民身份号码"},
      {"电话", "联系电话"},
      {"联系方式", "联系电话"},
      {"手机号码", "联系电话"},
      {"手机号", "联系电话"},
      {"开始日期", "起始日期"},
      {"结束日期", "终止日期"},
  };
  auto it = kAliases.find(out);
  return it == kAliases.end() ? out : it->second;
}

// Middle dots of minority names (·, •, ．, ‧, ・, and the Latin-1 dot's
// look-alikes) as U+00B7.
std::string NormalizeNameDots(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    bool replaced = false;
    for (std::string_view dot :
         {"\u2022", "\uFF0E", "\u2027", "\u30FB", "\u2219", "\u22C5", "\uFF65", "."}) {
      if (name.substr(i).starts_with(dot)) {
        out += "\u00B7";
        i += dot.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += name[i++];
  }
  return out;
}

// ="0123" (as some systems export text) -> 0123.
std::string_view UnwrapFormulaText(std::string_view text) {
  if (text.size() >= 3 && text.starts_with("=\"") && text.ends_with("\"")) {
    std::string_view inner = text.substr(2, text.size() - 3);
    if (inner.find('"') == std::string_view::npos) return inner;
  }
  return text;
}

// Whether a number cell's stored value can be trusted as an identifier's
// digits: an integer of at most 15 digits, which Excel keeps exactly (it
// keeps 15 significant digits, so anything longer may have been rounded).
bool ExactSmallInteger(std::string_view shown) {
  return !shown.empty() && shown.size() <= 15 &&
         std::all_of(shown.begin(), shown.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "第2、3、5行" with at most 10 numbers and "等N行".
std::string RowList(const std::vector<int>& rows) {
  std::string out;
  for (size_t i = 0; i < rows.size() && i < 10; ++i) {
    out += (i == 0 ? "" : "、") + std::to_string(rows[i]);
  }
  if (rows.size() > 10) return fmt::format("第{}等{}行", out, rows.size());
  return fmt::format("第{}行", out);
}

// A cell as read from a file: its text and, for XLSX, how it was stored.
struct FeedCell {
  std::string text;
  xlsx::CellType type = xlsx::CellType::kText;
};

// Reads a feed row by row: finds the header, then checks each data row.
class FeedBuilder {
 public:
  FeedBuilder(const FeedTemplate& tmpl, std::string file_name, std::string sheet, CivilDate today,
              const FeedOptions& options)
      : tmpl_(tmpl), sheet_(std::move(sheet)), today_(today), options_(options) {
    feed_.source = tmpl.source;
    feed_.file_name = std::move(file_name);
    feed_.sheet = sheet_;
  }

  bool header_found() const { return header_found_; }

  // Whether `cells` hold the template's header (公民身份号码 and 姓名).
  static bool LooksLikeHeader(const std::vector<FeedCell>& cells) {
    bool id = false, name = false;
    for (const FeedCell& c : cells) {
      std::string h = NormalHeader(c.text);
      id = id || h == kIdHeader;
      name = name || h == kNameHeader;
    }
    return id && name;
  }

  Status Row(int line, bool hidden, const std::vector<FeedCell>& cells) {
    if (!header_found_) return HeaderRow(line, cells);
    return DataRow(line, hidden, cells);
  }

  Result<ParsedFeed> Finish() {
    if (!header_found_) {
      if (first_line_ == 0) return Status("feed.header", "文件为空，缺少表头", Where(0));
      return Status(
          "feed.header",
          fmt::format("{}前{}行中找不到表头（表头须含「公民身份号码」和「姓名」列；{}"
                      "模板的列：{}）",
                      SheetPrefix(), kMaxTitleRows, tmpl_.source, fmt::join(tmpl_.Header(), "、")),
          Where(first_line_));
    }
    if (Status s = Flush(); !s.ok()) return s;
    if (feed_.data_rows == 0) {
      return Status("feed.empty", fmt::format("{}只有表头，没有数据行", SheetPrefix()),
                    Where(header_line_));
    }
    if (!hidden_rows_.empty()) {
      feed_.warnings.push_back(
          fmt::format("{}{}是隐藏行，已与其他行一样读取；如不应报送请删除后重新报送", SheetPrefix(),
                      RowList(hidden_rows_)));
    }
    if (dots_normalised_ > 0) {
      feed_.warnings.push_back(
          fmt::format("{}个姓名中的间隔号统一为“·”后比对（原写法另行保存）", dots_normalised_));
    }
    if (feed_.problem_count > static_cast<int64_t>(feed_.problems.size())) {
      feed_.warnings.push_back(fmt::format(
          "另有 {} 处错误未逐条列出（只列前 {} 处）",
          feed_.problem_count - static_cast<int64_t>(feed_.problems.size()), kMaxProblems));
    }
    std::stable_sort(feed_.problems.begin(), feed_.problems.end(),
                     [](const RowProblem& a, const RowProblem& b) {
                       return std::pair(a.row, a.column) < std::pair(b.row, b.column);
                     });
    return std::move(feed_);
  }

  ParsedFeed& feed() { return feed_; }

 private:
  static constexpr size_t kMaxTitleRows = 10;

  std::string SheetPrefix() const {
    return sheet_.empty() ? std::string() : fmt::format("工作表「{}」", sheet_);
  }
  Location Where(int line, int column = 0, std::string value = {}) const {
    return Location{
        .file = feed_.file_name, .line = line, .column = column, .value = std::move(value)};
  }

  Status HeaderRow(int line, const std::vector<FeedCell>& cells) {
    bool blank = std::all_of(cells.begin(), cells.end(),
                             [](const FeedCell& c) { return TrimView(c.text).empty(); });
    if (blank) return Status::Ok();
    if (first_line_ == 0) first_line_ = line;
    if (!LooksLikeHeader(cells)) {
      title_rows_.push_back(line);
      if (title_rows_.size() > kMaxTitleRows) return Finish().status();
      return Status::Ok();
    }
    header_line_ = line;
    const std::vector<std::string> want = tmpl_.Header();
    std::vector<std::string> ignored;
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string h = NormalHeader(cells[c].text);
      if (h.empty()) continue;
      if (std::find(want.begin(), want.end(), h) == want.end()) {
        ignored.push_back(Trim(cells[c].text));
        continue;
      }
      if (!column_of_.emplace(h, c).second) {
        return Status("feed.header", fmt::format("{}表头中「{}」列重复", SheetPrefix(), h),
                      Where(line, static_cast<int>(c + 1), h));
      }
      header_text_[h] = Trim(cells[c].text);
    }
    for (const std::string& h : tmpl_.RequiredHeader()) {
      if (!column_of_.contains(h)) {
        return Status("feed.header",
                      fmt::format("{}表头缺少「{}」列（{}模板的列：{}）", SheetPrefix(), h,
                                  tmpl_.source, fmt::join(want, "、")),
                      Where(line));
      }
    }
    if (!title_rows_.empty()) {
      feed_.warnings.push_back(fmt::format("{}表头在第{}行，跳过了表头前的{}（标题或说明）",
                                           SheetPrefix(), line, RowList(title_rows_)));
    }
    if (!ignored.empty()) {
      feed_.warnings.push_back(
          fmt::format("{}忽略了模板以外的列：{}", SheetPrefix(), fmt::join(ignored, "、")));
    }
    for (const FeedColumn& column : tmpl_.columns) {
      auto it = column_of_.find(column.header);
      fact_cell_.push_back(it == column_of_.end() ? SIZE_MAX : it->second);
    }
    header_found_ = true;
    return Status::Ok();
  }

  void Problem(int row, std::string_view header, std::string value, std::string code,
               std::string message) {
    ++feed_.problem_count;
    if (feed_.problems.size() >= kMaxProblems) return;
    feed_.problems.push_back({row, static_cast<int>(column_of_.at(std::string(header)) + 1),
                              std::string(header), std::move(value), std::move(code),
                              std::move(message)});
  }

  // The text of `cell` for a column of `kind` (nullopt: an identifier or
  // date column that must not be blank is still checked by the caller), or a
  // problem for a number that cannot be trusted, a formula without a value
  // or an error value.
  std::optional<std::string> CellText(int row, std::string_view header, const FeedCell& cell,
                                      bool identifier, bool& bad) {
    bad = false;
    using xlsx::CellType;
    if (cell.type == CellType::kFormulaNoValue) {
      bad = true;
      Problem(row, header, "", "feed.formula",
              "单元格是公式，但文件中没有公式的计算结果（由程序生成、未经 Excel "
              "保存的文件常见）：请在 Excel 中打开并保存后重新报送，或把公式改为数值");
      return std::nullopt;
    }
    if (cell.type == CellType::kError) {
      bad = true;
      Problem(row, header, cell.text, "feed.cell_error",
              fmt::format("单元格是错误值「{}」", cell.text));
      return std::nullopt;
    }
    std::string text = Trim(UnwrapFormulaText(TrimView(cell.text)));
    if (identifier && (cell.type == CellType::kNumber || cell.type == CellType::kDate)) {
      // 户号 may start with 0, which a number loses: never trusted.
      const bool household = header == "户号";
      if (household || !ExactSmallInteger(text)) {
        bad = true;
        Problem(
            row, header, text, "feed.number_cell",
            fmt::format("「{}」单元格是数字格式，Excel 只保留 15 位有效数字{}，号码可能已被改动："
                        "请把该列设置为“文本”格式后重新输入号码",
                        header, household ? "且会去掉开头的 0" : ""));
        return std::nullopt;
      }
    }
    return text;
  }

  Status DataRow(int row, bool hidden, const std::vector<FeedCell>& cells) {
    bool blank = std::all_of(cells.begin(), cells.end(), [](const FeedCell& c) {
      return TrimView(c.text).empty() && c.type != xlsx::CellType::kFormulaNoValue;
    });
    if (blank) return Status::Ok();
    ++feed_.data_rows;
    if (hidden) hidden_rows_.push_back(row);
    const int64_t problems_before = feed_.problem_count;
    static const FeedCell kEmpty;
    auto raw = [&](std::string_view header) -> const FeedCell& {
      auto it = column_of_.find(std::string(header));
      if (it == column_of_.end() || it->second >= cells.size()) return kEmpty;
      return cells[it->second];
    };
    auto problem = [&](std::string_view header, std::string value, std::string code,
                       std::string message) {
      Problem(row, header, std::move(value), std::move(code), std::move(message));
    };
    bool bad = false;

    std::optional<std::string> id_text = CellText(row, kIdHeader, raw(kIdHeader), true, bad);
    std::string id;
    std::optional<IdNumber> id_number;
    if (!bad && id_text->empty()) {
      problem(kIdHeader, "", "feed.required", "公民身份号码不能为空");
    } else if (!bad) {
      Result<IdNumber> parsed = ParseIdNumber(*id_text, regions_, today_);
      if (!parsed.ok()) {
        problem(kIdHeader, *id_text, parsed.status().code(), parsed.status().message());
      } else {
        id = parsed->value;
        id_number = *parsed;
        for (const Status& w : parsed->warnings) {
          if (w.code() == "id.upgraded")
            feed_.warnings.push_back(fmt::format("{}第{}行：{}", SheetPrefix(), row, w.message()));
        }
      }
    }
    std::optional<std::string> name_text = CellText(row, kNameHeader, raw(kNameHeader), false, bad);
    std::string name = name_text.value_or("");
    std::string name_normal;
    if (!bad && name.empty()) {
      problem(kNameHeader, "", "feed.required", "姓名不能为空");
    } else if (!bad && CodePointCount(name) > 30) {
      problem(kNameHeader, name, "feed.name", "姓名超过30个字");
    } else if (!bad) {
      name_normal = NormalizeNameDots(name);
    }
    auto date_of = [&](std::string_view header, bool required,
                       std::string& out) -> std::optional<CivilDate> {
      if (!column_of_.contains(std::string(header))) return std::nullopt;
      std::optional<std::string> text = CellText(row, header, raw(header), false, bad);
      if (bad) return std::nullopt;
      out = *text;
      if (out.empty()) {
        if (required) problem(header, "", "feed.required", fmt::format("{}不能为空", header));
        return std::nullopt;
      }
      Result<CivilDate> d = ParseOfficeDate(out);
      if (!d.ok()) {
        problem(header, out, "feed.date", d.status().message());
        out.clear();
        return std::nullopt;
      }
      out = d->ToString();
      return *d;
    };
    std::string from, to;
    std::optional<CivilDate> from_date = date_of(kFromHeader, true, from);
    std::string to_written;
    std::optional<CivilDate> to_date = date_of(kToHeader, false, to);
    if (to_date && from_date && *to_date < *from_date) {
      problem(kToHeader, to, "feed.period", fmt::format("终止日期早于起始日期 {}", from));
    }

    std::vector<FactRecord> row_facts;
    for (size_t k = 0; k < tmpl_.columns.size(); ++k) {
      const FeedColumn& column = tmpl_.columns[k];
      const size_t c = fact_cell_[k];
      if (c >= cells.size()) continue;
      const bool identifier = column.kind == CellKind::kPhone ||
                              column.kind == CellKind::kHousehold ||
                              column.kind == CellKind::kIdNumber;
      std::optional<std::string> text = CellText(row, column.header, cells[c], identifier, bad);
      if (bad || text->empty()) continue;  // blank says nothing about this fact
      std::string value_text = *text;
      if (column.kind == CellKind::kDate || column.kind == CellKind::kBirthDate) {
        Result<CivilDate> d = ParseOfficeDate(value_text);
        if (!d.ok()) {
          problem(column.header, value_text, "feed.date", d.status().message());
          continue;
        }
        value_text = d->ToString();
      }
      Result<std::string> value = CellValue(column, value_text);
      if (!value.ok()) {
        problem(column.header, *text, value.status().code(), value.status().message());
        continue;
      }
      if (column.fact == "death_date" && *value > today_.ToString()) {
        problem(column.header, *text, "feed.future", "死亡日期晚于今天");
        continue;
      }
      if (column.kind == CellKind::kSex && id_number) {
        std::string_view from_id = id_number->sex == Sex::kMale ? "male" : "female";
        if (*value != from_id) {
          problem(column.header, *text, "feed.sex_mismatch",
                  fmt::format("性别「{}」与公民身份号码不符（身份号码第17位表示{}）", *text,
                              SexName(id_number->sex)));
        }
      }
      if (column.kind == CellKind::kBirthDate && id_number &&
          *value != id_number->birth_date.ToString()) {
        problem(column.header, *text, "feed.birth_mismatch",
                fmt::format("出生日期 {} 与公民身份号码中的出生日期 {} 不符", *value,
                            id_number->birth_date.ToString()));
      }
      if (!column.stored()) continue;
      row_facts.push_back({id, column.fact, *value, from, to, row});
    }

    if (!id.empty() && from_date) {
      auto [it, inserted] = first_row_of_.emplace(MakeRowKey(id, from), row);
      if (!inserted) {
        problem(kIdHeader, id_text.value_or(""), "feed.duplicate",
                fmt::format("与第{}行重复（同一人、同一起始日期只能有一行）", it->second));
      }
    }
    if (options_.progress && feed_.data_rows % 20'000 == 0) {
      options_.progress(FeedProgress{.rows = feed_.data_rows});
    }
    if (feed_.problem_count != problems_before) return Status::Ok();
    pending_.push_back({id, "name", name_normal, from, to, row});
    if (name_normal != name) {
      ++dots_normalised_;
      pending_.push_back({id, "name_written", name, from, to, row});
    }
    for (FactRecord& f : row_facts) pending_.push_back(std::move(f));
    if (options_.sink && pending_.size() >= 50'000) return Flush();
    return Status::Ok();
  }

  Status Flush() {
    if (!options_.sink) {
      if (feed_.facts.empty()) {
        feed_.facts = std::move(pending_);
      } else {
        for (FactRecord& f : pending_) feed_.facts.push_back(std::move(f));
      }
      pending_.clear();
      return Status::Ok();
    }
    // Once a row is bad the file is refused: stop handing facts over.
    if (feed_.problem_count > 0 || pending_.empty()) {
      pending_.clear();
      return Status::Ok();
    }
    Status s = options_.sink(pending_);
    pending_.clear();
    return s;
  }

  const FeedTemplate& tmpl_;
  std::string sheet_;
  CivilDate today_;
  const FeedOptions& options_;
  const RegionTable& regions_ = RegionTable::Builtin();
  ParsedFeed feed_;
  bool header_found_ = false;
  int first_line_ = 0;
  int header_line_ = 0;
  std::vector<int> title_rows_;
  std::vector<int> hidden_rows_;
  int64_t dots_normalised_ = 0;
  std::map<std::string, size_t> column_of_;  // template header -> cell index
  std::map<std::string, std::string> header_text_;
  std::vector<size_t> fact_cell_;
  std::unordered_map<RowKey, int, RowKeyHash> first_row_of_;
  std::vector<FactRecord> pending_;
};

const FeedTemplate* TemplateOr(std::string_view source, Status& error) {
  const FeedTemplate* tmpl = FindTemplate(source);
  if (tmpl == nullptr) {
    std::string known;
    for (const FeedTemplate& t : FeedTemplates()) known += (known.empty() ? "" : "、") + t.source;
    error =
        Status("feed.source", fmt::format("未知的数据来源部门「{}」（可选：{}）", source, known),
               Location{.value = std::string(source)});
  }
  return tmpl;
}

Result<ParsedFeed> ReadCsvText(std::string_view bytes, const std::string& file_name,
                               std::string_view source, CivilDate today,
                               const FeedOptions& options) {
  Status error;
  const FeedTemplate* tmpl = TemplateOr(source, error);
  if (tmpl == nullptr) return error;
  Result<DecodedText> decoded = DecodeText(bytes, file_name);
  if (!decoded.ok()) return decoded.status();
  FeedBuilder builder(*tmpl, file_name, "", today, options);
  CsvReader reader(decoded->text, file_name);
  CsvRow row;
  std::vector<FeedCell> cells;
  while (true) {
    Result<bool> more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    cells.resize(row.fields.size());
    for (size_t i = 0; i < row.fields.size(); ++i) cells[i].text = std::move(row.fields[i]);
    if (Status s = builder.Row(row.line, false, cells); !s.ok()) return s;
  }
  Result<ParsedFeed> feed = builder.Finish();
  if (!feed.ok()) return feed;
  feed->encoding = decoded->encoding;
  if (decoded->encoding != "UTF-8") {
    feed->warnings.insert(
        feed->warnings.begin(),
        fmt::format("文件编码为 {}（GBK），已转换为 UTF-8 读取", decoded->encoding));
  }
  feed->sha256 = Sha256HexOf(bytes);
  return feed;
}

// Columns past this are not read from a sheet: no template is that wide.
constexpr int kMaxSheetColumns = 1024;

void DenseCells(const xlsx::SheetRow& row, std::vector<FeedCell>& cells) {
  int width = 0;
  for (const xlsx::Cell& c : row.cells) {
    if (c.column <= kMaxSheetColumns) width = c.column;
  }
  cells.assign(static_cast<size_t>(width), FeedCell{});
  for (const xlsx::Cell& c : row.cells) {
    if (c.column > kMaxSheetColumns) break;
    cells[static_cast<size_t>(c.column - 1)] = FeedCell{c.text, c.type};
  }
}

Result<ParsedFeed> ReadXlsx(std::string_view bytes, const std::string& file_name,
                            std::string_view source, CivilDate today, const FeedOptions& options) {
  Status error;
  const FeedTemplate* tmpl = TemplateOr(source, error);
  if (tmpl == nullptr) return error;
  Result<std::vector<xlsx::SheetInfo>> sheets = xlsx::ListSheets(bytes, file_name);
  if (!sheets.ok()) return sheets.status();
  // The sheet with the header in its first rows, whichever its position.
  std::optional<size_t> chosen;
  std::vector<FeedCell> cells;
  for (size_t i = 0; i < sheets->size() && !chosen; ++i) {
    int rows = 0;
    Status s = xlsx::ReadSheetRows(bytes, file_name, i, [&](const xlsx::SheetRow& row) {
      DenseCells(row, cells);
      if (FeedBuilder::LooksLikeHeader(cells)) {
        chosen = i;
        return false;
      }
      return ++rows < 11;
    });
    if (!s.ok()) return s;
  }
  if (!chosen) chosen = 0;  // the first sheet's problem is reported
  const xlsx::SheetInfo& info = (*sheets)[*chosen];
  FeedBuilder builder(*tmpl, file_name, info.name, today, options);
  bool wide = false;
  Status failure;
  Status read = xlsx::ReadSheetRows(bytes, file_name, *chosen, [&](const xlsx::SheetRow& row) {
    DenseCells(row, cells);
    wide = wide || (!row.cells.empty() && row.cells.back().column > kMaxSheetColumns);
    failure = builder.Row(row.number, row.hidden, cells);
    return failure.ok();
  });
  if (!read.ok()) return read;
  if (!failure.ok()) return failure;
  Result<ParsedFeed> feed = builder.Finish();
  if (!feed.ok()) return feed;
  std::vector<std::string> notes;
  for (size_t i = 0; i < *chosen; ++i) {
    notes.push_back(fmt::format("跳过了工作表「{}」{}（其中没有表头）", (*sheets)[i].name,
                                (*sheets)[i].hidden ? "（隐藏）" : ""));
  }
  if (info.hidden) notes.push_back(fmt::format("读取的工作表「{}」是隐藏的工作表", info.name));
  for (size_t i = *chosen + 1; i < sheets->size(); ++i) {
    notes.push_back(fmt::format("未读取其后的工作表「{}」{}", (*sheets)[i].name,
                                (*sheets)[i].hidden ? "（隐藏）" : ""));
  }
  if (wide) notes.push_back(fmt::format("第{}列之后的单元格已忽略", kMaxSheetColumns));
  feed->warnings.insert(feed->warnings.begin(), notes.begin(), notes.end());
  feed->encoding = "XLSX";
  feed->sha256 = Sha256HexOf(bytes);
  return feed;
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
  Status error;
  const FeedTemplate* tmpl = TemplateOr(source, error);
  if (tmpl == nullptr) return error;
  FeedOptions options;
  FeedBuilder builder(*tmpl, file_name, "", today, options);
  std::vector<FeedCell> cells;
  for (size_t r = 0; r < table.size(); ++r) {
    cells.resize(table[r].size());
    for (size_t c = 0; c < table[r].size(); ++c) cells[c].text = table[r][c];
    if (Status s = builder.Row(r < line_of_row.size() ? line_of_row[r] : static_cast<int>(r + 1),
                               false, cells);
        !s.ok()) {
      return s;
    }
  }
  return builder.Finish();
}

Result<ParsedFeed> ReadFeedCsv(std::string_view text, const std::string& file_name,
                               std::string_view source, CivilDate today) {
  return ReadCsvText(text, file_name, source, today, FeedOptions{});
}

Result<ParsedFeed> ReadFeedBytes(std::string_view bytes, const std::string& file_name,
                                 std::string_view source, CivilDate today,
                                 const FeedOptions& options) {
  if (bytes.starts_with("PK\x03\x04")) return ReadXlsx(bytes, file_name, source, today, options);
  return ReadCsvText(bytes, file_name, source, today, options);
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
  if (ext == ".xlsx") return ReadXlsx(*bytes, path.string(), source, today, FeedOptions{});
  return ReadCsvText(*bytes, path.string(), source, today, FeedOptions{});
}

namespace {
std::string Sha256HexOf(std::string_view bytes) { return Sha256Hex(bytes); }
}  // namespace

}  // namespace yanglao::registry
