#pragma once

#include <aegis/aegis.hpp>

#include <boost/describe.hpp>

#include "app/services/data_service.hpp"

namespace app {

/// What /api/health/components answers: the backend's shape as captured at boot, and its uptime.
struct BackendComponents {
  std::string status;
  std::size_t routes = 0;     ///< distinct paths
  std::size_t endpoints = 0;  ///< methods summed over the paths
  std::size_t middleware = 0;
  std::size_t security_layers = 0;
  std::size_t health_checks = 0;
  double uptime_s = 0;
};
BOOST_DESCRIBE_STRUCT(BackendComponents, (),
                      (status, routes, endpoints, middleware, security_layers, health_checks, uptime_s))

/// THE explicit router registry: every router the app serves is included here and nowhere else.
void include_routers(aegis::App& app);

aegis::Router health_router(const aegis::App& app);
aegis::Router data_router();
aegis::Router benchmark_router();

}  // namespace app
