// A city's visiting-care policy (policies/visits/<city>.visits.yaml, format
// yanglao.visits/1): which item of its service list is the visiting item,
// the risk tiers with their visit frequency (rules in the rule language of
// src/policy, evaluated by the engine), events that call for a visit within
// days, the due/overdue windows and the yearly monthly-visit-rate targets.
// Each tier says whether a seed states it (local: false) or it is a local
// choice (local: true), quoting the seed. docs/visits.md describes it.
//
// Who is on the roster is not here: the list item's own rule decides, on
// the registry as of the month's first day (visits/roster.h).
#ifndef YANGLAO_VISITS_POLICY_H_
#define YANGLAO_VISITS_POLICY_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace yanglao::visits {

struct Tier {
  std::string id;     // "weekly"
  std::string label;  // "重点关注（每周探访）"
  int every_days = 30;
  std::string rule;  // in the rule language; empty for the default tier
  int rule_line = 0, rule_column = 0;
  bool local = true;  // a local choice, not stated by a seed
  std::string quote, note;
};

struct Event {
  std::string id, label;
  int within_days = 3;
  bool local = true;
};

struct RateTarget {
  int year = 0;
  int percent = 0;
  std::string quote;
};

struct VisitPolicy {
  std::string path;
  int version = 0;
  std::filesystem::path list_file;  // resolved against the policy file
  std::string item;                 // the list's visiting item ("24")
  std::string source;
  std::vector<Tier> tiers;  // in order of risk, highest first; the first whose rule holds
  Tier default_tier;        // when no tier's rule holds
  std::vector<Event> events;
  int due_ahead_days = 3;
  int escalate_after_days = 7;
  std::vector<RateTarget> targets;

  // The target in force for `year`: the one stated for it; after the last
  // year stated, that year's (kept); else none.
  std::optional<RateTarget> TargetFor(int year) const;
  // Tiers in order, the default last.
  std::vector<const Tier*> AllTiers() const;
  const Tier* FindTier(std::string_view id) const;
};

// Parses and checks a policy file. Fails with visits.policy at
// file:line:col (bad YAML, a missing or ill-typed field, every_days out of
// 1..92, duplicate tier ids, a percent out of 0..100).
Result<VisitPolicy> ParseVisitPolicy(std::string_view text, const std::string& name,
                                     const std::filesystem::path& dir);
Result<VisitPolicy> LoadVisitPolicy(const std::filesystem::path& path);

}  // namespace yanglao::visits

#endif  // YANGLAO_VISITS_POLICY_H_
