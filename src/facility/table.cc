#include "facility/table.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

#include "core/civil_date.h"
#include "core/csv.h"
#include "core/region.h"
#include "xlsx/xlsx.h"

namespace yanglao::facility {
namespace {

struct RowRef {
  const std::string& file;
  int line;
  const std::vector<std::string_view>& header;
};

Status BadValue(const RowRef& r, size_t col, std::string_view value, std::string message) {
  return Status("facility.row", std::move(message),
                Location{.file = r.file,
                         .line = r.line,
                         .column = static_cast<int>(col + 1),
                         .field = std::string(r.header[col]),
                         .value = std::string(value)});
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

Result<int64_t> Int(const RowRef& r, const std::vector<std::string>& f, size_t col, int64_t lo,
                    int64_t hi, bool required) {
  std::string_view s = col < f.size() ? Trim(f[col]) : std::string_view();
  if (s.empty()) {
    if (required) return BadValue(r, col, s, "不能为空");
    return int64_t{0};
  }
  // Spreadsheets give whole numbers as "120" or "120.0".
  std::string_view digits = s;
  if (digits.ends_with(".0")) digits.remove_suffix(2);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size() || v < lo || v > hi) {
    return BadValue(r, col, s, fmt::format("应为 {} 到 {} 之间的整数", lo, hi));
  }
  return v;
}

Result<std::string> Community(const RowRef& r, const std::vector<std::string>& f, size_t col) {
  std::string_view s = col < f.size() ? Trim(f[col]) : std::string_view();
  Result<std::string> code = NormalizeRegionCode(s);
  if (!code.ok() || code->size() != 12) {
    return BadValue(r, col, s, "应为 12 位社区（村）代码");
  }
  return *code;
}

Result<bool> Synthetic(const RowRef& r, const std::vector<std::string>& f, size_t col) {
  std::string_view s = col < f.size() ? Trim(f[col]) : std::string_view();
  if (s.empty() || s == "否") return false;
  if (s == "是") return true;
  return BadValue(r, col, s, "应为“是”或空");
}

Result<std::string> Required(const RowRef& r, const std::vector<std::string>& f, size_t col) {
  std::string_view s = col < f.size() ? Trim(f[col]) : std::string_view();
  if (s.empty()) return BadValue(r, col, s, "不能为空");
  return std::string(s);
}

constexpr int64_t kMaxCoord = 100'000'000;  // metres: a projected plane, not degrees

Status ReadFacility(const RowRef& r, const std::vector<std::string>& f, Facility& out) {
  Result<std::string> id = Required(r, f, 0);
  if (!id.ok()) return id.status();
  Result<std::string> name = Required(r, f, 1);
  if (!name.ok()) return name.status();
  std::string_view kind_text = f.size() > 2 ? Trim(f[2]) : std::string_view();
  std::optional<Kind> kind = KindFromText(kind_text);
  if (!kind) {
    return BadValue(r, 2, kind_text,
                    "类型应为 养老服务综合体、日间照料中心、互助照料中心、幸福食堂/助餐点、"
                    "养老机构、养老服务指导中心 或 社区卫生服务中心");
  }
  Result<std::string> community = Community(r, f, 3);
  if (!community.ok()) return community.status();
  Result<int64_t> x = Int(r, f, 4, -kMaxCoord, kMaxCoord, true);
  if (!x.ok()) return x.status();
  Result<int64_t> y = Int(r, f, 5, -kMaxCoord, kMaxCoord, true);
  if (!y.ok()) return y.status();
  out =
      Facility{.id = *id, .name = *name, .kind = *kind, .community = *community, .x = *x, .y = *y};
  std::string_view served = f.size() > 6 ? Trim(f[6]) : std::string_view();
  std::string cur;
  auto flush = [&]() -> Status {
    if (cur.empty()) return Status::Ok();
    Result<std::string> c = NormalizeRegionCode(cur);
    if (!c.ok() || c->size() != 12)
      return BadValue(r, 6, cur, "服务社区应为 12 位社区（村）代码，以空格或顿号分隔");
    if (*c != out.community) out.served.push_back(*c);
    cur.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < served.size(); ++i) {
    if (served[i] == ' ' || served[i] == ',' || served[i] == ';') {
      if (Status s = flush(); !s.ok()) return s;
    } else if (served.substr(i).starts_with("、")) {
      if (Status s = flush(); !s.ok()) return s;
      i += 2;
    } else {
      cur.push_back(served[i]);
    }
  }
  if (Status s = flush(); !s.ok()) return s;
  Result<int64_t> area = Int(r, f, 7, 0, 10'000'000, false);
  if (!area.ok()) return area.status();
  Result<int64_t> beds = Int(r, f, 8, 0, 1'000'000, false);
  if (!beds.ok()) return beds.status();
  Result<int64_t> nursing = Int(r, f, 9, 0, 1'000'000, false);
  if (!nursing.ok()) return nursing.status();
  if (*nursing > *beds) return BadValue(r, 9, f[9], "护理型床位不能多于床位");
  out.floor_area_m2 = *area;
  out.beds = *beds;
  out.nursing_beds = *nursing;
  out.operator_name = f.size() > 10 ? std::string(Trim(f[10])) : std::string();
  std::string_view opened = f.size() > 11 ? Trim(f[11]) : std::string_view();
  if (!opened.empty()) {
    Result<CivilDate> d = CivilDate::Parse(opened);
    if (!d.ok()) return BadValue(r, 11, opened, "开业日期应为 YYYY-MM-DD");
    out.opened_on = d->ToString();
  }
  std::string_view status = f.size() > 12 ? Trim(f[12]) : std::string_view();
  if (status.empty()) status = "运营";
  if (status != "运营" && status != "在建" && status != "停业") {
    return BadValue(r, 12, status, "状态应为 运营、在建 或 停业");
  }
  out.status = std::string(status);
  Result<bool> syn = Synthetic(r, f, 13);
  if (!syn.ok()) return syn.status();
  out.synthetic = *syn;
  return Status::Ok();
}

Status ReadEstate(const RowRef& r, const std::vector<std::string>& f, Estate& out) {
  Result<std::string> id = Required(r, f, 0);
  if (!id.ok()) return id.status();
  Result<std::string> name = Required(r, f, 1);
  if (!name.ok()) return name.status();
  Result<std::string> community = Community(r, f, 2);
  if (!community.ok()) return community.status();
  Result<int64_t> households = Int(r, f, 3, 1, 1'000'000, true);
  if (!households.ok()) return households.status();
  Result<int64_t> year = Int(r, f, 4, 1900, 2100, true);
  if (!year.ok()) return year.status();
  Result<int64_t> area = Int(r, f, 5, 0, 10'000'000, false);
  if (!area.ok()) return area.status();
  Result<int64_t> largest = Int(r, f, 6, 0, 10'000'000, false);
  if (!largest.ok()) return largest.status();
  if (*largest > *area) return BadValue(r, 6, f[6], "最大单处面积不能大于用房总面积");
  Result<bool> syn = Synthetic(r, f, 7);
  if (!syn.ok()) return syn.status();
  out = Estate{.id = *id,
               .name = *name,
               .community = *community,
               .households = *households,
               .year_built = static_cast<int>(*year),
               .area_provided_m2 = *area,
               .largest_site_m2 = *largest,
               .synthetic = *syn};
  return Status::Ok();
}

Status ReadPoint(const RowRef& r, const std::vector<std::string>& f, CommunityPoint& out) {
  Result<std::string> community = Community(r, f, 0);
  if (!community.ok()) return community.status();
  Result<int64_t> x = Int(r, f, 1, -kMaxCoord, kMaxCoord, true);
  if (!x.ok()) return x.status();
  Result<int64_t> y = Int(r, f, 2, -kMaxCoord, kMaxCoord, true);
  if (!y.ok()) return y.status();
  Result<bool> syn = Synthetic(r, f, 3);
  if (!syn.ok()) return syn.status();
  out = CommunityPoint{.community = *community, .x = *x, .y = *y, .synthetic = *syn};
  return Status::Ok();
}

bool HeaderIs(const std::vector<std::string>& row, const std::vector<std::string_view>& header) {
  if (row.size() != header.size()) return false;
  for (size_t i = 0; i < row.size(); ++i) {
    if (Trim(row[i]) != header[i]) return false;
  }
  return true;
}

constexpr size_t kMaxRows = 1'000'000;

}  // namespace

const std::vector<std::string_view>& FacilityHeader() {
  static const std::vector<std::string_view> h = {
      "编号",        "名称",        "类型",     "所在社区",
      "X坐标（米）", "Y坐标（米）", "服务社区", "建筑面积（平方米）",
      "床位",        "护理型床位",  "运营方",   "开业日期",
      "状态",        "合成"};
  return h;
}
const std::vector<std::string_view>& EstateHeader() {
  static const std::vector<std::string_view> h = {"编号",
                                                  "名称",
                                                  "所在社区",
                                                  "户数",
                                                  "建成年份",
                                                  "养老服务用房面积（平方米）",
                                                  "最大单处面积（平方米）",
                                                  "合成"};
  return h;
}
const std::vector<std::string_view>& PointHeader() {
  static const std::vector<std::string_view> h = {"社区代码", "X坐标（米）", "Y坐标（米）", "合成"};
  return h;
}

Result<ParsedTable> ParseFacilityFile(std::string_view bytes, const std::string& file_name) {
  std::vector<std::pair<int, std::vector<std::string>>> rows;
  if (bytes.starts_with("PK\x03\x04")) {
    Result<xlsx::Sheet> sheet = xlsx::ReadFirstSheetFromMemory(bytes, file_name);
    if (!sheet.ok()) return sheet.status();
    for (size_t i = 0; i < sheet->rows.size(); ++i) {
      bool blank = true;
      for (const std::string& c : sheet->rows[i]) blank = blank && Trim(c).empty();
      if (!blank) rows.emplace_back(static_cast<int>(i + 1), std::move(sheet->rows[i]));
    }
  } else {
    CsvReader reader(bytes, file_name);
    CsvRow row;
    while (true) {
      Result<bool> more = reader.Next(row);
      if (!more.ok()) return more.status();
      if (!*more) break;
      if (rows.size() > kMaxRows) break;
      rows.emplace_back(row.line, std::move(row.fields));
    }
  }
  if (rows.size() > kMaxRows + 1) {
    return Status("facility.too_large", fmt::format("文件超过 {} 行", kMaxRows),
                  Location{.file = file_name});
  }
  if (rows.empty()) {
    return Status("facility.header", "文件是空的，应有表头行",
                  Location{.file = file_name, .line = 1});
  }
  ParsedTable out;
  const std::vector<std::string_view>* header = nullptr;
  if (HeaderIs(rows[0].second, FacilityHeader())) {
    out.type = ParsedTable::Type::kFacilities;
    header = &FacilityHeader();
  } else if (HeaderIs(rows[0].second, EstateHeader())) {
    out.type = ParsedTable::Type::kEstates;
    header = &EstateHeader();
  } else if (HeaderIs(rows[0].second, PointHeader())) {
    out.type = ParsedTable::Type::kPoints;
    header = &PointHeader();
  } else {
    return Status("facility.header",
                  "表头不是养老设施、住宅小区或社区坐标表的表头（列名和顺序见 docs/facility.md）",
                  Location{.file = file_name,
                           .line = rows[0].first,
                           .value = rows[0].second.empty() ? "" : rows[0].second[0]});
  }
  std::set<std::string> seen;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& [line, f] = rows[i];
    RowRef r{file_name, line, *header};
    if (f.size() > header->size()) {
      return BadValue(r, header->size() - 1, f.back(),
                      fmt::format("本行有 {} 列，表头只有 {} 列", f.size(), header->size()));
    }
    std::string key;
    switch (out.type) {
      case ParsedTable::Type::kFacilities: {
        Facility x;
        if (Status s = ReadFacility(r, f, x); !s.ok()) return s;
        key = x.id;
        out.facilities.push_back(std::move(x));
        break;
      }
      case ParsedTable::Type::kEstates: {
        Estate x;
        if (Status s = ReadEstate(r, f, x); !s.ok()) return s;
        key = x.id;
        out.estates.push_back(std::move(x));
        break;
      }
      case ParsedTable::Type::kPoints: {
        CommunityPoint x;
        if (Status s = ReadPoint(r, f, x); !s.ok()) return s;
        key = x.community;
        out.points.push_back(std::move(x));
        break;
      }
    }
    if (!seen.insert(key).second) {
      return Status(ErrorCategory::kInvalidInput, "facility.duplicate", "编号在文件中重复出现",
                    Location{.file = file_name,
                             .line = line,
                             .column = 1,
                             .field = std::string((*header)[0]),
                             .value = key});
    }
  }
  return out;
}

}  // namespace yanglao::facility
