// Routes: persons (search, record, export, conflicts) and imports.
#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "core/id_number.h"
#include "core/region.h"
#include "core/utf8.h"
#include "entitle/live.h"
#include "registry/feed_file.h"
#include "registry/feed_template.h"
#include "registry/stats.h"
#include "server/api_util.h"
#include "server/app.h"
#include "server/live_state.h"
#include "server/schema.h"
#include "xlsx/xlsx.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;
using registry::StoredFact;

namespace {

json::object FactJson(const StoredFact& f) {
  json::object o;
  o["fact"] = f.fact;
  o["label"] = registry::FactLabel(f.fact);
  o["value"] = f.value;
  o["value_label"] = registry::ValueLabel(f.fact, f.value);
  o["valid_from"] = f.valid_from;
  o["valid_to"] = f.valid_to.empty() ? json::value(nullptr) : json::value(f.valid_to);
  o["source"] = f.source;
  o["feed_id"] = f.feed_id;
  o["row"] = f.row;
  if (!f.recorded_on.empty()) o["recorded_on"] = f.recorded_on;
  return o;
}

// A list row: masked ID, never the full number.
json::object PersonListItem(App& app, const registry::PersonView& v, CivilDate on) {
  json::object o;
  o["ref"] = app.PersonRef(v.id_number);
  o["id_number"] = MaskIdNumber(v.id_number);
  o["name"] = v.name();
  o["sex"] = SexName(v.sex);
  o["age"] = AgeOn(v.birth_date, on);
  auto res = v.facts.find("residence_region");
  o["residence"] =
      res == v.facts.end() ? json::value(nullptr) : json::value(RegionJson(res->second.value));
  o["deceased"] = v.deceased_on(on);
  return o;
}

Result<registry::PersonSearch> SearchOf(const Call& call) {
  registry::PersonSearch s;
  s.on = call.app.Today();
  s.name = call.Query("name").value_or("");
  if (s.name.size() > 90) return Status("request.param", "姓名过长", Location{.field = "name"});
  if (!IsValidUtf8(s.name)) {
    return Status("request.param", "姓名应为 UTF-8 编码的文字", Location{.field = "name"});
  }
  std::string id = call.Query("id").value_or("");
  if (!id.empty()) {
    bool ok = id.size() <= 18 && std::all_of(id.begin(), id.end(), [](char c) {
                return (c >= '0' && c <= '9') || c == 'X' || c == 'x';
              });
    if (!ok) {
      return Status("request.param", "身份号码查询应为号码或其前若干位数字",
                    Location{.field = "id", .value = MaskIdNumbersIn(id.substr(0, 18))});
    }
    std::transform(id.begin(), id.end(), id.begin(), [](char c) { return c == 'x' ? 'X' : c; });
    // A short prefix, and many searches in a row, would recover a number
    // digit by digit from the counts alone (issue #12).
    const size_t min = call.app.options().id_prefix_min;
    if (id.size() < min) {
      return Status("request.param", fmt::format("按身份号码查询至少输入前 {} 位", min),
                    Location{.field = "id", .value = MaskIdNumbersIn(id)});
    }
    const std::string key = fmt::format("id-search:{}", call.user->user_id);
    LoginThrottle& throttle = call.app.id_search_throttle();
    if (int64_t wait = throttle.LockedFor(key); wait > 0) {
      return Status("auth.throttled", fmt::format("按身份号码查询过于频繁，请 {} 秒后再试", wait),
                    Location{.field = "retry_after_seconds", .value = std::to_string(wait)});
    }
    throttle.Failed(key);  // counts the search
    s.id_prefix = id;
  }
  std::string region = call.Query("region").value_or("");
  if (!region.empty()) {
    const Region* r = RegionTable::Builtin().Find(region);
    if (r == nullptr) {
      return Status("region.not_found", "没有这个行政区划代码",
                    Location{.field = "region", .value = region.substr(0, 20)});
    }
    s.region = r->code;
  }
  s.filters = PersonScopeFilters(*call.user, s.on);
  return s;
}

// A search by ID number that narrows to one person tells as much as reading
// the number: it is recorded as a read of that person.
void AuditNarrowedSearch(Call& call, const registry::PersonSearch& s,
                         const registry::PersonPage& page, std::string_view via) {
  if (s.id_prefix.empty() || page.total != 1 || page.ids.size() != 1) return;
  call.Audit("person.read", page.ids.front(), "ok",
             {{"via", via}, {"id", MaskIdNumbersIn(s.id_prefix)}});
}

json::object SearchDetail(const registry::PersonSearch& s, int64_t total) {
  json::object d;
  if (!s.name.empty()) d["name"] = s.name;
  if (!s.id_prefix.empty()) d["id"] = MaskIdNumbersIn(s.id_prefix);
  if (!s.region.empty()) d["region"] = s.region;
  d["total"] = total;
  return d;
}

Result<Reply> SearchPersonsRoute(Call& call) {
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  Result<registry::PersonSearch> search = SearchOf(call);
  if (!search.ok()) return search.status();
  search->offset = paging->offset();
  search->limit = paging->size;
  Result<registry::PersonPage> page = call.registry->SearchPersons(*search);
  if (!page.ok()) return page.status();
  const CivilDate today = call.app.Today();
  json::array items;
  for (const std::string& id : page->ids) {
    Result<std::optional<registry::PersonView>> v = call.registry->Person(id, today, today);
    if (!v.ok()) return v.status();
    if (v->has_value()) items.push_back(PersonListItem(call.app, **v, today));
  }
  call.Audit("person.search", "", "ok", SearchDetail(*search, page->total));
  AuditNarrowedSearch(call, *search, *page, "person.search");
  return Reply::Json(PageJson(*paging, page->total, std::move(items)));
}

Result<Reply> ExportPersonsRoute(Call& call) {
  Result<registry::PersonSearch> search = SearchOf(call);
  if (!search.ok()) return search.status();
  search->limit = 5000;
  Result<registry::PersonPage> page = call.registry->SearchPersons(*search);
  if (!page.ok()) return page.status();
  const CivilDate today = call.app.Today();
  std::vector<std::vector<std::string>> rows = {
      {"公民身份号码（脱敏）", "姓名", "性别", "年龄", "居住地代码", "居住地", "状态"}};
  for (const std::string& id : page->ids) {
    Result<std::optional<registry::PersonView>> v = call.registry->Person(id, today, today);
    if (!v.ok()) return v.status();
    if (!v->has_value()) continue;
    const registry::PersonView& p = **v;
    auto res = p.facts.find("residence_region");
    std::string code = res == p.facts.end() ? "" : res->second.value;
    const Region* r = code.empty() ? nullptr : RegionTable::Builtin().Find(code);
    rows.push_back({MaskIdNumber(p.id_number), p.name(), std::string(SexName(p.sex)),
                    std::to_string(AgeOn(p.birth_date, today)), code,
                    r ? RegionTable::Builtin().FullName(*r) : "",
                    p.deceased_on(today) ? "已死亡" : "在世"});
  }
  std::string format = call.Query("format").value_or("xlsx");
  Result<Reply> r = TableDownload(rows, format, "老年人名单", "老年人名单");
  if (r.ok()) {
    json::object d = SearchDetail(*search, page->total);
    d["rows"] = rows.size() - 1;
    d["format"] = format;
    call.Audit("person.export", "", "ok", std::move(d));
    AuditNarrowedSearch(call, *search, *page, "person.export");
  }
  return r;
}

Result<Reply> GetPersonRoute(Call& call) {
  Result<std::string> id = PersonIdOf(call, call.Path("ref"));
  if (!id.ok()) return id.status();
  const CivilDate today = call.app.Today();
  Result<CivilDate> as_of = DateParam(call, "as_of", today);
  if (!as_of.ok()) return as_of.status();
  Result<CivilDate> known_on = DateParam(call, "known_on", today);
  if (!known_on.ok()) return known_on.status();
  if (Status s = CheckPersonAccess(call, *id, "person.read"); !s.ok()) return s;

  registry::Registry& reg = *call.registry;
  Result<registry::Registry::PersonRecord> record = reg.PersonWithHistory(*id, *as_of, *known_on);
  if (!record.ok()) return record.status();
  if (!record->view) {
    call.Audit("person.read", *id, "failed", {{"reason", "not_known_then"}});
    return Status("person.not_found", fmt::format("截至 {} 登记中尚无此人", known_on->ToString()),
                  Location{.field = "known_on", .value = known_on->ToString()});
  }
  const std::vector<StoredFact>& history = record->history;
  Result<std::vector<registry::Conflict>> conflicts = reg.ConflictsOf(*id);
  if (!conflicts.ok()) return conflicts.status();

  const Principal& user = *call.user;
  const registry::PersonView& v = *record->view;
  json::object o;
  o["ref"] = call.app.PersonRef(v.id_number);
  o["id_number"] = v.id_number;  // the audited detail view shows it in full
  o["name"] = v.name();
  o["sex"] = SexName(v.sex);
  o["birth_date"] = v.birth_date.ToString();
  o["age"] = AgeOn(v.birth_date, *as_of);
  o["as_of"] = as_of->ToString();
  o["known_on"] = known_on->ToString();
  o["deceased"] = v.deceased_on(*as_of);
  auto res = v.facts.find("residence_region");
  o["residence"] =
      res == v.facts.end() ? json::value(nullptr) : json::value(RegionJson(res->second.value));
  json::array facts, overruled, hist, confl, hidden;
  for (const auto& [fact, f] : v.facts) {
    if (CanSeeFact(user, fact)) facts.push_back(FactJson(f));
  }
  for (const StoredFact& f : v.overruled) {
    if (CanSeeFact(user, f.fact)) overruled.push_back(FactJson(f));
  }
  for (const StoredFact& f : history) {
    if (CanSeeFact(user, f.fact)) hist.push_back(FactJson(f));
  }
  for (const registry::Conflict& c : *conflicts) {
    if (!CanSeeFact(user, c.fact)) continue;
    json::object k;
    k["id"] = c.id;
    k["fact"] = c.fact;
    k["label"] = registry::FactLabel(c.fact);
    k["a"] = FactJson(c.a);
    k["b"] = FactJson(c.b);
    k["status"] = c.status;
    confl.push_back(std::move(k));
  }
  json::array hidden_keys;
  for (const FieldGroup* g : HiddenGroups(user)) {
    json::array depts;
    for (const auto& d : g->departments) depts.push_back(json::string(d));
    hidden.push_back({{"key", g->key}, {"label", g->label}, {"departments", depts}});
    hidden_keys.push_back(json::string(g->key));
  }
  o["facts"] = std::move(facts);
  o["overruled"] = std::move(overruled);
  o["history"] = std::move(hist);
  o["conflicts"] = std::move(confl);
  o["hidden_field_groups"] = std::move(hidden);
  call.Audit(
      "person.read", *id, "ok",
      {{"as_of", as_of->ToString()}, {"known_on", known_on->ToString()}, {"hidden", hidden_keys}});
  return Reply::Json(o);
}

Result<Reply> ResolveConflictRoute(Call& call) {
  Result<std::string> id = PersonIdOf(call, call.Path("ref"));
  if (!id.ok()) return id.status();
  int64_t conflict_id = 0;
  const std::string& text = call.Path("conflict");
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), conflict_id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status("request.param", "冲突编号应为整数",
                  Location{.field = "conflict", .value = text.substr(0, 32)});
  }
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<std::optional<std::string>> note = StringField(*body, "note");
  if (!note.ok()) return note.status();
  if (!note->has_value() || (*note)->empty() || (*note)->size() > 2000) {
    return Status("request.field", "请填写处理说明（不超过 2000 字节）", Location{.field = "note"});
  }
  if (Status s = CheckPersonAccess(call, *id, "person.conflict.resolve"); !s.ok()) return s;
  Result<std::vector<registry::Conflict>> conflicts = call.registry->ConflictsOf(*id);
  if (!conflicts.ok()) return conflicts.status();
  auto it = std::find_if(conflicts->begin(), conflicts->end(), [&](const registry::Conflict& c) {
    return c.id == conflict_id && c.status == "open";
  });
  if (it == conflicts->end() || !CanSeeFact(*call.user, it->fact)) {
    return Status("conflict.not_found", "此人没有这个待处理的冲突",
                  Location{.field = "conflict", .value = text});
  }
  std::string recorded = fmt::format("{}（{}，{}）", **note, call.user->username, UtcNow());
  if (Status s = call.registry->ResolveConflict(conflict_id, recorded); !s.ok()) return s;
  call.Audit("person.conflict.resolve", *id, "ok", {{"conflict", conflict_id}, {"note", **note}});
  return Reply::Json(json::object{{"id", conflict_id}, {"status", "resolved"}});
}

// --- Imports ------------------------------------------------------------------

json::object FeedReport(const registry::ParsedFeed& feed) {
  json::object o;
  o["source"] = feed.source;
  o["file_name"] = feed.file_name;
  o["sha256"] = feed.sha256;
  o["data_rows"] = feed.data_rows;
  o["facts"] = feed.facts.size();
  json::array problems;
  for (const registry::RowProblem& p : feed.problems) {
    problems.push_back({{"row", p.row},
                        {"column", p.column},
                        {"header", p.header},
                        {"value", MaskIdNumbersIn(p.value)},
                        {"code", p.code},
                        {"message", MaskIdNumbersIn(p.message)}});
  }
  json::array warnings;
  for (const std::string& w : feed.warnings) warnings.push_back(json::string(MaskIdNumbersIn(w)));
  o["problems"] = std::move(problems);
  o["warnings"] = std::move(warnings);
  return o;
}

Result<registry::ParsedFeed> ReadUpload(const Call& call, const std::string& source,
                                        const std::string& file_name) {
  std::string_view bytes = call.request.body();
  if (bytes.empty()) return Status("request.body", "请求内容为空：请上传数据文件");
  std::string lower = file_name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.ends_with(".xls")) {
    return Status("feed.format", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）",
                  Location{.file = file_name});
  }
  // ReadFeedBytes tells a workbook by its zip signature; a file named .xlsx
  // without one would otherwise be read as CSV and fail on its "header".
  if (lower.ends_with(".xlsx") && !bytes.starts_with("PK\x03\x04")) {
    return Status("feed.format", "文件扩展名为 .xlsx，但内容不是 Excel 工作簿：请重新导出后上传",
                  Location{.file = file_name});
  }
  // The same reader as `yanglao registry import`: CSV in UTF-8 or GB18030,
  // or any sheet of an .xlsx found by its header, with identifiers in number
  // cells and formulas without a stored value refused rather than rounded or
  // read as blank (issue #15).
  return registry::ReadFeedBytes(bytes, file_name, source, call.app.Today());
}

// Issue #12, finding 2: an upload may only touch persons within the
// uploader's data scope. For a scope narrower than 全部, every row's person
// must be registered and within the scope today; a row of anyone else is a
// problem, with the same code and message whether the number is registered
// elsewhere or not registered at all (so the report cannot be used to probe
// registration), and the file is refused as a whole. Adding new persons takes
// an account whose scope is 全部.
Status CheckFeedScope(Call& call, registry::ParsedFeed& feed) {
  const Principal& user = *call.user;
  if (user.scope == DataScope::kAll) return Status::Ok();
  std::map<std::string, int> first_row;  // ID number -> first row naming it
  for (const registry::FactRecord& f : feed.facts) first_row.emplace(f.id_number, f.row);
  std::vector<std::string> ids;
  for (const auto& [id, row] : first_row) ids.push_back(id);
  Result<std::set<std::string>> reached = PersonsInScope(call, ids);
  if (!reached.ok()) return reached.status();
  std::vector<registry::RowProblem> outside;
  for (const auto& [id, row] : first_row) {
    if (reached->contains(id)) continue;
    outside.push_back(
        {row, 0, "公民身份号码", MaskIdNumber(id), "row.scope",
         "此人不在您的数据范围内，不能由您导入其数据（新增人员须由数据范围为“全部”的账号导入）"});
  }
  std::sort(
      outside.begin(), outside.end(),
      [](const registry::RowProblem& a, const registry::RowProblem& b) { return a.row < b.row; });
  feed.problems.insert(feed.problems.end(), outside.begin(), outside.end());
  return Status::Ok();
}

Result<int64_t> RecordImport(Call& call, const std::string& source, const std::string& file_name,
                             const std::string& sha256, const std::string& status, int64_t rows,
                             std::optional<int64_t> feed_id, const json::object& report) {
  Result<std::vector<registry::Row>> id = call.registry->db().QueryAll(
      "INSERT INTO server_import (at, user_id, username, unit_code, source, file_name, sha256, "
      "status, data_rows, feed_id, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {UtcNow(), call.user->user_id, call.user->username, call.user->unit_code, source, file_name,
       sha256, status, rows, feed_id ? registry::Value{*feed_id} : registry::Value{},
       json::serialize(report)});
  if (!id.ok()) return id.status();
  return (*id)[0].AsInt(0);
}

// Gives the memory freed after an upload back to the system: a parse can
// grow the heap by far more than the file (issue #12: 1.5 GB for a 17 KB
// .xlsx) and glibc would otherwise keep it. Declared first in the route, so
// it runs after everything else there is freed.
struct TrimHeapOnExit {
  TrimHeapOnExit() = default;
  TrimHeapOnExit(const TrimHeapOnExit&) = delete;
  TrimHeapOnExit& operator=(const TrimHeapOnExit&) = delete;
  ~TrimHeapOnExit() { malloc_trim(0); }
};

Result<Reply> CreateImportRoute(Call& call) {
  TrimHeapOnExit trim;
  std::string source = call.Query("source").value_or("");
  // The name as given (decoded from the query), with any ID number in it
  // masked: it is stored, audited and shown in lists.
  std::string file_name = call.Query("file_name").value_or("upload.csv");
  if (file_name.size() > 255 || file_name.find('/') != std::string::npos ||
      file_name.find('\0') != std::string::npos) {
    return Status("request.param", "文件名不能含 / 且不超过 255 字节",
                  Location{.field = "file_name"});
  }
  file_name = MaskIdNumbersIn(ToValidUtf8(file_name));
  if (registry::FindTemplate(source) == nullptr) {
    return Status("feed.source", fmt::format("未知的数据来源部门「{}」", source.substr(0, 60)),
                  Location{.field = "source", .value = source.substr(0, 60)});
  }
  if (!call.user->Can("*") && call.user->department != source) {
    call.Audit("import.create", file_name, "denied",
               {{"source", source}, {"reason", "department"}});
    return Status("import.department",
                  fmt::format("只能导入本部门（{}）的数据", call.user->department),
                  Location{.field = "source", .value = source});
  }
  Result<registry::ParsedFeed> feed = ReadUpload(call, source, file_name);
  if (call.ClientGone()) {
    // Nobody will read the report: stop here, before any of the file is
    // imported (an abandoned upload must not keep the database busy).
    call.Audit("import.create", file_name, "failed",
               {{"source", source}, {"reason", "client_gone"}});
    return Status("request.cancelled", "客户端已断开，导入未进行");
  }
  if (!feed.ok()) {
    call.Audit("import.create", file_name, "failed",
               {{"source", source}, {"code", feed.status().code()}});
    return feed.status();
  }
  if (Status s = CheckFeedScope(call, *feed); !s.ok()) return s;
  json::object report = FeedReport(*feed);
  if (!feed->problems.empty()) {
    report["status"] = "rejected";
    Result<int64_t> import_id = RecordImport(call, source, file_name, feed->sha256, "rejected",
                                             feed->data_rows, std::nullopt, report);
    if (!import_id.ok()) return import_id.status();
    report["id"] = *import_id;
    call.Audit("import.create", file_name, "failed",
               {{"import", *import_id}, {"source", source}, {"problems", feed->problems.size()}});
    json::object err;
    err["code"] = "feed.invalid";
    err["message"] = fmt::format("数据文件有 {} 处错误，整个文件未导入，请改正后重新报送",
                                 feed->problems.size());
    err["details"] = {{"file", file_name}};
    // The error envelope with the row report beside it; its status from the code's category.
    return Reply::Json(
        json::object{{"error", err}, {"request_id", call.request_id}, {"import", report}},
        HttpStatusFor("feed.invalid"));
  }
  Result<registry::ImportOutcome> out = call.registry->Import(*feed, call.app.Today());
  if (!out.ok()) return out.status();
  std::string status = out->already_imported ? "already_imported" : "imported";
  report["status"] = status;
  report["feed_id"] = out->feed_id;
  report["outcome"] = {{"persons_added", out->persons_added},
                       {"facts_added", out->facts_added},
                       {"facts_unchanged", out->facts_unchanged},
                       {"conflicts_added", out->conflicts_added}};
  Result<int64_t> import_id = RecordImport(call, source, file_name, feed->sha256, status,
                                           feed->data_rows, out->feed_id, report);
  if (!import_id.ok()) return import_id.status();
  report["id"] = *import_id;
  call.Audit("import.create", file_name, "ok",
             {{"import", *import_id},
              {"source", source},
              {"status", status},
              {"feed", out->feed_id},
              {"rows", feed->data_rows}});
  return Reply::Json(report, out->already_imported ? 200 : 201);
}

registry::SqlFilter ImportScope(const Principal& user) {
  switch (user.scope) {
    case DataScope::kAll:
      return {"1 = 1", {}};
    case DataScope::kSubtree:
      return {"substr(unit_code, 1, ?) = ?",
              {static_cast<int64_t>(user.unit_code.size()), user.unit_code}};
    case DataScope::kUnit:
      return {"unit_code = ?", {user.unit_code}};
    case DataScope::kSelf:
      return {"user_id = ?", {user.user_id}};
  }
  return {"1 = 0", {}};
}

Result<Reply> ListImportsRoute(Call& call) {
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  registry::SqlFilter scope = ImportScope(*call.user);
  registry::Database& db = call.registry->db();
  Result<std::vector<registry::Row>> total =
      db.QueryAll("SELECT COUNT(*) FROM server_import WHERE " + scope.sql, scope.params);
  if (!total.ok()) return total.status();
  std::vector<registry::Value> params = scope.params;
  params.push_back(paging->size);
  params.push_back(paging->offset());
  json::array items;
  Status s = db.Query(
      "SELECT id, at, username, source, file_name, status, data_rows, feed_id FROM server_import "
      "WHERE " +
          scope.sql + " ORDER BY id DESC LIMIT ? OFFSET ?",
      params, [&](const registry::Row& r) {
        items.push_back(
            {{"id", r.AsInt(0)},
             {"at", r.AsText(1)},
             {"username", r.AsText(2)},
             {"source", r.AsText(3)},
             {"file_name", r.AsText(4)},
             {"status", r.AsText(5)},
             {"data_rows", r.AsInt(6)},
             {"feed_id", r.IsNull(7) ? json::value(nullptr) : json::value(r.AsInt(7))}});
        return true;
      });
  if (!s.ok()) return s;
  return Reply::Json(PageJson(*paging, (*total)[0].AsInt(0), std::move(items)));
}

// A stored report shows the values of bad cells: to a reader who may not
// see a column's field group (another department's upload), the value and
// the message quoting it are withheld (Withholding, as everywhere).
void WithholdHiddenProblems(const Withholding& w, json::object& report) {
  if (w.hidden_bits() == 0) return;
  const json::value* source = report.if_contains("source");
  const registry::FeedTemplate* t =
      source && source->is_string() ? registry::FindTemplate(source->as_string()) : nullptr;
  json::value* problems = report.if_contains("problems");
  if (problems == nullptr || !problems->is_array()) return;
  for (json::value& p : problems->as_array()) {
    if (!p.is_object()) continue;
    json::object& o = p.as_object();
    const json::value* header = o.if_contains("header");
    bool hidden = t == nullptr;  // an unknown source: nothing says it is safe
    for (size_t i = 0; t != nullptr && i < t->columns.size(); ++i) {
      if (header && header->is_string() && t->columns[i].header == header->as_string())
        hidden = w.HidesFact(t->columns[i].fact);
    }
    if (!hidden) continue;
    o["value"] = "";
    o["message"] = "此处内容属于您无权查看的信息，已隐去";
    o["withheld"] = true;
  }
}

Result<Reply> GetImportRoute(Call& call) {
  int64_t id = 0;
  const std::string& text = call.Path("id");
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status("request.param", "导入编号应为整数",
                  Location{.field = "id", .value = text.substr(0, 32)});
  }
  registry::SqlFilter scope = ImportScope(*call.user);
  std::vector<registry::Value> params = {id};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  Result<std::vector<registry::Row>> r = call.registry->db().QueryAll(
      "SELECT report, username, at FROM server_import WHERE id = ? AND " + scope.sql, params);
  if (!r.ok()) return r.status();
  if (r->empty()) {
    return Status("import.not_found", "没有这次导入（或不在本人数据范围内）",
                  Location{.field = "id", .value = text});
  }
  Result<json::value> report = ParseJson((*r)[0].AsText(0));
  if (!report.ok() || !report->is_object()) return Status("server.internal", "导入报告已损坏");
  json::object o = std::move(report->as_object());
  WithholdHiddenProblems(Withholding(*call.user), o);
  o["id"] = id;
  o["username"] = (*r)[0].AsText(1);
  o["at"] = (*r)[0].AsText(2);
  return Reply::Json(o);
}

// GET /api/v1/registry/stats?region=: the statistics of `yanglao registry
// stats` for a region's people (residence or hukou within it) as of today,
// from the live snapshot (entitle/live.h: kept in memory and advanced by each
// feed, so an answer costs one pass over the columns, not a read of the
// registry). The region must lie within the reader's scope (default: the
// reader's unit); counts of circumstances the reader may not see are left
// out. `live` tells the snapshot's watermark and what bringing it up to date
// did for this request.
Result<Reply> RegistryStatsRoute(Call& call) {
  const Principal& user = *call.user;
  std::string code = call.Query("region").value_or(user.unit_code);
  const Region* r = RegionTable::Builtin().Find(code);
  if (r == nullptr) {
    return Status("region.not_found", "没有这个地区代码",
                  Location{.field = "region", .value = code.substr(0, 16)});
  }
  if (!UnitWithinScope(user, r->code)) {
    call.Audit("person.stats", r->code, "denied", {{"reason", "scope"}});
    return Status("auth.scope", "所选地区超出您的数据范围",
                  Location{.field = "region", .value = r->DisplayCode()});
  }
  entitle::LiveUpdate update;
  Result<std::shared_ptr<const entitle::Snapshot>> snap =
      LiveSnapshotOf(*call.registry, call.app.options().db_url, r->code, call.app.Today(),
                     kEverythingRecorded, &update);
  if (!snap.ok()) return snap.status();
  // Counted once per snapshot (so once per watermark), then served from memory.
  std::shared_ptr<const registry::RegistryStats> counted = Derived<registry::RegistryStats>(
      *snap, "registry.stats", [&] { return entitle::SnapshotStats(**snap); });
  const registry::RegistryStats& stats = *counted;
  const auto& circumstances = registry::StatsCircumstances();
  auto counts_json = [&](const registry::StatsCounts& k) {
    json::array bands;
    for (int64_t n : k.bands) bands.push_back(n);
    json::object with;
    for (size_t i = 0; i < circumstances.size(); ++i) {
      if (CanSeeFact(user, circumstances[i].fact)) {
        with[circumstances[i].fact] = k.circumstances[i];
      }
    }
    return json::object{{"people", k.people},
                        {"bands", std::move(bands)},
                        {"urban", k.urban},
                        {"placed", k.placed},
                        {"circumstances", std::move(with)}};
  };
  json::array bands;
  for (size_t b = 0; b < registry::kStatsBands; ++b) {
    int lo = registry::kStatsBandEdges[b], hi = registry::kStatsBandEdges[b + 1];
    bands.push_back(json::string(b == 0 ? fmt::format("{}岁以下", hi)
                                 : b + 1 == registry::kStatsBands
                                     ? fmt::format("{}岁及以上", lo)
                                     : fmt::format("{}-{}岁", lo, hi - 1)));
  }
  json::object labels;
  for (const auto& c : circumstances) {
    if (CanSeeFact(user, c.fact)) labels[c.fact] = c.label;
  }
  json::array counties;
  for (const auto& [county, k] : stats.by_county) {
    json::object o = counts_json(k);
    o["region"] = RegionJson(county);
    counties.push_back(std::move(o));
  }
  call.Audit("person.stats", r->code, "ok", {{"people", stats.all.people}});
  return Reply::Json(json::object{{"region", RegionJson(r->code)},
                                  {"as_of", stats.as_of.ToString()},
                                  {"bands", std::move(bands)},
                                  {"circumstance_labels", std::move(labels)},
                                  {"all", counts_json(stats.all)},
                                  {"counties", std::move(counties)},
                                  {"live",
                                   {{"feed_watermark", (*snap)->feed_watermark},
                                    {"rows", (*snap)->size},
                                    {"persons_rederived", update.persons},
                                    {"rebuilt", update.rebuilt},
                                    {"read_ms", update.read_seconds * 1000},
                                    {"merge_ms", update.merge_seconds * 1000}}}});
}

}  // namespace

void AddRegistryRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/persons", {.permission = "person:person:list"},
             SearchPersonsRoute);
  router.Add(verb::get, "/api/v1/persons/export",
             {.permission = "person:person:export", .blocking = true}, ExportPersonsRoute);
  router.Add(verb::get, "/api/v1/persons/{ref}", {.permission = "person:person:read"},
             GetPersonRoute);
  router.Add(verb::post, "/api/v1/persons/{ref}/conflicts/{conflict}/resolve",
             {.permission = "person:conflict:resolve"}, ResolveConflictRoute);
  router.Add(verb::post, "/api/v1/imports",
             {.permission = "registry:import:create", .body_limit = 256u << 20, .upload = true},
             CreateImportRoute);
  router.Add(verb::get, "/api/v1/imports", {.permission = "registry:import:read"},
             ListImportsRoute);
  router.Add(verb::get, "/api/v1/imports/{id}", {.permission = "registry:import:read"},
             GetImportRoute);
  router.Add(verb::get, "/api/v1/registry/stats", {.permission = "person:person:list"},
             RegistryStatsRoute);
}

}  // namespace yanglao::server
