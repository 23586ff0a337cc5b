// Beds and applications from CSV files (UTF-8), as `yanglao gen` writes
// them for the demo city and an intake office might keep them:
//   床位.csv      床位编号, 机构编号, 类型 (普通 / 护理型 / 认知障碍照护专区)
//   轮候申请.csv  申请日期, 公民身份号码, 姓名, 区县 (6-digit code), 床位类型,
//                集中供养意愿 (是 / 否), 意向机构 (编号, separated by spaces or 、),
//                评估事实 ("age=81 capability_level=3 tekun=dispersed"),
//                评估有效期至 (YYYY-MM-DD; empty: not yet assessed)
// Every row is checked; one bad cell refuses the file, each problem located
// by file, row, column and value with the stable code waitlist.import.
#ifndef YANGLAO_WAITLIST_APPLICATIONS_FILE_H_
#define YANGLAO_WAITLIST_APPLICATIONS_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "waitlist/queue.h"

namespace yanglao::waitlist {

struct BedRow {
  std::string id, institution, type;
};

struct BedFile {
  std::vector<BedRow> beds;
  std::vector<Status> problems;  // the first 100
  size_t problem_count = 0;
  bool ok() const { return problem_count == 0; }
};

// An application as the file states it: Application (status 申请) and, when
// assessed, its facts and validity.
struct ApplicationRow {
  Application application;
  bool assessed = false;
};

struct ApplicationFile {
  std::vector<ApplicationRow> applications;
  std::vector<Status> problems;  // the first 100
  size_t problem_count = 0;
  bool ok() const { return problem_count == 0; }
};

// Fail only when the text is not a CSV table with the expected header.
Result<BedFile> ParseBedFile(std::string_view bytes, const std::string& name);
Result<ApplicationFile> ParseApplicationFile(std::string_view bytes, const std::string& name);

}  // namespace yanglao::waitlist

#endif  // YANGLAO_WAITLIST_APPLICATIONS_FILE_H_
