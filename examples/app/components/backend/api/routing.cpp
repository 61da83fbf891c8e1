#include "app/components/backend/api/routing.hpp"

namespace app {

void include_routers(aegis::App& app) {
  app.include_router(health_router(), {.prefix = "/api/health", .tags = {"health"}});
  app.include_router(data_router(), {.prefix = "/api", .tags = {"data"}});
  app.include_router(benchmark_router(), {.tags = {"benchmark"}});
}

}  // namespace app
