#pragma once

// Force-included (-include) into every translation unit of the fuzz build. libstdc++ 12's <source_location>
// declares std::source_location only when the compiler has __builtin_source_location, which clang gained in
// version 15; with clang 14 the header is empty and Aegis's route registration does not compile. This fills
// the gap with the older builtins that clang 14 does have, the way libc++ did before the new builtin existed.
// It is used by the fuzz build only; the g++ builds use the library's own std::source_location.

#if defined(__clang__) && defined(__cplusplus) && __cplusplus > 201703L && !__has_builtin(__builtin_source_location)

#include <cstdint>

namespace std {

struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           std::uint_least32_t line = __builtin_LINE(),
                                           std::uint_least32_t column = __builtin_COLUMN()) noexcept {
    source_location loc;
    loc.file_ = file;
    loc.function_ = function;
    loc.line_ = line;
    loc.column_ = column;
    return loc;
  }

  constexpr source_location() noexcept = default;
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr std::uint_least32_t line() const noexcept { return line_; }
  constexpr std::uint_least32_t column() const noexcept { return column_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0;
  std::uint_least32_t column_ = 0;
};

}  // namespace std

#endif
