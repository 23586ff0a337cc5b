#include "core/id_number.h"

#include <gtest/gtest.h>

#include <random>

namespace yanglao {
namespace {

const CivilDate kToday = *CivilDate::FromYmd(2026, 11, 22);

// ISO 7064 MOD 11-2 by its recursive definition, independent of the weight
// table in id_number.cc.
char ReferenceCheck(std::string_view first17) {
  int p = 0;
  for (char c : first17) p = ((p + (c - '0')) * 2) % 11;
  int check = (12 - p) % 11;
  return check == 10 ? 'X' : static_cast<char>('0' + check);
}

std::string WithCheck(std::string first17) {
  first17 += ReferenceCheck(first17);
  return first17;
}

Result<IdNumber> Parse(std::string_view text) {
  return ParseIdNumber(text, RegionTable::Builtin(), kToday);
}

TEST(IdCheckCharacterTest, StandardExamples) {
  // The two examples printed in GB 11643-1999.
  EXPECT_EQ(IdCheckCharacter("11010519491231002"), 'X');
  EXPECT_EQ(IdCheckCharacter("44052418800101001"), '4');
}

TEST(IdCheckCharacterTest, AgreesWithTheRecursiveDefinitionOnManyNumbers) {
  std::mt19937_64 rng(20261122);
  std::uniform_int_distribution<int> digit(0, 9);
  int seen_x = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string s;
    for (int k = 0; k < 17; ++k) s += static_cast<char>('0' + digit(rng));
    char expected = ReferenceCheck(s);
    ASSERT_EQ(IdCheckCharacter(s), expected) << s;
    seen_x += expected == 'X';
  }
  EXPECT_GT(seen_x, 8000);  // about 1 in 11
}

TEST(ParseIdNumberTest, StandardExampleIsValid) {
  Result<IdNumber> id = Parse("11010519491231002X");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->value, "11010519491231002X");
  EXPECT_EQ(id->birth_date.ToString(), "1949-12-31");
  EXPECT_EQ(id->sex, Sex::kFemale);
  EXPECT_EQ(id->address_code, "110105");
  EXPECT_TRUE(id->warnings.empty());
}

TEST(ParseIdNumberTest, SexFromTheSequenceCode) {
  Result<IdNumber> man = Parse(WithCheck("42130319440229001"));
  ASSERT_TRUE(man.ok()) << man.status().ToString();
  EXPECT_EQ(man->sex, Sex::kMale);
  EXPECT_EQ(man->birth_date.ToString(), "1944-02-29");
  EXPECT_EQ(Parse(WithCheck("42130319440229002"))->sex, Sex::kFemale);
  EXPECT_EQ(SexName(Sex::kMale), "男");
}

TEST(ParseIdNumberTest, LowercaseXAndSurroundingSpaces) {
  Result<IdNumber> id = Parse("  11010519491231002x ");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value, "11010519491231002X");
}

TEST(ParseIdNumberTest, Length) {
  for (const char* bad : {"", "1101051949123100", "11010519491231002X1", "11010519491231"}) {
    Result<IdNumber> id = Parse(bad);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), "id.length") << bad;
  }
  EXPECT_EQ(Parse("1101051949123100").status().message(),
            "长度错误：应为18位（或15位旧号码），实际为16位");
  // Characters, not bytes: 17 digits and one Chinese character is 18 long.
  EXPECT_EQ(Parse("11010519491231002号").status().code(), "id.character");
}

TEST(ParseIdNumberTest, Character) {
  Result<IdNumber> id = Parse("1101051949123100AX");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), "id.character");
  EXPECT_EQ(id.status().where().column, 17);
  EXPECT_EQ(id.status().where().value, "A");
  EXPECT_EQ(Parse("11010519491231002Y").status().code(), "id.character");
  EXPECT_EQ(Parse("11010519491231002Y").status().where().column, 18);
  EXPECT_EQ(Parse("X1010519491231002X").status().where().column, 1);
  Result<IdNumber> chinese = Parse("11010519491231002号");
  EXPECT_EQ(chinese.status().where().value, "号");
  // Found by fuzz/core/id_number_fuzz.cc: stray UTF-8 continuation bytes
  // used to count as no characters at all.
  EXPECT_EQ(Parse("42130219440229001X\xB1\xB1\xB1").status().code(), "id.character");
  EXPECT_EQ(Parse("\xE5\x8F").status().code(), "id.character");
  EXPECT_EQ(MaskIdNumber("4213\xB1\xB1"), "******");
}

TEST(ParseIdNumberTest, Address) {
  // Check characters are right, so the address is the only fault.
  for (std::string first17 : {"99010519491231002", "11019919491231002", "42139919440229001",
                              "42130019440229001" /* 4213 is a city, 421300 accepted below */}) {
    Result<IdNumber> id = Parse(WithCheck(first17));
    if (first17.starts_with("421300")) {
      EXPECT_TRUE(id.ok()) << "a city-level code is a real region code";
      continue;
    }
    ASSERT_FALSE(id.ok()) << first17;
    EXPECT_EQ(id.status().code(), "id.address") << first17;
    EXPECT_EQ(id.status().where().value, first17.substr(0, 6));
  }
  // A street code's first 6 digits are a county: fine. A province alone is not.
  EXPECT_EQ(Parse(WithCheck("42000019440229001")).status().code(), "id.address");
}

TEST(ParseIdNumberTest, AbolishedAddressIsAcceptedWithAWarning) {
  Result<IdNumber> id = Parse(WithCheck("42130219440229001"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_EQ(id->warnings.size(), 1u);
  EXPECT_EQ(id->warnings[0].code(), "id.address_abolished");
  EXPECT_NE(id->warnings[0].message().find("曾都区"), std::string::npos);
  EXPECT_TRUE(Parse(WithCheck("11010319500101001")).ok());  // 崇文区
}

TEST(ParseIdNumberTest, BirthDate) {
  for (std::string first17 :
       {"11010519490230002", "11010519491331002", "11010519490000002", "11010517991231002"}) {
    Result<IdNumber> id = Parse(WithCheck(first17));
    ASSERT_FALSE(id.ok()) << first17;
    EXPECT_EQ(id.status().code(), "id.birth_date") << first17;
    EXPECT_EQ(id.status().where().column, 7);
    EXPECT_EQ(id.status().where().value, first17.substr(6, 8));
  }
  EXPECT_TRUE(Parse(WithCheck("11010518000101002")).ok());
  EXPECT_TRUE(Parse("440524188001010014").ok());  // GB 11643-1999 example, 潮阳县 abolished
  EXPECT_TRUE(Parse(WithCheck("11010520000229002")).ok());
  EXPECT_EQ(Parse(WithCheck("11010519000229002")).status().code(), "id.birth_date");
}

TEST(ParseIdNumberTest, BirthInTheFuture) {
  EXPECT_TRUE(Parse(WithCheck("11010520261122002")).ok());  // born today
  Result<IdNumber> id = Parse(WithCheck("11010520261123002"));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), "id.birth_future");
  EXPECT_EQ(id.status().message(), "出生日期无效：2026-11-23 晚于当前日期 2026-11-22");
}

TEST(ParseIdNumberTest, CheckCharacter) {
  Result<IdNumber> id = Parse("110105194912310021");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), "id.check_char");
  EXPECT_EQ(id.status().where().column, 18);
  EXPECT_EQ(id.status().message(), "校验码错误：按前17位计算应为「X」，实际为「1」");
}

TEST(ParseIdNumberTest, AnySingleChangeIsCaughtWithASpecificReason) {
  const std::string good = "11010519491231002X";
  const std::string alphabet = "0123456789X";
  int checked = 0;
  for (size_t pos = 0; pos < good.size(); ++pos) {
    for (char c : alphabet) {
      if (c == good[pos] || (c == 'X' && pos != 17)) continue;
      std::string changed = good;
      changed[pos] = c;
      Result<IdNumber> id = Parse(changed);
      ASSERT_FALSE(id.ok()) << changed;
      const std::string& code = id.status().code();
      if (pos < 6) {
        EXPECT_TRUE(code == "id.address" || code == "id.check_char") << changed << " " << code;
      } else if (pos < 14) {
        EXPECT_TRUE(code == "id.birth_date" || code == "id.birth_future" || code == "id.check_char")
            << changed << " " << code;
      } else {
        EXPECT_EQ(code, "id.check_char") << changed;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 17 * 9 + 10);
  // Specific examples.
  EXPECT_EQ(Parse("11010519491331002X").status().code(), "id.birth_date");    // month 13
  EXPECT_EQ(Parse("11010520491231002X").status().code(), "id.birth_future");  // year 2049
  EXPECT_EQ(Parse("11990519491231002X").status().code(), "id.address");       // no city 1199
  EXPECT_EQ(Parse("11010619491231002X").status().code(), "id.check_char");    // 丰台区 is real
}

TEST(UpgradeIdNumber15Test, ConvertsTheOldForm) {
  EXPECT_EQ(*UpgradeIdNumber15("110105491231002"), "11010519491231002X");
  EXPECT_EQ(*UpgradeIdNumber15("440524800101001"), WithCheck("44052419800101001"));
  EXPECT_EQ(UpgradeIdNumber15("11010549123100").status().code(), "id.length");
  EXPECT_EQ(UpgradeIdNumber15("1101054912310a2").status().code(), "id.character");
  EXPECT_EQ(UpgradeIdNumber15("110105490230002").status().code(), "id.birth_date");
}

TEST(ParseIdNumberTest, FifteenDigitsAreUpgradedWithAWarning) {
  Result<IdNumber> id = Parse("110105491231002");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->value, "11010519491231002X");
  ASSERT_EQ(id->warnings.size(), 1u);
  EXPECT_EQ(id->warnings[0].code(), "id.upgraded");
  EXPECT_EQ(Parse("990105491231002").status().code(), "id.address");
}

TEST(MaskIdNumberTest, KeepsFirstAndLastFour) {
  EXPECT_EQ(MaskIdNumber("42130319440229001X"), "4213**********001X");
  EXPECT_EQ(MaskIdNumber("110105491231002"), "1101*******1002");
  EXPECT_EQ(MaskIdNumber("12345678"), "********");
  EXPECT_EQ(MaskIdNumber(""), "");
  EXPECT_EQ(MaskIdNumber("身份证号码错误的值"), "*********");
}

}  // namespace
}  // namespace yanglao
