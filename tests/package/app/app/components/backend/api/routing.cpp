#include "app/components/backend/api/routing.hpp"

#include <aegis/overseer/overseer.hpp>

namespace package_app {

void include_routers(aegis::App& app) {
  aegis::Router r;
  r.get("/hello/{name}", [](aegis::Path<std::string, "name"> name) { return "hello " + *name; }).summary("Greet");
  app.include_router(r, {.prefix = "/api", .tags = {"greeting"}});
  app.include_router(aegis::overseer_router(app));
}

}  // namespace package_app
