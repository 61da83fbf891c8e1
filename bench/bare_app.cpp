// The bare router for bench/run: the example app's benchmark endpoints with no middleware at all (the
// fixed built-in layers turned off), so that the cost of the example's default stack can be measured
// against it in the same run.
#include <aegis/aegis.hpp>

#include "app/components/backend/api/routing.hpp"

int main(int argc, char** argv) {
  aegis::AppSettings settings;
  settings.title = "Aegis bare router";
  settings.request_id = false;
  settings.access_log.format = "off";
  settings.security_headers.enabled = false;
  settings.health_endpoints = false;
  aegis::App app(std::move(settings));
  app.include_router(app::benchmark_router());
  return aegis::run(argc, argv, app);
}
