#pragma once

#include <aegis/net/server_settings.hpp>
#include <aegis/routing/router.hpp>

#include <memory>
#include <span>
#include <string>
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
  ServerSettings server;
};

/// Reads `AEGIS_TITLE`, `AEGIS_ENVIRONMENT`, `AEGIS_REDIRECT_SLASHES` and every server variable over
/// `defaults`; each invalid value is reported by name in `errors`.
AppSettings app_settings_from_env(AppSettings defaults, std::vector<std::string>& errors);

/// An Aegis application: its settings and its routes. There is no global app; several can live in one
/// process. Routes are added during boot; `freeze()` compiles them, after which the app only serves.
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

  /// Compiles the routes. Throws `std::invalid_argument` for a malformed template or a duplicate route,
  /// naming the route(s) and where they were declared. Idempotent.
  void freeze();
  bool frozen() const noexcept;

  /// The routes as compiled (after `freeze()`), in registration order.
  std::span<const Router::Route> routes() const noexcept;

  /// Answers one request: route it and run its handler, or answer 404, 405 (with `Allow`), the automatic
  /// OPTIONS reply, or the trailing-slash redirect. Must be called after `freeze()`. Thread-safe.
  void handle(Request& req, Response& res) const;

 private:
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
