#include "app/services/boot_metadata.hpp"

#include <aegis/app/app.hpp>

#include <set>

namespace app {

void BootMetadata::capture(const aegis::App& app) {
  BackendSummary s;
  s.status = "healthy";
  std::set<std::string> paths;
  for (const auto& r : app.routes()) {
    paths.insert(r.info.path);
    ++s.endpoints;
  }
  s.routes = paths.size();
  for (const auto& m : app.middleware_stack()) {
    ++s.middleware;
    if (m.security_layer) ++s.security_layers;
    s.middleware_stack.push_back(m.type);
  }
  for (const auto& h : app.lifecycle()) {
    (h.kind == aegis::LifecycleHook::Kind::startup ? s.startup_hooks : s.shutdown_hooks).push_back(h.name);
  }
  s.health_checks = app.health().size();
  captured_ = std::move(s);
  started_ = std::chrono::steady_clock::now();
}

BackendSummary BootMetadata::summary() const {
  BackendSummary s = captured_;
  s.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return s;
}

}  // namespace app
