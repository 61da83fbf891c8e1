#pragma once

// Modules: simple_module's ten lifecycle hooks in C++. A module is a class with `meta()` and the hooks it
// needs; the framework boots every module in dependency order, one hook at a time across all modules
// (phase-major), so that when any module's hook N runs, every module's hook N-1 has run.

#include <aegis/http/task.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

#ifndef AEGIS_DETAIL_CAT
#define AEGIS_DETAIL_CAT_I(a, b) a##b
#define AEGIS_DETAIL_CAT(a, b) AEGIS_DETAIL_CAT_I(a, b)
#endif

namespace aegis {

class App;
class Router;
class MenuRegistry;
class PermissionRegistry;
class FeatureFlagRegistry;
class EventBus;
class HealthRegistry;

struct ModuleMeta {
  std::string name;          ///< unique; its lower-case form names the module's app state ("orders")
  std::string route_prefix;  ///< documentation only: routes are mounted where register_routes puts them
  std::string view_prefix;   ///< documentation only
  std::vector<std::string> depends_on;  ///< modules that must boot before this one
  std::string version;
};

/// The base of every module. Every hook is a no-op by default: override the ones you need. Hooks run on
/// the boot thread, before the server accepts connections (on_shutdown after it drained); they may throw
/// (a StartupError then names the module and the hook).
class Module {
 public:
  virtual ~Module() = default;

  virtual ModuleMeta meta() const = 0;

  /// Runs first. Load the module's settings (`aegis::load_settings<T>("ORDERS")`) and attach its state to
  /// the app under the module's lower-case name: `app.state().emplace<OrdersState>("orders", ...)`.
  /// Nothing but other modules' settings exists yet. Overriding it without registering state under that
  /// name is diagnostic SM012.
  virtual void register_settings(App& app);
  /// Adds navigation entries (sections SIDEBAR, ADMIN_SIDEBAR, NAVBAR, USER_DROPDOWN); items are filtered
  /// per request by the principal's permissions. Every module's settings exist.
  virtual void register_menu_items(MenuRegistry& registry);
  /// Declares the permission strings the module enforces, grouped for the role admin page.
  virtual void register_permissions(PermissionRegistry& registry);
  /// Declares feature flags with their defaults (overrides are set by admins at run time).
  virtual void register_feature_flags(FeatureFlagRegistry& registry);
  /// Subscribes to events on the in-process bus. Handlers of a base event type also receive its
  /// specialisations.
  virtual void register_event_handlers(EventBus& bus);
  /// Adds health checks behind /health/ready and /admin/health (503 when a critical one fails).
  virtual void register_health_checks(HealthRegistry& registry);
  /// Adds exception handlers (`app.add_exception_handler<E>(...)`): they are global; keep them to types the
  /// module owns.
  virtual void register_exception_handlers(App& app);
  /// Adds middleware (`app.add_middleware<T>(...)`). LIFO: among modules of the same dependency tier, the
  /// module that sorts later wraps outermost. Runs after the app's discovered middleware files.
  virtual void register_middleware(App& app);
  /// Mounts the module's routers: `api` is mounted at /api, `views` at /. ModuleMeta's prefixes are not
  /// applied: write them in include_router. Runs after the app's own include_routers.
  virtual void register_routes(Router& api, Router& views);
  /// Runs after every module is registered, the middleware installed and the app frozen, in dependency
  /// order, before the server accepts connections. A throw aborts the boot: modules already started get
  /// on_shutdown, in reverse.
  virtual Task<> on_startup();
  /// Runs after the server drained in-flight requests, in reverse dependency order. A throw is logged and
  /// the other modules still shut down.
  virtual Task<> on_shutdown();

  /// The hooks whose default (no-op) body ran: what diagnostics SM007 and SM012 read.
  enum Hook : std::uint16_t {
    kSettings = 1 << 0,
    kMenuItems = 1 << 1,
    kPermissions = 1 << 2,
    kFeatureFlags = 1 << 3,
    kEventHandlers = 1 << 4,
    kHealthChecks = 1 << 5,
    kExceptionHandlers = 1 << 6,
    kMiddleware = 1 << 7,
    kRoutes = 1 << 8,
    kStartup = 1 << 9,
    kShutdown = 1 << 10,
    kAll = (1 << 11) - 1,
  };
  std::uint16_t defaults_ran() const noexcept { return defaults_ran_; }

 private:
  std::uint16_t defaults_ran_ = 0;
};

namespace detail {
/// What AEGIS_MODULE registers: a factory, with the type's name for messages.
struct ModuleRegistration {
  std::string type_name;
  std::string file;
  std::unique_ptr<Module> (*make)();
};
/// The modules AEGIS_MODULE registered in this executable (a function-local registry).
std::vector<ModuleRegistration>& discovered_modules();
struct ModuleRegistrar {
  explicit ModuleRegistrar(ModuleRegistration r) { discovered_modules().push_back(std::move(r)); }
};
std::string module_type_name(const char* mangled);
}  // namespace detail

}  // namespace aegis

/// Registers module type T for discovery (create_backend_app instantiates it). Put it in the module's .cpp
/// at namespace scope; the file must be compiled into the executable. AEGIS_MODULES_ENABLED=Users,Orders
/// selects a subset by module name.
#define AEGIS_MODULE(Type)                                                                                \
  static const ::aegis::detail::ModuleRegistrar AEGIS_DETAIL_CAT(aegis_module_registrar_, __LINE__){       \
      ::aegis::detail::ModuleRegistration{::aegis::detail::module_type_name(typeid(Type).name()), __FILE__, \
                                          []() -> std::unique_ptr<::aegis::Module> {                      \
                                            return std::make_unique<Type>();                              \
                                          }}}
