#include <aegis/app/app.hpp>
#include <aegis/app/backend.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

namespace aegis {

namespace {
std::atomic<App*> configured_app{nullptr};

std::string_view base_name(std::string_view path) noexcept {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The folder and file ("middleware/cors.cpp") that messages and introspection show.
std::string short_file(std::string_view path) {
  const std::size_t last = path.find_last_of('/');
  if (last == std::string_view::npos || last == 0) return std::string(path);
  const std::size_t before = path.find_last_of('/', last - 1);
  return std::string(before == std::string_view::npos ? path : path.substr(before + 1));
}
}  // namespace

void BackendHooks::add(BackendHook hook) { hooks_.push_back(std::move(hook)); }

std::vector<BackendHook> BackendHooks::of(BackendHook::Kind kind) const {
  std::vector<BackendHook> out;
  for (const auto& h : hooks_) {
    if (h.kind == kind) out.push_back(h);
  }
  // Discovery order is the file name's, never static-initialisation order.
  std::stable_sort(out.begin(), out.end(), [](const BackendHook& a, const BackendHook& b) {
    const auto fa = base_name(a.file), fb = base_name(b.file);
    return fa != fb ? fa < fb : a.name < b.name;
  });
  return out;
}

BackendHooks& BackendHooks::discovered() {
  static BackendHooks hooks;
  return hooks;
}

App& create_backend_app(App& app, IncludeRouters include_routers) {
  return create_backend_app(app, include_routers, BackendHooks::discovered());
}

App& create_backend_app(App& app, IncludeRouters include_routers, const BackendHooks& hooks) {
  configured_app.store(&app);
  for (const auto& hook : hooks.of(BackendHook::Kind::middleware)) {
    const std::string file = short_file(hook.file);
    spdlog::debug("middleware file {}", file);
    app.set_registration_source(file);
    try {
      hook.install(app);
    } catch (const std::exception& e) {
      app.set_registration_source({});
      throw StartupError("middleware file " + file + " (" + hook.name + ") failed: " + e.what());
    }
    app.set_registration_source({});
  }
  for (const auto& hook : hooks.of(BackendHook::Kind::startup)) {
    app.add_startup_hook({LifecycleHook::Kind::startup, hook.name, hook.description, short_file(hook.file), 0, hook.run});
  }
  for (const auto& hook : hooks.of(BackendHook::Kind::shutdown)) {
    app.add_shutdown_hook({LifecycleHook::Kind::shutdown, hook.name, hook.description, short_file(hook.file), 0, hook.run});
  }
  if (include_routers != nullptr) include_routers(app);
  return app;
}

App* get_configured_app() noexcept { return configured_app.load(); }

namespace detail {
Task<> run_sync_hook(void (*fn)(App&), App& app) {
  fn(app);
  co_return;
}
}  // namespace detail

}  // namespace aegis
