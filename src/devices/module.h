// The devices module's row of the module table (db/module.h): wristbands,
// mattresses, door sensors and call buttons over MQTT, and their alarms
// (docs/devices.md). Its routes are AddDevicesRoutes
// (src/server/api_devices.cc), its commands AddDevicesCommands
// (src/cli/devices_command.cc).
#ifndef YANGLAO_DEVICES_MODULE_H_
#define YANGLAO_DEVICES_MODULE_H_

#include <filesystem>

#include "db/module.h"
#include "devices/rules.h"
#include "devices/store.h"

namespace yanglao::devices {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "devices",
      .label = "智能设备与报警",
      .schema = DevicesSchema(),
      .permissions =
          {
              {"devices:alarm:read",
               "查看报警与报警看板（按辖区，留痕）",
               {"city_official", "county_official", "street_worker", "community_worker"}},
              {"devices:alarm:handle",
               "处置报警：确认、派单、到场、办结或误报（留痕）",
               {"street_worker", "community_worker"}},
              {"devices:device:manage", "登记设备与响应人员", {"city_official", "county_official"}},
          },
      .policy_formats =
          {
              {"yanglao.devices/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadPolicy(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
          },
      .menu =
          {
              {40, "智能照护", "/devices", "报警看板", "Bell", "devices:alarm:read"},
          },
  };
  return *info;
}

}  // namespace yanglao::devices

#endif  // YANGLAO_DEVICES_MODULE_H_
