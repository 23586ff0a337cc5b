// Credit, inspections and grading: the written rules of
// policies/oversight/credit.yaml applied to inspection records, complaints
// and rectifications; the inspection frequency following the band; the
// grade-2 rule for private institutions carrying basic services (启东 003
// 第 17 条, quoted in the file and checked against the seed's words).
#include "oversight/credit.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/file_io.h"

namespace yanglao::oversight {
namespace {

std::filesystem::path Src() {
  const char* src = std::getenv("YANGLAO_SOURCE_DIR");
  return std::filesystem::path(src ? src : ".");
}

CivilDate D(int y, int m, int d) { return *CivilDate::FromYmd(y, m, d); }

CreditPolicy Policy() {
  Result<CreditPolicy> p = LoadCreditPolicy(Src() / "policies/oversight/credit.yaml");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : CreditPolicy{};
}

TEST(Credit, PolicyQuotesTheSeed) {
  CreditPolicy p = Policy();
  // The words of 启东 003 measure 17, as in the seed.
  const char* text =
      "建立养老服务机构信用评价体系，根据信用评价结果采取差异化监管措施。推进养老机构等级评定工作，"
      "承担政府基本养老服务职能的民办养老机构须达到二级以上养老机构标准。";
  EXPECT_NE(std::string(text).find(p.quote), std::string::npos);
  EXPECT_NE(std::string(text).find(p.grade_quote), std::string::npos);
  EXPECT_EQ(p.min_grade, 2);
  EXPECT_EQ(p.grade_ownership, "民办");
  ASSERT_EQ(p.bands.size(), 4u);
  EXPECT_EQ(p.BandOf(100).level, "A");
  EXPECT_EQ(p.BandOf(90).level, "A");
  EXPECT_EQ(p.BandOf(89).level, "B");
  EXPECT_EQ(p.BandOf(0).level, "D");
  EXPECT_EQ(p.areas.size(), 6u);
}

TEST(Credit, ScoreFromFindingsComplaintsAndRectification) {
  CreditPolicy p = Policy();
  Inspection in{.institution = "JG001",
                .on = D(2026, 3, 2),
                .kind = "双随机",
                .areas = {"消防安全", "服务质量"}};
  in.findings.push_back({"消防安全", "较重", "疏散通道堆放杂物", D(2026, 3, 31), D(2026, 3, 20)});
  in.findings.push_back({"服务质量", "一般", "护理记录不全", D(2026, 4, 30), std::nullopt});
  ASSERT_TRUE(CheckInspection(p, in).ok());
  std::vector<Complaint> complaints = {{"JG001", D(2026, 5, 6), true},
                                       {"JG001", D(2026, 5, 9), false},
                                       {"JG002", D(2026, 5, 9), true}};
  // Before the second deadline: 100 − 5 − 2 = 93 (A, once a year).
  CreditScore april = ScoreOn(p, "JG001", {in}, complaints, D(2026, 4, 15));
  EXPECT_EQ(april.score, 93);
  EXPECT_EQ(april.band.level, "A");
  EXPECT_EQ(april.open_findings, 1);
  EXPECT_EQ(april.next_due, D(2027, 3, 2));
  // After it, still not rectified (−5) and a substantiated complaint (−3): 85, B, twice a year.
  CreditScore june = ScoreOn(p, "JG001", {in}, complaints, D(2026, 6, 1));
  EXPECT_EQ(june.score, 85);
  EXPECT_EQ(june.band.level, "B");
  EXPECT_EQ(june.band.inspections_per_year, 2);
  EXPECT_EQ(june.next_due, D(2026, 9, 2));  // follows the credit: six months after the last
  ASSERT_EQ(june.lines.size(), 4u);
  EXPECT_EQ(june.lines[2].reason, "2026-04-30 整改期限已过仍未整改（护理记录不全）");
  EXPECT_EQ(june.lines[3].reason, "2026-05-06 投诉经查属实");
  // Out of the 24-month window: back to 100, but the rectification history stays with its records.
  EXPECT_EQ(ScoreOn(p, "JG001", {in}, complaints, D(2028, 6, 1)).score, 100);
  // The published result: status per finding, no person.
  std::vector<PublishedFinding> pub = PublishFindings(in, D(2026, 6, 1));
  ASSERT_EQ(pub.size(), 2u);
  EXPECT_EQ(pub[0].status, "已整改");
  EXPECT_EQ(pub[1].status, "逾期未整改");
  EXPECT_EQ(PublishFindings(in, D(2026, 4, 1))[1].status, "整改中");
}

TEST(Credit, ManyFindingsLowerTheBandAndRaiseTheFrequency) {
  CreditPolicy p = Policy();
  Inspection in{
      .institution = "JG009", .on = D(2026, 1, 10), .kind = "专项", .areas = {"食品安全"}};
  for (int i = 0; i < 4; ++i)
    in.findings.push_back(
        {"食品安全", "严重", "留样缺失 " + std::to_string(i), D(2026, 2, 10), std::nullopt});
  CreditScore s = ScoreOn(p, "JG009", {in}, {}, D(2026, 3, 1));
  EXPECT_EQ(s.score, 100 - 40 - 20);
  EXPECT_EQ(s.band.level, "D");
  EXPECT_EQ(s.band.inspections_per_year, 12);
  EXPECT_EQ(s.next_due, D(2026, 2, 10));  // monthly: already due again
}

TEST(Credit, InspectionRecordsAreChecked) {
  CreditPolicy p = Policy();
  Inspection in{.institution = "JG001", .on = D(2026, 3, 2), .areas = {"消防安全"}};
  in.findings.push_back({"食品安全", "一般", "x", D(2026, 4, 1), std::nullopt});
  Status s = CheckInspection(p, in);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "oversight.inspection");
  EXPECT_EQ(s.where().field, "findings[0].area");
  in.findings[0].area = "消防安全";
  in.findings[0].severity = "特别严重";
  EXPECT_EQ(CheckInspection(p, in).where().field, "findings[0].severity");
  in.findings[0].severity = "一般";
  in.findings[0].deadline = D(2026, 3, 1);
  EXPECT_EQ(CheckInspection(p, in).where().field, "findings[0].deadline");
  in.areas = {"卫生"};
  EXPECT_EQ(CheckInspection(p, in).where().field, "areas[0]");
}

TEST(Credit, PrivateInstitutionsCarryingBasicServicesAreAtLeastGradeTwo) {
  CreditPolicy p = Policy();
  std::vector<Grade> grades = {
      {"JG001", "甲养老院", "民办", true, 1, "随民评〔2025〕3 号", "2025-06-01"},
      {"JG002", "乙养老院", "民办", true, 2, "随民评〔2025〕3 号", "2025-06-01"},
      {"JG003", "丙养老院", "民办", false, 1, "随民评〔2025〕3 号", "2025-06-01"},
      {"JG004", "丁福利院", "公办", true, 1, "随民评〔2025〕3 号", "2025-06-01"},
      {"JG005", "戊养老院", "民办", true, 0, "", ""},
  };
  std::vector<GradeViolation> v = CheckGrades(p, grades);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].grade.institution, "JG001");
  EXPECT_EQ(v[0].reason, "承担基本养老服务的民办机构为1级，须达到2级以上");
  EXPECT_EQ(v[1].grade.institution, "JG005");
}

TEST(Credit, PolicyErrorsAreLocated) {
  Result<std::string> text = ReadFileBytes(Src() / "policies/oversight/credit.yaml");
  ASSERT_TRUE(text.ok());
  std::string t = *text;
  t.replace(t.find("min: 60"), 7, "min: 95");
  Result<CreditPolicy> bad = ParseCreditPolicy(t, "credit.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "oversight.credit_policy");
  EXPECT_EQ(bad.status().where().field, "bands[2].min");
  EXPECT_GT(bad.status().where().line, 0);
  std::string u = *text;
  u.replace(u.find("min_grade: 2"), 12, "min_grade: 7");
  EXPECT_EQ(ParseCreditPolicy(u, "credit.yaml").status().where().field, "grade_rule.min_grade");
}

}  // namespace
}  // namespace yanglao::oversight
