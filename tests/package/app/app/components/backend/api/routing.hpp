#pragma once

#include <aegis/aegis.hpp>

namespace package_app {
void include_routers(aegis::App& app);
}
