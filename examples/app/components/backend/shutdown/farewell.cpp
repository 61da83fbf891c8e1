// Runs before shutdown/data_service.cpp: shutdown hooks run in reverse file order.
#include <aegis/aegis.hpp>
#include <aegis/overseer/overseer.hpp>

#include <spdlog/spdlog.h>

AEGIS_SHUTDOWN_HOOK(farewell, "Log how long the backend served") {
  spdlog::info("backend served for {:.1f} s", app.state().get<aegis::Overseer>().uptime_seconds());
}
