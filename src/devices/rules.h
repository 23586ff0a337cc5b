// The devices' rules (policies/devices/<city>.devices.yaml, docs/devices.md)
// and the rule pipeline: a pure state machine per device, fed the parsed
// messages in order and ticked with the clock, returning the alarm events.
// No I/O: the ingest service stores what it returns, the benchmark feeds it
// directly.
//
// The rules, all from the policy file's defaults with per-person overrides:
//   sos, fall          at once (a fall below the confidence floor is ignored);
//   fence_leave,       a fix confidently outside (distance - accuracy > radius
//   fence_enter        + margin) or inside (distance + accuracy < radius -
//                      margin) for the dwell time flips the state; fixes less
//                      accurate than max_accuracy_m are ignored, so a
//                      stationary device whose fixes drift never flaps;
//   heart_rate,        readings outside the range for duration_s (every
//   blood_pressure     reading in between outside too);
//   no_movement        no motion for no_motion_s, in the daytime window;
//   offline            no message for timeout_s (Tick: detected within
//                      timeout + the tick interval);
//   low_battery        below low_percent;
//   bed_exit, door     at night: out of bed for bed_return_s, the door opened.
// One open alarm per kind per device is the store's rule: the pipeline emits
// an event each time a rule fires again, and the store updates the open one.
#ifndef YANGLAO_DEVICES_RULES_H_
#define YANGLAO_DEVICES_RULES_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "devices/payload.h"

namespace yanglao::devices {

enum class AlarmKind {
  kSos,
  kFall,
  kFenceLeave,
  kFenceEnter,
  kHeartRate,
  kBloodPressure,
  kNoMovement,
  kOffline,
  kLowBattery,
  kBedExit,
  kDoor,
};
inline constexpr int kAlarmKindCount = 11;
std::string_view AlarmKey(AlarmKind k);   // "fence_leave"
std::string_view AlarmName(AlarmKind k);  // "离开电子围栏"
std::optional<AlarmKind> AlarmOfKey(std::string_view key);

struct Settings {
  double fall_min_confidence = 0.6;
  double fence_radius_m = 800, fence_dwell_s = 120, fence_margin_m = 50, fence_max_accuracy_m = 150;
  int hr_low = 45, hr_high = 130;
  int64_t hr_duration_s = 120;
  int sys_low = 90, sys_high = 180, dia_low = 50, dia_high = 110;
  int64_t bp_duration_s = 0;
  int64_t no_motion_s = 4 * 3600;
  int day_start_min = 7 * 60, day_end_min = 21 * 60;
  int64_t offline_timeout_s = 600;
  int battery_low = 15;
  int night_start_min = 22 * 60, night_end_min = 6 * 60;
  int64_t bed_return_s = 1800;
  bool door_night_alarm = true;
  int64_t ack_sla_s = 60;
  int utc_offset_min = 8 * 60;
};

// Sets one per-person override ("heart_rate.high", "140"); fails with
// "devices.override" naming the key.
Status ApplyOverride(Settings& s, std::string_view key, std::string_view value);

// A city's rules file.
struct DevicesPolicy {
  std::string path, city, list, item, source, quote;
  bool demo = false;
  Settings defaults;
};
Result<DevicesPolicy> LoadPolicy(const std::filesystem::path& file);
// Every *.devices.yaml in `dir`.
Result<std::vector<DevicesPolicy>> LoadPolicyDirectory(const std::filesystem::path& dir);

// One device's rules: its settings and its person's fence centre.
struct DeviceRules {
  Settings settings;
  bool has_fence = false;
  double home_lat = 0, home_lon = 0;
};

struct AlarmEvent {
  std::string device;
  AlarmKind kind = AlarmKind::kSos;
  int64_t at_ms = 0;
  std::string detail;  // Chinese, for the board
  bool has_fix = false;
  double lat = 0, lon = 0;
  std::string message_id;  // the message that fired it ("" for Tick)
};

double DistanceMetres(double lat1, double lon1, double lat2, double lon2);

class Pipeline {
 public:
  explicit Pipeline(Settings defaults) : defaults_(defaults) {}

  // Sets a device's rules (before or between its messages).
  void Configure(const std::string& device, const DeviceRules& rules);
  // Marks a device as seen at `ms` (the ingest's start, from the store).
  void Seen(const std::string& device, int64_t ms);

  // Feeds one message; appends the events it fires to `out`.
  void Feed(const Message& m, std::vector<AlarmEvent>& out);
  // The clock: offline and no-movement, and a bed not returned to.
  void Tick(int64_t now_ms, std::vector<AlarmEvent>& out);

  bool Configured(const std::string& device) const {
    auto it = devices_.find(device);
    return it != devices_.end() && it->second.configured;
  }
  size_t device_count() const { return devices_.size(); }

 private:
  struct State {
    DeviceRules rules;
    bool configured = false;
    int64_t last_seen = 0, last_motion = 0;
    bool offline = false, still = false;
    // fence: 0 unknown, 1 inside, 2 outside; candidate since (ms), 0 none
    int fence = 0, candidate = 0;
    int64_t candidate_since = 0;
    double last_lat = 0, last_lon = 0;
    bool has_last_fix = false;
    int64_t hr_out_since = -1, bp_out_since = -1;
    int64_t bed_left_at = -1;
    bool bed_alarmed = false, battery_low = false;
  };
  State& StateOf(const std::string& device);
  void Emit(State& st, const std::string& device, AlarmKind kind, int64_t at, std::string detail,
            const Message* m, std::vector<AlarmEvent>& out);
  bool InWindow(int64_t ms, int start_min, int end_min, const Settings& s) const;

  Settings defaults_;
  std::unordered_map<std::string, State> devices_;
};

}  // namespace yanglao::devices

#endif  // YANGLAO_DEVICES_RULES_H_
