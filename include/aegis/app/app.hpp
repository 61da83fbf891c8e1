#pragma once

#include <aegis/app/diagnostics.hpp>
#include <aegis/app/health.hpp>
#include <aegis/app/lifecycle.hpp>
#include <aegis/app/middleware.hpp>
#include <aegis/app/state.hpp>
#include <aegis/registries/events.hpp>
#include <aegis/registries/feature_flags.hpp>
#include <aegis/registries/menus.hpp>
#include <aegis/registries/permissions.hpp>
#include <aegis/http/task.hpp>
#include <aegis/net/server_settings.hpp>
#include <aegis/routing/router.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

namespace aegis {

class Request;
class Response;
class Module;

/// The access log that the RequestLogging layer writes: one line per request.
struct AccessLogSettings {
  /// "text", "json" or "off".
  std::string format = "text";
  /// Paths not logged (health probes).
  std::vector<std::string> exclude = {"/health", "/health/ready"};
  /// The file lines are appended to; empty: standard error.
  std::string file;
};

/// The headers the SecurityHeaders layer adds to every response (an empty value leaves one out).
struct SecurityHeadersSettings {
  bool enabled = true;
  std::string content_security_policy =
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
  std::string frame_options = "DENY";
  std::string referrer_policy = "strict-origin-when-cross-origin";
  /// Strict-Transport-Security, sent only on requests that arrived over https.
  std::string strict_transport_security = "max-age=31536000; includeSubDomains";
};

/// Settings of an app; `app_settings_from_env` reads them from `AEGIS_*` variables.
struct AppSettings {
  std::string title = "Aegis";
  std::string version = "0.1.0";
  /// The OpenAPI document's description (Markdown).
  std::string description;
  /// Where the OpenAPI document is served; empty: not served (FastAPI's `openapi_url = None`).
  std::string openapi_url = "/openapi.json";
  /// Where Swagger UI is served; empty: not served. Needs openapi_url.
  std::string docs_url = "/docs";
  /// Descriptions of OpenAPI tags, in the order the document lists them: (tag, description).
  std::vector<std::pair<std::string, std::string>> openapi_tags;
  /// "development" or "production".
  std::string environment = "development";
  /// Answer a path that misses only by a trailing slash with a 307 to the registered form (Starlette's
  /// `redirect_slashes`).
  bool redirect_slashes = true;
  /// Threads of the pool that runs `.blocking()` routes (and, later, database work).
  unsigned blocking_threads = 16;
  /// Jobs that may wait for a blocking thread; beyond this a blocking route answers 503.
  std::size_t blocking_queue = 1024;
  /// Put the exception's message in 500 answers. Refused outside development.
  bool debug = false;
  /// The CorrelationId layer: accept a valid X-Request-ID or generate one, echo it.
  bool request_id = true;
  AccessLogSettings access_log;
  SecurityHeadersSettings security_headers;
  /// Serve /health, /health/ready and /admin/health.
  bool health_endpoints = true;
  /// How long /health/ready and /admin/health reuse a report.
  std::chrono::milliseconds health_cache{1000};
  ServerSettings server;
};

/// Reads the `AEGIS_*` variables (README lists them) over `defaults`; each invalid value is reported by
/// name in `errors`.
AppSettings app_settings_from_env(AppSettings defaults, std::vector<std::string>& errors);

namespace detail {
/// One registered exception handler (see App::add_exception_handler).
struct ExceptionHandlerEntry {
  const std::type_info* type = nullptr;
  const void* (*cast)(const std::exception&) noexcept = nullptr;
  std::exception_ptr null_pointer;              // a thrown `const E*`, to order handlers by derivation
  bool (*catches)(const std::exception_ptr&) = nullptr;  // true when `catch (const E*)` takes it
  std::function<void(const Request&, Response&, const std::exception&)> fn;
  // Set when the app freezes: E is a strict base of HttpError (of RequestValidationError), so the
  // built-in answer for those, registered at their own type, is the more derived and wins.
  bool base_of_http_error = false;
  bool base_of_validation_error = false;
};
}  // namespace detail

/// An Aegis application: its settings, routes, state, dependency providers and exception handlers. There
/// is no global app; several can live in one process. Everything is registered during boot; `freeze()`
/// compiles it, after which the app only serves.
class App {
 public:
  App();
  explicit App(AppSettings settings);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  AppSettings& settings() noexcept;
  const AppSettings& settings() const noexcept;

  /// The app's root router. Adding routes after `freeze()` throws `std::logic_error`.
  Router& router();
  /// `router().include_router(router, options)`.
  void include_router(const Router& router, const IncludeOptions& options = {});

  /// The app's typed state (`app.state().emplace<OrdersState>("orders", ...)`), read by handlers through
  /// `aegis::State<T>`.
  StateStore& state() noexcept;
  const StateStore& state() const noexcept;

  /// Registers the app-wide provider of `Depends<T>` (routers may override it for their routes). See
  /// `Router::provide`.
  template <class T, class F>
  void provide(F&& fn, std::source_location where = std::source_location::current()) {
    router().provide<T>(std::forward<F>(fn), where);
  }

  /// Answers exceptions of type E (and types derived from it) thrown by handlers, dependencies and
  /// middleware with `fn(const Request&, Response&, const E&)`. The most-derived registered type wins.
  /// `HttpError` and `RequestValidationError` have default handlers, registered at those types: a handler
  /// for one of them (or a type derived from it) replaces the default, while one for a base such as
  /// `std::exception` leaves HttpError and 422 answers alone (as Starlette's `Exception` handler does).
  template <class E, class F>
  void add_exception_handler(F fn) {
    static_assert(std::is_base_of_v<std::exception, E>, "aegis: exception handlers handle std::exception types");
    static_assert(std::is_invocable_v<F&, const Request&, Response&, const E&>,
                  "aegis: an exception handler is called as fn(const Request&, Response&, const E&)");
    detail::ExceptionHandlerEntry e;
    e.type = &typeid(E);
    e.cast = [](const std::exception& ex) noexcept -> const void* { return dynamic_cast<const E*>(&ex); };
    e.null_pointer = std::make_exception_ptr(static_cast<const E*>(nullptr));
    e.catches = [](const std::exception_ptr& p) {
      try {
        std::rethrow_exception(p);
      } catch (const E*) {
        return true;
      } catch (...) {
        return false;
      }
    };
    e.fn = [fn = std::move(fn)](const Request& req, Response& res, const std::exception& ex) mutable {
      fn(req, res, static_cast<const E&>(ex));
    };
    add_exception_handler_entry(std::move(e));
  }

  /// Adds middleware T (constructed from its `Options`, or default-constructed) to the LIFO stack: the last
  /// added runs first, as in Starlette. `where` is recorded for introspection unless a discovered
  /// middleware file is being installed (its file is recorded then).
  template <class T>
    requires requires { typename T::Options; }
  void add_middleware(typename T::Options options = {},
                      std::source_location where = std::source_location::current()) {
    add_middleware(std::make_shared<T>(std::move(options)), detail::type_name(typeid(T)), where);
  }
  template <class T>
    requires(!requires { typename T::Options; })
  void add_middleware(std::source_location where = std::source_location::current()) {
    add_middleware(std::make_shared<T>(), detail::type_name(typeid(T)), where);
  }
  /// Adds an existing middleware object (a `Middleware` or an `AsyncMiddleware`).
  void add_middleware(std::shared_ptr<MiddlewareBase> middleware, std::string type_name,
                      std::source_location where = std::source_location::current());

  /// The middleware as requests pass through it, outermost first: the fixed built-ins, then the LIFO
  /// stack. Complete after `freeze()`.
  std::vector<MiddlewareInfo> middleware_stack() const;

  /// Adds a module (explicit registration; AEGIS_MODULE is the discovered form). Modules boot in
  /// create_backend_app: dependency order, phase by phase.
  template <class T, class... A>
  T& add_module(A&&... args) {
    auto module = std::make_shared<T>(std::forward<A>(args)...);
    T& ref = *module;
    add_module(std::shared_ptr<Module>(std::move(module)));
    return ref;
  }
  void add_module(std::shared_ptr<Module> module);
  /// The modules: as added before boot; in boot (dependency) order after create_backend_app.
  const std::vector<std::shared_ptr<Module>>& modules() const noexcept;
  /// Replaces the module list with `sorted` (create_backend_app, after sorting).
  void set_modules(std::vector<std::shared_ptr<Module>> sorted);

  /// The registries modules fill during boot.
  MenuRegistry& menus() noexcept;
  const MenuRegistry& menus() const noexcept;
  PermissionRegistry& permissions() noexcept;
  const PermissionRegistry& permissions() const noexcept;
  FeatureFlagRegistry& feature_flags() noexcept;
  const FeatureFlagRegistry& feature_flags() const noexcept;
  EventBus& events() noexcept;
  const EventBus& events() const noexcept;

  /// The app's health checks (behind /health/ready and /admin/health).
  HealthRegistry& health() noexcept;
  const HealthRegistry& health() const noexcept;

  /// Lifespan hooks: startup hooks run in the order added, shutdown hooks in reverse.
  void add_startup_hook(LifecycleHook hook);
  void add_shutdown_hook(LifecycleHook hook);
  /// Every startup hook (in run order) then every shutdown hook (in run order).
  std::vector<LifecycleHook> lifecycle() const;
  /// Runs the startup hooks. When one throws, the shutdown hooks run (in reverse) and a StartupError
  /// naming the hook is thrown.
  Task<> start();
  /// Runs the shutdown hooks in reverse order; a failing one is logged and the others still run.
  Task<> stop() noexcept;

  /// A command of the app's command line beyond serve/routes/check/health/openapi: `./app NAME ARGS...`
  /// runs fn(app, ARGS) after the settings are read and the app is frozen; its result is the exit code.
  struct Command {
    std::string name;
    std::string summary;
    std::function<int(App&, std::span<const std::string>)> run;
  };
  void add_command(Command command);
  const std::vector<Command>& commands() const noexcept;

  /// What `check` reports: findings recorded during boot and those computed when the app freezes.
  std::vector<Diagnostic> diagnostics() const;
  /// Records a finding (modules and tools add theirs during boot).
  void add_diagnostic(Diagnostic d);

  /// Compiles the routes and prepares every handler: resolves dependency plans and state, checks handlers
  /// against their templates. Throws `std::invalid_argument` naming the route and where it was declared
  /// for a malformed template, a duplicate route, a missing provider or state. Idempotent.
  void freeze();
  bool frozen() const noexcept;

  /// The routes as compiled (after `freeze()`), in registration order.
  std::span<const Router::Route> routes() const noexcept;
  /// The providers route `index` resolves per request (route dependencies first), after `freeze()`.
  std::vector<const detail::Provider*> route_providers(std::size_t index) const;
  /// The OpenAPI 3.1 document, built when the app froze (empty before, or when openapi_url is empty).
  const std::string& openapi() const noexcept;

  /// How clients sign in, for the OpenAPI document: `scheme` is an OpenAPI Security Scheme Object as JSON
  /// (`{"type":"http","scheme":"bearer"}`). Each goes into components.securitySchemes under `name`, and every
  /// operation that needs a principal (Depends<Principal>, require_permission, require_admin_access) lists
  /// them as alternatives. A scheme may carry `"x-aegis-csrf": {"cookie": C, "header": H}`: Swagger UI then
  /// copies cookie C into header H on unsafe requests. aegis::add_session_auth declares its two. Before
  /// freeze(); throws std::invalid_argument for an empty or repeated name or a scheme that is not a JSON
  /// object.
  void add_security_scheme(std::string name, std::string scheme);
  /// The declared schemes, (name, JSON) in declaration order.
  const std::vector<std::pair<std::string, std::string>>& security_schemes() const noexcept;

  /// Answers one request: route it and run its handler, or answer 404, 405 (with `Allow`), the automatic
  /// OPTIONS reply, or the trailing-slash redirect. Exceptions become responses through the exception
  /// handlers (500 for those nobody handles). Returns an empty Task when the answer is complete, or a Task
  /// that completes it. Must be called after `freeze()`, on an I/O thread. Thread-safe.
  Task<> handle(Request& req, Response& res) const;

  /// Turns `e` into a response through the registered exception handlers (the most-derived type wins),
  /// the defaults for HttpError and RequestValidationError, or a 500 carrying the request id (logged).
  void render_exception(const std::exception& e, const Request& req, Response& res) const noexcept;

  /// The router and exception-handler layer alone (the innermost layer of the middleware chain).
  Task<> dispatch(Request& req, Response& res) const;

  /// Internal: while a discovered middleware file installs, the file and description add_middleware records.
  void set_registration_source(std::string file, std::string description = {});

 private:
  void add_exception_handler_entry(detail::ExceptionHandlerEntry entry);
  void add_health_endpoints(Router& r) const;
  Task<> finish_dispatch(Task<> pending, Request& req, Response& res) const;
  Task<> finish_chain(Task<> pending, Request& req, Response& res) const;
  void render_server_error(std::exception_ptr e, const Request& req, Response& res) const noexcept;
  void internal_error(const Request& req, Response& res, const char* what) const noexcept;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The command line every Aegis app shares:
///   serve [--host H] [--port P] [--workers N]   (default) serve until SIGINT/SIGTERM
///   routes                                      print the route table
/// Settings come from the environment first, then the flags. Returns the process exit code: 0 on success,
/// 2 for bad settings or arguments, 1 when the app fails to boot.
int run(int argc, char** argv, App& app);

/// The same, with the app's setup inside: `setup(app)` (use_database, use_auth, create_backend_app, ...)
/// runs first, and an error it throws (an invalid module setting, a bad database URL, a module dependency
/// cycle) is printed as `error: ...` with exit code 1 instead of escaping main.
int run(int argc, char** argv, App& app, const std::function<void(App&)>& setup);

}  // namespace aegis
