// Routes: wristbands and alarms (智能手环、一键报警; docs/devices.md). The
// alarm list and one alarm with its trail and call list (the nearest
// available responders), the steps of its life, and the live board: a
// server-sent events stream of every alarm opened or changed since the
// client's cursor (Last-Event-ID), which the browser's EventSource asks for
// again every second (retry: 1000).
//
// Scope: an alarm is visible to a user whose unit contains the person's
// region or the unit the alarm was escalated to. Every read is audited; the
// person's name is masked in lists.
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <map>

#include "core/mask.h"
#include "devices/rules.h"
#include "devices/store.h"
#include "server/api_util.h"
#include "server/app.h"

namespace yanglao::server {

namespace json = boost::json;
using http::verb;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string MaskName(const std::string& name) {
  // The first character (UTF-8) and stars for the rest: 张** .
  if (name.empty()) return name;
  size_t n = 1;
  while (n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) ++n;
  return name.substr(0, n) + "**";
}

bool Visible(const Principal& user, const devices::Alarm& a) {
  return UnitWithinScope(user, a.region) || UnitWithinScope(user, a.unit);
}

json::object AlarmJson(const devices::Alarm& a,
                       const std::map<std::string, devices::Device>& devs) {
  std::optional<devices::AlarmKind> k = devices::AlarmOfKey(a.kind);
  std::optional<devices::AlarmState> st = devices::StateOfKey(a.state);
  json::object o{{"id", a.id},
                 {"rev", a.rev},
                 {"device", a.device},
                 {"kind", a.kind},
                 {"kind_name", k ? devices::AlarmName(*k) : a.kind},
                 {"state", a.state},
                 {"state_name", st ? devices::StateName(*st) : a.state},
                 {"detail", a.detail},
                 {"region", a.region},
                 {"unit", a.unit},
                 {"opened_ms", a.opened_ms},
                 {"updated_ms", a.updated_ms},
                 {"sla_due_ms", a.sla_due_ms},
                 {"repeats", a.repeats},
                 {"escalation", a.escalation}};
  if (a.has_fix) {
    o["lat"] = a.lat;
    o["lon"] = a.lon;
  }
  auto d = devs.find(a.device);
  o["person"] = d == devs.end() ? "" : MaskName(d->second.person_name);
  return o;
}

Result<std::map<std::string, devices::Device>> DeviceMap(devices::DevicesStore& store) {
  Result<std::vector<devices::Device>> all = store.Devices();
  if (!all.ok()) return all.status();
  std::map<std::string, devices::Device> out;
  for (devices::Device& d : *all) out.emplace(d.code, std::move(d));
  return out;
}

Result<devices::Alarm> ScopedAlarm(Call& call, devices::DevicesStore& store) {
  Result<int64_t> id = IdPath(call, "id", "报警编号应为正整数");
  if (!id.ok()) return id.status();
  Result<std::optional<devices::Alarm>> a = store.FindAlarm(*id);
  if (!a.ok()) return a.status();
  if (a->has_value() && Visible(*call.user, **a)) return **a;
  if (a->has_value()) call.Audit("devices.scope", std::to_string(*id), "denied");
  return Status("devices.not_found", "没有这条报警（或不在您的管辖范围内）",
                Location{.field = "id", .value = std::to_string(*id)});
}

Result<Reply> AlarmsRoute(Call& call) {
  devices::DevicesStore store(call.registry->db());
  const bool open_only = call.Query("open").value_or("1") != "0";
  Result<std::vector<devices::Alarm>> alarms = store.Alarms(open_only);
  if (!alarms.ok()) return alarms.status();
  auto devs = DeviceMap(store);
  if (!devs.ok()) return devs.status();
  json::array items;
  for (auto it = alarms->rbegin(); it != alarms->rend() && items.size() < 500; ++it) {
    if (Visible(*call.user, *it)) items.push_back(AlarmJson(*it, *devs));
  }
  call.Audit("devices.alarms", open_only ? "open" : "all", "ok", {{"count", items.size()}});
  return Reply::Json({{"items", std::move(items)}});
}

Result<Reply> AlarmRoute(Call& call) {
  devices::DevicesStore store(call.registry->db());
  Result<devices::Alarm> a = ScopedAlarm(call, store);
  if (!a.ok()) return a.status();
  auto devs = DeviceMap(store);
  if (!devs.ok()) return devs.status();
  json::object o = AlarmJson(*a, *devs);
  Result<std::vector<devices::AlarmStep>> steps = store.Steps(a->id);
  if (!steps.ok()) return steps.status();
  json::array trail;
  for (const devices::AlarmStep& s : *steps) {
    std::optional<devices::AlarmState> st = devices::StateOfKey(s.step);
    trail.push_back({{"step", s.step},
                     {"step_name", st                     ? devices::StateName(*st)
                                   : s.step == "repeat"   ? "重复报警"
                                   : s.step == "escalate" ? "超时升级"
                                                          : s.step},
                     {"actor", s.actor},
                     {"at_ms", s.at_ms},
                     {"note", s.note}});
  }
  o["trail"] = std::move(trail);
  json::array calls;
  if (a->has_fix) {
    Result<std::vector<devices::Candidate>> near = store.Nearest(a->lat, a->lon, 5);
    if (!near.ok()) return near.status();
    for (const devices::Candidate& c : *near) {
      calls.push_back({{"code", c.responder.code},
                       {"name", c.responder.name},
                       {"role", c.responder.role},
                       {"phone", MaskPhone(c.responder.phone)},
                       {"metres", static_cast<int64_t>(c.metres + 0.5)}});
    }
  }
  o["call_list"] = std::move(calls);
  call.Audit("devices.alarm", std::to_string(a->id), "ok", {{"device", a->device}});
  return Reply::Json(o);
}

enum class StepKind { kAck, kDispatch, kOnScene, kResolve, kFalseAlarm };

Result<Reply> StepRoute(Call& call, StepKind kind) {
  devices::DevicesStore store(call.registry->db());
  Result<devices::Alarm> a = ScopedAlarm(call, store);
  if (!a.ok()) return a.status();
  json::object body;
  if (!call.request.body().empty()) {
    Result<json::object> b = call.JsonBody();
    if (!b.ok()) return b.status();
    body = std::move(*b);
  }
  const std::string actor = call.user->username;
  const int64_t now = NowMs();
  Status s;
  std::string step;
  switch (kind) {
    case StepKind::kAck:
      step = "acknowledged";
      s = store.Acknowledge(a->id, actor, now);
      break;
    case StepKind::kDispatch: {
      step = "dispatched";
      Result<std::optional<std::string>> r = StringField(body, "responder");
      if (!r.ok()) return r.status();
      if (!r->has_value() || (*r)->empty()) {
        return Status("request.field", "缺少字段 responder（响应人员编号）",
                      Location{.field = "responder"});
      }
      s = store.Dispatch(a->id, **r, actor, now);
      break;
    }
    case StepKind::kOnScene:
      step = "on_scene";
      s = store.OnScene(a->id, actor, now);
      break;
    case StepKind::kResolve:
    case StepKind::kFalseAlarm: {
      step = kind == StepKind::kResolve ? "resolved" : "false_alarm";
      Result<std::optional<std::string>> note = StringField(body, "note");
      if (!note.ok()) return note.status();
      s = store.Close(a->id,
                      kind == StepKind::kResolve ? devices::AlarmState::kResolved
                                                 : devices::AlarmState::kFalseAlarm,
                      actor, now, note->value_or(""));
      break;
    }
  }
  if (!s.ok()) {
    call.Audit("devices.step", std::to_string(a->id), "failed", {{"step", step}});
    return s;
  }
  call.Audit("devices.step", std::to_string(a->id), "ok", {{"step", step}, {"device", a->device}});
  Result<std::optional<devices::Alarm>> after = store.FindAlarm(a->id);
  if (!after.ok()) return after.status();
  auto devs = DeviceMap(store);
  if (!devs.ok()) return devs.status();
  return Reply::Json(AlarmJson(**after, *devs));
}

// The live board: text/event-stream of the alarms changed after the cursor
// (the Last-Event-ID header, or ?after=), each an "alarm" event whose id is
// its revision; "retry: 1000" has the browser come back within a second.
Result<Reply> StreamRoute(Call& call) {
  int64_t after = 0;
  auto last = call.request.find("Last-Event-ID");
  std::string cursor = last != call.request.end() ? std::string(last->value()) : "";
  if (cursor.empty()) cursor = call.Query("after").value_or("");
  if (!cursor.empty()) {
    auto r = std::from_chars(cursor.data(), cursor.data() + cursor.size(), after);
    if (r.ec != std::errc() || after < 0) {
      return Status("request.param", "after 应为非负整数",
                    Location{.field = "after", .value = cursor.substr(0, 20)});
    }
  }
  devices::DevicesStore store(call.registry->db());
  Result<std::vector<devices::Alarm>> changed = store.AlarmsChangedSince(after, 200);
  if (!changed.ok()) return changed.status();
  auto devs = DeviceMap(store);
  if (!devs.ok()) return devs.status();
  std::string out = "retry: 1000\n\n";
  int64_t sent = 0, cursor_out = after;
  for (const devices::Alarm& a : *changed) {
    cursor_out = std::max(cursor_out, a.rev);
    if (!Visible(*call.user, a)) continue;
    out += fmt::format("id: {}\nevent: alarm\ndata: {}\n\n", a.rev,
                       json::serialize(AlarmJson(a, *devs)));
    ++sent;
  }
  // Moves the cursor past what this user may not see, too.
  if (sent == 0 && cursor_out > after)
    out += fmt::format("id: {}\nevent: cursor\ndata: {{}}\n\n", cursor_out);
  if (sent > 0) call.Audit("devices.stream", std::to_string(after), "ok", {{"count", sent}});
  Reply reply;
  reply.content_type = "text/event-stream; charset=utf-8";
  reply.body = std::move(out);
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

}  // namespace

void AddDevicesRoutes(App&, Router& router) {
  router.Add(verb::get, "/api/v1/devices/alarms", {.permission = "devices:alarm:read"},
             AlarmsRoute);
  router.Add(verb::get, "/api/v1/devices/alarms/{id}", {.permission = "devices:alarm:read"},
             AlarmRoute);
  router.Add(verb::get, "/api/v1/devices/stream", {.permission = "devices:alarm:read"},
             StreamRoute);
  const std::pair<const char*, StepKind> steps[] = {{"ack", StepKind::kAck},
                                                    {"dispatch", StepKind::kDispatch},
                                                    {"on_scene", StepKind::kOnScene},
                                                    {"resolve", StepKind::kResolve},
                                                    {"false_alarm", StepKind::kFalseAlarm}};
  for (const auto& [path, kind] : steps) {
    StepKind k = kind;
    router.Add(verb::post, fmt::format("/api/v1/devices/alarms/{{id}}/{}", path),
               {.permission = "devices:alarm:handle"},
               [k](Call& call) { return StepRoute(call, k); });
  }
}

}  // namespace yanglao::server
