#include "app/components/backend/api/routing.hpp"

#include <aegis/auth/auth.hpp>

namespace app {

void include_routers(aegis::App& app) {
  app.include_router(health_router(), {.prefix = "/api/health", .tags = {"health"}});
  app.include_router(data_router(), {.prefix = "/api", .tags = {"data"}});
  app.include_router(benchmark_router(), {.tags = {"benchmark"}});
  app.include_router(aegis::auth_router(app), {.prefix = "/api/auth", .tags = {"auth"}});
  app.include_router(aegis::settings_router(app));  // /settings/permissions, /settings/feature-flags
}

}  // namespace app
