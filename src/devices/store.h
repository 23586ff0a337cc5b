// The devices module's tables (devices_*, module sequence "devices"):
// devices bound to people, the messages already taken in (idempotency), the
// alarms and every step of their life (who and when), the responders.
//
// One open alarm per kind per device (a partial unique index): a rule firing
// again updates the open alarm (repeats, last time, detail). The alarm's life:
// open → acknowledged → dispatched → on_scene → resolved | false_alarm; an
// open alarm not acknowledged within the SLA (policy sla.ack_s) is escalated
// one level up the unit tree, and again for every further SLA period.
#ifndef YANGLAO_DEVICES_STORE_H_
#define YANGLAO_DEVICES_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"
#include "db/migrate.h"
#include "devices/payload.h"
#include "devices/rules.h"

namespace yanglao::devices {

db::ModuleSchema DevicesSchema();

// wristband 智能手环, mattress 智能床垫, door_sensor 智能门磁, call_button 紧急呼叫终端
bool IsDeviceKind(std::string_view kind);

struct Device {
  std::string code;  // the MQTT user name and topic segment
  std::string kind;  // IsDeviceKind
  std::string person_id_number, person_name;
  std::string region;  // 12-digit code of where the person lives (the alarm's unit)
  bool has_home = false;
  double home_lat = 0, home_lon = 0;
  std::string overrides;  // per-person rules: "heart_rate.high=140;fence.radius_m=300"
  std::string status = "active";
  int64_t last_seen_ms = 0;
};

struct Responder {
  int64_t id = 0;
  std::string code, name;
  std::string role;  // 网格员 志愿者 家属 社区医生
  std::string phone, region;
  bool available = true;
  double lat = 0, lon = 0;
  int64_t updated_ms = 0;
};

struct Candidate {
  Responder responder;
  double metres = 0;
};

enum class AlarmState { kOpen, kAcknowledged, kDispatched, kOnScene, kResolved, kFalseAlarm };
std::string_view StateKey(AlarmState s);
std::string_view StateName(AlarmState s);
std::optional<AlarmState> StateOfKey(std::string_view key);

struct Alarm {
  int64_t id = 0;
  std::string device, kind, state, detail, region, unit;
  int64_t opened_ms = 0, updated_ms = 0, sla_due_ms = 0;
  int repeats = 0, escalation = 0;
  bool has_fix = false;
  double lat = 0, lon = 0;
  int64_t responder_id = 0;
  int64_t rev = 0;  // revision of its last change
};

struct AlarmStep {
  std::string step, actor, note;
  int64_t at_ms = 0;
};

// Parent of a 12-digit region code (village → township → county → city →
// province); the code itself at the top.
std::string ParentUnit(const std::string& code);

class DevicesStore {
 public:
  explicit DevicesStore(db::Database& db) : db_(db) {}

  Status PutDevice(const Device& d);
  Result<std::vector<Device>> Devices();
  Result<std::optional<Device>> FindDevice(const std::string& code);

  Status PutResponder(const Responder& r);
  Status SetResponderAvailability(const std::string& code, bool available, double lat, double lon,
                                  int64_t at_ms);
  // The `k` nearest available responders to (lat, lon), nearest first
  // (Boost.Geometry R-tree over the available ones): the call list.
  Result<std::vector<Candidate>> Nearest(double lat, double lon, size_t k);

  // Takes in one message and the events it fired, in one transaction: when
  // the device's message id is already recorded (a redelivery), nothing
  // changes and false is returned. `ack_sla_s` sets the new alarms' due time.
  Result<bool> TakeIn(const Message& m, const std::vector<AlarmEvent>& events, int64_t ack_sla_s,
                      int64_t received_ms);
  // Whether the device's message `id` was taken in already.
  Result<bool> Taken(const std::string& device, const std::string& id);
  // Events of the clock (offline, no movement), each in the same way.
  Status Record(const std::vector<AlarmEvent>& events, int64_t ack_sla_s);

  Result<std::vector<Alarm>> Alarms(bool open_only, int64_t after_id = 0);
  // Alarms opened or changed after revision `rev` (the live board's cursor),
  // in the order of their changes.
  Result<std::vector<Alarm>> AlarmsChangedSince(int64_t rev, int64_t limit);
  Result<std::optional<Alarm>> FindAlarm(int64_t id);
  Result<std::vector<AlarmStep>> Steps(int64_t alarm_id);
  Result<int64_t> MessageCount();

  // The alarm's life. `actor` is the user (or "system"); fails with
  // "devices.alarm_state" (conflict) when the step does not follow.
  Status Acknowledge(int64_t alarm, const std::string& actor, int64_t at_ms);
  Status Dispatch(int64_t alarm, const std::string& responder_code, const std::string& actor,
                  int64_t at_ms);
  Status OnScene(int64_t alarm, const std::string& actor, int64_t at_ms);
  Status Close(int64_t alarm, AlarmState end, const std::string& actor, int64_t at_ms,
               const std::string& note);
  // Escalates every open alarm past its due time; returns how many.
  Result<int> EscalateOverdue(int64_t now_ms, int64_t ack_sla_s);

 private:
  Status ApplyEvent(const AlarmEvent& e, int64_t ack_sla_s);
  Status Step(int64_t alarm, const std::string& step, const std::string& actor, int64_t at,
              const std::string& note);
  Status Move(int64_t alarm, const std::vector<AlarmState>& from, AlarmState to,
              const std::string& actor, int64_t at, const std::string& note,
              int64_t responder_id = 0);
  db::Database& db_;
};

// Per-device rules for the pipeline: the defaults with the device's overrides.
Result<DeviceRules> RulesOf(const Device& d, const Settings& defaults);

}  // namespace yanglao::devices

#endif  // YANGLAO_DEVICES_STORE_H_
