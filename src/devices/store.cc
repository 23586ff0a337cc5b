#include "devices/store.h"

#include <fmt/format.h>

#include <array>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>

#include "db/transaction.h"

namespace yanglao::devices {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

std::vector<std::string> Migrations(std::string_view dialect) {
  const std::string id = dialect == "postgresql"
                             ? "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                             : "id INTEGER PRIMARY KEY AUTOINCREMENT";
  return {
      // 1: devices, messages taken in, alarms and their steps, responders.
      fmt::format(R"(
CREATE TABLE devices_device (
  code TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  person_id_number TEXT NOT NULL,
  person_name TEXT NOT NULL,
  region TEXT NOT NULL,
  home_lat_e6 BIGINT,
  home_lon_e6 BIGINT,
  overrides TEXT NOT NULL,
  status TEXT NOT NULL,
  last_seen_ms BIGINT NOT NULL);
CREATE TABLE devices_message (
  device TEXT NOT NULL,
  message_id TEXT NOT NULL,
  type TEXT NOT NULL,
  ts_ms BIGINT NOT NULL,
  received_ms BIGINT NOT NULL,
  PRIMARY KEY (device, message_id));
CREATE TABLE devices_alarm (
  {id},
  device TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  closed BIGINT NOT NULL,
  detail TEXT NOT NULL,
  region TEXT NOT NULL,
  unit TEXT NOT NULL,
  opened_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  sla_due_ms BIGINT NOT NULL,
  repeats BIGINT NOT NULL,
  escalation BIGINT NOT NULL,
  lat_e6 BIGINT,
  lon_e6 BIGINT,
  responder_id BIGINT NOT NULL,
  rev BIGINT NOT NULL);
-- One open alarm per kind per device.
CREATE UNIQUE INDEX devices_alarm_open ON devices_alarm (device, kind) WHERE closed = 0;
CREATE INDEX devices_alarm_due ON devices_alarm (state, sla_due_ms);
CREATE INDEX devices_alarm_rev ON devices_alarm (rev);
CREATE TABLE devices_alarm_step (
  alarm_id BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  step TEXT NOT NULL,
  actor TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (alarm_id, seq));
CREATE TABLE devices_responder (
  {id},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  phone TEXT NOT NULL,
  region TEXT NOT NULL,
  available BIGINT NOT NULL,
  lat_e6 BIGINT NOT NULL,
  lon_e6 BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL);
)",
                  fmt::arg("id", id)),
  };
}

int64_t E6(double d) { return static_cast<int64_t>(std::llround(d * 1e6)); }
double FromE6(int64_t v) { return static_cast<double>(v) / 1e6; }

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kStates{{
    {"open", "待确认"},
    {"acknowledged", "已确认"},
    {"dispatched", "已派单"},
    {"on_scene", "已到场"},
    {"resolved", "已处置"},
    {"false_alarm", "误报"},
}};

// Every change of an alarm takes the next revision: the live board's cursor.
constexpr std::string_view kNextRev = "(SELECT COALESCE(MAX(rev), 0) + 1 FROM devices_alarm)";

constexpr std::string_view kAlarmColumns =
    "id, device, kind, state, detail, region, unit, opened_ms, updated_ms, sla_due_ms, repeats, "
    "escalation, lat_e6, lon_e6, responder_id, rev";

Alarm AlarmOfRow(const db::Row& r) {
  Alarm a;
  a.id = r.AsInt(0);
  a.device = r.AsText(1);
  a.kind = r.AsText(2);
  a.state = r.AsText(3);
  a.detail = r.AsText(4);
  a.region = r.AsText(5);
  a.unit = r.AsText(6);
  a.opened_ms = r.AsInt(7);
  a.updated_ms = r.AsInt(8);
  a.sla_due_ms = r.AsInt(9);
  a.repeats = static_cast<int>(r.AsInt(10));
  a.escalation = static_cast<int>(r.AsInt(11));
  a.has_fix = !r.IsNull(12);
  if (a.has_fix) {
    a.lat = FromE6(r.AsInt(12));
    a.lon = FromE6(r.AsInt(13));
  }
  a.responder_id = r.AsInt(14);
  a.rev = r.AsInt(15);
  return a;
}

constexpr std::string_view kDeviceColumns =
    "code, kind, person_id_number, person_name, region, home_lat_e6, home_lon_e6, overrides, "
    "status, last_seen_ms";

Device DeviceOfRow(const db::Row& r) {
  Device d;
  d.code = r.AsText(0);
  d.kind = r.AsText(1);
  d.person_id_number = r.AsText(2);
  d.person_name = r.AsText(3);
  d.region = r.AsText(4);
  d.has_home = !r.IsNull(5);
  if (d.has_home) {
    d.home_lat = FromE6(r.AsInt(5));
    d.home_lon = FromE6(r.AsInt(6));
  }
  d.overrides = r.AsText(7);
  d.status = r.AsText(8);
  d.last_seen_ms = r.AsInt(9);
  return d;
}

db::Value Opt(bool has, double v) { return has ? db::Value(E6(v)) : db::Value(); }

}  // namespace

db::ModuleSchema DevicesSchema() { return {"devices", Migrations}; }

bool IsDeviceKind(std::string_view kind) {
  return kind == "wristband" || kind == "mattress" || kind == "door_sensor" ||
         kind == "call_button";
}

std::string_view StateKey(AlarmState s) { return kStates[static_cast<size_t>(s)].first; }
std::string_view StateName(AlarmState s) { return kStates[static_cast<size_t>(s)].second; }
std::optional<AlarmState> StateOfKey(std::string_view key) {
  for (size_t i = 0; i < kStates.size(); ++i) {
    if (kStates[i].first == key) return static_cast<AlarmState>(i);
  }
  return std::nullopt;
}

std::string ParentUnit(const std::string& code) {
  if (code.size() != 12) return code;
  if (code.substr(9) != "000") return code.substr(0, 9) + "000";
  if (code.substr(6, 3) != "000") return code.substr(0, 6) + "000000";
  if (code.substr(4, 2) != "00") return code.substr(0, 4) + "00000000";
  if (code.substr(2, 2) != "00") return code.substr(0, 2) + "0000000000";
  return code;
}

Result<DeviceRules> RulesOf(const Device& d, const Settings& defaults) {
  DeviceRules r;
  r.settings = defaults;
  r.has_fence = d.has_home;
  r.home_lat = d.home_lat;
  r.home_lon = d.home_lon;
  std::string_view rest = d.overrides;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status("devices.override", "个人规则应写作 项=值",
                    Location{.field = "overrides", .value = std::string(item)});
    }
    if (Status s = ApplyOverride(r.settings, item.substr(0, eq), item.substr(eq + 1)); !s.ok()) {
      return s;
    }
  }
  return r;
}

Status DevicesStore::PutDevice(const Device& d) {
  if (!IsDeviceName(d.code)) {
    return Status("devices.device", "设备号应为 1～40 个字母、数字、- 或 _",
                  Location{.field = "code", .value = d.code});
  }
  if (!IsDeviceKind(d.kind)) {
    return Status("devices.device", "设备类型应为 wristband、mattress、door_sensor 或 call_button",
                  Location{.field = "kind", .value = d.kind});
  }
  if (Result<DeviceRules> r = RulesOf(d, Settings{}); !r.ok()) return r.status();
  return db_.Execute(
      "INSERT INTO devices_device (code, kind, person_id_number, person_name, region, home_lat_e6, "
      "home_lon_e6, overrides, status, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
      "ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, person_id_number = "
      "excluded.person_id_number, person_name = excluded.person_name, region = excluded.region, "
      "home_lat_e6 = excluded.home_lat_e6, home_lon_e6 = excluded.home_lon_e6, overrides = "
      "excluded.overrides, status = excluded.status",
      {d.code, d.kind, d.person_id_number, d.person_name, d.region, Opt(d.has_home, d.home_lat),
       Opt(d.has_home, d.home_lon), d.overrides, d.status});
}

Result<std::vector<Device>> DevicesStore::Devices() {
  std::vector<Device> out;
  Status s = db_.Query(fmt::format("SELECT {} FROM devices_device ORDER BY code", kDeviceColumns),
                       {}, [&](const db::Row& r) {
                         out.push_back(DeviceOfRow(r));
                         return true;
                       });
  if (!s.ok()) return s;
  return out;
}

Result<std::optional<Device>> DevicesStore::FindDevice(const std::string& code) {
  std::optional<Device> out;
  Status s = db_.Query(fmt::format("SELECT {} FROM devices_device WHERE code = ?", kDeviceColumns),
                       {code}, [&](const db::Row& r) {
                         out = DeviceOfRow(r);
                         return false;
                       });
  if (!s.ok()) return s;
  return out;
}

Status DevicesStore::PutResponder(const Responder& r) {
  return db_.Execute(
      "INSERT INTO devices_responder (code, name, role, phone, region, available, lat_e6, lon_e6, "
      "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = "
      "excluded.name, role = excluded.role, phone = excluded.phone, region = excluded.region, "
      "available = excluded.available, lat_e6 = excluded.lat_e6, lon_e6 = excluded.lon_e6, "
      "updated_ms = excluded.updated_ms",
      {r.code, r.name, r.role, r.phone, r.region, int64_t{r.available ? 1 : 0}, E6(r.lat),
       E6(r.lon), r.updated_ms});
}

Status DevicesStore::SetResponderAvailability(const std::string& code, bool available, double lat,
                                              double lon, int64_t at_ms) {
  return db_.Execute(
      "UPDATE devices_responder SET available = ?, lat_e6 = ?, lon_e6 = ?, updated_ms = ? WHERE "
      "code = ?",
      {int64_t{available ? 1 : 0}, E6(lat), E6(lon), at_ms, code});
}

Result<std::vector<Candidate>> DevicesStore::Nearest(double lat, double lon, size_t k) {
  // Points in a local plane (x = lon·cos(lat0), y = lat, degrees), so the
  // R-tree's nearest by Euclidean distance is the nearest on the ground at
  // city scale; the metres shown are the great-circle distance.
  using Point = bg::model::point<double, 2, bg::cs::cartesian>;
  using Entry = std::pair<Point, size_t>;
  const double kx = std::cos(lat * 3.14159265358979323846 / 180);
  std::vector<Responder> all;
  std::vector<Entry> entries;
  Status s = db_.Query(
      "SELECT id, code, name, role, phone, region, available, lat_e6, lon_e6, updated_ms FROM "
      "devices_responder WHERE available = 1",
      {}, [&](const db::Row& r) {
        Responder x;
        x.id = r.AsInt(0);
        x.code = r.AsText(1);
        x.name = r.AsText(2);
        x.role = r.AsText(3);
        x.phone = r.AsText(4);
        x.region = r.AsText(5);
        x.available = r.AsInt(6) != 0;
        x.lat = FromE6(r.AsInt(7));
        x.lon = FromE6(r.AsInt(8));
        x.updated_ms = r.AsInt(9);
        entries.emplace_back(Point(x.lon * kx, x.lat), all.size());
        all.push_back(std::move(x));
        return true;
      });
  if (!s.ok()) return s;
  bgi::rtree<Entry, bgi::quadratic<16>> tree(entries.begin(), entries.end());
  std::vector<Entry> found;
  tree.query(bgi::nearest(Point(lon * kx, lat), static_cast<unsigned>(k)),
             std::back_inserter(found));
  std::vector<Candidate> out;
  for (const Entry& e : found) {
    const Responder& r = all[e.second];
    out.push_back({r, DistanceMetres(lat, lon, r.lat, r.lon)});
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return a.metres != b.metres ? a.metres < b.metres : a.responder.code < b.responder.code;
  });
  return out;
}

Status DevicesStore::Step(int64_t alarm, const std::string& step, const std::string& actor,
                          int64_t at, const std::string& note) {
  return db_.Execute(
      "INSERT INTO devices_alarm_step (alarm_id, seq, step, actor, at_ms, note) SELECT ?, "
      "COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM devices_alarm_step WHERE alarm_id = ?",
      {alarm, step, actor, at, note, alarm});
}

Status DevicesStore::ApplyEvent(const AlarmEvent& e, int64_t ack_sla_s) {
  const std::string kind(AlarmKey(e.kind));
  std::optional<int64_t> open;
  Status s = db_.Query("SELECT id FROM devices_alarm WHERE device = ? AND kind = ? AND closed = 0",
                       {e.device, kind}, [&](const db::Row& r) {
                         open = r.AsInt(0);
                         return false;
                       });
  if (!s.ok()) return s;
  if (open) {
    s = db_.Execute(
        "UPDATE devices_alarm SET repeats = repeats + 1, updated_ms = ?, detail = ?, lat_e6 = "
        "COALESCE(?, lat_e6), lon_e6 = COALESCE(?, lon_e6), rev = " +
            std::string(kNextRev) + " WHERE id = ?",
        {e.at_ms, e.detail, Opt(e.has_fix, e.lat), Opt(e.has_fix, e.lon), *open});
    if (!s.ok()) return s;
    return Step(*open, "repeat", "system", e.at_ms,
                e.message_id.empty() ? e.detail : e.detail + "（消息 " + e.message_id + "）");
  }
  std::string region;
  s = db_.Query("SELECT region FROM devices_device WHERE code = ?", {e.device},
                [&](const db::Row& r) {
                  region = r.AsText(0);
                  return false;
                });
  if (!s.ok()) return s;
  std::optional<int64_t> id;
  s = db_.Query(
      "INSERT INTO devices_alarm (device, kind, state, closed, detail, region, unit, opened_ms, "
      "updated_ms, sla_due_ms, repeats, escalation, lat_e6, lon_e6, responder_id, rev) VALUES (?, "
      "?, 'open', 0, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, 0, " +
          std::string(kNextRev) + ") RETURNING id",
      {e.device, kind, e.detail, region, region, e.at_ms, e.at_ms, e.at_ms + ack_sla_s * 1000,
       Opt(e.has_fix, e.lat), Opt(e.has_fix, e.lon)},
      [&](const db::Row& r) {
        id = r.AsInt(0);
        return false;
      });
  if (!s.ok()) return s;
  if (!id) return Status("devices.alarm", "未能记录报警");
  return Step(*id, "open", "system", e.at_ms,
              e.message_id.empty() ? e.detail : e.detail + "（消息 " + e.message_id + "）");
}

Result<bool> DevicesStore::TakeIn(const Message& m, const std::vector<AlarmEvent>& events,
                                  int64_t ack_sla_s, int64_t received_ms) {
  bool fresh = false;
  Status s = db::InTransaction(db_, [&]() -> Status {
    bool seen = false;
    Status q = db_.Query("SELECT 1 FROM devices_message WHERE device = ? AND message_id = ?",
                         {m.device, m.id}, [&](const db::Row&) {
                           seen = true;
                           return false;
                         });
    if (!q.ok()) return q;
    if (seen) return Status::Ok();
    fresh = true;
    q = db_.Execute(
        "INSERT INTO devices_message (device, message_id, type, ts_ms, received_ms) VALUES (?, ?, "
        "?, ?, ?)",
        {m.device, m.id, std::string(TypeKey(m.type)), m.ts_ms, received_ms});
    if (!q.ok()) return q;
    q = db_.Execute(
        "UPDATE devices_device SET last_seen_ms = ? WHERE code = ? AND last_seen_ms < ?",
        {m.ts_ms, m.device, m.ts_ms});
    if (!q.ok()) return q;
    for (const AlarmEvent& e : events) {
      if (Status a = ApplyEvent(e, ack_sla_s); !a.ok()) return a;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return fresh;
}

Result<bool> DevicesStore::Taken(const std::string& device, const std::string& id) {
  bool seen = false;
  Status s = db_.Query("SELECT 1 FROM devices_message WHERE device = ? AND message_id = ?",
                       {device, id}, [&](const db::Row&) {
                         seen = true;
                         return false;
                       });
  if (!s.ok()) return s;
  return seen;
}

Status DevicesStore::Record(const std::vector<AlarmEvent>& events, int64_t ack_sla_s) {
  if (events.empty()) return Status::Ok();
  return db::InTransaction(db_, [&]() -> Status {
    for (const AlarmEvent& e : events) {
      if (Status a = ApplyEvent(e, ack_sla_s); !a.ok()) return a;
    }
    return Status::Ok();
  });
}

Result<std::vector<Alarm>> DevicesStore::Alarms(bool open_only, int64_t after_id) {
  std::vector<Alarm> out;
  Status s = db_.Query(fmt::format("SELECT {} FROM devices_alarm WHERE id > ?{} ORDER BY id",
                                   kAlarmColumns, open_only ? " AND closed = 0" : ""),
                       {after_id}, [&](const db::Row& r) {
                         out.push_back(AlarmOfRow(r));
                         return true;
                       });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<Alarm>> DevicesStore::AlarmsChangedSince(int64_t rev, int64_t limit) {
  std::vector<Alarm> out;
  Status s = db_.Query(
      fmt::format("SELECT {} FROM devices_alarm WHERE rev > ? ORDER BY rev LIMIT ?", kAlarmColumns),
      {rev, limit}, [&](const db::Row& r) {
        out.push_back(AlarmOfRow(r));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<std::optional<Alarm>> DevicesStore::FindAlarm(int64_t id) {
  std::optional<Alarm> out;
  Status s = db_.Query(fmt::format("SELECT {} FROM devices_alarm WHERE id = ?", kAlarmColumns),
                       {id}, [&](const db::Row& r) {
                         out = AlarmOfRow(r);
                         return false;
                       });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<AlarmStep>> DevicesStore::Steps(int64_t alarm_id) {
  std::vector<AlarmStep> out;
  Status s = db_.Query(
      "SELECT step, actor, at_ms, note FROM devices_alarm_step WHERE alarm_id = ? ORDER BY seq",
      {alarm_id}, [&](const db::Row& r) {
        out.push_back({r.AsText(0), r.AsText(1), r.AsText(3), r.AsInt(2)});
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

Result<int64_t> DevicesStore::MessageCount() {
  int64_t n = 0;
  Status s = db_.Query("SELECT COUNT(*) FROM devices_message", {}, [&](const db::Row& r) {
    n = r.AsInt(0);
    return false;
  });
  if (!s.ok()) return s;
  return n;
}

Status DevicesStore::Move(int64_t alarm, const std::vector<AlarmState>& from, AlarmState to,
                          const std::string& actor, int64_t at, const std::string& note,
                          int64_t responder_id) {
  return db::InTransaction(db_, [&]() -> Status {
    Result<std::optional<Alarm>> a = FindAlarm(alarm);
    if (!a.ok()) return a.status();
    if (!a->has_value()) {
      return Status("devices.not_found", "没有这条报警",
                    Location{.field = "alarm", .value = std::to_string(alarm)});
    }
    std::optional<AlarmState> now = StateOfKey((*a)->state);
    if (!now || std::find(from.begin(), from.end(), *now) == from.end()) {
      return Status(
          ErrorCategory::kConflict, "devices.alarm_state",
          fmt::format("报警当前为“{}”，不能{}", now ? StateName(*now) : "?", StateName(to)),
          Location{.field = "state", .value = (*a)->state});
    }
    const bool closed = to == AlarmState::kResolved || to == AlarmState::kFalseAlarm;
    Status s = db_.Execute(
        "UPDATE devices_alarm SET state = ?, closed = ?, updated_ms = ?, responder_id = CASE WHEN "
        "? > 0 THEN ? ELSE responder_id END, rev = " +
            std::string(kNextRev) + " WHERE id = ?",
        {std::string(StateKey(to)), int64_t{closed ? 1 : 0}, at, responder_id, responder_id,
         alarm});
    if (!s.ok()) return s;
    return Step(alarm, std::string(StateKey(to)), actor, at, note);
  });
}

Status DevicesStore::Acknowledge(int64_t alarm, const std::string& actor, int64_t at_ms) {
  return Move(alarm, {AlarmState::kOpen}, AlarmState::kAcknowledged, actor, at_ms, "");
}

Status DevicesStore::Dispatch(int64_t alarm, const std::string& responder_code,
                              const std::string& actor, int64_t at_ms) {
  int64_t rid = 0;
  std::string name, role;
  Status s = db_.Query("SELECT id, name, role FROM devices_responder WHERE code = ?",
                       {responder_code}, [&](const db::Row& r) {
                         rid = r.AsInt(0);
                         name = r.AsText(1);
                         role = r.AsText(2);
                         return false;
                       });
  if (!s.ok()) return s;
  if (rid == 0) {
    return Status("devices.not_found", "没有这位响应人员",
                  Location{.field = "responder", .value = responder_code});
  }
  return Move(alarm, {AlarmState::kAcknowledged}, AlarmState::kDispatched, actor, at_ms,
              fmt::format("派往 {}（{}，{}）", name, role, responder_code), rid);
}

Status DevicesStore::OnScene(int64_t alarm, const std::string& actor, int64_t at_ms) {
  return Move(alarm, {AlarmState::kDispatched}, AlarmState::kOnScene, actor, at_ms, "");
}

Status DevicesStore::Close(int64_t alarm, AlarmState end, const std::string& actor, int64_t at_ms,
                           const std::string& note) {
  if (end != AlarmState::kResolved && end != AlarmState::kFalseAlarm) {
    return Status("devices.alarm_state", "只能以“已处置”或“误报”结束报警");
  }
  return Move(alarm, {AlarmState::kAcknowledged, AlarmState::kDispatched, AlarmState::kOnScene},
              end, actor, at_ms, note);
}

Result<int> DevicesStore::EscalateOverdue(int64_t now_ms, int64_t ack_sla_s) {
  int n = 0;
  Status s = db::InTransaction(db_, [&]() -> Status {
    std::vector<Alarm> due;
    Status q = db_.Query(fmt::format("SELECT {} FROM devices_alarm WHERE state = 'open' AND "
                                     "sla_due_ms <= ? ORDER BY id",
                                     kAlarmColumns),
                         {now_ms}, [&](const db::Row& r) {
                           due.push_back(AlarmOfRow(r));
                           return true;
                         });
    if (!q.ok()) return q;
    for (const Alarm& a : due) {
      const std::string up = ParentUnit(a.unit);
      q = db_.Execute(
          "UPDATE devices_alarm SET escalation = escalation + 1, unit = ?, sla_due_ms = ?, rev = " +
              std::string(kNextRev) + " WHERE id = ?",
          {up, a.sla_due_ms + ack_sla_s * 1000, a.id});
      if (!q.ok()) return q;
      q = Step(a.id, "escalate", "system", now_ms,
               fmt::format("{} 秒内无人确认，升级至上级单位 {}", ack_sla_s, up));
      if (!q.ok()) return q;
      ++n;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace yanglao::devices
