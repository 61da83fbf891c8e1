#include <aegis/aegis.hpp>

AEGIS_SHUTDOWN_HOOK_ASYNC(bye, "Say goodbye at shutdown") { co_return; }
