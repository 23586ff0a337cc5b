// Background work at a lower CPU priority than requests: a thread doing
// batch work (an import, a run's evaluation) lowers its own priority so that
// when the cores are busy, a request thread that wakes up runs first instead
// of sharing a core equally with it. On Linux the nice value belongs to a
// thread, and threads it starts inherit it.
#ifndef YANGLAO_CORE_THREAD_PRIORITY_H_
#define YANGLAO_CORE_THREAD_PRIORITY_H_

#include <algorithm>
#include <cerrno>

#if defined(__linux__)
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace yanglao {

// The nice value the server gives its batch work (imports of uploaded feeds,
// entitlement runs) by default: weight 110 against a request thread's 1024.
inline constexpr int kBackgroundNice = 10;

// The calling thread's nice value (0 where unknown).
inline int ThreadNice() {
#if defined(__linux__)
  errno = 0;
  int n = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  return errno == 0 ? n : 0;
#else
  return 0;
#endif
}

// Lowers the calling thread's CPU priority to `nice` (0..19) if it is
// higher now; never raises it (which would need a privilege). Returns
// whether the thread now runs at `nice` or lower priority.
inline bool LowerThreadPriority(int nice) {
#if defined(__linux__)
  nice = std::min(19, nice);
  if (nice <= 0 || ThreadNice() >= nice) return true;
  return setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice) == 0;
#else
  (void)nice;
  return false;
#endif
}

}  // namespace yanglao

#endif  // YANGLAO_CORE_THREAD_PRIORITY_H_
