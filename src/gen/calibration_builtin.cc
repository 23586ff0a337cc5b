// BuiltinCalibrationText(): data/calibration/calibration.yaml, embedded by
// calibration_data.S (assembled from calibration_data.S.in with .incbin).
#include "gen/calibration.h"

extern "C" const char yanglao_calibration_begin[], yanglao_calibration_end[];

namespace yanglao::gen {

std::string_view BuiltinCalibrationText() {
  return std::string_view(yanglao_calibration_begin,
                          static_cast<size_t>(yanglao_calibration_end - yanglao_calibration_begin));
}

}  // namespace yanglao::gen
