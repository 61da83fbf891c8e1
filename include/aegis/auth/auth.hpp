#pragma once

// Users, sessions, bearer tokens, roles and the admin pages.
//
//     aegis::use_database(app);             // AEGIS_DATABASE_URL, default sqlite:///./aegis.db
//     aegis::use_auth(app);                 // users, sessions, roles, persisted flag overrides
//     ...
//     // middleware/auth.cpp
//     AEGIS_MIDDLEWARE(session, "...") { aegis::add_session_auth(app); }
//     // api/routing.cpp
//     app.include_router(aegis::auth_router(app), {.prefix = "/api/auth", .tags = {"auth"}});
//     app.include_router(aegis::settings_router(app));
//
// Passwords are hashed with argon2id (libsodium). A session lives in the database; its cookie carries a
// random id and an HMAC of it (HttpOnly, SameSite=Lax, Secure over https), is replaced at every login and
// dies at logout or expiry. Unsafe requests authenticated by the cookie need a matching Origin (when the
// browser sends one) and the session's CSRF token in X-CSRF-Token. API clients may use opaque bearer
// tokens, stored hashed and revocable. Roles map to permissions ("admin" holds "*") and are edited at
// /settings/permissions; feature-flag overrides are stored and edited at /settings/feature-flags.

#include <aegis/app/app.hpp>
#include <aegis/app/middleware.hpp>
#include <aegis/registries/principal.hpp>
#include <aegis/storage/sql.hpp>

#include <boost/describe.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

namespace aegis {

class RateLimitStore;

// ---- the database ----------------------------------------------------------------------------------------

/// Opens the app's database (AEGIS_DATABASE_URL, default sqlite:///./aegis.db), puts it in the app state
/// as `aegis::sql::Database` (handlers take `State<sql::Database>`), and applies the migrations registered
/// with migrations(app) when the app starts (before any other startup hook). Throws StartupError for a
/// bad URL or a database that cannot be opened. Call it before create_backend_app.
sql::Database& use_database(App& app, std::optional<std::string> url = std::nullopt);
/// The migrations the app applies at start (modules add theirs in register_settings).
sql::Migrations& migrations(App& app);

// ---- authentication --------------------------------------------------------------------------------------

struct AuthSettings {
  /// Signs session cookies (AEGIS_SECRET_KEY). In production a missing, short (< 32 characters) or
  /// placeholder key stops the boot; in development a random key is made for the process.
  std::string secret_key;
  std::string session_cookie = "aegis_session";
  std::string csrf_cookie = "aegis_csrf";
  /// A session ends this long after login (AEGIS_SESSION_TTL, seconds).
  std::chrono::seconds session_ttl{7 * 24 * 3600};
  /// Origins besides the request's own that may send cookie-authenticated unsafe requests.
  std::vector<std::string> trusted_origins;
  /// Login attempts per client address per window.
  unsigned login_attempts = 10;
  std::chrono::seconds login_window{60};
  /// Login attempts per account (per username, known or not) per window, from whatever addresses: a
  /// password guessed from many addresses is still guessed this slowly. Every attempt counts, a right
  /// password included; beyond it the login answers 429 without checking the password.
  unsigned account_login_attempts = 20;
  std::chrono::seconds account_login_window{15 * 60};
  /// Where the per-account counts live; null: in this instance's memory (100,000 accounts at most).
  std::shared_ptr<RateLimitStore> account_login_store;
  /// How long a resolved principal is reused before the database is asked again.
  std::chrono::seconds principal_cache{5};
};

/// Reads AEGIS_SECRET_KEY, AEGIS_SESSION_TTL and AEGIS_TRUSTED_ORIGINS over `defaults`.
AuthSettings auth_settings_from_env(AuthSettings defaults, std::vector<std::string>& errors);

/// A user as the API shows it.
struct UserInfo {
  std::int64_t id = 0;
  std::string username;
  std::vector<std::string> roles;
  std::vector<std::string> permissions;
};
BOOST_DESCRIBE_STRUCT(UserInfo, (), (id, username, roles, permissions))

struct LoginRequest {
  std::string username;
  std::string password;
};
BOOST_DESCRIBE_STRUCT(LoginRequest, (), (username, password))

struct LoginResult {
  UserInfo user;
  /// Send it back in X-CSRF-Token with unsafe requests (it is also in the aegis_csrf cookie).
  std::string csrf_token;
  DateTime expires_at;
};
BOOST_DESCRIBE_STRUCT(LoginResult, (), (user, csrf_token, expires_at))

struct NewToken {
  std::string name;
};
BOOST_DESCRIBE_STRUCT(NewToken, (), (name))

struct TokenInfo {
  std::int64_t id = 0;
  std::string name;
  DateTime created_at;
  /// Only in the answer that creates it: the token is not stored and cannot be shown again.
  std::optional<std::string> token;
};
BOOST_DESCRIBE_STRUCT(TokenInfo, (), (id, name, created_at, token))

/// What authentication needs at run time (app state "aegis.auth"): users, sessions, tokens, roles.
class AuthService {
 public:
  AuthService(App& app, std::shared_ptr<sql::Database> db, AuthSettings settings);
  ~AuthService();
  AuthService(const AuthService&) = delete;
  AuthService& operator=(const AuthService&) = delete;

  const AuthSettings& settings() const noexcept;

  /// Creates a user (blocking: boot, command line). Throws std::invalid_argument for a bad username
  /// or a password shorter than 8 characters, sql::SqlError when the username is taken.
  std::int64_t create_user(std::string_view username, std::string_view password, const std::vector<std::string>& roles);

  /// The user when `password` is theirs. An unknown user costs the same hashing work as a wrong
  /// password.
  Task<std::optional<UserInfo>> authenticate(std::string username, std::string password);

  /// Counts one login attempt against `username` (AuthSettings::account_login_attempts per
  /// account_login_window). False when the account's budget is spent; `retry_after` then holds the seconds
  /// until it refills. Thread-safe.
  bool count_login_attempt(std::string_view username, std::uint32_t& retry_after);

  struct Session {
    std::string cookie;      ///< "<id>.<mac>"
    std::string csrf_token;
    std::chrono::system_clock::time_point expires_at;
  };
  /// A new session for the user (login).
  Task<Session> create_session(std::int64_t user_id);
  /// The principal of a session cookie, or null for a malformed, forged, unknown or expired one. Also
  /// gives the session's CSRF token.
  Task<std::shared_ptr<const Principal>> session_principal(std::string cookie, std::string* csrf_token);
  /// Ends the session of the cookie (logout).
  Task<> end_session(std::string cookie);

  /// A new bearer token for the user: the plain token is only in the result.
  Task<TokenInfo> create_token(std::int64_t user_id, std::string name);
  Task<std::vector<TokenInfo>> tokens(std::int64_t user_id);
  /// Revokes the user's token; false when it is not theirs or does not exist.
  Task<bool> revoke_token(std::int64_t user_id, std::int64_t token_id);
  /// The principal of a bearer token, or null.
  Task<std::shared_ptr<const Principal>> token_principal(std::string token);

  /// Forgets the cached principals: call it after changing roles or permissions, and after deleting a
  /// user's sessions or the user (a cached principal otherwise answers for up to `principal_cache`). Call
  /// it after the change is written: a lookup that read the database before then is not cached.
  void invalidate_principals() noexcept;

  /// Checks the secret key against the environment the app runs in (use_auth's startup hook): in
  /// production a missing, short or placeholder key is a StartupError; in development a missing one is
  /// replaced by a random key for the process.
  void check_secret(const AppSettings& app_settings);

  /// What use_auth's startup hook runs: check_secret, then (on the database's threads) copies the roles
  /// modules declare into the database when missing, loads the stored feature-flag overrides, and
  /// prepares the hash an unknown user's login is checked against.
  Task<> start(App& app);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Adds users, sessions, tokens and roles to the app: its migrations, the AuthService state, the
/// persisted roles and feature-flag overrides (loaded at start), and the `users` command
/// (`./app users create-admin [--username NAME] [--password-stdin]`). Call use_database first.
AuthService& use_auth(App& app, std::optional<AuthSettings> settings = std::nullopt);

/// Establishes the request's principal from an `Authorization: Bearer` token or the session cookie.
///
/// - A bearer token that is unknown or revoked answers 401 with `WWW-Authenticate: Bearer
///   error="invalid_token"`; another Authorization scheme is left to the app.
/// - A session cookie that is malformed, forged, expired or logged out is ignored: the request is
///   anonymous (routes that need a principal answer 401).
/// - A request authenticated by the cookie with an unsafe method (POST, PUT, PATCH, DELETE) must carry the
///   session's CSRF token in `X-CSRF-Token`, and its Origin (or, without one, its Referer), when it sends
///   one, must be the app itself or a trusted origin; otherwise 403 and the handler does not run. Bearer requests need neither:
///   browsers never attach them on their own.
///
/// Add it with add_session_auth(app) in a middleware file; it is a security layer.
class SessionAuth final : public AsyncMiddleware {
 public:
  explicit SessionAuth(AuthService& auth) : auth_(&auth) {}
  Task<> handle(Request& req, Response& res, Next next) override;
  /// Only requests with an `Authorization: Bearer` header or the session cookie pay for this layer.
  bool applies(const Request& req) const noexcept override;
  bool security_layer() const override { return true; }
  std::string options_json() const override;

 private:
  AuthService* auth_;
};

/// Adds SessionAuth to the app's middleware (use_auth first).
void add_session_auth(App& app, std::source_location where = std::source_location::current());

/// POST /login, POST /logout, GET /me, POST /tokens, GET /tokens, DELETE /tokens/{id}: include it under
/// a prefix (/api/auth). Login is rate limited per client address (AuthSettings::login_attempts per
/// login_window) and per account (account_login_attempts per account_login_window). Needs use_auth.
Router auth_router(App& app);

/// The admin pages /settings/permissions and /settings/feature-flags and their JSON APIs under
/// /api/settings/ (roles and their permissions, users' roles, feature-flag overrides), guarded like every
/// admin surface (require_admin) by the permissions settings.permissions and settings.feature_flags.
/// Needs use_auth. The pages' login form posts to `auth_prefix` + "/login" (where auth_router is included).
struct SettingsRouterOptions {
  std::string auth_prefix = "/api/auth";
};
Router settings_router(App& app, SettingsRouterOptions options = {});

}  // namespace aegis
