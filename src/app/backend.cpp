#include <aegis/app/app.hpp>
#include <aegis/app/backend.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

namespace aegis {

namespace {
std::string_view base_name(std::string_view path) noexcept {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
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

namespace detail {
Task<> run_sync_hook(void (*fn)(App&), App& app) {
  fn(app);
  co_return;
}
}  // namespace detail

}  // namespace aegis
