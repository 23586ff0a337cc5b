// The canteen module's row of the module table (db/module.h). Its routes are
// AddCanteenRoutes (src/server/api_canteen.cc), its commands
// AddCanteenCommands (src/cli/canteen_command.cc).
#ifndef YANGLAO_CANTEEN_MODULE_H_
#define YANGLAO_CANTEEN_MODULE_H_

#include <filesystem>

#include "canteen/rules.h"
#include "canteen/store.h"
#include "db/module.h"

namespace yanglao::canteen {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "canteen",
      .label = "老年助餐",
      .schema = CanteenSchema(),
      .permissions =
          {
              {"canteen:canteen:read",
               "查看食堂、助餐点与助餐覆盖率",
               {"city_official", "county_official", "street_worker", "community_worker"}},
              {"canteen:canteen:import", "导入食堂、助餐点名单", {"city_official"}},
              {"canteen:sale:create",
               "助餐柜台：识别就餐者、核定优惠或补贴并记账（留痕）",
               {"street_worker", "community_worker"}},
              {"canteen:flag:review",
               "复核助餐异常（重复享受、超次数、已死亡等；脱敏，留痕）",
               {"city_official", "county_official"}},
              {"canteen:settlement:read",
               "查看、下载助餐月度结算单与区县汇总",
               {"city_official", "county_official"}},
              {"canteen:settlement:approve", "审核助餐月度结算单", {"city_official"}},
          },
      .policy_formats =
          {
              {"yanglao.canteen/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = LoadCanteenRules(f);
                 if (!r.ok()) return r.status();
                 return size_t{0};
               }},
          },
      .menu =
          {
              {35, "助餐", "/canteen", "助餐柜台", "KnifeFork", "canteen:sale:create"},
          },
  };
  return *info;
}

}  // namespace yanglao::canteen

#endif  // YANGLAO_CANTEEN_MODULE_H_
