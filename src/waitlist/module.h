// The waitlist module's row of the module table (db/module.h): institutions,
// beds and the admission waitlist (入住评估轮候). Its routes are
// AddWaitlistRoutes (src/server/api_waitlist.cc).
#ifndef YANGLAO_WAITLIST_MODULE_H_
#define YANGLAO_WAITLIST_MODULE_H_

#include "db/module.h"
#include "waitlist/store.h"

namespace yanglao::waitlist {

inline const db::ModuleInfo& Module() {
  static const db::ModuleInfo* const info = new db::ModuleInfo{
      .name = "waitlist",
      .label = "机构入住轮候",
      .schema = WaitlistSchema(),
      .permissions =
          {
              // City-wide: the queue is not cut by county yet, so county
              // officials are not granted it (a site may grant it).
              {"waitlist:queue:read", "查看入住轮候队列（含姓名与排序依据）", {"city_official"}},
              {"waitlist:bed:allocate", "分配空余床位", {"city_official"}},
          },
  };
  return *info;
}

}  // namespace yanglao::waitlist

#endif  // YANGLAO_WAITLIST_MODULE_H_
