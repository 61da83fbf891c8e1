// Health endpoints beyond the built-in /health, /health/ready and /admin/health: the state of each of the
// example's components, as the Overseer's cards will show it.
#include "app/components/backend/api/routing.hpp"

namespace app {

aegis::Router health_router() {
  aegis::Router r;
  r.get("/components", [](aegis::State<BootMetadata> meta) { return meta->summary(); })
      .summary("The backend's components and what was registered at boot");
  return r;
}

}  // namespace app
