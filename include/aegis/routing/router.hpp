#pragma once

#include <aegis/http/method.hpp>
#include <aegis/net/server.hpp>

#include <cstdint>
#include <source_location>
#include <span>
#include <string>
#include <vector>

namespace aegis {

/// What OpenAPI, `routes` and the Overseer know about a route.
struct RouteInfo {
  Method method = Method::get;
  std::string path;  ///< the full template, prefixes applied: "/api/orders/{id:int}"
  std::string name;  ///< unique operation name; derived from method and path unless set
  std::string summary;
  std::string description;
  std::vector<std::string> tags;
  bool deprecated = false;
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
};

/// A set of routes. Templates are `/literal/{name}/{id:int}/{rest:path}`; converters are `str` (default,
/// one segment), `int`, `float`, `uuid` and `path` (the rest of the path, last segment only). A parameter
/// fills a whole segment. Nothing is checked until the app compiles its routes at boot; a malformed template
/// or the same method and template registered twice is then a `std::invalid_argument` naming both places.
class Router {
 public:
  struct Route {
    RouteInfo info;
    RequestHandler handler;
  };

  RouteBuilder route(Method method, std::string path, RequestHandler handler,
                     std::source_location where = std::source_location::current());
  RouteBuilder get(std::string path, RequestHandler handler,
                   std::source_location where = std::source_location::current()) {
    return route(Method::get, std::move(path), std::move(handler), where);
  }
  RouteBuilder post(std::string path, RequestHandler handler,
                    std::source_location where = std::source_location::current()) {
    return route(Method::post, std::move(path), std::move(handler), where);
  }
  RouteBuilder put(std::string path, RequestHandler handler,
                   std::source_location where = std::source_location::current()) {
    return route(Method::put, std::move(path), std::move(handler), where);
  }
  RouteBuilder patch(std::string path, RequestHandler handler,
                     std::source_location where = std::source_location::current()) {
    return route(Method::patch, std::move(path), std::move(handler), where);
  }
  RouteBuilder del(std::string path, RequestHandler handler,
                   std::source_location where = std::source_location::current()) {
    return route(Method::del, std::move(path), std::move(handler), where);
  }
  RouteBuilder options(std::string path, RequestHandler handler,
                       std::source_location where = std::source_location::current()) {
    return route(Method::options, std::move(path), std::move(handler), where);
  }

  /// Copies every route of `other` into this router with `options.prefix` and `options.tags` applied.
  void include_router(const Router& other, const IncludeOptions& options = {});

  std::span<const Route> routes() const noexcept { return routes_; }

 private:
  friend class RouteBuilder;
  std::vector<Route> routes_;
};

/// The name a route gets when none is set: the method and the path's words, "get_api_orders_id".
std::string default_route_name(Method method, std::string_view path);

}  // namespace aegis
