#include "assess/due.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <span>
#include <unordered_map>

#include "registry/watermark.h"

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

Status RegionError(std::string_view region_code) {
  return Status("assess.region",
                fmt::format("找不到行政区划「{}」（应为市、县、街道或社区的代码）", region_code),
                Location{.field = "--region", .value = std::string(region_code)});
}

bool EntryBefore(const DueEntry& a, const DueEntry& b) {
  if (a.residence != b.residence) return a.residence < b.residence;
  if (a.status != b.status) return a.status < b.status;
  return a.id_number < b.id_number;
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

Result<DueReport> ComputeDueReference(AssessmentStore& store, std::string_view region_code,
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

Result<DueBase> ComputeDueBase(AssessmentStore& store, const DueOptions& options) {
  DueBase base;
  base.options = options;
  // The latest assessment of each person (in date order: the last one seen),
  // only the columns the lists show.
  std::unordered_map<std::string, Latest> latest;
  Status s = store.registry().db().Scan(
      "SELECT id_number, assessed_on, valid_until, final_level FROM assessment WHERE "
      "assessed_on <= ? AND recorded_on <= ? ORDER BY id_number, assessed_on, id",
      {options.as_of.ToString(), options.known_on.ToString()}, [&](const db::RowView& r) {
        latest[std::string(r.Text(0))] =
            Latest{CivilDate::Parse(r.Text(1)).value_or(CivilDate()),
                   CivilDate::Parse(r.Text(2)).value_or(CivilDate()), static_cast<int>(r.Int(3))};
        return true;
      });
  if (!s.ok()) return s;
  Result<std::vector<AssessmentRequest>> requests = store.OpenRequests(options.as_of);
  if (!requests.ok()) return requests.status();
  std::unordered_map<std::string, CivilDate> requested;
  for (const AssessmentRequest& r : *requests) requested.emplace(r.id_number, r.requested_on);

  // The facts the lists read, coded: texts (residence, name) interned, the
  // yes/no facts as 1/0, a death that applies as 1.
  enum { kResidence, kDeath, kName, kCannotSelfCare, kLongTermCare, kDementia };
  const std::vector<std::string> facts = {"residence_region", "death_date",          "name",
                                          "cannot_self_care", "long_term_care_need", "dementia"};
  std::vector<std::string> texts;
  std::unordered_map<std::string, int32_t> text_codes;
  auto text = [&](int32_t code) -> const std::string& { return texts[static_cast<size_t>(code)]; };
  auto encode = [&](size_t fact, std::string_view value) -> int32_t {
    switch (fact) {
      case kResidence:
      case kName: {
        auto [it, added] =
            text_codes.emplace(std::string(value), static_cast<int32_t>(texts.size()));
        if (added) texts.emplace_back(value);
        return it->second;
      }
      case kDeath:
        return 1;
      default:
        return value == "1" ? 1 : 0;
    }
  };
  constexpr int32_t kNone = registry::CodedPerson::kNoRecord;
  std::unordered_map<int32_t, DueBase::Tally> tallies;  // by residence text code
  const CivilDate soon = options.as_of.AddDays(options.soon_days);
  s = store.registry().ForEachPersonCoded(
      options.as_of, options.known_on, facts, encode, [&](const registry::CodedPerson& p) {
        if (p.codes[kDeath] != kNone) return;  // PersonView::deceased_on
        if (p.codes[kResidence] == kNone) return;
        int age = AgeOn(p.birth_date, options.as_of);
        if (age < 60) return;
        const std::string& residence = text(p.codes[kResidence]);
        DueBase::Tally& t = tallies[p.codes[kResidence]];
        ++t.residents_60_plus;
        const std::string id(p.id_number);
        auto last = latest.find(id);
        const bool ever = last != latest.end();
        const bool valid = ever && last->second.valid_until >= options.as_of;
        t.valid_60_plus += valid;
        if (age >= options.cohort_age) {
          ++t.cohort;
          t.cohort_valid += valid;
          t.cohort_ever += ever;
        }
        DueEntry e;
        auto req = requested.find(id);
        if (req != requested.end()) e.requested_on = req->second;
        if (ever) {
          if (!valid) {
            e.status = DueStatus::kOverdue;
          } else if (e.requested_on) {
            e.status = DueStatus::kRequested;
          } else if (last->second.valid_until < soon) {
            e.status = DueStatus::kDueSoon;
          } else {
            return;  // valid: nothing to do
          }
          e.last_assessed = last->second.assessed_on;
          e.valid_until = last->second.valid_until;
          e.last_level = last->second.level;
        } else {
          std::vector<std::string> needs;
          if (age >= options.cohort_age)
            needs.push_back(fmt::format("{}周岁及以上", options.cohort_age));
          if (p.codes[kCannotSelfCare] == 1) needs.emplace_back("生活不能自理");
          if (p.codes[kLongTermCare] == 1) needs.emplace_back("需要长期照护");
          if (p.codes[kDementia] == 1) needs.emplace_back("失智");
          if (e.requested_on) {
            e.status = DueStatus::kRequested;
          } else if (needs.empty()) {
            return;  // no item needs the result yet
          } else {
            e.status = DueStatus::kNever;
          }
          e.need = fmt::format("{}", fmt::join(needs, "、"));
        }
        e.id_number = id;
        e.name = p.codes[kName] == kNone ? std::string() : text(p.codes[kName]);
        e.age = age;
        e.residence = residence;
        base.entries.push_back(std::move(e));
      });
  if (!s.ok()) return s;
  std::sort(base.entries.begin(), base.entries.end(), EntryBefore);
  base.residences.reserve(tallies.size());
  for (const auto& [code, t] : tallies) base.residences.emplace_back(text(code), t);
  std::sort(base.residences.begin(), base.residences.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return base;
}

// The entries are ordered by residence first: those under a prefix are
// contiguous.
std::span<const DueEntry> DueEntriesUnder(const DueBase& base, const std::string& prefix) {
  auto first =
      std::lower_bound(base.entries.begin(), base.entries.end(), prefix,
                       [](const DueEntry& e, const std::string& p) { return e.residence < p; });
  auto last = first;
  while (last != base.entries.end() && last->residence.starts_with(prefix)) ++last;
  return {first, last};
}

Result<DueReport> SliceDue(const DueBase& base, std::string_view region_code, bool with_entries) {
  const RegionTable& regions = RegionTable::Builtin();
  const Region* region = regions.Find(region_code);
  if (region == nullptr) return RegionError(region_code);
  DueReport report;
  report.region_code = region->DisplayCode();
  report.region_name = regions.FullName(*region);
  report.options = base.options;
  const std::string prefix = region->code;
  if (with_entries) {
    std::span<const DueEntry> entries = DueEntriesUnder(base, prefix);
    report.entries.assign(entries.begin(), entries.end());
  }
  std::map<std::string, Coverage> by_county;
  auto it = std::lower_bound(base.residences.begin(), base.residences.end(), prefix,
                             [](const auto& r, const std::string& p) { return r.first < p; });
  for (; it != base.residences.end() && it->first.starts_with(prefix); ++it) {
    const DueBase::Tally& t = it->second;
    report.residents_60_plus += t.residents_60_plus;
    report.valid_60_plus += t.valid_60_plus;
    if (t.cohort == 0) continue;
    Coverage& c = by_county[it->first.substr(0, 6)];
    c.county = it->first.substr(0, 6);
    c.cohort += t.cohort;
    c.valid += t.cohort_valid;
    c.ever += t.cohort_ever;
  }
  for (auto& [county, c] : by_county) {
    report.total.cohort += c.cohort;
    report.total.valid += c.valid;
    report.total.ever += c.ever;
    report.coverage.push_back(c);
  }
  return report;
}

Result<DueReport> ComputeDue(AssessmentStore& store, std::string_view region_code,
                             const DueOptions& options) {
  if (RegionTable::Builtin().Find(region_code) == nullptr) return RegionError(region_code);
  Result<DueBase> base = ComputeDueBase(store, options);
  if (!base.ok()) return base.status();
  return SliceDue(*base, region_code);
}

Result<std::string> DueWatermark(AssessmentStore& store) {
  Result<std::string> feeds = registry::ContentWatermark(store.registry());
  if (!feeds.ok()) return feeds.status();
  std::string out = *feeds;
  static const char* const kQueries[] = {
      "SELECT COUNT(*), MAX(id), MAX(form_key), MAX(recorded_on) FROM assessment",
      "SELECT COUNT(*), MAX(id_number), MAX(requested_on), MAX(recorded_on) FROM "
      "assessment_request"};
  for (const char* sql : kQueries) {
    Result<std::vector<db::Row>> rows = store.registry().db().QueryAll(sql);
    if (!rows.ok()) return rows.status();
    for (const db::Row& r : *rows) {
      for (size_t i = 0; i < r.values.size(); ++i) out += "|" + r.AsText(i);
    }
    out += ";";
  }
  return out;
}

}  // namespace yanglao::assess
