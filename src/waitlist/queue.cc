#include "waitlist/queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace yanglao::waitlist {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kStatuses{{
    {"applied", "申请"},
    {"assessing", "评估"},
    {"waiting", "轮候"},
    {"admitted", "入住"},
    {"gave_up", "放弃"},
    {"withdrawn", "撤回"},
}};

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) j = s.size();
    out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string_view StatusCode(AppStatus s) { return kStatuses[static_cast<size_t>(s)].first; }
std::string_view StatusLabel(AppStatus s) { return kStatuses[static_cast<size_t>(s)].second; }
std::optional<AppStatus> StatusFromCode(std::string_view code) {
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i].first == code) return static_cast<AppStatus>(i);
  }
  return std::nullopt;
}

std::string ApplyData(const Application& a) {
  std::string inst;
  for (const std::string& i : a.institutions) {
    if (!inst.empty()) inst += ' ';
    inst += i;
  }
  return fmt::format("{}|{}|{}|{}|{}|{}", a.person, a.name, a.bed_type, a.willing ? 1 : 0, inst,
                     a.county);
}

Status ApplyEvent(const WaitlistRules& rules, const Event& e, State& state) {
  auto bad = [&](std::string_view why) {
    return Status("waitlist.replay", fmt::format("第{}条事件（{}）{}", e.seq, e.kind, why),
                  Location{.field = "event", .value = std::to_string(e.seq)});
  };
  if (e.kind == "bed") {
    std::vector<std::string> parts = Split(e.data, ' ');
    if (parts.size() != 2 || state.beds.count(e.bed)) return bad("床位数据不符");
    state.beds[e.bed] = Bed{.id = e.bed, .institution = parts[0], .type = parts[1]};
    return Status::Ok();
  }
  if (e.kind == "apply") {
    std::vector<std::string> parts = Split(e.data, '|');
    if ((parts.size() != 5 && parts.size() != 6) || state.applications.count(e.application)) {
      return bad("申请数据不符");
    }
    Application a;
    a.id = e.application;
    a.person = parts[0];
    a.name = parts[1];
    a.bed_type = parts[2];
    a.willing = parts[3] == "1";
    if (!parts[4].empty()) a.institutions = Split(parts[4], ' ');
    if (parts.size() == 6) a.county = parts[5];
    a.applied_on = e.on;
    a.since = e.on;
    state.applications[a.id] = std::move(a);
    return Status::Ok();
  }
  if (e.kind == "free") {
    auto b = state.beds.find(e.bed);
    if (b == state.beds.end() || b->second.occupant == 0) return bad("床位不在使用中");
    b->second.occupant = 0;
    b->second.refused.clear();
    return Status::Ok();
  }
  auto it = state.applications.find(e.application);
  if (it == state.applications.end()) return bad("申请不存在");
  Application& a = it->second;
  if (e.kind == "assess") {
    if (a.status != AppStatus::kApplied && a.status != AppStatus::kAssessing &&
        a.status != AppStatus::kWaiting) {
      return bad("状态不符");
    }
    std::string_view data = e.data;
    std::optional<CivilDate> until;
    if (size_t bar = data.find('|'); bar != std::string_view::npos) {
      Result<CivilDate> d = CivilDate::Parse(data.substr(bar + 1));
      if (!d.ok()) return bad("评估有效期不符");
      until = *d;
      data = data.substr(0, bar);
    }
    Result<policy::PersonFacts> facts = FactsFromText(data);
    if (!facts.ok()) return bad(facts.status().message());
    a.facts = std::move(*facts);
    a.valid_until = until;
    a.status = AppStatus::kWaiting;
    Classify(rules, a);
    return Status::Ok();
  }
  if (e.kind == "expire") {
    if (a.status != AppStatus::kWaiting) return bad("状态不符");
    if (!a.offered_bed.empty()) state.beds[a.offered_bed].offered_to = 0;
    a.offered_bed.clear();
    a.status = AppStatus::kAssessing;
    return Status::Ok();
  }
  if (e.kind == "withdraw") {
    if (a.status != AppStatus::kApplied && a.status != AppStatus::kAssessing &&
        a.status != AppStatus::kWaiting) {
      return bad("状态不符");
    }
    if (!a.offered_bed.empty()) state.beds[a.offered_bed].offered_to = 0;
    a.offered_bed.clear();
    a.status = AppStatus::kWithdrawn;
    return Status::Ok();
  }
  auto b = state.beds.find(e.bed);
  if (b == state.beds.end()) return bad("床位不存在");
  Bed& bed = b->second;
  if (e.kind == "offer") {
    if (a.status != AppStatus::kWaiting || !a.offered_bed.empty() || bed.occupant != 0 ||
        bed.offered_to != 0) {
      return bad("床位或申请不可分配");
    }
    a.offered_bed = bed.id;
    bed.offered_to = a.id;
    return Status::Ok();
  }
  if (a.offered_bed != bed.id || bed.offered_to != a.id) return bad("没有该床位的待确认分配");
  a.offered_bed.clear();
  bed.offered_to = 0;
  if (e.kind == "accept") {
    bed.occupant = a.id;
    bed.refused.clear();
    a.status = AppStatus::kAdmitted;
    return Status::Ok();
  }
  if (e.kind == "refuse") {
    bed.refused.push_back(a.id);
    ++a.refusals;
    if (rules.refusal_restarts_waiting()) a.since = e.on;
    if (rules.max_refusals() > 0 && a.refusals >= rules.max_refusals()) {
      a.status = AppStatus::kGaveUp;
    }
    return Status::Ok();
  }
  return bad("类型未知");
}

Result<State> Replay(const WaitlistRules& rules, const std::vector<Event>& log) {
  State state;
  for (const Event& e : log) {
    if (Status s = ApplyEvent(rules, e, state); !s.ok()) return s;
  }
  return state;
}

std::vector<Position> Rank(const WaitlistRules& rules,
                           const std::vector<const Application*>& apps) {
  // Each waiting applicant's sort key as a row of integers (class, the
  // `order` keys, application id), compared as rows: the same order as
  // Ahead, without walking the rules in every comparison.
  const std::vector<OrderKey>& order = rules.order();
  const size_t width = order.size() + 2;
  struct Entry {
    const Application* a;
    size_t klass, tie;
  };
  std::vector<Entry> entries;
  entries.reserve(apps.size());
  for (const Application* a : apps) {
    if (a->status != AppStatus::kWaiting) continue;
    if (a->klass >= 0 && a->tie >= 0) {
      entries.push_back({a, static_cast<size_t>(a->klass), static_cast<size_t>(a->tie)});
    } else {
      entries.push_back({a, rules.ClassOf(a->facts, a->willing), rules.TieBreakerOf(a->facts)});
    }
  }
  std::vector<int64_t> keys(entries.size() * width);
  for (size_t i = 0; i < entries.size(); ++i) {
    int64_t* k = &keys[i * width];
    const Entry& e = entries[i];
    k[0] = static_cast<int64_t>(e.klass);
    for (size_t j = 0; j < order.size(); ++j) {
      switch (order[j].kind) {
        case OrderKey::Kind::kFact:
          k[j + 1] = order[j].desc ? -e.a->facts[order[j].slot] : e.a->facts[order[j].slot];
          break;
        case OrderKey::Kind::kTieBreakers:
          k[j + 1] = static_cast<int64_t>(e.tie);
          break;
        case OrderKey::Kind::kWaiting:
          k[j + 1] = e.a->since.DaysSinceEpoch();
          break;
      }
    }
    k[width - 1] = e.a->id;
  }
  std::vector<uint32_t> index(entries.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<uint32_t>(i);
  std::sort(index.begin(), index.end(), [&](uint32_t x, uint32_t y) {
    const int64_t* kx = &keys[x * width];
    const int64_t* ky = &keys[y * width];
    for (size_t j = 0; j < width; ++j) {
      if (kx[j] != ky[j]) return kx[j] < ky[j];
    }
    return false;
  });
  std::vector<Position> out;
  out.reserve(entries.size());
  std::vector<std::string> class_names;
  for (const RuleText& c : rules.classes()) class_names.push_back(c.name);
  for (uint32_t i : index) {
    const Entry& e = entries[i];
    Position p;
    p.application = e.a->id;
    p.position = static_cast<int>(out.size()) + 1;
    p.klass = e.klass;
    p.tie = e.tie;
    p.trace.reserve(160);
    p.trace = e.klass < class_names.size() ? class_names[e.klass] : "不属任何类别";
    for (const OrderKey& k : order) {
      switch (k.kind) {
        case OrderKey::Kind::kFact:
          p.trace += " · ";
          p.trace += k.label;
          p.trace += std::to_string(e.a->facts[k.slot]);
          break;
        case OrderKey::Kind::kTieBreakers:
          if (e.tie < rules.tie_breakers().size()) {
            p.trace += " · 同等条件下优先：";
            p.trace += rules.tie_breakers()[e.tie].name;
          }
          break;
        case OrderKey::Kind::kWaiting:
          p.trace += " · 轮候自 ";
          p.trace += e.a->since.ToString();
          break;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

void Classify(const WaitlistRules& rules, Application& a) {
  a.klass = static_cast<int32_t>(rules.ClassOf(a.facts, a.willing));
  a.tie = static_cast<int32_t>(rules.TieBreakerOf(a.facts));
}

bool Ahead(const WaitlistRules& rules, const Application& x, size_t x_class, size_t x_tie,
           const Application& y, size_t y_class, size_t y_tie) {
  if (x_class != y_class) return x_class < y_class;
  for (const OrderKey& k : rules.order()) {
    switch (k.kind) {
      case OrderKey::Kind::kFact: {
        int64_t vx = x.facts[k.slot], vy = y.facts[k.slot];
        if (vx != vy) return k.desc ? vx > vy : vx < vy;
        break;
      }
      case OrderKey::Kind::kTieBreakers:
        if (x_tie != y_tie) return x_tie < y_tie;
        break;
      case OrderKey::Kind::kWaiting:
        if (x.since != y.since) return x.since < y.since;
        break;
    }
  }
  return x.id < y.id;
}

std::vector<Position> Rank(const WaitlistRules& rules, const State& state) {
  std::vector<const Application*> apps;
  for (const auto& [id, a] : state.applications) apps.push_back(&a);
  return Rank(rules, apps);
}

std::optional<int64_t> NextFor(const WaitlistRules& rules, const State& state, const Bed& bed) {
  const Application* best = nullptr;
  size_t best_class = 0, best_tie = 0;
  for (const auto& [id, a] : state.applications) {
    if (a.status != AppStatus::kWaiting || !a.offered_bed.empty() || a.bed_type != bed.type) {
      continue;
    }
    if (!a.institutions.empty() && std::find(a.institutions.begin(), a.institutions.end(),
                                             bed.institution) == a.institutions.end()) {
      continue;
    }
    if (std::find(bed.refused.begin(), bed.refused.end(), a.id) != bed.refused.end()) continue;
    if (!rules.MayTake(bed.type, a.facts)) continue;
    size_t klass = a.klass >= 0 ? static_cast<size_t>(a.klass) : rules.ClassOf(a.facts, a.willing);
    size_t tie = a.tie >= 0 ? static_cast<size_t>(a.tie) : rules.TieBreakerOf(a.facts);
    if (best == nullptr || Ahead(rules, a, klass, tie, *best, best_class, best_tie)) {
      best = &a;
      best_class = klass;
      best_tie = tie;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->id;
}

std::string MaskName(std::string_view name) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if ((c & 0xC0) == 0x80) {
      if (chars == 1) out += name[i];
      continue;
    }
    ++chars;
    if (chars == 1) {
      out += name[i];
    } else {
      out += '*';
    }
  }
  if (chars == 1) out += '*';
  return out;
}

std::vector<PublicEntry> PublicQueue(const WaitlistRules& rules, const State& state) {
  std::vector<PublicEntry> out;
  for (const Position& p : Rank(rules, state)) {
    const Application& a = state.applications.at(p.application);
    out.push_back(PublicEntry{
        .position = p.position,
        .name = MaskName(a.name),
        .bed_type = a.bed_type,
        .klass = p.klass < rules.classes().size() ? rules.classes()[p.klass].name : "其他",
        .since = a.since.ToString()});
  }
  return out;
}

}  // namespace yanglao::waitlist
