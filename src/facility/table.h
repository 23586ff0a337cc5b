// The import files of the facility module (CSV or XLSX, first sheet; the
// header row says which table it is; docs/facility.md has the columns):
//   养老设施   编号,名称,类型,所在社区,X坐标（米）,Y坐标（米）,服务社区,建筑面积（平方米）,
//              床位,护理型床位,运营方,开业日期,状态,合成
//   住宅小区   编号,名称,所在社区,户数,建成年份,养老服务用房面积（平方米）,
//              最大单处面积（平方米）,合成
//   社区坐标   社区代码,X坐标（米）,Y坐标（米）,合成
// 服务社区 is a list of 12-digit codes separated by spaces or 、; 合成 is 是
// for generated data (else empty). Every row is checked; the first problem
// fails the whole file with its place (file:line, column name, value), so
// nothing of a bad file is stored.
#ifndef YANGLAO_FACILITY_TABLE_H_
#define YANGLAO_FACILITY_TABLE_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "facility/model.h"

namespace yanglao::facility {

struct ParsedTable {
  enum class Type { kFacilities, kEstates, kPoints } type = Type::kFacilities;
  std::vector<Facility> facilities;
  std::vector<Estate> estates;
  std::vector<CommunityPoint> points;
  size_t rows() const { return facilities.size() + estates.size() + points.size(); }
};

// Headers of the three tables, in order.
const std::vector<std::string_view>& FacilityHeader();
const std::vector<std::string_view>& EstateHeader();
const std::vector<std::string_view>& PointHeader();

// Reads `bytes` (an XLSX workbook when it starts with the ZIP signature,
// else UTF-8 CSV). Fails with facility.header (not one of the tables),
// facility.row (a bad value: location names line, column and value),
// facility.duplicate (an id twice), or the csv.* / xlsx.* code of the file.
Result<ParsedTable> ParseFacilityFile(std::string_view bytes, const std::string& file_name);

}  // namespace yanglao::facility

#endif  // YANGLAO_FACILITY_TABLE_H_
