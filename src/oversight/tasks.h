// A city's yearly task breakdown tables (任务分解表) as data: policies/oversight/
// <city>.tasks.yaml, format yanglao.tasks/1 (docs/oversight.md). Each task keeps
// the seed's cells as written (work, requirement, deadline, responsible units);
// the loader derives the deadline as a civil date and the units as a list.
#ifndef YANGLAO_OVERSIGHT_TASKS_H_
#define YANGLAO_OVERSIGHT_TASKS_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"

namespace yanglao::oversight {

struct Task {
  int no = 0;                 // 序号, 1..n within its table
  std::string area_cell;      // 重点任务 as written; empty where the seed leaves it blank
  std::string area;           // 重点任务 in force (a blank cell continues the row above)
  std::string work;           // 重点工作
  std::string requirement;    // 工作要求
  std::string deadline_text;  // 完成时限 as written ("2023 年底前", "2024年11月底前")
  CivilDate deadline;         // its last day (2023-12-31, 2024-11-30)
  std::string units_text;     // 责任单位 as written
  std::vector<std::string> units;  // split at 、 and ，
  int line = 0;                    // line of the task in the file
};

struct TaskTable {
  int year = 0;
  std::string title;
  std::vector<Task> tasks;
};

struct TaskPlan {
  std::string city, jurisdiction, document, issuer, issued, source;
  std::vector<TaskTable> tables;
  std::string file;  // where it was read from
  // The table of `year`, or nullptr.
  const TaskTable* ForYear(int year) const;
};

// The last day a 完成时限 cell names: "YYYY 年底前" → YYYY-12-31, "YYYY 年 M 月底前"
// → the month's last day (spaces between the parts allowed). Fails with
// oversight.tasks_deadline.
Result<CivilDate> ParseDeadline(std::string_view text);

// A 责任单位 cell as a list: split at 、 and ，, empty parts left out.
std::vector<std::string> SplitUnits(std::string_view text);

// Parses a task file's text; `name` is the file in error locations. Failures
// (code oversight.tasks, located by line, column and field such as
// "tables[0].tasks[3].deadline"): not YAML, wrong format, a missing or empty
// cell, numbers out of order, a deadline that is not a date, a table year
// given twice, a task whose deadline is not in its table's year.
Result<TaskPlan> ParseTaskPlan(std::string_view text, const std::string& name);
Result<TaskPlan> LoadTaskPlan(const std::filesystem::path& path);

}  // namespace yanglao::oversight

#endif  // YANGLAO_OVERSIGHT_TASKS_H_
