// Routes: oversight and publication (docs/oversight.md). The yearly task
// breakdown tables with each task's state on a day (from its latest progress
// report and its deadline). No person's data: nothing to mask or audit.
#include <optional>

#include "oversight/store.h"
#include "server/api_util.h"
#include "server/app.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

// GET /api/v1/oversight/tasks?jurisdiction=421300&year=2024&on=YYYY-MM-DD
Result<Reply> TasksRoute(Call& call) {
  std::string jurisdiction = call.Query("jurisdiction").value_or("");
  if (jurisdiction.size() != 6 ||
      jurisdiction.find_first_not_of("0123456789") != std::string::npos) {
    return Status("request.param", "jurisdiction 应为 6 位区划代码",
                  Location{.field = "jurisdiction", .value = jurisdiction});
  }
  int year = 0;
  if (std::optional<std::string> y = call.Query("year")) {
    if (y->size() != 4 || y->find_first_not_of("0123456789") != std::string::npos) {
      return Status("request.param", "year 应为 4 位年份", Location{.field = "year", .value = *y});
    }
    year = std::stoi(*y);
  }
  Result<CivilDate> on = DateParam(call, "on", call.app.Today());
  if (!on.ok()) return on.status();
  oversight::OversightStore store(call.registry->db());
  Result<std::vector<oversight::StoredTask>> tasks = store.Tasks(jurisdiction, year);
  if (!tasks.ok()) return tasks.status();
  json::array items;
  for (const oversight::StoredTask& t : *tasks) {
    Result<std::vector<oversight::ProgressReport>> reports = store.Progress(t.id);
    if (!reports.ok()) return reports.status();
    std::optional<oversight::ProgressReport> latest;
    if (!reports->empty()) latest = reports->back();
    const oversight::TaskState state = oversight::StateOn(t, latest, *on);
    items.push_back({{"id", t.id},
                     {"year", t.year},
                     {"no", t.no},
                     {"area", t.area},
                     {"work", t.work},
                     {"requirement", t.requirement},
                     {"deadline_text", t.deadline_text},
                     {"deadline", t.deadline.ToString()},
                     {"units", t.units},
                     {"state", std::string(oversight::TaskStateLabel(state))},
                     {"reports", reports->size()}});
  }
  return Reply::Json({{"on", on->ToString()}, {"items", std::move(items)}});
}

}  // namespace

void AddOversightRoutes(App& /*app*/, Router& router) {
  router.Add(verb::get, "/api/v1/oversight/tasks", {.permission = "oversight:task:read"},
             TasksRoute);
}

}  // namespace yanglao::server
