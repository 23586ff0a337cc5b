// Routes: canteens and meal aid (幸福食堂、助餐). The counter (preview and
// sale), the checks flagged for review, the monthly settlement (JSON or
// XLSX), approval, and coverage. docs/canteen.md describes them.
//
// The counter serves any diner of the city (通享): a sale does not need the
// diner in the caller's data scope, but the canteen must be (its location
// within the caller's unit). What the counter shows of the diner is the
// masked ID number, the name and the decision; each identification is an
// audited read of the person's data. Flags list diners masked.
#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <memory>

#include "canteen/coverage.h"
#include "canteen/import.h"
#include "canteen/sell.h"
#include "canteen/settle.h"
#include "canteen/store.h"
#include "core/file_io.h"
#include "core/id_number.h"
#include "core/money.h"
#include "db/database.h"
#include "server/api_util.h"
#include "server/app.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

struct CanteenState {
  std::unique_ptr<canteen::Counters> counters;
  Status load_error;
};

Result<const canteen::Counters*> CountersOf(const CanteenState& state) {
  if (!state.load_error.ok()) return state.load_error;
  return state.counters.get();
}

json::object FundsJson(const std::vector<canteen::FundPart>& funds) {
  json::object o;
  for (const canteen::FundPart& f : funds) o[f.source] = f.fen;
  return o;
}

json::object CanteenJson(const canteen::Canteen& c) {
  json::array periods, prices, communities;
  for (const canteen::MealPeriod& p : c.periods)
    periods.push_back({{"name", p.name}, {"start", p.start}, {"end", p.end}});
  for (const canteen::Price& p : c.prices)
    prices.push_back({{"dish", p.dish}, {"market_fen", p.market_fen}});
  for (const std::string& k : c.communities) communities.push_back(RegionJson(k));
  return {{"id", c.id},
          {"code", c.code},
          {"name", c.name},
          {"kind", c.kind},
          {"region", RegionJson(c.region)},
          {"communities", std::move(communities)},
          {"operator", c.operator_name},
          {"hours", c.hours},
          {"periods", std::move(periods)},
          {"prices", std::move(prices)}};
}

// The canteen `id`, within the caller's scope. Fails with canteen.not_found
// (also for one outside the scope, recorded as denied).
Result<canteen::Canteen> ScopedCanteen(Call& call, canteen::CanteenStore& store, int64_t id) {
  Result<std::optional<canteen::Canteen>> c = store.FindCanteen(id);
  if (!c.ok()) return c.status();
  if (c->has_value() && UnitWithinScope(*call.user, (*c)->region)) return std::move(**c);
  if (c->has_value()) call.Audit("canteen.scope", std::to_string(id), "denied");
  return Status("canteen.not_found", "没有这个食堂（或不在您的管辖范围内）",
                Location{.field = "canteen_id", .value = std::to_string(id)});
}

Result<int64_t> IntField(const json::object& o, std::string_view key, bool required) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) {
      return Status("request.field", fmt::format("缺少字段 {}", key),
                    Location{.field = std::string(key)});
    }
    return int64_t{-1};
  }
  if (!v->is_int64() || v->as_int64() < 0) {
    return Status("request.field", fmt::format("字段 {} 应为非负整数", key),
                  Location{.field = std::string(key)});
  }
  return v->as_int64();
}

// The diner: an ID number or a person ref (what the citizen page's QR code
// carries); "" for an anonymous diner.
Result<std::string> DinerOf(Call& call, const json::object& body) {
  Result<std::optional<std::string>> diner = StringField(body, "diner");
  if (!diner.ok()) return diner.status();
  if (!diner->has_value() || (*diner)->empty()) return std::string();
  Result<std::string> id = PersonIdOf(call, **diner);
  if (!id.ok()) {
    Status s = id.status();
    return Status(s.code(), s.message(), Location{.field = "diner", .value = s.where().value});
  }
  return *id;
}

std::string DinerName(Call& call, const std::string& id, CivilDate on) {
  if (id.empty()) return "";
  Result<std::optional<registry::PersonView>> p = call.registry->Person(id, on, on);
  return p.ok() && p->has_value() ? (*p)->name() : "";
}

json::object DecisionJson(const canteen::Decision& d) {
  return {{"market_fen", d.market_fen},
          {"discount_fen", d.discount_fen},
          {"subsidy_fen", d.subsidy_fen},
          {"paid_fen", d.paid_fen},
          {"percent", d.percent},
          {"item", d.item},
          {"citation", d.citation},
          {"funds", FundsJson(d.funds)},
          {"words", d.words},
          {"why", json::value_from(d.why)}};
}

Result<Reply> PreviewRoute(CanteenState& state, Call& call) {
  Result<const canteen::Counters*> counters = CountersOf(state);
  if (!counters.ok()) return counters.status();
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<int64_t> canteen_id = IntField(*body, "canteen_id", true);
  if (!canteen_id.ok()) return canteen_id.status();
  Result<std::optional<std::string>> dish = StringField(*body, "dish");
  if (!dish.ok()) return dish.status();
  Result<std::string> id = DinerOf(call, *body);
  if (!id.ok()) return id.status();
  canteen::CanteenStore store(call.registry->db());
  Result<canteen::Canteen> c = ScopedCanteen(call, store, *canteen_id);
  if (!c.ok()) return c.status();
  const canteen::Price* price = c->FindPrice(dish->value_or(""));
  if (price == nullptr) {
    return Status("canteen.dish", fmt::format("食堂「{}」没有这个菜品或套餐", c->name),
                  Location{.field = "dish", .value = dish->value_or("").substr(0, 64)});
  }
  const CivilDate today = call.app.Today();
  Result<canteen::Decision> d =
      canteen::Preview(*call.registry, *c, **counters, *id, today, price->market_fen);
  if (!d.ok()) return d.status();
  json::object out = DecisionJson(*d);
  out["id_number"] = MaskIdNumber(*id);
  out["name"] = DinerName(call, *id, today);
  if (!id->empty()) {
    call.Audit("canteen.identify", *id, "ok",
               {{"canteen", c->code}, {"item", d->item}, {"percent", d->percent}});
  }
  return Reply::Json(out);
}

Result<Reply> SaleRoute(CanteenState& state, Call& call) {
  Result<const canteen::Counters*> counters = CountersOf(state);
  if (!counters.ok()) return counters.status();
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  canteen::SaleRequest r;
  Result<int64_t> canteen_id = IntField(*body, "canteen_id", true);
  if (!canteen_id.ok()) return canteen_id.status();
  r.canteen_id = *canteen_id;
  Result<int64_t> collected = IntField(*body, "collected_fen", false);
  if (!collected.ok()) return collected.status();
  if (*collected >= 0) r.collected_fen = *collected;
  for (auto [key, field] : {std::pair{"client_id", &r.client_id}, std::pair{"sold_at", &r.sold_at},
                            std::pair{"dish", &r.dish}}) {
    Result<std::optional<std::string>> v = StringField(*body, key);
    if (!v.ok()) return v.status();
    *field = v->value_or("");
  }
  if (r.sold_at.empty()) {
    return Status("request.field", "缺少字段 sold_at", Location{.field = "sold_at"});
  }
  Result<std::string> id = DinerOf(call, *body);
  if (!id.ok()) return id.status();
  r.id_number = *id;
  canteen::CanteenStore store(call.registry->db());
  Result<canteen::Canteen> c = ScopedCanteen(call, store, r.canteen_id);
  if (!c.ok()) return c.status();
  Result<canteen::Sale> sale =
      canteen::Sell(*call.registry, store, **counters, r, call.app.Today());
  if (!sale.ok()) return sale.status();
  json::array flags;
  for (const auto& [kind, detail] : sale->flags) {
    flags.push_back({{"kind", canteen::FlagKey(kind)},
                     {"name", canteen::FlagName(kind)},
                     {"detail", MaskIdNumbersIn(detail)}});
  }
  json::object receipt = {
      {"id", sale->id},
      {"client_id", sale->client_id},
      {"already_recorded", sale->already_recorded},
      {"canteen", c->name},
      {"sold_at", sale->sale_date + " " + sale->sold_time},
      {"period", sale->period},
      {"dish", sale->dish},
      {"id_number", MaskIdNumber(sale->id_number)},
      {"name", DinerName(call, sale->id_number, call.app.Today())},
      {"market_fen", sale->market_fen},
      {"discount_fen", sale->discount_fen},
      {"subsidy_fen", sale->subsidy_fen},
      {"paid_fen", sale->paid_fen},
      {"percent", sale->percent},
      {"citation", sale->citation},
      {"funds", FundsJson(sale->funds)},
      {"flags", std::move(flags)},
  };
  call.Audit("canteen.sale", sale->id_number, "ok",
             {{"sale", sale->id},
              {"canteen", c->code},
              {"already_recorded", sale->already_recorded},
              {"benefit_fen", sale->discount_fen + sale->subsidy_fen}});
  return Reply::Json(receipt, sale->already_recorded ? 200 : 201);
}

Result<Reply> CanteensRoute(Call& call) {
  canteen::CanteenStore store(call.registry->db());
  std::string prefix = call.user->scope == DataScope::kAll ? call.Query("region").value_or("")
                                                           : call.user->unit_code;
  Result<std::vector<canteen::Canteen>> all = store.Canteens(prefix.substr(0, 12));
  if (!all.ok()) return all.status();
  json::array items;
  for (const canteen::Canteen& c : *all) {
    if (UnitWithinScope(*call.user, c.region)) items.push_back(CanteenJson(c));
  }
  return Reply::Json({{"items", std::move(items)}});
}

Result<Reply> FlagsRoute(Call& call) {
  Result<Month> month = MonthParam(call, "month", Month::Of(call.app.Today()));
  if (!month.ok()) return month.status();
  std::string status = call.Query("status").value_or("open");
  if (status != "open" && status != "upheld" && status != "dismissed" && status != "all") {
    return Status("request.param", "status 应为 open、upheld、dismissed 或 all",
                  Location{.field = "status", .value = status.substr(0, 16)});
  }
  canteen::CanteenStore store(call.registry->db());
  Result<std::vector<canteen::Flag>> flags =
      store.Flags(month->ToString(), status == "all" ? "" : status, 0, 5000);
  if (!flags.ok()) return flags.status();
  Result<std::vector<canteen::Canteen>> canteens = store.Canteens();
  if (!canteens.ok()) return canteens.status();
  std::map<int64_t, std::string> region;
  for (const canteen::Canteen& c : *canteens) region[c.id] = c.region;
  json::array items;
  for (const canteen::Flag& f : *flags) {
    if (!UnitWithinScope(*call.user, region[f.canteen_id])) continue;
    std::optional<canteen::FlagKind> k = canteen::FlagOfKey(f.kind);
    items.push_back({{"id", f.id},
                     {"sale_id", f.sale_id},
                     {"kind", f.kind},
                     {"name", k ? canteen::FlagName(*k) : ""},
                     {"detail", MaskIdNumbersIn(f.detail)},
                     {"status", f.status},
                     {"id_number", MaskIdNumber(f.id_number)},
                     {"sale_date", f.sale_date},
                     {"period", f.period},
                     {"canteen", f.canteen_name},
                     {"benefit_fen", f.benefit_fen},
                     {"reviewed_by", f.reviewed_by},
                     {"reviewed_on", f.reviewed_on}});
  }
  call.Audit("canteen.flags", month->ToString(), "ok", {{"count", items.size()}});
  return Reply::Json({{"month", month->ToString()}, {"items", std::move(items)}});
}

Result<Reply> ReviewRoute(Call& call) {
  int64_t id = 0;
  const std::string& seg = call.Path("id");
  auto [end, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), id);
  if (ec != std::errc() || end != seg.data() + seg.size()) {
    return Status("canteen.not_found", "没有这条待复核记录",
                  Location{.field = "flag", .value = seg.substr(0, 20)});
  }
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  const json::value* upheld = body->if_contains("upheld");
  if (upheld == nullptr || !upheld->is_bool()) {
    return Status("request.field", "字段 upheld 应为 true（不予结算）或 false（予以结算）",
                  Location{.field = "upheld"});
  }
  canteen::CanteenStore store(call.registry->db());
  Result<std::optional<canteen::Flag>> found = store.FindFlag(id);
  if (!found.ok()) return found.status();
  if (found->has_value()) {
    const canteen::Flag& f = **found;
    Result<canteen::Canteen> c = ScopedCanteen(call, store, f.canteen_id);
    if (!c.ok()) return c.status();
    if (Status s = store.ReviewFlag(id, upheld->as_bool(), call.user->username, call.app.Today());
        !s.ok())
      return s;
    call.Audit("canteen.review", f.id_number, "ok", {{"flag", id}, {"upheld", upheld->as_bool()}});
    return Reply::Json({{"id", id}, {"status", upheld->as_bool() ? "upheld" : "dismissed"}});
  }
  return Status("canteen.not_found", "没有这条待复核记录", Location{.field = "flag", .value = seg});
}

std::string ScopePrefix(const Principal& user) {
  return user.scope == DataScope::kAll ? "" : user.unit_code;
}

Result<Reply> SettlementRoute(Call& call) {
  Result<Month> month = MonthParam(call, "month", Month::Of(call.app.Today()).AddMonths(-1));
  if (!month.ok()) return month.status();
  if (call.user->scope == DataScope::kSelf) {
    return Status("auth.forbidden", "结算单需要区域数据范围", Location{.field = "scope"});
  }
  canteen::CanteenStore store(call.registry->db());
  Result<canteen::Settlement> s = store.Settle(month->ToString(), ScopePrefix(*call.user));
  if (!s.ok()) return s.status();
  std::string format = call.Query("format").value_or("json");
  if (format == "xlsx") {
    static std::atomic<int> counter{0};
    std::filesystem::path tmp = std::filesystem::temp_directory_path() /
                                fmt::format("yanglao-canteen-{}-{}.xlsx", getpid(), counter++);
    if (Status w = canteen::WriteSettlementXlsx(tmp, *s); !w.ok()) return w;
    Result<std::string> bytes = ReadFileBytes(tmp);
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    if (!bytes.ok()) return bytes.status();
    call.Audit("canteen.settlement.export", month->ToString(), "ok");
    return Reply::File(std::move(*bytes),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       fmt::format("助餐结算-{}.xlsx", month->ToString()));
  }
  json::array lines, canteens, counties;
  for (const canteen::StatementLine& l : s->lines) {
    lines.push_back({{"canteen_id", l.canteen_id},
                     {"canteen_code", l.canteen_code},
                     {"canteen_name", l.canteen_name},
                     {"county", l.county},
                     {"source", l.source},
                     {"meals", l.meals},
                     {"benefit_fen", l.benefit_fen},
                     {"disallowed_fen", l.disallowed_fen},
                     {"claimed_fen", l.claimed_fen},
                     {"open_flags", l.open_flags},
                     {"status", l.status},
                     {"approved_by", l.approved_by},
                     {"approved_on", l.approved_on}});
  }
  for (const canteen::CanteenMonth& m : s->canteens) {
    if (m.sales == 0) continue;
    canteens.push_back({{"canteen_id", m.canteen_id},
                        {"canteen_code", m.canteen_code},
                        {"canteen_name", m.canteen_name},
                        {"sales", m.sales},
                        {"market_fen", m.market_fen},
                        {"discount_fen", m.discount_fen},
                        {"subsidy_fen", m.subsidy_fen},
                        {"paid_fen", m.paid_fen},
                        {"open_flags", m.open_flags}});
  }
  for (const canteen::Settlement::CountyLine& c : s->counties) {
    counties.push_back({{"county", RegionJson(c.county)},
                        {"source", c.source},
                        {"canteens", c.canteens},
                        {"meals", c.meals},
                        {"benefit_fen", c.benefit_fen},
                        {"disallowed_fen", c.disallowed_fen},
                        {"claimed_fen", c.claimed_fen}});
  }
  return Reply::Json({{"month", month->ToString()},
                      {"lines", std::move(lines)},
                      {"canteens", std::move(canteens)},
                      {"counties", std::move(counties)}});
}

Result<Reply> ApproveRoute(Call& call) {
  Result<json::object> body = call.JsonBody();
  if (!body.ok()) return body.status();
  Result<int64_t> canteen_id = IntField(*body, "canteen_id", true);
  if (!canteen_id.ok()) return canteen_id.status();
  Result<std::optional<std::string>> month_text = StringField(*body, "month");
  if (!month_text.ok()) return month_text.status();
  Result<Month> month = Month::Parse(month_text->value_or(""));
  if (!month.ok()) {
    return Status("request.field", "字段 month 应为 YYYY-MM",
                  Location{.field = "month", .value = month_text->value_or("").substr(0, 16)});
  }
  canteen::CanteenStore store(call.registry->db());
  Result<canteen::Canteen> c = ScopedCanteen(call, store, *canteen_id);
  if (!c.ok()) return c.status();
  if (Status s = store.Approve(month->ToString(), c->id, call.user->username, call.app.Today());
      !s.ok())
    return s;
  call.Audit("canteen.approve", c->code, "ok", {{"month", month->ToString()}});
  return Reply::Json({{"canteen_id", c->id}, {"month", month->ToString()}, {"status", "approved"}});
}

Result<Reply> CoverageRoute(CanteenState& state, Call& call) {
  Result<const canteen::Counters*> counters = CountersOf(state);
  if (!counters.ok()) return counters.status();
  std::string city = call.Query("city").value_or("");
  const canteen::Counter* counter = nullptr;
  for (const auto& c : (*counters)->all()) {
    if (c->jurisdiction() == city) counter = c.get();
  }
  if (counter == nullptr) {
    return Status("canteen.city", "没有该市的助餐规则（policies/canteen/）",
                  Location{.field = "city", .value = city.substr(0, 12)});
  }
  canteen::CanteenStore store(call.registry->db());
  std::string prefix = city.substr(0, city.ends_with("00") ? 4 : 6);
  Result<std::vector<canteen::Canteen>> all = store.Canteens(prefix);
  if (!all.ok()) return all.status();
  Result<canteen::CoverageReport> r = canteen::Coverage(*all, city, counter->rules().coverage);
  if (!r.ok()) return r.status();
  json::array groups;
  for (const canteen::CoverageGroup& g : r->groups) {
    groups.push_back({{"label", g.label},
                      {"total", g.total},
                      {"covered", g.covered},
                      {"target_percent", g.target_percent},
                      {"met", g.met},
                      {"uncovered", json::value_from(g.uncovered)}});
  }
  return Reply::Json({{"city", RegionJson(city)},
                      {"basis", r->basis},
                      {"by", r->by},
                      {"canteens", all->size()},
                      {"groups", std::move(groups)}});
}

// The canteen list as a file (XLSX or CSV, canteen/import.h), all or nothing.
Result<Reply> ImportRoute(Call& call) {
  std::string name = call.Query("file_name").value_or("食堂名单");
  Result<canteen::CanteenFile> file =
      canteen::ParseCanteenFile(call.request.body(), ToValidUtf8(name.substr(0, 100)));
  if (!file.ok()) return file.status();
  if (!file->ok()) {
    json::array problems;
    for (const Status& p : file->problems) {
      problems.push_back({{"code", p.code()},
                          {"message", p.message()},
                          {"line", p.where().line},
                          {"column", p.where().column},
                          {"field", p.where().field},
                          {"value", p.where().value}});
    }
    call.Audit("canteen.import", name, "failed", {{"problems", file->problem_count}});
    return Reply::Json({{"imported", false},
                        {"problem_count", file->problem_count},
                        {"problems", std::move(problems)}},
                       422);
  }
  for (const canteen::Canteen& c : file->canteens) {
    if (!UnitWithinScope(*call.user, c.region)) {
      return Status(ErrorCategory::kDenied, "canteen.scope", "名单中有不在您管辖范围内的食堂",
                    Location{.field = "所在社区", .value = c.region});
    }
  }
  canteen::CanteenStore store(call.registry->db());
  Result<canteen::ImportOutcome> out = store.PutCanteens(file->canteens);
  if (!out.ok()) return out.status();
  call.Audit("canteen.import", name, "ok",
             {{"added", out->added}, {"updated", out->updated}, {"unchanged", out->unchanged}});
  return Reply::Json({{"imported", true},
                      {"added", out->added},
                      {"updated", out->updated},
                      {"unchanged", out->unchanged}});
}

// A canteen's sales of a month, newest first (diners masked).
Result<Reply> SalesRoute(Call& call) {
  Result<int64_t> id = call.QueryInt("canteen_id", 0, 1, std::numeric_limits<int64_t>::max());
  if (!id.ok()) return id.status();
  Result<Month> month = MonthParam(call, "month", Month::Of(call.app.Today()));
  if (!month.ok()) return month.status();
  Result<Paging> paging = PagingOf(call);
  if (!paging.ok()) return paging.status();
  canteen::CanteenStore store(call.registry->db());
  Result<canteen::Canteen> c = ScopedCanteen(call, store, *id);
  if (!c.ok()) return c.status();
  Result<std::vector<canteen::Sale>> sales =
      store.Sales(c->id, month->ToString(), paging->size, paging->offset());
  if (!sales.ok()) return sales.status();
  Result<int64_t> total = store.CountSales(c->id, month->ToString());
  if (!total.ok()) return total.status();
  json::array items;
  for (const canteen::Sale& s : *sales) {
    items.push_back({{"id", s.id},
                     {"client_id", s.client_id},
                     {"sold_at", s.sale_date + " " + s.sold_time},
                     {"period", s.period},
                     {"dish", s.dish},
                     {"id_number", MaskIdNumber(s.id_number)},
                     {"market_fen", s.market_fen},
                     {"discount_fen", s.discount_fen},
                     {"subsidy_fen", s.subsidy_fen},
                     {"paid_fen", s.paid_fen},
                     {"item", s.item}});
  }
  return Reply::Json(PageJson(*paging, *total, std::move(items)));
}

}  // namespace

void AddCanteenRoutes(App& app, Router& router) {
  auto state = std::make_shared<CanteenState>();
  Result<std::unique_ptr<canteen::Counters>> counters =
      canteen::Counters::LoadDirectory(app.options().policies_dir / "canteen");
  if (counters.ok()) {
    state->counters = std::move(*counters);
  } else {
    state->load_error = counters.status();
  }
  router.Add(verb::get, "/api/v1/canteen/canteens", {.permission = "canteen:canteen:read"},
             CanteensRoute);
  router.Add(verb::post, "/api/v1/canteen/canteens/import",
             {.permission = "canteen:canteen:import", .body_limit = 16u << 20, .upload = true},
             ImportRoute);
  router.Add(verb::get, "/api/v1/canteen/sales", {.permission = "canteen:canteen:read"},
             SalesRoute);
  router.Add(verb::post, "/api/v1/canteen/preview", {.permission = "canteen:sale:create"},
             [state](Call& call) { return PreviewRoute(*state, call); });
  router.Add(verb::post, "/api/v1/canteen/sales", {.permission = "canteen:sale:create"},
             [state](Call& call) { return SaleRoute(*state, call); });
  router.Add(verb::get, "/api/v1/canteen/flags", {.permission = "canteen:flag:review"}, FlagsRoute);
  router.Add(verb::post, "/api/v1/canteen/flags/{id}/review", {.permission = "canteen:flag:review"},
             ReviewRoute);
  router.Add(verb::get, "/api/v1/canteen/settlement",
             {.permission = "canteen:settlement:read", .blocking = true}, SettlementRoute);
  router.Add(verb::post, "/api/v1/canteen/settlement/approve",
             {.permission = "canteen:settlement:approve"}, ApproveRoute);
  router.Add(verb::get, "/api/v1/canteen/coverage",
             {.permission = "canteen:canteen:read", .blocking = true},
             [state](Call& call) { return CoverageRoute(*state, call); });
}

}  // namespace yanglao::server
