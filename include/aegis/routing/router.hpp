#pragma once

#include <aegis/handlers/bind.hpp>
#include <aegis/handlers/endpoint.hpp>
#include <aegis/http/method.hpp>

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace aegis {

/// The raw handler form: fill in the response from the request, no extraction. Runs on the I/O thread.
using RequestHandler = std::function<void(Request& req, Response& res)>;

/// An answer besides the successful one that a route documents.
struct ResponseDoc {
  int status = 0;
  std::string description;
  /// The body is the route's response model (a health report sent with 503), not `{"detail": ...}`.
  bool response_model = false;
};

/// What OpenAPI, `routes` and the Overseer know about a route.
struct RouteInfo {
  Method method = Method::get;
  std::string path;  ///< the full template, prefixes applied: "/api/orders/{id:int}"
  std::string name;  ///< unique operation name; derived from method and path unless set
  std::string summary;
  std::string description;
  std::vector<std::string> tags;
  bool deprecated = false;
  /// The status of a successful answer (`.status(201)`); 0: 200, or 204 for a handler returning void.
  int status = 0;
  /// Runs on the blocking pool (`.blocking()`).
  bool blocking = false;
  /// Other answers the route documents (`.responses({{404, "Order not found"}})`).
  std::vector<ResponseDoc> responses;
  /// Listed in the OpenAPI document.
  bool include_in_schema = true;
  /// A permission the handler checks itself (`.checks_permission(...)`): documentation, not enforcement.
  std::string checked_permission;
  std::string file;  ///< where the route was declared
  std::uint32_t line = 0;
};

class Router;

/// Returned by `Router::get` and friends to describe the route fluently:
/// `r.get("/x", h).summary("Get x").tags({"x"})`.
class RouteBuilder {
 public:
  RouteBuilder& name(std::string value);
  RouteBuilder& summary(std::string value);
  RouteBuilder& description(std::string value);
  RouteBuilder& tags(std::vector<std::string> value);
  RouteBuilder& deprecated(bool value = true);
  /// The status of a successful answer (201 for a create, ...).
  RouteBuilder& status(int value);
  /// Runs the handler on the bounded blocking pool and resumes on the I/O thread (FastAPI's `def`
  /// endpoints). Parameters are extracted and the result written on the I/O thread.
  RouteBuilder& blocking(bool value = true);
  /// Route dependencies, run before the handler after those of the routers it is included through.
  RouteBuilder& dependencies(std::vector<Dependency> value);
  /// Other answers to document: status, description and, unless `response_model` is set, a
  /// `{"detail": ...}` body.
  RouteBuilder& responses(std::vector<ResponseDoc> value);
  /// Leaves the route out of the OpenAPI document (it is still served).
  RouteBuilder& include_in_schema(bool value);
  /// Records that the handler checks `permission` itself (a page that sends an anonymous visitor to the
  /// login page calls `require_admin` in its body instead of failing with a guard's 401), so that the
  /// Overseer lists the route as secured. It documents the check; it does not add one.
  RouteBuilder& checks_permission(std::string permission);

 private:
  friend class Router;
  RouteBuilder(Router& router, std::size_t index) : router_(&router), index_(index) {}
  RouteInfo& info();
  Router* router_;
  std::size_t index_;
};

/// Options of `Router::include_router`.
struct IncludeOptions {
  std::string prefix;             ///< prepended to every path; "" or "/api" (no trailing slash)
  std::vector<std::string> tags;  ///< added before each route's own tags
  /// Run before the handler of every included route (FastAPI's `dependencies=[Depends(...)]`).
  std::vector<Dependency> dependencies;
};

namespace detail {
/// A route template known only at run time (a std::string): checked against the handler at boot.
template <class S>
concept RuntimeTemplate = std::convertible_to<S, std::string> && !std::is_array_v<std::remove_cvref_t<S>>;
}  // namespace detail

/// A set of routes. Templates are `/literal/{name}/{id:int}/{rest:path}`; converters are `str` (default,
/// one segment), `int`, `float`, `uuid` and `path` (the rest of the path, last segment only). A parameter
/// fills a whole segment.
///
/// Handlers are typed (`[](aegis::Path<int, "id"> id, aegis::Depends<Svc> svc) -> Order {...}`; see
/// `aegis/handlers/params.hpp`) or raw (`void(Request&, Response&)`). A template given as a string literal
/// is checked against the handler's Path parameters at compile time. Everything else is checked when the
/// app freezes: a malformed template, the same method and template registered twice, a missing provider
/// or state are a `std::invalid_argument` naming the route and where it was declared.
class Router {
 public:
  struct Route {
    RouteInfo info;
    std::shared_ptr<const Endpoint> endpoint;
    /// Providers from the routers this route was included through, most specific first.
    std::vector<std::shared_ptr<const detail::Provider>> providers;
    /// Route dependencies, outermost first.
    std::vector<Dependency> dependencies;
  };

  /// Adds a route for `method` with a run-time template.
  template <class F>
  RouteBuilder route(Method method, std::string path, F&& handler,
                     std::source_location where = std::source_location::current()) {
    return add(method, std::move(path), detail::make_endpoint(std::forward<F>(handler)), where);
  }

#define AEGIS_DETAIL_ROUTE_METHOD(fn, verb)                                                                   \
  template <class F>                                                                                          \
  RouteBuilder fn(RouteTemplate<std::remove_cvref_t<F>> path, F&& handler,                                   \
                  std::source_location where = std::source_location::current()) {                            \
    return add(verb, std::string(path.text()), detail::make_endpoint(std::forward<F>(handler)), where);      \
  }                                                                                                           \
  template <class S, class F>                                                                                 \
    requires detail::RuntimeTemplate<S>                                                                       \
  RouteBuilder fn(S&& path, F&& handler, std::source_location where = std::source_location::current()) {    \
    return add(verb, std::string(std::forward<S>(path)), detail::make_endpoint(std::forward<F>(handler)),    \
               where);                                                                                        \
  }
  AEGIS_DETAIL_ROUTE_METHOD(get, Method::get)
  AEGIS_DETAIL_ROUTE_METHOD(post, Method::post)
  AEGIS_DETAIL_ROUTE_METHOD(put, Method::put)
  AEGIS_DETAIL_ROUTE_METHOD(patch, Method::patch)
  AEGIS_DETAIL_ROUTE_METHOD(del, Method::del)
  AEGIS_DETAIL_ROUTE_METHOD(options, Method::options)
#undef AEGIS_DETAIL_ROUTE_METHOD

  /// Registers the provider of `Depends<T>` for the routes of this router (and of the routers it includes
  /// that do not provide T themselves). `fn` takes parameters like a handler and returns T,
  /// `std::shared_ptr<T>`, `std::unique_ptr<T>`, `T*`, `T&`, `aegis::Yield<T, Cleanup>` or a Task of one.
  template <class T, class F>
  void provide(F&& fn, std::source_location where = std::source_location::current()) {
    providers_.push_back(detail::make_provider<T>(std::forward<F>(fn), std::string(where.file_name()) + ":" +
                                                                          std::to_string(where.line())));
  }

  /// Copies every route of `other` into this router with `options` applied.
  void include_router(const Router& other, const IncludeOptions& options = {});

  std::span<const Route> routes() const noexcept { return routes_; }
  std::span<const std::shared_ptr<const detail::Provider>> providers() const noexcept { return providers_; }

 private:
  friend class RouteBuilder;
  RouteBuilder add(Method method, std::string path, std::shared_ptr<const Endpoint> endpoint,
                   std::source_location where);

  std::vector<Route> routes_;
  std::vector<std::shared_ptr<const detail::Provider>> providers_;
};

/// The name a route gets when none is set: the method and the path's words, "get_api_orders_id".
std::string default_route_name(Method method, std::string_view path);

}  // namespace aegis
