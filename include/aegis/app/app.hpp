#pragma once

#include <aegis/app/state.hpp>
#include <aegis/http/task.hpp>
#include <aegis/net/server_settings.hpp>
#include <aegis/routing/router.hpp>

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

/// Settings of an app; `app_settings_from_env` reads them from `AEGIS_*` variables.
struct AppSettings {
  std::string title = "Aegis";
  std::string version = "0.1.0";
  /// "development" or "production".
  std::string environment = "development";
  /// Answer a path that misses only by a trailing slash with a 307 to the registered form (Starlette's
  /// `redirect_slashes`).
  bool redirect_slashes = true;
  /// Threads of the pool that runs `.blocking()` routes (and, later, database work).
  unsigned blocking_threads = 16;
  /// Jobs that may wait for a blocking thread; beyond this a blocking route answers 503.
  std::size_t blocking_queue = 1024;
  ServerSettings server;
};

/// Reads `AEGIS_TITLE`, `AEGIS_ENVIRONMENT`, `AEGIS_REDIRECT_SLASHES`, `AEGIS_BLOCKING_THREADS`,
/// `AEGIS_BLOCKING_QUEUE` and every server variable over `defaults`; each invalid value is reported by name
/// in `errors`.
AppSettings app_settings_from_env(AppSettings defaults, std::vector<std::string>& errors);

namespace detail {
/// One registered exception handler (see App::add_exception_handler).
struct ExceptionHandlerEntry {
  const std::type_info* type = nullptr;
  const void* (*cast)(const std::exception&) noexcept = nullptr;
  std::exception_ptr null_pointer;              // a thrown `const E*`, to order handlers by derivation
  bool (*catches)(const std::exception_ptr&) = nullptr;  // true when `catch (const E*)` takes it
  std::function<void(const Request&, Response&, const std::exception&)> fn;
};
}  // namespace detail

/// An Aegis application: its settings, routes, state, dependency providers and exception handlers. There
/// is no global app; several can live in one process. Everything is registered during boot; `freeze()`
/// compiles it, after which the app only serves.
class App {
 public:
  explicit App(AppSettings settings = {});
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
  /// `HttpError` and `RequestValidationError` have default handlers that a registration replaces.
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

  /// Compiles the routes and prepares every handler: resolves dependency plans and state, checks handlers
  /// against their templates. Throws `std::invalid_argument` naming the route and where it was declared
  /// for a malformed template, a duplicate route, a missing provider or state. Idempotent.
  void freeze();
  bool frozen() const noexcept;

  /// The routes as compiled (after `freeze()`), in registration order.
  std::span<const Router::Route> routes() const noexcept;

  /// Answers one request: route it and run its handler, or answer 404, 405 (with `Allow`), the automatic
  /// OPTIONS reply, or the trailing-slash redirect. Exceptions become responses through the exception
  /// handlers (500 for those nobody handles). Returns an empty Task when the answer is complete, or a Task
  /// that completes it. Must be called after `freeze()`, on an I/O thread. Thread-safe.
  Task<> handle(Request& req, Response& res) const;

  /// Turns `e` into a response through the registered exception handlers (the most-derived type wins),
  /// the defaults for HttpError and RequestValidationError, or a 500.
  void render_exception(const std::exception& e, const Request& req, Response& res) const noexcept;

 private:
  void add_exception_handler_entry(detail::ExceptionHandlerEntry entry);
  Task<> finish(Task<> pending, Request& req, Response& res) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The command line every Aegis app shares:
///   serve [--host H] [--port P] [--workers N]   (default) serve until SIGINT/SIGTERM
///   routes                                      print the route table
/// Settings come from the environment first, then the flags. Returns the process exit code: 0 on success,
/// 2 for bad settings or arguments, 1 when the app fails to boot.
int run(int argc, char** argv, App& app);

}  // namespace aegis
