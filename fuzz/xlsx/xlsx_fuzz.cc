// Fuzz target: ReadFirstSheetFromMemory on arbitrary bytes.
//
// An input starting with "PK" (a zip archive, as the seed .xlsx files) is read
// as it is. Any other input is taken as the parts of a workbook separated by
// NUL bytes -- worksheet XML, then shared strings, styles and workbook XML --
// and packed into a valid archive first, so that mutations reach the XML
// readers instead of stopping at the archive's checksums.
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "xlsx/xlsx.h"

namespace {

constexpr std::string_view kPackageRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
constexpr std::string_view kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>)";
constexpr std::string_view kWorkbook =
    R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>)";

// Packs the NUL-separated parts of `input` into a stored (uncompressed) zip.
std::string Pack(std::string_view input) {
  std::vector<std::string_view> parts;
  while (parts.size() < 3) {
    size_t nul = input.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(input.substr(0, nul));
    input.remove_prefix(nul + 1);
  }
  parts.push_back(input);
  const std::string_view names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                    "xl/styles.xml", "xl/workbook.xml"};
  std::vector<std::pair<std::string_view, std::string_view>> files = {
      {"_rels/.rels", kPackageRels}, {"xl/_rels/workbook.xml.rels", kWorkbookRels}};
  for (size_t i = 0; i < parts.size(); ++i) files.emplace_back(names[i], parts[i]);
  if (parts.size() < 4) files.emplace_back("xl/workbook.xml", kWorkbook);

  std::string out;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_error_fini(&error);
  if (buffer == nullptr) return out;
  zip_source_keep(buffer);
  zip_t* zip = zip_open_from_source(buffer, ZIP_TRUNCATE, nullptr);
  if (zip != nullptr) {
    for (const auto& [name, data] : files) {
      zip_source_t* source = zip_source_buffer(zip, data.data(), data.size(), 0);
      zip_int64_t index = zip_file_add(zip, std::string(name).c_str(), source, ZIP_FL_ENC_UTF_8);
      if (index < 0) {
        zip_source_free(source);
        continue;
      }
      zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
    }
    if (zip_close(zip) != 0) zip_discard(zip);
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_source_stat(buffer, &stat) == 0 && zip_source_open(buffer) == 0) {
      out.resize(static_cast<size_t>(stat.size));
      zip_int64_t got = zip_source_read(buffer, out.data(), stat.size);
      out.resize(got < 0 ? 0 : static_cast<size_t>(got));
      zip_source_close(buffer);
    }
  }
  zip_source_free(buffer);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string packed;
  if (!input.starts_with("PK")) {
    packed = Pack(input);
    input = packed;
  }
  yanglao::Result<yanglao::xlsx::Sheet> sheet =
      yanglao::xlsx::ReadFirstSheetFromMemory(input, "fuzz.xlsx");
  if (!sheet.ok()) {
    const std::string& code = sheet.status().code();
    // Failures are the documented ones, located in the file.
    if (code != "xlsx.zip" && code != "xlsx.xml" && code != "xlsx.no_sheet" &&
        code != "xlsx.shared_string" && code != "xlsx.too_large") {
      __builtin_trap();
    }
    if (sheet.status().where().file != "fuzz.xlsx" || sheet.status().message().empty()) {
      __builtin_trap();
    }
    // Messages quote the file's text only as valid UTF-8.
    if (!yanglao::IsValidUtf8(sheet.status().message()) ||
        !yanglao::IsValidUtf8(sheet.status().where().value)) {
      __builtin_trap();
    }
    return 0;
  }
  // Cells are valid UTF-8, the table has no trailing empty rows or cells.
  if (!yanglao::IsValidUtf8(sheet->name)) __builtin_trap();
  if (!sheet->rows.empty() && sheet->rows.back().empty()) __builtin_trap();
  for (const std::vector<std::string>& row : sheet->rows) {
    if (!row.empty() && row.back().empty()) __builtin_trap();
    if (row.size() > 16384) __builtin_trap();
    for (const std::string& cell : row) {
      if (!yanglao::IsValidUtf8(cell)) __builtin_trap();
    }
  }
  // The sparse reader of every sheet agrees: rows rise, cells rise within a
  // row and are valid UTF-8.
  yanglao::Result<std::vector<yanglao::xlsx::SheetInfo>> sheets =
      yanglao::xlsx::ListSheets(input, "fuzz.xlsx");
  if (!sheets.ok() || sheets->empty()) __builtin_trap();
  for (size_t i = 0; i < sheets->size() && i < 4; ++i) {
    int last_row = 0;
    (void)yanglao::xlsx::ReadSheetRows(input, "fuzz.xlsx", i,
                                       [&](const yanglao::xlsx::SheetRow& row) {
                                         if (row.number <= 0) __builtin_trap();
                                         last_row = row.number;
                                         int last_column = 0;
                                         for (const yanglao::xlsx::Cell& c : row.cells) {
                                           if (c.column <= last_column || c.column > 16384)
                                             __builtin_trap();
                                           if (!yanglao::IsValidUtf8(c.text)) __builtin_trap();
                                           last_column = c.column;
                                         }
                                         return true;
                                       });
    (void)last_row;
  }
  return 0;
}
