// Runs before shutdown/data_service.cpp: shutdown hooks run in reverse file order.
#include <aegis/aegis.hpp>

#include <spdlog/spdlog.h>

#include "app/services/boot_metadata.hpp"

AEGIS_SHUTDOWN_HOOK(farewell, "Log how long the backend served") {
  spdlog::info("backend served for {:.1f} s", app.state().get<app::BootMetadata>().summary().uptime_s);
}
