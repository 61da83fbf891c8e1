#pragma once

// The Aegis Stack composition: an app factory, drop-in middleware and lifecycle hooks discovered from
// files, and one explicit router registry.
//
//     // app/components/backend/middleware/cors.cpp
//     AEGIS_MIDDLEWARE(cors, "Let the frontend's origin call the API") {
//       app.add_middleware<aegis::Cors>({.allow_origins = {"http://localhost:5173"}});
//     }
//
//     // app/components/backend/startup/database.cpp
//     AEGIS_STARTUP_HOOK(database, "Open the connection pool") { ... }
//
//     // app/components/backend/main.cpp
//     int main(int argc, char** argv) {
//       aegis::App app;
//       aegis::create_backend_app(app, app::include_routers);
//       return aegis::run(argc, argv, app);
//     }
//
// `aegis_add_backend(target DIR)` (CMake) compiles every DIR/middleware, DIR/startup and DIR/shutdown file
// into the executable, so "drop the file and rebuild" is the whole contract.

#include <aegis/app/lifecycle.hpp>
#include <aegis/http/task.hpp>

#include <functional>
#include <string>
#include <vector>

namespace aegis {

class App;

/// One discovered (or explicitly listed) middleware file or lifecycle hook.
struct BackendHook {
  enum class Kind { middleware, startup, shutdown };
  Kind kind = Kind::middleware;
  std::string name;
  std::string file;
  std::string description;
  /// For middleware: adds its middleware to the app.
  std::function<void(App&)> install;
  /// For startup and shutdown hooks.
  std::function<Task<>(App&)> run;
};

/// A list of backend hooks. `discovered()` is what the AEGIS_* macros registered in this executable;
/// tests build their own lists.
class BackendHooks {
 public:
  void add(BackendHook hook);
  /// The hooks of `kind`, in discovery order: by the file's name, then by the hook's name.
  std::vector<BackendHook> of(BackendHook::Kind kind) const;
  bool empty() const noexcept { return hooks_.empty(); }

  /// The hooks the AEGIS_MIDDLEWARE / AEGIS_STARTUP_HOOK / AEGIS_SHUTDOWN_HOOK macros registered.
  static BackendHooks& discovered();

 private:
  std::vector<BackendHook> hooks_;
};

using IncludeRouters = void (*)(App&);

/// The app factory: records `app` for `get_configured_app()`, installs the discovered middleware (in file
/// order; a registration that throws stops the boot with a StartupError naming its file), registers the
/// startup and shutdown hooks with the app's lifespan, then calls the explicit router registry.
App& create_backend_app(App& app, IncludeRouters include_routers);
/// The same with an explicit list of hooks instead of the discovered ones.
App& create_backend_app(App& app, IncludeRouters include_routers, const BackendHooks& hooks);

/// The app `create_backend_app` most recently configured, or null: for introspection tools only.
App* get_configured_app() noexcept;

namespace detail {
struct HookRegistrar {
  explicit HookRegistrar(BackendHook hook) { BackendHooks::discovered().add(std::move(hook)); }
};
Task<> run_sync_hook(void (*fn)(App&), App& app);
}  // namespace detail

}  // namespace aegis

#define AEGIS_DETAIL_CAT_I(a, b) a##b
#define AEGIS_DETAIL_CAT(a, b) AEGIS_DETAIL_CAT_I(a, b)

/// A drop-in middleware file: the body adds middleware to `app` (`app.add_middleware<T>(...)`).
#define AEGIS_MIDDLEWARE(name, description)                                                              \
  static void AEGIS_DETAIL_CAT(aegis_middleware_, name)(::aegis::App & app);                              \
  static const ::aegis::detail::HookRegistrar AEGIS_DETAIL_CAT(aegis_middleware_registrar_, name){         \
      ::aegis::BackendHook{::aegis::BackendHook::Kind::middleware, #name, __FILE__, description,          \
                           &AEGIS_DETAIL_CAT(aegis_middleware_, name), {}}};                              \
  static void AEGIS_DETAIL_CAT(aegis_middleware_, name)([[maybe_unused]] ::aegis::App & app)

#define AEGIS_DETAIL_SYNC_HOOK(kind, prefix, name, description)                                          \
  static void AEGIS_DETAIL_CAT(prefix, name)(::aegis::App & app);                                         \
  static const ::aegis::detail::HookRegistrar AEGIS_DETAIL_CAT(prefix##registrar_, name){                 \
      ::aegis::BackendHook{::aegis::BackendHook::Kind::kind, #name, __FILE__, description, {},            \
                           [](::aegis::App& a) { return ::aegis::detail::run_sync_hook(                   \
                                                         &AEGIS_DETAIL_CAT(prefix, name), a); }}};        \
  static void AEGIS_DETAIL_CAT(prefix, name)([[maybe_unused]] ::aegis::App & app)

#define AEGIS_DETAIL_ASYNC_HOOK(kind, prefix, name, description)                                         \
  static ::aegis::Task<> AEGIS_DETAIL_CAT(prefix, name)(::aegis::App & app);                              \
  static const ::aegis::detail::HookRegistrar AEGIS_DETAIL_CAT(prefix##registrar_, name){                 \
      ::aegis::BackendHook{::aegis::BackendHook::Kind::kind, #name, __FILE__, description, {},            \
                           &AEGIS_DETAIL_CAT(prefix, name)}};                                             \
  static ::aegis::Task<> AEGIS_DETAIL_CAT(prefix, name)([[maybe_unused]] ::aegis::App & app)

/// A drop-in startup hook (runs at boot, in file order, before the server accepts connections).
#define AEGIS_STARTUP_HOOK(name, description) AEGIS_DETAIL_SYNC_HOOK(startup, aegis_startup_, name, description)
/// The coroutine form: the body may `co_await` and must `co_return`.
#define AEGIS_STARTUP_HOOK_ASYNC(name, description) \
  AEGIS_DETAIL_ASYNC_HOOK(startup, aegis_startup_, name, description)
/// A drop-in shutdown hook (runs after in-flight requests drained, in reverse file order).
#define AEGIS_SHUTDOWN_HOOK(name, description) AEGIS_DETAIL_SYNC_HOOK(shutdown, aegis_shutdown_, name, description)
#define AEGIS_SHUTDOWN_HOOK_ASYNC(name, description) \
  AEGIS_DETAIL_ASYNC_HOOK(shutdown, aegis_shutdown_, name, description)
