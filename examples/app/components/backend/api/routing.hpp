#pragma once

#include <aegis/aegis.hpp>

#include "app/services/boot_metadata.hpp"
#include "app/services/data_service.hpp"

namespace app {

/// THE explicit router registry: every router the app serves is included here and nowhere else.
void include_routers(aegis::App& app);

aegis::Router health_router();
aegis::Router data_router();
aegis::Router benchmark_router();

}  // namespace app
