// Routes: institutions and the admission waitlist (入住评估轮候).
//   the institutions with beds by type, occupancy and the beds report
//   against the city's targets; their import (XLSX/CSV, all or nothing);
//   the queue with names, masked ID numbers and each position's rule trace
//   (an audited read of persons' data), as JSON or an Excel/CSV export;
//   the beds and open offers; allocation of a vacant bed with a deadline;
//   recording an application's capability assessment (from the assess
//   module's records: an expired one is refused); the daily sweep (expired
//   assessments back to 评估, offers past their deadline refused); and the
//   public queue (信息公开, no sign-in): positions, names masked to their
//   first character, class and waiting date, no ID number.
// Everything a signed-in user sees is cut by jurisdiction: a county official
// sees the county's institutions, beds and applicants (positions stay the
// city-wide ones) and allocates only its beds. docs/waitlist.md describes
// them.
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <memory>

#include "assess/store.h"
#include "core/id_number.h"
#include "core/region.h"
#include "server/api_util.h"
#include "server/app.h"
#include "waitlist/institution.h"
#include "waitlist/queue.h"
#include "waitlist/rules.h"
#include "waitlist/store.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

struct WaitlistState {
  std::map<std::string, std::unique_ptr<waitlist::WaitlistRules>> by_city;
  Status load_error;
};

// The rules of `?city=` (a GB/T 2260 city code); without it, the only city
// whose code covers the user's unit (or the only city). waitlist.city when
// none.
Result<const waitlist::WaitlistRules*> RulesOf(const WaitlistState& state, const Call& call) {
  if (!state.load_error.ok()) return state.load_error;
  std::string city = call.Query("city").value_or("");
  if (city.empty()) {
    const waitlist::WaitlistRules* only = nullptr;
    int n = 0;
    for (const auto& [code, r] : state.by_city) {
      if (call.user == nullptr || call.user->unit_code.empty() ||
          call.user->unit_code.starts_with(code.substr(0, 4)) ||
          code.starts_with(call.user->unit_code)) {
        only = r.get();
        ++n;
      }
    }
    if (n == 1) return only;
  }
  auto it = state.by_city.find(city);
  if (it == state.by_city.end()) {
    return Status("waitlist.city", "没有该市的轮候规则（policies/waitlist/），请用 city 指定城市",
                  Location{.field = "city", .value = city.substr(0, 12)});
  }
  return it->second.get();
}

// Whether `county` ("" : the city as a whole) is within the user's reach.
bool Visible(const Call& call, const waitlist::WaitlistRules& rules, const std::string& county) {
  return UnitWithinScope(*call.user, county.empty() ? rules.jurisdiction() : county);
}

bool InCity(const waitlist::WaitlistRules& rules, const std::string& county) {
  return county.starts_with(rules.jurisdiction().substr(0, 4));
}

std::string RegionName(const std::string& code) {
  const Region* r = RegionTable::Builtin().Find(code);
  return r == nullptr ? code : r->name;
}

json::object CountsJson(const waitlist::BedCounts& c) {
  return {{"county", c.county},
          {"county_name", RegionName(c.county)},
          {"institutions", c.institutions},
          {"beds", c.beds()},
          {"beds_normal", c.beds_normal},
          {"beds_nursing", c.beds_nursing},
          {"beds_dementia", c.beds_dementia},
          {"rooms", c.rooms},
          {"occupied", c.occupied},
          {"occupancy", c.occupancy()},
          {"nursing_share", c.nursing_share()},
          {"social_share", c.social_share()},
          {"tekun_institutions", c.tekun_institutions},
          {"tekun_willing", c.tekun_willing},
          {"tekun_admitted", c.tekun_admitted},
          {"tekun_rate", c.tekun_rate()},
          {"waiting", c.waiting}};
}

Result<Reply> CitiesRoute(const WaitlistState& state, Call& call) {
  if (!state.load_error.ok()) return state.load_error;
  json::array items;
  for (const auto& [code, r] : state.by_city) {
    if (!UnitWithinScope(*call.user, code) && !code.starts_with(call.user->unit_code) &&
        !call.user->unit_code.starts_with(code.substr(0, 4))) {
      continue;
    }
    items.push_back({{"code", code}, {"name", RegionName(code)}});
  }
  return Reply::Json({{"items", std::move(items)}});
}

Result<Reply> InstitutionsRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  const waitlist::WaitlistRules& wr = **rules;
  waitlist::WaitlistStore store(call.registry->db(), wr);
  Result<std::vector<waitlist::Institution>> all = store.Institutions();
  if (!all.ok()) return all.status();
  Result<waitlist::State> s = store.Load();
  if (!s.ok()) return s.status();
  std::vector<waitlist::Institution> city;
  for (const waitlist::Institution& i : *all) {
    if (InCity(wr, i.county)) city.push_back(i);
  }
  waitlist::BedReport report = waitlist::ReportBeds(wr, city, *s);
  json::array items;
  for (const waitlist::Institution& i : city) {
    if (!Visible(call, wr, i.county)) continue;
    items.push_back({{"id", i.id},
                     {"name", i.name},
                     {"ownership", i.ownership},
                     {"grade", i.grade},
                     {"grade_label", waitlist::GradeLabel(i.grade)},
                     {"county", i.county},
                     {"county_name", RegionName(i.county)},
                     {"beds", i.beds()},
                     {"beds_normal", i.beds_normal},
                     {"beds_nursing", i.beds_nursing},
                     {"beds_dementia", i.beds_dementia},
                     {"rooms", i.rooms},
                     {"occupied", i.occupied},
                     {"tekun_care", i.tekun_care}});
  }
  json::array counties;
  for (const waitlist::BedCounts& c : report.counties) {
    if (Visible(call, wr, c.county)) counties.push_back(CountsJson(c));
  }
  bool whole_city = Visible(call, wr, "");
  json::array checks;
  for (const waitlist::TargetCheck& k : report.checks) {
    if (k.county.empty() ? !whole_city : !Visible(call, wr, k.county)) continue;
    checks.push_back({{"key", k.target->key},
                      {"label", k.target->label},
                      {"quote", k.target->quote},
                      {"note", k.target->note},
                      {"min", k.target->min},
                      {"county", k.county},
                      {"county_name", k.county.empty() ? "全市" : RegionName(k.county)},
                      {"value", k.value},
                      {"met", k.met}});
  }
  json::object out{{"city", wr.jurisdiction()},
                   {"city_name", RegionName(wr.jurisdiction())},
                   {"items", std::move(items)},
                   {"counties", std::move(counties)},
                   {"checks", std::move(checks)}};
  if (whole_city) out["total"] = CountsJson(report.city);
  return Reply::Json(out);
}

Result<Reply> ImportRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  std::string name = ToValidUtf8(call.Query("file_name").value_or("机构名单").substr(0, 100));
  Result<waitlist::InstitutionFile> file =
      waitlist::ParseInstitutionFile(call.request.body(), name);
  if (!file.ok()) return file.status();
  if (!file->ok()) {
    json::array problems;
    for (const Status& p : file->problems) {
      problems.push_back({{"code", p.code()},
                          {"message", p.message()},
                          {"sheet", file->sheet},
                          {"line", p.where().line},
                          {"column", p.where().column},
                          {"field", p.where().field},
                          {"value", p.where().value}});
    }
    call.Audit("waitlist.institution.import", name, "failed", {{"problems", file->problem_count}});
    return Reply::Json({{"imported", false},
                        {"sheet", file->sheet},
                        {"problem_count", file->problem_count},
                        {"problems", std::move(problems)}},
                       422);
  }
  for (const waitlist::Institution& i : file->institutions) {
    if (!InCity(**rules, i.county) || !UnitWithinScope(*call.user, i.county)) {
      return Status(ErrorCategory::kDenied, "waitlist.scope", "名单中有不在您管辖范围内的机构",
                    Location{.field = "所在区县", .value = i.county});
    }
  }
  waitlist::WaitlistStore store(call.registry->db(), **rules);
  Result<waitlist::ImportOutcome> out = store.PutInstitutions(file->institutions);
  if (!out.ok()) return out.status();
  call.Audit("waitlist.institution.import", name, "ok",
             {{"added", out->added}, {"updated", out->updated}, {"unchanged", out->unchanged}});
  return Reply::Json({{"imported", true},
                      {"added", out->added},
                      {"updated", out->updated},
                      {"unchanged", out->unchanged}});
}

Result<Reply> QueueRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  const waitlist::WaitlistRules& wr = **rules;
  Result<std::optional<std::string>> format =
      EnumQuery(call, "format", {{"json", ""}, {"csv", "CSV"}, {"xlsx", "Excel"}});
  if (!format.ok()) return format.status();
  waitlist::WaitlistStore store(call.registry->db(), wr);
  Result<waitlist::State> s = store.Load();
  if (!s.ok()) return s.status();
  Result<std::vector<waitlist::Offer>> offers = store.OpenOffers();
  if (!offers.ok()) return offers.status();
  std::map<int64_t, const waitlist::Offer*> offer_of;
  for (const waitlist::Offer& o : *offers) offer_of[o.application] = &o;
  json::array items;
  std::vector<std::vector<std::string>> rows = {{"位次", "申请编号", "身份证号", "姓名", "区县",
                                                 "床位类型", "类别", "状态", "已分配床位",
                                                 "确认期限", "排序依据"}};
  for (const waitlist::Position& p : waitlist::Rank(wr, *s)) {
    const waitlist::Application& a = s->applications.at(p.application);
    if (!Visible(call, wr, a.county)) continue;
    auto o = offer_of.find(a.id);
    std::string deadline = o == offer_of.end() ? "" : o->second->deadline.ToString();
    std::string klass = p.klass < wr.classes().size() ? wr.classes()[p.klass].name : "其他";
    json::array why;
    if (p.klass < wr.classes().size()) {
      why.push_back({{"step", "类别"},
                     {"value", klass},
                     {"rule", wr.classes()[p.klass].rule},
                     {"basis", wr.classes()[p.klass].basis}});
    }
    for (const waitlist::OrderKey& k : wr.order()) {
      switch (k.kind) {
        case waitlist::OrderKey::Kind::kFact:
          why.push_back({{"step", k.label},
                         {"value", fmt::format("{}", a.facts[k.slot])},
                         {"rule", k.desc ? "大者在前" : "小者在前"},
                         {"basis", ""}});
          break;
        case waitlist::OrderKey::Kind::kTieBreakers:
          if (p.tie < wr.tie_breakers().size()) {
            why.push_back({{"step", "同等条件下优先"},
                           {"value", wr.tie_breakers()[p.tie].name},
                           {"rule", wr.tie_breakers()[p.tie].rule},
                           {"basis", wr.tie_breakers()[p.tie].basis}});
          }
          break;
        case waitlist::OrderKey::Kind::kWaiting:
          why.push_back({{"step", "轮候时间"},
                         {"value", a.since.ToString()},
                         {"rule", "早者在前"},
                         {"basis", ""}});
          break;
      }
    }
    items.push_back({{"position", p.position},
                     {"application", a.id},
                     {"id_number", MaskIdNumber(a.person)},
                     {"name", a.name},
                     {"county", a.county},
                     {"county_name", a.county.empty() ? "" : RegionName(a.county)},
                     {"bed_type", a.bed_type},
                     {"class", klass},
                     {"status", waitlist::StatusLabel(a.status)},
                     {"offered_bed", a.offered_bed},
                     {"deadline", deadline},
                     {"valid_until", a.valid_until ? a.valid_until->ToString() : ""},
                     {"trace", p.trace},
                     {"why", std::move(why)}});
    rows.push_back({std::to_string(p.position), std::to_string(a.id), MaskIdNumber(a.person),
                    a.name, a.county.empty() ? "" : RegionName(a.county), a.bed_type, klass,
                    std::string(waitlist::StatusLabel(a.status)), a.offered_bed, deadline,
                    p.trace});
  }
  json::array others;  // applications not in the queue (申请, 评估, 入住, 放弃, 撤回)
  for (const auto& [id, a] : s->applications) {
    if (a.status == waitlist::AppStatus::kWaiting || !Visible(call, wr, a.county)) continue;
    others.push_back({{"application", a.id},
                      {"id_number", MaskIdNumber(a.person)},
                      {"name", a.name},
                      {"bed_type", a.bed_type},
                      {"status", waitlist::StatusLabel(a.status)},
                      {"valid_until", a.valid_until ? a.valid_until->ToString() : ""}});
  }
  call.Audit("waitlist.queue.read", wr.jurisdiction(), "ok",
             {{"applicants", items.size()}, {"format", format->value_or("json")}});
  if (format->has_value() && **format != "json") {
    return TableDownload(rows, **format, "轮候队列", "入住轮候队列");
  }
  return Reply::Json(
      {{"city", wr.jurisdiction()}, {"items", std::move(items)}, {"others", std::move(others)}});
}

Result<Reply> BedsRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  const waitlist::WaitlistRules& wr = **rules;
  waitlist::WaitlistStore store(call.registry->db(), wr);
  Result<std::vector<waitlist::Institution>> insts = store.Institutions();
  if (!insts.ok()) return insts.status();
  std::map<std::string, const waitlist::Institution*> inst_of;
  for (const waitlist::Institution& i : *insts) inst_of[i.id] = &i;
  Result<waitlist::State> s = store.Load();
  if (!s.ok()) return s.status();
  Result<std::vector<waitlist::Offer>> offers = store.OpenOffers();
  if (!offers.ok()) return offers.status();
  std::map<std::string, const waitlist::Offer*> offer_of;
  for (const waitlist::Offer& o : *offers) offer_of[o.bed] = &o;
  json::array items;
  for (const auto& [id, b] : s->beds) {
    auto i = inst_of.find(b.institution);
    std::string county = i == inst_of.end() ? "" : i->second->county;
    if (!county.empty() && !InCity(wr, county)) continue;
    if (!Visible(call, wr, county)) continue;
    auto o = offer_of.find(b.id);
    items.push_back({{"bed", b.id},
                     {"institution", b.institution},
                     {"institution_name", i == inst_of.end() ? b.institution : i->second->name},
                     {"county", county},
                     {"type", b.type},
                     {"state", b.occupant != 0     ? "occupied"
                               : b.offered_to != 0 ? "offered"
                                                   : "vacant"},
                     {"offered_to", b.offered_to},
                     {"deadline", o == offer_of.end() ? "" : o->second->deadline.ToString()}});
  }
  return Reply::Json({{"city", wr.jurisdiction()}, {"items", std::move(items)}});
}

Result<Reply> AllocateRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  Result<int64_t> days = call.QueryInt("days", 7, 1, 90);
  if (!days.ok()) return days.status();
  waitlist::WaitlistStore store(call.registry->db(), **rules);
  const std::string& bed = call.Path("bed");
  // The bed's institution must be within the caller's jurisdiction.
  Result<waitlist::State> s = store.Load();
  if (!s.ok()) return s.status();
  auto b = s->beds.find(bed);
  if (b != s->beds.end()) {
    Result<std::vector<waitlist::Institution>> insts = store.Institutions();
    if (!insts.ok()) return insts.status();
    std::string county;
    for (const waitlist::Institution& i : *insts) {
      if (i.id == b->second.institution) county = i.county;
    }
    if (!Visible(call, **rules, county)) {
      call.Audit("waitlist.bed.allocate", bed, "denied");
      return Status(ErrorCategory::kDenied, "waitlist.scope", "该床位所在机构不在您的管辖范围内",
                    Location{.field = "bed", .value = bed});
    }
  }
  Result<std::optional<waitlist::Offer>> offer =
      store.Allocate(bed, call.app.Today(), static_cast<int>(*days));
  if (!offer.ok()) return offer.status();
  call.Audit("waitlist.bed.allocate", bed, "ok",
             {{"application", offer->has_value() ? (*offer)->application : 0}});
  if (!offer->has_value()) return Reply::Json({{"bed", bed}, {"offer", nullptr}});
  Result<waitlist::State> after = store.Load();
  if (!after.ok()) return after.status();
  const waitlist::Application& a = after->applications.at((*offer)->application);
  return Reply::Json({{"bed", bed},
                      {"offer",
                       {{"application", (*offer)->application},
                        {"name", a.name},
                        {"id_number", MaskIdNumber(a.person)},
                        {"offered_on", (*offer)->offered_on.ToString()},
                        {"deadline", (*offer)->deadline.ToString()},
                        {"refusal_rule", (*rules)->refusal_basis()}}}});
}

// Records an application's capability assessment: the person's latest
// assessment (assess module), its level and validity; other facts as the
// intake states them (body "facts": "age=81 tekun=dispersed").
Result<Reply> AssessRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  Result<int64_t> id = IdPath(call, "id", "申请编号应为正整数");
  if (!id.ok()) return id.status();
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::optional<std::string>> text = StringField(*body, "facts");
  if (!text.ok()) return text.status();
  Result<policy::PersonFacts> facts = waitlist::FactsFromText(text->value_or(""));
  if (!facts.ok()) return facts.status();
  waitlist::WaitlistStore store(call.registry->db(), **rules);
  Result<waitlist::State> s = store.Load();
  if (!s.ok()) return s.status();
  auto it = s->applications.find(*id);
  if (it == s->applications.end() || !Visible(call, **rules, it->second.county)) {
    return Status(ErrorCategory::kNotFound, "waitlist.application_not_found", "没有该申请",
                  Location{.field = "id", .value = std::to_string(*id)});
  }
  assess::AssessmentStore assessments(*call.registry);
  Result<std::vector<assess::AssessmentRecord>> history = assessments.History(it->second.person);
  if (!history.ok()) return history.status();
  const assess::AssessmentRecord* latest = nullptr;
  for (const assess::AssessmentRecord& r : *history) {
    if (!(call.app.Today() < r.assessed_on)) latest = &r;
  }
  if (latest == nullptr) {
    return Status(ErrorCategory::kConflict, "waitlist.no_assessment",
                  "申请人尚无老年人能力评估结果，请先评估",
                  Location{.field = "id", .value = std::to_string(*id)});
  }
  const policy::FactSchema& schema = policy::FactSchema::Person();
  if (std::optional<size_t> slot = schema.Find("capability_level")) {
    (*facts)[*slot] = latest->final_level;
  }
  if (std::optional<size_t> slot = schema.Find("capability_assessed")) (*facts)[*slot] = 1;
  Status st = store.Assess(*id, *facts, call.app.Today(), latest->valid_until);
  call.Audit("waitlist.application.assess", std::to_string(*id), st.ok() ? "ok" : "failed",
             {{"assessment", latest->id}, {"valid_until", latest->valid_until.ToString()}});
  if (!st.ok()) return st;
  return Reply::Json({{"application", *id},
                      {"capability_level", latest->final_level},
                      {"valid_until", latest->valid_until.ToString()},
                      {"status", "轮候"}});
}

Result<Reply> SweepRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  waitlist::WaitlistStore store(call.registry->db(), **rules);
  Result<std::vector<int64_t>> expired = store.ExpireAssessments(call.app.Today());
  if (!expired.ok()) return expired.status();
  Result<std::vector<int64_t>> lapsed = store.LapseOffers(call.app.Today());
  if (!lapsed.ok()) return lapsed.status();
  call.Audit("waitlist.sweep", (*rules)->jurisdiction(), "ok",
             {{"expired", expired->size()}, {"lapsed", lapsed->size()}});
  return Reply::Json(
      {{"expired", json::value_from(*expired)}, {"lapsed", json::value_from(*lapsed)}});
}

Result<Reply> PublicQueueRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  waitlist::WaitlistStore store(call.registry->db(), **rules);
  Result<waitlist::State> s = store.Load();
  if (!s.ok()) return s.status();
  json::array items;
  for (const waitlist::PublicEntry& e : waitlist::PublicQueue(**rules, *s)) {
    items.push_back({{"position", e.position},
                     {"name", e.name},
                     {"bed_type", e.bed_type},
                     {"class", e.klass},
                     {"since", e.since}});
  }
  return Reply::Json({{"city", (*rules)->jurisdiction()}, {"items", std::move(items)}});
}

}  // namespace

void AddWaitlistRoutes(App& app, Router& router) {
  auto state = std::make_shared<WaitlistState>();
  std::error_code ec;
  std::filesystem::path dir = app.options().policies_dir / "waitlist";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".waitlist.yaml")) continue;
    auto rules = waitlist::WaitlistRules::Load(entry.path(), app.Today());
    if (!rules.ok()) {
      state->load_error = rules.status();
      break;
    }
    std::string city = (*rules)->jurisdiction();
    state->by_city[city] = std::move(*rules);
  }
  router.Add(verb::get, "/api/v1/waitlist/cities", {.permission = "waitlist:queue:read"},
             [state](Call& call) { return CitiesRoute(*state, call); });
  router.Add(verb::get, "/api/v1/waitlist/institutions", {.permission = "waitlist:queue:read"},
             [state](Call& call) { return InstitutionsRoute(*state, call); });
  router.Add(verb::post, "/api/v1/waitlist/institutions/import",
             {.permission = "waitlist:institution:import", .body_limit = 16u << 20, .upload = true},
             [state](Call& call) { return ImportRoute(*state, call); });
  router.Add(verb::get, "/api/v1/waitlist/queue", {.permission = "waitlist:queue:read"},
             [state](Call& call) { return QueueRoute(*state, call); });
  router.Add(verb::get, "/api/v1/waitlist/beds", {.permission = "waitlist:queue:read"},
             [state](Call& call) { return BedsRoute(*state, call); });
  router.Add(verb::post, "/api/v1/waitlist/beds/{bed}/allocate",
             {.permission = "waitlist:bed:allocate"},
             [state](Call& call) { return AllocateRoute(*state, call); });
  router.Add(verb::post, "/api/v1/waitlist/applications/{id}/assess",
             {.permission = "waitlist:bed:allocate"},
             [state](Call& call) { return AssessRoute(*state, call); });
  router.Add(verb::post, "/api/v1/waitlist/sweep", {.permission = "waitlist:bed:allocate"},
             [state](Call& call) { return SweepRoute(*state, call); });
  router.Add(verb::get, "/api/v1/public/waitlist", {.open = true},
             [state](Call& call) { return PublicQueueRoute(*state, call); });
}

}  // namespace yanglao::server
