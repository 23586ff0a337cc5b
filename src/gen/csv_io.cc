#include "gen/csv_io.h"

#include <fstream>

#include "core/csv.h"
#include "core/file_io.h"
#include "core/id_number.h"

namespace yanglao::gen {

Status ReadCsvRows(const std::filesystem::path& file,
                   const std::function<Status(const CsvFields&, int line)>& on_row) {
  Result<std::string> text = ReadFileBytes(file);
  if (!text.ok()) return text.status();
  CsvReader reader(*text, file.filename().string());
  CsvRow header, row;
  Result<bool> more = reader.Next(header);
  if (!more.ok()) return more.status();
  if (!header.fields.empty() && header.fields[0].starts_with("\xEF\xBB\xBF")) {
    header.fields[0] = header.fields[0].substr(3);
  }
  while (true) {
    more = reader.Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    CsvFields m;
    for (size_t i = 0; i < header.fields.size() && i < row.fields.size(); ++i) {
      m[header.fields[i]] = row.fields[i];
    }
    if (Status s = on_row(m, row.line); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ReadCsvRows(const std::filesystem::path& file,
                   const std::function<void(const CsvFields&)>& on_row) {
  return ReadCsvRows(file, [&](const CsvFields& m, int) {
    on_row(m);
    return Status::Ok();
  });
}

Status WriteTextFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Status("gen.io", "无法写入文件", Location{.file = path.string()});
  return Status::Ok();
}

Result<std::map<std::string, FeedElder>> ReadFeedElders(const std::filesystem::path& feeds_dir,
                                                        CivilDate on, int min_age) {
  auto get = [](const CsvFields& m, const char* k) {
    auto it = m.find(k);
    return it == m.end() ? std::string() : it->second;
  };
  std::map<std::string, FeedElder> people;
  Status s = ReadCsvRows(feeds_dir / "公安.csv", [&](const CsvFields& m) {
    std::string id = get(m, "公民身份号码");
    if (id.size() != 18) return;
    if (!get(m, "死亡日期").empty()) {
      people.erase(id);
      return;
    }
    std::string residence = get(m, "居住地");
    Result<CivilDate> birth = CivilDate::ParseCompact(id.substr(6, 8));
    if (residence.size() < 6 || !birth.ok() || AgeOn(*birth, on) < min_age) return;
    FeedElder& e = people[id];
    e.id = id;
    e.name = get(m, "姓名");
    e.residence = residence;
    e.birth = *birth;
  });
  if (!s.ok()) return s;
  if (std::filesystem::exists(feeds_dir / "民政.csv")) {
    s = ReadCsvRows(feeds_dir / "民政.csv", [&](const CsvFields& m) {
      auto it = people.find(get(m, "公民身份号码"));
      if (it == people.end()) return;
      auto yes = [&](const char* k) { return get(m, k) == "是"; };
      FeedElder& e = it->second;
      const std::string tekun = get(m, "特困");
      e.dibao = yes("低保");
      e.tekun = !tekun.empty() && tekun != "否";
      e.alone = yes("独居");
      e.empty_nest = yes("空巢");
      e.left_behind = yes("留守");
      e.dependent = yes("生活不能自理");
    });
    if (!s.ok()) return s;
  }
  return people;
}

}  // namespace yanglao::gen
