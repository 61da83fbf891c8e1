// The example app's entry point: build the app, let the app factory install the discovered middleware and
// hooks and include the routers, inside aegis::run so that a setup error is reported, not thrown out of main.
#include <aegis/aegis.hpp>
#include <aegis/auth/auth.hpp>
#include <aegis/overseer/overseer.hpp>

#include "app/components/backend/api/routing.hpp"

int main(int argc, char** argv) {
  aegis::AppSettings settings;
  settings.title = "Aegis example";
  aegis::App app(std::move(settings));
  return aegis::run(argc, argv, app, [](aegis::App& app) {
    aegis::use_database(app);  // AEGIS_DATABASE_URL, default sqlite:///./aegis.db
    // Users, sessions, roles, persisted flag overrides; `./app users create-admin`. The frontend's development
    // server, which middleware/cors.cpp lets call the API, may also send signed-in writes: its origins are
    // trusted unless AEGIS_TRUSTED_ORIGINS names others.
    std::vector<std::string> errors;
    aegis::AuthSettings auth = aegis::auth_settings_from_env(
        {.trusted_origins = {"http://localhost:5173", "http://127.0.0.1:5173"}}, errors);
    if (!errors.empty()) {
      std::string all = "invalid authentication settings:";
      for (const auto& e : errors) all += "\n  " + e;
      throw aegis::StartupError(all);
    }
    aegis::use_auth(app, std::move(auth));
    aegis::use_overseer(app);  // the /overseer dashboard's state; captured by startup/component_health.cpp
    auto& data = app.state().emplace<app::DataService>("data_service");
    app.health().add("data_service", [&data] {
      return data.running() ? aegis::HealthStatus::healthy() : aegis::HealthStatus::failing("stopped");
    });
    aegis::create_backend_app(app, app::include_routers);
  });
}
