#include <aegis/app/app.hpp>

#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>
#include <aegis/json/validation.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include <aegis/app/guards.hpp>
#include "app/chain.hpp"
#include "handlers/blocking.hpp"
#include "http/access.hpp"
#include "http/url.hpp"
#include "openapi/document.hpp"
#include "routing/route_table.hpp"

namespace aegis {

namespace detail {
/// The routes of /openapi.json and /docs (src/openapi/docs.cpp), serving `document` (filled later).
void add_docs_routes(Router& router, const AppSettings& settings, const std::string* document,
                     const std::vector<std::pair<std::string, std::string>>& security_schemes);
/// The fixed layers around the LIFO stack (src/middleware/builtins.cpp): CorrelationId, RequestLogging,
/// SecurityHeaders, each as the settings configure it.
std::vector<ChainEntry> builtin_middleware(const AppSettings& settings);
}  // namespace detail

struct App::Impl final : detail::EndpointHost {
  AppSettings settings;
  Router router;
  StateStore state_store;
  HealthRegistry health;
  MenuRegistry menus;
  PermissionRegistry permissions;
  FeatureFlagRegistry feature_flags;
  EventBus events;
  std::vector<std::shared_ptr<Module>> modules;
  std::vector<detail::ExceptionHandlerEntry> exception_handlers;
  std::vector<detail::ChainEntry> added_middleware;  // in add order; the stack runs them in reverse
  std::string registration_source;
  std::string registration_description;
  std::vector<LifecycleHook> startup_hooks;
  std::vector<LifecycleHook> shutdown_hooks;
  std::vector<Diagnostic> diagnostics;
  std::vector<Command> commands;
  std::vector<std::pair<std::string, std::string>> security_schemes;
  std::vector<Router::Route> frozen_routes;
  std::vector<std::unique_ptr<detail::Invoker>> invokers;  // parallel to frozen_routes
  std::unique_ptr<routing::RouteTable> table;
  std::unique_ptr<detail::MiddlewareChain> chain;
  LivenessReport liveness;  // the constant /health answer
  std::string openapi;      // the document, built at the end of freeze
  mutable std::unique_ptr<detail::BlockingPool> pool;
  const App* app = nullptr;

  void* state(detail::TypeKey key) const override { return state_store.find(key); }
  detail::BlockingPool& blocking_pool() const override {
    // Created at boot, by the first route that needs it.
    if (!pool) pool = std::make_unique<detail::BlockingPool>("aegis-blocking", settings.blocking_threads,
                                                                  settings.blocking_queue);
    return *pool;
  }
  void render_validation_error(Request& req, Response& res, const RequestValidationError& e) const override {
    app->render_exception(e, req, res);
  }
};

namespace {

constexpr std::string_view kAllMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

std::string where(const Router::Route& r) {
  return std::string(to_string(r.info.method)) + " " + r.info.path + " (" + r.info.file + ":" +
         std::to_string(r.info.line) + ")";
}

// Orders handlers so that a type comes before every type it derives from: the first match is then the
// most-derived registered type.
void order_by_derivation(std::vector<detail::ExceptionHandlerEntry>& handlers) {
  std::vector<detail::ExceptionHandlerEntry> ordered;
  while (!handlers.empty()) {
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

detail::ChainEntry make_entry(std::shared_ptr<MiddlewareBase> object, std::string type, std::string file) {
  detail::ChainEntry e;
  e.sync = dynamic_cast<Middleware*>(object.get());
  e.async = dynamic_cast<AsyncMiddleware*>(object.get());
  if ((e.sync == nullptr) == (e.async == nullptr)) {
    throw std::invalid_argument("middleware " + type +
                                " must derive from exactly one of aegis::Middleware and aegis::AsyncMiddleware");
  }
  e.info.type = std::move(type);
  e.info.file = std::move(file);
  e.info.options = object->options_json();
  e.info.security_layer = object->security_layer();
  e.object = std::move(object);
  return e;
}

std::string hook_label(const LifecycleHook& h) {
  return h.name + " (" + h.file + ")";
}

}  // namespace

App::App() : App(AppSettings()) {}

App::App(AppSettings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  impl_->app = this;
  impl_->permissions.add_group("Admin", {std::string(kAdminHealthPermission), std::string(kSettingsPermissionsPermission),
                                         std::string(kSettingsFlagsPermission), std::string(kOverseerPermission),
                                         std::string(kMetricsPermission)});
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

void App::add_module(std::shared_ptr<Module> module) {
  if (impl_->table) throw std::logic_error("modules cannot be added after the app is frozen");
  if (!module) throw std::invalid_argument("add_module: the module is null");
  impl_->modules.push_back(std::move(module));
}
const std::vector<std::shared_ptr<Module>>& App::modules() const noexcept { return impl_->modules; }
void App::set_modules(std::vector<std::shared_ptr<Module>> sorted) { impl_->modules = std::move(sorted); }

MenuRegistry& App::menus() noexcept { return impl_->menus; }
const MenuRegistry& App::menus() const noexcept { return impl_->menus; }
PermissionRegistry& App::permissions() noexcept { return impl_->permissions; }
const PermissionRegistry& App::permissions() const noexcept { return impl_->permissions; }
FeatureFlagRegistry& App::feature_flags() noexcept { return impl_->feature_flags; }
const FeatureFlagRegistry& App::feature_flags() const noexcept { return impl_->feature_flags; }
EventBus& App::events() noexcept { return impl_->events; }
const EventBus& App::events() const noexcept { return impl_->events; }

HealthRegistry& App::health() noexcept { return impl_->health; }
const HealthRegistry& App::health() const noexcept { return impl_->health; }

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

void App::set_registration_source(std::string file, std::string description) {
  impl_->registration_source = std::move(file);
  impl_->registration_description = std::move(description);
}

void App::add_middleware(std::shared_ptr<MiddlewareBase> middleware, std::string type_name,
                         std::source_location where) {
  if (impl_->table) throw std::logic_error("middleware cannot be added after the app is frozen");
  if (!middleware) throw std::invalid_argument("add_middleware: the middleware is null");
  std::string file = impl_->registration_source.empty()
                         ? std::string(where.file_name()) + ":" + std::to_string(where.line())
                         : impl_->registration_source;
  // "app::(anonymous namespace)::Timing" -> "app::Timing": the marker tells a reader of `check` or the
  // Overseer nothing, and the file beside the name says where the class is.
  constexpr std::string_view kAnonymous = "(anonymous namespace)::";
  for (std::size_t at; (at = type_name.find(kAnonymous)) != std::string::npos;) type_name.erase(at, kAnonymous.size());
  impl_->added_middleware.push_back(make_entry(std::move(middleware), std::move(type_name), std::move(file)));
  impl_->added_middleware.back().info.description = impl_->registration_description;
}

std::vector<MiddlewareInfo> App::middleware_stack() const {
  // ServerErrors is App::handle itself, not an entry of the chain; it is listed where it runs, outermost.
  std::vector<MiddlewareInfo> out{{"aegis::ServerErrors", "aegis (built-in)",
                                   impl_->settings.debug ? R"({"debug":true})" : R"({"debug":false})", false, true,
                                   "an unhandled exception becomes a 500 carrying the request id, never its message"}};
  if (impl_->chain) {
    for (const auto& e : impl_->chain->entries()) out.push_back(e.info);
    return out;
  }
  for (const auto& e : detail::builtin_middleware(impl_->settings)) out.push_back(e.info);
  for (auto it = impl_->added_middleware.rbegin(); it != impl_->added_middleware.rend(); ++it) {
    out.push_back(it->info);
  }
  return out;
}

void App::add_startup_hook(LifecycleHook hook) {
  hook.kind = LifecycleHook::Kind::startup;
  hook.order = impl_->startup_hooks.size();
  impl_->startup_hooks.push_back(std::move(hook));
}

void App::add_shutdown_hook(LifecycleHook hook) {
  hook.kind = LifecycleHook::Kind::shutdown;
  hook.order = impl_->shutdown_hooks.size();
  impl_->shutdown_hooks.push_back(std::move(hook));
}

std::vector<LifecycleHook> App::lifecycle() const {
  std::vector<LifecycleHook> out(impl_->startup_hooks.begin(), impl_->startup_hooks.end());
  out.insert(out.end(), impl_->shutdown_hooks.rbegin(), impl_->shutdown_hooks.rend());
  return out;
}

Task<> App::start() {
  for (const auto& hook : impl_->startup_hooks) {
    std::string failure;
    try {
      spdlog::debug("startup hook {}", hook_label(hook));
      co_await hook.run(*this);
      continue;
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "a non-standard exception";
    }
    spdlog::error("startup hook {} failed: {}; shutting down what started", hook_label(hook), failure);
    co_await stop();
    throw StartupError("startup hook " + hook_label(hook) + " failed: " + failure);
  }
}

Task<> App::stop() noexcept {
  for (auto it = impl_->shutdown_hooks.rbegin(); it != impl_->shutdown_hooks.rend(); ++it) {
    std::string failure;
    try {
      spdlog::debug("shutdown hook {}", hook_label(*it));
      co_await it->run(*this);
      continue;
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "a non-standard exception";
    }
    spdlog::error("shutdown hook {} failed: {}", hook_label(*it), failure);
  }
}


void App::freeze() {
  if (impl_->table) return;
  Router all = impl_->router;
  if (impl_->settings.health_endpoints) add_health_endpoints(all);
  detail::add_docs_routes(all, impl_->settings, &impl_->openapi, impl_->security_schemes);

  // Depends<Principal> works out of the box: the request's principal, or 401; Depends<MaybePrincipal> is
  // the optional form.
  auto provided = [&](detail::TypeKey key) {
    for (const auto& p : impl_->router.providers()) {
      if (p->key() == key) return true;
    }
    return false;
  };
  if (!provided(detail::type_key<Principal>())) {
    impl_->router.provide<Principal>([](const Request& req) -> const Principal& {
      if (req.principal() == nullptr) throw not_authenticated();
      return *req.principal();
    });
  }
  if (!provided(detail::type_key<MaybePrincipal>())) {
    impl_->router.provide<MaybePrincipal>([](const Request& req) { return MaybePrincipal{req.principal()}; });
  }

  std::vector<Router::Route> routes(all.routes().begin(), all.routes().end());
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
    std::vector<detail::ChainEntry> entries = detail::builtin_middleware(impl_->settings);
    for (auto& e : entries) e.info.builtin = true;
    for (auto it = impl_->added_middleware.rbegin(); it != impl_->added_middleware.rend(); ++it) {
      entries.push_back(*it);
    }
    impl_->chain = std::make_unique<detail::MiddlewareChain>(std::move(entries), *this);
    // Built even when it is not served: building it builds every parameter's and model's rules, so a rule
    // that cannot be built (a Pattern that does not compile) stops the boot naming its route instead of
    // failing each request that reaches it.
    std::string openapi = detail::build_openapi(*this);
    if (!impl_->settings.openapi_url.empty()) impl_->openapi = std::move(openapi);
  } catch (...) {
    impl_->table.reset();
    impl_->invokers.clear();
    impl_->frozen_routes.clear();
    impl_->chain.reset();
    throw;
  }
  order_by_derivation(impl_->exception_handlers);
  const auto http_error = std::make_exception_ptr(static_cast<const HttpError*>(nullptr));
  const auto validation_error = std::make_exception_ptr(static_cast<const RequestValidationError*>(nullptr));
  for (auto& h : impl_->exception_handlers) {
    h.base_of_http_error = *h.type != typeid(HttpError) && h.catches(http_error);
    h.base_of_validation_error = *h.type != typeid(RequestValidationError) && h.catches(validation_error);
  }
  impl_->state_store.freeze();
  impl_->menus.freeze();
  impl_->permissions.freeze();
  impl_->events.freeze();
}

// The built-in endpoints: liveness (a constant answer, no I/O), readiness and the detailed view.
void App::add_health_endpoints(Router& r) const {
  impl_->liveness = {"healthy", impl_->settings.title, impl_->settings.version, impl_->settings.environment};
  const LivenessReport* live = &impl_->liveness;
  const App* app = this;
  r.get("/health", [live]() -> const LivenessReport& { return *live; })
      .summary("Liveness: answers while the process serves (no I/O)")
      .tags({"health"});
  r.get("/health/ready", [app](Response& res) -> Task<ReadinessReport> {
     auto report = co_await app->health().cached(app->settings().health_cache);
     if (!report->healthy) res.set_status(503);
     co_return report->report();
   })
      .summary("Readiness: every health check; 503 when a critical one fails")
      .responses({{503, "A critical health check is failing", true}})
      .tags({"health"});
  r.get("/admin/health", [app](Response& res) -> Task<ReadinessReport> {
     auto report = co_await app->health().cached(app->settings().health_cache);
     if (!report->healthy) res.set_status(503);
     co_return report->report();
   })
      .summary("Every health check with its status, detail and duration")
      .dependencies({require_admin_access(*app, std::string(kAdminHealthPermission))})
      .responses({{503, "A critical health check is failing", true}})
      .tags({"health", "admin"});
}

const char* to_string(Diagnostic::Level level) noexcept {
  switch (level) {
    case Diagnostic::Level::info: return "INFO";
    case Diagnostic::Level::warning: return "WARNING";
    case Diagnostic::Level::error: return "ERROR";
  }
  return "?";
}

void App::add_diagnostic(Diagnostic d) { impl_->diagnostics.push_back(std::move(d)); }

void App::add_command(Command command) {
  for (const auto& c : impl_->commands) {
    if (c.name == command.name) throw std::invalid_argument("command '" + command.name + "' is added twice");
  }
  impl_->commands.push_back(std::move(command));
}
const std::vector<App::Command>& App::commands() const noexcept { return impl_->commands; }

std::vector<Diagnostic> App::diagnostics() const {
  std::vector<Diagnostic> out = impl_->diagnostics;
  if (impl_->health.size() == 0) {
    out.push_back({"AE003", Diagnostic::Level::info,
                   "no health checks are registered: /health/ready always answers healthy; add checks with "
                   "app.health().add(...)",
                   "app"});
  }
  std::vector<std::string> seen;
  for (const auto& e : impl_->added_middleware) {
    if (std::find(seen.begin(), seen.end(), e.info.type) != seen.end()) {
      out.push_back({"AE002", Diagnostic::Level::warning,
                     "middleware " + e.info.type + " is added more than once; every copy runs on every request",
                     e.info.file});
    }
    seen.push_back(e.info.type);
  }
  for (const auto& item : impl_->menus.all()) {
    if (!item.required_permission.empty() && !impl_->permissions.declared(item.required_permission)) {
      out.push_back({"AE105", Diagnostic::Level::warning,
                     "menu item '" + item.key + "' requires permission '" + item.required_permission +
                         "', which no module declares",
                     std::string(to_string(item.section))});
    }
  }
  for (const auto& r : impl_->frozen_routes) {
    for (const auto& d : r.dependencies) {
      const std::string_view permission = d.provider() ? d.provider()->required_permission() : std::string_view{};
      if (!permission.empty() && !impl_->permissions.declared(permission)) {
        out.push_back({"AE105", Diagnostic::Level::warning,
                       "the route requires permission '" + std::string(permission) + "', which no module declares",
                       where(r)});
      }
    }
  }
  for (const auto& name : impl_->feature_flags.undeclared_checks()) {
    out.push_back({"AE106", Diagnostic::Level::warning,
                   "feature flag '" + name + "' is checked but never declared (it is always off)", "feature flags"});
  }
  for (const auto& r : impl_->frozen_routes) {
    if (r.info.summary.empty()) {
      out.push_back({"AE004", Diagnostic::Level::info, "the route has no summary (OpenAPI and the Overseer show one)",
                     where(r)});
    }
  }
  return out;
}

std::vector<const detail::Provider*> App::route_providers(std::size_t index) const {
  if (index >= impl_->invokers.size()) return {};
  return impl_->invokers[index]->providers();
}

const std::string& App::openapi() const noexcept { return impl_->openapi; }

void App::add_security_scheme(std::string name, std::string scheme) {
  if (frozen()) throw std::logic_error("add_security_scheme after freeze()");
  if (name.empty()) throw std::invalid_argument("add_security_scheme: the name is empty");
  for (const auto& [existing, json] : impl_->security_schemes) {
    if (existing == name) throw std::invalid_argument("add_security_scheme: '" + name + "' is declared twice");
  }
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(scheme, ec);
  if (ec || !parsed.is_object()) {
    throw std::invalid_argument("add_security_scheme: the scheme of '" + name + "' is not a JSON object");
  }
  impl_->security_schemes.emplace_back(std::move(name), std::move(scheme));
}

const std::vector<std::pair<std::string, std::string>>& App::security_schemes() const noexcept {
  return impl_->security_schemes;
}

bool App::frozen() const noexcept { return impl_->table != nullptr; }

std::span<const Router::Route> App::routes() const noexcept { return impl_->frozen_routes; }

Task<> App::handle(Request& req, Response& res) const {
  if (!impl_->chain) throw std::logic_error("App::handle called before freeze()");
  // ServerErrors, the outermost layer: nothing escapes as an exception.
  try {
    Task<> pending = impl_->chain->run_from(0, req, res);
    if (pending.valid()) return finish_chain(std::move(pending), req, res);
  } catch (...) {
    render_server_error(std::current_exception(), req, res);
  }
  return {};
}

Task<> App::finish_chain(Task<> pending, Request& req, Response& res) const {
  std::exception_ptr error;
  try {
    co_await std::move(pending);
  } catch (...) {
    error = std::current_exception();
  }
  if (error) render_server_error(error, req, res);
}

void App::render_server_error(std::exception_ptr e, const Request& req, Response& res) const noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    render_exception(ex, req, res);
  } catch (...) {
    spdlog::error("{} {} [{}]: unhandled non-standard exception", req.method_name(), req.path(), req.request_id());
    internal_error(req, res, nullptr);
  }
  if (!req.request_id().empty()) {
    try {
      res.set_header("X-Request-ID", req.request_id());
    } catch (...) {
    }
  }
}

Task<> App::dispatch(Request& req, Response& res) const {
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
        if (pending.valid()) return finish_dispatch(std::move(pending), req, res);
      } catch (const std::exception& e) {
        render_exception(e, req, res);
      } catch (...) {
        spdlog::error("{} {} [{}]: unhandled non-standard exception", req.method_name(), req.path(), req.request_id());
        internal_error(req, res, nullptr);
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
      // Built from the path the router matched (decoded, dot segments removed), never from the raw target:
      // "//evil.example/..%2F..%2Fdocs/" or "/\\evil.example/../docs/" would send a browser to another site.
      std::string location;
      detail::percent_encode(location, routing::RouteTable::redirect_target(req.path()), detail::kPathChars);
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

Task<> App::finish_dispatch(Task<> pending, Request& req, Response& res) const {
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
    spdlog::error("{} {} [{}]: unhandled non-standard exception", req.method_name(), req.path(), req.request_id());
    internal_error(req, res, nullptr);
  }
}

// An error answer replaces the response, all but its lasting lines (a route's RateLimit-* fields, so that a
// client sees its budget on a 401 or a 422 too), which come back unless the answer set those headers itself.
void App::render_exception(const std::exception& e, const Request& req, Response& res) const noexcept {
  using detail::ResponseAccess;
  try {
    const auto* http = dynamic_cast<const HttpError*>(&e);
    const auto* invalid = http != nullptr ? nullptr : dynamic_cast<const RequestValidationError*>(&e);
    for (const auto& h : impl_->exception_handlers) {
      // Handlers come most-derived first: once one for a base of HttpError (of RequestValidationError)
      // matches one of those, the built-in answer is the more derived handler.
      if ((http != nullptr && h.base_of_http_error) || (invalid != nullptr && h.base_of_validation_error)) break;
      if (h.cast(e) != nullptr) {
        ResponseAccess::clear_for_error(res);
        h.fn(req, res, e);
        ResponseAccess::restore_lasting(res);
        return;
      }
    }
    if (http != nullptr) {
      ResponseAccess::clear_for_error(res);
      res.error(http->status(), http->detail());
      for (const auto& [name, value] : http->headers()) res.add_header(name, value);
      ResponseAccess::restore_lasting(res);
      return;
    }
    if (invalid != nullptr) {
      ResponseAccess::clear_for_error(res);
      res.json_text(invalid->body(), 422);
      ResponseAccess::restore_lasting(res);
      return;
    }
    spdlog::error("{} {} [{}]: unhandled exception: {}", req.method_name(), req.path(), req.request_id(), e.what());
  } catch (const std::exception& inner) {
    spdlog::error("{} {} [{}]: answering an exception failed: {}", req.method_name(), req.path(), req.request_id(),
                  inner.what());
  } catch (...) {
    spdlog::error("{} {} [{}]: answering an exception failed", req.method_name(), req.path(), req.request_id());
  }
  internal_error(req, res, e.what());
}

// Nobody handles it: 500, with the request id so that the log line can be found; the message only in debug
// mode (development only).
void App::internal_error(const Request& req, Response& res, const char* what) const noexcept {
  detail::ResponseAccess::clear_for_error(res);
  try {
    std::string body = "{\"detail\":\"Internal Server Error\"";
    if (!req.request_id().empty()) body += ",\"request_id\":" + detail::json_quote(req.request_id());
    if (impl_->settings.debug && what != nullptr) body += ",\"error\":" + detail::json_quote(what);
    body += "}";
    res.json_text(body, 500);
  } catch (...) {
    res.error(500, "Internal Server Error");
  }
  detail::ResponseAccess::restore_lasting(res);
}

}  // namespace aegis
