#include "visits/roster.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/region.h"
#include "entitle/engine.h"
#include "entitle/snapshot.h"
#include "policy/entitlement.h"
#include "policy/fact_schema.h"
#include "policy/rule_checker.h"
#include "policy/rule_parser.h"
#include "policy/rule_plan.h"

namespace yanglao::visits {

namespace {
// Tier items are appended to the list under numbers no list uses.
std::string TierNumber(const Tier& t) { return "visits:" + t.id; }
}  // namespace

Result<std::unique_ptr<RosterRules>> RosterRules::Load(const std::filesystem::path& policy_file) {
  Result<VisitPolicy> p = LoadVisitPolicy(policy_file);
  if (!p.ok()) return p.status();
  policy::LoadedList loaded = policy::LoadServiceList(p->list_file);
  if (!loaded.ok()) {
    return Status("visits.list", fmt::format("服务清单有错误：{}", loaded.errors.front().message()),
                  loaded.errors.front().where());
  }
  std::unique_ptr<RosterRules> r(new RosterRules());
  r->list_ = std::make_unique<policy::ServiceList>(std::move(loaded.list));
  policy::ServiceList& list = *r->list_;
  r->item_index_ = list.items.size();
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (list.items[i].number == p->item) r->item_index_ = i;
  }
  if (r->item_index_ == list.items.size()) {
    return Status("visits.list", fmt::format("服务清单《{}》中没有第{}项", list.title, p->item),
                  Location{.file = p->path, .field = "item", .value = p->item});
  }
  if (list.items[r->item_index_].benefit.type != policy::BenefitType::kService) {
    return Status("visits.list", fmt::format("第{}项不是服务项目，不能作为探访项目", p->item),
                  Location{.file = p->path, .field = "item", .value = p->item});
  }
  for (const Tier& t : p->tiers) {
    Location origin{.file = p->path, .line = t.rule_line, .column = t.rule_column};
    Result<policy::ExprPtr> expr = policy::ParseRule(t.rule, origin);
    if (!expr.ok()) {
      return Status("visits.list",
                    fmt::format("档次「{}」的规则有误：{}", t.label, expr.status().message()),
                    expr.status().where());
    }
    policy::Item item;
    item.number = TierNumber(t);
    item.name = t.label;
    item.eligibility = std::move(*expr);
    item.benefit.type = policy::BenefitType::kService;
    item.where = origin;
    r->tier_index_.push_back(list.items.size());
    list.items.push_back(std::move(item));
  }
  std::vector<Status> errors;
  policy::CheckListRules(list, policy::FactSchema::Person(), errors);
  if (!errors.empty()) {
    Location where = errors.front().where();
    where.file = p->path;
    return Status("visits.list", fmt::format("档次规则有误：{}", errors.front().message()), where);
  }
  r->policy_ = std::move(*p);
  return r;
}

Result<std::vector<std::unique_ptr<RosterRules>>> RosterRules::LoadDirectory(
    const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 12 && name.ends_with(".visits.yaml")) files.push_back(e.path());
  }
  if (ec) {
    return Status("visits.policy", fmt::format("无法读取探访政策目录：{}", ec.message()),
                  Location{.file = dir.string()});
  }
  std::sort(files.begin(), files.end());
  std::vector<std::unique_ptr<RosterRules>> out;
  for (const auto& f : files) {
    Result<std::unique_ptr<RosterRules>> r = Load(f);
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

Result<Roster> RosterRules::Compute(registry::Registry& registry, Month month,
                                    CivilDate known_on) const {
  CivilDate first = month.FirstDay();
  // The item and the tiers only: other items may need parameters this
  // policy does not care about.
  policy::CompiledList compiled;
  compiled.list = list_.get();
  compiled.date = first;
  std::vector<size_t> indexes = {item_index_};
  indexes.insert(indexes.end(), tier_index_.begin(), tier_index_.end());
  for (size_t i : indexes) {
    Result<policy::CompiledItem> ci =
        policy::CompileItem(*list_, list_->items[i], first, compiled.plan);
    if (!ci.ok()) return Status("visits.list", ci.status().message(), ci.status().where());
    compiled.items.push_back(*ci);
  }
  Result<entitle::Snapshot> snap =
      entitle::BuildSnapshot(registry, list_->jurisdiction, first, known_on);
  if (!snap.ok()) return snap.status();
  entitle::Evaluation ev = entitle::Evaluate(compiled, *snap, 1, false);

  const policy::Item& item = list_->items[item_index_];
  Roster out;
  out.jurisdiction = list_->jurisdiction;
  out.month = month;
  out.item = item.number;
  out.item_name = item.name;
  out.citation = fmt::format("{} 第{}项 {}", list_->title, item.number, item.name);
  const RegionTable& regions = RegionTable::Builtin();
  std::vector<size_t> next(indexes.size(), 0);  // cursor per tier roll (rows ascend)
  for (uint32_t row : ev.rolls[0].rows) {
    RosterEntry e;
    e.id_number = snap->IdNumber(row);
    int32_t res = snap->residence[row];
    if (res >= 0) e.region = regions.all()[static_cast<size_t>(res)].code;
    const Tier* tier = &policy_.default_tier;
    e.rank = static_cast<int>(policy_.tiers.size());
    for (size_t k = 0; k < policy_.tiers.size(); ++k) {
      const std::vector<uint32_t>& rows = ev.rolls[k + 1].rows;
      size_t& at = next[k + 1];
      while (at < rows.size() && rows[at] < row) ++at;
      if (at < rows.size() && rows[at] == row) {
        tier = &policy_.tiers[k];
        e.rank = static_cast<int>(k);
        break;
      }
    }
    e.tier = tier->id;
    e.every_days = tier->every_days;
    out.people.push_back(std::move(e));
  }
  return out;
}

const RosterRules* RulesFor(const std::vector<std::unique_ptr<RosterRules>>& rules,
                            std::string_view region) {
  for (const auto& r : rules) {
    std::string_view j = r->jurisdiction();
    // "420700" is the city 4207: compare natural prefixes.
    std::string_view natural = j;
    while (natural.size() > 2 && natural.ends_with("00")) natural.remove_suffix(2);
    if (region.starts_with(natural)) return r.get();
  }
  return nullptr;
}

}  // namespace yanglao::visits
