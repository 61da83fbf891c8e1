#pragma once

// What the backend registered at boot, captured once by the component_health startup hook and served
// from memory (the Overseer's Backend card reads the same numbers).

#include <boost/describe.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace aegis {
class App;
}

namespace app {

struct BackendSummary {
  std::string status;
  std::size_t routes = 0;     ///< distinct paths
  std::size_t endpoints = 0;  ///< methods summed over the paths
  std::size_t middleware = 0;
  std::size_t security_layers = 0;
  std::vector<std::string> middleware_stack;  ///< outermost first
  std::vector<std::string> startup_hooks;
  std::vector<std::string> shutdown_hooks;  ///< in the order they run
  std::size_t health_checks = 0;
  double uptime_s = 0;
};
BOOST_DESCRIBE_STRUCT(BackendSummary, (),
                      (status, routes, endpoints, middleware, security_layers, middleware_stack, startup_hooks,
                       shutdown_hooks, health_checks, uptime_s))

class BootMetadata {
 public:
  /// Called once, by the startup hook, before the server accepts connections.
  void capture(const aegis::App& app);
  /// The captured numbers with the current uptime.
  BackendSummary summary() const;

 private:
  BackendSummary captured_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace app
