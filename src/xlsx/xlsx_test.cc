#include "xlsx/xlsx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "xlsx/xlsx_internal.h"

namespace yanglao::xlsx {
namespace {

namespace fs = std::filesystem;
using Rows = std::vector<std::vector<std::string>>;
using Files = std::vector<std::pair<std::string, std::string>>;

// A zip archive of `files`, built with libzip in memory.
std::string Zip(const Files& files, bool deflate = false) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_error_fini(&error);
  EXPECT_NE(buffer, nullptr);
  zip_source_keep(buffer);
  zip_t* zip = zip_open_from_source(buffer, ZIP_TRUNCATE, nullptr);
  EXPECT_NE(zip, nullptr);
  for (const auto& [name, data] : files) {
    zip_source_t* source = zip_source_buffer(zip, data.data(), data.size(), 0);
    zip_int64_t index = zip_file_add(zip, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    EXPECT_GE(index, 0);
    zip_set_file_compression(zip, static_cast<zip_uint64_t>(index),
                             deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  EXPECT_EQ(zip_close(zip), 0);
  zip_stat_t stat;
  zip_stat_init(&stat);
  EXPECT_EQ(zip_source_stat(buffer, &stat), 0);
  EXPECT_EQ(zip_source_open(buffer), 0);
  std::string out(static_cast<size_t>(stat.size), '\0');
  EXPECT_EQ(zip_source_read(buffer, out.data(), stat.size), static_cast<zip_int64_t>(stat.size));
  zip_source_close(buffer);
  zip_source_free(buffer);
  return out;
}

// The bytes of `name` in the zip archive `archive`.
std::string Unzip(const std::string& archive, const std::string& name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(archive.data(), archive.size(), 0, &error);
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (zip == nullptr) return "";
  std::string out;
  if (zip_file_t* file = zip_fopen(zip, name.c_str(), 0)) {
    char chunk[4096];
    zip_int64_t got;
    while ((got = zip_fread(file, chunk, sizeof chunk)) > 0) {
      out.append(chunk, static_cast<size_t>(got));
    }
    zip_fclose(file);
  }
  zip_discard(zip);
  return out;
}

constexpr char kMain[] = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr char kRel[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string Worksheet(const std::string& sheet_data) {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)") +
         "\n<worksheet xmlns=\"" + kMain + "\" xmlns:r=\"" + kRel + "\"><dimension ref=\"A1\"/>" +
         "<sheetData>" + sheet_data + "</sheetData></worksheet>";
}

std::string SharedStrings(const std::vector<std::string>& items) {
  std::string xml =
      std::string("<sst xmlns=\"") + kMain + "\" count=\"" + std::to_string(items.size()) + "\">";
  for (const std::string& item : items) xml += "<si>" + item + "</si>";
  return xml + "</sst>";
}

std::string Styles(const std::string& num_fmts, const std::vector<int>& xf_formats) {
  std::string xml = std::string("<styleSheet xmlns=\"") + kMain + "\">";
  if (!num_fmts.empty()) xml += "<numFmts>" + num_fmts + "</numFmts>";
  xml += "<fonts count=\"1\"><font><sz val=\"11\"/></font></fonts><cellXfs>";
  for (int id : xf_formats) {
    xml += "<xf numFmtId=\"" + std::to_string(id) + "\" fontId=\"0\" applyNumberFormat=\"1\"/>";
  }
  return xml + "</cellXfs></styleSheet>";
}

struct Parts {
  std::string sheet;
  std::optional<std::string> shared_strings;
  std::optional<std::string> styles;
  std::string workbook_pr;  // e.g. <workbookPr date1904="1"/>
};

// A complete .xlsx archive as Excel lays it out, around the given parts.
std::string Xlsx(const Parts& parts, bool deflate = false) {
  std::string workbook_rels =
      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
      R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)";
  if (parts.shared_strings) {
    workbook_rels +=
        R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>)";
  }
  if (parts.styles) {
    workbook_rels +=
        R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>)";
  }
  workbook_rels += "</Relationships>";
  Files files = {
      {"[Content_Types].xml",
       R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>)"},
      {"_rels/.rels",
       R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)"},
      {"xl/workbook.xml",
       std::string("<workbook xmlns=\"") + kMain + "\" xmlns:r=\"" + kRel + "\">" +
           parts.workbook_pr +
           R"(<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
      {"xl/_rels/workbook.xml.rels", workbook_rels},
      {"xl/worksheets/sheet1.xml", parts.sheet},
  };
  if (parts.shared_strings) files.emplace_back("xl/sharedStrings.xml", *parts.shared_strings);
  if (parts.styles) files.emplace_back("xl/styles.xml", *parts.styles);
  return Zip(files, deflate);
}

Result<Sheet> Read(const std::string& bytes) { return ReadFirstSheetFromMemory(bytes, "t.xlsx"); }

Result<Sheet> ReadWith(const std::string& bytes, const internal::ReadLimits& limits) {
  return internal::ReadFirstSheetFromMemory(bytes, "t.xlsx", limits);
}

Rows ReadRows(const Parts& parts) {
  Result<Sheet> sheet = Read(Xlsx(parts));
  EXPECT_TRUE(sheet.ok()) << sheet.status().ToString();
  return sheet.ok() ? sheet->rows : Rows{};
}

// A scratch directory for files, removed at the end of the test.
class XlsxFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yanglao-xlsx-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void Spit(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }

  fs::path dir_;
};

// --- CellRef ----------------------------------------------------------------

TEST(CellRefTest, Letters) {
  EXPECT_EQ(CellRef(12, 2), "B12");
  EXPECT_EQ(CellRef(1, 28), "AB1");
  EXPECT_EQ(CellRef(1, 1), "A1");
  EXPECT_EQ(CellRef(1, 26), "Z1");
  EXPECT_EQ(CellRef(1, 27), "AA1");
  EXPECT_EQ(CellRef(1, 52), "AZ1");
  EXPECT_EQ(CellRef(1, 53), "BA1");
  EXPECT_EQ(CellRef(1, 702), "ZZ1");
  EXPECT_EQ(CellRef(1, 703), "AAA1");
  EXPECT_EQ(CellRef(1048576, 16384), "XFD1048576");
  EXPECT_EQ(CellRef(3, 0), "3");
}

TEST(CellRefTest, ColumnOfRefIsTheInverse) {
  for (int column : {1, 2, 26, 27, 28, 52, 53, 702, 703, 16384}) {
    EXPECT_EQ(internal::ColumnOfRef(CellRef(7, column)), column);
  }
  EXPECT_EQ(internal::ColumnOfRef("ab12"), 28);
  EXPECT_EQ(internal::ColumnOfRef("12"), 0);
  EXPECT_EQ(internal::ColumnOfRef(std::string(100, 'Z')), internal::kColumnOverflow);
}

// --- Cell text helpers ------------------------------------------------------

TEST(FormatNumberTest, AsAPersonSeesIt) {
  EXPECT_EQ(internal::FormatNumber("4213"), "4213");
  EXPECT_EQ(internal::FormatNumber("4213.5"), "4213.5");
  EXPECT_EQ(internal::FormatNumber("1.0"), "1");
  EXPECT_EQ(internal::FormatNumber("1.000"), "1");
  EXPECT_EQ(internal::FormatNumber("0"), "0");
  EXPECT_EQ(internal::FormatNumber("-0"), "0");
  EXPECT_EQ(internal::FormatNumber("-0.5"), "-0.5");
  EXPECT_EQ(internal::FormatNumber(".5"), "0.5");
  EXPECT_EQ(internal::FormatNumber("1E-3"), "0.001");
  EXPECT_EQ(internal::FormatNumber("4200"), "4200");
  EXPECT_EQ(internal::FormatNumber("4.2E3"), "4200");
  EXPECT_EQ(internal::FormatNumber("0.30000000000000004"), "0.3");
  EXPECT_EQ(internal::FormatNumber("0.99999999999999999"), "1");
  EXPECT_EQ(internal::FormatNumber("123456789012345.67"), "123456789012346");
}

TEST(FormatNumberTest, IntegersKeepAllTheirDigits) {
  EXPECT_EQ(internal::FormatNumber("421303194402290017"), "421303194402290017");
  EXPECT_EQ(internal::FormatNumber("1.1010519491231002E+17"), "110105194912310020");
  EXPECT_EQ(internal::FormatNumber("1.10105194912310E+17"), "110105194912310000");
  EXPECT_EQ(internal::FormatNumber("4.2130319440229002e17"), "421303194402290020");
}

TEST(FormatNumberTest, ExtremesAndNonNumbersStayAsStored) {
  EXPECT_EQ(internal::FormatNumber("1E+40"), "1E+40");
  EXPECT_EQ(internal::FormatNumber("1E-30"), "1E-30");
  EXPECT_EQ(internal::FormatNumber("1E+99999999999999999999"), "1E+99999999999999999999");
  EXPECT_EQ(internal::FormatNumber("abc"), "abc");
  EXPECT_EQ(internal::FormatNumber("1e"), "1e");
  EXPECT_EQ(internal::FormatNumber("1.2.3"), "1.2.3");
  EXPECT_EQ(internal::FormatNumber(""), "");
  EXPECT_EQ(internal::FormatNumber("NaN"), "NaN");
}

TEST(NumberFormatTest, BuiltInAndCustomDateFormats) {
  using internal::NumberKind;
  for (int id : {14, 15, 16, 17, 22, 27, 31, 36, 57, 58}) {
    EXPECT_EQ(internal::BuiltInFormatKind(id), NumberKind::kDate) << id;
  }
  for (int id : {18, 19, 20, 21, 32, 35, 45, 47}) {
    EXPECT_EQ(internal::BuiltInFormatKind(id), NumberKind::kTime) << id;
  }
  for (int id : {0, 1, 2, 4, 10, 11, 12, 13, 23, 46, 49}) {
    EXPECT_EQ(internal::BuiltInFormatKind(id), NumberKind::kNumber) << id;
  }
  EXPECT_EQ(internal::FormatCodeKind("yyyy/m/d"), NumberKind::kDate);
  EXPECT_EQ(internal::FormatCodeKind("yyyy\"年\"m\"月\"d\"日\""), NumberKind::kDate);
  EXPECT_EQ(internal::FormatCodeKind("[$-804]yyyy-mm-dd hh:mm"), NumberKind::kDate);
  EXPECT_EQ(internal::FormatCodeKind("mmm"), NumberKind::kDate);
  EXPECT_EQ(internal::FormatCodeKind("h:mm:ss"), NumberKind::kTime);
  EXPECT_EQ(internal::FormatCodeKind("mm:ss"), NumberKind::kTime);
  EXPECT_EQ(internal::FormatCodeKind("[h]:mm"), NumberKind::kTime);
  EXPECT_EQ(internal::FormatCodeKind("General"), NumberKind::kNumber);
  EXPECT_EQ(internal::FormatCodeKind("0.00"), NumberKind::kNumber);
  EXPECT_EQ(internal::FormatCodeKind("[Red]0.00;[Blue]-0.00"), NumberKind::kNumber);
  EXPECT_EQ(internal::FormatCodeKind("#,##0\"天\";\"d\""), NumberKind::kNumber);
  EXPECT_EQ(internal::FormatCodeKind("0\\d"), NumberKind::kNumber);
  EXPECT_EQ(internal::FormatCodeKind("@"), NumberKind::kNumber);
}

TEST(SerialDateTest, The1900SystemWithItsPhantomLeapDay) {
  EXPECT_EQ(internal::SerialToDate("45383", false), "2024-04-01");
  EXPECT_EQ(internal::SerialToDate("45383.75", false), "2024-04-01");
  EXPECT_EQ(internal::SerialToDate("45383.999999999", false), "2024-04-02");
  EXPECT_EQ(internal::SerialToDate("1", false), "1900-01-01");
  EXPECT_EQ(internal::SerialToDate("59", false), "1900-02-28");
  EXPECT_EQ(internal::SerialToDate("60", false), "1900-02-29");
  EXPECT_EQ(internal::SerialToDate("61", false), "1900-03-01");
  EXPECT_EQ(internal::SerialToDate("32874", false), "1990-01-01");
  EXPECT_EQ(internal::SerialToDate("2958465", false), "9999-12-31");
  EXPECT_EQ(internal::SerialToDate("2958466", false), std::nullopt);
  EXPECT_EQ(internal::SerialToDate("0", false), std::nullopt);
  EXPECT_EQ(internal::SerialToDate("-1", false), std::nullopt);
  EXPECT_EQ(internal::SerialToDate("x", false), std::nullopt);
  EXPECT_EQ(internal::SerialToDate("1e400", false), std::nullopt);
}

TEST(SerialDateTest, The1904System) {
  EXPECT_EQ(internal::SerialToDate("0", true), "1904-01-01");
  EXPECT_EQ(internal::SerialToDate("43921", true), "2024-04-01");
  EXPECT_EQ(internal::SerialToDate("45383", true), "2028-04-02");
  EXPECT_EQ(internal::SerialToDate("2957003", true), "9999-12-31");
  EXPECT_EQ(internal::SerialToDate("2957004", true), std::nullopt);
}

TEST(SerialDateTest, TimeOfDay) {
  EXPECT_EQ(internal::SerialToTime("0.5"), "12:00:00");
  EXPECT_EQ(internal::SerialToTime("0.354166666666667"), "08:30:00");
  EXPECT_EQ(internal::SerialToTime("45383.75"), "18:00:00");
  EXPECT_EQ(internal::SerialToTime("-1"), std::nullopt);
}

TEST(EscapeTest, DecodeAndEncode) {
  EXPECT_EQ(internal::DecodeEscapes("a_x000D_b"), "a\rb");
  EXPECT_EQ(internal::DecodeEscapes("_x005F_x0041_"), "_x0041_");
  EXPECT_EQ(internal::DecodeEscapes("_x4E2D_"), "中");
  EXPECT_EQ(internal::DecodeEscapes("_xD83D__xDE00_"), "😀");
  EXPECT_EQ(internal::DecodeEscapes("_xD83D_"), "_xD83D_");
  EXPECT_EQ(internal::DecodeEscapes("_x0000_"), "_x0000_");
  EXPECT_EQ(internal::DecodeEscapes("_x12_ _xZZZZ_"), "_x12_ _xZZZZ_");
  for (std::string text : {"plain", "a\rb\x01", "_x0041_", "_x005F_", "tab\tand\nnewline"}) {
    EXPECT_EQ(internal::DecodeEscapes(internal::EncodeEscapes(text)), text);
  }
  EXPECT_EQ(internal::EncodeEscapes("a\x01"), "a_x0001_");
  EXPECT_EQ(internal::EncodeEscapes("_x0041_"), "_x005F_x0041_");
}

// --- Writing and reading back ----------------------------------------------

TEST_F(XlsxFileTest, RoundTripKeepsTextExactly) {
  Sheet people{.name = "民政",
               .rows = {{"公民身份号码", "姓名", "低保", "特困", "起始日期", "终止日期"},
                        {"11010519491231002X", "张三", "是", "", "2024-01-01", "2024-12-31"},
                        {"421303194402290017", "李四", "", "", "", "2025-01-31"},
                        {"", "", "", "", "", "空行之后"},
                        {"007", "  前后空格  ", "第一行\n第二行", "a\rb\x01", "_x0041_", "<&>\"'"},
                        {"4213", "1.0", "1E5", "TRUE", "2024-02-29", "😀 emoji"}}};
  Sheet report{.name = "导入报告", .rows = {{"行", "问题"}, {"3", "身份证号校验码错误"}}};
  const fs::path path = dir_ / "民政.xlsx";
  ASSERT_TRUE(WriteWorkbook(path, {people, report}).ok());

  Result<Sheet> back = ReadFirstSheet(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, people);

  // Every cell is a string (inline), none a number; the header is bold and
  // frozen, columns are text-formatted and sized, Chinese counting double.
  const std::string archive = Slurp(path);
  const std::string xml = Unzip(archive, "xl/worksheets/sheet1.xml");
  EXPECT_EQ(xml.find("<v>"), std::string::npos);
  EXPECT_NE(xml.find("t=\"inlineStr\""), std::string::npos);
  EXPECT_NE(
      xml.find(
          "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"),
      std::string::npos)
      << xml.substr(0, 600);
  EXPECT_NE(xml.find("<col min=\"1\" max=\"1\" width=\"20.7109375\""), std::string::npos)
      << xml.substr(0, 900);  // 18 characters + 2
  EXPECT_NE(xml.find("<col min=\"2\" max=\"2\" width=\"14.7109375\""),
            std::string::npos);  // 6 wide + 2
  const std::string styles = Unzip(archive, "xl/styles.xml");
  EXPECT_NE(styles.find("<b/>"), std::string::npos);
  EXPECT_NE(styles.find("numFmtId=\"49\""), std::string::npos);
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1)
      << "no temporary file is left behind";
}

TEST_F(XlsxFileTest, TrailingEmptyCellsAndRowsAreLeftOut) {
  const fs::path path = dir_ / "t.xlsx";
  ASSERT_TRUE(WriteWorkbook(
                  path, {Sheet{.name = "S", .rows = {{"a", "", ""}, {}, {"", "b", ""}, {""}, {}}}})
                  .ok());
  Result<Sheet> back = ReadFirstSheet(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->rows, (Rows{{"a"}, {}, {"", "b"}}));
}

TEST_F(XlsxFileTest, DefaultNamesAndEmptyWorkbooks) {
  const fs::path path = dir_ / "t.xlsx";
  ASSERT_TRUE(WriteWorkbook(path, {Sheet{.rows = {{"x"}}}, Sheet{.name = "二"}}).ok());
  Result<Sheet> back = ReadFirstSheet(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "Sheet1");
  EXPECT_EQ(back->rows, (Rows{{"x"}}));

  ASSERT_TRUE(WriteWorkbook(path, {}).ok());
  back = ReadFirstSheet(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "Sheet1");
  EXPECT_TRUE(back->rows.empty());
}

TEST_F(XlsxFileTest, WriteRefusesWhatExcelWouldNot) {
  const fs::path path = dir_ / "t.xlsx";
  struct Case {
    std::vector<Sheet> sheets;
    std::string in_message;
  };
  const std::vector<Case> cases = {
      {{Sheet{.name = "a/b"}}, "不可用"},
      {{Sheet{.name = "同名"}, Sheet{.name = "同名"}}, "重名"},
      {{Sheet{.name = std::string(32, 'x')}}, "31"},
      {{Sheet{.name = "'引号'"}}, "单引号"},
  };
  for (const Case& c : cases) {
    Status status = WriteWorkbook(path, c.sheets);
    EXPECT_EQ(status.code(), "xlsx.write");
    EXPECT_NE(status.message().find(c.in_message), std::string::npos) << status.ToString();
    EXPECT_EQ(status.where().file, path.string());
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir_)) << "no temporary file is left behind";

  Status bad_text = WriteWorkbook(path, {Sheet{.name = "S", .rows = {{"a"}, {"b", "\xFF"}}}});
  EXPECT_EQ(bad_text.code(), "xlsx.write");
  EXPECT_EQ(bad_text.where().line, 2);
  EXPECT_EQ(bad_text.where().column, 2);
  EXPECT_EQ(bad_text.where().value, "B2");
  EXPECT_EQ(bad_text.where().field, "S");

  Status too_long = WriteWorkbook(path, {Sheet{.name = "S", .rows = {{std::string(32768, 'x')}}}});
  EXPECT_EQ(too_long.code(), "xlsx.write");
  EXPECT_EQ(too_long.where().value, "A1");

  Status no_dir = WriteWorkbook(dir_ / "没有这个目录" / "t.xlsx", {Sheet{.name = "S"}});
  EXPECT_EQ(no_dir.code(), "xlsx.write");
  EXPECT_TRUE(fs::is_empty(dir_));
}

// --- Reading files ------------------------------------------------------------

TEST_F(XlsxFileTest, OpenErrors) {
  Result<Sheet> missing = ReadFirstSheet(dir_ / "没有.xlsx");
  EXPECT_EQ(missing.status().code(), "xlsx.open");
  EXPECT_EQ(missing.status().where().file, (dir_ / "没有.xlsx").string());

  EXPECT_EQ(ReadFirstSheet(dir_).status().code(), "xlsx.open");

  Spit(dir_ / "empty.xlsx", "");
  EXPECT_EQ(ReadFirstSheet(dir_ / "empty.xlsx").status().code(), "xlsx.zip");

  Spit(dir_ / "text.xlsx", "公民身份号码,姓名\n11010519491231002X,张三\n");
  Result<Sheet> text = ReadFirstSheet(dir_ / "text.xlsx");
  EXPECT_EQ(text.status().code(), "xlsx.zip");
  EXPECT_EQ(text.status().message(), "不是有效的 XLSX 文件（可能是 .xls 旧格式或文件已损坏）");

  Spit(dir_ / "ok.xlsx", Xlsx({.sheet = Worksheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)")}));
  Result<Sheet> ok = ReadFirstSheet(dir_ / "ok.xlsx");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->name, "数据");
  EXPECT_EQ(ok->rows, (Rows{{"1"}}));
}

TEST(ReadTest, SharedInlineAndRichStrings) {
  Rows rows = ReadRows(
      {.sheet = Worksheet(
           R"(<row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>)"
           R"(<c r="C1" t="inlineStr"><is><t xml:space="preserve"> 随州市 </t></is></c>)"
           R"(<c r="D1" t="inlineStr"><is><r><t>曾都</t></r><r><rPr><b/></rPr><t>区</t></r></is></c></row>)"
           R"(<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c>)"
           R"(<c r="C2" t="s"><v>4</v></c><c r="D2" t="str"><f>A1&amp;B1</f><v>张三是</v></c></row>)"),
       .shared_strings = SharedStrings(
           {"<t>张三</t>", "<t>是</t>", R"(<r><t>低保</t></r><r><rPr><i/></rPr><t>对象</t></r>)",
            R"(<t>李四</t><rPh sb="0" eb="2"><t>リシ</t></rPh><phoneticPr fontId="1"/>)",
            "<t>A &amp; B_x000D_&lt;</t>"})});
  EXPECT_EQ(rows, (Rows{{"张三", "是", " 随州市 ", "曾都区"},
                        {"低保对象", "李四", "A & B\r<", "张三是"}}));
}

TEST(ReadTest, NumbersBooleansAndErrors) {
  Rows rows = ReadRows(
      {.sheet = Worksheet(
           R"(<row r="1"><c r="A1"><v>4213</v></c><c r="B1" t="n"><v>4213.5</v></c>)"
           R"(<c r="C1"><v>1.0</v></c><c r="D1"><v>1.1010519491231002E+17</v></c>)"
           R"(<c r="E1"><v>421303194402290017</v></c><c r="F1"><v>-0.25</v></c></row>)"
           R"(<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c>)"
           R"(<c r="C2" t="e"><v>#N/A</v></c><c r="D2"><f>1/3</f><v>0.33333333333333331</v></c>)"
           R"(<c r="E2" s="0"/><c r="F2" t="d"><v>2024-04-01T08:30:00</v></c></row>)")});
  EXPECT_EQ(rows,
            (Rows{{"4213", "4213.5", "1", "110105194912310020", "421303194402290017", "-0.25"},
                  {"TRUE", "FALSE", "#N/A", "0.333333333333333", "", "2024-04-01"}}));
}

TEST(ReadTest, DatesFromNumberFormats) {
  Rows rows = ReadRows(
      {.sheet = Worksheet(
           R"(<row r="1"><c r="A1" s="1"><v>45383</v></c><c r="B1" s="2"><v>45383</v></c>)"
           R"(<c r="C1" s="3"><v>32874</v></c><c r="D1" s="4"><v>45383</v></c><c r="E1" s="5"><v>4213.5</v></c></row>)"
           R"(<row r="2"><c r="A2" s="6"><v>45383.75</v></c><c r="B2" s="7"><v>0.354166666666667</v></c>)"
           R"(<c r="C2" s="1"><v>60</v></c><c r="D2" s="1"><v>61</v></c><c r="E2" s="1"><v>0</v></c>)"
           R"(<c r="F2" s="99"><v>45383</v></c><c r="G2" s="8"><v>45383</v></c></row>)"),
       .styles = Styles(
           R"(<numFmt numFmtId="164" formatCode="yyyy/m/d"/>)"
           R"(<numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>)"
           R"x(<numFmt numFmtId="166" formatCode="0.00_);[Red]\(0.00\)"/>)x",
           {0, 14, 164, 165, 31, 166, 22, 20, 4})});
  EXPECT_EQ(rows,
            (Rows{{"2024-04-01", "2024-04-01", "1990-01-01", "2024-04-01", "4213.5"},
                  {"2024-04-01", "08:30:00", "1900-02-29", "1900-03-01", "0", "45383", "45383"}}));
}

TEST(ReadTest, The1904DateSystem) {
  Rows rows = ReadRows(
      {.sheet = Worksheet(R"(<row r="1"><c r="A1" s="1"><v>43921</v></c>)"
                          R"(<c r="B1" s="1"><v>0</v></c><c r="C1"><v>43921</v></c></row>)"),
       .styles = Styles("", {0, 14}),
       .workbook_pr = R"(<workbookPr date1904="1"/>)"});
  EXPECT_EQ(rows, (Rows{{"2024-04-01", "1904-01-01", "43921"}}));
}

TEST(ReadTest, MissingRowsAndCellsKeepTheirPositions) {
  Rows rows = ReadRows(
      {.sheet = Worksheet(
           R"(<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>)"
           R"(<c r="C1" t="inlineStr"><is><t>c</t></is></c></row>)"
           R"(<row r="3"><c r="B3"><v>2</v></c></row>)"
           R"(<row r="4"><c r="A4" s="0"/><c r="B4"><v></v></c></row>)"
           R"(<row r="6"><c r="E6"><v>5</v></c><c r="F6" t="inlineStr"><is><t></t></is></c></row>)"
           R"(<row r="7" ht="20" customHeight="1"/>)")});
  EXPECT_EQ(rows, (Rows{{"a", "", "c"}, {}, {"", "2"}, {}, {}, {"", "", "", "", "5"}}));
}

TEST(ReadTest, RowsAndCellsWithoutReferencesFollowTheirNeighbours) {
  Rows rows = ReadRows(
      {.sheet = Worksheet(
           R"(<row><c><v>1</v></c><c><v>2</v></c><c r="D1"><v>4</v></c><c><v>5</v></c></row>)"
           R"(<row><c><v>6</v></c></row><row r="5"><c><v>7</v></c></row><row><c><v>8</v></c></row>)")});
  EXPECT_EQ(rows, (Rows{{"1", "2", "", "4", "5"}, {"6"}, {}, {}, {"7"}, {"8"}}));
}

TEST(ReadTest, NamespacePrefixesCommentsAndCdata) {
  std::string sheet =
      std::string("<?xml version=\"1.0\"?><!-- made by a tool --><x:worksheet xmlns:x=\"") + kMain +
      "\"><x:sheetData><!-- <row r=\"9\"><c><v>9</v></c></row> -->"
      "<x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t><![CDATA[<a&b>]]></x:t></x:is></x:c>"
      "<x:c r=\"B1\"><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>";
  EXPECT_EQ(ReadRows({.sheet = sheet}), (Rows{{"<a&b>", "3"}}));
}

TEST(ReadTest, TheFirstWorksheetInTabOrder) {
  const std::string workbook =
      std::string("<workbook xmlns=\"") + kMain + "\" xmlns:r=\"" + kRel +
      R"("><sheets><sheet name="图表" sheetId="3" r:id="rId9"/><sheet name="第一" sheetId="2" r:id="rId7"/>)"
      R"(<sheet name="第二" sheetId="1" r:id="rId1"/></sheets></workbook>)";
  const std::string rels =
      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
      R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/>)"
      R"(<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/../worksheets/sheet2.xml"/>)"
      R"(<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>)"
      R"(</Relationships>)";
  Result<Sheet> sheet = Read(Zip({
      {"_rels/.rels",
       R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="book/wb.xml"/></Relationships>)"},
      {"book/wb.xml", workbook},
      {"book/_rels/wb.xml.rels",
       // Targets relative to book/; written for xl/ above, so rewrite:
       [&] {
         std::string r = rels;
         for (size_t at; (at = r.find("/xl/")) != std::string::npos;) r.replace(at, 4, "/book/");
         return r;
       }()},
      {"book/worksheets/sheet1.xml",
       Worksheet(R"(<row r="1"><c t="inlineStr"><is><t>第二</t></is></c></row>)")},
      {"book/worksheets/sheet2.xml",
       Worksheet(R"(<row r="1"><c t="inlineStr"><is><t>第一</t></is></c></row>)")},
  }));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->name, "第一");
  EXPECT_EQ(sheet->rows, (Rows{{"第一"}}));
}

TEST(ReadTest, ConventionalPathsWhenRelationshipsAreMissing) {
  Result<Sheet> sheet = Read(Zip({
      {"xl/workbook.xml", std::string("<workbook xmlns=\"") + kMain +
                              R"("><sheets><sheet name="甲" sheetId="1"/></sheets></workbook>)"},
      {"xl/worksheets/sheet1.xml", Worksheet(R"(<row r="1"><c t="s"><v>0</v></c></row>)")},
      {"xl/sharedStrings.xml", SharedStrings({"<t>共享</t>"})},
  }));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->name, "甲");
  EXPECT_EQ(sheet->rows, (Rows{{"共享"}}));
}

TEST(ReadTest, ReadsDeflatedArchives) {
  Result<Sheet> sheet =
      Read(Xlsx({.sheet = Worksheet(R"(<row r="2"><c r="B2"><v>42</v></c></row>)")}, true));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(sheet->rows, (Rows{{}, {"", "42"}}));
}

// --- Broken input -------------------------------------------------------------

TEST(ReadErrorTest, NotAZip) {
  const std::string ole =
      std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(512, '\0');
  for (const std::string& bytes : {ole, std::string("公民身份号码,姓名\n"), std::string(""),
                                   std::string("PK"), std::string("PK\x03\x04 truncated", 15)}) {
    Result<Sheet> sheet = Read(bytes);
    EXPECT_EQ(sheet.status().code(), "xlsx.zip") << bytes.size();
    EXPECT_EQ(sheet.status().message(), "不是有效的 XLSX 文件（可能是 .xls 旧格式或文件已损坏）");
    EXPECT_EQ(sheet.status().where().file, "t.xlsx");
  }
}

TEST(ReadErrorTest, CorruptZip) {
  const std::string good = Xlsx({.sheet = Worksheet(R"(<row r="1"><c><v>1</v></c></row>)")});
  // Damage the worksheet's bytes: the checksum no longer matches.
  std::string damaged = good;
  size_t at = damaged.find("<sheetData>");
  ASSERT_NE(at, std::string::npos);
  damaged[at + 1] = 'S';
  Result<Sheet> sheet = Read(damaged);
  EXPECT_EQ(sheet.status().code(), "xlsx.zip");
  EXPECT_EQ(sheet.status().where().value, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.status().message().find("校验和"), std::string::npos)
      << sheet.status().ToString();

  // Cut short: the central directory is gone.
  EXPECT_EQ(Read(good.substr(0, good.size() / 2)).status().code(), "xlsx.zip");
  EXPECT_EQ(Read(good.substr(0, good.size() - 10)).status().code(), "xlsx.zip");
}

TEST(ReadErrorTest, ZipWithoutWorkbookOrSheet) {
  Result<Sheet> no_workbook = Read(Zip({{"readme.txt", "你好"}}));
  EXPECT_EQ(no_workbook.status().code(), "xlsx.no_sheet");
  const std::string empty_zip = std::string("PK\x05\x06", 4) + std::string(18, '\0');
  EXPECT_EQ(Read(empty_zip).status().code(), "xlsx.no_sheet");

  Result<Sheet> no_sheets = Read(Zip({{"xl/workbook.xml", std::string("<workbook xmlns=\"") +
                                                              kMain + "\"><sheets/></workbook>"}}));
  EXPECT_EQ(no_sheets.status().code(), "xlsx.no_sheet");

  // The workbook names a worksheet whose part is missing.
  std::string archive = Xlsx({.sheet = Worksheet("")});
  Result<Sheet> ok = Read(archive);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->rows.empty());
  Result<Sheet> missing =
      Read(Zip({{"xl/workbook.xml", Unzip(archive, "xl/workbook.xml")},
                {"xl/_rels/workbook.xml.rels", Unzip(archive, "xl/_rels/workbook.xml.rels")}}));
  EXPECT_EQ(missing.status().code(), "xlsx.no_sheet");
  EXPECT_EQ(missing.status().where().value, "xl/worksheets/sheet1.xml");
}

TEST(ReadErrorTest, MalformedXmlNamesThePart) {
  const std::vector<std::string> bad_sheets = {
      Worksheet(R"(<row r="1"><c r="A1"><v>1</v></row>)"),     // mismatched end tag
      Worksheet(R"(<row r="1"><c r=A1><v>1</v></c></row>)"),   // unquoted attribute
      Worksheet(R"(<row r="1"><c r="A1"><v>1</v></c></row)"),  // unterminated tag
      "<worksheet><sheetData>",
      "<worksheet/><worksheet/>",
      "text",
      "",
      "<!DOCTYPE worksheet [<!ENTITY a \"aaaa\">]><worksheet/>",
      "\xFF\xFE<\0w\0/\0>\0",
      Worksheet(R"(<row r="x"><c><v>1</v></c></row>)"),
      Worksheet(R"(<row r="1"><c r="1A"><v>1</v></c></row>)"),
      Worksheet(R"(<row r="1"><c t="inlineStr"><is><t>)"
                "\xC3\x28"
                R"(</t></is></c></row>)"),
      Worksheet(R"(<row r="1"><c t="inlineStr"><is><t>&#xD800;</t></is></c></row>)"),
  };
  for (const std::string& xml : bad_sheets) {
    Result<Sheet> sheet = Read(Xlsx({.sheet = xml}));
    EXPECT_EQ(sheet.status().code(), "xlsx.xml") << xml;
    EXPECT_EQ(sheet.status().where().file, "t.xlsx");
  }
  Result<Sheet> sheet = Read(Xlsx({.sheet = Worksheet(R"(<row r="1"><c r="A1"><v>1</v></row>)")}));
  EXPECT_EQ(sheet.status().where().value, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.status().message().find("「xl/worksheets/sheet1.xml」"), std::string::npos);
  EXPECT_NE(sheet.status().message().find("不匹配"), std::string::npos)
      << sheet.status().ToString();

  // Found by the fuzzer (fuzz/corpus/xlsx/crash-tag-name-not-utf8): tag names
  // quoted in the message were not valid UTF-8.
  for (const std::string& xml :
       {std::string("<\"><:\x0f\xf3><:\x8c\x8b>v0-"), std::string("<a></\xff>")}) {
    Result<Sheet> bad_name = Read(Xlsx({.sheet = xml}));
    EXPECT_EQ(bad_name.status().code(), "xlsx.xml");
    EXPECT_TRUE(IsValidUtf8(bad_name.status().message())) << bad_name.status().message();
  }

  Result<Sheet> bad_strings = Read(Xlsx({.sheet = Worksheet(""), .shared_strings = "<sst><si>"}));
  EXPECT_EQ(bad_strings.status().code(), "xlsx.xml");
  EXPECT_EQ(bad_strings.status().where().value, "xl/sharedStrings.xml");

  Result<Sheet> bad_styles =
      Read(Xlsx({.sheet = Worksheet(""), .styles = "<styleSheet><cellXfs><xf numFmtId=\"14\">"}));
  EXPECT_EQ(bad_styles.status().code(), "xlsx.xml");
  EXPECT_EQ(bad_styles.status().where().value, "xl/styles.xml");
}

TEST(ReadErrorTest, SharedStringOutOfRange) {
  Result<Sheet> sheet =
      Read(Xlsx({.sheet = Worksheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"
                                    R"(<row r="2"><c r="B2" t="s"><v>2</v></c></row>)"),
                 .shared_strings = SharedStrings({"<t>a</t>", "<t>b</t>"})}));
  ASSERT_FALSE(sheet.ok());
  EXPECT_EQ(sheet.status().code(), "xlsx.shared_string");
  EXPECT_EQ(sheet.status().where(),
            (Location{.file = "t.xlsx", .line = 2, .column = 2, .value = "B2"}));
  EXPECT_NE(sheet.status().message().find("B2"), std::string::npos);

  const std::string garbage = "\x01" + std::string(100, '\xFF') + "很长";
  Result<Sheet> quoted =
      Read(Xlsx({.sheet = Worksheet(R"(<row r="1"><c t="s"><v>)" + garbage + "</v></c></row>")}));
  EXPECT_EQ(quoted.status().code(), "xlsx.shared_string");
  EXPECT_TRUE(IsValidUtf8(quoted.status().message())) << "the bad bytes are not quoted as is";
  EXPECT_NE(quoted.status().message().find("「??????"), std::string::npos);
  EXPECT_NE(quoted.status().message().find("?…」"), std::string::npos);

  for (const char* index : {"-1", "x", "99999999999999999999"}) {
    Result<Sheet> bad = Read(Xlsx({.sheet = Worksheet(std::string(R"(<row r="1"><c t="s"><v>)") +
                                                      index + "</v></c></row>")}));
    EXPECT_EQ(bad.status().code(), "xlsx.shared_string") << index;
  }
}

// --- Limits (zip bombs) ---------------------------------------------------------

// A worksheet of `rows` rows of five numbers.
std::string BigSheet(int rows) {
  std::string data;
  for (int r = 1; r <= rows; ++r) {
    data += "<row r=\"" + std::to_string(r) + "\">";
    for (int c = 1; c <= 5; ++c) data += "<c><v>" + std::to_string(r * c) + "</v></c>";
    data += "</row>";
  }
  return Worksheet(data);
}

// Rewrites the uncompressed size that the central directory declares for
// `name` (the reader's first look at a part's size).
void DeclareSize(std::string& archive, const std::string& name, uint32_t size) {
  for (size_t at = archive.find("PK\x01\x02"); at != std::string::npos;
       at = archive.find("PK\x01\x02", at + 4)) {
    uint16_t name_length = 0;
    std::memcpy(&name_length, archive.data() + at + 28, 2);
    if (archive.compare(at + 46, name_length, name) == 0) {
      std::memcpy(archive.data() + at + 24, &size, 4);
      return;
    }
  }
  ADD_FAILURE() << "no central directory entry for " << name;
}

TEST(ReadLimitTest, DeclaredSizeOverTheLimit) {
  const std::string archive = Xlsx({.sheet = BigSheet(100)}, true);
  internal::ReadLimits limits;
  ASSERT_TRUE(ReadWith(archive, limits).ok());
  limits.max_sheet_part_bytes = 1000;
  Result<Sheet> sheet = ReadWith(archive, limits);
  EXPECT_EQ(sheet.status().code(), "xlsx.too_large");
  EXPECT_EQ(sheet.status().where().value, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.status().message().find("1000 字节"), std::string::npos)
      << sheet.status().ToString();
}

TEST(ReadLimitTest, ActualBytesOverTheLimitWhateverTheDeclaredSize) {
  std::string archive = Xlsx({.sheet = BigSheet(100)}, true);
  DeclareSize(archive, "xl/worksheets/sheet1.xml", 100);
  internal::ReadLimits limits;
  // Within the limit the declared size does not matter (libzip checks only the CRC).
  Result<Sheet> read = ReadWith(archive, limits);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->rows.size(), 100u);
  limits.max_sheet_part_bytes = 1000;
  Result<Sheet> sheet = ReadWith(archive, limits);
  EXPECT_EQ(sheet.status().code(), "xlsx.too_large") << sheet.status().ToString();
  EXPECT_EQ(sheet.status().where().value, "xl/worksheets/sheet1.xml");

  // The same for the shared strings, and for the smaller parts.
  std::string strings =
      Xlsx({.sheet = Worksheet(""),
            .shared_strings = SharedStrings(std::vector<std::string>(500, "<t>x</t>"))},
           true);
  DeclareSize(strings, "xl/sharedStrings.xml", 10);
  EXPECT_EQ(ReadWith(strings, limits).status().code(), "xlsx.too_large");
  limits = {};
  limits.max_other_part_bytes = 100;
  EXPECT_EQ(ReadWith(archive, limits).status().code(), "xlsx.too_large");

  // A size declared larger than the content (but within the limit) costs nothing.
  std::string inflated = Xlsx({.sheet = BigSheet(3)}, true);
  DeclareSize(inflated, "xl/worksheets/sheet1.xml", uint32_t{500} << 20);
  Result<Sheet> small = Read(inflated);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->rows.size(), 3u);
}

TEST(ReadLimitTest, RowsColumnsCellsAndText) {
  // Default limits: beyond 2,000,000 rows or 16,384 columns, without allocating.
  Result<Sheet> rows =
      Read(Xlsx({.sheet = Worksheet(R"(<row r="2000001"><c><v>1</v></c></row>)")}));
  EXPECT_EQ(rows.status().code(), "xlsx.too_large");
  Result<Sheet> columns =
      Read(Xlsx({.sheet = Worksheet(R"(<row r="1"><c r="XFE1"><v>1</v></c></row>)")}));
  EXPECT_EQ(columns.status().code(), "xlsx.too_large");
  EXPECT_EQ(columns.status().where().value, "XFE1");
  Result<Sheet> last_column =
      Read(Xlsx({.sheet = Worksheet(R"(<row r="1"><c r="XFD1"><v>1</v></c></row>)")}));
  ASSERT_TRUE(last_column.ok());
  EXPECT_EQ(last_column->rows[0].size(), 16384u);
  Result<Sheet> no_ref_column = Read(
      Xlsx({.sheet = Worksheet(R"(<row r="1"><c r="XFD1"><v>1</v></c><c><v>2</v></c></row>)")}));
  EXPECT_EQ(no_ref_column.status().code(), "xlsx.too_large");

  const std::string archive = Xlsx({.sheet = BigSheet(100)});
  internal::ReadLimits limits;
  limits.max_rows = 99;
  EXPECT_EQ(ReadWith(archive, limits).status().code(), "xlsx.too_large");
  limits = {};
  limits.max_columns = 4;
  EXPECT_EQ(ReadWith(archive, limits).status().code(), "xlsx.too_large");
  limits = {};
  limits.max_cells = 499;
  EXPECT_EQ(ReadWith(archive, limits).status().code(), "xlsx.too_large");
  limits.max_cells = 500;
  EXPECT_TRUE(ReadWith(archive, limits).ok());

  // One long shared string referenced from many cells: the text is bounded.
  std::string cells;
  for (int r = 1; r <= 50; ++r) cells += "<row><c t=\"s\"><v>0</v></c></row>";
  const std::string amplified =
      Xlsx({.sheet = Worksheet(cells),
            .shared_strings = SharedStrings({"<t>" + std::string(1000, 'x') + "</t>"})},
           true);
  limits = {};
  EXPECT_TRUE(ReadWith(amplified, limits).ok());
  limits.max_text_bytes = 40'000;
  Result<Sheet> text = ReadWith(amplified, limits);
  EXPECT_EQ(text.status().code(), "xlsx.too_large");
  EXPECT_EQ(text.status().where().line, 41);
}

TEST(ReadLimitTest, DeepNestingAndHugeElements) {
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "<a>";
  for (int i = 0; i < 1000; ++i) deep += "</a>";
  EXPECT_EQ(Read(Xlsx({.sheet = Worksheet(deep)})).status().code(), "xlsx.xml");

  std::string row = "<row r=\"1\">";
  for (int i = 0; i < 1'100'000; ++i) row += "<c/>";
  row += "</row>";
  Result<Sheet> huge = Read(Xlsx({.sheet = Worksheet(row)}, true));
  EXPECT_EQ(huge.status().code(), "xlsx.too_large") << huge.status().ToString();
}

TEST(ReadTest, ManyRowsAcrossBatches) {
  Result<Sheet> sheet = Read(Xlsx({.sheet = BigSheet(30000)}, true));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  ASSERT_EQ(sheet->rows.size(), 30000u);
  EXPECT_EQ(sheet->rows[29999],
            (std::vector<std::string>{"30000", "60000", "90000", "120000", "150000"}));
}

// --- Sparse rows (ReadSheetRows) -------------------------------------------

// Issue #12: a 17 KB workbook with one cell at column XFD in each of 3,000
// rows took 1.5 GB as a dense table. The dense table now refuses it at its
// cell limit (8,000,000 slots, about 256 MiB); the sparse reader reads it,
// one cell a row.
TEST(SparseRowsTest, OneCellAtXfdPerRowIsRefusedDenseAndReadSparse) {
  std::string rows;
  for (int r = 1; r <= 3000; ++r) {
    rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"XFD" + std::to_string(r) +
            "\" t=\"inlineStr\"><is><t>x</t></is></c></row>";
  }
  const std::string archive = Xlsx({.sheet = Worksheet(rows)}, true);
  EXPECT_LT(archive.size(), 40'000u);
  Result<Sheet> dense = Read(archive);
  ASSERT_FALSE(dense.ok());
  EXPECT_EQ(dense.status().code(), "xlsx.too_large");
  EXPECT_EQ(dense.status().where().line, 489);  // 488 rows of 16,384 fit in 8,000,000

  int seen = 0;
  size_t most_cells = 0;
  Status status = ReadSheetRows(archive, "t.xlsx", 0, [&](const SheetRow& row) {
    ++seen;
    most_cells = std::max(most_cells, row.cells.size());
    EXPECT_EQ(row.cells[0].column, 16384);
    return true;
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(seen, 3000);
  EXPECT_EQ(most_cells, 1u);
}

TEST(SparseRowsTest, TypesHiddenRowsFormulasAndStopping) {
  const std::string archive = Xlsx(
      {.sheet = Worksheet(
           R"(<row r="1"><c r="A1" t="inlineStr"><is><t>号</t></is></c><c r="C1"><v>4.2138119620622E+17</v></c></row>)"
           R"(<row r="2" hidden="1"><c r="A2"><f>B2+1</f></c><c r="B2" t="b"><v>1</v></c><c r="D2" s="1"><v>45658</v></c></row>)"
           R"(<row r="3"><c r="A3" t="str"><f>"a"</f><v>a</v></c></row>)"),
       .styles = Styles("", {0, 14})});
  std::vector<SheetRow> got;
  ASSERT_TRUE(ReadSheetRows(archive, "t.xlsx", 0, [&](const SheetRow& row) {
                got.push_back(row);
                return got.size() < 2;
              }).ok());
  ASSERT_EQ(got.size(), 2u);  // stopped after the second row
  ASSERT_EQ(got[0].cells.size(), 2u);
  EXPECT_EQ(got[0].cells[0].type, CellType::kText);
  EXPECT_EQ(got[0].cells[1].type, CellType::kNumber);
  EXPECT_EQ(got[0].cells[1].raw, "4.2138119620622E+17");
  EXPECT_EQ(got[0].cells[1].text, "421381196206220000");
  EXPECT_FALSE(got[0].hidden);
  EXPECT_TRUE(got[1].hidden);
  EXPECT_EQ(got[1].number, 2);
  ASSERT_EQ(got[1].cells.size(), 3u);
  EXPECT_EQ(got[1].cells[0].type, CellType::kFormulaNoValue);
  EXPECT_EQ(got[1].cells[1].type, CellType::kBool);
  EXPECT_EQ(got[1].cells[2].type, CellType::kDate);
  EXPECT_EQ(got[1].cells[2].text, "2025-01-01");

  Result<std::vector<SheetInfo>> sheets = ListSheets(archive, "t.xlsx");
  ASSERT_TRUE(sheets.ok());
  ASSERT_EQ(sheets->size(), 1u);
  EXPECT_EQ((*sheets)[0].name, "数据");
  EXPECT_FALSE((*sheets)[0].hidden);
  EXPECT_EQ(ReadSheetRows(archive, "t.xlsx", 1, [](const SheetRow&) { return true; }).code(),
            "xlsx.no_sheet");
}

}  // namespace
}  // namespace yanglao::xlsx
