#include <aegis/app/guards.hpp>

#include <aegis/app/app.hpp>

#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/registries/principal.hpp>

namespace aegis {

namespace {

class PermissionGuard final : public detail::Provider {
 public:
  explicit PermissionGuard(std::string permission) : permission_(std::move(permission)) {}

  detail::TypeKey key() const noexcept override { return this; }
  const std::type_info& type() const noexcept override { return typeid(PermissionGuard); }
  const detail::Needs& needs() const noexcept override { return needs_; }
  bool is_async() const noexcept override { return false; }
  std::string_view required_permission() const noexcept override { return permission_; }

  bool resolve(detail::CallContext& ctx, std::size_t slot) const override {
    const Principal* principal = ctx.request.principal();
    if (principal == nullptr) throw not_authenticated();
    if (!principal->has_permission(permission_)) throw HttpError(403, "Permission '" + permission_ + "' required");
    ctx.scope.set(slot, const_cast<Principal*>(principal));
    return true;
  }
  Task<bool> resolve_async(detail::CallContext& ctx, std::size_t slot) const override {
    co_return resolve(ctx, slot);
  }

 private:
  std::string permission_;
  detail::Needs needs_;
};

// require_admin as a dependency.
class AdminGuard final : public detail::Provider {
 public:
  AdminGuard(const App& app, std::string permission) : app_(&app), permission_(std::move(permission)) {}

  detail::TypeKey key() const noexcept override { return this; }
  const std::type_info& type() const noexcept override { return typeid(AdminGuard); }
  const detail::Needs& needs() const noexcept override { return needs_; }
  bool is_async() const noexcept override { return false; }
  std::string_view required_permission() const noexcept override { return permission_; }

  bool resolve(detail::CallContext& ctx, std::size_t) const override {
    require_admin(ctx.request, app_->settings(), permission_);
    // What an admin surface answers is for this admin alone: no shared cache or browser history keeps it.
    ctx.response.set_header("Cache-Control", "no-store");
    return true;
  }
  Task<bool> resolve_async(detail::CallContext& ctx, std::size_t slot) const override {
    co_return resolve(ctx, slot);
  }

 private:
  const App* app_;
  std::string permission_;
  detail::Needs needs_;
};

}  // namespace

Dependency require_admin_access(const App& app, std::string permission, std::source_location where) {
  if (permission.empty()) throw std::invalid_argument("require_admin_access: the permission is empty");
  auto guard = std::make_shared<AdminGuard>(app, std::move(permission));
  guard->where = std::string(where.file_name()) + ":" + std::to_string(where.line());
  return Dependency(std::move(guard));
}

bool is_loopback(std::string_view ip) noexcept {
  if (ip.starts_with("::ffff:")) ip.remove_prefix(7);
  return ip == "::1" || ip.starts_with("127.");
}

// The Host a browser sends for this computer: localhost (or a name under .localhost, which browsers
// resolve to loopback themselves), an address literal of this computer (127.x.y.z, [::1], or the
// wildcard 0.0.0.0 and [::] an app bound to every interface is opened with), with or without a port
// and a final dot. Any other name that reaches a loopback address got there through DNS, and a web page
// can point its own name at 127.0.0.1 (DNS rebinding): it would then be same-origin with the app. A
// request without Host (HTTP/1.0) cannot come from a browser's page.
bool is_loopback_host(std::string_view host) noexcept {
  if (host.empty()) return true;
  if (host.starts_with('[')) {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = host.substr(close + 1);
    const std::string_view ip = host.substr(1, close - 1);
    return (ip == "::1" || ip == "::" || ip == "0:0:0:0:0:0:0:1") && (rest.empty() || rest.starts_with(':'));
  }
  host = host.substr(0, host.find(':'));
  if (host.ends_with('.')) host.remove_suffix(1);
  if (host == "0.0.0.0") return true;
  if (host.starts_with("127.")) {
    int dots = 0;
    for (char c : host) {
      if (c == '.') ++dots;
      else if (c < '0' || c > '9') return false;
    }
    return dots == 3;
  }
  auto lower_equals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
      if (c != b[i]) return false;
    }
    return true;
  };
  constexpr std::string_view kSuffix = ".localhost";
  return lower_equals(host, "localhost") ||
         (host.size() > kSuffix.size() && lower_equals(host.substr(host.size() - kSuffix.size()), kSuffix));
}

bool same_origin(const Request& req, std::string_view origin) noexcept {
  const std::string_view scheme = req.scheme();
  if (origin.size() <= scheme.size() + 3 || !origin.starts_with(scheme) || origin.substr(scheme.size(), 3) != "://") {
    return false;
  }
  const std::string_view host = origin.substr(scheme.size() + 3);
  const std::string_view own = req.header("host");
  if (host.size() != own.size() || own.empty()) return false;
  for (std::size_t i = 0; i < host.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(host[i]) != lower(own[i])) return false;
  }
  return true;
}

void require_admin(const Request& req, const AppSettings& settings, std::string_view permission) {
  if (const Principal* p = req.principal()) {
    if (p->has_permission(permission)) return;
    throw HttpError(403, "Permission '" + std::string(permission) + "' required");
  }
  if (settings.environment == "development" && is_loopback(req.client_ip())) {
    if (!is_loopback_host(req.header("host"))) {
      throw not_authenticated("Not authenticated: in development, admin surfaces are open without signing in "
                              "only when addressed as localhost or a loopback address such as 127.0.0.1 or "
                              "[::1]");
    }
    const Method m = req.method();
    const bool unsafe = m != Method::get && m != Method::head && m != Method::options;
    if (unsafe) {
      // Browsers send Origin with unsafe requests; a Referer stands in where one does not.
      std::string_view origin = req.header("origin");
      if (origin.empty()) origin = origin_of(req.header("referer"));
      if (!origin.empty() && !same_origin(req, origin)) {
        throw HttpError(403, "Cross-origin request to an admin surface refused");
      }
    }
    return;
  }
  throw not_authenticated();
}

std::string_view origin_of(std::string_view url) noexcept {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const std::size_t path = url.find('/', scheme_end + 3);
  return path == std::string_view::npos ? url : url.substr(0, path);
}

HttpError not_authenticated(std::string detail) {
  return HttpError(401, std::move(detail), {{"WWW-Authenticate", "Bearer"}});
}

Dependency require_permission(std::string permission, std::source_location where) {
  if (permission.empty()) throw std::invalid_argument("require_permission: the permission is empty");
  auto guard = std::make_shared<PermissionGuard>(std::move(permission));
  guard->where = std::string(where.file_name()) + ":" + std::to_string(where.line());
  return Dependency(std::move(guard));
}

}  // namespace aegis
