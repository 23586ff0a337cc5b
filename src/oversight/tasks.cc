#include "oversight/tasks.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "core/file_io.h"

namespace yanglao::oversight {
namespace {

Status Bad(const std::string& file, const YAML::Node& at, std::string field, std::string value,
           std::string message) {
  Location loc{.file = file, .field = std::move(field), .value = std::move(value)};
  const YAML::Mark m = at.Mark();
  if (m.line >= 0) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return Status("oversight.tasks", std::move(message), std::move(loc));
}

// A text cell that must be a non-empty scalar.
Result<std::string> Cell(const YAML::Node& n, const char* key, const std::string& file,
                         const std::string& where, bool required = true) {
  const YAML::Node v = n[key];
  const std::string field = where + "." + key;
  if (!v) {
    if (!required) return std::string();
    return Bad(file, n, field, "", fmt::format("缺少「{}」", key));
  }
  if (!v.IsScalar()) return Bad(file, v, field, "", fmt::format("「{}」应为文字", key));
  std::string s = v.Scalar();
  if (s.empty()) return Bad(file, v, field, "", fmt::format("「{}」不能为空", key));
  return s;
}

Result<int> Int(const YAML::Node& n, const char* key, const std::string& file,
                const std::string& where, int lo, int hi) {
  const YAML::Node v = n[key];
  const std::string field = where + "." + key;
  if (!v || !v.IsScalar()) return Bad(file, v ? v : n, field, "", fmt::format("缺少「{}」", key));
  try {
    int x = v.as<int>();
    if (x >= lo && x <= hi) return x;
  } catch (const YAML::Exception&) {
  }
  return Bad(file, v, field, v.Scalar(), fmt::format("应为 {} 到 {} 之间的整数", lo, hi));
}

// Skips ASCII spaces and the ideographic space.
void SkipSpaces(std::string_view& s) {
  while (true) {
    if (!s.empty() && s.front() == ' ') {
      s.remove_prefix(1);
    } else if (s.starts_with("\u3000")) {
      s.remove_prefix(3);
    } else {
      return;
    }
  }
}

bool Number(std::string_view& s, int max_digits, int& out) {
  int n = 0, digits = 0;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9' && digits < max_digits) {
    n = n * 10 + (s.front() - '0');
    s.remove_prefix(1);
    ++digits;
  }
  out = n;
  return digits > 0;
}

bool Eat(std::string_view& s, std::string_view word) {
  SkipSpaces(s);
  if (!s.starts_with(word)) return false;
  s.remove_prefix(word.size());
  SkipSpaces(s);
  return true;
}

}  // namespace

std::vector<std::string> SplitUnits(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  while (!text.empty()) {
    if (text.starts_with("、") || text.starts_with("，")) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      text.remove_prefix(3);
    } else {
      cur.push_back(text.front());
      text.remove_prefix(1);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

const TaskTable* TaskPlan::ForYear(int year) const {
  for (const TaskTable& t : tables) {
    if (t.year == year) return &t;
  }
  return nullptr;
}

Result<CivilDate> ParseDeadline(std::string_view text) {
  const Status bad("oversight.tasks_deadline",
                   "完成时限应写作「YYYY 年底前」或「YYYY 年 M 月底前」",
                   Location{.field = "完成时限", .value = std::string(text)});
  std::string_view s = text;
  SkipSpaces(s);
  int year = 0, month = 12;
  if (!Number(s, 4, year) || !Eat(s, "年")) return bad;
  if (!s.empty() && s.front() >= '0' && s.front() <= '9') {
    if (!Number(s, 2, month) || !Eat(s, "月")) return bad;
  }
  if (!Eat(s, "底前") || !s.empty()) return bad;
  std::optional<Month> m = Month::FromYm(year, month);
  if (!m || year < 1900) return bad;
  return m->LastDay();
}

Result<TaskPlan> ParseTaskPlan(std::string_view text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status("oversight.tasks", fmt::format("任务分解表文件不是有效的 YAML：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  try {
    if (!root.IsMap()) return Bad(name, root, "", "", "任务分解表文件应为 YAML 映射");
    TaskPlan plan;
    plan.file = name;
    Result<std::string> format = Cell(root, "format", name, "");
    if (!format.ok()) return format.status();
    if (*format != "yanglao.tasks/1") {
      return Bad(name, root["format"], "format", *format, "格式应为 yanglao.tasks/1");
    }
    for (auto [key, out] : {std::pair{"city", &plan.city},
                            {"jurisdiction", &plan.jurisdiction},
                            {"document", &plan.document},
                            {"source", &plan.source}}) {
      Result<std::string> v = Cell(root, key, name, "");
      if (!v.ok()) return v.status();
      *out = *v;
    }
    for (auto [key, out] : {std::pair{"issuer", &plan.issuer}, {"issued", &plan.issued}}) {
      Result<std::string> v = Cell(root, key, name, "", false);
      if (!v.ok()) return v.status();
      *out = *v;
    }
    const YAML::Node tables = root["tables"];
    if (!tables || !tables.IsSequence() || tables.size() == 0) {
      return Bad(name, tables ? tables : root, "tables", "", "「tables」应为非空列表");
    }
    std::set<int> years;
    for (size_t i = 0; i < tables.size(); ++i) {
      const YAML::Node t = tables[i];
      const std::string tw = fmt::format("tables[{}]", i);
      if (!t.IsMap()) return Bad(name, t, tw, "", "每张表应为 YAML 映射");
      TaskTable table;
      Result<int> year = Int(t, "year", name, tw, 1900, 9999);
      if (!year.ok()) return year.status();
      table.year = *year;
      if (!years.insert(table.year).second) {
        return Bad(name, t["year"], tw + ".year", std::to_string(table.year), "年份重复");
      }
      Result<std::string> title = Cell(t, "title", name, tw);
      if (!title.ok()) return title.status();
      table.title = *title;
      const YAML::Node tasks = t["tasks"];
      if (!tasks || !tasks.IsSequence() || tasks.size() == 0) {
        return Bad(name, tasks ? tasks : t, tw + ".tasks", "", "「tasks」应为非空列表");
      }
      std::string area;
      for (size_t j = 0; j < tasks.size(); ++j) {
        const YAML::Node n = tasks[j];
        const std::string w = fmt::format("{}.tasks[{}]", tw, j);
        if (!n.IsMap()) return Bad(name, n, w, "", "每项任务应为 YAML 映射");
        Task task;
        task.line = n.Mark().line + 1;
        Result<int> no = Int(n, "no", name, w, 1, 1000);
        if (!no.ok()) return no.status();
        if (*no != static_cast<int>(j) + 1) {
          return Bad(name, n["no"], w + ".no", std::to_string(*no),
                     fmt::format("序号应为 {}（按表中顺序）", j + 1));
        }
        task.no = *no;
        Result<std::string> area_cell = Cell(n, "area", name, w, false);
        if (!area_cell.ok()) return area_cell.status();
        task.area_cell = *area_cell;
        if (!task.area_cell.empty()) area = task.area_cell;
        if (area.empty()) {
          return Bad(name, n, w + ".area", "", "第一项任务须写明「area」（重点任务）");
        }
        task.area = area;
        for (auto [key, out] : {std::pair{"work", &task.work},
                                {"requirement", &task.requirement},
                                {"deadline", &task.deadline_text},
                                {"units", &task.units_text}}) {
          Result<std::string> v = Cell(n, key, name, w);
          if (!v.ok()) return v.status();
          *out = *v;
        }
        Result<CivilDate> due = ParseDeadline(task.deadline_text);
        if (!due.ok()) {
          return Bad(name, n["deadline"], w + ".deadline", task.deadline_text,
                     due.status().message());
        }
        if (due->year() != table.year) {
          return Bad(name, n["deadline"], w + ".deadline", task.deadline_text,
                     fmt::format("完成时限不在本表年份 {} 内", table.year));
        }
        task.deadline = *due;
        task.units = SplitUnits(task.units_text);
        if (task.units.empty()) {
          return Bad(name, n["units"], w + ".units", task.units_text, "责任单位不能为空");
        }
        table.tasks.push_back(std::move(task));
      }
      plan.tables.push_back(std::move(table));
    }
    return plan;
  } catch (const YAML::Exception& e) {
    return Status("oversight.tasks", fmt::format("任务分解表文件结构有误：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
}

Result<TaskPlan> LoadTaskPlan(const std::filesystem::path& path) {
  Result<std::string> bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  return ParseTaskPlan(*bytes, path.string());
}

}  // namespace yanglao::oversight
