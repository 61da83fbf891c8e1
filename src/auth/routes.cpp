// /api/auth: login, logout, me, and the user's bearer tokens.
#include <aegis/app/guards.hpp>
#include <aegis/auth/auth.hpp>

#include <aegis/handlers/params.hpp>
#include <aegis/http/http_error.hpp>
#include <aegis/middleware/rate_limit.hpp>

#include <charconv>

namespace aegis {

namespace {

std::int64_t user_id_of(const Principal& p) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(p.id.data(), p.id.data() + p.id.size(), id);
  if (ec != std::errc{} || end != p.id.data() + p.id.size()) {
    throw HttpError(403, "This principal is not a user of the app");  // one an app's own layer made
  }
  return id;
}

// A Set-Cookie value: path /, SameSite=Lax, Secure when the request came over https.
std::string cookie_header(const Request& req, std::string_view name, std::string_view value, std::int64_t max_age,
                          bool http_only) {
  std::string out;
  out.append(name).append("=").append(value).append("; Path=/; Max-Age=").append(std::to_string(max_age));
  if (http_only) out.append("; HttpOnly");
  out.append("; SameSite=Lax");
  if (req.scheme() == "https") out.append("; Secure");
  return out;
}

}  // namespace

AEGIS_FIELD_RULES(LoginRequest, (username, MinLength<1>, MaxLength<64>), (password, MinLength<1>, MaxLength<1024>))
AEGIS_FIELD_RULES(NewToken, (name, MinLength<1>, MaxLength<100>))

Router auth_router(App& app) {
  auto* service = app.state().find<AuthService>();
  if (service == nullptr) throw StartupError("auth_router: call aegis::use_auth(app) first");
  const AuthSettings& s = service->settings();
  Router r;

  r.post("/login",
         [](Body<LoginRequest> body, State<AuthService> auth, const Request& req, Response& res) -> Task<LoginResult> {
           // Per account too, before any hashing work: guesses spread over many addresses still go slowly.
           if (std::uint32_t retry_after = 0; !auth->count_login_attempt(body->username, retry_after)) {
             // This policy's own RateLimit-* headers: the per-address ones would show a budget left.
             throw HttpError(429, "Too many login attempts for this account",
                             {{"Retry-After", std::to_string(retry_after)},
                              {"RateLimit-Limit", std::to_string(auth->settings().account_login_attempts)},
                              {"RateLimit-Remaining", "0"},
                              {"RateLimit-Reset", std::to_string(retry_after)}});
           }
           auto user = co_await auth->authenticate(body->username, body->password);
           // One answer for an unknown user and a wrong password (and the same hashing work for both). The
           // per-address limit's RateLimit-* headers stay on it: a client sees its budget shrink.
           if (!user) throw not_authenticated("Invalid username or password");
           const AuthSettings& settings = auth->settings();
           // A new session id at every login: a session id planted before it is worthless after.
           if (auto old = req.cookie(settings.session_cookie)) co_await auth->end_session(std::string(*old));
           AuthService::Session session = co_await auth->create_session(user->id);
           const std::int64_t ttl = settings.session_ttl.count();
           res.add_header("Set-Cookie", cookie_header(req, settings.session_cookie, session.cookie, ttl, true));
           res.add_header("Set-Cookie", cookie_header(req, settings.csrf_cookie, session.csrf_token, ttl, false));
           res.set_header("Cache-Control", "no-store");
           LoginResult out{std::move(*user), session.csrf_token, {}};
           out.expires_at.time = std::chrono::time_point_cast<std::chrono::microseconds>(session.expires_at);
           out.expires_at.offset_minutes = 0;
           co_return out;
         })
      .summary("Log in: starts a session (cookie) and returns the CSRF token")
      .dependencies({rate_limit(s.login_attempts, s.login_window, {.name = "aegis.login"})})
      .responses({{401, "Invalid username or password"}, {429, "Too many login attempts"}});

  r.post("/logout",
         [](State<AuthService> auth, const Request& req, Response& res) -> Task<void> {
           const AuthSettings& settings = auth->settings();
           if (auto cookie = req.cookie(settings.session_cookie)) co_await auth->end_session(std::string(*cookie));
           res.add_header("Set-Cookie", cookie_header(req, settings.session_cookie, "", 0, true));
           res.add_header("Set-Cookie", cookie_header(req, settings.csrf_cookie, "", 0, false));
         })
      .summary("Log out: ends the session and clears its cookies");

  // Answers about one user are kept out of shared caches and the browser's history.
  r.get("/me", [](Depends<Principal> p, Response& res) {
     res.set_header("Cache-Control", "no-store");
     return UserInfo{user_id_of(*p), p->name, p->roles, p->permissions};
   }).summary("The user making the request");

  r.post("/tokens",
         [](Depends<Principal> p, Body<NewToken> body, State<AuthService> auth, Response& res) -> Task<TokenInfo> {
           res.set_header("Cache-Control", "no-store");
           co_return co_await auth->create_token(user_id_of(*p), body->name);
         })
      .status(201)
      .summary("Create a bearer token (shown once)");

  r.get("/tokens", [](Depends<Principal> p, State<AuthService> auth, Response& res) -> Task<std::vector<TokenInfo>> {
     res.set_header("Cache-Control", "no-store");
     co_return co_await auth->tokens(user_id_of(*p));
   }).summary("The user's live bearer tokens");

  r.del("/tokens/{id:int}", [](Path<std::int64_t, "id"> id, Depends<Principal> p, State<AuthService> auth) -> Task<void> {
     if (!co_await auth->revoke_token(user_id_of(*p), *id)) throw HttpError(404, "No such token");
   })
      .summary("Revoke a bearer token")
      .responses({{404, "No such token"}});
  return r;
}

}  // namespace aegis
