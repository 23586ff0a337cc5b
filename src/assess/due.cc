#include "assess/due.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace yanglao::assess {
namespace {

// The latest assessment of a person by the report date.
struct Latest {
  CivilDate assessed_on;
  CivilDate valid_until;
  int level = 0;
};

bool Yes(const registry::PersonView& v, const char* fact) {
  auto it = v.facts.find(fact);
  return it != v.facts.end() && it->second.value == "1";
}

}  // namespace

std::string_view DueStatusName(DueStatus status) {
  switch (status) {
    case DueStatus::kOverdue:
      return "已过期";
    case DueStatus::kRequested:
      return "申请复评";
    case DueStatus::kDueSoon:
      return "即将到期";
    case DueStatus::kNever:
      return "从未评估";
  }
  return "";
}

int64_t DueReport::Count(DueStatus status) const {
  return std::count_if(entries.begin(), entries.end(),
                       [&](const DueEntry& e) { return e.status == status; });
}

Result<DueReport> ComputeDue(AssessmentStore& store, std::string_view region_code,
                             const DueOptions& options) {
  const RegionTable& regions = RegionTable::Builtin();
  const Region* region = regions.Find(region_code);
  if (region == nullptr) {
    return Status("assess.region",
                  fmt::format("找不到行政区划「{}」（应为市、县、街道或社区的代码）", region_code),
                  Location{.field = "--region", .value = std::string(region_code)});
  }
  DueReport report;
  report.region_code = region->DisplayCode();
  report.region_name = regions.FullName(*region);
  report.options = options;

  std::unordered_map<std::string, Latest> latest;
  Status s =
      store.ForEachAssessment(options.as_of, options.known_on, [&](const AssessmentRecord& a) {
        // In date order: the last one seen is the latest.
        latest[a.id_number] = Latest{a.assessed_on, a.valid_until, a.final_level};
      });
  if (!s.ok()) return s;
  Result<std::vector<AssessmentRequest>> requests = store.OpenRequests(options.as_of);
  if (!requests.ok()) return requests.status();
  std::unordered_map<std::string, CivilDate> requested;
  for (const AssessmentRequest& r : *requests) requested.emplace(r.id_number, r.requested_on);

  const std::string prefix = region->code;
  const CivilDate soon = options.as_of.AddDays(options.soon_days);
  std::map<std::string, Coverage> by_county;
  s = store.registry().ForEachPerson(
      options.as_of, options.known_on, [&](const registry::PersonView& v) {
        if (v.deceased_on(options.as_of)) return;
        auto res = v.facts.find("residence_region");
        if (res == v.facts.end() || !res->second.value.starts_with(prefix)) return;
        int age = AgeOn(v.birth_date, options.as_of);
        if (age < 60) return;
        ++report.residents_60_plus;
        DueEntry e;
        e.id_number = v.id_number;
        e.name = v.name();
        e.age = age;
        e.residence = res->second.value;
        auto last = latest.find(v.id_number);
        bool valid = last != latest.end() && last->second.valid_until >= options.as_of;
        report.valid_60_plus += valid;
        if (age >= options.cohort_age) {
          Coverage& c = by_county[e.residence.substr(0, 6)];
          c.county = e.residence.substr(0, 6);
          ++c.cohort;
          c.valid += valid;
          c.ever += last != latest.end();
        }
        auto req = requested.find(v.id_number);
        if (req != requested.end()) e.requested_on = req->second;
        if (last != latest.end()) {
          e.last_assessed = last->second.assessed_on;
          e.valid_until = last->second.valid_until;
          e.last_level = last->second.level;
          if (!valid) {
            e.status = DueStatus::kOverdue;
          } else if (e.requested_on) {
            e.status = DueStatus::kRequested;
          } else if (last->second.valid_until < soon) {
            e.status = DueStatus::kDueSoon;
          } else {
            return;  // valid: nothing to do
          }
        } else {
          std::vector<std::string> needs;
          if (age >= options.cohort_age)
            needs.push_back(fmt::format("{}周岁及以上", options.cohort_age));
          if (Yes(v, "cannot_self_care")) needs.emplace_back("生活不能自理");
          if (Yes(v, "long_term_care_need")) needs.emplace_back("需要长期照护");
          if (Yes(v, "dementia")) needs.emplace_back("失智");
          if (e.requested_on) {
            e.status = DueStatus::kRequested;
          } else if (needs.empty()) {
            return;  // no item needs the result yet
          } else {
            e.status = DueStatus::kNever;
          }
          e.need = fmt::format("{}", fmt::join(needs, "、"));
        }
        report.entries.push_back(std::move(e));
      });
  if (!s.ok()) return s;
  std::sort(report.entries.begin(), report.entries.end(), [](const DueEntry& a, const DueEntry& b) {
    if (a.residence != b.residence) return a.residence < b.residence;
    if (a.status != b.status) return a.status < b.status;
    return a.id_number < b.id_number;
  });
  for (auto& [county, c] : by_county) {
    report.total.cohort += c.cohort;
    report.total.valid += c.valid;
    report.total.ever += c.ever;
    report.coverage.push_back(c);
  }
  return report;
}

}  // namespace yanglao::assess
