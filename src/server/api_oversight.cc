// Routes: oversight and publication (docs/oversight.md). The yearly task
// breakdown tables with each task's state on a day (from its latest progress
// report and its deadline); the periodic statistics report as PDF or XLSX;
// and the public page (信息公开, no sign-in): the service lists and their
// documents, the indicators, people served and funds by item and county,
// every count of people under the small-cell rule (oversight/publish.h).
// No person's data leaves these routes: nothing to mask or audit.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "core/file_io.h"
#include "entitle/run.h"
#include "facility/policy.h"
#include "oversight/credit.h"
#include "oversight/draw.h"
#include "oversight/indicators.h"
#include "oversight/report.h"
#include "oversight/store.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/entitle_service.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

// The rules the live indicators need, per city (6-digit code): which tasks are
// measured (policies/oversight/*.indicators.yaml) and the facility targets
// (policies/facility/*.yaml).
struct LiveRules {
  std::map<std::string, oversight::IndicatorPolicy> indicators;
  std::map<std::string, facility::FacilityPolicy> facilities;
  Status load_error;
};

void LoadLiveRules(const std::filesystem::path& policies, LiveRules& rules) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(policies / "oversight", ec)) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with(".indicators.yaml")) continue;
    Result<oversight::IndicatorPolicy> p = oversight::LoadIndicatorPolicy(e.path());
    if (!p.ok()) {
      rules.load_error = p.status();
      continue;
    }
    rules.indicators[p->jurisdiction] = std::move(*p);
  }
  for (const auto& e : std::filesystem::directory_iterator(policies / "facility", ec)) {
    if (e.path().extension() != ".yaml") continue;
    Result<facility::FacilityPolicy> p = facility::LoadFacilityPolicy(e.path());
    if (!p.ok()) continue;  // the facility module reports its own files
    rules.facilities[p->jurisdiction_display] = std::move(*p);
  }
}

json::array ChecksJson(const std::vector<oversight::LiveCheck>& checks) {
  json::array out;
  for (const oversight::LiveCheck& c : checks) {
    out.push_back({{"indicator", c.link->indicator},
                   {"label", c.value.label},
                   {"known", c.value.known},
                   {"value", c.value.value},
                   {"shown", c.value.shown},
                   {"numerator", c.value.numerator},
                   {"denominator", c.value.denominator},
                   {"target", c.link->min},
                   {"target_shown", c.value.share ? fmt::format("{:.0f}%", c.link->min * 100)
                                                  : fmt::format("{}", c.link->min)},
                   {"quote", c.link->quote},
                   {"met", c.met},
                   {"why", c.value.why}});
  }
  return out;
}

// GET /api/v1/oversight/tasks?jurisdiction=421300&year=2024&on=YYYY-MM-DD
// GET /api/v1/oversight/tasks?jurisdiction=421300&year=2024&on=YYYY-MM-DD: the
// tasks with their state (from the live figures where the city's indicator
// file measures a task, else from the latest progress report).
Result<Reply> TasksRoute(const LiveRules& rules, Call& call) {
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
  const auto ind = rules.indicators.find(jurisdiction);
  const auto fac = rules.facilities.find(jurisdiction);
  std::unique_ptr<oversight::LiveIndicators> live;
  if (ind != rules.indicators.end() && fac != rules.facilities.end()) {
    Result<std::unique_ptr<oversight::LiveIndicators>> l =
        oversight::LiveIndicators::Read(*call.registry, fac->second, *on);
    if (!l.ok()) return l.status();
    live = std::move(*l);
  }
  oversight::OversightStore store(call.registry->db());
  Result<std::vector<oversight::StoredTask>> tasks = store.Tasks(jurisdiction, year);
  if (!tasks.ok()) return tasks.status();
  json::array items;
  std::map<std::string, std::map<std::string, int>> by_unit;  // unit → state → tasks
  for (const oversight::StoredTask& t : *tasks) {
    Result<std::vector<oversight::ProgressReport>> reports = store.Progress(t.id);
    if (!reports.ok()) return reports.status();
    std::optional<oversight::ProgressReport> latest;
    if (!reports->empty()) latest = reports->back();
    std::vector<oversight::LiveCheck> checks;
    if (live) checks = oversight::Checks(*live, ind->second, t.year, t.no);
    const oversight::TaskState state =
        live ? oversight::LiveStateOn(t, checks, latest, ind->second.at_risk_days, *on)
             : oversight::StateOn(t, latest, *on);
    const std::string label(oversight::TaskStateLabel(state));
    json::array units;
    for (const std::string& u : oversight::SplitUnits(t.units)) {
      ++by_unit[u][label];
      units.emplace_back(u);
    }
    json::object item{{"id", t.id},
                      {"year", t.year},
                      {"no", t.no},
                      {"area", t.area},
                      {"work", t.work},
                      {"requirement", t.requirement},
                      {"deadline_text", t.deadline_text},
                      {"deadline", t.deadline.ToString()},
                      {"units", units},
                      {"units_text", t.units},
                      {"state", label},
                      {"source", checks.empty() ? "进展报告" : "实时数据"},
                      {"live", ChecksJson(checks)},
                      {"reports", reports->size()}};
    if (latest) {
      item["latest"] = {{"reported_on", latest->reported_on.ToString()},
                        {"unit", latest->unit},
                        {"status", latest->status},
                        {"note", latest->note},
                        {"evidence_name", latest->evidence_name},
                        {"evidence_sha256", latest->evidence_sha256}};
    }
    items.push_back(std::move(item));
  }
  json::array units;
  for (const auto& [unit, states] : by_unit) {
    json::object counts;
    int total = 0;
    for (const auto& [st, n] : states) {
      counts[st] = n;
      total += n;
    }
    units.push_back({{"unit", unit}, {"tasks", total}, {"states", std::move(counts)}});
  }
  // Per county: the live figures of the year's measured tasks.
  json::array counties;
  int card_year = year;  // all years asked: the latest year measured up to `on`
  if (live && card_year == 0) {
    for (const oversight::IndicatorLink& l : ind->second.links)
      if (l.year <= on->year()) card_year = std::max(card_year, l.year);
  }
  if (live) {
    for (const std::string& county : live->counties()) {
      json::array figures;
      int met = 0, measured = 0;
      for (const oversight::IndicatorLink& l : ind->second.links) {
        if (l.year != card_year) continue;
        std::vector<oversight::LiveCheck> c =
            oversight::Checks(*live, ind->second, l.year, l.no, county);
        for (const oversight::LiveCheck& x : c) {
          if (x.link != &l) continue;
          ++measured;
          met += x.met;
          json::array one = ChecksJson({x});
          json::object fig = one[0].as_object();
          fig["year"] = l.year;
          fig["no"] = l.no;
          figures.push_back(std::move(fig));
        }
      }
      const Region* r = RegionTable::Builtin().Find(county);
      counties.push_back({{"county", county},
                          {"name", r ? r->name : county},
                          {"met", met},
                          {"measured", measured},
                          {"figures", std::move(figures)}});
    }
  }
  return Reply::Json(
      {{"on", on->ToString()},
       {"scorecard_year", card_year},
       {"visit_month", live ? live->visit_month() : std::string()},
       {"at_risk_days", ind != rules.indicators.end() ? ind->second.at_risk_days : 0},
       {"items", std::move(items)},
       {"units", std::move(units)},
       {"counties", std::move(counties)}});
}

// POST /api/v1/oversight/tasks/{id}/progress?client_id=…&unit=…&status=on_track|at_risk|done
//      &note=…&reported_on=YYYY-MM-DD&file_name=佐证.pdf — the body is the evidence file
// (may be empty); its name and SHA-256 are stored with the report, so a file
// offered later can be checked against it. A client id given again records once.
Result<Reply> ProgressRoute(Call& call) {
  Result<int64_t> id = [&]() -> Result<int64_t> {
    const std::string& text = call.Path("id");
    if (text.empty() || text.size() > 18 ||
        text.find_first_not_of("0123456789") != std::string::npos)
      return Status("request.param", "任务编号应为数字",
                    Location{.field = "id", .value = text.substr(0, 20)});
    return std::stoll(text);
  }();
  if (!id.ok()) return id.status();
  Result<CivilDate> on = DateParam(call, "reported_on", call.app.Today());
  if (!on.ok()) return on.status();
  oversight::ProgressReport r{.task_id = *id,
                              .client_id = call.Query("client_id").value_or(""),
                              .reported_on = *on,
                              .unit = ToValidUtf8(call.Query("unit").value_or("")),
                              .status = call.Query("status").value_or(""),
                              .note = ToValidUtf8(call.Query("note").value_or(""))};
  const std::string& body = call.request.body();
  if (!body.empty()) {
    r.evidence_name = ToValidUtf8(call.Query("file_name").value_or("佐证材料").substr(0, 200));
    r.evidence_sha256 = oversight::Sha256Hex(body);
  }
  oversight::OversightStore store(call.registry->db());
  Result<int64_t> stored = store.AddProgress(r);
  if (!stored.ok()) return stored.status();
  call.Audit("oversight.progress", std::to_string(*id), "ok",
             {{"unit", r.unit}, {"status", r.status}, {"evidence_sha256", r.evidence_sha256}});
  return Reply::Json({{"id", *stored},
                      {"task_id", *id},
                      {"evidence_name", r.evidence_name},
                      {"evidence_sha256", r.evidence_sha256}});
}

// --- Inspections, credit and grading (oversight/credit.h) ---------------

struct CreditState {
  std::optional<oversight::CreditPolicy> policy;
  Status load_error;
};

Result<std::string> Text(const json::object& o, const char* key, bool required = true) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) {
    if (!required && it == o.end()) return std::string();
    return Status("request.field", fmt::format("缺少文字字段 {}", key), Location{.field = key});
  }
  return ToValidUtf8(it->value().as_string());
}

Result<CivilDate> DateField(const json::object& o, const std::string& key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string())
    return Status("request.field", fmt::format("缺少日期字段 {}", key), Location{.field = key});
  Result<CivilDate> d = CivilDate::Parse(std::string(it->value().as_string()));
  if (!d.ok()) {
    return Status(
        "request.field", "日期应为 YYYY-MM-DD",
        Location{.field = key, .value = std::string(it->value().as_string()).substr(0, 20)});
  }
  return d;
}

// POST /api/v1/oversight/inspections {client_id, institution, on, kind, areas[],
//   findings[{area, severity, text, deadline, rectified_on?}]}
Result<Reply> AddInspectionRoute(const CreditState& state, Call& call) {
  if (!state.policy) return state.load_error;
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  oversight::Inspection in;
  Result<std::string> client = Text(*body, "client_id");
  if (!client.ok()) return client.status();
  Result<std::string> inst = Text(*body, "institution");
  if (!inst.ok()) return inst.status();
  in.institution = *inst;
  Result<CivilDate> on = DateField(*body, "on");
  if (!on.ok()) return on.status();
  in.on = *on;
  Result<std::string> kind = Text(*body, "kind", false);
  if (!kind.ok()) return kind.status();
  in.kind = kind->empty() ? "双随机" : *kind;
  if (auto it = body->find("areas"); it != body->end() && it->value().is_array()) {
    for (const json::value& a : it->value().as_array())
      if (a.is_string()) in.areas.push_back(ToValidUtf8(a.as_string()));
  }
  if (auto it = body->find("findings"); it != body->end() && it->value().is_array()) {
    const json::array& fs = it->value().as_array();
    for (size_t i = 0; i < fs.size() && i < 200; ++i) {
      if (!fs[i].is_object()) {
        return Status("request.field", "问题应为对象",
                      Location{.field = fmt::format("findings[{}]", i)});
      }
      const json::object& f = fs[i].as_object();
      oversight::Finding x;
      for (auto [key, out] : {std::pair{"area", &x.area}, std::pair{"severity", &x.severity},
                              std::pair{"text", &x.text}}) {
        Result<std::string> v = Text(f, key);
        if (!v.ok()) return v.status();
        *out = *v;
      }
      Result<CivilDate> d = DateField(f, "deadline");
      if (!d.ok()) return d.status();
      x.deadline = *d;
      if (f.contains("rectified_on")) {
        Result<CivilDate> r = DateField(f, "rectified_on");
        if (!r.ok()) return r.status();
        x.rectified_on = *r;
      }
      in.findings.push_back(std::move(x));
    }
  }
  oversight::OversightStore store(call.registry->db());
  Result<int64_t> id = store.AddInspection(*state.policy, in, *client);
  if (!id.ok()) return id.status();
  call.Audit("oversight.inspection", in.institution, "ok", {{"id", *id}});
  return Reply::Json({{"id", *id}});
}

// POST /api/v1/oversight/findings/{id}/rectified?on=YYYY-MM-DD — the follow-up.
Result<Reply> RectifiedRoute(Call& call) {
  const std::string& text = call.Path("id");
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return Status("request.param", "问题编号应为数字",
                  Location{.field = "id", .value = text.substr(0, 20)});
  Result<CivilDate> on = DateParam(call, "on", call.app.Today());
  if (!on.ok()) return on.status();
  oversight::OversightStore store(call.registry->db());
  if (Status s = store.Rectified(std::stoll(text), *on); !s.ok()) return s;
  call.Audit("oversight.rectified", text, "ok", {{"on", on->ToString()}});
  return Reply::Json({{"id", std::stoll(text)}, {"rectified_on", on->ToString()}});
}

json::array FindingsJson(const oversight::Inspection& in, CivilDate on) {
  json::array out;
  for (const oversight::PublishedFinding& f : oversight::PublishFindings(in, on)) {
    out.push_back({{"area", f.area},
                   {"severity", f.severity},
                   {"text", f.text},
                   {"deadline", f.deadline},
                   {"status", f.status}});
  }
  return out;
}

// GET /api/v1/oversight/credit?on=YYYY-MM-DD — every institution with a record:
// its score with the lines that made it, band, next inspection due, grade; and
// the grade rule's findings.
Result<Reply> CreditRoute(const CreditState& state, Call& call) {
  if (!state.policy) return state.load_error;
  Result<CivilDate> on = DateParam(call, "on", call.app.Today());
  if (!on.ok()) return on.status();
  oversight::OversightStore store(call.registry->db());
  Result<std::vector<oversight::StoredInspection>> stored = store.Inspections();
  if (!stored.ok()) return stored.status();
  Result<std::vector<oversight::Complaint>> complaints = store.Complaints();
  if (!complaints.ok()) return complaints.status();
  Result<std::vector<oversight::Grade>> grades = store.Grades();
  if (!grades.ok()) return grades.status();
  std::vector<oversight::Inspection> inspections;
  std::map<std::string, const oversight::Grade*> grade_of;
  std::set<std::string> institutions;
  for (const auto& s : *stored) {
    inspections.push_back(s.inspection);
    institutions.insert(s.inspection.institution);
  }
  for (const auto& c : *complaints) institutions.insert(c.institution);
  for (const auto& g : *grades) {
    institutions.insert(g.institution);
    grade_of[g.institution] = &g;
  }
  json::array items;
  for (const std::string& inst : institutions) {
    oversight::CreditScore sc =
        oversight::ScoreOn(*state.policy, inst, inspections, *complaints, *on);
    json::array lines;
    for (const oversight::CreditLine& l : sc.lines)
      lines.push_back({{"on", l.on.ToString()}, {"points", l.points}, {"reason", l.reason}});
    const oversight::Grade* g = grade_of.contains(inst) ? grade_of[inst] : nullptr;
    items.push_back({{"institution", inst},
                     {"name", g ? g->name : std::string()},
                     {"score", sc.score},
                     {"band", sc.band.level},
                     {"band_label", sc.band.label},
                     {"inspections_per_year", sc.band.inspections_per_year},
                     {"last_inspection", sc.last_inspection ? sc.last_inspection->ToString() : ""},
                     {"next_due", sc.next_due.ToString()},
                     {"open_findings", sc.open_findings},
                     {"grade", g ? g->grade : 0},
                     {"grade_evidence", g ? g->evidence : std::string()},
                     {"lines", std::move(lines)}});
  }
  json::array violations;
  for (const oversight::GradeViolation& v : oversight::CheckGrades(*state.policy, *grades)) {
    violations.push_back({{"institution", v.grade.institution},
                          {"name", v.grade.name},
                          {"grade", v.grade.grade},
                          {"reason", v.reason}});
  }
  return Reply::Json({{"on", on->ToString()},
                      {"rules",
                       {{"file", state.policy->file},
                        {"quote", state.policy->quote},
                        {"basis", state.policy->basis},
                        {"grade_quote", state.policy->grade_quote}}},
                      {"items", std::move(items)},
                      {"grade_violations", std::move(violations)}});
}

// GET /api/v1/public/inspections?year=2026 — the results published (结果公开):
// institution, date, kind, areas, findings and their rectification status.
Result<Reply> PublicInspectionsRoute(Call& call) {
  Result<int64_t> year = call.QueryInt("year", call.app.Today().year(), 2000, 2100);
  if (!year.ok()) return year.status();
  oversight::OversightStore store(call.registry->db());
  Result<std::vector<oversight::StoredInspection>> stored = store.Inspections();
  if (!stored.ok()) return stored.status();
  json::array items;
  for (const auto& s : *stored) {
    if (s.inspection.on.year() != *year) continue;
    json::array areas;
    for (const std::string& a : s.inspection.areas) areas.emplace_back(a);
    items.push_back({{"institution", s.inspection.institution},
                     {"on", s.inspection.on.ToString()},
                     {"kind", s.inspection.kind},
                     {"areas", std::move(areas)},
                     {"findings", FindingsJson(s.inspection, call.app.Today())}});
  }
  return Reply::Json({{"year", *year}, {"items", std::move(items)}});
}

// The publication rule and the reports already built (a report reads the
// whole registry; the public page must not recompute it on every request).
struct ReportState {
  std::optional<oversight::PublicationPolicy> publication;
  Status load_error;
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const oversight::PeriodReport>> cache;
};

const ServedList* ListOf(const App& app, std::string_view jurisdiction) {
  for (const auto& [name, served] : app.lists()) {
    if (served.list().jurisdiction == jurisdiction) return &served;
  }
  return nullptr;
}

Result<std::string> CityParam(Call& call, const char* name) {
  std::string j = call.Query(name).value_or("421300");
  if (j.size() != 6 || j.find_first_not_of("0123456789") != std::string::npos) {
    return Status("request.param", fmt::format("{} 应为 6 位区划代码", name),
                  Location{.field = name, .value = j.substr(0, 16)});
  }
  return j;
}

// The report of a city and period, built once per state of the data (the
// latest feed and the latest run of the city).
Result<std::shared_ptr<const oversight::PeriodReport>> ReportFor(ReportState& state, Call& call,
                                                                 const std::string& jurisdiction,
                                                                 const oversight::Period& period) {
  if (!state.publication) return state.load_error;
  registry::Registry& reg = *call.registry;
  Result<int64_t> feed = reg.LatestFeedId();
  if (!feed.ok()) return feed.status();
  entitle::RunStore runs(reg);
  Result<std::vector<entitle::RunRecord>> all = runs.Runs(jurisdiction);
  if (!all.ok()) return all.status();
  int64_t last_run = 0;
  for (const entitle::RunRecord& r : *all) last_run = std::max(last_run, r.id);
  const std::string key =
      fmt::format("{}|{}|{}|{}|{}", jurisdiction, period.text, *feed, last_run, all->size());
  {
    std::lock_guard<std::mutex> lock(state.mu);
    if (auto it = state.cache.find(key); it != state.cache.end()) return it->second;
  }
  const ServedList* served = ListOf(call.app, jurisdiction);
  oversight::ReportOptions o{.jurisdiction = jurisdiction,
                             .period = period,
                             .list = served ? &served->list() : nullptr,
                             .publication = *state.publication};
  // A period not over yet is read as known today.
  if (call.app.Today() < period.end()) o.known_on = call.app.Today();
  Result<oversight::PeriodReport> report = oversight::BuildReport(reg, o);
  if (!report.ok()) return report.status();
  auto shared = std::make_shared<const oversight::PeriodReport>(std::move(*report));
  std::lock_guard<std::mutex> lock(state.mu);
  if (state.cache.size() > 64) state.cache.clear();
  state.cache[key] = shared;
  return std::shared_ptr<const oversight::PeriodReport>(shared);
}

Result<oversight::Period> PeriodParam(Call& call, const std::string& fallback) {
  std::string text = call.Query("period").value_or(fallback);
  Result<oversight::Period> p = oversight::ParsePeriod(text);
  if (!p.ok()) {
    return Status("request.param", p.status().message(),
                  Location{.field = "period", .value = text.substr(0, 16)});
  }
  return p;
}

json::object TableJson(const oversight::ReportTable& t) {
  json::array rows;
  for (const auto& row : t.rows) {
    json::array cells;
    for (const std::string& c : row) cells.emplace_back(c);
    rows.emplace_back(std::move(cells));
  }
  json::array header;
  for (const std::string& h : t.header) header.emplace_back(h);
  return json::object{{"title", t.title},
                      {"header", std::move(header)},
                      {"rows", std::move(rows)},
                      {"note", t.note}};
}

// GET /api/v1/public/oversight?jurisdiction=421300&period=2026 — no sign-in.
Result<Reply> PublicRoute(ReportState& state, Call& call) {
  Result<std::string> j = CityParam(call, "jurisdiction");
  if (!j.ok()) return j.status();
  Result<oversight::Period> period = PeriodParam(call, std::to_string(call.app.Today().year()));
  if (!period.ok()) return period.status();
  if (!RegionTable::Builtin().Find(*j)) {
    return Status("request.param", "没有这个市", Location{.field = "jurisdiction", .value = *j});
  }
  Result<std::shared_ptr<const oversight::PeriodReport>> report =
      ReportFor(state, call, *j, *period);
  if (!report.ok()) return report.status();
  const oversight::PeriodReport& r = **report;
  json::array indicators;
  for (const oversight::Indicator& i : r.indicators) {
    indicators.push_back(
        {{"key", i.key}, {"name", i.name}, {"value", i.value}, {"basis", i.basis}});
  }
  json::array tables;
  for (const oversight::ReportTable& t : r.tables) tables.push_back(TableJson(t));
  json::array lists, policies;
  if (const ServedList* served = ListOf(call.app, *j)) {
    const policy::ServiceList& l = served->list();
    json::array items;
    for (const policy::Item& it : l.items) {
      json::array departments;
      for (const std::string& d : it.departments) departments.emplace_back(d);
      items.push_back({{"number", it.number},
                       {"name", it.name},
                       {"content", it.content},
                       {"target", it.target},
                       {"kind", it.kind_label},
                       {"departments", std::move(departments)},
                       {"basis", it.basis}});
    }
    lists.push_back({{"title", l.title}, {"items", std::move(items)}});
    policies.push_back({{"title", l.document_title.empty() ? l.title : l.document_title},
                        {"document", l.document},
                        {"issuer", l.issuer},
                        {"issued", l.issued ? l.issued->ToString() : std::string()},
                        {"source", l.source}});
  }
  if (state.publication) {
    policies.push_back({{"title", "信息公开规则"},
                        {"document", state.publication->file},
                        {"issuer", "本平台"},
                        {"issued", ""},
                        {"source", state.publication->basis}});
  }
  return Reply::Json({{"title", fmt::format("{}养老服务信息公开", r.city)},
                      {"city", r.city},
                      {"jurisdiction", r.jurisdiction},
                      {"period", r.period.text},
                      {"period_label", r.period.label},
                      {"report_title", r.title},
                      {"as_of", r.as_of},
                      {"known_on", r.known_on},
                      {"min_people", r.min_people},
                      {"withheld", r.withheld},
                      {"digest", r.digest},
                      {"indicators", std::move(indicators)},
                      {"tables", std::move(tables)},
                      {"lists", std::move(lists)},
                      {"policies", std::move(policies)}});
}

// GET /api/v1/oversight/report?jurisdiction=421300&period=2026&format=pdf|xlsx
Result<Reply> ReportRoute(ReportState& state, Call& call) {
  Result<std::string> j = CityParam(call, "jurisdiction");
  if (!j.ok()) return j.status();
  Result<oversight::Period> period = PeriodParam(call, std::to_string(call.app.Today().year()));
  if (!period.ok()) return period.status();
  const std::string format = call.Query("format").value_or("pdf");
  if (format != "pdf" && format != "xlsx") {
    return Status("request.param", "format 应为 pdf 或 xlsx",
                  Location{.field = "format", .value = format.substr(0, 16)});
  }
  if (!RegionTable::Builtin().Find(*j)) {
    return Status("request.param", "没有这个市", Location{.field = "jurisdiction", .value = *j});
  }
  Result<std::shared_ptr<const oversight::PeriodReport>> report =
      ReportFor(state, call, *j, *period);
  if (!report.ok()) return report.status();
  static std::atomic<int> counter{0};
  const std::filesystem::path tmp =
      std::filesystem::temp_directory_path() /
      fmt::format("yanglao-report-{}-{}.{}", getpid(), counter++, format);
  Status s = format == "pdf" ? oversight::WriteReportPdf(**report, tmp)
                             : oversight::WriteReportXlsx(**report, tmp);
  if (!s.ok()) return s;
  Result<std::string> bytes = ReadFileBytes(tmp);
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  if (!bytes.ok()) return bytes.status();
  return Reply::File(std::move(*bytes),
                     format == "pdf"
                         ? "application/pdf"
                         : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     fmt::format("{}.{}", (*report)->title, format));
}

}  // namespace

void AddOversightRoutes(App& app, Router& router) {
  auto state = std::make_shared<ReportState>();
  Result<oversight::PublicationPolicy> pub = oversight::LoadPublicationPolicy(
      app.options().policies_dir / "oversight" / "publication.yaml");
  if (pub.ok()) {
    state->publication = *pub;
  } else {
    state->load_error = pub.status();
  }
  auto rules = std::make_shared<LiveRules>();
  LoadLiveRules(app.options().policies_dir, *rules);
  router.Add(verb::get, "/api/v1/oversight/tasks", {.permission = "oversight:task:read"},
             [rules](Call& call) { return TasksRoute(*rules, call); });
  router.Add(verb::post, "/api/v1/oversight/tasks/{id}/progress",
             {.permission = "oversight:progress:create", .body_limit = 16u << 20, .upload = true},
             ProgressRoute);
  auto credit = std::make_shared<CreditState>();
  Result<oversight::CreditPolicy> cp =
      oversight::LoadCreditPolicy(app.options().policies_dir / "oversight" / "credit.yaml");
  if (cp.ok()) {
    credit->policy = *cp;
  } else {
    credit->load_error = cp.status();
  }
  router.Add(verb::post, "/api/v1/oversight/inspections",
             {.permission = "oversight:inspection:create"},
             [credit](Call& call) { return AddInspectionRoute(*credit, call); });
  router.Add(verb::post, "/api/v1/oversight/findings/{id}/rectified",
             {.permission = "oversight:inspection:create"}, RectifiedRoute);
  router.Add(verb::get, "/api/v1/oversight/credit", {.permission = "oversight:task:read"},
             [credit](Call& call) { return CreditRoute(*credit, call); });
  router.Add(verb::get, "/api/v1/public/inspections", {.open = true}, PublicInspectionsRoute);
  router.Add(verb::get, "/api/v1/oversight/report",
             {.permission = "oversight:report:read", .blocking = true},
             [state](Call& call) { return ReportRoute(*state, call); });
  router.Add(verb::get, "/api/v1/public/oversight", {.open = true, .blocking = true},
             [state](Call& call) { return PublicRoute(*state, call); });
}

}  // namespace yanglao::server
