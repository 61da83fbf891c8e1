#pragma once

#include <string>
#include <vector>

namespace aegis {

/// A finding about how an app is put together, with a stable code: printed by `./app check` and at boot.
/// Errors abort the boot in development.
struct Diagnostic {
  enum class Level { info, warning, error };
  std::string code;     ///< "AE003", "SM007", ...
  Level level = Level::info;
  std::string message;  ///< what is wrong and what to do about it
  std::string where;    ///< the route, module, hook or file concerned
};

const char* to_string(Diagnostic::Level level) noexcept;

}  // namespace aegis
