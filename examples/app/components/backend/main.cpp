// The example app's entry point: build the app, register its routers, hand it to aegis::run.
#include <aegis/aegis.hpp>

#include "app/components/backend/api/routing.hpp"

int main(int argc, char** argv) {
  aegis::App app(aegis::AppSettings{.title = "Aegis example"});
  app::include_routers(app);
  return aegis::run(argc, argv, app);
}
