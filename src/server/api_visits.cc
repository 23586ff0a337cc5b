// Routes: visiting care (探访关爱, src/visits). The monthly visit rate per
// unit within the caller's scope, the due/overdue list, recording a visit
// (idempotent by client id) and a person's visit history. docs/visits.md
// describes them.
//
// A caller whose data scope is "self" is a visitor: the visitor whose code
// is the caller's user name. They see and visit only the people assigned to
// them. Others see the people of their unit (street supervisors their
// street). ID numbers are masked in lists; every read of a person's visit
// history, and every due list, is audited.
#include <fmt/format.h>

#include <memory>

#include "core/mask.h"
#include "server/api_util.h"
#include "server/app.h"
#include "visits/roster.h"
#include "visits/store.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

struct VisitsState {
  std::vector<std::unique_ptr<visits::RosterRules>> rules;
  Status load_error;
};

std::string ScopePrefixOf(const Principal& user) {
  return user.scope == DataScope::kAll ? "" : user.unit_code;
}

// The caller as a visitor (scope "self"): their visitor record, or
// visits.not_visitor (403).
Result<visits::Visitor> CallerVisitor(Call& call, visits::VisitsStore& store) {
  Result<std::optional<visits::Visitor>> v = store.FindVisitorByCode(call.user->username);
  if (!v.ok()) return v.status();
  if (!v->has_value()) {
    return Status(ErrorCategory::kDenied, "auth.forbidden",
                  "当前账号不是登记的探访人员（探访人员编号应与账号相同）",
                  Location{.field = "username", .value = call.user->username});
  }
  return std::move(**v);
}

// Whether the caller may read or record visits of `id`: a visitor only for
// the people assigned to them, others within their data scope.
Status CheckVisitAccess(Call& call, visits::VisitsStore& store, const std::string& id,
                        std::string_view action) {
  if (call.user->scope != DataScope::kSelf) return CheckPersonAccess(call, id, action);
  Result<visits::Visitor> me = CallerVisitor(call, store);
  if (!me.ok()) return me.status();
  Result<bool> assigned = store.IsAssigned(me->id, id);
  if (!assigned.ok()) return assigned.status();
  if (!*assigned) {
    call.Audit(std::string(action), id, "denied");
    return Status(ErrorCategory::kDenied, "person.scope", "此人未分派给您探访",
                  Location{.field = "id_number", .value = MaskIdNumber(id)});
  }
  return Status::Ok();
}

Result<Reply> RatesRoute(VisitsState& state, Call& call) {
  Result<Month> month = MonthParam(call, "month", Month::Of(call.app.Today()));
  if (!month.ok()) return month.status();
  std::string level_key = call.Query("level").value_or("street");
  std::optional<visits::RateLevel> level = visits::RateLevelOf(level_key);
  if (!level) {
    return Status("visits.level", "层级应为 community、street、county、city 之一",
                  Location{.field = "level", .value = level_key});
  }
  if (call.user->scope == DataScope::kSelf) {
    return Status("auth.forbidden", "探访率需要区域数据范围", Location{.field = "scope"});
  }
  visits::VisitsStore store(call.registry->db());
  Result<std::vector<visits::RateRow>> rates =
      store.Rates(*month, *level, ScopePrefixOf(*call.user));
  if (!rates.ok()) return rates.status();
  json::array items;
  for (const visits::RateRow& r : *rates) {
    items.push_back({{"region", RegionJson(r.unit)},
                     {"roster", r.roster},
                     {"visited", r.visited},
                     {"documented", r.documented},
                     {"rate_bp", r.rate_bp()}});
  }
  json::object out = {{"month", month->ToString()}, {"level", level_key}, {"items", items}};
  std::string scope = call.user->unit_code;
  const visits::RosterRules* rules = visits::RulesFor(state.rules, scope.empty() ? "" : scope);
  if (rules == nullptr && !state.rules.empty() && scope.empty()) rules = state.rules.front().get();
  if (rules != nullptr) {
    if (std::optional<visits::RateTarget> t = rules->policy().TargetFor(month->year())) {
      out["target"] = {{"year", t->year}, {"percent", t->percent}, {"quote", t->quote}};
    }
  }
  return Reply::Json(std::move(out));
}

Result<Reply> DueRoute(VisitsState& state, Call& call) {
  if (!state.load_error.ok()) return state.load_error;
  Result<CivilDate> as_of = DateParam(call, "as_of", call.app.Today());
  if (!as_of.ok()) return as_of.status();
  visits::VisitsStore store(call.registry->db());
  std::optional<int64_t> visitor;
  std::string prefix = ScopePrefixOf(*call.user);
  if (call.user->scope == DataScope::kSelf) {
    Result<visits::Visitor> me = CallerVisitor(call, store);
    if (!me.ok()) return me.status();
    visitor = me->id;
    prefix = "";
  }
  const visits::RosterRules* rules = visits::RulesFor(state.rules, call.user->unit_code);
  if (rules == nullptr) {
    return Status(ErrorCategory::kNotFound, "visits.not_found", "没有本地的探访政策文件",
                  Location{.field = "unit", .value = call.user->unit_code});
  }
  Result<std::vector<visits::DueEntry>> due =
      store.DueList(rules->policy(), *as_of, prefix, visitor);
  if (!due.ok()) return due.status();
  json::array items;
  for (const visits::DueEntry& e : *due) {
    const visits::Tier* t = rules->policy().FindTier(e.tier);
    items.push_back({{"id_number", MaskIdNumber(e.id_number)},
                     {"region", RegionJson(e.region)},
                     {"tier", e.tier},
                     {"tier_label", t ? t->label : e.tier},
                     {"every_days", e.every_days},
                     {"last_visit", e.last_visit},
                     {"due_on", e.due_on},
                     {"state", visits::DueStateName(e.state)},
                     {"days_overdue", e.days_overdue},
                     {"escalate", e.escalate}});
  }
  call.Audit("visits.due", as_of->ToString(), "ok", {{"count", items.size()}});
  return Reply::Json({{"as_of", as_of->ToString()}, {"items", items}});
}

Result<Reply> RecordRoute(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  visits::VisitRequest r;
  for (auto [key, field] : {std::pair{"client_id", &r.client_id},
                            std::pair{"id_number", &r.id_number}, std::pair{"kind", &r.kind},
                            std::pair{"visited_on", &r.visited_on}, std::pair{"note", &r.note}}) {
    Result<std::optional<std::string>> v = StringField(*body, key);
    if (!v.ok()) return v.status();
    *field = v->value_or("");
  }
  if (const json::value* f = body->if_contains("findings"); f != nullptr && f->is_array()) {
    for (const json::value& item : f->as_array()) {
      if (!item.is_object()) {
        return Status("request.field", "findings 的每一项应为对象", Location{.field = "findings"});
      }
      Result<std::optional<std::string>> c = StringField(item.as_object(), "category");
      if (!c.ok()) return c.status();
      Result<std::optional<std::string>> t = StringField(item.as_object(), "text");
      if (!t.ok()) return t.status();
      r.findings.push_back({c->value_or(""), t->value_or("")});
    }
  }
  Result<std::string> id = PersonIdOf(call, r.id_number);
  if (!id.ok()) return id.status();
  r.id_number = *id;
  visits::VisitsStore store(call.registry->db());
  if (Status s = CheckVisitAccess(call, store, r.id_number, "visits.visit"); !s.ok()) return s;
  if (call.user->scope == DataScope::kSelf) {
    Result<visits::Visitor> me = CallerVisitor(call, store);
    if (!me.ok()) return me.status();
    r.visitor_id = me->id;
  } else if (const json::value* v = body->if_contains("visitor_id"); v && v->is_int64()) {
    r.visitor_id = v->as_int64();
  } else {
    return Status("request.field", "缺少字段 visitor_id", Location{.field = "visitor_id"});
  }
  r.recorded_by = call.user->username;
  Result<visits::Visit> visit = store.RecordVisit(r, call.app.Today());
  if (!visit.ok()) return visit.status();
  call.Audit("visits.visit", visit->id_number, "ok",
             {{"visit", visit->id}, {"already_recorded", visit->already_recorded}});
  return Reply::Json({{"id", visit->id},
                      {"client_id", visit->client_id},
                      {"already_recorded", visit->already_recorded},
                      {"id_number", MaskIdNumber(visit->id_number)},
                      {"visited_on", visit->visited_on},
                      {"kind", visit->kind}});
}

Result<Reply> HistoryRoute(Call& call) {
  Result<std::string> id = PersonIdOf(call, call.Path("id"));
  if (!id.ok()) return id.status();
  visits::VisitsStore store(call.registry->db());
  if (Status s = CheckVisitAccess(call, store, *id, "visits.history"); !s.ok()) return s;
  Result<std::vector<visits::Visit>> history = store.VisitsOf(*id);
  if (!history.ok()) return history.status();
  json::array items;
  for (const visits::Visit& v : *history) {
    json::array findings;
    for (const visits::Finding& f : v.findings) {
      findings.push_back(
          {{"category", f.category}, {"name", visits::FindingName(f.category)}, {"text", f.text}});
    }
    items.push_back({{"id", v.id},
                     {"kind", v.kind},
                     {"visited_on", v.visited_on},
                     {"visitor_id", v.visitor_id},
                     {"note", v.note},
                     {"findings", findings}});
  }
  call.Audit("visits.history", *id, "ok", {{"count", items.size()}});
  return Reply::Json({{"id_number", MaskIdNumber(*id)}, {"items", items}});
}

}  // namespace

void AddVisitsRoutes(App& app, Router& router) {
  auto state = std::make_shared<VisitsState>();
  Result<std::vector<std::unique_ptr<visits::RosterRules>>> rules =
      visits::RosterRules::LoadDirectory(app.options().policies_dir / "visits");
  if (rules.ok()) {
    state->rules = std::move(*rules);
  } else {
    state->load_error = rules.status();
  }
  router.Add(verb::get, "/api/v1/visits/rates",
             {.permission = "visits:rate:read", .blocking = true},
             [state](Call& call) { return RatesRoute(*state, call); });
  router.Add(verb::get, "/api/v1/visits/due", {.permission = "visits:roster:read"},
             [state](Call& call) { return DueRoute(*state, call); });
  router.Add(verb::post, "/api/v1/visits/visits", {.permission = "visits:visit:create"},
             RecordRoute);
  router.Add(verb::get, "/api/v1/visits/persons/{id}/visits", {.permission = "visits:roster:read"},
             HistoryRoute);
}

}  // namespace yanglao::server
