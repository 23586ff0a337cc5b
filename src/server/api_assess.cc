// Routes: capability assessments (GB/T 42195-2022): a person's history,
// recording a form, requests for re-assessment, and the work lists of who is
// due, by region.
//
// An assessment is health information: the history needs the person in the
// caller's scope and is an audited read; the answers and diagnoses are shown
// only to users who may see the health field group (access.h), the others
// see dates, agency and level.
#include <fmt/format.h>

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "assess/due.h"
#include "assess/form_json.h"
#include "assess/store.h"
#include "core/id_number.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/live_state.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

// The store over the request's connection: no I/O (its tables were brought
// up to date at start-up).
Result<std::unique_ptr<assess::AssessmentStore>> StoreOf(Call& call) {
  return std::make_unique<assess::AssessmentStore>(*call.registry);
}

json::object ScoreJson(const std::array<int, assess::kDimensionCount>& subtotals, int total,
                       int preliminary, int final_level) {
  json::object o;
  json::array dims;
  for (size_t d = 0; d < assess::kDimensionCount; ++d) {
    const assess::Dimension& dim = assess::Dimensions()[d];
    dims.push_back(
        {{"clause", dim.clause}, {"name", dim.name}, {"score", subtotals[d]}, {"max", dim.max}});
  }
  o["dimensions"] = std::move(dims);
  o["total"] = total;
  o["preliminary_level"] = preliminary;
  o["level"] = final_level;
  o["level_name"] = assess::LevelLabel(final_level);
  return o;
}

json::object AnswersJson(const assess::FormAnswers& a) {
  json::object items;
  for (size_t i = 0; i < assess::kItemCount; ++i) items[assess::Items()[i].code] = a.items[i];
  return {{"items", std::move(items)},
          {"coma", a.coma},
          {"dementia", a.dementia},
          {"mental_disorder", a.mental_disorder}};
}

Result<Reply> HistoryRoute(Call& call) {
  Result<std::string> id = PersonIdOf(call, call.Path("ref"));
  if (!id.ok()) return id.status();
  if (Status s = CheckPersonAccess(call, *id, "assessment.read"); !s.ok()) return s;
  Result<std::unique_ptr<assess::AssessmentStore>> store = StoreOf(call);
  if (!store.ok()) return store.status();
  Result<std::vector<assess::AssessmentRecord>> history = (*store)->History(*id);
  if (!history.ok()) return history.status();
  const bool health = CanSeeFact(*call.user, "dementia");
  const CivilDate today = call.app.Today();
  json::array items;
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    const assess::AssessmentRecord& r = *it;
    json::object o;
    o["id"] = r.id;
    o["assessed_on"] = r.assessed_on.ToString();
    o["valid_until"] = r.valid_until.ToString();
    o["valid_today"] = r.assessed_on <= today && today <= r.valid_until;
    o["reason"] = assess::ReasonKey(r.reason);
    o["reason_name"] = assess::ReasonName(r.reason);
    o["assessor"] = r.assessor;
    o["agency"] = r.agency;
    o["level"] = r.final_level;
    o["level_name"] = assess::LevelLabel(r.final_level);
    o["recorded_on"] = r.recorded_on.ToString();
    if (health) {
      o["score"] = ScoreJson(r.subtotals, r.total, r.preliminary_level, r.final_level);
      o["adjustments"] = json::value_from(r.adjustments);
      o["answers"] = AnswersJson(r.answers);
      o["rules"] = r.rules;
      o["note"] = r.note;
    }
    items.push_back(std::move(o));
  }
  json::object out;
  out["ref"] = call.app.PersonRef(*id);
  out["id_number"] = MaskIdNumber(*id);
  out["items"] = std::move(items);
  out["details_withheld"] = !health;
  call.Audit("assessment.read", *id, "ok", {{"count", history->size()}, {"details", health}});
  return Reply::Json(out);
}

Result<Reply> RecordRoute(Call& call) {
  auto type = call.request[http::field::content_type];
  if (!type.starts_with("application/json")) {
    return Status("request.media_type", "请求内容类型应为 application/json",
                  Location{.field = "Content-Type", .value = std::string(type.substr(0, 64))});
  }
  Result<assess::FormDocument> form = assess::ParseFormJson(
      call.request.body(), "请求内容", {.require_header = true, .today = call.app.Today()});
  if (!form.ok()) return form.status();
  const std::string& id = form->header.id_number;
  if (Status s = CheckPersonAccess(call, id, "assessment.create"); !s.ok()) return s;
  Result<std::unique_ptr<assess::AssessmentStore>> store = StoreOf(call);
  if (!store.ok()) return store.status();
  assess::RecordSettings settings;
  Result<assess::RecordOutcome> out = (*store)->Record(*form, settings, call.app.Today());
  if (!out.ok()) return out.status();
  assess::Score score = assess::ScoreForm(form->answers, settings.rules);
  json::object o;
  o["id"] = out->first_id;
  o["already_recorded"] = out->already_recorded;
  o["ref"] = call.app.PersonRef(id);
  o["id_number"] = MaskIdNumber(id);
  o["assessed_on"] = form->header.assessed_on->ToString();
  o["valid_until"] =
      assess::ValidUntil(*form->header.assessed_on, settings.validity_months).ToString();
  o["score"] = ScoreJson(score.subtotals, score.total, score.preliminary_level, score.final_level);
  json::array adjustments;
  for (const assess::Adjustment& a : score.adjustments) {
    adjustments.push_back({{"code", a.code},
                           {"name", assess::AdjustmentName(a.code)},
                           {"clause", a.clause},
                           {"applied", a.applied},
                           {"from", a.from},
                           {"to", a.to},
                           {"reason", a.reason},
                           {"note", a.note}});
  }
  o["adjustments"] = std::move(adjustments);
  o["facts_added"] = out->facts_added;
  call.Audit("assessment.create", id, "ok",
             {{"assessment", out->first_id},
              {"level", score.final_level},
              {"already_recorded", out->already_recorded}});
  return Reply::Json(o, out->already_recorded ? 200 : 201);
}

Result<Reply> RequestRoute(Call& call) {
  Result<std::string> id = PersonIdOf(call, call.Path("ref"));
  if (!id.ok()) return id.status();
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::optional<std::string>> note = StringField(*body, "note");
  if (!note.ok()) return note.status();
  if (note->value_or("").size() > 2000) {
    return Status("request.field", "说明不超过 2000 字节", Location{.field = "note"});
  }
  Result<std::optional<std::string>> on_text = StringField(*body, "requested_on");
  if (!on_text.ok()) return on_text.status();
  CivilDate on = call.app.Today();
  if (on_text->has_value()) {
    Result<CivilDate> d = CivilDate::Parse(**on_text);
    if (!d.ok() || *d > call.app.Today()) {
      return Status("request.field", "requested_on 应为不晚于今天的日期 YYYY-MM-DD",
                    Location{.field = "requested_on", .value = (*on_text)->substr(0, 20)});
    }
    on = *d;
  }
  if (Status s = CheckPersonAccess(call, *id, "assessment.request"); !s.ok()) return s;
  Result<std::unique_ptr<assess::AssessmentStore>> store = StoreOf(call);
  if (!store.ok()) return store.status();
  std::string text = fmt::format("{}（{}）", note->value_or("申请复评"), call.user->username);
  if (Status s = (*store)->Request({*id, on, text}, call.app.Today()); !s.ok()) return s;
  call.Audit("assessment.request", *id, "ok", {{"requested_on", on.ToString()}});
  return Reply::Json(json::object{{"ref", call.app.PersonRef(*id)},
                                  {"id_number", MaskIdNumber(*id)},
                                  {"requested_on", on.ToString()}},
                     201);
}

// The reasons of a work-list entry ("80周岁及以上、失智") that the reader may
// see: a reason that names a fact of a hidden group (Withholding, the rule
// the advisor uses) is left out; one this server does not know is left out
// whenever anything is hidden.
std::string VisibleNeed(const Withholding& w, std::string_view need) {
  static const std::pair<std::string_view, std::string_view> kFacts[] = {
      {"生活不能自理", "cannot_self_care"},
      {"需要长期照护", "long_term_care_need"},
      {"失智", "dementia"}};
  if (w.hidden_bits() == 0 || need.empty()) return std::string(need);
  std::string out;
  const std::string_view sep = "、";
  while (!need.empty()) {
    size_t at = need.find(sep);
    std::string_view part = need.substr(0, at);
    need = at == std::string_view::npos ? std::string_view() : need.substr(at + sep.size());
    bool visible = part.ends_with("周岁及以上");
    for (const auto& [label, fact] : kFacts) {
      if (part == label) visible = !w.HidesFact(fact);
    }
    if (!visible) continue;
    if (!out.empty()) out += sep;
    out += part;
  }
  return out;
}

// The city's work lists (assess::DueBase) of the last dates asked for, each
// kept while the registry, the assessments and the requests stay as they
// were (assess::DueWatermark, read for every request): the lists are
// computed once per change instead of once per page.
Result<std::shared_ptr<const assess::DueBase>> CachedDueBase(assess::AssessmentStore& store,
                                                             const assess::DueOptions& options) {
  struct Entry {
    std::string key;
    std::shared_ptr<const assess::DueBase> base;
  };
  static std::mutex mutex;
  static std::deque<Entry> entries;  // most recent first
  constexpr size_t kKept = 2;
  Result<std::string> watermark = assess::DueWatermark(store);
  if (!watermark.ok()) return watermark.status();
  std::string key =
      fmt::format("{}|{}|{}|{}|{}", options.as_of.ToString(), options.known_on.ToString(),
                  options.soon_days, options.cohort_age, *watermark);
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (const Entry& e : entries) {
      if (e.key == key) return e.base;
    }
  }
  Result<assess::DueBase> computed = assess::ComputeDueBase(store, options);
  if (!computed.ok()) return computed.status();
  auto base = std::make_shared<const assess::DueBase>(std::move(*computed));
  std::lock_guard<std::mutex> lock(mutex);
  entries.push_front(Entry{std::move(key), base});
  if (entries.size() > kKept) entries.pop_back();
  return base;
}

// What readers who are withheld the same field groups see of one region's
// work lists: the entries VisibleNeed leaves (an entry on the list only for a
// withheld reason goes, reasons and counts too), their visible reasons, and
// their positions by status. Derived from the work lists (server::Derived)
// per (region, withheld groups), so kept while they are current and a page
// costs its own entries rather than a pass over the region's. The entries
// point into the work lists, which the caller holds.
struct DueView {
  std::vector<const assess::DueEntry*> entries;  // visible, in the report's order
  std::vector<std::string> needs;  // each entry's visible reasons; empty: nothing is withheld
  std::vector<uint32_t> all;       // 0 .. entries.size() - 1
  std::array<std::vector<uint32_t>, 4> of_status;  // positions in entries, by DueStatus
};

std::shared_ptr<const DueView> CachedDueView(const std::shared_ptr<const assess::DueBase>& base,
                                             const std::string& region,
                                             const Withholding& withholding) {
  const uint32_t hidden = withholding.hidden_bits();
  return Derived<DueView>(base, fmt::format("due-view|{}|{}", region, hidden), [&] {
    DueView view;
    for (const assess::DueEntry& e : assess::DueEntriesUnder(*base, region)) {
      std::string need = VisibleNeed(withholding, e.need);
      if (e.status == assess::DueStatus::kNever && need.empty()) continue;
      const auto k = static_cast<uint32_t>(view.entries.size());
      view.entries.push_back(&e);
      if (hidden != 0) view.needs.push_back(std::move(need));
      view.all.push_back(k);
      view.of_status[static_cast<size_t>(e.status)].push_back(k);
    }
    return view;
  });
}

Result<Reply> DueRoute(Call& call) {
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  const Principal& user = *call.user;
  Result<const Region*> region = RegionQuery(call, "region", user.unit_code);
  if (!region.ok()) return region.status();
  const Region* r = *region;
  if (r == nullptr) {  // a user without a unit and no region asked for
    return Status("region.not_found", "没有这个行政区划代码", Location{.field = "region"});
  }
  // The region itself must lie within the scope (a "self" user sees the
  // entries of their caseload in their own unit).
  bool allowed =
      user.scope == DataScope::kSelf ? r->code == user.unit_code : UnitWithinScope(user, r->code);
  if (!allowed) {
    call.Audit("assessment.due", r->code, "denied", {{"reason", "scope"}});
    return Status("auth.scope", "所选地区超出您的数据范围",
                  Location{.field = "region", .value = r->DisplayCode()});
  }
  std::optional<assess::DueStatus> wanted;
  Result<std::optional<std::string>> status_param = EnumQuery(
      call, "status", {{"overdue", ""}, {"requested", ""}, {"due_soon", ""}, {"never", ""}});
  if (!status_param.ok()) return status_param.status();
  if (status_param->has_value()) {
    static const std::pair<const char*, assess::DueStatus> kStatuses[] = {
        {"overdue", assess::DueStatus::kOverdue},
        {"requested", assess::DueStatus::kRequested},
        {"due_soon", assess::DueStatus::kDueSoon},
        {"never", assess::DueStatus::kNever}};
    for (const auto& [key, value] : kStatuses) {
      if (**status_param == key) wanted = value;
    }
  }
  Result<std::set<std::string>> caseload = CaseloadOf(call);
  if (!caseload.ok()) return caseload.status();
  Result<std::unique_ptr<assess::AssessmentStore>> store = StoreOf(call);
  if (!store.ok()) return store.status();
  const CivilDate today = call.app.Today();
  Result<std::shared_ptr<const assess::DueBase>> base =
      CachedDueBase(**store, {.as_of = today, .known_on = today});
  if (!base.ok()) return base.status();
  Result<assess::DueReport> report = assess::SliceDue(**base, r->code, /*with_entries=*/false);
  if (!report.ok()) return report.status();
  // An entry that is on the list only for a reason withheld from the reader
  // (never assessed, under 80, and 失智) is left out, reasons and counts too.
  const Withholding withholding(user);
  std::shared_ptr<const DueView> view = CachedDueView(*base, r->code, withholding);
  // The positions in view->entries of this request's entries: of one status,
  // and for a "self" user those of their caseload.
  std::vector<uint32_t> mine;
  const std::vector<uint32_t>* chosen =
      wanted ? &view->of_status[static_cast<size_t>(*wanted)] : &view->all;
  if (user.scope == DataScope::kSelf) {
    for (uint32_t k : *chosen) {
      if (caseload->contains(view->entries[k]->id_number)) mine.push_back(k);
    }
    chosen = &mine;
  }
  json::array items;
  for (size_t i = static_cast<size_t>(paging->offset());
       i < chosen->size() && items.size() < static_cast<size_t>(paging->size); ++i) {
    const uint32_t k = (*chosen)[i];
    const assess::DueEntry& e = *view->entries[k];
    json::object o;
    o["ref"] = call.app.PersonRef(e.id_number);
    o["id_number"] = MaskIdNumber(e.id_number);
    o["name"] = e.name;
    o["age"] = e.age;
    o["residence"] = RegionJson(e.residence);
    o["status"] = assess::DueStatusName(e.status);
    o["last_assessed"] = e.last_assessed ? json::value(e.last_assessed->ToString()) : nullptr;
    o["valid_until"] = e.valid_until ? json::value(e.valid_until->ToString()) : nullptr;
    o["last_level"] = e.last_level < 0 ? json::value(nullptr) : json::value(e.last_level);
    o["requested_on"] = e.requested_on ? json::value(e.requested_on->ToString()) : nullptr;
    o["need"] = view->needs.empty() ? e.need : view->needs[k];
    items.push_back(std::move(o));
  }
  json::object page = PageJson(*paging, static_cast<int64_t>(chosen->size()), std::move(items));
  page["region"] = RegionJson(r->code);
  json::object counts;
  for (assess::DueStatus st : {assess::DueStatus::kOverdue, assess::DueStatus::kRequested,
                               assess::DueStatus::kDueSoon, assess::DueStatus::kNever}) {
    counts[assess::DueStatusName(st)] =
        static_cast<int64_t>(view->of_status[static_cast<size_t>(st)].size());
  }
  if (user.scope != DataScope::kSelf) {
    page["counts"] = std::move(counts);
    page["residents_60_plus"] = report->residents_60_plus;
    page["valid_60_plus"] = report->valid_60_plus;
    json::array coverage;
    for (const assess::Coverage& c : report->coverage) {
      coverage.push_back({{"county", RegionJson(c.county)},
                          {"cohort", c.cohort},
                          {"valid", c.valid},
                          {"ever", c.ever},
                          {"rate", c.rate()}});
    }
    page["coverage"] = std::move(coverage);
  }
  call.Audit(
      "assessment.due", r->code, "ok",
      {{"total", chosen->size()}, {"status", call.Query("status").value_or("").substr(0, 16)}});
  return Reply::Json(page);
}

}  // namespace

void AddAssessRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/persons/{ref}/assessments",
             {.permission = "assess:assessment:read"}, HistoryRoute);
  router.Add(verb::post, "/api/v1/persons/{ref}/assessment-requests",
             {.permission = "assess:request:create"}, RequestRoute);
  router.Add(verb::post, "/api/v1/assessments",
             {.permission = "assess:assessment:create", .body_limit = 64 * 1024}, RecordRoute);
  router.Add(verb::get, "/api/v1/assessments/due",
             {.permission = "assess:due:list", .blocking = true}, DueRoute);
}

}  // namespace yanglao::server
