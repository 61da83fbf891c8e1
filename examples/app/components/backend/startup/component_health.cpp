// Captures what the backend registered (routes, middleware, lifecycle, modules) once, at boot, through the
// introspection API, so that the Overseer (/overseer/api/metadata) and /api/health/components read it from
// memory.
#include <aegis/aegis.hpp>
#include <aegis/overseer/overseer.hpp>

#include <spdlog/spdlog.h>

AEGIS_STARTUP_HOOK(component_health, "Capture the boot metadata the Overseer shows") {
  auto& overseer = app.state().get<aegis::Overseer>();
  overseer.capture(app);
  const auto s = overseer.summary();
  spdlog::info("backend: {} routes, {} endpoints, {} middleware ({} security layers)", s.routes, s.endpoints,
               s.middleware, s.security_layers);
}
