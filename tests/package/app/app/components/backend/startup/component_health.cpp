#include <aegis/aegis.hpp>
#include <aegis/overseer/overseer.hpp>

AEGIS_STARTUP_HOOK(component_health, "Capture what the Overseer shows") {
  app.state().get<aegis::Overseer>().capture(app);
}
