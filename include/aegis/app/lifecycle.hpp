#pragma once

#include <aegis/http/task.hpp>

#include <functional>
#include <stdexcept>
#include <string>

namespace aegis {

class App;

/// A boot failure: names the module, hook, setting or file at fault. `aegis::run` prints it and exits
/// non-zero; the library never exits the process itself.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A startup or shutdown hook as the lifespan runs it and introspection shows it.
struct LifecycleHook {
  enum class Kind { startup, shutdown };
  Kind kind = Kind::startup;
  std::string name;
  std::string description;
  std::string file;
  /// Its place in its list (startup hooks run in ascending order, shutdown hooks in descending order).
  std::size_t order = 0;
  std::function<Task<>(App&)> run;
};

}  // namespace aegis
