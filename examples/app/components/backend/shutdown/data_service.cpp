// Stops the data service after in-flight requests have drained.
#include <aegis/aegis.hpp>

#include <spdlog/spdlog.h>

#include "app/services/data_service.hpp"

AEGIS_SHUTDOWN_HOOK(data_service, "Stop the data service") {
  auto& data = app.state().get<app::DataService>();
  data.stop();
  spdlog::info("data service stopped after {} records", data.stats().records);
}
