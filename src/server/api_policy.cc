// Routes: regions and service lists (show, diff, compliance).
#include <fmt/format.h>

#include "policy/compliance.h"
#include "policy/list_diff.h"
#include "policy/rule_ast.h"
#include "server/api_util.h"
#include "server/app.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

Result<Reply> GetRegion(Call& call) {
  const RegionTable& t = RegionTable::Builtin();
  const std::string& code = call.Path("code");
  const Region* r = t.Find(code);
  if (r == nullptr) {
    Result<std::string> n = NormalizeRegionCode(code);
    if (!n.ok()) return n.status().At(Location{.field = "code", .value = code.substr(0, 20)});
    return Status("region.not_found", "没有这个行政区划代码",
                  Location{.field = "code", .value = code});
  }
  json::object o = RegionJson(r->code);
  o["kind"] = RegionKindName(r->kind);
  json::array ancestors, children;
  for (const Region* a : t.Ancestors(*r)) ancestors.push_back(RegionJson(a->code));
  for (const Region* c : t.Children(*r)) {
    children.push_back(
        {{"code", c->DisplayCode()}, {"name", c->name}, {"kind", RegionKindName(c->kind)}});
  }
  o["ancestors"] = std::move(ancestors);
  o["children"] = std::move(children);
  return Reply::Json(o);
}

Result<Reply> FindRegions(Call& call) {
  std::string q = call.Query("q").value_or("");
  if (q.empty() || q.size() > 60) {
    return Status("request.param", "请用参数 q 给出要查找的名称（不超过 60 字节）",
                  Location{.field = "q"});
  }
  json::array items;
  for (const Region* r : RegionTable::Builtin().FindByName(q, 50))
    items.push_back(RegionJson(r->code));
  return Reply::Json(json::object{{"items", std::move(items)}});
}

Result<const policy::LoadedList*> ListOf(const Call& call, const std::string& name,
                                         std::string_view field) {
  Result<const ServedList*> l = FindList(call, name, field, /*usable=*/false);
  if (!l.ok()) return l.status();
  if (!(*l)->version.loaded.ok()) {
    return Status("list.invalid",
                  fmt::format("服务清单「{}」有错误：{}", name,
                              (*l)->version.loaded.errors.front().ToString()),
                  Location{.field = std::string(field), .value = name});
  }
  return &(*l)->version.loaded;
}

json::object ListSummary(const std::string& name, const policy::LoadedList& l) {
  json::object o;
  o["name"] = name;
  o["jurisdiction"] = l.list.jurisdiction;
  o["title"] = l.list.title;
  o["issuer"] = l.list.issuer;
  o["document"] = l.list.document;
  o["effective_from"] =
      l.list.effective_from ? json::value(l.list.effective_from->ToString()) : nullptr;
  o["items"] = l.list.items.size();
  o["errors"] = l.errors.size();
  bool demo = false;
  for (const policy::Parameter& p : l.list.parameters) demo |= p.demo;
  o["demo_parameters"] = demo;
  return o;
}

Result<Reply> ListLists(Call& call) {
  json::array items;
  for (const auto& [name, l] : call.app.lists())
    items.push_back(ListSummary(name, l.version.loaded));
  return Reply::Json(json::object{{"items", std::move(items)}});
}

Result<Reply> ShowList(Call& call) {
  Result<const policy::LoadedList*> l = ListOf(call, call.Path("name"), "name");
  if (!l.ok()) return l.status();
  const policy::ServiceList& list = (*l)->list;
  json::object o = ListSummary(call.Path("name"), **l);
  json::array items;
  for (const policy::Item& it : list.items) {
    json::array depts;
    for (const auto& d : it.departments) depts.push_back(json::string(d));
    items.push_back({{"number", it.number},
                     {"name", it.name},
                     {"content", it.content},
                     {"target", it.target},
                     {"kind", it.kind_label},
                     {"section", policy::SectionName(it.section)},
                     {"departments", depts},
                     {"basis", it.basis},
                     {"benefit_type", policy::BenefitTypeName(it.benefit.type)},
                     {"eligibility", it.eligibility ? policy::ToSource(*it.eligibility) : ""}});
  }
  o["list_items"] = std::move(items);
  json::array params;
  for (const policy::Parameter& p : list.parameters) {
    params.push_back({{"name", p.name},
                      {"label", p.label},
                      {"unit", p.unit},
                      {"demo", p.demo},
                      {"values", p.values.size()}});
  }
  o["parameters"] = std::move(params);
  return Reply::Json(o);
}

std::string_view ChangeKind(policy::ItemChange::Kind k) {
  switch (k) {
    case policy::ItemChange::Kind::kAdded:
      return "added";
    case policy::ItemChange::Kind::kRemoved:
      return "removed";
    case policy::ItemChange::Kind::kChanged:
      return "changed";
  }
  return "changed";
}

Result<Reply> DiffListsRoute(Call& call) {
  Result<const policy::LoadedList*> to = ListOf(call, call.Path("name"), "name");
  if (!to.ok()) return to.status();
  Result<const policy::LoadedList*> from =
      ListOf(call, call.Query("against").value_or(""), "against");
  if (!from.ok()) return from.status();
  policy::ListDiff d = policy::DiffLists((*from)->list, (*to)->list);
  json::array items, params;
  for (const policy::ItemChange& c : d.items) {
    json::array details;
    for (const auto& line : c.details) details.push_back(json::string(line));
    items.push_back({{"kind", ChangeKind(c.kind)},
                     {"number", c.number},
                     {"name", c.name},
                     {"details", details}});
  }
  for (const auto& p : d.parameters) params.push_back(json::string(p));
  return Reply::Json(json::object{{"old", call.Query("against").value_or("")},
                                  {"new", call.Path("name")},
                                  {"items", std::move(items)},
                                  {"parameters", std::move(params)}});
}

std::string_view ViolationKind(policy::ComplianceViolation::Kind k) {
  switch (k) {
    case policy::ComplianceViolation::Kind::kMissingItem:
      return "missing_item";
    case policy::ComplianceViolation::Kind::kCoverage:
      return "coverage";
    case policy::ComplianceViolation::Kind::kStandard:
      return "standard";
  }
  return "standard";
}

Result<Reply> ComplianceRoute(Call& call) {
  Result<const policy::LoadedList*> child = ListOf(call, call.Path("name"), "name");
  if (!child.ok()) return child.status();
  Result<const policy::LoadedList*> parent =
      ListOf(call, call.Query("parent").value_or(""), "parent");
  if (!parent.ok()) return parent.status();
  CivilDate date = call.app.Today();
  if (std::optional<std::string> text = call.Query("date")) {
    Result<CivilDate> d = CivilDate::Parse(*text);
    if (!d.ok()) return d.status().At(Location{.field = "date", .value = text->substr(0, 20)});
    date = *d;
  }
  Result<policy::ComplianceReport> r =
      policy::CheckCompliance((*parent)->list, (*child)->list, date);
  if (!r.ok()) return r.status();
  json::array violations, checks;
  for (const policy::ComplianceViolation& v : r->violations) {
    violations.push_back({{"kind", ViolationKind(v.kind)},
                          {"parent_number", v.parent_number},
                          {"item_name", v.item_name},
                          {"child_number", v.child_number},
                          {"message", v.message}});
  }
  for (const policy::ItemCheck& c : r->checks) {
    checks.push_back({{"parent_number", c.parent_number},
                      {"item_name", c.item_name},
                      {"child_number", c.child_number},
                      {"method", c.method},
                      {"cases", c.cases}});
  }
  return Reply::Json(json::object{{"parent", call.Query("parent").value_or("")},
                                  {"child", call.Path("name")},
                                  {"date", date.ToString()},
                                  {"complies", r->complies()},
                                  {"violations", std::move(violations)},
                                  {"checks", std::move(checks)}});
}

}  // namespace

void AddPolicyRoutes(App& app, Router& router) {
  (void)app;
  router.Add(verb::get, "/api/v1/regions", {.permission = "region:region:read"}, FindRegions);
  router.Add(verb::get, "/api/v1/regions/{code}", {.permission = "region:region:read"}, GetRegion);
  router.Add(verb::get, "/api/v1/lists", {.permission = "policy:list:read"}, ListLists);
  router.Add(verb::get, "/api/v1/lists/{name}", {.permission = "policy:list:read"}, ShowList);
  router.Add(verb::get, "/api/v1/lists/{name}/diff", {.permission = "policy:list:read"},
             DiffListsRoute);
  router.Add(verb::get, "/api/v1/lists/{name}/compliance",
             {.permission = "policy:list:read", .blocking = true}, ComplianceRoute);
}

}  // namespace yanglao::server
