#include "core/civil_date.h"

#include <gtest/gtest.h>

namespace yanglao {
namespace {

CivilDate D(int y, int m, int d) { return *CivilDate::FromYmd(y, m, d); }

TEST(CivilDateTest, ParsesAndPrints) {
  Result<CivilDate> d = CivilDate::Parse("2026-03-01");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->year(), 2026);
  EXPECT_EQ(d->month(), 3);
  EXPECT_EQ(d->day(), 1);
  EXPECT_EQ(d->ToString(), "2026-03-01");
  EXPECT_EQ(D(1, 1, 1).ToString(), "0001-01-01");
}

TEST(CivilDateTest, RejectsBadShapesAndImpossibleDates) {
  for (const char* bad : {"2026-3-1", "2026/03/01", "20260301", "", "2026-03-01 ", "2026-0a-01"}) {
    Result<CivilDate> d = CivilDate::Parse(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), "date.format") << bad;
    EXPECT_EQ(d.status().where().value, bad);
  }
  for (const char* bad :
       {"2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "0000-01-01"}) {
    Result<CivilDate> d = CivilDate::Parse(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), "date.invalid") << bad;
  }
  EXPECT_TRUE(CivilDate::Parse("2024-02-29").ok());
  EXPECT_TRUE(CivilDate::Parse("2000-02-29").ok());
}

TEST(CivilDateTest, CompactForm) {
  EXPECT_EQ(CivilDate::ParseCompact("19491231")->ToString(), "1949-12-31");
  EXPECT_EQ(CivilDate::ParseCompact("19490230").status().code(), "date.invalid");
  EXPECT_EQ(CivilDate::ParseCompact("1949123").status().code(), "date.format");
  EXPECT_EQ(CivilDate::ParseCompact("1949-1-1").status().code(), "date.format");
}

TEST(CivilDateTest, AddDaysCrossesMonthsAndYears) {
  EXPECT_EQ(D(2026, 12, 31).AddDays(1), D(2027, 1, 1));
  EXPECT_EQ(D(2024, 2, 28).AddDays(1), D(2024, 2, 29));
  EXPECT_EQ(D(2026, 2, 28).AddDays(1), D(2026, 3, 1));
  EXPECT_EQ(D(2026, 3, 1).AddDays(-1), D(2026, 2, 28));
  EXPECT_EQ(D(1970, 1, 1).DaysSinceEpoch(), 0);
  EXPECT_EQ(D(1969, 12, 31).DaysSinceEpoch(), -1);
}

TEST(CivilDateTest, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(D(2026, 1, 31).AddMonths(1), D(2026, 2, 28));
  EXPECT_EQ(D(2024, 1, 31).AddMonths(1), D(2024, 2, 29));
  EXPECT_EQ(D(2026, 3, 31).AddMonths(-1), D(2026, 2, 28));
  EXPECT_EQ(D(2026, 5, 31).AddMonths(1), D(2026, 6, 30));
  EXPECT_EQ(D(2026, 1, 15).AddMonths(12), D(2027, 1, 15));
  EXPECT_EQ(D(2026, 1, 15).AddMonths(-13), D(2024, 12, 15));
  EXPECT_EQ(D(2024, 2, 29).AddYears(1), D(2025, 2, 28));
  EXPECT_EQ(D(2024, 2, 29).AddYears(4), D(2028, 2, 29));
  EXPECT_TRUE(D(2026, 2, 28).IsLastDayOfMonth());
  EXPECT_FALSE(D(2024, 2, 28).IsLastDayOfMonth());
}

TEST(CivilDateTest, Ordering) {
  EXPECT_LT(D(2026, 1, 31), D(2026, 2, 1));
  EXPECT_GT(D(2027, 1, 1), D(2026, 12, 31));
  EXPECT_EQ(D(2026, 5, 5), *CivilDate::Parse("2026-05-05"));
}

TEST(MonthTest, ParseBoundsAndArithmetic) {
  Result<Month> m = Month::Parse("2026-03");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->ToString(), "2026-03");
  EXPECT_EQ(m->FirstDay(), D(2026, 3, 1));
  EXPECT_EQ(m->LastDay(), D(2026, 3, 31));
  EXPECT_EQ(Month::Parse("2024-02")->DayCount(), 29);
  EXPECT_EQ(Month::Parse("2026-02")->DayCount(), 28);
  EXPECT_EQ(Month::Parse("2100-02")->DayCount(), 28);
  EXPECT_EQ(Month::Parse("2026-04")->LastDay(), D(2026, 4, 30));
  EXPECT_EQ(Month::Parse("2026-12")->AddMonths(1).ToString(), "2027-01");
  EXPECT_EQ(Month::Parse("2026-01")->AddMonths(-1).ToString(), "2025-12");
  EXPECT_EQ(Month::Between(*Month::Parse("2025-11"), *Month::Parse("2026-03")), 4);
  EXPECT_EQ(Month::Between(*Month::Parse("2026-03"), *Month::Parse("2025-11")), -4);
  EXPECT_EQ(Month::Of(D(2026, 7, 19)).ToString(), "2026-07");
  EXPECT_EQ(Month::Parse("2026-13").status().code(), "month.invalid");
  EXPECT_EQ(Month::Parse("2026-3").status().code(), "month.format");
  EXPECT_EQ(Month::Parse("2026-03-01").status().code(), "month.format");
  EXPECT_LT(*Month::Parse("2025-12"), *Month::Parse("2026-01"));
}

TEST(AgeTest, BirthdayItselfCounts) {
  CivilDate birth = D(1946, 5, 10);
  EXPECT_EQ(AgeOn(birth, D(2026, 5, 9)), 79);
  EXPECT_EQ(AgeOn(birth, D(2026, 5, 10)), 80);
  EXPECT_EQ(AgeOn(birth, D(2026, 12, 31)), 80);
  EXPECT_EQ(AgeOn(birth, D(2027, 5, 9)), 80);
  EXPECT_EQ(AgeOn(birth, birth), 0);
  EXPECT_EQ(AgeOn(birth, D(1946, 5, 9)), -1);
  EXPECT_EQ(AgeAnniversary(birth, 80), D(2026, 5, 10));
}

TEST(AgeTest, TwentyNinthOfFebruaryReachesAgeOnTheTwentyEighthInCommonYears) {
  CivilDate birth = D(1944, 2, 29);
  // Leap year: the real anniversary.
  EXPECT_EQ(AgeAnniversary(birth, 80), D(2024, 2, 29));
  EXPECT_EQ(AgeOn(birth, D(2024, 2, 28)), 79);
  EXPECT_EQ(AgeOn(birth, D(2024, 2, 29)), 80);
  // Common year: 28 February, the month's last day (民法典 第二百零一条).
  EXPECT_EQ(AgeAnniversary(birth, 81), D(2025, 2, 28));
  EXPECT_EQ(AgeOn(birth, D(2025, 2, 27)), 80);
  EXPECT_EQ(AgeOn(birth, D(2025, 2, 28)), 81);
  EXPECT_EQ(AgeOn(birth, D(2025, 3, 1)), 81);
  // 2100 is not a leap year.
  EXPECT_EQ(AgeAnniversary(D(2000, 2, 29), 100), D(2100, 2, 28));
}

TEST(AgeTest, MonthEndBirthdays) {
  CivilDate birth = D(1950, 12, 31);
  EXPECT_EQ(AgeOn(birth, D(2030, 12, 30)), 79);
  EXPECT_EQ(AgeOn(birth, D(2030, 12, 31)), 80);
  EXPECT_EQ(AgeOn(D(1950, 1, 1), D(2030, 1, 1)), 80);
  EXPECT_EQ(AgeOn(D(1950, 1, 1), D(2029, 12, 31)), 79);
}

}  // namespace
}  // namespace yanglao
