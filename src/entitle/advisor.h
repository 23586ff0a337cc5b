// The care advisor (养老顾问) for one person: every item of a list, entitled
// or not, the amount, why (the deciding facts), and what is coming in the
// months ahead ("年满80周岁（2026-03-15）：高龄津贴 自2026-04起享受").
//
// An item the person qualifies for unless an unknown fact says otherwise is
// marked to verify (ItemOutcome::verify) with the facts and departments, as
// on the run's to-verify list. With `code`, reasons also show the rules.
//
// It uses the same facts (entitle::FactsOf) and the same rules as the
// whole-city run, so it agrees with the run for the same month. What is
// coming follows from time alone: birthdays and the end of a 残疾人证's
// validity, on the first day of each month ahead (the run rule).
#ifndef YANGLAO_ENTITLE_ADVISOR_H_
#define YANGLAO_ENTITLE_ADVISOR_H_

#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "entitle/snapshot.h"
#include "policy/entitlement.h"
#include "policy/rule_plan.h"
#include "registry/registry.h"

namespace yanglao::entitle {

struct Upcoming {
  CivilDate event_date;  // the birthday or the certificate's last day
  std::string event;     // "年满80周岁" / "残疾人证到期"
  Month from;            // the first month the change applies
  std::string item, item_name;
  bool starts = true;  // starts (or changes amount) / stops
  int64_t amount = 0;  // new amount (cash items)
  std::string text;    // one line in Chinese
};

struct Advice {
  std::string id_number;
  std::string name;
  Month month;
  bool deceased = false;
  policy::PersonFacts facts;
  std::vector<policy::ItemOutcome> items;  // in list order, with reasons
  std::vector<Upcoming> upcoming;          // by date
};

// Advice from an already resolved person. `list` must be compiled for
// month.FirstDay().
Advice AdvisePerson(const policy::CompiledList& list, const Jurisdiction& where,
                    const registry::PersonView& person, Month month, int horizon_months = 36,
                    bool code = false);

// Looks the person up in the registry (as of the month's first day, as known
// on `known_on`). Fails with "entitle.person" when not registered then,
// "entitle.compile" when the list cannot be bound to the month.
Result<Advice> Advise(registry::Registry& registry, const policy::ServiceList& list,
                      std::string_view id_number, Month month, CivilDate known_on,
                      int horizon_months = 36, bool code = false);

}  // namespace yanglao::entitle

#endif  // YANGLAO_ENTITLE_ADVISOR_H_
