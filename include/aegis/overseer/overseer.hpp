#pragma once

// The Overseer: a dashboard of the running app at /overseer (embedded, no CDN) and its JSON API under
// /overseer/api/: components with their health, the app's structure captured at boot (routes, middleware,
// lifecycle, modules) and live host metrics.
//
//     // main.cpp
//     aegis::use_overseer(app);
//     // startup/component_health.cpp: what the backend registered, captured once
//     AEGIS_STARTUP_HOOK(component_health, "...") { app.state().get<aegis::Overseer>().capture(app); }
//     // api/routing.cpp
//     app.include_router(aegis::overseer_router(app));
//
// Every Overseer route needs the permission overseer.view (in development, loopback clients may look
// without logging in; see require_admin).

#include <aegis/app/app.hpp>

#include <memory>
#include <string>

namespace aegis {

struct OverseerOptions {
  /// The folder whose disk the metrics report; empty: the folder of the app's SQLite database when there
  /// is one, else the working directory.
  std::string data_dir;
};

/// The Overseer's state (app state "aegis.overseer").
class Overseer {
 public:
  explicit Overseer(OverseerOptions options);
  ~Overseer();
  Overseer(const Overseer&) = delete;
  Overseer& operator=(const Overseer&) = delete;

  /// Captures the app's structure through the introspection API: routes (with their tags, parameters,
  /// response models and dependencies), the middleware stack, the lifecycle hooks, modules and health
  /// checks. Call it once, after the app froze and before it serves (a startup hook): requests then read
  /// the capture without a lock. A second call throws `std::logic_error`.
  void capture(const App& app);
  bool captured() const noexcept;

  /// The numbers of the Overview tab.
  struct Summary {
    std::size_t routes = 0;     ///< distinct paths
    std::size_t endpoints = 0;  ///< methods summed over the paths
    std::size_t middleware = 0;
    std::size_t security_layers = 0;
  };
  Summary summary() const noexcept;
  /// Seconds since the Overseer was made (at boot).
  double uptime_seconds() const noexcept;

  /// The captured structure as the /overseer/api/metadata JSON (empty before capture).
  const std::string& metadata_json() const noexcept;
  /// Host and process metrics, read now from /proc and statvfs, as the /overseer/api/metrics JSON.
  std::string metrics_json() const;
  const OverseerOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Puts an Overseer in the app state (once; later calls return it).
Overseer& use_overseer(App& app, OverseerOptions options = {});

/// GET /overseer, its assets, /overseer/api/components, /overseer/api/metadata and /overseer/api/metrics.
/// Needs use_overseer.
Router overseer_router(App& app);

}  // namespace aegis
