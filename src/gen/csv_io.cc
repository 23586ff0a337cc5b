#include "gen/csv_io.h"

#include <fstream>

#include "core/csv.h"
#include "core/file_io.h"

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

}  // namespace yanglao::gen
