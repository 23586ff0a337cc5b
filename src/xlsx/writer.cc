// The .xlsx writer, on libxlsxwriter in constant-memory mode (rows are
// streamed to a temporary file, strings written inline), so a large report
// does not need the whole workbook in memory twice.
#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/utf8.h"
#include "xlsx/xlsx.h"
#include "xlsx/xlsx_internal.h"

namespace yanglao::xlsx {
namespace {

constexpr size_t kMaxRows = LXW_ROW_MAX;
constexpr size_t kMaxColumns = LXW_COL_MAX;
constexpr size_t kMaxCellCharacters = 32767;  // Excel's limit
constexpr uint8_t kTextFormat = 49;           // built-in number format "@"
constexpr double kMinWidth = 8;
constexpr double kMaxWidth = 80;

// Display width of one code point in a spreadsheet cell: 2 for East Asian
// wide characters (CJK ideographs, kana, hangul, full-width forms), else 1.
int CodePointWidth(uint32_t cp) {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

// Width of the widest line of `text` (valid UTF-8).
int DisplayWidth(std::string_view text) {
  int widest = 0;
  int line = 0;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    uint32_t cp = lead < 0x80   ? lead
                  : lead < 0xE0 ? lead & 0x1Fu
                  : lead < 0xF0 ? lead & 0x0Fu
                                : lead & 0x07u;
    for (size_t k = 1; k < length && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
    }
    i += length;
    if (cp == '\n') {
      widest = std::max(widest, line);
      line = 0;
    } else {
      line += CodePointWidth(cp);
    }
  }
  return std::max(widest, line);
}

std::string SheetNameProblem(lxw_error error) {
  switch (error) {
    case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED:
      return "超过 31 个字符";
    case LXW_ERROR_INVALID_SHEETNAME_CHARACTER:
      return "含有不允许的字符 [ ] : * ? / \\";
    case LXW_ERROR_SHEETNAME_START_END_APOSTROPHE:
      return "不能以单引号开头或结尾";
    case LXW_ERROR_SHEETNAME_ALREADY_USED:
      return "与另一个工作表重名";
    default:
      return lxw_strerror(error);
  }
}

std::string LibraryProblem(lxw_error error) {
  switch (error) {
    case LXW_ERROR_CREATING_XLSX_FILE:
      return "无法创建文件（目录不存在或没有写入权限）";
    case LXW_ERROR_CREATING_TMPFILE:
    case LXW_ERROR_READING_TMPFILE:
      return "无法使用临时文件（临时目录不可写或空间不足）";
    case LXW_ERROR_MEMORY_MALLOC_FAILED:
      return "内存不足";
    default:
      return fmt::format("libxlsxwriter 错误 {}：{}", static_cast<int>(error), lxw_strerror(error));
  }
}

// Checks what libxlsxwriter or Excel would refuse, before anything is written.
Status CheckSheet(const Sheet& sheet, const std::string& name, const std::string& file) {
  auto failure = [&](std::string message, Location where) {
    where.file = file;
    where.field = name;
    return Status("xlsx.write", std::move(message), std::move(where));
  };
  if (!IsValidUtf8(name)) return failure("工作表名称不是有效的 UTF-8", {});
  if (sheet.rows.size() > kMaxRows) {
    return failure(fmt::format("工作表「{}」有 {} 行，超过 Excel 的上限 {} 行", name,
                               sheet.rows.size(), kMaxRows),
                   {});
  }
  for (size_t r = 0; r < sheet.rows.size(); ++r) {
    const std::vector<std::string>& cells = sheet.rows[r];
    const int row = static_cast<int>(r + 1);
    if (cells.size() > kMaxColumns) {
      return failure(fmt::format("工作表「{}」第 {} 行有 {} 列，超过 Excel 的上限 {} 列", name, row,
                                 cells.size(), kMaxColumns),
                     Location{.line = row});
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      const int column = static_cast<int>(c + 1);
      Location where{.line = row, .column = column, .value = CellRef(row, column)};
      if (!IsValidUtf8(cells[c])) {
        return failure(
            fmt::format("工作表「{}」的单元格 {} 不是有效的 UTF-8 文字", name, where.value), where);
      }
      if (CodePointCount(cells[c]) > kMaxCellCharacters) {
        return failure(fmt::format("工作表「{}」的单元格 {} 超过 Excel 的上限 {} 个字符", name,
                                   where.value, kMaxCellCharacters),
                       where);
      }
    }
  }
  return Status::Ok();
}

Status WriteSheet(lxw_workbook* workbook, const Sheet& sheet, const std::string& name,
                  lxw_format* header_format, lxw_format* body_format, const std::string& file) {
  auto failure = [&](std::string message, Location where = {}) {
    where.file = file;
    where.field = name;
    return Status("xlsx.write", std::move(message), std::move(where));
  };
  lxw_error name_error = workbook_validate_sheet_name(workbook, name.c_str());
  if (name_error != LXW_NO_ERROR) {
    return failure(fmt::format("工作表名称「{}」不可用：{}", name, SheetNameProblem(name_error)));
  }
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook, name.c_str());
  if (worksheet == nullptr) return failure(fmt::format("无法添加工作表「{}」", name));

  size_t columns = 0;
  for (const std::vector<std::string>& cells : sheet.rows)
    columns = std::max(columns, cells.size());
  std::vector<int> widths(columns, 0);
  for (const std::vector<std::string>& cells : sheet.rows) {
    for (size_t c = 0; c < cells.size(); ++c)
      widths[c] = std::max(widths[c], DisplayWidth(cells[c]));
  }
  for (size_t c = 0; c < columns; ++c) {
    const double width = std::clamp(static_cast<double>(widths[c]) + 2, kMinWidth, kMaxWidth);
    const auto col = static_cast<lxw_col_t>(c);
    lxw_error error = worksheet_set_column(worksheet, col, col, width, body_format);
    if (error != LXW_NO_ERROR) return failure(LibraryProblem(error));
  }
  if (!sheet.rows.empty()) worksheet_freeze_panes(worksheet, 1, 0);

  for (size_t r = 0; r < sheet.rows.size(); ++r) {
    const std::vector<std::string>& cells = sheet.rows[r];
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty()) continue;
      const std::string text = internal::EncodeEscapes(cells[c]);
      lxw_error error =
          worksheet_write_string(worksheet, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c),
                                 text.c_str(), r == 0 ? header_format : body_format);
      if (error != LXW_NO_ERROR) {
        const int row = static_cast<int>(r + 1);
        const int column = static_cast<int>(c + 1);
        return failure(LibraryProblem(error),
                       Location{.line = row, .column = column, .value = CellRef(row, column)});
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status WriteWorkbook(const std::filesystem::path& path, const std::vector<Sheet>& sheets) {
  const std::string file = path.string();
  std::vector<std::string> names;
  for (size_t i = 0; i < sheets.size(); ++i) {
    names.push_back(sheets[i].name.empty() ? fmt::format("Sheet{}", i + 1) : sheets[i].name);
    Status checked = CheckSheet(sheets[i], names.back(), file);
    if (!checked.ok()) return checked;
  }

  // libxlsxwriter would report a missing directory on stderr; say it here.
  std::error_code ec;
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(directory, ec)) {
    return Status("xlsx.write",
                  fmt::format("写入 XLSX 文件失败：目录「{}」不存在", directory.string()),
                  Location{.file = file});
  }

  // Written beside the target and renamed into place, so readers never see
  // half a file.
  static std::atomic<uint64_t> counter{0};
  std::filesystem::path temp = path;
  temp += fmt::format(".{}-{}.tmp", ::getpid(), counter.fetch_add(1));
  const std::string temp_name = temp.string();
  lxw_workbook_options options{
      .constant_memory = LXW_TRUE, .tmpdir = nullptr, .use_zip64 = LXW_FALSE};
  lxw_workbook* workbook = workbook_new_opt(temp_name.c_str(), &options);
  if (workbook == nullptr) {
    return Status("xlsx.write", "无法创建 XLSX 工作簿（内存不足）", Location{.file = file});
  }
  lxw_format* header_format = workbook_add_format(workbook);
  format_set_bold(header_format);
  format_set_num_format_index(header_format, kTextFormat);
  lxw_format* body_format = workbook_add_format(workbook);
  format_set_num_format_index(body_format, kTextFormat);

  Status status;
  if (sheets.empty()) {
    // A workbook needs a sheet; an empty one stands for "no sheets".
    if (workbook_add_worksheet(workbook, nullptr) == nullptr) {
      status = Status("xlsx.write", "无法添加工作表", Location{.file = file});
    }
  }
  for (size_t i = 0; i < sheets.size() && status.ok(); ++i) {
    status = WriteSheet(workbook, sheets[i], names[i], header_format, body_format, file);
  }
  if (!status.ok()) {
    lxw_workbook_free(workbook);
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    return status;
  }
  lxw_error closed = workbook_close(workbook);
  if (closed != LXW_NO_ERROR) {
    std::filesystem::remove(temp, ec);
    return Status("xlsx.write", fmt::format("写入 XLSX 文件失败：{}", LibraryProblem(closed)),
                  Location{.file = file});
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    return Status("xlsx.write",
                  fmt::format("写入 XLSX 文件失败：无法改名为目标文件（{}）", ec.message()),
                  Location{.file = file});
  }
  return Status::Ok();
}

}  // namespace yanglao::xlsx
