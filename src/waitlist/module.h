// The waitlist module's row of the module table (db/module.h): institutions,
// beds and the admission waitlist (入住评估轮候). Its routes are
// AddWaitlistRoutes (src/server/api_waitlist.cc).
#ifndef YANGLAO_WAITLIST_MODULE_H_
#define YANGLAO_WAITLIST_MODULE_H_

#include <filesystem>

#include "db/module.h"
#include "waitlist/rules.h"
#include "waitlist/store.h"

namespace yanglao::waitlist {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "waitlist",
      .label = "机构入住轮候",
      .schema = WaitlistSchema(),
      .permissions =
          {
              // Cut by jurisdiction: a county official sees the county's
              // institutions and applicants and allocates its beds.
              {"waitlist:queue:read",
               "查看养老机构床位与入住轮候队列（含姓名与排序依据，按辖区）",
               {"city_official", "county_official"}},
              {"waitlist:bed:allocate",
               "分配空余床位、登记评估结果（按辖区）",
               {"city_official", "county_official"}},
              {"waitlist:institution:import",
               "导入养老机构名单（床位、等级、在住）",
               {"city_official"}},
          },
      .policy_formats =
          {
              {"yanglao.waitlist/1",
               +[](const std::filesystem::path& f) -> Result<size_t> {
                 auto r = WaitlistRules::Load(f, CivilDate::Today());
                 if (!r.ok()) return r.status();
                 return size_t{(*r)->classes().size()};
               }},
          },
      .menu =
          {
              {36, "养老机构", "/waitlist", "机构入住轮候", "OfficeBuilding",
               "waitlist:queue:read"},
          },
  };
  return *info;
}

}  // namespace yanglao::waitlist

#endif  // YANGLAO_WAITLIST_MODULE_H_
