#pragma once

// The invariant check shared by the fuzz targets: a broken invariant prints what was expected and aborts, which
// libFuzzer reports as a crash (and saves the input that caused it).

#include <cstdio>
#include <cstdlib>

namespace aegis_fuzz {
/// True when AEGIS_FUZZ_VERBOSE is set: the targets then print what each input produced, which helps when
/// replaying a corpus file (`AEGIS_FUZZ_VERBOSE=1 build/fuzz/json_body_fuzz file`).
inline bool verbose() {
  static const bool on = std::getenv("AEGIS_FUZZ_VERBOSE") != nullptr;
  return on;
}
}  // namespace aegis_fuzz

#define AEGIS_FUZZ_CHECK(cond, ...)                                                      \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n  ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                 \
      std::fputc('\n', stderr);                                                          \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
