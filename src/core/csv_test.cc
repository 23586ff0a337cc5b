#include "core/csv.h"

#include <gtest/gtest.h>

#include "core/office_date.h"
#include "core/text_encoding.h"

namespace yanglao {
namespace {

// Reads all rows or returns the error.
Result<std::vector<CsvRow>> ReadAll(std::string_view text) {
  CsvReader reader(text, "t.csv");
  std::vector<CsvRow> rows;
  CsvRow row;
  while (true) {
    Result<bool> more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    rows.push_back(row);
  }
  return rows;
}

using Fields = std::vector<std::string>;

TEST(CsvReaderTest, PlainRowsWithLineNumbers) {
  auto rows = ReadAll("a,b,c\n1,2,3\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ((*rows)[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[1].line, 2);
}

TEST(CsvReaderTest, CrlfBomBlankLinesAndNoFinalNewline) {
  auto rows = ReadAll(
      "\xEF\xBB\xBF"
      "code,name\r\n\r\n11,北京市\r\n12,天津市");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"code", "name"}));
  EXPECT_EQ((*rows)[1].fields, (Fields{"11", "北京市"}));
  EXPECT_EQ((*rows)[1].line, 3);
  EXPECT_EQ((*rows)[2].fields, (Fields{"12", "天津市"}));
  EXPECT_EQ((*rows)[2].line, 4);
}

TEST(CsvReaderTest, QuotedFields) {
  auto rows = ReadAll("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,\"\",x\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"a,b", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ((*rows)[1].fields, (Fields{"next", "", "x"}));
  EXPECT_EQ((*rows)[1].line, 3);  // the quoted line break counts
}

TEST(CsvReaderTest, EmptyFields) {
  auto rows = ReadAll("a,,b,\n,\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].fields, (Fields{"a", "", "b", ""}));
  EXPECT_EQ((*rows)[1].fields, (Fields{"", ""}));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesWhereItStarted) {
  auto rows = ReadAll("a,b\n1,\"open\n2,3\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), "csv.unterminated_quote");
  EXPECT_EQ(rows.status().where().file, "t.csv");
  EXPECT_EQ(rows.status().where().line, 2);
  EXPECT_EQ(rows.status().where().column, 3);
}

TEST(CsvReaderTest, StrayQuoteColumnCountsCharactersNotBytes) {
  auto rows = ReadAll("名称,代码\n随州\"市,4213\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), "csv.stray_quote");
  EXPECT_EQ(rows.status().where().line, 2);
  EXPECT_EQ(rows.status().where().column, 3);
  EXPECT_EQ(
      rows.status().ToString(),
      "t.csv:2:3: 未加引号的字段中出现引号（含引号的字段须整体用引号括起） [csv.stray_quote]");
}

TEST(CsvReaderTest, TextAfterClosingQuote) {
  auto rows = ReadAll("\"ab\"c,d\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), "csv.text_after_quote");
  EXPECT_EQ(rows.status().where().column, 5);
}

TEST(CsvReaderTest, RejectsGbkText) {
  // "随州" in GBK.
  auto rows = ReadAll("code,name\n4213,\xCB\xE6\xD6\xDD\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), "csv.encoding");
  EXPECT_EQ(rows.status().where().line, 2);
  EXPECT_EQ(rows.status().where().column, 6);
}

// A line of `columns` fields "abcdef" (about 0.7 MB for 100,000 columns):
// the size issue #12 found taking 5 s when the cost was quadratic.
std::string WideLine(size_t columns) {
  std::string line;
  line.reserve(columns * 7);
  for (size_t i = 0; i < columns; ++i) line += i == 0 ? "abcdef" : ",abcdef";
  return line + "\n";
}

TEST(CsvLimitsTest, HundredThousandColumnLineIsRefusedAtTheColumnLimit) {
  std::string text = "a,b\n" + WideLine(100'000);
  auto rows = ReadAll(text);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), "csv.too_many_columns");
  EXPECT_EQ(rows.status().where().line, 2);
  EXPECT_EQ(rows.status().where().column, 16'384 * 7 + 1);  // the 16,385th field
}

TEST(CsvLimitsTest, HundredThousandColumnsParseInLinearTimeWhenAllowed) {
  // With the column limit raised, all 100,000 fields come back (quadratic
  // cost made this take seconds; linear it is a few milliseconds even under
  // ASan). A quoted copy checks the quoted path too.
  std::string line = WideLine(100'000);
  std::string quoted;
  for (size_t i = 0; i < 100'000; ++i) quoted += i == 0 ? "\"a\"\"b\"" : ",\"a\"\"b\"";
  std::string text = line + quoted + "\n";
  CsvReader reader(text, "wide.csv",
                   CsvLimits{.max_columns = 200'000, .max_row_bytes = size_t{4} << 20});
  CsvRow row;
  ASSERT_TRUE(*reader.Next(row));
  ASSERT_EQ(row.fields.size(), 100'000u);
  EXPECT_EQ(row.fields[99'999], "abcdef");
  ASSERT_TRUE(*reader.Next(row));
  ASSERT_EQ(row.fields.size(), 100'000u);
  EXPECT_EQ(row.fields[12'345], "a\"b");
  EXPECT_EQ(row.line, 2);
  EXPECT_FALSE(*reader.Next(row));
}

TEST(CsvLimitsTest, LongRowAndLongFieldAreRefusedWithTheirPlace) {
  // 1.5 MB in one line of short fields: over the 1 MiB row limit.
  std::string text = "a\n";
  for (int i = 0; i < 15'000; ++i) text += std::string(99, 'x') + ",";
  text += "\n";
  auto rows = ReadAll(text);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), "csv.row_too_long");
  EXPECT_EQ(rows.status().where().line, 2);

  auto field = ReadAll("a,b\nx,\"" + std::string(70'000, 'y') + "\"\n");
  ASSERT_FALSE(field.ok());
  EXPECT_EQ(field.status().code(), "csv.field_too_long");
  EXPECT_EQ(field.status().where().line, 2);
  EXPECT_EQ(field.status().where().column, 3);
  auto plain = ReadAll("a,b\n" + std::string(70'000, 'y') + "\n");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), "csv.field_too_long");

  // Just under the limits is fine.
  auto fits = ReadAll("a\n\"" + std::string(65'536, 'z') + "\"\n");
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ((*fits)[1].fields[0].size(), 65'536u);
}

TEST(CsvEscapeTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvEscape("随州市"), "随州市");
  EXPECT_EQ(CsvEscape("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvEscape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvEscape("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvEscape(""), "");
  // What it writes reads back as the same field.
  const std::string text = CsvEscape("x,\"y\"\nz") + "\n";  // the reader keeps a view of it
  CsvReader reader(text, "t.csv");
  CsvRow row;
  ASSERT_TRUE(*reader.Next(row));
  EXPECT_EQ(row.fields, (std::vector<std::string>{"x,\"y\"\nz"}));
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc 养老 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE5\x85"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(CsvHeaderTest, NamesTheFirstDifferentColumn) {
  CsvRow header{.line = 1, .fields = {"code", "nam", "x"}};
  Status s = CheckCsvHeader(header, {"code", "name"}, "h.csv");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "csv.header");
  EXPECT_EQ(s.where().column, 2);
  EXPECT_EQ(s.where().value, "nam");
  EXPECT_EQ(s.message(), "表头第2列应为「name」");
  header.fields = {"code", "name", "x"};
  EXPECT_EQ(CheckCsvHeader(header, {"code", "name"}, "h.csv").where().column, 3);
  header.fields = {"code", "name"};
  EXPECT_TRUE(CheckCsvHeader(header, {"code", "name"}, "h.csv").ok());
  header.fields = {"code"};
  EXPECT_EQ(CheckCsvHeader(header, {"code", "name"}, "h.csv").where().column, 2);
}

TEST(DecodeTextTest, Utf8WithOrWithoutBomIsUsedAsIs) {
  std::string bytes = "\xEF\xBB\xBF姓名\n张三\n";
  Result<DecodedText> d = DecodeText(bytes, "a.csv");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, "UTF-8");
  EXPECT_EQ(d->text, "姓名\n张三\n");
  EXPECT_TRUE(d->owned.empty());
}

TEST(DecodeTextTest, GbkIsDecodedAsGb18030) {
  // "姓名\n随州€\n" in GBK (€ is 0xA2 0xE3 in GBK's GB18030 extension).
  std::string bytes = "\xD0\xD5\xC3\xFB\n\xCB\xE6\xD6\xDD\xA2\xE3\n";
  Result<DecodedText> d = DecodeText(bytes, "g.csv");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->encoding, "GB18030");
  EXPECT_EQ(d->text, "姓名\n随州€\n");
}

TEST(DecodeTextTest, NeitherNamesTheLineOfTheFirstBadByte) {
  // 0xFF is a lead byte in neither encoding.
  std::string bytes = "a,b\n\xD0\xD5,1\n\xFF\xFF,2\n";
  Result<DecodedText> d = DecodeText(bytes, "x.csv");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), "encoding.unknown");
  EXPECT_EQ(d.status().where().line, 3);
  EXPECT_EQ(d.status().where().value, "0xFF");
  // A lead byte cut off by the end of the file.
  EXPECT_EQ(DecodeText("a\n\xD0", "y.csv").status().where().line, 2);
}

TEST(OfficeDateTest, YearFirstFormsAreRead) {
  for (const char* text : {"2025-01-05", "2025-1-5", "2025/1/5", "2025.1.5", "2025年1月5日",
                           "2025年01月05日", "20250105", "2025/1/5 00:00:00", "2025-01-05 00:00"}) {
    Result<CivilDate> d = ParseOfficeDate(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(d->ToString(), "2025-01-05") << text;
  }
  EXPECT_EQ(ParseOfficeDate("1930-2-3")->ToString(), "1930-02-03");
}

TEST(OfficeDateTest, AmbiguousAndImpossibleDatesAreRefused) {
  for (const char* text : {"1/5/2025", "05-01-2025", "25-1-5", "2025-1", "2025/1-5", "2025年1月",
                           "202515", "2025-01-05 08:30", "2025.1.5.", "二〇二五年一月五日"}) {
    Result<CivilDate> d = ParseOfficeDate(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().code(), "date.format") << text;
  }
  EXPECT_FALSE(ParseOfficeDate("2025-2-30").ok());
  EXPECT_FALSE(ParseOfficeDate("20250230").ok());
}

}  // namespace
}  // namespace yanglao
