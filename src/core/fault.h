// Fault injection for the crash-consistency tests: when the environment
// variable YANGLAO_FAULT_KILL names `point`, the process kills itself with
// SIGKILL there, exactly as `kill -9` would at that moment. Points are
// named "<module>.<where>" ("import.before_commit", "entitle.half_lines").
#ifndef YANGLAO_CORE_FAULT_H_
#define YANGLAO_CORE_FAULT_H_

#include <csignal>
#include <cstdlib>
#include <string_view>

namespace yanglao {

inline void MaybeKill(std::string_view point) {
  const char* fault = std::getenv("YANGLAO_FAULT_KILL");
  if (fault != nullptr && point == fault) std::raise(SIGKILL);
}

}  // namespace yanglao

#endif  // YANGLAO_CORE_FAULT_H_
