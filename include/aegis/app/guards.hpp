#pragma once

#include <aegis/handlers/endpoint.hpp>

#include <source_location>
#include <string>
#include <string_view>

namespace aegis {

class App;
class HttpError;
class Request;
struct AppSettings;

/// The permissions of the built-in admin surfaces (declared by the framework in the group "Admin").
inline constexpr std::string_view kAdminHealthPermission = "admin.health";
inline constexpr std::string_view kSettingsPermissionsPermission = "settings.permissions";
inline constexpr std::string_view kSettingsFlagsPermission = "settings.feature_flags";
inline constexpr std::string_view kOverseerPermission = "overseer.view";
inline constexpr std::string_view kMetricsPermission = "metrics.view";

/// True for a loopback client address (127.0.0.0/8, ::1, or an IPv4-mapped loopback).
bool is_loopback(std::string_view ip) noexcept;

/// Guards an admin surface (/admin/*, /settings/*, /overseer, /metrics): a principal holding
/// `permission` passes; a principal without it gets 403. Without a principal, a loopback client passes in
/// the development environment when its Host names this computer (localhost, a name under .localhost, or
/// a loopback or wildcard address; or is absent, which only HTTP/1.0 tools do, never a browser), and
/// everyone else gets not_authenticated()'s 401. Throws HttpError.
/// For an unsafe method (POST, PUT, PATCH, DELETE) admitted as a development loopback client, the request
/// must also come from the app's own pages: a browser's Origin (or, without one, its Referer) naming
/// another site is refused with 403, so that a web page cannot drive the local admin API through the
/// developer's browser.
void require_admin(const Request& req, const AppSettings& settings, std::string_view permission);

/// require_admin as a route dependency (documented as needing `permission`). `app` is read at request
/// time, so the settings the app runs with apply. The answers it lets through carry
/// `Cache-Control: no-store`.
Dependency require_admin_access(const App& app, std::string permission,
                                std::source_location where = std::source_location::current());

/// True when `origin` ("https://shop.example:8443") is the origin the request was sent to: its scheme and
/// its Host header.
bool same_origin(const Request& req, std::string_view origin) noexcept;

/// The origin of an absolute URL ("https://shop.example:8443/a?b" -> "https://shop.example:8443"), or
/// empty when `url` has no scheme: how a Referer is compared where an Origin is missing.
std::string_view origin_of(std::string_view url) noexcept;

/// The 401 a guard answers without a principal: `{"detail": detail}` with `WWW-Authenticate: Bearer`
/// (RFC 9110 requires a challenge on every 401; bearer tokens are how an API client signs in).
HttpError not_authenticated(std::string detail = "Not authenticated");

/// A route dependency that requires an authenticated principal holding `permission`: 401 without a
/// principal, 403 without the permission. Attach it to a route (`.dependencies({require_permission(...)})`)
/// or to every route of a router (`include_router(r, {.dependencies = {...}})`). A permission that no
/// module declares is diagnostic AE105.
Dependency require_permission(std::string permission, std::source_location where = std::source_location::current());

}  // namespace aegis
