// Fuzz target: the oversight module's parsers of outside input: a task
// breakdown file (policies/oversight/*.tasks.yaml), a draw policy, and a
// published draw file (src/oversight/). Whatever the bytes, each returns a
// located failure with its own code or a value that holds its invariants; a
// parsed draw file formats back to a file that parses to the same draw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "oversight/draw.h"
#include "oversight/tasks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao::oversight;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yanglao::Result<TaskPlan> plan = ParseTaskPlan(text, "fuzz.tasks.yaml");
  if (!plan.ok()) {
    if (plan.status().code() != "oversight.tasks" || plan.status().message().empty()) {
      __builtin_trap();
    }
  } else {
    for (const TaskTable& t : plan->tables) {
      for (const Task& task : t.tasks) {
        if (task.area.empty() || task.units.empty() || task.deadline.year() != t.year) {
          __builtin_trap();
        }
      }
    }
  }
  yanglao::Result<DrawPolicy> policy = ParseDrawPolicy(text, "fuzz.draw.yaml");
  if (!policy.ok() && policy.status().code() != "oversight.draw_policy") __builtin_trap();
  if (policy.ok() && (policy->share_percent < 1 || policy->share_percent > 100)) __builtin_trap();

  yanglao::Result<Draw> draw = ParseDraw(text, "fuzz.draw.txt");
  if (!draw.ok()) {
    if (draw.status().code() != "oversight.draw_file") __builtin_trap();
    return 0;
  }
  const std::string again = FormatDraw(*draw);
  yanglao::Result<Draw> reread = ParseDraw(again, "again.txt");
  if (!reread.ok() || FormatDraw(*reread) != again || reread->picks != draw->picks) {
    __builtin_trap();
  }
  return 0;
}
