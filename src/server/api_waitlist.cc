// Routes: the admission waitlist (入住评估轮候). The queue with names, masked
// ID numbers and each position's rule trace (an audited read of persons'
// data), allocation of a vacant bed, and the public queue (信息公开, no
// sign-in): positions, names masked to their first character, class and
// waiting date, no ID number. docs/waitlist.md describes them.
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <memory>

#include "core/id_number.h"
#include "server/api_util.h"
#include "server/app.h"
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

// The rules of `?city=` (a GB/T 2260 city code). waitlist.city when none.
Result<const waitlist::WaitlistRules*> RulesOf(const WaitlistState& state, const Call& call) {
  if (!state.load_error.ok()) return state.load_error;
  std::string city = call.Query("city").value_or("");
  auto it = state.by_city.find(city);
  if (it == state.by_city.end()) {
    return Status("waitlist.city", "没有该市的轮候规则（policies/waitlist/）",
                  Location{.field = "city", .value = city.substr(0, 12)});
  }
  return it->second.get();
}

Result<Reply> QueueRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  waitlist::WaitlistStore store(call.registry->db(), **rules);
  Result<waitlist::State> s = store.Load();
  if (!s.ok()) return s.status();
  json::array items;
  for (const waitlist::Position& p : waitlist::Rank(**rules, *s)) {
    const waitlist::Application& a = s->applications.at(p.application);
    items.push_back({{"position", p.position},
                     {"application", a.id},
                     {"id_number", MaskIdNumber(a.person)},
                     {"name", a.name},
                     {"bed_type", a.bed_type},
                     {"status", waitlist::StatusLabel(a.status)},
                     {"offered_bed", a.offered_bed},
                     {"trace", p.trace}});
  }
  call.Audit("waitlist.queue.read", (*rules)->jurisdiction(), "ok", {{"applicants", items.size()}});
  return Reply::Json({{"city", (*rules)->jurisdiction()}, {"items", std::move(items)}});
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

Result<Reply> AllocateRoute(const WaitlistState& state, Call& call) {
  Result<const waitlist::WaitlistRules*> rules = RulesOf(state, call);
  if (!rules.ok()) return rules.status();
  waitlist::WaitlistStore store(call.registry->db(), **rules);
  const std::string& bed = call.Path("bed");
  Result<std::optional<waitlist::Offer>> offer = store.Allocate(bed, call.app.Today());
  if (!offer.ok()) return offer.status();
  call.Audit("waitlist.bed.allocate", bed, "ok",
             {{"application", offer->has_value() ? (*offer)->application : 0}});
  if (!offer->has_value()) return Reply::Json({{"bed", bed}, {"offer", nullptr}});
  return Reply::Json({{"bed", bed},
                      {"offer",
                       {{"application", (*offer)->application},
                        {"offered_on", (*offer)->offered_on.ToString()},
                        {"deadline", (*offer)->deadline.ToString()}}}});
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
  router.Add(verb::get, "/api/v1/waitlist/queue", {.permission = "waitlist:queue:read"},
             [state](Call& call) { return QueueRoute(*state, call); });
  router.Add(verb::post, "/api/v1/waitlist/beds/{bed}/allocate",
             {.permission = "waitlist:bed:allocate"},
             [state](Call& call) { return AllocateRoute(*state, call); });
  router.Add(verb::get, "/api/v1/public/waitlist", {.open = true},
             [state](Call& call) { return PublicQueueRoute(*state, call); });
}

}  // namespace yanglao::server
