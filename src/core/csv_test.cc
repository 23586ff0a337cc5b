#include "core/csv.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace yanglao
