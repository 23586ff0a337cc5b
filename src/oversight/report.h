// The periodic statistics report (统计报表: monthly, quarterly, yearly) of
// the official indicators of a city, computed from a stored state and
// published under the small-cell rule (publish.h):
//   - older people by county, from the registry as of the period's last day,
//     as known on a recorded-time date (registry/stats.h), so a later import
//     recorded after that date does not change the report;
//   - people served and amounts by item and by county, from the entitlement
//     runs stored for the period's months (entitle/run.h: the last run's
//     people, every run's amounts);
//   - facilities, beds and nursing beds by county (facility/store.h).
// The report is a list of tables of text cells; report_pdf.cc typesets it as
// a Chinese PDF (cairo + pango, Noto CJK), WriteReportXlsx as a workbook.
// Its digest (SHA-256 over every cell) shows that the same state gives the
// same report (docs/oversight.md).
#ifndef YANGLAO_OVERSIGHT_REPORT_H_
#define YANGLAO_OVERSIGHT_REPORT_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "oversight/publish.h"

namespace yanglao::registry {
class Registry;
}
namespace yanglao::policy {
struct ServiceList;
}

namespace yanglao::oversight {

// "2026" (year), "2026-Q2" (quarter), "2026-03" (month). Fails with
// oversight.period, located at field "period".
struct Period {
  std::string text;   // as given, normalised ("2026-Q2")
  std::string label;  // "2026 年" / "2026 年第二季度" / "2026 年 3 月"
  std::string kind;   // 年报 / 季报 / 月报
  Month first, last;
  CivilDate start() const { return first.FirstDay(); }
  CivilDate end() const { return last.LastDay(); }
};
Result<Period> ParsePeriod(std::string_view text);

struct ReportTable {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string note;  // under the table
};

// One official indicator of the city: a value with how it was computed.
struct Indicator {
  std::string key;    // "nursing_bed_share"
  std::string name;   // 护理型床位占比
  std::string value;  // "55.2%"
  std::string basis;  // "护理型床位 1234 / 养老机构床位 2236"
};

struct PeriodReport {
  std::string title;  // 随州市养老服务统计年报（2026 年）
  std::string city, jurisdiction;
  Period period;
  std::string as_of, known_on;    // the registry state read
  int64_t feed_watermark = 0;     // the latest feed counted
  std::vector<std::string> runs;  // "2026-12 第 12 号（清单 SHA-256 前 12 位）"
  std::vector<Indicator> indicators;
  std::vector<ReportTable> tables;
  int min_people = 0;    // the suppression threshold applied
  int64_t withheld = 0;  // cells withheld by it
  std::string digest;    // SHA-256 over the title, state and every cell
};

struct ReportOptions {
  std::string jurisdiction;  // 6-digit city code ("421300")
  Period period;
  // The recorded-time cut; default: the period's last day.
  std::optional<CivilDate> known_on;
  const policy::ServiceList* list = nullptr;  // for the items' names; may be null
  PublicationPolicy publication;
  std::string generated_on;  // shown, not digested
};

// Builds the report from the registry's database (the entitle and facility
// tables must be migrated). Fails with oversight.report (an unknown city) or
// the stores' errors.
Result<PeriodReport> BuildReport(registry::Registry& registry, const ReportOptions& options);

// The digest of the report's content (what `digest` holds).
std::string ReportDigest(const PeriodReport& report);

// The report as a workbook: a sheet 主要指标 and one per table (xlsx.write on failure).
Status WriteReportXlsx(const PeriodReport& report, const std::filesystem::path& path);
// The report as a typeset A4 PDF in Chinese (report_pdf.cc); fails with
// oversight.pdf. The file's creation date is the period's end, so the same
// report gives the same bytes apart from the generated-on line.
Status WriteReportPdf(const PeriodReport& report, const std::filesystem::path& path);

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_REPORT_H_
