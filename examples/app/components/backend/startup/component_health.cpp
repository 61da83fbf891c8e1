// Captures what the backend registered (routes, middleware, lifecycle) once, at boot, so that health and
// the Overseer read it from memory.
#include <aegis/aegis.hpp>

#include <spdlog/spdlog.h>

#include "app/services/boot_metadata.hpp"

AEGIS_STARTUP_HOOK(component_health, "Cache the boot metadata the Overseer shows") {
  auto& meta = app.state().get<app::BootMetadata>();
  meta.capture(app);
  const auto s = meta.summary();
  spdlog::info("backend: {} routes, {} endpoints, {} middleware ({} security layers)", s.routes, s.endpoints,
               s.middleware, s.security_layers);
}
