#include "core/money.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace yanglao {
namespace {

TEST(MoneyTest, ParsesWhatPeopleWrite) {
  struct Case {
    const char* text;
    int64_t fen;
  } cases[] = {{"100", 10000},
               {"1234.5", 123450},
               {"1,234.50", 123450},
               {"¥1,234.50", 123450},
               {"￥8", 800},
               {"100元", 10000},
               {"0.01", 1},
               {"-3.20", -320},
               {"1,234,567.89", 123456789},
               {"0", 0},
               {"+5", 500}};
  for (const Case& c : cases) {
    Result<Money> m = Money::Parse(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status().ToString();
    EXPECT_EQ(m->fen(), c.fen) << c.text;
  }
}

TEST(MoneyTest, RejectsMalformedAmounts) {
  for (const char* bad :
       {"", "abc", "1.", ".5", "1,,000", "1.2.3", "12元/月", "1 000", ",100", "100,", "¥", "--1"}) {
    Result<Money> m = Money::Parse(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), "money.format") << bad;
    EXPECT_EQ(m.status().where().value, bad);
  }
  EXPECT_EQ(Money::Parse("1.234").status().code(), "money.precision");
  EXPECT_EQ(Money::Parse("99999999999999999999").status().code(), "money.range");
  EXPECT_EQ(Money::Parse("92233720368547758.08").status().code(), "money.range");
  EXPECT_EQ(Money::Parse("92233720368547758.07")->fen(), std::numeric_limits<int64_t>::max());
}

TEST(MoneyTest, FormatsInChineseConventions) {
  EXPECT_EQ(Money::Fen(123450).Format(), "¥1,234.50");
  EXPECT_EQ(Money::Fen(5).Format(), "¥0.05");
  EXPECT_EQ(Money::Fen(-320).Format(), "-¥3.20");
  EXPECT_EQ(Money::Yuan(1000000).Format(), "¥1,000,000.00");
  EXPECT_EQ(Money::Yuan(100).FormatYuan(), "100元");
  EXPECT_EQ(Money::Yuan(80).FormatYuan(), "80元");
  EXPECT_EQ(Money::Fen(123450).FormatYuan(), "1,234.50元");
  EXPECT_EQ(Money::Yuan(100).FormatPer(Period::kMonth), "100元/月");
  EXPECT_EQ(Money::Yuan(1200).FormatPer(Period::kYear), "1,200元/年");
  EXPECT_EQ(Money::Fen(550).FormatPer(Period::kTime), "5.50元/次");
  EXPECT_EQ(Money::Yuan(20).FormatPer(Period::kDay), "20元/天");
  EXPECT_EQ(Money::Yuan(500).FormatPer(Period::kOnce), "500元");
  EXPECT_EQ(Money::Fen(std::numeric_limits<int64_t>::min()).Format(),
            "-¥92,233,720,368,547,758.08");
}

TEST(MoneyTest, ExactArithmetic) {
  Money a = Money::Fen(10), b = Money::Fen(20);
  EXPECT_EQ((a + b).fen(), 30);  // 0.10 + 0.20 is exactly 0.30
  EXPECT_EQ((a - b).fen(), -10);
  EXPECT_EQ((Money::Yuan(100) * 12).fen(), 120000);
  Money total;
  for (int i = 0; i < 1000; ++i) total += Money::Fen(1);
  EXPECT_EQ(total, Money::Yuan(10));
  EXPECT_EQ(-Money::Fen(5), Money::Fen(-5));
}

TEST(MoneyTest, RatiosRoundHalfAwayFromZero) {
  EXPECT_EQ(Money::Yuan(100).MulRatio(8, 10), Money::Yuan(80));   // 八折
  EXPECT_EQ(Money::Fen(5).MulRatio(1, 2).fen(), 3);               // 2.5 -> 3
  EXPECT_EQ(Money::Fen(-5).MulRatio(1, 2).fen(), -3);             // -2.5 -> -3
  EXPECT_EQ(Money::Fen(4).MulRatio(1, 3).fen(), 1);               // 1.33 -> 1
  EXPECT_EQ(Money::Fen(5).MulRatio(1, 3).fen(), 2);               // 1.67 -> 2
  EXPECT_EQ(Money::Yuan(100).MulRatio(15, 30), Money::Yuan(50));  // half a month
  EXPECT_EQ(Money::Yuan(100).MulRatio(1, -4), Money::Yuan(-25));
  EXPECT_THROW((void)Money::Yuan(1).MulRatio(1, 0), std::domain_error);
}

TEST(MoneyTest, OverflowThrows) {
  Money big = Money::Fen(std::numeric_limits<int64_t>::max());
  EXPECT_THROW((void)(big + Money::Fen(1)), std::overflow_error);
  EXPECT_THROW((void)(big * 2), std::overflow_error);
  EXPECT_THROW((void)Money::Yuan(std::numeric_limits<int64_t>::max() / 10), std::overflow_error);
  EXPECT_THROW((void)(-Money::Fen(std::numeric_limits<int64_t>::min())), std::overflow_error);
}

}  // namespace
}  // namespace yanglao
