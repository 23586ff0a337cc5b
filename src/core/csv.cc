#include "core/csv.h"

#include <fmt/format.h>

#include "core/utf8.h"

namespace yanglao {
CsvReader::CsvReader(std::string_view text, std::string name, CsvLimits limits)
    : text_(text), name_(std::move(name)), limits_(limits) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = line_start_ = 3;
}

Status CsvReader::Error(std::string code, std::string message, int line, int column) const {
  return Status(std::move(code), std::move(message),
                Location{.file = name_, .line = line, .column = column});
}

int CsvReader::ColumnAt(size_t line_start, size_t pos) const {
  return static_cast<int>(CodePointCount(text_.substr(line_start, pos - line_start))) + 1;
}

Result<bool> CsvReader::Next(CsvRow& row) {
  row.fields.clear();
  // Skip blank lines.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  row.line = line_;
  const size_t row_start = pos_;
  const size_t row_line_start = line_start_;

  std::string field;
  while (true) {
    const size_t field_start = pos_;
    const int field_line = line_;
    const size_t field_line_start = line_start_;
    auto field_column = [&] { return ColumnAt(field_line_start, field_start); };
    if (row.fields.size() >= limits_.max_columns) {
      return Error("csv.too_many_columns",
                   fmt::format("一行超过 {} 列（文件可能不是本系统的表格）", limits_.max_columns),
                   field_line, field_column());
    }
    field.clear();
    bool quoted = pos_ < text_.size() && text_[pos_] == '"';
    if (quoted) {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) {
          return Error("csv.unterminated_quote", "引号未闭合：带引号的字段直到文件末尾都没有结束",
                       field_line, field_column());
        }
        // Copy the run up to the next quote or line break at once.
        size_t stop = text_.find_first_of("\"\n", pos_);
        if (stop == std::string_view::npos) stop = text_.size();
        field.append(text_.substr(pos_, stop - pos_));
        pos_ = stop;
        if (pos_ - row_start > limits_.max_row_bytes) break;
        if (field.size() > limits_.max_field_bytes) break;
        if (pos_ >= text_.size()) continue;
        char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        // A line break inside the quotes.
        ++line_;
        line_start_ = pos_ + 1;
        field += c;
        ++pos_;
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r' &&
          pos_ - row_start <= limits_.max_row_bytes && field.size() <= limits_.max_field_bytes) {
        return Error("csv.text_after_quote",
                     "引号字段结束后出现多余字符（字段内的引号应写成两个引号 \"\"）", line_,
                     ColumnAt(line_start_, pos_));
      }
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
             !(text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n'))) {
        if (text_[pos_] == '"') {
          return Error("csv.stray_quote",
                       "未加引号的字段中出现引号（含引号的字段须整体用引号括起）", line_,
                       ColumnAt(line_start_, pos_));
        }
        ++pos_;
      }
      if (pos_ - field_start <= limits_.max_field_bytes) {
        field.assign(text_.substr(field_start, pos_ - field_start));
      }
    }
    if (pos_ - row_start > limits_.max_row_bytes) {
      return Error(
          "csv.row_too_long",
          fmt::format("一行超过 {} 字节（文件可能不是本系统的表格）", limits_.max_row_bytes),
          row.line, ColumnAt(row_line_start, row_start));
    }
    if (field.size() > limits_.max_field_bytes ||
        pos_ - field_start > limits_.max_field_bytes + 2) {
      return Error("csv.field_too_long",
                   fmt::format("一个单元格超过 {} 字节", limits_.max_field_bytes), field_line,
                   field_column());
    }
    if (!IsValidUtf8(field)) {
      return Error("csv.encoding", "不是有效的 UTF-8 编码（文件可能是 GBK 编码，请另存为 UTF-8）",
                   field_line, field_column());
    }
    row.fields.push_back(std::move(field));
    field = std::string();

    if (pos_ >= text_.size()) break;
    char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    // Line end: \n, \r\n, or a lone \r at the end of the text.
    if (c == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    line_start_ = pos_;
    break;
  }
  return true;
}

std::string CsvEscape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Status CheckCsvHeader(const CsvRow& header, const std::vector<std::string_view>& expected,
                      std::string_view file) {
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i >= header.fields.size() || header.fields[i] != expected[i]) {
      return Status("csv.header", fmt::format("表头第{}列应为「{}」", i + 1, expected[i]),
                    Location{.file = std::string(file),
                             .line = header.line,
                             .column = static_cast<int>(i + 1),
                             .value = i < header.fields.size() ? header.fields[i] : ""});
    }
  }
  if (header.fields.size() > expected.size()) {
    return Status("csv.header",
                  fmt::format("表头应为{}列，实际为{}列", expected.size(), header.fields.size()),
                  Location{.file = std::string(file),
                           .line = header.line,
                           .column = static_cast<int>(expected.size() + 1),
                           .value = header.fields[expected.size()]});
  }
  return Status::Ok();
}

}  // namespace yanglao
