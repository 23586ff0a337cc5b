#include "entitle/advisor.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/id_number.h"
#include "policy/fact_schema.h"

namespace yanglao::entitle {

Advice AdvisePerson(const policy::CompiledList& list, const Jurisdiction& where,
                    const registry::PersonView& person, Month month, int horizon_months,
                    bool code) {
  const policy::FactSchema& schema = policy::FactSchema::Person();
  static const size_t kAge = *schema.Find("age");
  static const size_t kCert = *schema.Find("disability_cert_valid");
  Advice advice;
  advice.id_number = person.id_number;
  advice.name = person.name();
  advice.month = month;
  CivilDate as_of = month.FirstDay();
  advice.facts = FactsOf(person, where, as_of);
  advice.deceased = person.deceased_on(as_of);
  advice.items = policy::EntitlePerson(list, advice.facts, true, code);
  if (advice.deceased) return advice;

  auto cert = person.facts.find("disability_cert_until");
  std::optional<CivilDate> cert_until;
  if (cert != person.facts.end()) {
    if (Result<CivilDate> d = CivilDate::Parse(cert->second.value); d.ok()) cert_until = *d;
  }
  policy::PersonFacts facts = advice.facts;
  std::vector<policy::ItemOutcome> before = advice.items;
  for (int k = 1; k <= horizon_months; ++k) {
    Month m = month.AddMonths(k);
    CivilDate first = m.FirstDay();
    int64_t age = std::clamp<int64_t>(AgeOn(person.birth_date, first), 0, 255);
    int64_t cert_valid = cert_until && *cert_until >= first ? 1 : 0;
    if (age == facts[kAge] && cert_valid == facts[kCert]) continue;
    std::string event;
    CivilDate event_date;
    if (age != facts[kAge]) {
      event_date = AgeAnniversary(person.birth_date, static_cast<int>(age));
      event = fmt::format("年满{}周岁", age);
    } else {
      event_date = *cert_until;
      event = "残疾人证到期";
    }
    facts[kAge] = age;
    facts[kCert] = cert_valid;
    std::vector<policy::ItemOutcome> after = policy::EntitlePerson(list, facts);
    for (size_t i = 0; i < after.size(); ++i) {
      const policy::Item& item = *list.items[i].item;
      bool changed_amount =
          after[i].entitled && before[i].entitled &&
          (after[i].amount != before[i].amount || after[i].percent != before[i].percent);
      if (after[i].entitled == before[i].entitled && !changed_amount) continue;
      Upcoming u;
      u.event_date = event_date;
      u.event = event;
      u.from = m;
      u.item = item.number;
      u.item_name = item.name;
      u.starts = after[i].entitled;
      u.amount = after[i].amount;
      std::string what;
      if (!u.starts) {
        what = "停止享受";
      } else if (changed_amount && item.benefit.type == policy::BenefitType::kCash) {
        what = fmt::format(
            "标准{}为 {}（原 {}）", after[i].amount > before[i].amount ? "提高" : "调整",
            policy::FormatCash(item, u.amount), policy::FormatCash(item, before[i].amount));
      } else if (changed_amount) {  // a discount in its own unit
        what =
            fmt::format("优惠由 {}% {}到 {}%", before[i].percent,
                        after[i].percent > before[i].percent ? "提高" : "调整", after[i].percent);
      } else {
        what = "开始享受，" + policy::BenefitWords(item, after[i]);
      }
      u.text = fmt::format("{}（{}）：第{}项 {} 自{}起{}", event, event_date.ToString(),
                           item.number, item.name, m.ToString(), what);
      advice.upcoming.push_back(std::move(u));
    }
    before = std::move(after);
  }
  return advice;
}

Result<Advice> Advise(registry::Registry& registry, const policy::ServiceList& list,
                      std::string_view id_number, Month month, CivilDate known_on,
                      int horizon_months, bool code) {
  Result<Jurisdiction> where = Jurisdiction::Of(list.jurisdiction);
  if (!where.ok()) return where.status();
  Result<std::optional<registry::PersonView>> person =
      registry.Person(id_number, month.FirstDay(), known_on);
  if (!person.ok()) return person.status();
  if (!person->has_value()) {
    return Status("entitle.person", fmt::format("登记中没有此人（{}）", MaskIdNumber(id_number)),
                  Location{.field = "id_number", .value = MaskIdNumber(id_number)});
  }
  Result<policy::CompiledList> compiled = policy::CompileList(list, month.FirstDay());
  if (!compiled.ok())
    return Status("entitle.compile", compiled.status().message(), compiled.status().where());
  return AdvisePerson(*compiled, *where, **person, month, horizon_months, code);
}

}  // namespace yanglao::entitle
