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

#include <map>
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
  std::optional<visits::RateTarget> target;
  {
    const visits::RosterRules* rules = visits::RulesFor(state.rules, call.user->unit_code);
    if (rules == nullptr && !state.rules.empty() && call.user->unit_code.empty()) {
      rules = state.rules.front().get();
    }
    if (rules != nullptr) target = rules->policy().TargetFor(month->year());
  }
  if (std::optional<std::string> format = call.Query("format"); format && *format != "json") {
    std::vector<std::vector<std::string>> rows = {{"单位代码", "单位名称", "月初名单人数",
                                                   "本月已探访", "死亡或迁出（已记录）", "月探访率",
                                                   "年度目标", "是否达标"}};
    for (const visits::RateRow& r : *rates) {
      json::object region = RegionJson(r.unit);
      const json::value* name = region.if_contains("full_name");
      rows.push_back({std::string(region.at("code").as_string()),
                      name ? std::string(name->as_string()) : "", std::to_string(r.roster),
                      std::to_string(r.visited), std::to_string(r.documented),
                      fmt::format("{}.{:02}%", r.rate_bp() / 100, r.rate_bp() % 100),
                      target ? fmt::format("{}%", target->percent) : "",
                      target ? (r.rate_bp() >= target->percent * 100 ? "达标" : "未达标") : ""});
    }
    Result<Reply> out = TableDownload(rows, *format, "月探访率",
                                      fmt::format("{}-月探访率-{}", month->ToString(),
                                                  level_key == "community" ? "社区"
                                                  : level_key == "street"  ? "街道"
                                                  : level_key == "county"  ? "区县"
                                                                           : "全市"));
    if (out.ok()) {
      call.Audit("visits.rates.export", month->ToString(), "ok",
                 {{"level", level_key}, {"rows", rates->size()}, {"format", *format}});
    }
    return out;
  }
  json::array items;
  for (const visits::RateRow& r : *rates) {
    items.push_back({{"region", RegionJson(r.unit)},
                     {"roster", r.roster},
                     {"visited", r.visited},
                     {"documented", r.documented},
                     {"rate_bp", r.rate_bp()}});
  }
  json::object out = {{"month", month->ToString()}, {"level", level_key}, {"items", items}};
  if (target) {
    out["target"] = {
        {"year", target->year}, {"percent", target->percent}, {"quote", target->quote}};
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
                     {"ref", call.app.PersonRef(e.id_number)},
                     {"region", RegionJson(e.region)},
                     {"tier", e.tier},
                     {"tier_label", t ? t->label : e.tier},
                     {"every_days", e.every_days},
                     {"last_visit", e.last_visit},
                     {"due_on", e.due_on},
                     {"state", visits::DueStateName(e.state)},
                     {"days_overdue", e.days_overdue},
                     {"escalate", e.escalate},
                     {"event", e.event},
                     {"event_on", e.event_on}});
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
  if (const json::value* f = body->if_contains("referrals"); f != nullptr && f->is_array()) {
    for (const json::value& item : f->as_array()) {
      if (!item.is_object()) {
        return Status("request.field", "referrals 的每一项应为对象",
                      Location{.field = "referrals"});
      }
      Result<std::optional<std::string>> k = StringField(item.as_object(), "kind");
      if (!k.ok()) return k.status();
      Result<std::optional<std::string>> n = StringField(item.as_object(), "note");
      if (!n.ok()) return n.status();
      r.referrals.push_back({k->value_or(""), n->value_or("")});
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

const visits::RosterRules* RulesOfCaller(VisitsState& state, const Call& call) {
  const visits::RosterRules* rules = visits::RulesFor(state.rules, call.user->unit_code);
  if (rules == nullptr && call.user->unit_code.empty() && !state.rules.empty()) {
    rules = state.rules.front().get();
  }
  return rules;
}

Status NoPolicy(const Call& call) {
  return Status(ErrorCategory::kNotFound, "visits.not_found", "没有本地的探访政策文件",
                Location{.field = "unit", .value = call.user->unit_code});
}

Status NeedArea(std::string_view what) {
  return Status(ErrorCategory::kDenied, "auth.forbidden", fmt::format("{}需要区域数据范围", what),
                Location{.field = "scope"});
}

// POST /visits/roster {"month"}: computes and stores the month's roster of
// the caller's city (the list's visiting item on the registry as of the
// month's first day).
Result<Reply> RosterRoute(VisitsState& state, Call& call) {
  if (!state.load_error.ok()) return state.load_error;
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::optional<std::string>> m = StringField(*body, "month");
  if (!m.ok()) return m.status();
  Result<Month> month =
      m->has_value() ? Month::Parse(**m) : Result<Month>(Month::Of(call.app.Today()));
  if (!month.ok()) return month.status();
  const visits::RosterRules* rules = RulesOfCaller(state, call);
  if (rules == nullptr) return NoPolicy(call);
  Result<visits::Roster> roster = rules->Compute(*call.registry, *month, call.app.Today());
  if (!roster.ok()) return roster.status();
  visits::VisitsStore store(call.registry->db());
  Result<visits::SaveResult> saved = store.SaveRoster(*roster);
  if (!saved.ok()) return saved.status();
  std::map<std::string, int64_t> tiers;
  for (const visits::RosterEntry& e : roster->people) tiers[e.tier] += 1;
  json::array per_tier;
  for (const visits::Tier* t : rules->policy().AllTiers()) {
    per_tier.push_back({{"tier", t->id}, {"label", t->label}, {"people", tiers[t->id]}});
  }
  call.Audit("visits.roster", month->ToString(), "ok",
             {{"people", saved->people}, {"joined", saved->joined}, {"left", saved->left}});
  return Reply::Json({{"month", month->ToString()},
                      {"citation", roster->citation},
                      {"people", saved->people},
                      {"joined", saved->joined},
                      {"left", saved->left},
                      {"tiers", per_tier}});
}

json::object VisitorJson(const visits::Visitor& v) {
  return {{"id", v.id},
          {"code", v.code},
          {"name", v.name},
          {"kind", v.kind},
          {"unit", RegionJson(v.unit)},
          {"phone", MaskPhone(v.phone)},
          {"active", v.active}};
}

Result<Reply> VisitorsRoute(Call& call) {
  if (call.user->scope == DataScope::kSelf) return NeedArea("查看探访人员");
  visits::VisitsStore store(call.registry->db());
  Result<std::vector<visits::Visitor>> list = store.Visitors(ScopePrefixOf(*call.user));
  if (!list.ok()) return list.status();
  json::array items;
  for (const visits::Visitor& v : *list) items.push_back(VisitorJson(v));
  return Reply::Json({{"items", items}});
}

// POST /visits/visitors: adds or updates a visitor of the caller's area.
Result<Reply> PutVisitorRoute(Call& call) {
  if (call.user->scope == DataScope::kSelf) return NeedArea("管理探访人员");
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  visits::Visitor v;
  for (auto [key, field] :
       {std::pair{"code", &v.code}, std::pair{"name", &v.name}, std::pair{"kind", &v.kind},
        std::pair{"unit", &v.unit}, std::pair{"phone", &v.phone}}) {
    Result<std::optional<std::string>> f = StringField(*body, key);
    if (!f.ok()) return f.status();
    *field = f->value_or("");
  }
  if (!v.unit.starts_with(ScopePrefixOf(*call.user))) {
    return Status(ErrorCategory::kDenied, "person.scope", "探访人员所属单位不在您的辖区内",
                  Location{.field = "unit", .value = v.unit});
  }
  visits::VisitsStore store(call.registry->db());
  Result<int64_t> id = store.PutVisitor(v);
  if (!id.ok()) return id.status();
  v.id = *id;
  call.Audit("visits.visitor", v.code, "ok", {{"unit", v.unit}, {"kind", v.kind}});
  return Reply::Json(VisitorJson(v));
}

// The visitor `id` when within the caller's area, else visits.not_found.
Result<visits::Visitor> VisitorInScope(Call& call, visits::VisitsStore& store, int64_t id) {
  Result<std::vector<visits::Visitor>> list = store.Visitors(ScopePrefixOf(*call.user));
  if (!list.ok()) return list.status();
  for (const visits::Visitor& v : *list) {
    if (v.id == id) return v;
  }
  return Status(ErrorCategory::kNotFound, "visits.not_found", "您的辖区内没有这名探访人员",
                Location{.field = "visitor_id", .value = std::to_string(id)});
}

Result<int64_t> IntField(const json::object& o, std::string_view key, bool required) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (!required) return int64_t{0};
    return Status("request.field", fmt::format("缺少字段 {}", key),
                  Location{.field = std::string(key)});
  }
  if (!v->is_int64()) {
    return Status("request.field", fmt::format("字段 {} 应为整数", key),
                  Location{.field = std::string(key)});
  }
  return v->as_int64();
}

// POST /visits/assignments {"visitor_id", "id_number" (or a person ref),
// "from_visitor_id"?}: assigns a person to a visitor; with from_visitor_id,
// moves them (the street supervisor reassigns).
Result<Reply> AssignRoute(Call& call) {
  if (call.user->scope == DataScope::kSelf) return NeedArea("分派探访对象");
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<int64_t> to = IntField(*body, "visitor_id", true);
  if (!to.ok()) return to.status();
  Result<int64_t> from = IntField(*body, "from_visitor_id", false);
  if (!from.ok()) return from.status();
  Result<std::optional<std::string>> person = StringField(*body, "id_number");
  if (!person.ok()) return person.status();
  Result<std::string> id = PersonIdOf(call, person->value_or(""));
  if (!id.ok()) return id.status();
  if (Status s = CheckPersonAccess(call, *id, "visits.assign"); !s.ok()) return s;
  visits::VisitsStore store(call.registry->db());
  Result<visits::Visitor> target = VisitorInScope(call, store, *to);
  if (!target.ok()) return target.status();
  if (*from != 0) {
    Result<visits::Visitor> source = VisitorInScope(call, store, *from);
    if (!source.ok()) return source.status();
    if (Status s = store.Unassign(*from, *id); !s.ok()) return s;
  }
  if (Status s = store.Assign(*to, *id, call.app.Today().ToString()); !s.ok()) return s;
  call.Audit("visits.assign", *id, "ok", {{"visitor", target->code}, {"from", *from}});
  return Reply::Json({{"visitor_id", *to}, {"id_number", MaskIdNumber(*id)}});
}

// GET /visits/workload?month=: each visitor's load in the caller's area and
// suggestions to even it out.
Result<Reply> WorkloadRoute(Call& call) {
  if (call.user->scope == DataScope::kSelf) return NeedArea("查看工作量");
  Result<Month> month = MonthParam(call, "month", Month::Of(call.app.Today()));
  if (!month.ok()) return month.status();
  visits::VisitsStore store(call.registry->db());
  Result<std::vector<visits::Workload>> loads = store.Workloads(*month, ScopePrefixOf(*call.user));
  if (!loads.ok()) return loads.status();
  json::array items;
  for (const visits::Workload& w : *loads) {
    items.push_back({{"visitor", VisitorJson(w.visitor)},
                     {"people", w.people},
                     {"visits_per_month", static_cast<double>(w.load_tenths) / 10.0},
                     {"visited", w.visited}});
  }
  json::array moves;
  for (const visits::Rebalance& r : visits::SuggestRebalance(*loads)) {
    moves.push_back({{"id_number", MaskIdNumber(r.id_number)},
                     {"ref", call.app.PersonRef(r.id_number)},
                     {"from_visitor_id", r.from_visitor},
                     {"from", r.from_code},
                     {"to_visitor_id", r.to_visitor},
                     {"to", r.to_code}});
  }
  return Reply::Json({{"month", month->ToString()}, {"items", items}, {"suggestions", moves}});
}

json::object ReferralJson(Call& call, const visits::Referral& r) {
  return {{"id", r.id},
          {"visit_id", r.visit_id},
          {"id_number", MaskIdNumber(r.id_number)},
          {"ref", call.app.PersonRef(r.id_number)},
          {"region", RegionJson(r.region)},
          {"kind", r.kind},
          {"kind_name", visits::ReferralName(r.kind)},
          {"note", r.note},
          {"status", r.status},
          {"status_name", r.status == "open" ? "办理中" : "已办结"},
          {"opened_on", r.opened_on},
          {"closed_on", r.closed_on},
          {"closed_by", r.closed_by},
          {"outcome", r.outcome}};
}

Result<Reply> ReferralsRoute(Call& call) {
  if (call.user->scope == DataScope::kSelf) return NeedArea("查看转介");
  Result<std::optional<std::string>> status =
      EnumQuery(call, "status", {{"open", "办理中"}, {"closed", "已办结"}});
  if (!status.ok()) return status.status();
  visits::VisitsStore store(call.registry->db());
  Result<std::vector<visits::Referral>> list =
      store.Referrals(ScopePrefixOf(*call.user), status->value_or(""));
  if (!list.ok()) return list.status();
  json::array items;
  for (const visits::Referral& r : *list) items.push_back(ReferralJson(call, r));
  call.Audit("visits.referrals", status->value_or("all"), "ok", {{"count", items.size()}});
  return Reply::Json({{"items", items}});
}

// POST /visits/referrals/{id}/close {"outcome"}.
Result<Reply> CloseReferralRoute(Call& call) {
  if (call.user->scope == DataScope::kSelf) return NeedArea("办结转介");
  int64_t id = 0;
  try {
    id = std::stoll(call.Path("id"));
  } catch (...) {
    return Status("request.field", "转介编号应为整数",
                  Location{.field = "id", .value = call.Path("id")});
  }
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::optional<std::string>> outcome = StringField(*body, "outcome");
  if (!outcome.ok()) return outcome.status();
  visits::VisitsStore store(call.registry->db());
  Result<std::optional<visits::Referral>> found = store.FindReferral(id);
  if (!found.ok()) return found.status();
  if (!found->has_value() || !(*found)->region.starts_with(ScopePrefixOf(*call.user))) {
    return Status(ErrorCategory::kNotFound, "visits.not_found", "您的辖区内没有这条转介",
                  Location{.field = "id", .value = std::to_string(id)});
  }
  if (Status s =
          store.CloseReferral(id, outcome->value_or(""), call.user->username, call.app.Today());
      !s.ok())
    return s;
  Result<std::optional<visits::Referral>> closed = store.FindReferral(id);
  if (!closed.ok()) return closed.status();
  call.Audit("visits.referral.close", (*closed)->id_number, "ok", {{"referral", id}});
  return Reply::Json(ReferralJson(call, **closed));
}

// POST /visits/events {"id_number", "kind", "on"}: an event calling for a
// visit within the policy's days.
Result<Reply> EventRoute(VisitsState& state, Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  std::string person, kind, on;
  for (auto [key, field] :
       {std::pair{"id_number", &person}, std::pair{"kind", &kind}, std::pair{"on", &on}}) {
    Result<std::optional<std::string>> f = StringField(*body, key);
    if (!f.ok()) return f.status();
    *field = f->value_or("");
  }
  Result<std::string> id = PersonIdOf(call, person);
  if (!id.ok()) return id.status();
  visits::VisitsStore store(call.registry->db());
  if (Status s = CheckVisitAccess(call, store, *id, "visits.event"); !s.ok()) return s;
  const visits::RosterRules* rules = RulesOfCaller(state, call);
  if (rules == nullptr && !state.rules.empty()) rules = state.rules.front().get();
  if (rules == nullptr) return NoPolicy(call);
  if (Status s = store.RecordEvent(rules->policy(), *id, kind, on, call.user->username); !s.ok()) {
    return s;
  }
  call.Audit("visits.event", *id, "ok", {{"kind", kind}, {"on", on}});
  return Reply::Json({{"id_number", MaskIdNumber(*id)}, {"kind", kind}, {"on", on}});
}

// GET /visits/summary: the dashboard's figures for the caller's area: the
// roster, overdue and escalated today, open referrals, this month's rate.
Result<Reply> SummaryRoute(VisitsState& state, Call& call) {
  if (call.user->scope == DataScope::kSelf) return NeedArea("探访概况");
  const visits::RosterRules* rules = RulesOfCaller(state, call);
  if (rules == nullptr) return NoPolicy(call);
  CivilDate today = call.app.Today();
  Month month = Month::Of(today);
  std::string prefix = ScopePrefixOf(*call.user);
  visits::VisitsStore store(call.registry->db());
  Result<std::vector<visits::DueEntry>> due = store.DueList(rules->policy(), today, prefix);
  if (!due.ok()) return due.status();
  int64_t overdue = 0, escalated = 0, due_now = 0;
  for (const visits::DueEntry& e : *due) {
    overdue += e.state == visits::DueState::kOverdue;
    escalated += e.escalate;
    due_now += e.state == visits::DueState::kDue;
  }
  Result<std::vector<visits::Referral>> open = store.Referrals(prefix, "open");
  if (!open.ok()) return open.status();
  Result<std::vector<visits::RateRow>> rates = store.Rates(month, visits::RateLevel::kCity, prefix);
  if (!rates.ok()) return rates.status();
  visits::RateRow all;
  for (const visits::RateRow& r : *rates) {
    all.roster += r.roster;
    all.visited += r.visited;
    all.documented += r.documented;
  }
  json::object out = {{"month", month.ToString()},
                      {"roster", all.roster},
                      {"visited", all.visited},
                      {"rate_bp", all.rate_bp()},
                      {"due", due_now},
                      {"overdue", overdue},
                      {"escalated", escalated},
                      {"open_referrals", open->size()},
                      {"escalate_after_days", rules->policy().escalate_after_days}};
  if (std::optional<visits::RateTarget> t = rules->policy().TargetFor(month.year())) {
    out["target"] = {{"year", t->year}, {"percent", t->percent}, {"quote", t->quote}};
  }
  return Reply::Json(std::move(out));
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
  router.Add(verb::post, "/api/v1/visits/roster",
             {.permission = "visits:roster:create", .blocking = true},
             [state](Call& call) { return RosterRoute(*state, call); });
  router.Add(verb::get, "/api/v1/visits/visitors", {.permission = "visits:roster:read"},
             VisitorsRoute);
  router.Add(verb::post, "/api/v1/visits/visitors", {.permission = "visits:visitor:manage"},
             PutVisitorRoute);
  router.Add(verb::post, "/api/v1/visits/assignments", {.permission = "visits:visitor:manage"},
             AssignRoute);
  router.Add(verb::get, "/api/v1/visits/workload", {.permission = "visits:visitor:manage"},
             WorkloadRoute);
  router.Add(verb::get, "/api/v1/visits/referrals", {.permission = "visits:roster:read"},
             ReferralsRoute);
  router.Add(verb::post, "/api/v1/visits/referrals/{id}/close",
             {.permission = "visits:referral:manage"}, CloseReferralRoute);
  router.Add(verb::post, "/api/v1/visits/events", {.permission = "visits:visit:create"},
             [state](Call& call) { return EventRoute(*state, call); });
  router.Add(verb::get, "/api/v1/visits/summary", {.permission = "visits:rate:read"},
             [state](Call& call) { return SummaryRoute(*state, call); });
}

}  // namespace yanglao::server
