#include <aegis/routing/router.hpp>

#include <algorithm>
#include <stdexcept>

namespace aegis {

RouteInfo& RouteBuilder::info() { return router_->routes_[index_].info; }

RouteBuilder& RouteBuilder::name(std::string value) {
  info().name = std::move(value);
  return *this;
}

RouteBuilder& RouteBuilder::summary(std::string value) {
  info().summary = std::move(value);
  return *this;
}

RouteBuilder& RouteBuilder::description(std::string value) {
  info().description = std::move(value);
  return *this;
}

RouteBuilder& RouteBuilder::tags(std::vector<std::string> value) {
  info().tags = std::move(value);
  return *this;
}

RouteBuilder& RouteBuilder::deprecated(bool value) {
  info().deprecated = value;
  return *this;
}

RouteBuilder& RouteBuilder::status(int value) {
  if (value < 100 || value > 999) {
    throw std::invalid_argument("route " + info().path + ": invalid status " + std::to_string(value));
  }
  info().status = value;
  return *this;
}

RouteBuilder& RouteBuilder::blocking(bool value) {
  info().blocking = value;
  return *this;
}

RouteBuilder& RouteBuilder::dependencies(std::vector<Dependency> value) {
  auto& deps = router_->routes_[index_].dependencies;
  deps.insert(deps.end(), std::make_move_iterator(value.begin()), std::make_move_iterator(value.end()));
  return *this;
}

RouteBuilder& RouteBuilder::responses(std::vector<ResponseDoc> value) {
  for (const auto& r : value) {
    if (r.status < 100 || r.status > 999) {
      throw std::invalid_argument("route " + info().path + ": invalid status " + std::to_string(r.status));
    }
  }
  auto& r = info().responses;
  r.insert(r.end(), value.begin(), value.end());
  return *this;
}

RouteBuilder& RouteBuilder::include_in_schema(bool value) {
  info().include_in_schema = value;
  return *this;
}

RouteBuilder& RouteBuilder::checks_permission(std::string permission) {
  info().checked_permission = std::move(permission);
  return *this;
}

RouteBuilder Router::add(Method method, std::string path, std::shared_ptr<const Endpoint> endpoint,
                         std::source_location where) {
  Route r;
  r.info.method = method;
  r.info.path = std::move(path);
  r.info.file = where.file_name();
  r.info.line = where.line();
  r.endpoint = std::move(endpoint);
  routes_.push_back(std::move(r));
  return RouteBuilder(*this, routes_.size() - 1);
}

void Router::include_router(const Router& other, const IncludeOptions& options) {
  const std::string& prefix = options.prefix;
  if (!prefix.empty() && (prefix.front() != '/' || prefix.back() == '/')) {
    throw std::invalid_argument("include_router: a prefix must start with '/' and not end with '/' (got '" +
                                prefix + "')");
  }
  if (&other == this) throw std::invalid_argument("include_router: a router cannot include itself");
  routes_.reserve(routes_.size() + other.routes_.size());
  for (const auto& route : other.routes_) {
    Route copy = route;
    copy.info.path = prefix + route.info.path;
    std::vector<std::string> tags = options.tags;
    for (const auto& t : route.info.tags) {
      if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
    }
    copy.info.tags = std::move(tags);
    // The included router's providers serve its routes unless a deeper router already provides the type.
    copy.providers.insert(copy.providers.end(), other.providers_.begin(), other.providers_.end());
    if (!options.dependencies.empty()) {
      copy.dependencies.insert(copy.dependencies.begin(), options.dependencies.begin(), options.dependencies.end());
    }
    routes_.push_back(std::move(copy));
  }
}

std::string default_route_name(Method method, std::string_view path) {
  std::string name(to_string(method));
  for (char& c : name) c = static_cast<char>(c | 0x20);
  bool underscore = true;
  bool in_converter = false;
  name.push_back('_');
  for (char c : path) {
    if (in_converter) {
      in_converter = c != '}';
      continue;
    }
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      name.push_back(c);
      underscore = false;
    } else if (c == ':') {
      in_converter = true;  // drop converter names: {id:int} -> id
    } else if (!underscore) {
      name.push_back('_');
      underscore = true;
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name;
}

}  // namespace aegis
