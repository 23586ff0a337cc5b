// The wire format of the devices (docs/devices.md): the MQTT topic
// yanglao/dev/<device>/up/<type> and a JSON object per message. The parser is
// strict: every field is checked for presence, type and range, unknown fields
// are refused, and the error names the field ("devices.payload", Location
// field = the field, value = what was sent).
#ifndef YANGLAO_DEVICES_PAYLOAD_H_
#define YANGLAO_DEVICES_PAYLOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace yanglao::devices {

enum class MessageType {
  kHeartbeat,      // heartbeat: alive; optional motion (activity count), battery
  kLocation,       // location: lat, lon, acc (metres, the fix's accuracy radius)
  kHeartRate,      // heart_rate: bpm
  kBloodPressure,  // blood_pressure: sys, dia (mmHg)
  kSos,            // sos: the one-key alarm; optional lat, lon, acc
  kFall,           // fall: fall detected; optional confidence, lat, lon, acc
  kDoor,           // door: state open | closed (door sensor)
  kBedExit,        // bed_exit: state left | returned (mattress)
  kBattery,        // battery: percent
};
inline constexpr int kMessageTypeCount = 9;
std::string_view TypeKey(MessageType t);   // "heart_rate"
std::string_view TypeName(MessageType t);  // "心率"
std::optional<MessageType> TypeOfKey(std::string_view key);

struct Message {
  std::string device;  // from the topic
  MessageType type = MessageType::kHeartbeat;
  std::string id;     // the device's message id: unique per device (idempotency)
  int64_t ts_ms = 0;  // when the device measured it (ms since the epoch, UTC)
  // A position (location; optional in sos and fall).
  bool has_fix = false;
  double lat = 0, lon = 0, acc = 0;
  int bpm = 0;            // heart_rate
  int sys = 0, dia = 0;   // blood_pressure
  int percent = -1;       // battery (also optional in heartbeat: -1 absent)
  int motion = -1;        // heartbeat: activity count since the last one (-1 absent)
  double confidence = 1;  // fall
  std::string state;      // door: open|closed; bed_exit: left|returned
};

// Topic for a device's message of `type`, and the one its acks come back on.
std::string UpTopic(std::string_view device, MessageType type);
std::string AckTopic(std::string_view device);
inline constexpr std::string_view kUpFilter = "yanglao/dev/+/up/#";

// Device names: 1-40 of [A-Za-z0-9_-].
bool IsDeviceName(std::string_view name);

// Parses one message: its topic and payload. Fails with "devices.topic" (the
// topic is not yanglao/dev/<device>/up/<type>) or "devices.payload" (naming
// the field in Location::field).
Result<Message> ParseMessage(std::string_view topic, std::string_view payload);

// The payload of `m` as the devices send it (the simulator, tests).
std::string PayloadJson(const Message& m);

}  // namespace yanglao::devices

#endif  // YANGLAO_DEVICES_PAYLOAD_H_
