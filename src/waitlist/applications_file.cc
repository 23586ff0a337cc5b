#include "waitlist/applications_file.h"

#include <fmt/format.h>

#include <functional>
#include <set>

#include "core/csv.h"
#include "core/id_number.h"
#include "core/region.h"
#include "waitlist/store.h"

namespace yanglao::waitlist {

namespace {

const std::vector<std::string_view> kBedHeader = {"床位编号", "机构编号", "类型"};
const std::vector<std::string_view> kAppHeader = {"申请日期", "公民身份号码", "姓名",
                                                  "区县",     "床位类型",     "集中供养意愿",
                                                  "意向机构", "评估事实",     "评估有效期至"};

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

struct Problems {
  std::string file;
  const std::vector<std::string_view>& header;
  std::vector<Status>& list;
  size_t& count;
  void Add(int line, int column, std::string message, std::string value) {
    ++count;
    if (list.size() >= 100) return;
    if (value.size() > 100) value.resize(100);
    std::string field = column >= 1 && static_cast<size_t>(column) <= header.size()
                            ? std::string(header[static_cast<size_t>(column - 1)])
                            : std::string();
    list.push_back(Status("waitlist.import", std::move(message),
                          Location{.file = file,
                                   .line = line,
                                   .column = column,
                                   .field = std::move(field),
                                   .value = std::move(value)}));
  }
};

// Reads the rows after a checked header; calls `row` with the trimmed
// fields (padded to the header's width) or reports extra columns.
Status ReadRows(std::string_view bytes, const std::string& name,
                const std::vector<std::string_view>& header, Problems& p,
                const std::function<void(int, const std::vector<std::string>&)>& row) {
  CsvReader reader(bytes, name);
  CsvRow r;
  Result<bool> more = reader.Next(r);
  if (!more.ok()) return more.status();
  if (!*more) return Status("waitlist.import", "文件中没有表头", Location{.file = name, .line = 1});
  for (std::string& h : r.fields) h = Trim(h);
  if (Status s = CheckCsvHeader(r, header, name); !s.ok()) return s;
  while (true) {
    more = reader.Next(r);
    if (!more.ok()) return more.status();
    if (!*more) break;
    std::vector<std::string> f(header.size());
    bool blank = true;
    for (size_t i = 0; i < r.fields.size(); ++i) {
      std::string v = Trim(r.fields[i]);
      blank = blank && v.empty();
      if (i < f.size()) {
        f[i] = v;
      } else if (!v.empty()) {
        p.Add(r.line, static_cast<int>(i + 1), "多出的列（表头之外）", v);
      }
    }
    if (!blank) row(r.line, f);
  }
  return Status::Ok();
}

bool IsBedType(std::string_view t) {
  return t == kBedNormal || t == kBedNursing || t == kBedDementia;
}

}  // namespace

Result<BedFile> ParseBedFile(std::string_view bytes, const std::string& name) {
  BedFile out;
  Problems p{name, kBedHeader, out.problems, out.problem_count};
  std::set<std::string> ids;
  Status s = ReadRows(bytes, name, kBedHeader, p, [&](int line, const auto& f) {
    size_t before = out.problem_count;
    if (f[0].empty()) p.Add(line, 1, "不能为空", "");
    if (!f[0].empty() && !ids.insert(f[0]).second) p.Add(line, 1, "床位编号重复", f[0]);
    if (f[0].find(' ') != std::string::npos) p.Add(line, 1, "床位编号不能含空格", f[0]);
    if (f[1].empty() || f[1].find(' ') != std::string::npos) {
      p.Add(line, 2, "应为不含空格的机构编号", f[1]);
    }
    if (!IsBedType(f[2])) p.Add(line, 3, "类型应为 普通、护理型 或 认知障碍照护专区", f[2]);
    if (out.problem_count == before) out.beds.push_back({f[0], f[1], f[2]});
  });
  if (!s.ok()) return s;
  if (out.problem_count > 0) out.beds.clear();
  return out;
}

Result<ApplicationFile> ParseApplicationFile(std::string_view bytes, const std::string& name) {
  ApplicationFile out;
  Problems p{name, kAppHeader, out.problems, out.problem_count};
  std::set<std::string> persons;
  Status s = ReadRows(bytes, name, kAppHeader, p, [&](int line, const auto& f) {
    size_t before = out.problem_count;
    ApplicationRow row;
    Application& a = row.application;
    Result<CivilDate> on = CivilDate::Parse(f[0]);
    if (!on.ok()) {
      p.Add(line, 1, "应为日期 YYYY-MM-DD", f[0]);
    } else {
      a.applied_on = a.since = *on;
    }
    Result<IdNumber> id = ParseIdNumber(f[1], RegionTable::Builtin(), CivilDate::Today());
    if (!id.ok()) {
      p.Add(line, 2, id.status().message(), f[1]);
    } else if (!persons.insert(id->value).second) {
      p.Add(line, 2, "同一人有两份申请", f[1]);
    } else {
      a.person = id->value;
    }
    a.name = f[2];
    if (a.name.empty() || a.name.find('|') != std::string::npos) {
      p.Add(line, 3, "姓名不能为空或含“|”", f[2]);
    }
    const Region* county = RegionTable::Builtin().Find(f[3]);
    if (f[3].size() != 6 || county == nullptr || county->level != RegionLevel::kCounty) {
      p.Add(line, 4, "应为区划表中的 6 位区县代码", f[3]);
    }
    a.county = f[3];
    if (!IsBedType(f[4])) p.Add(line, 5, "床位类型应为 普通、护理型 或 认知障碍照护专区", f[4]);
    a.bed_type = f[4];
    if (f[5] != "是" && f[5] != "否") p.Add(line, 6, "应为 是 或 否", f[5]);
    a.willing = f[5] == "是";
    std::string inst;
    for (size_t i = 0; i <= f[6].size(); ++i) {
      bool sep = i == f[6].size() || f[6][i] == ' ' || f[6].compare(i, 3, "、") == 0;
      if (!sep) {
        inst += f[6][i];
        continue;
      }
      if (!inst.empty()) {
        if (inst.find('|') != std::string::npos) p.Add(line, 7, "机构编号不能含“|”", inst);
        a.institutions.push_back(inst);
      }
      inst.clear();
      if (i < f[6].size() && f[6][i] != ' ') i += 2;
    }
    Result<policy::PersonFacts> facts = FactsFromText(f[7]);
    if (!facts.ok()) {
      p.Add(line, 8, facts.status().message(), f[7]);
    } else {
      a.facts = *facts;
    }
    if (!f[8].empty()) {
      Result<CivilDate> until = CivilDate::Parse(f[8]);
      if (!until.ok()) {
        p.Add(line, 9, "应为日期 YYYY-MM-DD 或留空（未评估）", f[8]);
      } else {
        a.valid_until = *until;
        row.assessed = true;
      }
    }
    if (out.problem_count == before) out.applications.push_back(std::move(row));
  });
  if (!s.ok()) return s;
  if (out.problem_count > 0) out.applications.clear();
  return out;
}

}  // namespace yanglao::waitlist
