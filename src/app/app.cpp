#include <aegis/app/app.hpp>

#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/validation.hpp>

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "handlers/blocking.hpp"
#include "http/access.hpp"
#include "routing/route_table.hpp"

namespace aegis {

struct App::Impl final : detail::EndpointHost {
  AppSettings settings;
  Router router;
  StateStore state_store;
  std::vector<detail::ExceptionHandlerEntry> exception_handlers;
  std::vector<Router::Route> frozen_routes;
  std::vector<std::unique_ptr<detail::Invoker>> invokers;  // parallel to frozen_routes
  std::unique_ptr<routing::RouteTable> table;
  mutable std::unique_ptr<detail::BlockingPool> pool;
  const App* app = nullptr;

  void* state(detail::TypeKey key) const override { return state_store.find(key); }
  detail::BlockingPool& blocking_pool() const override {
    // Created at boot, by the first route that needs it.
    if (!pool) pool = std::make_unique<detail::BlockingPool>(settings.blocking_threads, settings.blocking_queue);
    return *pool;
  }
  void render_validation_error(Request& req, Response& res, const RequestValidationError& e) const override {
    app->render_exception(e, req, res);
  }
};

namespace {

// The path part of a request target as received (still percent-encoded), for redirects.
std::string_view raw_path_of(std::string_view target) noexcept {
  if (!target.empty() && target.front() != '/') {
    const std::size_t authority = target.find("//");
    const std::size_t slash = authority == std::string_view::npos ? authority : target.find('/', authority + 2);
    if (slash == std::string_view::npos) return "/";
    target = target.substr(slash);
  }
  return target.substr(0, target.find_first_of("?#"));
}

constexpr std::string_view kAllMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

}  // namespace

AppSettings app_settings_from_env(AppSettings s, std::vector<std::string>& errors) {
  if (const char* v = std::getenv("AEGIS_TITLE")) s.title = v;
  if (const char* v = std::getenv("AEGIS_ENVIRONMENT")) {
    std::string_view env(v);
    if (env == "development" || env == "production") {
      s.environment = env;
    } else {
      errors.push_back("AEGIS_ENVIRONMENT: expected 'development' or 'production', got '" + std::string(env) + "'");
    }
  }
  auto read_count = [&](const char* name, std::size_t min, std::size_t max, auto& out) {
    const char* v = std::getenv(name);
    if (v == nullptr) return;
    std::string_view text(v);
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < min || n > max) {
      errors.push_back(std::string(name) + ": expected an integer from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got '" + std::string(text) + "'");
      return;
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(n);
  };
  read_count("AEGIS_BLOCKING_THREADS", 1, 1024, s.blocking_threads);
  read_count("AEGIS_BLOCKING_QUEUE", 0, 1'000'000, s.blocking_queue);
  if (const char* v = std::getenv("AEGIS_REDIRECT_SLASHES")) {
    std::string_view b(v);
    if (b == "1" || b == "true") {
      s.redirect_slashes = true;
    } else if (b == "0" || b == "false") {
      s.redirect_slashes = false;
    } else {
      errors.push_back("AEGIS_REDIRECT_SLASHES: expected true/false/1/0, got '" + std::string(b) + "'");
    }
  }
  s.server = server_settings_from_env(std::move(s.server), errors);
  return s;
}

App::App(AppSettings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  impl_->app = this;
}

App::~App() = default;

AppSettings& App::settings() noexcept { return impl_->settings; }
const AppSettings& App::settings() const noexcept { return impl_->settings; }

Router& App::router() {
  if (impl_->table) throw std::logic_error("routes cannot be added after the app is frozen");
  return impl_->router;
}

void App::include_router(const Router& router, const IncludeOptions& options) {
  this->router().include_router(router, options);
}

StateStore& App::state() noexcept { return impl_->state_store; }
const StateStore& App::state() const noexcept { return impl_->state_store; }

void App::add_exception_handler_entry(detail::ExceptionHandlerEntry entry) {
  if (impl_->table) throw std::logic_error("exception handlers cannot be added after the app is frozen");
  for (auto& existing : impl_->exception_handlers) {
    if (*existing.type == *entry.type) {
      existing = std::move(entry);  // the later registration replaces the earlier one
      return;
    }
  }
  impl_->exception_handlers.push_back(std::move(entry));
}

namespace {

std::string where(const Router::Route& r) {
  return std::string(to_string(r.info.method)) + " " + r.info.path + " (" + r.info.file + ":" +
         std::to_string(r.info.line) + ")";
}

// Orders handlers so that a type comes before every type it derives from: the first match is then the
// most-derived registered type.
void order_by_derivation(std::vector<detail::ExceptionHandlerEntry>& handlers) {
  std::vector<detail::ExceptionHandlerEntry> ordered;
  while (!handlers.empty()) {
    // Take a handler no remaining handler derives from... that is, one with no remaining subclass.
    std::size_t pick = 0;
    for (std::size_t i = 0; i < handlers.size(); ++i) {
      bool has_subclass = false;
      for (std::size_t j = 0; j < handlers.size() && !has_subclass; ++j) {
        has_subclass = j != i && handlers[i].catches(handlers[j].null_pointer);
      }
      if (!has_subclass) {
        pick = i;
        break;
      }
    }
    ordered.push_back(std::move(handlers[pick]));
    handlers.erase(handlers.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  handlers = std::move(ordered);
}

}  // namespace

void App::freeze() {
  if (impl_->table) return;
  std::vector<Router::Route> routes(impl_->router.routes().begin(), impl_->router.routes().end());
  const auto app_providers = impl_->router.providers();
  for (auto& r : routes) {
    if (r.info.name.empty()) r.info.name = default_route_name(r.info.method, r.info.path);
    r.providers.insert(r.providers.end(), app_providers.begin(), app_providers.end());
  }
  // The table points into the routes it compiles, so it is built over their final home.
  impl_->frozen_routes = std::move(routes);
  try {
    impl_->table = std::make_unique<routing::RouteTable>(impl_->frozen_routes, impl_->settings.redirect_slashes);
    impl_->invokers.clear();
    for (const auto& r : impl_->frozen_routes) {
      const std::string at = where(r);
      detail::EndpointSetup setup{*impl_, r.info.method, r.info.path, at, r.info.status, r.info.blocking,
                                  r.providers, r.dependencies};
      impl_->invokers.push_back(r.endpoint->prepare(setup));
    }
  } catch (...) {
    impl_->table.reset();
    impl_->invokers.clear();
    impl_->frozen_routes.clear();
    throw;
  }
  order_by_derivation(impl_->exception_handlers);
  impl_->state_store.freeze();
}

bool App::frozen() const noexcept { return impl_->table != nullptr; }

std::span<const Router::Route> App::routes() const noexcept { return impl_->frozen_routes; }

Task<> App::handle(Request& req, Response& res) const {
  if (!impl_->table) throw std::logic_error("App::handle called before freeze()");
  if (req.path() == "*") {
    // OPTIONS * asks about the server as a whole.
    res.set_status(204);
    res.set_header("Allow", kAllMethods);
    return {};
  }
  const routing::Match m = impl_->table->match(req.method(), req.path(), detail::RequestAccess::path_params(req));
  switch (m.kind) {
    case routing::MatchKind::found: {
      const auto index = static_cast<std::size_t>(m.endpoint->route - impl_->frozen_routes.data());
      try {
        Task<> pending = impl_->invokers[index]->invoke(req, res);
        if (pending.valid()) return finish(std::move(pending), req, res);
      } catch (const std::exception& e) {
        render_exception(e, req, res);
      } catch (...) {
        spdlog::error("{} {}: unhandled non-standard exception", req.method_name(), req.path());
        res.clear();
        res.error(500, "Internal Server Error");
      }
      return {};
    }
    case routing::MatchKind::method_not_allowed:
      res.error(405, "Method Not Allowed");
      res.set_header("Allow", m.allow);
      return {};
    case routing::MatchKind::options:
      res.set_status(204);
      res.set_header("Allow", m.allow);
      return {};
    case routing::MatchKind::redirect: {
      std::string location = routing::RouteTable::redirect_target(raw_path_of(req.target()));
      if (!req.query_string().empty()) {
        location.push_back('?');
        location.append(req.query_string());
      }
      res.set_status(307);
      res.set_header("Location", location);
      return {};
    }
    case routing::MatchKind::not_found:
      res.error(404, "Not Found");
      return {};
  }
  return {};
}

Task<> App::finish(Task<> pending, Request& req, Response& res) const {
  std::exception_ptr error;
  try {
    co_await std::move(pending);
  } catch (...) {
    error = std::current_exception();
  }
  if (!error) co_return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    render_exception(e, req, res);
  } catch (...) {
    spdlog::error("{} {}: unhandled non-standard exception", req.method_name(), req.path());
    res.clear();
    res.error(500, "Internal Server Error");
  }
}

void App::render_exception(const std::exception& e, const Request& req, Response& res) const noexcept {
  try {
    for (const auto& h : impl_->exception_handlers) {
      if (h.cast(e) != nullptr) {
        res.clear();
        h.fn(req, res, e);
        return;
      }
    }
    if (const auto* http = dynamic_cast<const HttpError*>(&e)) {
      res.clear();
      res.error(http->status(), http->detail());
      for (const auto& [name, value] : http->headers()) res.add_header(name, value);
      return;
    }
    if (const auto* invalid = dynamic_cast<const RequestValidationError*>(&e)) {
      res.clear();
      res.json_text(invalid->body(), 422);
      return;
    }
    spdlog::error("{} {}: unhandled exception: {}", req.method_name(), req.path(), e.what());
  } catch (const std::exception& inner) {
    spdlog::error("{} {}: answering an exception failed: {}", req.method_name(), req.path(), inner.what());
  } catch (...) {
    spdlog::error("{} {}: answering an exception failed", req.method_name(), req.path());
  }
  res.clear();
  res.error(500, "Internal Server Error");
}

}  // namespace aegis
