#include "canteen/import.h"

#include <fmt/format.h>

#include <set>

#include "core/csv.h"
#include "core/money.h"
#include "core/region.h"
#include "core/utf8.h"
#include "xlsx/xlsx.h"

namespace yanglao::canteen {

namespace {

const std::vector<std::string_view> kHeader = {
    "食堂编号", "名称", "类型", "所在社区", "服务社区", "运营方", "开放时间", "供餐时段", "价格"};

// Splits on ；; 、 and ASCII/ideographic spaces (keeping non-empty parts).
std::vector<std::string> Parts(std::string_view text, bool split_spaces) {
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  while (i < text.size()) {
    std::string_view rest = text.substr(i);
    if (rest.starts_with("；") || rest.starts_with("、") ||
        (split_spaces && rest.starts_with("　"))) {
      flush();
      i += 3;
    } else if (text[i] == ';' || text[i] == '\n' || (split_spaces && text[i] == ' ')) {
      flush();
      ++i;
    } else {
      cur += text[i++];
    }
  }
  flush();
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

bool IsHhmm(std::string_view t) {
  auto d = [](char c) { return c >= '0' && c <= '9'; };
  return t.size() == 5 && d(t[0]) && d(t[1]) && t[2] == ':' && d(t[3]) && d(t[4]) &&
         t.substr(0, 2) <= "23" && t.substr(3, 2) <= "59";
}

struct RowParser {
  std::string file;
  CanteenFile& out;
  std::set<std::string> codes;

  void Problem(int line, int column, std::string message, std::string value) {
    ++out.problem_count;
    if (out.problems.size() >= 100) return;
    out.problems.push_back(
        Status("canteen.import", std::move(message),
               Location{.file = file,
                        .line = line,
                        .column = column,
                        .field = std::string(kHeader[static_cast<size_t>(column - 1)]),
                        .value = value.substr(0, 100)}));
  }

  bool Community(int line, int column, const std::string& code) {
    const Region* r = RegionTable::Builtin().Find(code);
    if (code.size() != 12 || r == nullptr) {
      Problem(line, column, "应为区划表中的 12 位社区（村）代码", code);
      return false;
    }
    return true;
  }

  void Row(int line, const std::vector<std::string>& raw) {
    std::vector<std::string> f(kHeader.size());
    for (size_t i = 0; i < raw.size() && i < f.size(); ++i) f[i] = Trim(raw[i]);
    for (size_t i = f.size(); i < raw.size(); ++i) {
      if (!Trim(raw[i]).empty()) {
        ++out.problem_count;
        if (out.problems.size() < 100) {
          out.problems.push_back(Status("canteen.import", "多出的列（表头之外）",
                                        Location{.file = file,
                                                 .line = line,
                                                 .column = static_cast<int>(i + 1),
                                                 .value = Trim(raw[i]).substr(0, 100)}));
        }
        return;
      }
    }
    Canteen c;
    const size_t before = out.problem_count;
    for (int col : {1, 2, 3, 4}) {
      if (f[static_cast<size_t>(col - 1)].empty()) Problem(line, col, "不能为空", "");
    }
    c.code = f[0];
    if (!c.code.empty() && !codes.insert(c.code).second) Problem(line, 1, "食堂编号重复", c.code);
    c.name = f[1];
    c.kind = f[2];
    if (!c.kind.empty() && !IsCanteenKind(c.kind)) {
      Problem(line, 3, "类型应为 幸福食堂、助餐点 或 机构食堂", c.kind);
    }
    c.region = f[3];
    if (!c.region.empty()) Community(line, 4, c.region);
    for (const std::string& k : Parts(f[4], true)) {
      if (Community(line, 5, k)) c.communities.push_back(k);
    }
    c.operator_name = f[5];
    c.hours = f[6];
    std::set<std::string> names;
    for (const std::string& p : Parts(f[7], false)) {
      std::string part = Trim(p);
      size_t sp = part.rfind(' ');
      std::string name = sp == std::string::npos ? "" : Trim(part.substr(0, sp));
      std::string span = sp == std::string::npos ? part : part.substr(sp + 1);
      size_t dash = span.find('-');
      std::string a = dash == std::string::npos ? "" : span.substr(0, dash);
      std::string b = dash == std::string::npos ? "" : span.substr(dash + 1);
      if (name.empty() || !IsHhmm(a) || !IsHhmm(b) || a >= b) {
        Problem(line, 8, "供餐时段应写作「午餐 11:00-13:00」", part);
        continue;
      }
      if (!names.insert(name).second) {
        Problem(line, 8, "供餐时段重复", name);
        continue;
      }
      c.periods.push_back({name, a, b});
    }
    if (c.periods.empty() && f[7].empty()) Problem(line, 8, "至少要有一个供餐时段", "");
    std::set<std::string> dishes;
    for (const std::string& p : Parts(f[8], false)) {
      std::string part = Trim(p);
      size_t sp = part.rfind(' ');
      std::string dish = sp == std::string::npos ? "" : Trim(part.substr(0, sp));
      Result<Money> price = sp == std::string::npos ? Result<Money>(Status("x", "x"))
                                                    : Money::Parse(part.substr(sp + 1));
      if (dish.empty() || !price.ok() || price->fen() <= 0 || price->fen() > 100000) {
        Problem(line, 9, "价格应写作「套餐A 15.00」（元，0.01 到 1000）", part);
        continue;
      }
      if (!dishes.insert(dish).second) {
        Problem(line, 9, "菜品重复", dish);
        continue;
      }
      c.prices.push_back({dish, price->fen()});
    }
    if (c.prices.empty() && f[8].empty()) Problem(line, 9, "至少要有一个菜品或套餐的价格", "");
    if (out.problem_count == before) out.canteens.push_back(std::move(c));
  }
};

}  // namespace

Result<CanteenFile> ParseCanteenFile(std::string_view bytes, const std::string& name) {
  CanteenFile out;
  std::vector<std::pair<int, std::vector<std::string>>> rows;
  if (bytes.starts_with("PK")) {
    Result<xlsx::Sheet> sheet = xlsx::ReadFirstSheetFromMemory(bytes, name);
    if (!sheet.ok()) return sheet.status();
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
    return Status("canteen.import", "文件中没有表头", Location{.file = name, .line = 1});
  }
  CsvRow header{rows[0].first, rows[0].second};
  for (std::string& h : header.fields) h = Trim(h);
  if (Status s = CheckCsvHeader(header, kHeader, name); !s.ok()) return s;
  RowParser p{name, out, {}};
  for (size_t i = 1; i < rows.size(); ++i) p.Row(rows[i].first, rows[i].second);
  if (out.problem_count == 0 && out.canteens.empty()) {
    return Status("canteen.import", "文件中没有食堂", Location{.file = name, .line = 2});
  }
  if (out.problem_count > 0) out.canteens.clear();
  return out;
}

}  // namespace yanglao::canteen
