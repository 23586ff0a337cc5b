// Elderly-care facilities, residential estates and community coordinates:
// the records of the facility module (docs/facility.md).
//
// Coordinates are metres on a plane (x east, y north) in the city's own
// projected system; a generated city's are synthetic and marked so. The
// institution and canteen modules read facilities of their kind from this
// module's store (FacilityStore) rather than keeping copies.
#ifndef YANGLAO_FACILITY_MODEL_H_
#define YANGLAO_FACILITY_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yanglao::facility {

enum class Kind : uint8_t {
  kComplex = 0,  // 养老服务综合体
  kDayCare,      // 日间照料中心
  kMutualAid,    // 互助照料中心
  kCanteen,      // 幸福食堂/助餐点
  kInstitution,  // 养老机构
  kGuidance,     // 养老服务指导中心
  kHealth,       // 社区卫生服务中心
};
inline constexpr int kKinds = 7;

// "complex", "day_care" ... (policy files, API) and the Chinese label.
std::string_view KindCode(Kind kind);
std::string_view KindLabel(Kind kind);
// From a code or a Chinese label (also 综合体, 助餐点, 幸福食堂, 指导中心).
std::optional<Kind> KindFromText(std::string_view text);

struct Facility {
  std::string id;  // the operator's or the department's code, unique
  std::string name;
  Kind kind = Kind::kComplex;
  std::string community;            // 12-digit code where it stands
  int64_t x = 0, y = 0;             // metres
  std::vector<std::string> served;  // communities it serves besides its own
  int64_t floor_area_m2 = 0;
  int64_t beds = 0;
  int64_t nursing_beds = 0;  // 护理型床位, of `beds`
  std::string operator_name;
  std::string opened_on;        // YYYY-MM-DD or empty
  std::string status = "运营";  // 运营 / 在建 / 停业: only 运营 counts
  bool synthetic = false;
  bool active() const { return status == "运营"; }
};

struct Estate {
  std::string id;
  std::string name;
  std::string community;  // 12-digit
  int64_t households = 0;
  int year_built = 0;
  int64_t area_provided_m2 = 0;  // 养老服务用房, all sites
  int64_t largest_site_m2 = 0;   // the largest single site
  bool synthetic = false;
};

// Where a community is (its centre), for walking distances.
struct CommunityPoint {
  std::string community;  // 12-digit
  int64_t x = 0, y = 0;
  bool synthetic = false;
};

}  // namespace yanglao::facility

#endif  // YANGLAO_FACILITY_MODEL_H_
