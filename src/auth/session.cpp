// SessionAuth: the principal from a bearer token or the session cookie, and CSRF protection.
#include <aegis/auth/auth.hpp>

#include <aegis/app/guards.hpp>
#include <aegis/json/convert.hpp>

#include "auth/crypto.hpp"

namespace aegis {

namespace {

bool unsafe_method(Method m) noexcept {
  return m != Method::get && m != Method::head && m != Method::options && m != Method::trace;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// The origin a cookie-authenticated unsafe request comes from must be the app's own or a trusted one.
// Browsers send Origin with every cross-origin and most same-origin unsafe requests; without it, Referer
// stands in; with neither (a non-browser client holding the cookie), the CSRF token alone decides.
bool origin_allowed(const Request& req, const AuthSettings& s) noexcept {
  std::string_view origin = req.header("origin");
  if (origin.empty() || origin == "null") {
    if (origin == "null") return false;  // sandboxed frames, file: pages
    origin = origin_of(req.header("referer"));
    if (origin.empty()) return true;
  }
  if (same_origin(req, origin)) return true;
  for (const auto& t : s.trusted_origins) {
    if (t == origin) return true;
  }
  return false;
}

}  // namespace

std::string SessionAuth::options_json() const {
  const AuthSettings& s = auth_->settings();
  std::string out = "{\"session_cookie\":";
  write_json(out, s.session_cookie);
  out += ",\"csrf_header\":\"X-CSRF-Token\",\"bearer_tokens\":true,\"session_ttl_seconds\":";
  out += std::to_string(s.session_ttl.count());
  out += ",\"trusted_origins\":";
  write_json(out, s.trusted_origins);
  out += "}";
  return out;
}

bool SessionAuth::applies(const Request& req) const noexcept {
  if (iequals_prefix(req.header("authorization"), "bearer ")) return true;
  if (!req.has_header("cookie")) return false;
  try {
    return req.cookie(auth_->settings().session_cookie).has_value();
  } catch (...) {
    return true;  // let handle() meet whatever went wrong
  }
}

Task<> SessionAuth::handle(Request& req, Response& res, Next next) {
  const AuthSettings& s = auth_->settings();
  const std::string_view authorization = req.header("authorization");
  if (iequals_prefix(authorization, "bearer ")) {
    std::string_view token = authorization.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    auto principal = co_await auth_->token_principal(std::string(token));
    if (!principal) {
      res.error(401, "Invalid or revoked token");
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      co_return;
    }
    req.set_principal(std::move(principal));
    co_await next();
    co_return;
  }

  if (auto cookie = req.cookie(s.session_cookie)) {
    std::string csrf;
    auto principal = co_await auth_->session_principal(std::string(*cookie), &csrf);
    if (principal) {
      if (unsafe_method(req.method())) {
        if (!origin_allowed(req, s)) {
          res.error(403, "Cross-origin request refused");
          co_return;
        }
        const std::string_view sent = req.header("x-csrf-token");
        if (sent.empty() || !detail::equal_constant_time(sent, csrf)) {
          res.error(403, "CSRF token missing or invalid: send the session's token in X-CSRF-Token");
          co_return;
        }
      }
      req.set_principal(std::move(principal));
    }
  }
  co_await next();
}

void add_session_auth(App& app, std::source_location where) {
  auto* auth = app.state().find<AuthService>();
  if (auth == nullptr) throw StartupError("add_session_auth: call aegis::use_auth(app) first");
  app.add_middleware(std::make_shared<SessionAuth>(*auth), "aegis::SessionAuth", where);
  // What Swagger UI's Authorize offers: a bearer token (the auth router's POST /tokens issues them), or
  // the session cookie a login sets (a browser sends it by itself).
  app.add_security_scheme(
      "HTTPBearer", R"({"type":"http","scheme":"bearer","description":"A token from the auth router's POST /tokens"})");
  std::string cookie = R"({"type":"apiKey","in":"cookie","name":)";
  write_json(cookie, auth->settings().session_cookie);
  cookie += R"(,"description":"The session cookie a login sets","x-aegis-csrf":{"cookie":)";
  write_json(cookie, auth->settings().csrf_cookie);
  cookie += R"(,"header":"X-CSRF-Token"}})";
  app.add_security_scheme("SessionCookie", std::move(cookie));
}

}  // namespace aegis
