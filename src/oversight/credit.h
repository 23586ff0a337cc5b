// Inspections, credit and grading of elderly-care institutions (启东 003 第
// 17 条): inspection records by checklist area with findings, rectification
// deadlines and follow-up; a credit score from inspections, complaints and
// rectifications under written rules (policies/oversight/credit.yaml, format
// yanglao.credit/1), its band deciding how often the institution is
// inspected; institution grades (一至五级) with their evidence, and the rule
// that a private institution carrying basic services is at least grade 2.
// The published result of an inspection names the institution, the areas,
// the findings and their rectification — never a person.
#ifndef YANGLAO_OVERSIGHT_CREDIT_H_
#define YANGLAO_OVERSIGHT_CREDIT_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::oversight {

struct CreditBand {
  std::string level, label;  // "A", "守信"
  int min = 0;               // lowest score in the band
  int inspections_per_year = 1;
};

struct CreditPolicy {
  std::string quote, source, basis;
  int base = 100;
  int window_months = 24;
  std::vector<std::string> areas;            // checklist areas
  std::map<std::string, int> finding;        // severity → points
  int complaint = 0;                         // per substantiated complaint
  int rectification_overdue = 0;             // per finding not rectified by its deadline
  std::vector<CreditBand> bands;             // highest first
  std::string grade_quote, grade_ownership;  // 民办
  int min_grade = 0;
  std::string file;
  const CreditBand& BandOf(int score) const;
};
// Fails with oversight.credit_policy, located (file, line, column, field).
Result<CreditPolicy> ParseCreditPolicy(std::string_view text, const std::string& name);
Result<CreditPolicy> LoadCreditPolicy(const std::filesystem::path& path);

struct Finding {
  std::string area;      // one of the policy's areas
  std::string severity;  // 一般 / 较重 / 严重
  std::string text;
  CivilDate deadline;                     // 整改期限
  std::optional<CivilDate> rectified_on;  // 整改完成（复查确认）的日期
};

struct Inspection {
  std::string institution;  // 机构编号
  CivilDate on;
  std::string kind;                // 双随机 / 专项 / 复查
  std::vector<std::string> areas;  // the checklist areas covered
  std::vector<Finding> findings;
};

struct Complaint {
  std::string institution;
  CivilDate on;
  bool substantiated = false;  // 查实
};

// Checks an inspection against the policy: known areas, findings in covered
// areas with a known severity, deadlines after the inspection, rectification
// not before it. Fails with oversight.inspection, located by field.
Status CheckInspection(const CreditPolicy& policy, const Inspection& inspection);

struct CreditLine {
  CivilDate on;
  int points = 0;      // deducted
  std::string reason;  // "2026-03-02 检查：消防安全 较重问题（…）"
};

struct CreditScore {
  std::string institution;
  int score = 0;
  CreditBand band;
  std::vector<CreditLine> lines;  // every deduction, oldest first
  std::optional<CivilDate> last_inspection;
  CivilDate next_due;     // last inspection + 12 / inspections_per_year months (or `on`)
  int open_findings = 0;  // not rectified yet
};

// The score on `on` from the records within the policy's window before it.
CreditScore ScoreOn(const CreditPolicy& policy, std::string_view institution,
                    const std::vector<Inspection>& inspections,
                    const std::vector<Complaint>& complaints, CivilDate on);

struct Grade {
  std::string institution, name;
  std::string ownership;        // 公办 / 公建民营 / 民办
  bool basic_services = false;  // carries government basic elderly-care services
  int grade = 0;                // 1..5, 0 = not graded
  std::string evidence;         // 评定文件
  std::string graded_on;
};

struct GradeViolation {
  Grade grade;
  std::string reason;
};
// The institutions the grade rule finds wanting: private ones carrying basic
// services below the minimum grade, or not graded.
std::vector<GradeViolation> CheckGrades(const CreditPolicy& policy,
                                        const std::vector<Grade>& grades);

// An inspection's published result (结果公开): the institution, date, kind,
// areas, and per finding its area, severity, text, deadline and status
// (已整改 / 整改中 / 逾期未整改) on `on`.
struct PublishedFinding {
  std::string area, severity, text, deadline, status;
};
std::vector<PublishedFinding> PublishFindings(const Inspection& inspection, CivilDate on);

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_CREDIT_H_
