// Starts the data service (its health check is registered with the app in main.cpp, before boot, so that
// everything that lists the checks at boot sees it).
#include <aegis/aegis.hpp>

#include "app/services/data_service.hpp"

AEGIS_STARTUP_HOOK(data_service, "Start the data service") { app.state().get<app::DataService>().start(); }
