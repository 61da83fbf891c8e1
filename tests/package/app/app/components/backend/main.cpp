#include <aegis/aegis.hpp>
#include <aegis/overseer/overseer.hpp>

#include "app/components/backend/api/routing.hpp"

int main(int argc, char** argv) {
  aegis::App app;
  aegis::use_overseer(app);
  aegis::create_backend_app(app, package_app::include_routers);
  return aegis::run(argc, argv, app);
}
