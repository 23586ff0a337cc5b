#include "devices/rules.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/file_io.h"

namespace yanglao::devices {

namespace {

struct KindRow {
  AlarmKind kind;
  std::string_view key, name;
};
constexpr std::array<KindRow, kAlarmKindCount> kKinds{{
    {AlarmKind::kSos, "sos", "一键报警"},
    {AlarmKind::kFall, "fall", "跌倒"},
    {AlarmKind::kFenceLeave, "fence_leave", "离开电子围栏"},
    {AlarmKind::kFenceEnter, "fence_enter", "返回电子围栏"},
    {AlarmKind::kHeartRate, "heart_rate", "心率异常"},
    {AlarmKind::kBloodPressure, "blood_pressure", "血压异常"},
    {AlarmKind::kNoMovement, "no_movement", "长时间无活动"},
    {AlarmKind::kOffline, "offline", "设备离线"},
    {AlarmKind::kLowBattery, "low_battery", "电量低"},
    {AlarmKind::kBedExit, "bed_exit", "夜间离床未归"},
    {AlarmKind::kDoor, "door", "夜间开门"},
}};

Result<int> Minutes(std::string_view hhmm, std::string_view key) {
  int h = 0, m = 0;
  if (hhmm.size() == 5 && hhmm[2] == ':' &&
      std::from_chars(hhmm.data(), hhmm.data() + 2, h).ec == std::errc() &&
      std::from_chars(hhmm.data() + 3, hhmm.data() + 5, m).ec == std::errc() && h < 24 && m < 60) {
    return h * 60 + m;
  }
  return Status("devices.override", fmt::format("{} 应为 HH:MM", key),
                Location{.field = std::string(key), .value = std::string(hhmm)});
}

Status SetNumber(double& out, std::string_view key, std::string_view value, double lo, double hi) {
  double v = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), v);
  if (r.ec != std::errc() || r.ptr != value.data() + value.size() || v < lo || v > hi) {
    return Status("devices.override", fmt::format("{} 应为 {} 到 {} 之间的数", key, lo, hi),
                  Location{.field = std::string(key), .value = std::string(value)});
  }
  out = v;
  return Status::Ok();
}

template <typename T>
Status SetInt(T& out, std::string_view key, std::string_view value, int64_t lo, int64_t hi) {
  double v = 0;
  if (Status s = SetNumber(v, key, value, static_cast<double>(lo), static_cast<double>(hi));
      !s.ok()) {
    return s;
  }
  if (v != std::floor(v)) {
    return Status("devices.override", fmt::format("{} 应为整数", key),
                  Location{.field = std::string(key), .value = std::string(value)});
  }
  out = static_cast<T>(v);
  return Status::Ok();
}

}  // namespace

std::string_view AlarmKey(AlarmKind k) { return kKinds[static_cast<size_t>(k)].key; }
std::string_view AlarmName(AlarmKind k) { return kKinds[static_cast<size_t>(k)].name; }
std::optional<AlarmKind> AlarmOfKey(std::string_view key) {
  for (const KindRow& r : kKinds) {
    if (r.key == key) return r.kind;
  }
  return std::nullopt;
}

Status ApplyOverride(Settings& s, std::string_view key, std::string_view value) {
  constexpr int64_t kDay = 86400 * 7;
  if (key == "fall.min_confidence") return SetNumber(s.fall_min_confidence, key, value, 0, 1);
  if (key == "fence.radius_m") return SetNumber(s.fence_radius_m, key, value, 10, 100000);
  if (key == "fence.dwell_s") return SetNumber(s.fence_dwell_s, key, value, 0, kDay);
  if (key == "fence.margin_m") return SetNumber(s.fence_margin_m, key, value, 0, 10000);
  if (key == "fence.max_accuracy_m") {
    return SetNumber(s.fence_max_accuracy_m, key, value, 1, 100000);
  }
  if (key == "heart_rate.low") return SetInt(s.hr_low, key, value, 20, 250);
  if (key == "heart_rate.high") return SetInt(s.hr_high, key, value, 20, 250);
  if (key == "heart_rate.duration_s") return SetInt(s.hr_duration_s, key, value, 0, kDay);
  if (key == "blood_pressure.sys_low") return SetInt(s.sys_low, key, value, 50, 280);
  if (key == "blood_pressure.sys_high") return SetInt(s.sys_high, key, value, 50, 280);
  if (key == "blood_pressure.dia_low") return SetInt(s.dia_low, key, value, 20, 200);
  if (key == "blood_pressure.dia_high") return SetInt(s.dia_high, key, value, 20, 200);
  if (key == "blood_pressure.duration_s") return SetInt(s.bp_duration_s, key, value, 0, kDay);
  if (key == "inactivity.no_motion_s") return SetInt(s.no_motion_s, key, value, 60, kDay);
  if (key == "inactivity.day_start" || key == "inactivity.day_end" || key == "night.start" ||
      key == "night.end") {
    Result<int> m = Minutes(value, key);
    if (!m.ok()) return m.status();
    (key == "inactivity.day_start" ? s.day_start_min
     : key == "inactivity.day_end" ? s.day_end_min
     : key == "night.start"        ? s.night_start_min
                                   : s.night_end_min) = *m;
    return Status::Ok();
  }
  if (key == "offline.timeout_s") return SetInt(s.offline_timeout_s, key, value, 10, kDay);
  if (key == "battery.low_percent") return SetInt(s.battery_low, key, value, 0, 100);
  if (key == "night.bed_return_s") return SetInt(s.bed_return_s, key, value, 0, kDay);
  if (key == "night.door_alarm") {
    if (value != "true" && value != "false") {
      return Status("devices.override", "night.door_alarm 应为 true 或 false",
                    Location{.field = std::string(key), .value = std::string(value)});
    }
    s.door_night_alarm = value == "true";
    return Status::Ok();
  }
  if (key == "sla.ack_s") return SetInt(s.ack_sla_s, key, value, 10, 3600);
  if (key == "utc_offset_hours") {
    int h = 0;
    if (Status st = SetInt(h, key, value, -12, 14); !st.ok()) return st;
    s.utc_offset_min = h * 60;
    return Status::Ok();
  }
  return Status("devices.override", fmt::format("未知的规则项 {}", key),
                Location{.field = std::string(key), .value = std::string(value)});
}

Result<DevicesPolicy> LoadPolicy(const std::filesystem::path& file) {
  Result<std::string> bytes = ReadFileBytes(file.string());
  if (!bytes.ok()) return bytes.status();
  const std::string name = file.string();
  auto error = [&](const YAML::Node& n, std::string message, std::string field) {
    Location where{.file = name, .field = std::move(field)};
    if (n.IsDefined() && n.Mark().line >= 0) {
      where.line = n.Mark().line + 1;
      where.column = n.Mark().column + 1;
    }
    return Status("devices.rules", std::move(message), std::move(where));
  };
  YAML::Node root;
  try {
    root = YAML::Load(*bytes);
  } catch (const YAML::Exception& e) {
    return Status("devices.rules", fmt::format("规则文件不是合法的 YAML：{}", e.msg),
                  Location{.file = name, .line = e.mark.line + 1, .column = e.mark.column + 1});
  }
  if (!root.IsMap()) return error(root, "规则文件应为 YAML 映射", "");
  DevicesPolicy p;
  p.path = name;
  auto text = [&](const char* key, bool required, std::string& out) -> Status {
    YAML::Node n = root[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) return error(root, fmt::format("缺少字段 {}", key), key);
      return Status::Ok();
    }
    if (!n.IsScalar()) return error(n, fmt::format("字段 {} 应为文字", key), key);
    out = n.Scalar();
    return Status::Ok();
  };
  std::string format, demo;
  if (Status s = text("format", true, format); !s.ok()) return s;
  if (format != "yanglao.devices/1") {
    return error(root["format"], "format 应为 yanglao.devices/1", "format");
  }
  for (auto [key, out] : {std::pair<const char*, std::string*>{"city", &p.city},
                          {"list", &p.list},
                          {"source", &p.source},
                          {"quote", &p.quote}}) {
    if (Status s = text(key, true, *out); !s.ok()) return s;
  }
  // The list's item, where the city's list has one for these devices (Ezhou's
  // 27, Qidong's 18); a city whose list has none cites the seed's text alone.
  if (Status s = text("item", false, p.item); !s.ok()) return s;
  if (Status s = text("demo", false, demo); !s.ok()) return s;
  p.demo = demo == "true";
  YAML::Node defaults = root["defaults"];
  if (!defaults.IsMap()) return error(root, "缺少 defaults（每人默认规则）", "defaults");
  for (const auto& group : defaults) {
    const std::string g = group.first.Scalar();
    if (g == "utc_offset_hours") {
      if (Status s = ApplyOverride(p.defaults, g, group.second.Scalar()); !s.ok()) {
        return error(group.second, s.message(), g);
      }
      continue;
    }
    if (!group.second.IsMap()) return error(group.second, fmt::format("{} 应为映射", g), g);
    for (const auto& kv : group.second) {
      const std::string key = g + "." + kv.first.Scalar();
      if (!kv.second.IsScalar()) return error(kv.second, fmt::format("{} 应为值", key), key);
      if (Status s = ApplyOverride(p.defaults, key, kv.second.Scalar()); !s.ok()) {
        return error(kv.second, s.message(), key);
      }
    }
  }
  return p;
}

Result<std::vector<DevicesPolicy>> LoadPolicyDirectory(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.ends_with(".devices.yaml")) files.push_back(e.path());
  }
  if (ec) {
    return Status("devices.rules", "读不到规则目录", Location{.file = dir.string()});
  }
  std::sort(files.begin(), files.end());
  std::vector<DevicesPolicy> out;
  for (const auto& f : files) {
    Result<DevicesPolicy> p = LoadPolicy(f);
    if (!p.ok()) return p.status();
    out.push_back(std::move(*p));
  }
  return out;
}

double DistanceMetres(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kR = 6371008.8, kRad = 3.14159265358979323846 / 180;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kR * std::asin(std::min(1.0, std::sqrt(a)));
}

void Pipeline::Configure(const std::string& device, const DeviceRules& rules) {
  State& st = StateOf(device);
  st.rules = rules;
  st.configured = true;
}

void Pipeline::Seen(const std::string& device, int64_t ms) {
  State& st = StateOf(device);
  st.last_seen = std::max(st.last_seen, ms);
  if (st.last_motion == 0) st.last_motion = ms;
}

Pipeline::State& Pipeline::StateOf(const std::string& device) {
  auto it = devices_.find(device);
  if (it == devices_.end()) {
    it = devices_.emplace(device, State{}).first;
    it->second.rules.settings = defaults_;
  }
  return it->second;
}

bool Pipeline::InWindow(int64_t ms, int start_min, int end_min, const Settings& s) const {
  const int64_t local = ms / 60000 + s.utc_offset_min;
  const int minute = static_cast<int>(((local % 1440) + 1440) % 1440);
  if (start_min <= end_min) return minute >= start_min && minute < end_min;
  return minute >= start_min || minute < end_min;  // across midnight
}

void Pipeline::Emit(State& st, const std::string& device, AlarmKind kind, int64_t at,
                    std::string detail, const Message* m, std::vector<AlarmEvent>& out) {
  AlarmEvent e;
  e.device = device;
  e.kind = kind;
  e.at_ms = at;
  e.detail = std::move(detail);
  if (m && m->has_fix) {
    e.has_fix = true;
    e.lat = m->lat;
    e.lon = m->lon;
  } else if (st.has_last_fix) {
    e.has_fix = true;
    e.lat = st.last_lat;
    e.lon = st.last_lon;
  }
  if (m) e.message_id = m->id;
  out.push_back(std::move(e));
}

void Pipeline::Feed(const Message& m, std::vector<AlarmEvent>& out) {
  State& st = StateOf(m.device);
  const Settings& s = st.rules.settings;
  const int64_t t = m.ts_ms;
  if (st.last_motion == 0) st.last_motion = t;
  st.last_seen = std::max(st.last_seen, t);
  st.offline = false;
  auto moved = [&]() {
    st.last_motion = std::max(st.last_motion, t);
    st.still = false;
  };
  switch (m.type) {
    case MessageType::kHeartbeat:
      if (m.motion > 0) moved();
      if (m.percent >= 0) {
        if (m.percent < s.battery_low && !st.battery_low) {
          st.battery_low = true;
          Emit(st, m.device, AlarmKind::kLowBattery, t, fmt::format("电量 {}%", m.percent), &m,
               out);
        } else if (m.percent >= s.battery_low + 5) {
          st.battery_low = false;
        }
      }
      break;
    case MessageType::kBattery:
      if (m.percent < s.battery_low) {
        st.battery_low = true;
        Emit(st, m.device, AlarmKind::kLowBattery, t, fmt::format("电量 {}%", m.percent), &m, out);
      } else if (m.percent >= s.battery_low + 5) {
        st.battery_low = false;
      }
      break;
    case MessageType::kSos:
      if (m.has_fix) {
        st.last_lat = m.lat, st.last_lon = m.lon, st.has_last_fix = true;
      }
      Emit(st, m.device, AlarmKind::kSos, t, "一键报警", &m, out);
      break;
    case MessageType::kFall:
      if (m.has_fix) {
        st.last_lat = m.lat, st.last_lon = m.lon, st.has_last_fix = true;
      }
      if (m.confidence >= s.fall_min_confidence) {
        Emit(st, m.device, AlarmKind::kFall, t,
             fmt::format("检测到跌倒（置信度 {:.0f}%）", m.confidence * 100), &m, out);
      }
      break;
    case MessageType::kLocation: {
      if (m.acc > s.fence_max_accuracy_m) break;  // too coarse to judge anything
      if (st.has_last_fix &&
          DistanceMetres(st.last_lat, st.last_lon, m.lat, m.lon) > std::max(m.acc, 30.0) * 2) {
        moved();
      }
      st.last_lat = m.lat, st.last_lon = m.lon, st.has_last_fix = true;
      if (!st.rules.has_fence) break;
      const double d = DistanceMetres(st.rules.home_lat, st.rules.home_lon, m.lat, m.lon);
      int says = 0;  // 1 inside, 2 outside, 0 cannot tell
      if (d - m.acc > s.fence_radius_m + s.fence_margin_m) {
        says = 2;
      } else if (d + m.acc < s.fence_radius_m - s.fence_margin_m) {
        says = 1;
      }
      if (says == 0) break;  // within the band: keeps whatever was going on
      if (st.fence == 0) {
        st.fence = says;  // the first confident fix sets the state, no alarm
        st.candidate = 0;
        break;
      }
      if (says == st.fence) {
        st.candidate = 0;  // a confident fix on the current side cancels a change
        break;
      }
      if (st.candidate != says) {
        st.candidate = says;
        st.candidate_since = t;
      }
      if (t - st.candidate_since >= static_cast<int64_t>(s.fence_dwell_s * 1000)) {
        st.fence = says;
        st.candidate = 0;
        if (says == 2) {
          Emit(st, m.device, AlarmKind::kFenceLeave, t,
               fmt::format("离家 {:.0f} 米（围栏半径 {:.0f} 米，定位精度 {:.0f} 米）", d,
                           s.fence_radius_m, m.acc),
               &m, out);
        } else {
          Emit(st, m.device, AlarmKind::kFenceEnter, t,
               fmt::format("已回到围栏内（离家 {:.0f} 米）", d), &m, out);
        }
      }
      break;
    }
    case MessageType::kHeartRate: {
      const bool outside = m.bpm < s.hr_low || m.bpm > s.hr_high;
      if (!outside) {
        st.hr_out_since = -1;
        break;
      }
      if (st.hr_out_since < 0) st.hr_out_since = t;
      if (t - st.hr_out_since >= s.hr_duration_s * 1000) {
        Emit(st, m.device, AlarmKind::kHeartRate, t,
             fmt::format("心率 {} 次/分（范围 {}～{}，持续 {} 秒以上）", m.bpm, s.hr_low, s.hr_high,
                         s.hr_duration_s),
             &m, out);
      }
      break;
    }
    case MessageType::kBloodPressure: {
      const bool outside =
          m.sys < s.sys_low || m.sys > s.sys_high || m.dia < s.dia_low || m.dia > s.dia_high;
      if (!outside) {
        st.bp_out_since = -1;
        break;
      }
      if (st.bp_out_since < 0) st.bp_out_since = t;
      if (t - st.bp_out_since >= s.bp_duration_s * 1000) {
        Emit(st, m.device, AlarmKind::kBloodPressure, t,
             fmt::format("血压 {}/{} mmHg（收缩压 {}～{}，舒张压 {}～{}）", m.sys, m.dia, s.sys_low,
                         s.sys_high, s.dia_low, s.dia_high),
             &m, out);
      }
      break;
    }
    case MessageType::kDoor:
      moved();
      if (m.state == "open" && s.door_night_alarm &&
          InWindow(t, s.night_start_min, s.night_end_min, s)) {
        Emit(st, m.device, AlarmKind::kDoor, t, "夜间门被打开", &m, out);
      }
      break;
    case MessageType::kBedExit:
      moved();
      if (m.state == "left") {
        if (InWindow(t, s.night_start_min, s.night_end_min, s)) {
          st.bed_left_at = t;
          st.bed_alarmed = false;
        }
      } else {
        st.bed_left_at = -1;
      }
      break;
  }
}

void Pipeline::Tick(int64_t now_ms, std::vector<AlarmEvent>& out) {
  for (auto& [device, st] : devices_) {
    const Settings& s = st.rules.settings;
    if (st.last_seen > 0 && !st.offline && now_ms - st.last_seen > s.offline_timeout_s * 1000) {
      st.offline = true;
      Emit(st, device, AlarmKind::kOffline, now_ms,
           fmt::format("超过 {} 秒未收到设备消息", s.offline_timeout_s), nullptr, out);
    }
    if (st.last_motion > 0 && !st.still && now_ms - st.last_motion >= s.no_motion_s * 1000 &&
        InWindow(now_ms, s.day_start_min, s.day_end_min, s) && !st.offline) {
      st.still = true;
      Emit(st, device, AlarmKind::kNoMovement, now_ms,
           fmt::format("白天 {} 分钟以上无活动", s.no_motion_s / 60), nullptr, out);
    }
    if (st.bed_left_at >= 0 && !st.bed_alarmed &&
        now_ms - st.bed_left_at >= s.bed_return_s * 1000) {
      st.bed_alarmed = true;
      Emit(st, device, AlarmKind::kBedExit, now_ms,
           fmt::format("夜间离床超过 {} 分钟未回", s.bed_return_s / 60), nullptr, out);
    }
  }
}

}  // namespace yanglao::devices
