// The canteen list from a spreadsheet (XLSX, first sheet) or CSV (UTF-8),
// one canteen per row, columns in this order (docs/canteen.md):
//   食堂编号, 名称, 类型 (幸福食堂 / 助餐点 / 机构食堂), 所在社区 (12-digit code),
//   服务社区 (codes, separated by ；; 、 or spaces), 运营方, 开放时间,
//   供餐时段 ("早餐 06:30-08:30；午餐 11:00-13:00"),
//   价格 ("套餐A 15.00；面条 8", yuan)
// Every row is checked; one bad cell refuses the whole file (nothing is
// half-imported), each problem located by sheet or file, row, column, value.
#ifndef YANGLAO_CANTEEN_IMPORT_H_
#define YANGLAO_CANTEEN_IMPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "canteen/store.h"

namespace yanglao::canteen {

struct CanteenFile {
  std::vector<Canteen> canteens;
  std::vector<Status> problems;  // the first 100
  size_t problem_count = 0;
  bool ok() const { return problem_count == 0; }
};

// Reads a file's bytes (XLSX when it starts like a zip, else CSV). Fails
// only when the file cannot be read as a table (xlsx.*, csv.*, encoding);
// bad rows go to `problems`.
Result<CanteenFile> ParseCanteenFile(std::string_view bytes, const std::string& name);

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_IMPORT_H_
