#include "devices/payload.h"

#include <fmt/format.h>

#include <array>
#include <boost/json.hpp>
#include <cmath>

namespace yanglao::devices {

namespace {

struct TypeRow {
  MessageType type;
  std::string_view key, name;
};
constexpr std::array<TypeRow, kMessageTypeCount> kTypes{{
    {MessageType::kHeartbeat, "heartbeat", "心跳"},
    {MessageType::kLocation, "location", "定位"},
    {MessageType::kHeartRate, "heart_rate", "心率"},
    {MessageType::kBloodPressure, "blood_pressure", "血压"},
    {MessageType::kSos, "sos", "一键报警"},
    {MessageType::kFall, "fall", "跌倒"},
    {MessageType::kDoor, "door", "门磁"},
    {MessageType::kBedExit, "bed_exit", "离床"},
    {MessageType::kBattery, "battery", "电量"},
}};

Status Bad(std::string_view field, std::string message, std::string value = {}) {
  if (value.size() > 64) value = value.substr(0, 64) + "…";
  return Status("devices.payload", std::move(message),
                Location{.field = std::string(field), .value = std::move(value)});
}

std::string Shown(const boost::json::value& v) { return boost::json::serialize(v); }

// The allowed fields of each type, beside id and ts.
std::vector<std::string_view> AllowedFields(MessageType t) {
  switch (t) {
    case MessageType::kHeartbeat:
      return {"motion", "battery"};
    case MessageType::kLocation:
      return {"lat", "lon", "acc"};
    case MessageType::kHeartRate:
      return {"bpm"};
    case MessageType::kBloodPressure:
      return {"sys", "dia"};
    case MessageType::kSos:
      return {"lat", "lon", "acc"};
    case MessageType::kFall:
      return {"lat", "lon", "acc", "confidence"};
    case MessageType::kDoor:
      return {"state"};
    case MessageType::kBedExit:
      return {"state"};
    case MessageType::kBattery:
      return {"percent"};
  }
  return {};
}

class Fields {
 public:
  explicit Fields(const boost::json::object& o) : o_(o) {}

  Result<std::optional<double>> Number(std::string_view key, double lo, double hi,
                                       std::string_view name) const {
    const boost::json::value* v = o_.if_contains(key);
    if (!v) return std::optional<double>();
    double d = 0;
    if (v->is_double()) {
      d = v->get_double();
    } else if (v->is_int64()) {
      d = static_cast<double>(v->get_int64());
    } else if (v->is_uint64()) {
      d = static_cast<double>(v->get_uint64());
    } else {
      return Bad(key, fmt::format("字段 {}（{}）应为数字", key, name), Shown(*v));
    }
    if (!std::isfinite(d) || d < lo || d > hi) {
      return Bad(key, fmt::format("字段 {}（{}）超出范围 {}～{}", key, name, lo, hi), Shown(*v));
    }
    return std::optional<double>(d);
  }

  Result<std::optional<int64_t>> Integer(std::string_view key, int64_t lo, int64_t hi,
                                         std::string_view name) const {
    const boost::json::value* v = o_.if_contains(key);
    if (!v) return std::optional<int64_t>();
    int64_t i = 0;
    if (v->is_int64()) {
      i = v->get_int64();
    } else if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
      i = static_cast<int64_t>(v->get_uint64());
    } else {
      return Bad(key, fmt::format("字段 {}（{}）应为整数", key, name), Shown(*v));
    }
    if (i < lo || i > hi) {
      return Bad(key, fmt::format("字段 {}（{}）超出范围 {}～{}", key, name, lo, hi), Shown(*v));
    }
    return std::optional<int64_t>(i);
  }

  Result<std::optional<std::string>> Text(std::string_view key, std::string_view name) const {
    const boost::json::value* v = o_.if_contains(key);
    if (!v) return std::optional<std::string>();
    if (!v->is_string()) {
      return Bad(key, fmt::format("字段 {}（{}）应为字符串", key, name), Shown(*v));
    }
    return std::optional<std::string>(std::string(v->get_string()));
  }

 private:
  const boost::json::object& o_;
};

Status Missing(std::string_view key, std::string_view name) {
  return Bad(key, fmt::format("缺少字段 {}（{}）", key, name));
}

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

// lat, lon, acc: all three or none (`required`: all three).
Status ReadFix(const Fields& f, bool required, Message& m) {
  auto lat = f.Number("lat", -90, 90, "纬度");
  if (!lat.ok()) return lat.status();
  auto lon = f.Number("lon", -180, 180, "经度");
  if (!lon.ok()) return lon.status();
  auto acc = f.Number("acc", 0, 100000, "定位精度（米）");
  if (!acc.ok()) return acc.status();
  const int given =
      (lat->has_value() ? 1 : 0) + (lon->has_value() ? 1 : 0) + (acc->has_value() ? 1 : 0);
  if (given == 0 && !required) return Status::Ok();
  if (!lat->has_value()) return Missing("lat", "纬度");
  if (!lon->has_value()) return Missing("lon", "经度");
  if (!acc->has_value()) return Missing("acc", "定位精度（米）");
  m.has_fix = true;
  m.lat = **lat;
  m.lon = **lon;
  m.acc = **acc;
  return Status::Ok();
}

}  // namespace

std::string_view TypeKey(MessageType t) { return kTypes[static_cast<size_t>(t)].key; }
std::string_view TypeName(MessageType t) { return kTypes[static_cast<size_t>(t)].name; }
std::optional<MessageType> TypeOfKey(std::string_view key) {
  for (const TypeRow& r : kTypes) {
    if (r.key == key) return r.type;
  }
  return std::nullopt;
}

std::string UpTopic(std::string_view device, MessageType type) {
  return fmt::format("yanglao/dev/{}/up/{}", device, TypeKey(type));
}
std::string AckTopic(std::string_view device) { return fmt::format("yanglao/dev/{}/ack", device); }

bool IsDeviceName(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

Result<Message> ParseMessage(std::string_view topic, std::string_view payload) {
  // yanglao/dev/<device>/up/<type>
  constexpr std::string_view kPrefix = "yanglao/dev/";
  auto bad_topic = [&]() {
    std::string shown(topic.substr(0, 80));
    return Status("devices.topic", "主题应为 yanglao/dev/<设备号>/up/<类型>",
                  Location{.field = "topic", .value = shown});
  };
  if (!topic.starts_with(kPrefix)) return bad_topic();
  std::string_view rest = topic.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad_topic();
  Message m;
  m.device = std::string(rest.substr(0, slash));
  rest = rest.substr(slash + 1);
  if (!IsDeviceName(m.device) || !rest.starts_with("up/")) return bad_topic();
  std::optional<MessageType> type = TypeOfKey(rest.substr(3));
  if (!type) {
    return Status("devices.topic", "未知的消息类型",
                  Location{.field = "topic", .value = std::string(rest.substr(3, 40))});
  }
  m.type = *type;

  if (payload.size() > 4096) return Bad("", "消息过长（超过 4096 字节）");
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(payload, ec);
  if (ec) return Bad("", fmt::format("消息不是合法的 JSON：{}", ec.message()));
  if (!doc.is_object()) return Bad("", "消息应为 JSON 对象");
  const boost::json::object& o = doc.get_object();
  const std::vector<std::string_view> allowed = AllowedFields(m.type);
  for (const auto& kv : o) {
    const std::string_view k = kv.key();
    if (k == "id" || k == "ts") continue;
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Bad(k, fmt::format("{}消息不应有字段 {}", TypeName(m.type), k), Shown(kv.value()));
    }
  }
  Fields f(o);
  auto id = f.Text("id", "消息编号");
  if (!id.ok()) return id.status();
  if (!id->has_value()) return Missing("id", "消息编号");
  m.id = std::move(**id);
  if (m.id.empty() || m.id.size() > 64 ||
      !std::all_of(m.id.begin(), m.id.end(), [](char c) { return IsIdChar(c); })) {
    return Bad("id", "字段 id（消息编号）应为 1～64 个字母、数字或 -_.:", m.id);
  }
  // 2000-01-01 .. 2200-01-01
  auto ts = f.Integer("ts", 946684800000LL, 7258118400000LL, "时间（毫秒）");
  if (!ts.ok()) return ts.status();
  if (!ts->has_value()) return Missing("ts", "时间（毫秒）");
  m.ts_ms = **ts;

  switch (m.type) {
    case MessageType::kHeartbeat: {
      auto motion = f.Integer("motion", 0, 1000000, "活动量");
      if (!motion.ok()) return motion.status();
      if (motion->has_value()) m.motion = static_cast<int>(**motion);
      auto battery = f.Integer("battery", 0, 100, "电量（%）");
      if (!battery.ok()) return battery.status();
      if (battery->has_value()) m.percent = static_cast<int>(**battery);
      break;
    }
    case MessageType::kLocation:
      if (Status s = ReadFix(f, true, m); !s.ok()) return s;
      break;
    case MessageType::kSos:
      if (Status s = ReadFix(f, false, m); !s.ok()) return s;
      break;
    case MessageType::kFall: {
      if (Status s = ReadFix(f, false, m); !s.ok()) return s;
      auto c = f.Number("confidence", 0, 1, "置信度");
      if (!c.ok()) return c.status();
      if (c->has_value()) m.confidence = **c;
      break;
    }
    case MessageType::kHeartRate: {
      auto bpm = f.Integer("bpm", 20, 250, "心率（次/分）");
      if (!bpm.ok()) return bpm.status();
      if (!bpm->has_value()) return Missing("bpm", "心率（次/分）");
      m.bpm = static_cast<int>(**bpm);
      break;
    }
    case MessageType::kBloodPressure: {
      auto sys = f.Integer("sys", 50, 280, "收缩压（mmHg）");
      if (!sys.ok()) return sys.status();
      if (!sys->has_value()) return Missing("sys", "收缩压（mmHg）");
      auto dia = f.Integer("dia", 20, 200, "舒张压（mmHg）");
      if (!dia.ok()) return dia.status();
      if (!dia->has_value()) return Missing("dia", "舒张压（mmHg）");
      if (**dia >= **sys) return Bad("dia", "舒张压应低于收缩压", std::to_string(**dia));
      m.sys = static_cast<int>(**sys);
      m.dia = static_cast<int>(**dia);
      break;
    }
    case MessageType::kDoor:
    case MessageType::kBedExit: {
      const bool door = m.type == MessageType::kDoor;
      auto st = f.Text("state", "状态");
      if (!st.ok()) return st.status();
      if (!st->has_value()) return Missing("state", "状态");
      const std::string& v = **st;
      const bool ok = door ? (v == "open" || v == "closed") : (v == "left" || v == "returned");
      if (!ok) {
        return Bad("state",
                   door ? "字段 state 应为 open 或 closed" : "字段 state 应为 left 或 returned", v);
      }
      m.state = v;
      break;
    }
    case MessageType::kBattery: {
      auto p = f.Integer("percent", 0, 100, "电量（%）");
      if (!p.ok()) return p.status();
      if (!p->has_value()) return Missing("percent", "电量（%）");
      m.percent = static_cast<int>(**p);
      break;
    }
  }
  return m;
}

std::string PayloadJson(const Message& m) {
  boost::json::object o;
  o["id"] = m.id;
  o["ts"] = m.ts_ms;
  auto fix = [&]() {
    if (!m.has_fix) return;
    o["lat"] = m.lat;
    o["lon"] = m.lon;
    o["acc"] = m.acc;
  };
  switch (m.type) {
    case MessageType::kHeartbeat:
      if (m.motion >= 0) o["motion"] = m.motion;
      if (m.percent >= 0) o["battery"] = m.percent;
      break;
    case MessageType::kLocation:
    case MessageType::kSos:
      fix();
      break;
    case MessageType::kFall:
      fix();
      o["confidence"] = m.confidence;
      break;
    case MessageType::kHeartRate:
      o["bpm"] = m.bpm;
      break;
    case MessageType::kBloodPressure:
      o["sys"] = m.sys;
      o["dia"] = m.dia;
      break;
    case MessageType::kDoor:
    case MessageType::kBedExit:
      o["state"] = m.state;
      break;
    case MessageType::kBattery:
      o["percent"] = m.percent;
      break;
  }
  return boost::json::serialize(o);
}

}  // namespace yanglao::devices
