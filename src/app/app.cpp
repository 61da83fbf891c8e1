#include <aegis/app/app.hpp>

#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>

#include <cstdlib>
#include <stdexcept>

#include "http/access.hpp"
#include "routing/route_table.hpp"

namespace aegis {

struct App::Impl {
  AppSettings settings;
  Router router;
  std::vector<Router::Route> frozen_routes;
  std::unique_ptr<routing::RouteTable> table;
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

App::App(AppSettings settings) : impl_(std::make_unique<Impl>()) { impl_->settings = std::move(settings); }

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

void App::freeze() {
  if (impl_->table) return;
  std::vector<Router::Route> routes(impl_->router.routes().begin(), impl_->router.routes().end());
  for (auto& r : routes) {
    if (r.info.name.empty()) r.info.name = default_route_name(r.info.method, r.info.path);
  }
  // The table points into the routes it compiles, so it is built over their final home.
  impl_->frozen_routes = std::move(routes);
  try {
    impl_->table = std::make_unique<routing::RouteTable>(impl_->frozen_routes, impl_->settings.redirect_slashes);
  } catch (...) {
    impl_->frozen_routes.clear();
    throw;
  }
}

bool App::frozen() const noexcept { return impl_->table != nullptr; }

std::span<const Router::Route> App::routes() const noexcept { return impl_->frozen_routes; }

void App::handle(Request& req, Response& res) const {
  if (!impl_->table) throw std::logic_error("App::handle called before freeze()");
  if (req.path() == "*") {
    // OPTIONS * asks about the server as a whole.
    res.set_status(204);
    res.set_header("Allow", kAllMethods);
    return;
  }
  const routing::Match m = impl_->table->match(req.method(), req.path(), detail::RequestAccess::path_params(req));
  switch (m.kind) {
    case routing::MatchKind::found:
      m.endpoint->route->handler(req, res);
      return;
    case routing::MatchKind::method_not_allowed:
      res.error(405, "Method Not Allowed");
      res.set_header("Allow", m.allow);
      return;
    case routing::MatchKind::options:
      res.set_status(204);
      res.set_header("Allow", m.allow);
      return;
    case routing::MatchKind::redirect: {
      std::string location = routing::RouteTable::redirect_target(raw_path_of(req.target()));
      if (!req.query_string().empty()) {
        location.push_back('?');
        location.append(req.query_string());
      }
      res.set_status(307);
      res.set_header("Location", location);
      return;
    }
    case routing::MatchKind::not_found:
      res.error(404, "Not Found");
      return;
  }
}

}  // namespace aegis
