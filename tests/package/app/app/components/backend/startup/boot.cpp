#include <aegis/aegis.hpp>

AEGIS_STARTUP_HOOK(boot, "Say hello at boot") {}
