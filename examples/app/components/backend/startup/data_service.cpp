// Starts the data service and registers its health check, so /health/ready reports it.
#include <aegis/aegis.hpp>

#include "app/services/data_service.hpp"

AEGIS_STARTUP_HOOK(data_service, "Start the data service and register its health check") {
  auto& data = app.state().get<app::DataService>();
  data.start();
  app.health().add("data_service", [&data] {
    return data.running() ? aegis::HealthStatus::healthy() : aegis::HealthStatus::failing("stopped");
  });
}
