#include "waitlist/store.h"

#include <fmt/format.h>

#include <array>
#include <map>

#include "core/fault.h"
#include "db/transaction.h"

namespace yanglao::waitlist {
namespace {

std::vector<std::string> Migrations(std::string_view /*dialect*/) {
  return {// 1: institutions, beds, applications, offers, the event log.
          R"(
CREATE TABLE waitlist_institution (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  ownership TEXT NOT NULL,
  county TEXT NOT NULL);
CREATE TABLE waitlist_bed (
  id TEXT PRIMARY KEY,
  institution TEXT NOT NULL,
  type TEXT NOT NULL,
  occupant BIGINT UNIQUE,
  offered_to BIGINT UNIQUE,
  refused TEXT NOT NULL);
CREATE TABLE waitlist_application (
  id BIGINT PRIMARY KEY,
  person TEXT NOT NULL,
  name TEXT NOT NULL,
  bed_type TEXT NOT NULL,
  willing INTEGER NOT NULL,
  institutions TEXT NOT NULL,
  applied_on TEXT NOT NULL,
  facts TEXT NOT NULL,
  status TEXT NOT NULL,
  refusals INTEGER NOT NULL,
  offered_bed TEXT UNIQUE);
CREATE TABLE waitlist_offer (
  event_seq BIGINT PRIMARY KEY,
  bed TEXT NOT NULL,
  application BIGINT NOT NULL,
  offered_on TEXT NOT NULL,
  deadline TEXT NOT NULL,
  outcome TEXT NOT NULL,
  open_bed TEXT UNIQUE);
CREATE TABLE waitlist_event (
  seq BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,
  application BIGINT NOT NULL,
  bed TEXT NOT NULL,
  on_date TEXT NOT NULL,
  data TEXT NOT NULL);
)",
          // 2: institutions' grade, beds by type, rooms, occupancy; the
          // applicant's county, waiting-since date and assessment validity.
          R"(
ALTER TABLE waitlist_institution ADD COLUMN grade INTEGER NOT NULL DEFAULT 0;
ALTER TABLE waitlist_institution ADD COLUMN beds_normal BIGINT NOT NULL DEFAULT 0;
ALTER TABLE waitlist_institution ADD COLUMN beds_nursing BIGINT NOT NULL DEFAULT 0;
ALTER TABLE waitlist_institution ADD COLUMN beds_dementia BIGINT NOT NULL DEFAULT 0;
ALTER TABLE waitlist_institution ADD COLUMN rooms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE waitlist_institution ADD COLUMN occupied BIGINT NOT NULL DEFAULT 0;
ALTER TABLE waitlist_institution ADD COLUMN tekun_care INTEGER NOT NULL DEFAULT 0;
ALTER TABLE waitlist_application ADD COLUMN county TEXT NOT NULL DEFAULT '';
ALTER TABLE waitlist_application ADD COLUMN since TEXT NOT NULL DEFAULT '';
ALTER TABLE waitlist_application ADD COLUMN valid_until TEXT NOT NULL DEFAULT '';
)"};
}

db::Value OrNull(int64_t v) { return v == 0 ? db::Value{} : db::Value{v}; }
db::Value OrNull(const std::string& v) { return v.empty() ? db::Value{} : db::Value{v}; }

Status Taken(const std::string& bed) {
  return Status(ErrorCategory::kConflict, "waitlist.bed_taken",
                fmt::format("床位 {} 已有人入住或已分配给他人", bed),
                Location{.field = "bed", .value = bed});
}

}  // namespace

db::ModuleSchema WaitlistSchema() { return {"waitlist", Migrations}; }

Status WaitlistStore::Migrate(db::Database& db) { return db::MigrateAll(db, {WaitlistSchema()}); }

std::string GradeLabel(int grade) {
  static constexpr std::array<std::string_view, 6> kGrades = {"未评定", "一级", "二级",
                                                              "三级",   "四级", "五级"};
  return grade >= 0 && grade <= 5 ? std::string(kGrades[static_cast<size_t>(grade)]) : "未评定";
}

Status CheckInstitution(const Institution& i) {
  auto bad = [&](std::string_view field, std::string message, std::string value) {
    return Status("waitlist.institution", std::move(message),
                  Location{.field = std::string(field), .value = std::move(value)});
  };
  if (i.id.empty() || i.name.empty()) return bad("id", "机构须有编号和名称", i.id);
  if (i.ownership != "公办" && i.ownership != "公建民营" && i.ownership != "民办") {
    return bad("ownership", "机构性质应为 公办、公建民营 或 民办", i.ownership);
  }
  if (i.grade < 0 || i.grade > 5) return bad("grade", "等级应为一级至五级或未评定", "");
  for (int64_t v : {i.beds_normal, i.beds_nursing, i.beds_dementia, i.rooms, i.occupied}) {
    if (v < 0 || v > 100000) return bad("beds", "床位、房间和在住人数应为 0 到 100000", "");
  }
  if (i.occupied > i.beds()) {
    return bad("occupied", "在住人数不能多于床位总数", std::to_string(i.occupied));
  }
  return Status::Ok();
}

namespace {

Status InsertInstitution(db::Database& db, const Institution& i) {
  if (Status s = db.Execute("DELETE FROM waitlist_institution WHERE id = ?", {i.id}); !s.ok())
    return s;
  return db.Execute(
      "INSERT INTO waitlist_institution (id, name, ownership, county, grade, beds_normal, "
      "beds_nursing, beds_dementia, rooms, occupied, tekun_care) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {i.id, i.name, i.ownership, i.county, int64_t{i.grade}, i.beds_normal, i.beds_nursing,
       i.beds_dementia, i.rooms, i.occupied, int64_t{i.tekun_care ? 1 : 0}});
}

}  // namespace

Status WaitlistStore::PutInstitution(const Institution& i) {
  if (Status s = CheckInstitution(i); !s.ok()) return s;
  return db::InTransaction(db_, [&]() -> Status { return InsertInstitution(db_, i); });
}

Result<ImportOutcome> WaitlistStore::PutInstitutions(const std::vector<Institution>& list) {
  for (const Institution& i : list) {
    if (Status s = CheckInstitution(i); !s.ok()) return s;
  }
  ImportOutcome out;
  Status s = db::InTransaction(db_, [&]() -> Status {
    out = {};
    Result<std::vector<Institution>> old = Institutions();
    if (!old.ok()) return old.status();
    std::map<std::string, const Institution*> by_id;
    for (const Institution& i : *old) by_id[i.id] = &i;
    for (const Institution& i : list) {
      auto it = by_id.find(i.id);
      if (it != by_id.end() && *it->second == i) {
        ++out.unchanged;
        continue;
      }
      ++(it == by_id.end() ? out.added : out.updated);
      if (Status w = InsertInstitution(db_, i); !w.ok()) return w;
      MaybeKill("waitlist.import.mid");  // crash tests: half written, uncommitted
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<State> WaitlistStore::Load() {
  State state;
  Result<std::vector<db::Row>> beds =
      db_.QueryAll("SELECT id, institution, type, occupant, offered_to, refused FROM waitlist_bed");
  if (!beds.ok()) return beds.status();
  for (const db::Row& r : *beds) {
    state.beds[r.AsText(0)] = Bed{.id = r.AsText(0),
                                  .institution = r.AsText(1),
                                  .type = r.AsText(2),
                                  .occupant = r.IsNull(3) ? 0 : r.AsInt(3),
                                  .offered_to = r.IsNull(4) ? 0 : r.AsInt(4)};
    std::string refused = r.AsText(5);
    Bed& bed = state.beds[r.AsText(0)];
    for (size_t i = 0; i < refused.size();) {
      size_t j = refused.find(' ', i);
      if (j == std::string::npos) j = refused.size();
      if (j > i) bed.refused.push_back(std::stoll(refused.substr(i, j - i)));
      i = j + 1;
    }
  }
  Result<std::vector<db::Row>> apps = db_.QueryAll(
      "SELECT id, person, name, bed_type, willing, institutions, applied_on, facts, status, "
      "refusals, offered_bed, county, since, valid_until FROM waitlist_application");
  if (!apps.ok()) return apps.status();
  for (const db::Row& r : *apps) {
    Application a;
    a.id = r.AsInt(0);
    a.person = r.AsText(1);
    a.name = r.AsText(2);
    a.bed_type = r.AsText(3);
    a.willing = r.AsInt(4) != 0;
    std::string inst = r.AsText(5);
    size_t i = 0;
    while (i < inst.size()) {
      size_t j = inst.find(' ', i);
      if (j == std::string::npos) j = inst.size();
      if (j > i) a.institutions.push_back(inst.substr(i, j - i));
      i = j + 1;
    }
    Result<CivilDate> on = CivilDate::Parse(r.AsText(6));
    if (!on.ok()) return on.status();
    a.applied_on = *on;
    std::string status = r.AsText(8);
    a.status = StatusFromCode(status).value_or(AppStatus::kApplied);
    if (a.status != AppStatus::kApplied) {
      Result<policy::PersonFacts> facts = FactsFromText(r.AsText(7));
      if (!facts.ok()) return facts.status();
      a.facts = std::move(*facts);
      Classify(rules_, a);
    }
    a.refusals = static_cast<int>(r.AsInt(9));
    a.offered_bed = r.IsNull(10) ? "" : r.AsText(10);
    a.county = r.AsText(11);
    a.since = a.applied_on;
    if (!r.AsText(12).empty()) {
      Result<CivilDate> since = CivilDate::Parse(r.AsText(12));
      if (!since.ok()) return since.status();
      a.since = *since;
    }
    if (!r.AsText(13).empty()) {
      Result<CivilDate> until = CivilDate::Parse(r.AsText(13));
      if (!until.ok()) return until.status();
      a.valid_until = *until;
    }
    state.applications[a.id] = std::move(a);
  }
  return state;
}

Status WaitlistStore::Record(Event e, std::optional<CivilDate> offer_deadline, int64_t* seq_out) {
  Status done = db::InTransaction(db_, [&]() -> Status {
    Result<std::vector<db::Row>> max = db_.QueryAll("SELECT MAX(seq) FROM waitlist_event");
    if (!max.ok()) return max.status();
    e.seq = (*max)[0].IsNull(0) ? 1 : (*max)[0].AsInt(0) + 1;
    if (e.kind == "apply") {
      Result<std::vector<db::Row>> id = db_.QueryAll("SELECT MAX(id) FROM waitlist_application");
      if (!id.ok()) return id.status();
      e.application = (*id)[0].IsNull(0) ? 1 : (*id)[0].AsInt(0) + 1;
    }
    Result<State> state = Load();
    if (!state.ok()) return state.status();
    if (e.kind == "offer") {
      auto b = state->beds.find(e.bed);
      if (b != state->beds.end() && (b->second.occupant != 0 || b->second.offered_to != 0)) {
        return Taken(e.bed);
      }
    }
    if (Status s = ApplyEvent(rules_, e, *state); !s.ok()) {
      return Status(ErrorCategory::kConflict, "waitlist.state", s.message(), s.where());
    }
    if (!e.bed.empty()) {
      const Bed& b = state->beds.at(e.bed);
      std::string refused;
      for (int64_t r : b.refused) refused += (refused.empty() ? "" : " ") + std::to_string(r);
      if (Status s = db_.Execute("DELETE FROM waitlist_bed WHERE id = ?", {b.id}); !s.ok())
        return s;
      if (Status s = db_.Execute(
              "INSERT INTO waitlist_bed (id, institution, type, occupant, offered_to, refused) "
              "VALUES (?, ?, ?, ?, ?, ?)",
              {b.id, b.institution, b.type, OrNull(b.occupant), OrNull(b.offered_to), refused});
          !s.ok()) {
        return e.kind == "offer" || e.kind == "accept" ? Taken(e.bed) : s;
      }
    }
    if (e.application != 0) {
      const Application& a = state->applications.at(e.application);
      std::string inst;
      for (const std::string& i : a.institutions) inst += (inst.empty() ? "" : " ") + i;
      if (Status s = db_.Execute("DELETE FROM waitlist_application WHERE id = ?", {a.id}); !s.ok())
        return s;
      if (Status s = db_.Execute(
              "INSERT INTO waitlist_application (id, person, name, bed_type, willing, "
              "institutions, applied_on, facts, status, refusals, offered_bed, county, since, "
              "valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {a.id, a.person, a.name, a.bed_type, int64_t{a.willing ? 1 : 0}, inst,
               a.applied_on.ToString(), FactsToText(a.facts), std::string(StatusCode(a.status)),
               int64_t{a.refusals}, OrNull(a.offered_bed), a.county, a.since.ToString(),
               a.valid_until ? a.valid_until->ToString() : std::string()});
          !s.ok()) {
        return s;
      }
    }
    if (e.kind == "offer") {
      if (Status s = db_.Execute(
              "INSERT INTO waitlist_offer (event_seq, bed, application, offered_on, deadline, "
              "outcome, open_bed) VALUES (?, ?, ?, ?, ?, 'open', ?)",
              {e.seq, e.bed, e.application, e.on.ToString(),
               offer_deadline.value_or(e.on).ToString(), e.bed});
          !s.ok()) {
        return Taken(e.bed);
      }
    } else if (e.kind == "accept" || e.kind == "refuse" || e.kind == "withdraw" ||
               e.kind == "expire") {
      std::string outcome = e.kind == "accept"   ? "accepted"
                            : e.kind == "refuse" ? (e.data == "lapsed" ? "lapsed" : "refused")
                                                 : "withdrawn";
      if (Status s = db_.Execute("UPDATE waitlist_offer SET outcome = ?, open_bed = NULL "
                                 "WHERE application = ? AND outcome = 'open'",
                                 {outcome, e.application});
          !s.ok()) {
        return s;
      }
    }
    if (Status s =
            db_.Execute("INSERT INTO waitlist_event (seq, kind, application, bed, on_date, data) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        {e.seq, e.kind, e.application, e.bed, e.on.ToString(), e.data});
        !s.ok()) {
      return e.kind == "offer" ? Taken(e.bed) : s;
    }
    if (seq_out != nullptr) *seq_out = e.kind == "apply" ? e.application : e.seq;
    MaybeKill("waitlist." + e.kind + ".before_commit");  // crash tests: all written, uncommitted
    return Status::Ok();
  });
  if (done.ok()) MaybeKill("waitlist." + e.kind + ".after_commit");
  return done;
}

Status WaitlistStore::AddBed(const std::string& id, const std::string& institution,
                             const std::string& type, CivilDate on) {
  const auto& types = rules_.bed_types();
  if (std::find(types.begin(), types.end(), type) == types.end()) {
    return Status("waitlist.bed_type", fmt::format("床位类型“{}”不是规则所列类型", type),
                  Location{.field = "type", .value = type});
  }
  Status s = Record(Event{.kind = "bed", .bed = id, .on = on, .data = institution + " " + type});
  if (s.code() == "waitlist.state") {
    return Status(ErrorCategory::kConflict, "waitlist.bed_exists",
                  fmt::format("床位 {} 已存在", id), Location{.field = "bed", .value = id});
  }
  return s;
}

Result<int64_t> WaitlistStore::Apply(const Application& a) {
  if (a.person.empty() || a.bed_type.empty() || a.person.find('|') != std::string::npos ||
      a.name.find('|') != std::string::npos) {
    return Status("waitlist.application", "申请须有身份证号和床位类型，且不含“|”",
                  Location{.field = "person", .value = a.person});
  }
  int64_t id = 0;
  Status s =
      Record(Event{.kind = "apply", .on = a.applied_on, .data = ApplyData(a)}, std::nullopt, &id);
  if (!s.ok()) return s;
  return id;
}

Status WaitlistStore::Assess(int64_t application, const policy::PersonFacts& facts, CivilDate on,
                             std::optional<CivilDate> valid_until) {
  if (valid_until && *valid_until < on) {
    return Status(ErrorCategory::kConflict, "waitlist.assessment_expired",
                  fmt::format("能力评估已于 {} 过期，须重新评估", valid_until->ToString()),
                  Location{.field = "valid_until", .value = valid_until->ToString()});
  }
  std::string data = FactsToText(facts);
  if (valid_until) data += "|" + valid_until->ToString();
  return Record(Event{.kind = "assess", .application = application, .on = on, .data = data});
}

Result<std::vector<int64_t>> WaitlistStore::ExpireAssessments(CivilDate on) {
  Result<State> state = Load();
  if (!state.ok()) return state.status();
  std::vector<int64_t> out;
  for (const auto& [id, a] : state->applications) {
    if (a.status != AppStatus::kWaiting || !a.valid_until || !(*a.valid_until < on)) continue;
    if (Status s =
            Record(Event{.kind = "expire", .application = id, .bed = a.offered_bed, .on = on});
        !s.ok()) {
      return s;
    }
    out.push_back(id);
  }
  return out;
}

Result<std::vector<Offer>> WaitlistStore::OpenOffers() {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT application, bed, offered_on, deadline FROM waitlist_offer "
      "WHERE outcome = 'open' ORDER BY bed");
  if (!rows.ok()) return rows.status();
  std::vector<Offer> out;
  for (const db::Row& r : *rows) {
    Result<CivilDate> on = CivilDate::Parse(r.AsText(2));
    Result<CivilDate> deadline = CivilDate::Parse(r.AsText(3));
    if (!on.ok()) return on.status();
    if (!deadline.ok()) return deadline.status();
    out.push_back(Offer{
        .application = r.AsInt(0), .bed = r.AsText(1), .offered_on = *on, .deadline = *deadline});
  }
  return out;
}

Result<std::vector<int64_t>> WaitlistStore::LapseOffers(CivilDate on) {
  Result<std::vector<Offer>> offers = OpenOffers();
  if (!offers.ok()) return offers.status();
  std::vector<int64_t> out;
  for (const Offer& o : *offers) {
    if (!(o.deadline < on)) continue;
    if (Status s = Record(Event{.kind = "refuse",
                                .application = o.application,
                                .bed = o.bed,
                                .on = on,
                                .data = "lapsed"});
        !s.ok()) {
      return s;
    }
    out.push_back(o.application);
  }
  return out;
}

Status WaitlistStore::Withdraw(int64_t application, CivilDate on) {
  // The bed of an open offer is freed of the offer too.
  Result<State> state = Load();
  if (!state.ok()) return state.status();
  auto it = state->applications.find(application);
  std::string bed = it == state->applications.end() ? "" : it->second.offered_bed;
  return Record(Event{.kind = "withdraw", .application = application, .bed = bed, .on = on});
}

Status WaitlistStore::FreeBed(const std::string& bed, CivilDate on) {
  return Record(Event{.kind = "free", .bed = bed, .on = on});
}

Result<std::optional<Offer>> WaitlistStore::Allocate(const std::string& bed, CivilDate on,
                                                     int days) {
  Result<State> state = Load();
  if (!state.ok()) return state.status();
  auto b = state->beds.find(bed);
  if (b == state->beds.end()) {
    return Status("waitlist.bed_not_found", fmt::format("床位 {} 不存在", bed),
                  Location{.field = "bed", .value = bed});
  }
  if (b->second.occupant != 0 || b->second.offered_to != 0) return Taken(bed);
  std::optional<int64_t> next = NextFor(rules_, *state, b->second);
  if (!next) return std::optional<Offer>();
  // Record re-reads the state in its transaction and refuses a bed taken
  // meanwhile; the UNIQUE columns refuse a racing allocation.
  Status s =
      Record(Event{.kind = "offer", .application = *next, .bed = bed, .on = on}, on.AddDays(days));
  if (!s.ok()) return s;
  return std::optional<Offer>(
      Offer{.application = *next, .bed = bed, .offered_on = on, .deadline = on.AddDays(days)});
}

Status WaitlistStore::Accept(int64_t application, CivilDate on) {
  Result<State> state = Load();
  if (!state.ok()) return state.status();
  auto it = state->applications.find(application);
  if (it == state->applications.end() || it->second.offered_bed.empty()) {
    return Status(ErrorCategory::kConflict, "waitlist.no_offer", "该申请没有待确认的床位分配",
                  Location{.field = "application", .value = std::to_string(application)});
  }
  return Record(
      Event{.kind = "accept", .application = application, .bed = it->second.offered_bed, .on = on});
}

Status WaitlistStore::Refuse(int64_t application, CivilDate on) {
  Result<State> state = Load();
  if (!state.ok()) return state.status();
  auto it = state->applications.find(application);
  if (it == state->applications.end() || it->second.offered_bed.empty()) {
    return Status(ErrorCategory::kConflict, "waitlist.no_offer", "该申请没有待确认的床位分配",
                  Location{.field = "application", .value = std::to_string(application)});
  }
  return Record(
      Event{.kind = "refuse", .application = application, .bed = it->second.offered_bed, .on = on});
}

Result<std::vector<Event>> WaitlistStore::Events() {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT seq, kind, application, bed, on_date, data FROM waitlist_event ORDER BY seq");
  if (!rows.ok()) return rows.status();
  std::vector<Event> out;
  for (const db::Row& r : *rows) {
    Result<CivilDate> on = CivilDate::Parse(r.AsText(4));
    if (!on.ok()) return on.status();
    out.push_back(Event{.seq = r.AsInt(0),
                        .kind = r.AsText(1),
                        .application = r.AsInt(2),
                        .bed = r.AsText(3),
                        .on = *on,
                        .data = r.AsText(5)});
  }
  return out;
}

Result<std::vector<Institution>> WaitlistStore::Institutions() {
  Result<std::vector<db::Row>> rows = db_.QueryAll(
      "SELECT id, name, ownership, county, grade, beds_normal, beds_nursing, beds_dementia, "
      "rooms, occupied, tekun_care FROM waitlist_institution ORDER BY id");
  if (!rows.ok()) return rows.status();
  std::vector<Institution> out;
  for (const db::Row& r : *rows) {
    out.push_back(Institution{.id = r.AsText(0),
                              .name = r.AsText(1),
                              .ownership = r.AsText(2),
                              .county = r.AsText(3),
                              .grade = static_cast<int>(r.AsInt(4)),
                              .beds_normal = r.AsInt(5),
                              .beds_nursing = r.AsInt(6),
                              .beds_dementia = r.AsInt(7),
                              .rooms = r.AsInt(8),
                              .occupied = r.AsInt(9),
                              .tekun_care = r.AsInt(10) != 0});
  }
  return out;
}

Result<std::vector<Position>> WaitlistStore::Queue() {
  Result<State> state = Load();
  if (!state.ok()) return state.status();
  return Rank(rules_, *state);
}

}  // namespace yanglao::waitlist
