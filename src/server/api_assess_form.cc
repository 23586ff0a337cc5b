// The console's assessment form (GB/T 42195-2022, docs/assessment.md):
//   GET  /api/v1/console/assessment-form   the items, answers, levels and risk
//        events the form page is built from (src/assess is the one source);
//   POST /api/v1/console/assessment-score  a form's score while it is being
//        filled in (live scoring): nothing recorded, nothing audited, since it
//        carries only answers; recording is POST /api/v1/assessments.
#include "assess/form.h"
#include "assess/form_json.h"
#include "assess/scoring.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/web_routes.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

Result<Reply> FormRoute(Call& call) {
  (void)call;
  json::array dims;
  for (const assess::Dimension& d : assess::Dimensions()) {
    dims.push_back({{"clause", d.clause}, {"name", d.name}, {"max", d.max}});
  }
  json::array items;
  for (const assess::Item& it : assess::Items()) {
    json::array anchors;
    for (int p = 0; p <= it.max; ++p)
      anchors.push_back(json::string(it.anchors[static_cast<size_t>(p)]));
    items.push_back({{"code", it.code},
                     {"dimension", it.dimension},
                     {"name", it.name},
                     {"max", it.max},
                     {"anchors", std::move(anchors)}});
  }
  json::array levels;
  for (const assess::Level& l : assess::Levels()) {
    levels.push_back({{"level", l.level},
                      {"name", l.name},
                      {"min_total", l.min_total},
                      {"max_total", l.max_total}});
  }
  json::array risks;
  for (const assess::RiskEvent& r : assess::RiskEvents()) {
    risks.push_back({{"key", r.key}, {"name", r.name}});
  }
  return Reply::Json(json::object{{"dimensions", std::move(dims)},
                                  {"items", std::move(items)},
                                  {"levels", std::move(levels)},
                                  {"risk_events", std::move(risks)}});
}

Result<Reply> ScoreRoute(Call& call) {
  Result<assess::FormDocument> form = assess::ParseFormJson(
      call.request.body(), "请求内容", {.require_header = false, .today = call.app.Today()});
  if (!form.ok()) return form.status();
  assess::Score score = assess::ScoreForm(form->answers);
  json::array dims;
  for (size_t d = 0; d < assess::kDimensionCount; ++d) {
    const assess::Dimension& dim = assess::Dimensions()[d];
    dims.push_back({{"clause", dim.clause},
                    {"name", dim.name},
                    {"score", score.subtotals[d]},
                    {"max", dim.max}});
  }
  json::array adjustments;
  for (const assess::Adjustment& a : score.adjustments) {
    adjustments.push_back({{"code", a.code},
                           {"name", assess::AdjustmentName(a.code)},
                           {"clause", a.clause},
                           {"reason", a.reason},
                           {"effect", a.effect},
                           {"from", a.from},
                           {"to", a.to},
                           {"applied", a.applied},
                           {"note", a.note}});
  }
  return Reply::Json(json::object{{"dimensions", std::move(dims)},
                                  {"total", score.total},
                                  {"preliminary_level", score.preliminary_level},
                                  {"level", score.final_level},
                                  {"level_name", assess::LevelLabel(score.final_level)},
                                  {"adjustments", std::move(adjustments)}});
}

}  // namespace

void AddAssessFormRoutes(Router& router) {
  router.Add(verb::get, "/api/v1/console/assessment-form",
             {.permission = "assess:assessment:create"}, FormRoute);
  router.Add(verb::post, "/api/v1/console/assessment-score",
             {.permission = "assess:assessment:create"}, ScoreRoute);
}

}  // namespace yanglao::server
