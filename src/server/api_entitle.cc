// Routes: monthly entitlement runs (start, status, results, newly entitled
// and ceased, payment rolls), the care advisor for one person, and what-ifs.
//
// Runs are whole-city; what a user sees of one is cut to the user's data
// scope by the residence recorded with each line (a ceased line by the
// previous run's). ID numbers in lists are masked; a roll download (for the
// paying department) carries them in full and is audited as an export.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/id_number.h"
#include "core/money.h"
#include "entitle/advisor.h"
#include "entitle/rolls.h"
#include "entitle/whatif.h"
#include "policy/entitlement.h"
#include "policy/fact_schema.h"
#include "policy/rule_ast.h"
#include "registry/feed_template.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/live_state.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

std::string Yuan(int64_t fen) { return Money::Fen(fen).FormatYuan(); }

std::string RegionCode(std::string_view code) {
  const Region* r = RegionTable::Builtin().Find(code);
  return r == nullptr ? std::string(code) : r->code;
}

// The served list a run was made with (same jurisdiction).
const ServedList* ListOfRun(const App& app, const entitle::RunRecord& run) {
  const ServedList* any = nullptr;
  for (const auto& [name, l] : app.lists()) {
    if (!l.version.loaded.ok() || RegionCode(l.list().jurisdiction) != RegionCode(run.list_code))
      continue;
    if (l.version.sha256 == run.list_sha256) return &l;
    any = &l;
  }
  return any;
}

json::object RunJson(const App& app, const entitle::RunRecord& r) {
  json::object o;
  o["id"] = r.id;
  const ServedList* l = ListOfRun(app, r);
  o["list"] = l ? json::value(l->name) : json::value(nullptr);
  o["jurisdiction"] = RegionJson(r.list_code);
  o["title"] = r.list_title;
  o["list_sha256"] = r.list_sha256;
  o["list_current"] = l != nullptr && l->version.sha256 == r.list_sha256;
  o["month"] = r.month;
  o["as_of"] = r.as_of;
  o["known_on"] = r.known_on;
  o["feed_watermark"] = r.feed_watermark;
  o["previous_run"] = r.previous_run ? json::value(r.previous_run) : json::value(nullptr);
  o["people"] = r.people;
  o["lines"] = r.lines;
  o["monthly_fen"] = r.monthly_fen;
  o["monthly_yuan"] = Yuan(r.monthly_fen);
  o["yearly_fen"] = r.yearly_fen;
  o["yearly_yuan"] = Yuan(r.yearly_fen);
  o["verify"] = r.verify;  // (item, person) to verify (待核实), on no roll
  o["residents"] = r.residents;
  o["created_on"] = r.created_on;
  return o;
}

json::object JobJson(const App& app, const RunJob& j) {
  json::object o;
  o["id"] = j.id;
  o["list"] = j.list;
  o["month"] = j.month.ToString();
  o["state"] = JobStateKey(j.state);
  o["state_name"] = JobStateName(j.state);
  o["username"] = j.username;
  o["created_at"] = j.created_at;
  o["started_at"] = j.started_at.empty() ? json::value(nullptr) : json::value(j.started_at);
  o["finished_at"] = j.finished_at.empty() ? json::value(nullptr) : json::value(j.finished_at);
  if (j.state == JobState::kDone) {
    o["run"] = RunJson(app, j.run);
    o["recomputed"] = j.recomputed;
    o["identical"] = j.identical;
    o["changes"] = {{"new", j.new_count}, {"ceased", j.ceased_count}, {"changed", j.changed_count}};
    o["seconds"] = {{"snapshot", j.snapshot_seconds},
                    {"evaluate", j.evaluate_seconds},
                    {"store", j.store_seconds}};
    o["nice"] = j.nice;
  }
  if (j.error) {
    o["error"] = {{"code", j.error->code()}, {"message", j.error->message()}};
  }
  return o;
}

// The stored run the path's {id} names. Fails with request.param or
// run.not_found.
Result<entitle::RunRecord> RunOfPath(Call& call) {
  Result<int64_t> id = IdPath(call, "id", "核定编号");
  if (!id.ok()) return id.status();
  entitle::RunStore store(*call.registry);
  Result<std::optional<entitle::RunRecord>> run = store.Get(*id);
  if (!run.ok()) return run.status();
  if (!run->has_value()) {
    return Status("run.not_found", "没有这次核定",
                  Location{.field = "id", .value = std::to_string(*id)});
  }
  return **run;
}

// The served list ("list", required) and month ("month", YYYY-MM, default
// this month) a request body names.
struct ListMonth {
  const ServedList* list = nullptr;
  Month month;
};

Result<ListMonth> ListAndMonthOf(const Call& call, const json::object& body) {
  Result<std::optional<std::string>> name = StringField(body, "list");
  if (!name.ok()) return name.status();
  if (!name->has_value()) {
    return Status("request.field", "请给出服务清单（list，如 suizhou）", Location{.field = "list"});
  }
  Result<const ServedList*> list = FindList(call, **name, "list");
  if (!list.ok()) return list.status();
  Result<std::optional<std::string>> month_text = StringField(body, "month");
  if (!month_text.ok()) return month_text.status();
  Month month = Month::Of(call.app.Today());
  if (month_text->has_value()) {
    Result<Month> m = Month::Parse(**month_text);
    if (!m.ok()) {
      return Status("request.field", "月份应为 YYYY-MM",
                    Location{.field = "month", .value = (*month_text)->substr(0, 20)});
    }
    month = *m;
  }
  return ListMonth{*list, month};
}

// --- Runs -------------------------------------------------------------------------

Result<Reply> ListRunsRoute(Call& call) {
  std::string list_code;
  if (std::optional<std::string> name = call.Query("list")) {
    Result<const ServedList*> l = FindList(call, *name, "list");
    if (!l.ok()) return l.status();
    list_code = (*l)->list().jurisdiction;
  }
  entitle::RunStore store(*call.registry);
  Result<std::vector<entitle::RunRecord>> runs = store.Runs(list_code);
  if (!runs.ok()) return runs.status();
  json::array items;
  for (auto it = runs->rbegin(); it != runs->rend(); ++it) items.push_back(RunJson(call.app, *it));
  return Reply::Json(json::object{{"items", std::move(items)}});
}

Result<Reply> StartRunRoute(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<ListMonth> lm = ListAndMonthOf(call, *body);
  if (!lm.ok()) return lm.status();
  const ServedList* list = lm->list;
  const Month month = lm->month;
  Result<std::optional<std::string>> known_text = StringField(*body, "known_on");
  if (!known_text.ok()) return known_text.status();
  std::optional<CivilDate> known_on;
  if (known_text->has_value()) {
    Result<CivilDate> d = CivilDate::Parse(**known_text);
    if (!d.ok()) {
      return Status("request.field", "known_on 应为日期 YYYY-MM-DD",
                    Location{.field = "known_on", .value = (*known_text)->substr(0, 20)});
    }
    known_on = *d;
  }
  bool replace = false;
  if (const json::value* r = body->if_contains("replace"); r != nullptr && !r->is_null()) {
    if (!r->is_bool()) {
      return Status("request.field", "replace 应为 true 或 false", Location{.field = "replace"});
    }
    replace = r->as_bool();
  }
  // A run decides for the list's whole jurisdiction: only a user whose unit
  // covers it may start one.
  std::string where = RegionCode(list->list().jurisdiction);
  if (!UnitWithinScope(*call.user, where)) {
    call.Audit("entitle.run.start", list->name, "denied",
               {{"month", month.ToString()}, {"reason", "scope"}});
    return Status("auth.scope",
                  fmt::format("核定覆盖「{}」全辖区，超出您的数据范围", list->list().title),
                  Location{.field = "list", .value = list->name});
  }
  RunJob job = call.app.entitle().Start(list->name, month, known_on, replace, call.user->username,
                                        call.app.Today());
  call.Audit("entitle.run.start", list->name, "ok",
             {{"job", job.id}, {"month", month.ToString()}, {"replace", replace}});
  Reply r = Reply::Json(JobJson(call.app, job), 202);
  r.headers.emplace_back("Location", fmt::format("/api/v1/entitlement/jobs/{}", job.id));
  return r;
}

Result<Reply> GetJobRoute(Call& call) {
  Result<int64_t> id = IdPath(call, "id", "任务编号");
  if (!id.ok()) return id.status();
  std::optional<RunJob> job = call.app.entitle().Job(*id);
  if (!job) {
    return Status("job.not_found", "没有这个核定任务（任务只保存在本次运行的服务中）",
                  Location{.field = "id", .value = std::to_string(*id)});
  }
  return Reply::Json(JobJson(call.app, *job));
}

// What the caller sees of a run's lines and changes: the caller's data scope
// (on the residence recorded with each row) and the items withheld from the
// caller (Withholding).
entitle::LineQuery ViewOf(const Principal& user, const Withholding& w, const ServedList* list) {
  entitle::LineQuery q;
  q.scope = [&user](std::string_view region_column, std::string_view id_column) {
    return RowScopeFilters(user, region_column, id_column);
  };
  std::optional<std::vector<std::string>> items = w.WithheldItems(list);
  if (!items) {
    q.no_items = true;  // the run's list is not served: withhold everything
  } else {
    q.withheld_items = std::move(*items);
  }
  return q;
}

json::array WithheldJson(const Withholding& w, const ServedList* list) {
  json::array out;
  std::optional<std::vector<std::string>> items = w.WithheldItems(list);
  if (items) {
    for (const std::string& i : *items) out.push_back(json::string(i));
  }
  return out;
}

Result<Reply> GetRunRoute(Call& call) {
  Result<entitle::RunRecord> run = RunOfPath(call);
  if (!run.ok()) return run.status();
  const int64_t id = run->id;
  const ServedList* list = ListOfRun(call.app, *run);
  json::object o = RunJson(call.app, *run);
  const bool whole = call.user->scope == DataScope::kAll ||
                     UnitWithinScope(*call.user, RegionCode(run->list_code));
  o["scope"] = {{"whole", whole},
                {"data_scope", DataScopeKey(call.user->scope)},
                {"unit", RegionJson(call.user->unit_code)}};
  // Per item, within the caller's scope.
  const Withholding withholding(*call.user);
  const entitle::LineQuery view = ViewOf(*call.user, withholding, list);
  entitle::RunStore store(*call.registry);
  Result<std::map<std::string, entitle::ItemTotal>> by_item = store.ItemTotals(id, view);
  if (!by_item.ok()) return by_item.status();
  Result<std::map<std::string, int64_t>> verify = store.VerifyTotals(id, view);
  if (!verify.ok()) return verify.status();
  json::array items;
  json::array verify_by_item;
  int64_t monthly = 0;
  int64_t scope_verify = 0;
  if (list != nullptr) {
    for (const policy::Item& item : list->list().items) {
      auto it = by_item->find(item.number);
      int64_t people = it == by_item->end() ? 0 : it->second.people;
      int64_t amount = it == by_item->end() ? 0 : it->second.amount;
      json::object i;
      i["item"] = item.number;
      i["name"] = item.name;
      i["section"] = policy::SectionName(item.section);
      i["benefit"] = policy::BenefitTypeName(item.benefit.type);
      i["departments"] = json::value_from(item.departments);
      if (withholding.HidesItem(list, item.number)) {
        i["withheld"] = true;
        items.push_back(std::move(i));
        continue;
      }
      i["withheld"] = false;
      i["people"] = people;
      auto v = verify->find(item.number);
      const int64_t to_verify = v == verify->end() ? 0 : v->second;
      i["to_verify"] = to_verify;  // 待核实, on no roll
      scope_verify += to_verify;
      if (to_verify > 0) {
        verify_by_item.push_back(
            json::object{{"item", item.number}, {"name", item.name}, {"count", to_verify}});
      }
      if (item.benefit.type == policy::BenefitType::kCash) {
        i["amount_fen"] = amount;
        i["amount_yuan"] = Yuan(amount);
        i["period"] = policy::CashPeriodSuffix(item.benefit.period);
        if (item.benefit.period == policy::CashPeriod::kMonth) monthly += amount;
      }
      items.push_back(std::move(i));
    }
  }
  o["items"] = std::move(items);
  o["scope_monthly_fen"] = monthly;
  o["scope_monthly_yuan"] = Yuan(monthly);
  o["scope_to_verify"] = scope_verify;
  o["to_verify_by_item"] = std::move(verify_by_item);
  // Changes against the previous run, within the scope.
  Result<std::map<std::string, int64_t>> counts = store.ChangeCounts(*run, view);
  if (!counts.ok()) return counts.status();
  json::object changes{{"new", 0}, {"ceased", 0}, {"changed", 0}};
  for (const auto& [kind, n] : *counts) changes[kind] = n;
  o["changes"] = std::move(changes);
  o["withheld_items"] = WithheldJson(withholding, list);
  return Reply::Json(o);
}

// Item names of the run's list, by number.
std::map<std::string, std::string> ItemNames(const ServedList* list) {
  std::map<std::string, std::string> out;
  if (list == nullptr) return out;
  for (const policy::Item& item : list->list().items) out[item.number] = item.name;
  return out;
}

// A person in a list: the ref, the masked number and the name known today.
void PersonCells(Call& call, const std::string& id, json::object& o) {
  o["ref"] = call.app.PersonRef(id);
  o["id_number"] = MaskIdNumber(id);
  const CivilDate today = call.app.Today();
  Result<std::optional<registry::PersonView>> v = call.registry->Person(id, today, today);
  o["name"] = v.ok() && v->has_value() ? (*v)->name() : std::string();
}

Result<Reply> RunLinesRoute(Call& call) {
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  Result<entitle::RunRecord> run = RunOfPath(call);
  if (!run.ok()) return run.status();
  const int64_t id = run->id;
  const ServedList* list = ListOfRun(call.app, *run);
  const Withholding withholding(*call.user);
  entitle::LineQuery view = ViewOf(*call.user, withholding, list);
  json::object detail{{"run", id}};
  if (std::optional<std::string> item = call.Query("item")) {
    view.item = item->substr(0, 16);
    detail["item"] = view.item;
  }
  Result<const Region*> region = RegionQuery(call, "region");
  if (!region.ok()) return region.status();
  if (*region != nullptr) {
    view.region = (*region)->code;
    detail["region"] = (*region)->code;
  }
  Result<entitle::LinePage> page =
      entitle::RunStore(*call.registry).LinesPage(id, view, paging->db_page());
  if (!page.ok()) return page.status();
  const std::vector<entitle::RunLine>& lines = page->lines;
  std::map<std::string, std::string> names = ItemNames(list);
  json::array items;
  for (const entitle::RunLine& l : lines) {
    json::object o;
    o["item"] = l.item;
    o["item_name"] = names[l.item];
    PersonCells(call, l.id_number, o);
    o["residence"] = RegionJson(l.community);
    const policy::Item* item = list ? list->list().FindItem(l.item) : nullptr;
    if (item != nullptr && item->benefit.type == policy::BenefitType::kCash) {
      o["amount_fen"] = l.amount;
      o["amount"] = policy::FormatCash(*item, l.amount);
    } else if (item != nullptr && item->benefit.type == policy::BenefitType::kDiscount) {
      o["percent"] = l.percent;
    }
    items.push_back(std::move(o));
  }
  detail["total"] = page->total;
  call.Audit("entitle.lines", std::to_string(id), "ok", std::move(detail));
  json::object out = PageJson(*paging, page->total, std::move(items));
  out["withheld_items"] = WithheldJson(withholding, list);
  return Reply::Json(out);
}

Result<Reply> RunChangesRoute(Call& call) {
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  Result<entitle::RunRecord> run = RunOfPath(call);
  if (!run.ok()) return run.status();
  const int64_t id = run->id;
  const ServedList* list = ListOfRun(call.app, *run);
  const Withholding withholding(*call.user);
  entitle::LineQuery view = ViewOf(*call.user, withholding, list);
  json::object detail{{"run", id}};
  Result<std::optional<std::string>> kind =
      EnumQuery(call, "kind", {{"new", "新增"}, {"ceased", "停发"}, {"changed", "变更"}});
  if (!kind.ok()) return kind.status();
  if (kind->has_value()) {
    view.kind = **kind;
    detail["kind"] = **kind;
  }
  if (std::optional<std::string> item = call.Query("item")) {
    view.item = item->substr(0, 16);
    detail["item"] = view.item;
  }
  Result<entitle::ChangePage> page =
      entitle::RunStore(*call.registry).ChangesPage(*run, view, paging->db_page());
  if (!page.ok()) return page.status();
  std::map<std::string, std::string> names = ItemNames(list);
  json::array items;
  for (const entitle::PlacedChange& pc : page->changes) {
    const entitle::Change& c = pc.change;
    json::object o;
    o["kind"] = entitle::ChangeKindKey(c.kind);
    o["kind_name"] = entitle::ChangeKindName(c.kind);
    o["item"] = c.item;
    o["item_name"] = names[c.item];
    PersonCells(call, c.id_number, o);
    o["residence"] = pc.place.empty() ? json::value(nullptr) : json::value(RegionJson(pc.place));
    o["old_amount_fen"] = c.old_amount;
    o["new_amount_fen"] = c.new_amount;
    o["reason"] = MaskIdNumbersIn(c.reason);
    items.push_back(std::move(o));
  }
  detail["total"] = page->total;
  call.Audit("entitle.changes", std::to_string(id), "ok", std::move(detail));
  json::object out = PageJson(*paging, page->total, std::move(items));
  out["withheld_items"] = WithheldJson(withholding, list);
  return Reply::Json(out);
}

Result<Reply> RollRoute(Call& call) {
  Result<entitle::RunRecord> run = RunOfPath(call);
  if (!run.ok()) return run.status();
  const int64_t id = run->id;
  const ServedList* list = ListOfRun(call.app, *run);
  if (list == nullptr) {
    return Status("list.not_found", "服务中没有这次核定所用的服务清单",
                  Location{.field = "id", .value = std::to_string(id)});
  }
  if (list->version.sha256 != run->list_sha256) {
    return Status("run.list_changed",
                  "这次核定所用的清单版本与服务中的不同，名册须用当时的清单生成（yanglao entitle "
                  "rolls --list 当时的清单）",
                  Location{.field = "id", .value = std::to_string(id)});
  }
  const std::string& item = call.Path("item");
  const bool summary = item == "summary";
  if (!summary) {
    const policy::Item* it = list->list().FindItem(item);
    if (it == nullptr || it->benefit.type != policy::BenefitType::kCash) {
      return Status("roll.not_found", "名册只有现金类项目才有；或用 summary 下载资金汇总",
                    Location{.field = "item", .value = item.substr(0, 16)});
    }
  }
  Result<std::optional<std::string>> format_param =
      EnumQuery(call, "format", {{"xlsx", ""}, {"csv", ""}});
  if (!format_param.ok()) return format_param.status();
  const std::string format = format_param->value_or("xlsx");
  const Withholding withholding(*call.user);
  if (!summary && withholding.HidesItem(list, item)) {
    call.Audit("entitle.roll.export", std::to_string(id), "denied",
               {{"item", item}, {"reason", "withheld"}});
    return Status("auth.forbidden",
                  "此项目的享受条件涉及您无权查看的信息（如收入、健康、残疾），不能下载其名册",
                  Location{.field = "item", .value = item.substr(0, 16)});
  }
  Result<std::set<std::string>> caseload = CaseloadOf(call);
  if (!caseload.ok()) return caseload.status();
  const Principal& user = *call.user;
  entitle::RunStore store(*call.registry);
  Result<entitle::RollTables> tables = entitle::BuildRolls(
      *call.registry, store, *run, list->list(),
      [&](const entitle::RunLine& l) {
        return RowInScope(user, l.community, *caseload, l.id_number) &&
               !withholding.HidesItem(list, l.item);
      },
      summary ? std::string_view() : std::string_view(item));
  if (!tables.ok()) return tables.status();
  const std::vector<std::vector<std::string>>& rows =
      summary ? tables->summary : tables->rolls.front().rows;
  std::string stem =
      summary ? fmt::format("{}-资金汇总", run->month)
              : fmt::format("{}-第{}项-{}-代发名册", run->month, item, tables->rolls.front().name);
  Result<Reply> r = TableDownload(rows, format, summary ? "资金汇总" : "代发名册", stem);
  if (r.ok()) {
    call.Audit("entitle.roll.export", std::to_string(id), "ok",
               {{"item", item},
                {"format", format},
                {"people", summary ? tables->people : tables->rolls.front().people},
                {"total_fen", summary ? tables->total_fen : tables->rolls.front().total_fen}});
  }
  return r;
}

// --- Care advisor ---------------------------------------------------------------

Result<Reply> AdviceRoute(Call& call) {
  Result<std::string> id = PersonIdOf(call, call.Path("ref"));
  if (!id.ok()) return id.status();
  std::string list_name = call.Query("list").value_or("");
  if (list_name.empty()) {
    // The list of the jurisdiction nearest above the user's unit.
    size_t best = 0;
    for (const auto& [name, l] : call.app.lists()) {
      std::string code = RegionCode(l.list().jurisdiction);
      if (l.version.loaded.ok() && call.user->unit_code.starts_with(code) && code.size() > best) {
        best = code.size();
        list_name = name;
      }
    }
    if (list_name.empty()) {
      return Status("request.param", "请用参数 list 指定服务清单", Location{.field = "list"});
    }
  }
  Result<const ServedList*> list = FindList(call, list_name, "list");
  if (!list.ok()) return list.status();
  Result<Month> month = MonthParam(call, "month", Month::Of(call.app.Today()));
  if (!month.ok()) return month.status();
  Result<int64_t> horizon = call.QueryInt("horizon", 36, 0, 120);
  if (!horizon.ok()) return horizon.status();
  if (Status s = CheckPersonAccess(call, *id, "person.advice"); !s.ok()) return s;

  Result<std::shared_ptr<const policy::CompiledList>> compiled =
      call.app.entitle().Compiled(**list, *month);
  if (!compiled.ok()) return compiled.status();
  Result<entitle::Jurisdiction> where = entitle::Jurisdiction::Of((*list)->list().jurisdiction);
  if (!where.ok()) return where.status();
  const CivilDate today = call.app.Today();
  Result<std::optional<registry::PersonView>> person =
      call.registry->Person(*id, month->FirstDay(), today);
  if (!person.ok()) return person.status();
  if (!person->has_value()) {
    call.Audit("person.advice", *id, "failed", {{"reason", "not_known_then"}});
    return Status("person.not_found",
                  fmt::format("{} 时登记中尚无此人", month->FirstDay().ToString()),
                  Location{.field = "month", .value = month->ToString()});
  }
  entitle::Advice advice =
      entitle::AdvisePerson(**compiled, *where, **person, *month, static_cast<int>(*horizon));
  const Principal& user = *call.user;
  const ServedList& served = **list;
  const policy::ServiceList& sl = served.list();
  const policy::FactSchema& schema = policy::FactSchema::Person();
  const Withholding withholding(user);
  json::array hidden;
  for (const std::string& g : withholding.HiddenGroupKeys()) hidden.push_back(json::string(g));

  // The answer is built in one arena: the advisor is a hot endpoint.
  json::monotonic_resource arena(32 * 1024);
  json::storage_ptr sp(&arena);
  json::object o(sp);
  o["ref"] = call.app.PersonRef(advice.id_number);
  o["id_number"] = MaskIdNumber(advice.id_number);
  o["name"] = advice.name;
  o["list"] = served.name;
  o["list_title"] = sl.title;
  o["month"] = month->ToString();
  o["as_of"] = month->FirstDay().ToString();
  o["deceased"] = advice.deceased;
  json::array facts(sp);
  for (size_t slot = 0; slot < schema.size(); ++slot) {
    const auto& info = schema.at(slot);
    if (withholding.HidesFact(info.name)) continue;
    json::object f(sp);
    f["fact"] = info.name;
    f["label"] = info.label;
    f["value"] = advice.facts[slot];
    f["text"] = schema.Describe(slot, advice.facts[slot]);
    facts.push_back(std::move(f));
  }
  o["facts"] = std::move(facts);
  std::set<std::string> withheld;
  json::array items(sp);
  int64_t monthly = 0;
  for (size_t i = 0; i < advice.items.size() && i < served.item_groups.size(); ++i) {
    const policy::Item& item = *(*compiled)->items[i].item;
    const policy::ItemOutcome& out = advice.items[i];
    json::object it(sp);
    it["item"] = item.number;
    it["name"] = item.name;
    it["section"] = policy::SectionName(item.section);
    it["benefit"] = policy::BenefitTypeName(item.benefit.type);
    json::array departments(sp);
    for (const std::string& d : item.departments) departments.emplace_back(d);
    it["departments"] = std::move(departments);
    if (withholding.HidesItem(served.item_groups, i)) {
      withheld.insert(item.number);
      it["withheld"] = true;
      items.push_back(std::move(it));
      continue;
    }
    it["withheld"] = false;
    it["entitled"] = out.entitled;
    it["excluded"] = out.excluded;
    if (out.entitled && item.benefit.type == policy::BenefitType::kCash) {
      it["amount_fen"] = out.amount;
      it["amount"] = policy::FormatCash(item, out.amount);
      if (item.benefit.period == policy::CashPeriod::kMonth) monthly += out.amount;
    } else if (out.entitled && item.benefit.type == policy::BenefitType::kDiscount) {
      it["percent"] = out.percent;
    } else if (out.entitled && item.benefit.type == policy::BenefitType::kService) {
      it["service"] = policy::ServiceFrequency(item.benefit.per, item.benefit.times);
    }
    json::array why(sp);
    for (const std::string& w : out.why) why.emplace_back(w);
    it["why"] = std::move(why);
    items.push_back(std::move(it));
  }
  o["items"] = std::move(items);
  o["monthly_cash_fen"] = monthly;
  o["monthly_cash_yuan"] = Yuan(monthly);
  json::array upcoming(sp);
  for (const entitle::Upcoming& u : advice.upcoming) {
    if (withheld.contains(u.item)) continue;
    json::object e(sp);
    e["date"] = u.event_date.ToString();
    e["event"] = u.event;
    e["from"] = u.from.ToString();
    e["item"] = u.item;
    e["item_name"] = u.item_name;
    e["starts"] = u.starts;
    e["amount_fen"] = u.amount;
    e["text"] = u.text;
    upcoming.push_back(std::move(e));
  }
  o["upcoming"] = std::move(upcoming);
  o["hidden_field_groups"] = json::value(hidden, sp);
  call.Audit("person.advice", *id, "ok",
             {{"list", served.name}, {"month", month->ToString()}, {"hidden", hidden}});
  return Reply::Json(o);
}

// --- What-if -----------------------------------------------------------------------

Result<std::vector<std::string>> StringArray(const json::object& body, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array() || v->as_array().size() > 100) {
    return Status("request.field", fmt::format("{} 应为字符串数组（至多 100 项）", key),
                  Location{.field = std::string(key)});
  }
  for (const json::value& e : v->as_array()) {
    if (!e.is_string() || e.as_string().size() > 2000) {
      return Status("request.field", fmt::format("{} 的每一项应为不超过 2000 字节的字符串", key),
                    Location{.field = std::string(key)});
    }
    out.emplace_back(e.as_string());
  }
  return out;
}

// Amounts a what-if may set: 0 to 1,000,000元 per payment (money), and
// integers within ±1,000,000 (ages, percents, bracket bounds). Larger values
// overflowed the cost sums (issue #12: 92233720368547758元 gave a negative
// cost). Checks every parameter of the changed list, so whatever the edit
// syntax, no value out of range reaches the evaluation.
constexpr int64_t kMaxWhatIfFen = 100'000'000;
constexpr int64_t kMaxWhatIfInt = 1'000'000;

Status CheckWhatIfAmounts(const policy::ServiceList& list) {
  for (const policy::Parameter& p : list.parameters) {
    auto bad = [&](int64_t v) {
      return p.money ? v < 0 || v > kMaxWhatIfFen : v < -kMaxWhatIfInt || v > kMaxWhatIfInt;
    };
    for (const policy::DatedValue& d : p.values) {
      bool out = bad(d.value);
      for (const auto& [min, v] : d.brackets) {
        out = out || bad(v) || min < -kMaxWhatIfInt || min > kMaxWhatIfInt;
      }
      if (!out) continue;
      return Status(
          "whatif.edit",
          p.money
              ? fmt::format("参数 {} 的金额应在 0 到 {}元 之间", p.name, Yuan(kMaxWhatIfFen))
              : fmt::format("参数 {} 应在 -{} 到 {} 之间", p.name, kMaxWhatIfInt, kMaxWhatIfInt),
          Location{.field = "set", .value = p.name});
    }
  }
  return Status::Ok();
}

Result<Reply> WhatIfRoute(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<ListMonth> lm = ListAndMonthOf(call, *body);
  if (!lm.ok()) return lm.status();
  const ServedList* list = lm->list;
  const Month month = lm->month;
  entitle::WhatIfEdits edits;
  for (auto [key, dest] : {std::pair{"set", &edits.set}, std::pair{"rule", &edits.rule},
                           std::pair{"drop", &edits.drop}}) {
    Result<std::vector<std::string>> v = StringArray(*body, key);
    if (!v.ok()) return v.status();
    *dest = std::move(*v);
  }
  if (edits.set.empty() && edits.rule.empty() && edits.drop.empty()) {
    return Status("request.field", "请至少给出一项调整（set、rule 或 drop）",
                  Location{.field = "set"});
  }
  // A fresh copy of the list to change.
  entitle::LoadedListVersion variant = entitle::LoadListVersion(list->file, list->params);
  if (!variant.loaded.ok()) return variant.loaded.errors.front();
  if (Status s = entitle::ApplyEdits(variant.loaded.list, edits, month.FirstDay()); !s.ok()) {
    return s;
  }
  if (Status s = CheckWhatIfAmounts(variant.loaded.list); !s.ok()) return s;
  // A rule the caller writes may not read what the caller may not see: its
  // counts could single out a person and tell a hidden fact ("3=dibao &&
  // age == 82"). The withholding rule, applied to the edited items.
  const Withholding withholding(*call.user);
  const std::vector<uint32_t> variant_groups = ItemGroups(variant.loaded.list);
  for (const std::string& e : edits.rule) {
    const std::string number = e.substr(0, e.find('='));
    const auto& items = variant.loaded.list.items;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].number != number || !withholding.HidesItem(variant_groups, i)) continue;
      call.Audit("entitle.whatif", list->name, "denied",
                 {{"reason", "withheld"}, {"item", number}});
      return Status(
          "auth.forbidden",
          fmt::format("第{}项的测算规则读取了您无权查看的信息（如收入、健康、残疾）", number),
          Location{.field = "rule", .value = number});
    }
  }
  Result<policy::CompiledList> variant_compiled =
      policy::CompileList(variant.loaded.list, month.FirstDay());
  if (!variant_compiled.ok()) {
    return Status("whatif.compile", variant_compiled.status().message(),
                  variant_compiled.status().where());
  }
  Result<std::shared_ptr<const policy::CompiledList>> base =
      call.app.entitle().Compiled(*list, month);
  if (!base.ok()) return base.status();
  Result<std::shared_ptr<const entitle::Snapshot>> snap =
      call.app.entitle().SnapshotFor(*call.registry, *list, month, call.app.Today());
  if (!snap.ok()) return snap.status();
  // The list in force evaluated over this snapshot once (per watermark), then
  // only the variant per request.
  struct Prepared {
    std::shared_ptr<const policy::CompiledList> list;
    entitle::WhatIfBase base;
  };
  auto prepared =
      Derived<Prepared>(*snap,
                        fmt::format("entitle.whatif|{}|{}|{}", list->name, month.ToString(),
                                    static_cast<const void*>(base->get())),
                        [&] {
                          return Prepared{*base, entitle::PrepareWhatIf(**base, **snap)};
                        });
  entitle::WhatIfReport report = entitle::CompareLists(prepared->base, *variant_compiled, **snap);

  // Masked examples of gainers and losers only for a user whose scope holds
  // the whole jurisdiction; the counts and money are aggregates.
  const bool examples = UnitWithinScope(*call.user, RegionCode(list->list().jurisdiction));
  // ... and of items that are not withheld from the user in the list or its
  // variant.
  auto withheld = [&](const std::string& number) {
    if (withholding.HidesItem(list, number)) return true;
    const auto& items = variant.loaded.list.items;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].number == number) return withholding.HidesItem(variant_groups, i);
    }
    return false;  // dropped from the variant: the base decides
  };
  json::object o;
  o["list"] = list->name;
  o["month"] = month.ToString();
  o["as_of"] = month.FirstDay().ToString();
  o["known_on"] = (*snap)->known_on.ToString();
  o["feed_watermark"] = (*snap)->feed_watermark;
  o["people"] = report.people;
  o["monthly_delta_fen"] = report.monthly_delta;
  o["monthly_delta_yuan"] = Yuan(report.monthly_delta);
  o["yearly_delta_fen"] = report.yearly_delta;
  o["yearly_delta_yuan"] = Yuan(report.yearly_delta);
  json::array items;
  for (const entitle::ItemDelta& d : report.items) {
    if (d.gainers == 0 && d.losers == 0 && d.amount_up == 0 && d.amount_down == 0 &&
        d.in_base == d.in_variant)
      continue;
    json::object i;
    i["item"] = d.item;
    i["name"] = d.name;
    i["in_base"] = d.in_base;
    i["in_variant"] = d.in_variant;
    i["base_people"] = d.base_people;
    i["variant_people"] = d.variant_people;
    i["gainers"] = d.gainers;
    i["losers"] = d.losers;
    i["amount_up"] = d.amount_up;
    i["amount_down"] = d.amount_down;
    i["monthly_delta_fen"] = d.monthly_delta;
    i["yearly_delta_fen"] = d.yearly_delta;
    const bool hidden = withheld(d.item);
    i["withheld"] = hidden;
    if (examples && !hidden) {
      i["sample_gainers"] = json::value_from(d.sample_gainers);
      i["sample_losers"] = json::value_from(d.sample_losers);
    }
    items.push_back(std::move(i));
  }
  o["items"] = std::move(items);
  json::array counties;
  const RegionTable& table = RegionTable::Builtin();
  for (const entitle::CountyDelta& c : report.counties) {
    json::object k;
    k["county"] = c.county < 0
                      ? json::value(nullptr)
                      : json::value(RegionJson(table.all()[static_cast<size_t>(c.county)].code));
    k["base_monthly_fen"] = c.base_monthly;
    k["variant_monthly_fen"] = c.variant_monthly;
    k["monthly_delta_fen"] = c.variant_monthly - c.base_monthly;
    k["base_yearly_fen"] = c.base_yearly;
    k["variant_yearly_fen"] = c.variant_yearly;
    k["yearly_delta_fen"] = c.variant_yearly - c.base_yearly;
    counties.push_back(std::move(k));
  }
  o["counties"] = std::move(counties);
  json::object edits_json{{"set", json::value_from(edits.set)},
                          {"rule", json::value_from(edits.rule)},
                          {"drop", json::value_from(edits.drop)}};
  o["edits"] = edits_json;
  call.Audit("entitle.whatif", list->name, "ok",
             {{"month", month.ToString()},
              {"edits", edits_json},
              {"monthly_delta_fen", report.monthly_delta}});
  return Reply::Json(o);
}

}  // namespace

void AddEntitleRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/entitlement/runs", {.permission = "entitle:run:read"},
             ListRunsRoute);
  router.Add(verb::post, "/api/v1/entitlement/runs", {.permission = "entitle:run:create"},
             StartRunRoute);
  router.Add(verb::get, "/api/v1/entitlement/jobs/{id}", {.permission = "entitle:run:read"},
             GetJobRoute);
  router.Add(verb::get, "/api/v1/entitlement/runs/{id}",
             {.permission = "entitle:run:read", .blocking = true}, GetRunRoute);
  router.Add(verb::get, "/api/v1/entitlement/runs/{id}/lines",
             {.permission = "entitle:run:read", .blocking = true}, RunLinesRoute);
  router.Add(verb::get, "/api/v1/entitlement/runs/{id}/changes",
             {.permission = "entitle:run:read", .blocking = true}, RunChangesRoute);
  router.Add(verb::get, "/api/v1/entitlement/runs/{id}/rolls/{item}",
             {.permission = "entitle:roll:export", .blocking = true}, RollRoute);
  router.Add(verb::get, "/api/v1/persons/{ref}/advice", {.permission = "entitle:advice:read"},
             AdviceRoute);
  router.Add(verb::post, "/api/v1/entitlement/whatif",
             {.permission = "entitle:whatif:run", .blocking = true, .body_limit = 256 * 1024},
             WhatIfRoute);
}

}  // namespace yanglao::server
