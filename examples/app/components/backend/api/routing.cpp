#include "app/components/backend/api/routing.hpp"

#include <aegis/auth/auth.hpp>
#include <aegis/overseer/overseer.hpp>

namespace app {

void include_routers(aegis::App& app) {
  // Ingesting changes the service's state and holds a blocking thread: it takes a permission.
  app.permissions().add_group("Data", {"data.ingest"});
  app.include_router(health_router(app), {.prefix = "/api/health", .tags = {"health"}});
  app.include_router(data_router(), {.prefix = "/api", .tags = {"data"}});
  app.include_router(benchmark_router(), {.tags = {"benchmark"}});
  app.include_router(aegis::auth_router(app), {.prefix = "/api/auth", .tags = {"auth"}});
  app.include_router(aegis::settings_router(app));  // /settings/permissions, /settings/feature-flags
  app.include_router(aegis::overseer_router(app));  // /overseer and /overseer/api/*
}

}  // namespace app
