#include "waitlist/institution.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/csv.h"
#include "core/region.h"
#include "policy/fact_schema.h"
#include "xlsx/xlsx.h"

namespace yanglao::waitlist {

namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

struct RowParser {
  std::string file;
  InstitutionFile& out;
  std::set<std::string> ids;

  void Problem(int line, int column, std::string message, std::string value) {
    ++out.problem_count;
    if (out.problems.size() >= 100) return;
    const auto& header = InstitutionHeader();
    std::string field = column >= 1 && static_cast<size_t>(column) <= header.size()
                            ? std::string(header[static_cast<size_t>(column - 1)])
                            : std::string();
    if (value.size() > 100) value.resize(100);
    out.problems.push_back(Status("waitlist.import", std::move(message),
                                  Location{.file = file,
                                           .line = line,
                                           .column = column,
                                           .field = std::move(field),
                                           .value = std::move(value)}));
  }

  // A count 0..100000 written as digits ("" for 0).
  int64_t Count(int line, int column, const std::string& v) {
    if (v.empty()) return 0;
    int64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9' || n > 100000) {
        Problem(line, column, "应为 0 到 100000 的整数", v);
        return 0;
      }
      n = n * 10 + (c - '0');
    }
    if (n > 100000) {
      Problem(line, column, "应为 0 到 100000 的整数", v);
      return 0;
    }
    return n;
  }

  void Row(int line, const std::vector<std::string>& raw) {
    const auto& header = InstitutionHeader();
    std::vector<std::string> f(header.size());
    for (size_t i = 0; i < raw.size() && i < f.size(); ++i) f[i] = Trim(raw[i]);
    for (size_t i = f.size(); i < raw.size(); ++i) {
      if (!Trim(raw[i]).empty()) {
        Problem(line, static_cast<int>(i + 1), "多出的列（表头之外）", Trim(raw[i]));
        return;
      }
    }
    const size_t before = out.problem_count;
    Institution inst;
    for (int col : {1, 2, 3, 5}) {
      if (f[static_cast<size_t>(col - 1)].empty()) Problem(line, col, "不能为空", "");
    }
    inst.id = f[0];
    if (!inst.id.empty() && !ids.insert(inst.id).second) Problem(line, 1, "机构编号重复", inst.id);
    inst.name = f[1];
    inst.ownership = f[2];
    if (!inst.ownership.empty() && inst.ownership != "公办" && inst.ownership != "公建民营" &&
        inst.ownership != "民办") {
      Problem(line, 3, "性质应为 公办、公建民营 或 民办", inst.ownership);
    }
    static const std::map<std::string, int> kGrades = {
        {"", 0},     {"未评定", 0}, {"一级", 1}, {"二级", 2}, {"三级", 3}, {"四级", 4},
        {"五级", 5}, {"1", 1},      {"2", 2},    {"3", 3},    {"4", 4},    {"5", 5}};
    if (auto g = kGrades.find(f[3]); g != kGrades.end()) {
      inst.grade = g->second;
    } else {
      Problem(line, 4, "等级应为 一级 至 五级 或 未评定", f[3]);
    }
    inst.county = f[4];
    if (!inst.county.empty()) {
      const Region* r = RegionTable::Builtin().Find(inst.county);
      if (inst.county.size() != 6 || r == nullptr || r->level != RegionLevel::kCounty) {
        Problem(line, 5, "应为区划表中的 6 位区县代码", inst.county);
      }
    }
    inst.beds_normal = Count(line, 6, f[5]);
    inst.beds_nursing = Count(line, 7, f[6]);
    inst.beds_dementia = Count(line, 8, f[7]);
    inst.rooms = Count(line, 9, f[8]);
    inst.occupied = Count(line, 10, f[9]);
    if (out.problem_count == before && inst.occupied > inst.beds()) {
      Problem(line, 10, fmt::format("在住人数多于床位总数（{} 张）", inst.beds()), f[9]);
    }
    if (f[10] == "是") {
      inst.tekun_care = true;
    } else if (!f[10].empty() && f[10] != "否") {
      Problem(line, 11, "应为 是 或 否", f[10]);
    }
    if (out.problem_count == before) out.institutions.push_back(std::move(inst));
  }
};

}  // namespace

const std::vector<std::string_view>& InstitutionHeader() {
  static const std::vector<std::string_view> kHeader = {
      "机构编号",   "机构名称",         "性质",   "等级",     "所在区县",    "普通床位",
      "护理型床位", "认知障碍照护床位", "房间数", "在住人数", "特困供养机构"};
  return kHeader;
}

Result<InstitutionFile> ParseInstitutionFile(std::string_view bytes, const std::string& name) {
  InstitutionFile out;
  std::string where = name;
  std::vector<std::pair<int, std::vector<std::string>>> rows;
  if (bytes.starts_with("PK")) {
    Result<xlsx::Sheet> sheet = xlsx::ReadFirstSheetFromMemory(bytes, name);
    if (!sheet.ok()) return sheet.status();
    out.sheet = sheet->name;
    where = fmt::format("{}（工作表“{}”）", name, sheet->name);
    for (size_t i = 0; i < sheet->rows.size(); ++i) {
      bool blank = true;
      for (const std::string& c : sheet->rows[i]) blank = blank && Trim(c).empty();
      if (!blank) rows.emplace_back(static_cast<int>(i + 1), sheet->rows[i]);
    }
  } else {
    CsvReader reader(bytes, name);
    CsvRow row;
    while (true) {
      Result<bool> more = reader.Next(row);
      if (!more.ok()) return more.status();
      if (!*more) break;
      rows.emplace_back(row.line, row.fields);
    }
  }
  if (rows.empty()) {
    return Status("waitlist.import", "文件中没有表头", Location{.file = where, .line = 1});
  }
  CsvRow header{rows[0].first, rows[0].second};
  for (std::string& h : header.fields) h = Trim(h);
  if (Status s = CheckCsvHeader(header, InstitutionHeader(), where); !s.ok()) return s;
  RowParser p{where, out, {}};
  for (size_t i = 1; i < rows.size(); ++i) p.Row(rows[i].first, rows[i].second);
  if (out.problem_count == 0 && out.institutions.empty()) {
    return Status("waitlist.import", "文件中没有机构", Location{.file = where, .line = 2});
  }
  if (out.problem_count > 0) out.institutions.clear();
  return out;
}

double BedCounts::nursing_share() const {
  return beds() == 0
             ? 0
             : static_cast<double>(beds_nursing + beds_dementia) / static_cast<double>(beds());
}
double BedCounts::social_share() const {
  return beds() == 0 ? 0 : static_cast<double>(social_beds) / static_cast<double>(beds());
}
double BedCounts::occupancy() const {
  return beds() == 0 ? 0 : static_cast<double>(occupied) / static_cast<double>(beds());
}
double BedCounts::tekun_rate() const {
  return tekun_willing == 0
             ? 1
             : static_cast<double>(tekun_admitted) / static_cast<double>(tekun_willing);
}

BedReport ReportBeds(const WaitlistRules& rules, const std::vector<Institution>& institutions,
                     const State& state) {
  BedReport report;
  report.city.county = rules.jurisdiction();
  std::map<std::string, BedCounts> counties;
  auto add_inst = [](BedCounts& c, const Institution& i) {
    ++c.institutions;
    c.beds_normal += i.beds_normal;
    c.beds_nursing += i.beds_nursing;
    c.beds_dementia += i.beds_dementia;
    c.rooms += i.rooms;
    c.occupied += i.occupied;
    if (i.ownership != "公办") c.social_beds += i.beds();
    if (i.tekun_care) ++c.tekun_institutions;
  };
  for (const Institution& i : institutions) {
    BedCounts& c = counties[i.county];
    c.county = i.county;
    add_inst(c, i);
    add_inst(report.city, i);
  }
  std::optional<size_t> tekun = policy::FactSchema::Person().Find("tekun");
  for (const auto& [id, a] : state.applications) {
    if (a.county.empty()) continue;
    BedCounts& c = counties[a.county];
    c.county = a.county;
    bool waiting = a.status == AppStatus::kWaiting;
    bool is_tekun = tekun && *tekun < a.facts.size() && a.facts[*tekun] != 0;
    bool counted = a.willing && is_tekun && a.status != AppStatus::kWithdrawn;
    bool admitted = counted && a.status == AppStatus::kAdmitted;
    for (BedCounts* b : {&c, &report.city}) {
      b->waiting += waiting ? 1 : 0;
      b->tekun_willing += counted ? 1 : 0;
      b->tekun_admitted += admitted ? 1 : 0;
    }
  }
  for (auto& [code, c] : counties) report.counties.push_back(c);
  auto check = [&](const Target& t, const BedCounts& c, bool city) {
    TargetCheck k{.target = &t, .county = city ? "" : c.county};
    if (t.key == "beds_total") {
      if (!city) return;
      k.value = static_cast<double>(c.beds());
    } else if (t.key == "nursing_bed_share") {
      k.value = c.nursing_share();
    } else if (t.key == "social_bed_share") {
      if (!city) return;
      k.value = c.social_share();
    } else if (t.key == "county_tekun_institution") {
      if (city) return;
      k.value = static_cast<double>(c.tekun_institutions);
    } else if (t.key == "tekun_centralised_rate") {
      k.value = c.tekun_rate();
    }
    k.met = k.value + 1e-9 >= t.min;
    report.checks.push_back(k);
  };
  for (const Target& t : rules.targets()) check(t, report.city, true);
  for (const BedCounts& c : report.counties) {
    for (const Target& t : rules.targets()) check(t, c, false);
  }
  return report;
}

}  // namespace yanglao::waitlist
