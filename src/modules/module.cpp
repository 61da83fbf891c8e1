#include <aegis/modules/module.hpp>

#include <boost/core/demangle.hpp>

namespace aegis {

namespace {
// A finished no-op for the default lifespan hooks.
Task<> nothing() { co_return; }
}  // namespace

// The default bodies record that they ran: a module whose every default ran overrides nothing (SM007).
// on_startup/on_shutdown are plain functions returning a Task, so that calling them records the fact
// without running anything.
void Module::register_settings(App&) { defaults_ran_ |= kSettings; }
void Module::register_menu_items(MenuRegistry&) { defaults_ran_ |= kMenuItems; }
void Module::register_permissions(PermissionRegistry&) { defaults_ran_ |= kPermissions; }
void Module::register_feature_flags(FeatureFlagRegistry&) { defaults_ran_ |= kFeatureFlags; }
void Module::register_event_handlers(EventBus&) { defaults_ran_ |= kEventHandlers; }
void Module::register_health_checks(HealthRegistry&) { defaults_ran_ |= kHealthChecks; }
void Module::register_exception_handlers(App&) { defaults_ran_ |= kExceptionHandlers; }
void Module::register_middleware(App&) { defaults_ran_ |= kMiddleware; }
void Module::register_routes(Router&, Router&) { defaults_ran_ |= kRoutes; }
Task<> Module::on_startup() {
  defaults_ran_ |= kStartup;
  return nothing();
}
Task<> Module::on_shutdown() {
  defaults_ran_ |= kShutdown;
  return nothing();
}

namespace detail {

std::vector<ModuleRegistration>& discovered_modules() {
  static std::vector<ModuleRegistration> modules;
  return modules;
}

std::string module_type_name(const char* mangled) { return boost::core::demangle(mangled); }

}  // namespace detail
}  // namespace aegis
