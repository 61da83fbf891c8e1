#pragma once

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace aegis::detail {

/// Names the calling thread, as `top -H`, `ps -L`, gdb and perf show it. Linux keeps 15 characters; a longer
/// name is cut there.
inline void name_this_thread(std::string_view name) noexcept {
  char buf[16] = {};
  std::memcpy(buf, name.data(), std::min(name.size(), sizeof buf - 1));
  ::pthread_setname_np(::pthread_self(), buf);
}

}  // namespace aegis::detail
