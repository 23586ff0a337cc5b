// Fuzz target: the devices' MQTT messages (src/devices/payload.h). The input
// is a topic, a newline, and the payload. Whatever the input, the parser
// returns a failure with a code and a message, or a message whose fields are
// in range and whose payload, written back and parsed again, gives the same.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "devices/payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yanglao;
  using namespace yanglao::devices;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t nl = text.find('\n');
  std::string_view topic = nl == std::string_view::npos ? text : text.substr(0, nl);
  std::string_view payload =
      nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  Result<Message> m = ParseMessage(topic, payload);
  if (!m.ok()) {
    if (m.status().code().empty() || m.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (!IsDeviceName(m->device) || m->id.empty() || m->ts_ms <= 0) __builtin_trap();
  if (m->has_fix && (!(std::abs(m->lat) <= 90) || !(std::abs(m->lon) <= 180) || !(m->acc >= 0))) {
    __builtin_trap();
  }
  if (m->type == MessageType::kBloodPressure && m->dia >= m->sys) __builtin_trap();
  if (m->type == MessageType::kBattery && (m->percent < 0 || m->percent > 100)) __builtin_trap();
  Result<Message> again = ParseMessage(UpTopic(m->device, m->type), PayloadJson(*m));
  if (!again.ok()) __builtin_trap();
  if (again->id != m->id || again->ts_ms != m->ts_ms || again->type != m->type ||
      again->has_fix != m->has_fix || again->lat != m->lat || again->lon != m->lon ||
      again->bpm != m->bpm || again->sys != m->sys || again->state != m->state ||
      again->percent != m->percent || again->motion != m->motion) {
    __builtin_trap();
  }
  return 0;
}
