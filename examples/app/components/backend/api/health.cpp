// Health endpoints beyond the built-in /health, /health/ready and /admin/health: the backend's shape as
// the Overseer captured it at boot (the Overseer's Backend card shows the same numbers).
#include <aegis/overseer/overseer.hpp>

#include "app/components/backend/api/routing.hpp"

namespace app {

aegis::Router health_router(const aegis::App& app) {
  aegis::Router r;
  r.get("/components", [&app](aegis::State<aegis::Overseer> overseer) {
     const auto s = overseer->summary();
     return BackendComponents{overseer->captured() ? "healthy" : "starting", s.routes, s.endpoints, s.middleware,
                              s.security_layers, app.health().size(), overseer->uptime_seconds()};
   }).summary("The backend's routes, middleware and health checks as captured at boot, and its uptime");
  return r;
}

}  // namespace app
