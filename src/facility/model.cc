#include "facility/model.h"

#include <array>

namespace yanglao::facility {
namespace {

struct KindName {
  std::string_view code, label;
};
constexpr std::array<KindName, kKinds> kNames = {{
    {"complex", "养老服务综合体"},
    {"day_care", "日间照料中心"},
    {"mutual_aid", "互助照料中心"},
    {"canteen", "幸福食堂/助餐点"},
    {"institution", "养老机构"},
    {"guidance", "养老服务指导中心"},
    {"health", "社区卫生服务中心"},
}};

}  // namespace

std::string_view KindCode(Kind kind) { return kNames[static_cast<size_t>(kind)].code; }
std::string_view KindLabel(Kind kind) { return kNames[static_cast<size_t>(kind)].label; }

std::optional<Kind> KindFromText(std::string_view text) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (text == kNames[i].code || text == kNames[i].label) return static_cast<Kind>(i);
  }
  if (text == "综合体") return Kind::kComplex;
  if (text == "社区日间照料中心" || text == "村日间照料中心") return Kind::kDayCare;
  if (text == "老年人互助照料中心" || text == "农村互助照料中心") return Kind::kMutualAid;
  if (text == "幸福食堂" || text == "助餐点" || text == "老年食堂") return Kind::kCanteen;
  if (text == "指导中心") return Kind::kGuidance;
  if (text == "敬老院" || text == "福利院") return Kind::kInstitution;
  return std::nullopt;
}

}  // namespace yanglao::facility
