#include "devices/mqtt.h"

#include <fmt/format.h>
#include <mosquitto.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <thread>

#include "db/database.h"
#include "db/migrate.h"
#include "devices/rules.h"
#include "devices/store.h"

namespace yanglao::devices {

namespace {

void InitLibrary() {
  static const int once = [] {
    mosquitto_lib_init();
    return 0;
  }();
  (void)once;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status MqttError(std::string_view what, int rc) {
  return Status(ErrorCategory::kUnavailable, "devices.mqtt",
                fmt::format("MQTT {}失败：{}", what, mosquitto_strerror(rc)));
}

struct Ingest {
  const IngestOptions& o;
  DevicesStore& store;
  Pipeline& pipeline;
  Settings defaults;
  struct mosquitto* mosq = nullptr;
  Status failure;
  bool connected = false;
  int64_t taken_count = 0, repeated = 0, rejected = 0;
  std::vector<AlarmEvent> events;
  std::map<std::string, int64_t> unknown_until;  // device -> when to look again

  void Handle(const struct mosquitto_message* msg) {
    if (!failure.ok()) return;
    std::string_view payload(static_cast<const char*>(msg->payload),
                             static_cast<size_t>(msg->payloadlen));
    Result<Message> m = ParseMessage(msg->topic, payload);
    if (!m.ok()) {
      ++rejected;
      if (o.verbose) fmt::print(stderr, "拒收：{}\n", m.status().ToString());
      return;
    }
    events.clear();
    // A repeat of a message already taken in: only the ack again.
    Result<bool> taken = store.Taken(m->device, m->id);
    if (!taken.ok()) {
      failure = taken.status();
      return;
    }
    if (*taken) {
      ++repeated;
    } else {
      if (!pipeline.Configured(m->device)) {
        // Enrolled after the ingest started: its rules. A device the platform
        // does not know (not enrolled, or no longer active) is refused and
        // not acked, even if the broker let it in.
        const int64_t now = NowMs();
        auto unknown = unknown_until.find(m->device);
        if (unknown != unknown_until.end() && unknown->second > now) {
          ++rejected;
          return;
        }
        Result<std::optional<Device>> dev = store.FindDevice(m->device);
        if (!dev.ok()) {
          failure = dev.status();
          return;
        }
        if (!dev->has_value() || (*dev)->status != "active") {
          unknown_until[m->device] = now + 10000;
          ++rejected;
          if (o.verbose) fmt::print(stderr, "拒收：设备 {} 未登记或已停用\n", m->device);
          return;
        }
        Result<DeviceRules> r = RulesOf(**dev, defaults);
        if (!r.ok()) {
          failure = r.status();
          return;
        }
        pipeline.Configure(m->device, *r);
      }
      pipeline.Feed(*m, events);
      Result<bool> fresh = store.TakeIn(*m, events, defaults.ack_sla_s, NowMs());
      if (!fresh.ok()) {
        failure = fresh.status();
        return;
      }
      ++taken_count;
      if (o.verbose) {
        for (const AlarmEvent& e : events) {
          fmt::print("报警 {} {} {}\n", e.device, AlarmName(e.kind), e.detail);
        }
        std::fflush(stdout);
      }
    }
    const std::string ack = boost::json::serialize(boost::json::object{{"id", m->id}});
    const std::string topic = AckTopic(m->device);
    mosquitto_publish(mosq, nullptr, topic.c_str(), static_cast<int>(ack.size()), ack.data(), 1,
                      false);
  }
};

}  // namespace

Result<MqttUrl> ParseMqttUrl(std::string_view url) {
  MqttUrl u;
  constexpr std::string_view kScheme = "mqtt://";
  auto bad = [&]() {
    return Status("devices.mqtt_url", "MQTT 地址应为 mqtt://用户名:密码@主机:端口",
                  Location{.field = "--mqtt"});
  };
  if (!url.starts_with(kScheme)) return bad();
  std::string_view rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = cred.find(':');
    u.user = std::string(cred.substr(0, colon));
    if (colon != std::string_view::npos) u.password = std::string(cred.substr(colon + 1));
  }
  const size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    int p = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), p);
    if (r.ec != std::errc() || r.ptr != port.data() + port.size() || p <= 0 || p > 65535) {
      return bad();
    }
    u.port = p;
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return bad();
  u.host = std::string(rest);
  return u;
}

Status RunIngest(const IngestOptions& o, const std::atomic<bool>& stop) {
  InitLibrary();
  Result<DevicesPolicy> policy = LoadPolicy(o.rules);
  if (!policy.ok()) return policy.status();
  Result<std::unique_ptr<db::Database>> db = db::Database::Open(o.db_url);
  if (!db.ok()) return db.status();
  if (Status s = db::MigrateAll(**db, {DevicesSchema()}); !s.ok()) return s;
  DevicesStore store(**db);
  Pipeline pipeline(policy->defaults);
  Result<std::vector<Device>> devices = store.Devices();
  if (!devices.ok()) return devices.status();
  for (const Device& d : *devices) {
    Result<DeviceRules> r = RulesOf(d, policy->defaults);
    if (!r.ok()) return r.status();
    pipeline.Configure(d.code, *r);
    if (d.last_seen_ms > 0) pipeline.Seen(d.code, d.last_seen_ms);
  }
  Ingest in{.o = o, .store = store, .pipeline = pipeline, .defaults = policy->defaults};
  struct mosquitto* mosq = mosquitto_new(o.client_id.c_str(), /*clean_session=*/false, &in);
  if (!mosq) return Status(ErrorCategory::kInternal, "devices.mqtt_client", "无法创建 MQTT 客户端");
  in.mosq = mosq;
  std::unique_ptr<struct mosquitto, void (*)(struct mosquitto*)> guard(mosq, mosquitto_destroy);
  mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  if (!o.mqtt.user.empty()) {
    mosquitto_username_pw_set(mosq, o.mqtt.user.c_str(), o.mqtt.password.c_str());
  }
  mosquitto_connect_callback_set(mosq, [](struct mosquitto* m, void* self, int rc) {
    auto* ingest = static_cast<Ingest*>(self);
    if (rc != 0) {
      ingest->failure =
          Status(ErrorCategory::kUnavailable, "devices.mqtt",
                 fmt::format("MQTT 服务器拒绝连接：{}", mosquitto_connack_string(rc)));
      return;
    }
    ingest->connected = true;
    mosquitto_subscribe(m, nullptr, std::string(kUpFilter).c_str(), 1);
  });
  mosquitto_message_callback_set(
      mosq, [](struct mosquitto*, void* self, const struct mosquitto_message* msg) {
        static_cast<Ingest*>(self)->Handle(msg);
      });
  int rc = mosquitto_connect(mosq, o.mqtt.host.c_str(), o.mqtt.port, 30);
  if (rc != MOSQ_ERR_SUCCESS) return MqttError("连接", rc);
  if (o.verbose) {
    fmt::print("已连接 MQTT {}:{}（客户端 {}，持久会话，QoS 1），规则 {}\n", o.mqtt.host,
               o.mqtt.port, o.client_id, o.rules.string());
    std::fflush(stdout);
  }
  int64_t next_tick = NowMs() + o.tick_ms;
  std::vector<AlarmEvent> tick_events;
  while (!stop.load()) {
    rc = mosquitto_loop(mosq, 100, 1);
    if (!in.failure.ok()) return in.failure;
    if (rc != MOSQ_ERR_SUCCESS) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      mosquitto_reconnect(mosq);
    }
    const int64_t now = NowMs();
    if (now >= next_tick) {
      next_tick = now + o.tick_ms;
      tick_events.clear();
      pipeline.Tick(now, tick_events);
      if (Status s = store.Record(tick_events, policy->defaults.ack_sla_s); !s.ok()) return s;
      if (o.verbose) {
        for (const AlarmEvent& e : tick_events) {
          fmt::print("报警 {} {} {}\n", e.device, AlarmName(e.kind), e.detail);
        }
      }
      Result<int> up = store.EscalateOverdue(now, policy->defaults.ack_sla_s);
      if (!up.ok()) return up.status();
      if (o.verbose) std::fflush(stdout);
    }
  }
  mosquitto_disconnect(mosq);
  if (o.verbose) {
    fmt::print("已停止：收到 {} 条，重复 {} 条，拒收 {} 条\n", in.taken_count, in.repeated,
               in.rejected);
  }
  return Status::Ok();
}

Status ForgetSession(const MqttUrl& broker, const std::string& client_id) {
  InitLibrary();
  struct mosquitto* mosq = mosquitto_new(client_id.c_str(), true, nullptr);
  if (!mosq) return Status(ErrorCategory::kInternal, "devices.mqtt_client", "无法创建 MQTT 客户端");
  std::unique_ptr<struct mosquitto, void (*)(struct mosquitto*)> guard(mosq, mosquitto_destroy);
  if (!broker.user.empty()) {
    mosquitto_username_pw_set(mosq, broker.user.c_str(), broker.password.c_str());
  }
  int rc = mosquitto_connect(mosq, broker.host.c_str(), broker.port, 10);
  if (rc != MOSQ_ERR_SUCCESS) return MqttError("连接", rc);
  for (int i = 0; i < 5; ++i) mosquitto_loop(mosq, 50, 1);
  mosquitto_disconnect(mosq);
  return Status::Ok();
}

DeviceClient::~DeviceClient() {
  if (mosq_) {
    mosquitto_disconnect(mosq_);
    mosquitto_destroy(mosq_);
  }
}

void DeviceClient::OnConnect(struct mosquitto* m, void* self, int rc) {
  auto* c = static_cast<DeviceClient*>(self);
  if (rc != 0) return;
  c->connected_ = true;
  const std::string topic = AckTopic(c->device_);
  mosquitto_subscribe(m, nullptr, topic.c_str(), 1);
}

void DeviceClient::OnMessage(struct mosquitto*, void* self, const struct mosquitto_message* msg) {
  auto* c = static_cast<DeviceClient*>(self);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(std::string_view(static_cast<const char*>(msg->payload),
                                                             static_cast<size_t>(msg->payloadlen)),
                                            ec);
  if (ec || !v.is_object() || !v.get_object().contains("id") ||
      !v.get_object().at("id").is_string()) {
    return;
  }
  std::lock_guard lock(c->mu_);
  if (c->pending_.erase(std::string(v.get_object().at("id").get_string())) > 0) ++c->acked_;
}

Result<std::unique_ptr<DeviceClient>> DeviceClient::Connect(const MqttUrl& broker,
                                                            const std::string& device,
                                                            const std::string& password) {
  InitLibrary();
  std::unique_ptr<DeviceClient> c(new DeviceClient());
  c->device_ = device;
  // A persistent session of its own, so acks sent while it was away arrive.
  c->mosq_ = mosquitto_new(device.c_str(), false, c.get());
  if (!c->mosq_)
    return Status(ErrorCategory::kInternal, "devices.mqtt_client", "无法创建 MQTT 客户端");
  mosquitto_username_pw_set(c->mosq_, device.c_str(), password.c_str());
  mosquitto_connect_callback_set(c->mosq_, &DeviceClient::OnConnect);
  mosquitto_message_callback_set(c->mosq_, &DeviceClient::OnMessage);
  int rc = mosquitto_connect(c->mosq_, broker.host.c_str(), broker.port, 60);
  if (rc != MOSQ_ERR_SUCCESS) return MqttError("连接", rc);
  for (int i = 0; i < 100 && !c->connected_; ++i) mosquitto_loop(c->mosq_, 20, 1);
  if (!c->connected_) {
    return Status(ErrorCategory::kUnavailable, "devices.mqtt",
                  fmt::format("设备 {} 未能登录 MQTT 服务器", device));
  }
  return c;
}

Status DeviceClient::Publish(const Message& m) {
  const std::string topic = UpTopic(device_, m.type);
  std::string payload = PayloadJson(m);
  {
    std::lock_guard lock(mu_);
    pending_[m.id] = {topic, payload};
  }
  int rc = mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), 1, false);
  // Not connected: it stays pending and goes again once Pump has reconnected.
  if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST) return Status::Ok();
  if (rc != MOSQ_ERR_SUCCESS) return MqttError("发布", rc);
  return Status::Ok();
}

Status DeviceClient::Pump(int timeout_ms) {
  int rc = mosquitto_loop(mosq_, timeout_ms, 1);
  if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST) {
    // Dropped (the broker restarting or reloading): connect again; what is
    // pending goes again on the next ResendUnacked.
    connected_ = false;
    rc = mosquitto_reconnect(mosq_);
    if (rc != MOSQ_ERR_SUCCESS) return Status::Ok();
  }
  if (rc != MOSQ_ERR_SUCCESS) return MqttError("收发", rc);
  return Status::Ok();
}

Status DeviceClient::ResendUnacked() {
  std::vector<std::pair<std::string, std::string>> again;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, tp] : pending_) again.push_back(tp);
  }
  for (const auto& [topic, payload] : again) {
    int rc = mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                               payload.data(), 1, false);
    if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST) return Status::Ok();
    if (rc != MOSQ_ERR_SUCCESS) return MqttError("发布", rc);
  }
  return Status::Ok();
}

size_t DeviceClient::unacked() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace yanglao::devices
