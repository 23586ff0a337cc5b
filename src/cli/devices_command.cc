// yanglao devices: wristbands and alarms over MQTT (src/devices). Thin
// commands over the library: the ingest service, the simulator, enrolment of
// devices and responders, the alarm list.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/id_number.h"
#include "db/database.h"
#include "db/migrate.h"
#include "devices/mqtt.h"
#include "devices/rules.h"
#include "devices/simulate.h"
#include "devices/store.h"

namespace yanglao::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

struct DevicesArgs {
  std::string db, mqtt, rules = "policies/devices/ezhou.devices.yaml", client_id = "yanglao-ingest",
                        code, kind = "wristband", person, name, region, home, overrides,
                        role = "网格员", phone, password, prefix = "sim";
  int count = 10, seconds = 60;
  bool verbose = true, enrol = false, unavailable = false, open_only = false;
};

std::unique_ptr<db::Database> OpenDb(const DevicesArgs& a) {
  Result<std::unique_ptr<db::Database>> db = db::Database::Open(DbUrl(a.db));
  if (!db.ok()) {
    (void)Fail(db.status());
    return nullptr;
  }
  if (Status s = db::MigrateAll(**db, {devices::DevicesSchema()}); !s.ok()) {
    (void)Fail(s);
    return nullptr;
  }
  return std::move(*db);
}

Result<std::pair<double, double>> ParseLatLon(const std::string& text, std::string_view field) {
  double lat = 0, lon = 0;
  char comma = 0;
  if (std::sscanf(text.c_str(), "%lf%c%lf", &lat, &comma, &lon) != 3 || comma != ',' || lat < -90 ||
      lat > 90 || lon < -180 || lon > 180) {
    return Status("devices.coordinates", "坐标应写作 纬度,经度（如 30.39,114.89）",
                  Location{.field = std::string(field), .value = text});
  }
  return std::make_pair(lat, lon);
}

int Ingest(const DevicesArgs& a) {
  Result<devices::MqttUrl> url = devices::ParseMqttUrl(a.mqtt);
  if (!url.ok()) return Fail(url.status());
  devices::IngestOptions o{.db_url = DbUrl(a.db),
                           .mqtt = *url,
                           .client_id = a.client_id,
                           .rules = a.rules,
                           .verbose = a.verbose};
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  if (Status s = devices::RunIngest(o, g_stop); !s.ok()) return Fail(s);
  return 0;
}

int Simulate(const DevicesArgs& a) {
  Result<devices::MqttUrl> url = devices::ParseMqttUrl(a.mqtt);
  if (!url.ok()) return Fail(url.status());
  devices::SimulateOptions o{.devices = a.count, .mqtt = *url, .password = a.password};
  o.prefix = a.prefix;
  o.seconds = a.seconds;
  if (a.enrol) {
    auto db = OpenDb(a);
    if (!db) return 1;
    devices::DevicesStore store(*db);
    for (const devices::Device& d : devices::SimulatedDevices(o)) {
      if (Status s = store.PutDevice(d); !s.ok()) return Fail(s);
    }
    fmt::print("已登记模拟设备 {} 台（合成数据）\n", a.count);
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  Result<devices::SimulateReport> r = devices::Simulate(o, g_stop);
  if (!r.ok()) return Fail(r.status());
  fmt::print("模拟设备 {} 台：发送 {} 条，已确认 {} 条；一键报警 {} 次，跌倒 {} 次，失联 {} 台\n",
             a.count, r->published, r->acked, r->sos, r->falls, r->silent);
  return 0;
}

// One message from one device (its user name and password in the URL), sent
// until the platform acks it: pressing the button by hand, in a demo or a test.
int Publish(const DevicesArgs& a) {
  Result<devices::MqttUrl> url = devices::ParseMqttUrl(a.mqtt);
  if (!url.ok()) return Fail(url.status());
  std::optional<devices::MessageType> type = devices::TypeOfKey(a.kind);
  if (!type) {
    return Fail(Status("devices.type",
                       "消息类型应为 heartbeat、location、sos、fall 等（见 docs/devices.md）",
                       Location{.field = "--type", .value = a.kind}));
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  devices::Message m{.device = url->user, .type = *type, .id = a.code, .ts_ms = now};
  if (m.id.empty()) m.id = fmt::format("cli-{}", now);
  if (!a.home.empty()) {
    auto ll = ParseLatLon(a.home, "--at");
    if (!ll.ok()) return Fail(ll.status());
    m.has_fix = true;
    m.lat = ll->first;
    m.lon = ll->second;
    m.acc = 10;
  }
  if (*type == devices::MessageType::kLocation && !m.has_fix) {
    return Fail(
        Status("devices.coordinates", "定位消息需要 --at 纬度,经度", Location{.field = "--at"}));
  }
  // The strict parser checks what we are about to send.
  Result<devices::Message> checked =
      devices::ParseMessage(devices::UpTopic(m.device, m.type), devices::PayloadJson(m));
  if (!checked.ok()) return Fail(checked.status());
  Result<std::unique_ptr<devices::DeviceClient>> c =
      devices::DeviceClient::Connect(*url, url->user, url->password);
  if (!c.ok()) return Fail(c.status());
  if (Status s = (*c)->Publish(m); !s.ok()) return Fail(s);
  for (int i = 0; i < a.seconds * 20 && (*c)->unacked() > 0; ++i) {
    if (Status s = (*c)->Pump(50); !s.ok()) return Fail(s);
    if (i % 60 == 59) (void)(*c)->ResendUnacked();
  }
  if ((*c)->unacked() > 0) {
    return Fail(Status(ErrorCategory::kUnavailable, "devices.no_ack",
                       fmt::format("{} 秒内未收到平台确认（接入服务是否在运行？）", a.seconds)));
  }
  fmt::print("已发送并获平台确认：{} {}（消息 {}）\n", m.device, devices::TypeName(m.type), m.id);
  return 0;
}

int Enrol(const DevicesArgs& a) {
  auto db = OpenDb(a);
  if (!db) return 1;
  devices::Device d{.code = a.code, .kind = a.kind, .person_name = a.name, .region = a.region};
  if (!a.person.empty()) {
    Result<IdNumber> id = ParseIdNumber(a.person, RegionTable::Builtin(), CivilDate::Today());
    if (!id.ok()) return Fail(id.status());
    d.person_id_number = id->value;
  }
  if (!a.home.empty()) {
    auto ll = ParseLatLon(a.home, "--home");
    if (!ll.ok()) return Fail(ll.status());
    d.has_home = true;
    d.home_lat = ll->first;
    d.home_lon = ll->second;
  }
  d.overrides = a.overrides;
  devices::DevicesStore store(*db);
  if (Status s = store.PutDevice(d); !s.ok()) return Fail(s);
  fmt::print("已登记设备 {}（{}）\n", d.code, d.kind);
  return 0;
}

int AddResponder(const DevicesArgs& a) {
  auto db = OpenDb(a);
  if (!db) return 1;
  auto ll = ParseLatLon(a.home, "--at");
  if (!ll.ok()) return Fail(ll.status());
  devices::Responder r{.code = a.code,
                       .name = a.name,
                       .role = a.role,
                       .phone = a.phone,
                       .region = a.region,
                       .available = !a.unavailable,
                       .lat = ll->first,
                       .lon = ll->second};
  devices::DevicesStore store(*db);
  if (Status s = store.PutResponder(r); !s.ok()) return Fail(s);
  fmt::print("已登记响应人员 {}（{}）\n", r.name, r.role);
  return 0;
}

int ListAlarms(const DevicesArgs& a) {
  auto db = OpenDb(a);
  if (!db) return 1;
  devices::DevicesStore store(*db);
  Result<std::vector<devices::Alarm>> alarms = store.Alarms(a.open_only);
  if (!alarms.ok()) return Fail(alarms.status());
  for (const devices::Alarm& x : *alarms) {
    std::optional<devices::AlarmKind> k = devices::AlarmOfKey(x.kind);
    std::optional<devices::AlarmState> st = devices::StateOfKey(x.state);
    fmt::print("{}\t{}\t{}\t{}\t重复 {}\t升级 {}\t{}\n", x.id, x.device,
               k ? devices::AlarmName(*k) : x.kind, st ? devices::StateName(*st) : x.state,
               x.repeats, x.escalation, x.detail);
  }
  fmt::print("共 {} 条报警\n", alarms->size());
  return 0;
}

}  // namespace

void AddDevicesCommands(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<DevicesArgs>();
  CLI::App* dev =
      app.add_subcommand("devices", "智能手环与报警：MQTT 接入、规则、报警处置、模拟设备");
  dev->require_subcommand(1);

  CLI::App* ingest = dev->add_subcommand(
      "ingest", "接入服务：订阅 MQTT（QoS 1、持久会话），按规则生成报警（Ctrl+C 停止）");
  AddDbOption(ingest, a->db);
  ingest->add_option("--mqtt", a->mqtt, "MQTT 地址 mqtt://用户名:密码@主机:端口")->required();
  ingest->add_option("--rules", a->rules, "规则文件（默认 policies/devices/ezhou.devices.yaml）");
  ingest->add_option("--client-id", a->client_id,
                     "固定的客户端编号（持久会话，默认 yanglao-ingest）");
  ingest->callback([a, &exit_code] { exit_code = Ingest(*a); });

  CLI::App* sim = dev->add_subcommand("simulate", "模拟 N 台手环发送消息（合成数据）");
  sim->add_option("count", a->count, "设备台数")->required();
  sim->add_option("--mqtt", a->mqtt, "MQTT 地址 mqtt://主机:端口（用户名即设备号）")->required();
  sim->add_option("--device-password", a->password, "模拟设备的密码（演示用，所有设备相同）")
      ->required();
  sim->add_option("--prefix", a->prefix, "设备号前缀（默认 sim）");
  sim->add_option("--seconds", a->seconds, "运行秒数（0：直到 Ctrl+C）");
  sim->add_flag("--enrol", a->enrol, "先把模拟设备登记到数据库（需 --db）");
  AddDbOption(sim, a->db);
  sim->callback([a, &exit_code] { exit_code = Simulate(*a); });

  CLI::App* pub =
      dev->add_subcommand("publish", "以一台设备的身份发送一条消息，直到平台确认（演示、测试）");
  pub->add_option("--mqtt", a->mqtt, "mqtt://设备号:密码@主机:端口")->required();
  pub->add_option("--type", a->kind, "消息类型：sos、fall、heartbeat、location …")->required();
  pub->add_option("--at", a->home, "位置 纬度,经度");
  pub->add_option("--id", a->code, "消息编号（默认按时间生成；重发同一编号只记一次）");
  pub->add_option("--wait", a->seconds, "最多等待平台确认的秒数（默认 60）");
  pub->callback([a, &exit_code] { exit_code = Publish(*a); });

  CLI::App* enrol = dev->add_subcommand("enrol", "登记一台设备并绑定老人");
  AddDbOption(enrol, a->db);
  enrol->add_option("--code", a->code, "设备号（即 MQTT 用户名）")->required();
  enrol->add_option("--kind", a->kind, "wristband|mattress|door_sensor|call_button");
  enrol->add_option("--person", a->person, "老人公民身份号码");
  enrol->add_option("--name", a->name, "老人姓名");
  enrol->add_option("--region", a->region, "居住地 12 位区划代码（报警所属单位）");
  enrol->add_option("--home", a->home, "电子围栏中心 纬度,经度");
  enrol->add_option("--overrides", a->overrides,
                    "个人规则，如 heart_rate.high=140;fence.radius_m=300");
  enrol->callback([a, &exit_code] { exit_code = Enrol(*a); });

  CLI::App* resp =
      dev->add_subcommand("responder", "登记响应人员（网格员、志愿者、家属、社区医生）");
  AddDbOption(resp, a->db);
  resp->add_option("--code", a->code, "编号")->required();
  resp->add_option("--name", a->name, "姓名")->required();
  resp->add_option("--role", a->role, "网格员|志愿者|家属|社区医生");
  resp->add_option("--phone", a->phone, "电话");
  resp->add_option("--region", a->region, "所属区划代码");
  resp->add_option("--at", a->home, "当前位置 纬度,经度")->required();
  resp->add_flag("--unavailable", a->unavailable, "暂不可派");
  resp->callback([a, &exit_code] { exit_code = AddResponder(*a); });

  CLI::App* alarms = dev->add_subcommand("alarms", "列出报警");
  AddDbOption(alarms, a->db);
  alarms->add_flag("--open", a->open_only, "只列未办结的");
  alarms->callback([a, &exit_code] { exit_code = ListAlarms(*a); });
}

}  // namespace yanglao::cli
