// The MQTT side of the module, over libmosquitto (Debian's libmosquitto1):
// the ingest service and the device client the simulator and the tests use.
//
// Delivery. The ingest connects with a fixed client id and clean_session =
// false and subscribes at QoS 1, so the broker keeps every device message
// published while the ingest is down and delivers it when it is back. One
// gap remains, measured on libmosquitto 2.0.11: it sends the PUBACK of an
// incoming QoS 1 message before calling the application, so a message being
// processed at the instant the ingest is killed is lost to MQTT. The platform
// closes it end to end: after a message's transaction commits, the ingest
// publishes {"id": ...} on yanglao/dev/<device>/ack, and a device repeats a
// message with the same id until that ack arrives; the store takes each
// (device, id) once, so a repeat or a redelivery changes nothing
// (docs/devices.md).
#ifndef YANGLAO_DEVICES_MQTT_H_
#define YANGLAO_DEVICES_MQTT_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "devices/payload.h"

struct mosquitto;
struct mosquitto_message;

namespace yanglao::devices {

// mqtt://[user[:password]@]host[:port]
struct MqttUrl {
  std::string user, password, host = "127.0.0.1";
  int port = 1883;
};
Result<MqttUrl> ParseMqttUrl(std::string_view url);

struct IngestOptions {
  std::string db_url;
  MqttUrl mqtt;
  std::string client_id = "yanglao-ingest";
  std::filesystem::path rules;  // a *.devices.yaml
  int tick_ms = 1000;
  bool verbose = false;
};

// Runs the ingest until `stop` is set (or a database failure). Prints one line
// per alarm opened or updated when verbose.
Status RunIngest(const IngestOptions& o, const std::atomic<bool>& stop);

// Drops a persistent session (connects once with clean_session = true).
Status ForgetSession(const MqttUrl& broker, const std::string& client_id);

// One device's connection, with its own credentials: publishes at QoS 1 and
// keeps each message until the platform's ack for its id arrives.
class DeviceClient {
 public:
  ~DeviceClient();
  static Result<std::unique_ptr<DeviceClient>> Connect(const MqttUrl& broker,
                                                       const std::string& device,
                                                       const std::string& password);
  Status Publish(const Message& m);
  // Network I/O for up to `timeout_ms` (0: what is ready).
  Status Pump(int timeout_ms);
  // Publishes again every message not acked yet (same id).
  Status ResendUnacked();
  size_t unacked() const;
  int64_t acked() const { return acked_; }
  bool connected() const { return connected_; }
  const std::string& device() const { return device_; }

 private:
  DeviceClient() = default;
  static void OnConnect(struct mosquitto*, void* self, int rc);
  static void OnMessage(struct mosquitto*, void* self, const struct mosquitto_message* msg);
  struct mosquitto* mosq_ = nullptr;
  std::string device_;
  std::atomic<bool> connected_{false};
  std::atomic<int64_t> acked_{0};
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::string, std::string>> pending_;  // id -> topic, payload
};

}  // namespace yanglao::devices

#endif  // YANGLAO_DEVICES_MQTT_H_
