// Authentication as a client sees it: login and its cookies, forged and expired sessions, logout, CSRF and
// Origin checks on cookie requests, bearer tokens, the login rate limit, hostile input at login, and the
// production secret-key check. Every app runs over a database file of its own, migrated by app.start().
#include <aegis/aegis.hpp>
#include <aegis/app/guards.hpp>
#include <aegis/auth/auth.hpp>
#include <aegis/storage/sql.hpp>
#include <aegis/testing/test_client.hpp>

#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/crypto.hpp"
#include "support/run_task.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace aegis;
using aegis::test::run;
using aegis::test::TempDir;
using namespace std::chrono_literals;
using aegis::testing::TestClient;
using aegis::testing::TestResponse;

constexpr std::string_view kKey = "unit-test-signing-key-0123456789abcdefghij";
constexpr std::string_view kPassword = "password-1";
constexpr std::string_view kWrongCredentials = R"({"detail":"Invalid username or password"})";
constexpr std::string_view kAnonymous = R"({"detail":"Not authenticated"})";

// Marks a request as arrived over https when it carries X-Test-Https (what ProxyHeaders does for a trusted
// proxy's X-Forwarded-Proto).
class HttpsFromHeader final : public Middleware {
 public:
  bool on_request(Request& req, Response&) override {
    if (req.header("x-test-https") == "1") req.set_https(true);
    return false;
  }
};

AuthSettings test_auth() {
  AuthSettings s;
  s.secret_key = std::string(kKey);
  s.login_attempts = 1000;  // the tests log in often from one address; the limits have tests of their own
  s.account_login_attempts = 1000;
  return s;
}

struct AuthAppOptions {
  AuthSettings auth = test_auth();
  std::string environment = "production";
};

// An app with the database, users and sessions, the auth and settings routers, and /orders guarded by
// the permission orders.view. Started (migrated) and ready for requests.
class AuthApp {
 public:
  explicit AuthApp(AuthAppOptions o = {}) : app_(app_settings(o.environment)) {
    use_database(app_, "sqlite:///" + dir_.path() + "/app.db");
    auth_ = &use_auth(app_, o.auth);
    app_.permissions().add_group("Orders", {"orders.view", "orders.edit"});
    add_session_auth(app_);
    app_.add_middleware(std::make_shared<HttpsFromHeader>(), "HttpsFromHeader");  // added last: runs first
    app_.include_router(auth_router(app_), {.prefix = "/api/auth"});
    app_.include_router(settings_router(app_));
    app_.router()
        .get("/orders", [] { return std::string("orders"); })
        .dependencies({require_permission("orders.view")});
    client_ = std::make_unique<TestClient>(app_);
    run(app_.start());
  }

  App& app() noexcept { return app_; }
  AuthService& auth() noexcept { return *auth_; }
  TestClient& client() noexcept { return *client_; }
  std::unique_ptr<TestClient> new_client() { return std::make_unique<TestClient>(app_); }
  sql::Database& db() { return app_.state().get<sql::Database>(); }
  std::int64_t user(std::string_view name, std::vector<std::string> roles = {}) {
    return auth_->create_user(name, kPassword, roles);
  }
  std::int64_t rows(const std::string& table) {
    return db().with_connection(
        [&](sql::Connection& c) { return c.query_one("SELECT COUNT(*) FROM " + table)->get<std::int64_t>(0); });
  }

 private:
  static AppSettings app_settings(const std::string& environment) {
    AppSettings s;
    s.environment = environment;
    s.request_id = false;
    s.access_log.format = "off";
    return s;
  }

  TempDir dir_;
  App app_;
  AuthService* auth_ = nullptr;
  std::unique_ptr<TestClient> client_;
};

TestResponse post_login(TestClient& c, std::string_view username, std::string_view password,
                        std::string_view csrf = {}) {
  auto req = c.post("/api/auth/login");
  req.json(LoginRequest{std::string(username), std::string(password)});
  if (!csrf.empty()) req.header("X-CSRF-Token", csrf);
  return req.send();
}

// Logs the client in (its jar keeps the cookies); returns the session's CSRF token.
std::string login(TestClient& c, std::string_view username, std::string_view password = kPassword) {
  const TestResponse r = post_login(c, username, password);
  EXPECT_EQ(r.status(), 200) << r.text();
  if (r.status() != 200) return {};
  return std::string(r.json().at("csrf_token").as_string());
}

// The Set-Cookie header that sets `name`, split into its value and attributes.
struct SetCookie {
  std::string value;
  std::vector<std::string> attributes;
  bool has(std::string_view a) const { return std::find(attributes.begin(), attributes.end(), a) != attributes.end(); }
};

std::optional<SetCookie> set_cookie(const TestResponse& r, std::string_view name) {
  for (const auto& h : r.headers("Set-Cookie")) {
    if (!h.starts_with(std::string(name) + "=")) continue;
    SetCookie out;
    std::string_view rest(h);
    const std::size_t semi = rest.find(';');
    out.value = std::string(rest.substr(name.size() + 1, semi - name.size() - 1));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    while (!rest.empty()) {
      while (rest.starts_with(' ')) rest.remove_prefix(1);
      const std::size_t next = rest.find(';');
      out.attributes.emplace_back(rest.substr(0, next));
      rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
    }
    return out;
  }
  return std::nullopt;
}

TestResponse me_with_cookie(AuthApp& a, std::string_view cookie) {
  auto fresh = a.new_client();  // an empty jar: only this cookie
  return fresh->get("/api/auth/me").cookie("aegis_session", cookie).send();
}

TestResponse create_token(TestClient& c, std::string_view csrf, std::string_view name) {
  return c.post("/api/auth/tokens").header("X-CSRF-Token", csrf).json(NewToken{std::string(name)}).send();
}

// ---- login ---------------------------------------------------------------------------------------------------

TEST(AuthLogin, TheRightPasswordStartsASessionWithSafeCookies) {
  AuthApp a;
  const std::int64_t alice = a.user("alice", {"admin"});
  auto& client = a.client();
  const TestResponse r = post_login(client, "alice", kPassword);
  ASSERT_EQ(r.status(), 200) << r.text();
  const auto body = r.json<LoginResult>();
  EXPECT_EQ(body.user.id, alice);
  EXPECT_EQ(body.user.username, "alice");
  EXPECT_EQ(body.user.roles, std::vector<std::string>{"admin"});
  EXPECT_EQ(body.user.permissions, std::vector<std::string>{"*"});
  EXPECT_GE(body.csrf_token.size(), 32u);
  const auto week = std::chrono::system_clock::now() + 7 * 24h;
  EXPECT_LT(std::chrono::abs(body.expires_at.time - std::chrono::time_point_cast<std::chrono::microseconds>(week)), 5s)
      << "the session ends a week (session_ttl) after login";
  EXPECT_EQ(r.header("Cache-Control"), "no-store") << "a login answer must not be cached";

  const auto session = set_cookie(r, "aegis_session");
  ASSERT_TRUE(session) << "no session cookie";
  EXPECT_EQ(session->value, client.cookies().at("aegis_session"));
  EXPECT_NE(session->value.find('.'), std::string::npos) << "<id>.<mac>";
  EXPECT_TRUE(session->has("HttpOnly")) << "scripts must not read the session cookie";
  EXPECT_TRUE(session->has("SameSite=Lax"));
  EXPECT_TRUE(session->has("Path=/"));
  EXPECT_TRUE(session->has("Max-Age=604800"));
  EXPECT_FALSE(session->has("Secure")) << "a Secure cookie over http would never come back";

  const auto csrf = set_cookie(r, "aegis_csrf");
  ASSERT_TRUE(csrf) << "no CSRF cookie";
  EXPECT_EQ(csrf->value, body.csrf_token);
  EXPECT_FALSE(csrf->has("HttpOnly")) << "the page's script reads the CSRF cookie";
  EXPECT_TRUE(csrf->has("SameSite=Lax"));
  EXPECT_TRUE(csrf->has("Path=/"));
  EXPECT_FALSE(csrf->has("Secure"));

  const TestResponse me = client.get("/api/auth/me").send();
  EXPECT_EQ(me.status(), 200);
  EXPECT_EQ(me.text(),
            R"({"id":)" + std::to_string(alice) + R"(,"username":"alice","roles":["admin"],"permissions":["*"]})");
}

TEST(AuthLogin, OverHttpsBothCookiesAreSecure) {
  AuthApp a;
  a.user("alice");
  const TestResponse r = a.client()
                             .post("/api/auth/login")
                             .header("X-Test-Https", "1")
                             .json(LoginRequest{"alice", std::string(kPassword)})
                             .send();
  ASSERT_EQ(r.status(), 200) << r.text();
  EXPECT_TRUE(set_cookie(r, "aegis_session")->has("Secure"));
  EXPECT_TRUE(set_cookie(r, "aegis_csrf")->has("Secure"));
  EXPECT_TRUE(set_cookie(r, "aegis_session")->has("HttpOnly"));
}

TEST(AuthLogin, AWrongPasswordAndAnUnknownUserGetTheSameAnswer) {
  AuthApp a;
  a.user("alice");
  const TestResponse wrong = post_login(a.client(), "alice", "password-2");
  const TestResponse unknown = post_login(a.client(), "mallory", "password-2");
  EXPECT_EQ(wrong.status(), 401);
  EXPECT_EQ(unknown.status(), 401);
  EXPECT_EQ(wrong.text(), kWrongCredentials);
  EXPECT_EQ(unknown.text(), kWrongCredentials) << "the answer tells whether a username exists";
  // RFC 9110 §15.5.2: every 401 carries a challenge.
  EXPECT_EQ(wrong.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(unknown.header("WWW-Authenticate"), "Bearer");
  EXPECT_TRUE(wrong.headers("Set-Cookie").empty());
  EXPECT_TRUE(unknown.headers("Set-Cookie").empty());
  EXPECT_EQ(wrong.all_headers().size(), unknown.all_headers().size());
  EXPECT_TRUE(a.client().cookies().empty());
  EXPECT_EQ(a.client().get("/api/auth/me").send().status(), 401);
}

TEST(AuthLogin, EveryLoginGetsANewSessionAndTheCookieFromBeforeStopsWorking) {
  AuthApp a;
  a.user("alice");
  auto& client = a.client();
  const std::string first_csrf = login(client, "alice");
  const std::string before = client.cookies().at("aegis_session");
  EXPECT_EQ(me_with_cookie(a, before).status(), 200);

  // Logging in again (as the login page does: the browser still holds the old cookie and sends its token).
  const TestResponse again = post_login(client, "alice", kPassword, first_csrf);
  ASSERT_EQ(again.status(), 200) << again.text();
  const std::string after = client.cookies().at("aegis_session");
  EXPECT_NE(after, before) << "the session id survived a login (session fixation)";
  EXPECT_NE(again.json().at("csrf_token").as_string(), first_csrf);
  EXPECT_EQ(me_with_cookie(a, after).status(), 200);
  const TestResponse stale = me_with_cookie(a, before);
  EXPECT_EQ(stale.status(), 401) << "the cookie from before the login still works";
  EXPECT_EQ(stale.text(), kAnonymous);
  EXPECT_EQ(stale.header("WWW-Authenticate"), "Bearer");

  // A second browser logging in gets a session of its own; both work.
  auto other = a.new_client();
  login(*other, "alice");
  EXPECT_NE(other->cookies().at("aegis_session"), after);
  EXPECT_EQ(me_with_cookie(a, after).status(), 200);
}

TEST(AuthLogin, MalformedBodiesAreRefusedAndAFormCannotLogIn) {
  AuthApp a;
  a.user("alice");
  auto& c = a.client();
  EXPECT_EQ(c.post("/api/auth/login").json(R"({"username":"alice"})").send().status(), 422);
  EXPECT_EQ(c.post("/api/auth/login").json(R"({"username":"","password":"x"})").send().status(), 422);
  EXPECT_EQ(c.post("/api/auth/login")
                .json(R"({"username":")" + std::string(65, 'a') + R"(","password":"x"})")
                .send()
                .status(),
            422);
  EXPECT_EQ(c.post("/api/auth/login").json("not json").send().status(), 422);
  // Another site's <form> can only send text/plain, urlencoded or multipart bodies: none of them logs a
  // browser into an account (login CSRF).
  const std::string body = R"({"username":"alice","password":"password-1"})";
  EXPECT_EQ(c.post("/api/auth/login").body(body, "text/plain").send().status(), 415);
  EXPECT_EQ(c.post("/api/auth/login").form({{"username", "alice"}, {"password", "password-1"}}).send().status(), 415);
  EXPECT_TRUE(c.cookies().empty());
}

TEST(AuthLogin, HostileUsernamesAndPasswordsAreJustWrongCredentials) {
  AuthApp a;
  a.user("alice");
  const std::vector<std::string> hostile = {
      "' OR '1'='1",        "alice'--", "alice' /*", "\" OR 1=1 --", "admin'); DROP TABLE aegis_users; --",
      "alice\" OR \"\"=\"", "%",        "_____",     "alice%",
  };
  for (const auto& h : hostile) {
    const TestResponse as_user = post_login(a.client(), h, h);
    EXPECT_EQ(as_user.status(), 401) << h;
    EXPECT_EQ(as_user.text(), kWrongCredentials) << h;
    const TestResponse as_password = post_login(a.client(), "alice", h);
    EXPECT_EQ(as_password.status(), 401) << h;
  }
  EXPECT_EQ(a.rows("aegis_users"), 1);
  login(a.client(), "alice");
}

TEST(AuthUsers, CreateUserValidatesItsInputAndRefusesATakenName) {
  AuthApp a;
  const std::int64_t alice = a.user("alice", {"admin"});
  EXPECT_GT(alice, 0);
  for (const std::string& bad : {std::string(), std::string("al ice"), std::string("alice'--"), std::string(65, 'a'),
                                 std::string("caf\xC3\xA9"), std::string("a;b")}) {
    EXPECT_THROW(a.auth().create_user(bad, kPassword, {}), std::invalid_argument) << "'" << bad << "'";
  }
  EXPECT_THROW(a.auth().create_user("bob", "seven77", {}), std::invalid_argument) << "a 7-character password";
  EXPECT_THROW(a.auth().create_user("bob", std::string(1025, 'p'), {}), std::invalid_argument)
      << "a password longer than the login accepts";
  EXPECT_GT(a.auth().create_user("maxlen", std::string(1024, 'p'), {}), 0);
  std::string accented;  // 1024 characters in 2048 bytes: as long as the login takes
  for (int i = 0; i < 1024; ++i) accented += "\xC3\xA9";
  EXPECT_GT(a.auth().create_user("accented", accented, {}), 0);
  EXPECT_THROW(a.auth().create_user("short", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", {}), std::invalid_argument)
      << "four characters in eight bytes";
  for (const char* taken : {"alice", "ALICE", "Alice"}) {
    try {
      a.auth().create_user(taken, "another-password", {});
      ADD_FAILURE() << "a second alice was created as " << taken;
    } catch (const sql::SqlError& e) {
      EXPECT_TRUE(e.constraint()) << e.what();
    }
  }
  EXPECT_EQ(a.rows("aegis_users"), 3);  // alice, maxlen, accented
  // The password is stored as an argon2id hash, never as is.
  a.db().with_connection([](sql::Connection& c) {
    const std::string hash = c.query_one("SELECT password_hash FROM aegis_users")->get<std::string>(0);
    EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
    EXPECT_EQ(hash.find(kPassword), std::string::npos);
  });
  // A user with a role the app never declared gets the role (created empty): it grants nothing.
  a.user("carol", {"auditor"});
  auto c = a.new_client();
  login(*c, "carol");
  const Json me = c->get("/api/auth/me").send().json();
  EXPECT_EQ(me.at("roles").as_array().size(), 1u);
  EXPECT_TRUE(me.at("permissions").as_array().empty());
  EXPECT_EQ(c->get("/orders").send().status(), 403);
}

// ---- session cookies -----------------------------------------------------------------------------------------

TEST(SessionCookies, ForgedOrDamagedCookiesMakeTheRequestAnonymous) {
  AuthApp a;
  a.user("alice", {"admin"});
  login(a.client(), "alice");
  const std::string good = a.client().cookies().at("aegis_session");
  const std::size_t dot = good.find('.');
  ASSERT_NE(dot, std::string::npos);
  const std::string id = good.substr(0, dot);
  const std::string mac = good.substr(dot + 1);
  auto flip = [](std::string s, std::size_t i) {
    s[i] = s[i] == 'A' ? 'B' : 'A';
    return s;
  };

  const std::vector<std::pair<std::string, std::string>> forged = {
      {"tampered id", flip(id, 3) + "." + mac},
      {"tampered mac", id + "." + flip(mac, mac.size() - 1)},
      {"truncated", good.substr(0, good.size() - 1)},
      {"id only", id},
      {"id and dot", id + "."},
      {"mac only", "." + mac},
      {"swapped", mac + "." + id},
      {"garbage", "garbage"},
      {"dots", "..."},
      {"oversized", good + std::string(300, 'A')},
      {"oversized with a valid mac", std::string(300, 'A') + "." + detail::hmac_b64(kKey, std::string(300, 'A'))},
      {"signed with another key", id + "." + detail::hmac_b64("another-key-0123456789abcdefghijklmn", id)},
      {"mac of an unknown id", "abc." + detail::hmac_b64(kKey, "abc")},
  };
  for (const auto& [what, cookie] : forged) {
    const TestResponse r = me_with_cookie(a, cookie);
    EXPECT_EQ(r.status(), 401) << what;
    EXPECT_EQ(r.text(), kAnonymous) << what;
  }
  // Not even a forged cookie's unsafe request reaches a handler; it is simply anonymous.
  auto fresh = a.new_client();
  EXPECT_EQ(fresh->post("/api/auth/tokens")
                .cookie("aegis_session", flip(id, 0) + "." + mac)
                .json(NewToken{"x"})
                .send()
                .status(),
            401);
  EXPECT_EQ(me_with_cookie(a, good).status(), 200) << "the real cookie still works";
}

TEST(SessionCookies, AnExpiredSessionIsAnonymous) {
  // session_ttl 2 s: a session stored at second N expires at N + 2, which leaves at least a second to check
  // that it works at first. The principal cache keeps its default (5 s), longer than the session: a cached
  // principal must not outlive its session.
  AuthAppOptions o;
  o.auth.session_ttl = 2s;
  AuthApp a(o);
  a.user("alice");
  const TestResponse r = post_login(a.client(), "alice", kPassword);
  ASSERT_EQ(r.status(), 200);
  EXPECT_TRUE(set_cookie(r, "aegis_session")->has("Max-Age=2"));
  const std::string cookie = a.client().cookies().at("aegis_session");
  EXPECT_EQ(me_with_cookie(a, cookie).status(), 200);
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(me_with_cookie(a, cookie).status(), 401) << "the session outlived its ttl";
}

TEST(SessionCookies, LogoutEndsTheSessionClearsBothCookiesAndTheCookieCannotBeReplayed) {
  AuthApp a;
  a.user("alice");
  auto& client = a.client();
  const std::string csrf = login(client, "alice");
  const std::string cookie = client.cookies().at("aegis_session");
  EXPECT_EQ(client.get("/api/auth/me").send().status(), 200);  // the principal is cached now

  EXPECT_EQ(client.post("/api/auth/logout").send().status(), 403) << "logout is a state change: it needs the token";
  const TestResponse out = client.post("/api/auth/logout").header("X-CSRF-Token", csrf).send();
  EXPECT_LT(out.status(), 300) << out.text();
  const auto session = set_cookie(out, "aegis_session");
  const auto csrf_cookie = set_cookie(out, "aegis_csrf");
  ASSERT_TRUE(session);
  ASSERT_TRUE(csrf_cookie);
  EXPECT_EQ(session->value, "");
  EXPECT_TRUE(session->has("Max-Age=0"));
  EXPECT_TRUE(session->has("HttpOnly"));
  EXPECT_EQ(csrf_cookie->value, "");
  EXPECT_TRUE(csrf_cookie->has("Max-Age=0"));
  EXPECT_TRUE(client.cookies().empty());

  // Someone who copied the cookie before the logout gets nothing from it.
  EXPECT_EQ(me_with_cookie(a, cookie).status(), 401);
  auto thief = a.new_client();
  EXPECT_EQ(thief->post("/api/auth/tokens")
                .cookie("aegis_session", cookie)
                .header("X-CSRF-Token", csrf)
                .json(NewToken{"stolen"})
                .send()
                .status(),
            401);
  EXPECT_EQ(a.rows("aegis_sessions"), 0);
  // Logging out without a session is harmless.
  EXPECT_LT(client.post("/api/auth/logout").send().status(), 300);
}

// A lookup that read the session's row just before the logout deleted it must not cache it again: the
// cookie would then work for the length of the principal cache after the logout. Lookups run on threads
// of their own while the session ends, round after round; after each logout the cookie is dead at once.
TEST(SessionCookies, ALookupRacingTheLogoutDoesNotReviveTheSession) {
  AuthApp a;
  const std::int64_t alice = a.user("alice");
  AuthService& auth = a.auth();
  for (int round = 0; round < 30; ++round) {
    AuthService::Session session;
    run([&]() -> Task<> { session = co_await auth.create_session(alice); }());
    std::atomic<bool> stop{false};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
      readers.emplace_back([&] {
        while (!stop.load()) {
          run([&]() -> Task<> { (void)co_await auth.session_principal(session.cookie, nullptr); }());
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    run(auth.end_session(session.cookie));
    stop = true;
    for (auto& r : readers) r.join();
    std::shared_ptr<const Principal> after;
    run([&]() -> Task<> { after = co_await auth.session_principal(session.cookie, nullptr); }());
    ASSERT_EQ(after, nullptr) << "round " << round << ": the session outlived its logout";
  }
}

// ---- CSRF and Origin ----------------------------------------------------------------------------------------

TEST(Csrf, CookieRequestsThatChangeStateNeedTheSessionsToken) {
  AuthApp a;
  a.user("alice", {"admin"});
  a.user("bob");
  auto& c = a.client();
  const std::string csrf = login(c, "alice");
  auto bob = a.new_client();
  const std::string bobs_csrf = login(*bob, "bob");

  const std::string refused = R"({"detail":"CSRF token missing or invalid: send the session's token in X-CSRF-Token"})";
  TestResponse r = c.post("/api/auth/tokens").json(NewToken{"ci"}).send();
  EXPECT_EQ(r.status(), 403);
  EXPECT_EQ(r.text(), refused);
  EXPECT_EQ(create_token(c, "wrong-token", "ci").status(), 403);
  EXPECT_EQ(create_token(c, csrf + "x", "ci").status(), 403);
  EXPECT_EQ(create_token(c, bobs_csrf, "ci").status(), 403) << "another session's token was accepted";
  EXPECT_EQ(a.rows("aegis_tokens"), 0) << "a refused request reached the handler";

  r = create_token(c, csrf, "ci");
  ASSERT_EQ(r.status(), 201) << r.text();
  const std::int64_t id = r.json().at("id").as_int64();

  // PUT and DELETE too.
  EXPECT_EQ(c.put("/api/settings/roles/clerk").json(R"({"permissions":[]})").send().status(), 403);
  EXPECT_EQ(
      c.put("/api/settings/roles/clerk").header("X-CSRF-Token", csrf).json(R"({"permissions":[]})").send().status(),
      200);
  const std::string token_path = "/api/auth/tokens/" + std::to_string(id);
  EXPECT_EQ(c.del(token_path).send().status(), 403);
  EXPECT_EQ(c.del(token_path).header("X-CSRF-Token", "nope").send().status(), 403);
  EXPECT_EQ(c.del(token_path).header("X-CSRF-Token", csrf).send().status(), 204);

  // Reading needs no token.
  EXPECT_EQ(c.get("/api/auth/me").send().status(), 200);
  EXPECT_EQ(c.get("/api/auth/tokens").send().status(), 200);
  EXPECT_EQ(c.get("/api/settings/permissions").send().status(), 200);
}

TEST(Csrf, AnotherSitesOriginIsRefusedEvenWithTheToken) {
  AuthApp a;
  a.user("alice");
  auto& c = a.client();
  const std::string csrf = login(c, "alice");
  auto with_origin = [&](std::string_view origin) {
    return c.post("/api/auth/tokens").header("Origin", origin).header("X-CSRF-Token", csrf).json(NewToken{"t"}).send();
  };
  const TestResponse evil = with_origin("https://evil.example");
  EXPECT_EQ(evil.status(), 403);
  EXPECT_EQ(evil.text(), R"({"detail":"Cross-origin request refused"})");
  EXPECT_EQ(with_origin("null").status(), 403) << "a sandboxed frame or file: page";
  EXPECT_EQ(with_origin("https://localhost").status(), 403) << "the scheme is part of the origin";
  EXPECT_EQ(with_origin("http://localhost.evil.example").status(), 403);
  EXPECT_EQ(with_origin("http://localhost:8080").status(), 403) << "so is the port";
  EXPECT_EQ(with_origin("http://evil.example/http://localhost").status(), 403);
  EXPECT_EQ(a.rows("aegis_tokens"), 0);

  // The request's own scheme://Host passes (the TestClient sends Host: localhost).
  EXPECT_EQ(with_origin("http://localhost").status(), 201);
  EXPECT_EQ(with_origin("http://LocalHost").status(), 201) << "host names are case-insensitive";
  const TestResponse own_port = c.post("/api/auth/tokens")
                                    .header("Host", "shop.example:8443")
                                    .header("Origin", "http://shop.example:8443")
                                    .header("X-CSRF-Token", csrf)
                                    .json(NewToken{"t"})
                                    .send();
  EXPECT_EQ(own_port.status(), 201) << own_port.text();
  const TestResponse over_https = c.post("/api/auth/tokens")
                                      .header("X-Test-Https", "1")
                                      .header("Origin", "https://localhost")
                                      .header("X-CSRF-Token", csrf)
                                      .json(NewToken{"t"})
                                      .send();
  EXPECT_EQ(over_https.status(), 201) << over_https.text();
}

TEST(Csrf, TrustedOriginsPassAndRefererStandsInForAMissingOrigin) {
  AuthAppOptions o;
  o.auth.trusted_origins = {"https://admin.example"};
  AuthApp a(o);
  a.user("alice");
  auto& c = a.client();
  const std::string csrf = login(c, "alice");
  auto send = [&](std::string_view header, std::string_view value) {
    return c.post("/api/auth/tokens")
        .header(header, value)
        .header("X-CSRF-Token", csrf)
        .json(NewToken{"t"})
        .send()
        .status();
  };
  EXPECT_EQ(send("Origin", "https://admin.example"), 201);
  EXPECT_EQ(send("Origin", "https://admin.example.evil.example"), 403);
  EXPECT_EQ(send("Origin", "http://admin.example"), 403);

  EXPECT_EQ(send("Referer", "https://evil.example/attack.html"), 403) << "a Referer from another site";
  EXPECT_EQ(send("Referer", "https://evil.example"), 403);
  EXPECT_EQ(send("Referer", "http://localhost/settings/permissions?x=1"), 201);
  EXPECT_EQ(send("Referer", "https://admin.example/tools"), 201);
  // Without Origin and Referer (a script or a non-browser client holding the cookie) the token decides.
  EXPECT_EQ(c.post("/api/auth/tokens").header("X-CSRF-Token", csrf).json(NewToken{"t"}).send().status(), 201);
}

TEST(Csrf, BearerRequestsNeedNeitherTheTokenNorAnOrigin) {
  AuthApp a;
  a.user("alice", {"admin"});
  const std::string csrf = login(a.client(), "alice");
  const std::string token(create_token(a.client(), csrf, "api").json().at("token").as_string());

  auto api = a.new_client();
  const TestResponse r = api->post("/api/auth/tokens")
                             .header("Authorization", "Bearer " + token)
                             .header("Origin", "https://elsewhere.example")
                             .json(NewToken{"second"})
                             .send();
  EXPECT_EQ(r.status(), 201) << r.text();
  EXPECT_EQ(api->put("/api/settings/roles/clerk")
                .header("Authorization", "Bearer " + token)
                .json(R"({"permissions":[]})")
                .send()
                .status(),
            200);
  // Bearer wins over a cookie the same request carries: no CSRF check applies.
  EXPECT_EQ(a.client()
                .post("/api/auth/tokens")
                .header("Authorization", "Bearer " + token)
                .json(NewToken{"third"})
                .send()
                .status(),
            201);
}

// ---- bearer tokens -------------------------------------------------------------------------------------------

TEST(Tokens, CreatedTokensAreShownOnceListedWithoutTheirValueAndAuthenticate) {
  AuthApp a;
  const std::int64_t alice = a.user("alice");
  const std::string csrf = login(a.client(), "alice");
  const TestResponse created = create_token(a.client(), csrf, "deploy script");
  ASSERT_EQ(created.status(), 201) << created.text();
  EXPECT_EQ(created.header("Cache-Control"), "no-store");
  const auto info = created.json<TokenInfo>();
  ASSERT_TRUE(info.token);
  const std::string token = *info.token;
  EXPECT_TRUE(token.starts_with("aegis_")) << token;
  EXPECT_GE(token.size(), 40u);
  EXPECT_EQ(info.name, "deploy script");
  EXPECT_GT(info.id, 0);
  // Only a hash is stored.
  a.db().with_connection([&](sql::Connection& c) {
    EXPECT_TRUE(c.query("SELECT 1 FROM aegis_tokens WHERE token_hash = ?", token).empty());
  });

  const TestResponse list = a.client().get("/api/auth/tokens").send();
  ASSERT_EQ(list.status(), 200);
  EXPECT_EQ(list.text().find(token), std::string::npos) << "the token value is listed";
  const auto listed = list.json<std::vector<TokenInfo>>();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, info.id);
  EXPECT_EQ(listed[0].name, "deploy script");
  EXPECT_FALSE(listed[0].token);

  auto api = a.new_client();
  const TestResponse me = api->get("/api/auth/me").header("Authorization", "Bearer " + token).send();
  EXPECT_EQ(me.status(), 200) << me.text();
  EXPECT_EQ(me.json().at("id").as_int64(), alice);
  EXPECT_EQ(api->get("/api/auth/me").header("Authorization", "bearer   " + token + "  ").send().status(), 200)
      << "the scheme is case-insensitive and spaces around the token are ignored";
  EXPECT_TRUE(api->cookies().empty()) << "a bearer request got cookies";
}

TEST(Tokens, ARevokedTokenIs401WithWwwAuthenticate) {
  AuthApp a;
  a.user("alice");
  const std::string csrf = login(a.client(), "alice");
  const auto info = create_token(a.client(), csrf, "ci").json<TokenInfo>();
  const std::string bearer = "Bearer " + *info.token;
  auto api = a.new_client();
  EXPECT_EQ(api->get("/api/auth/me").header("Authorization", bearer).send().status(), 200);  // cached now

  const std::string path = "/api/auth/tokens/" + std::to_string(info.id);
  const TestResponse revoked = a.client().del(path).header("X-CSRF-Token", csrf).send();
  EXPECT_EQ(revoked.status(), 204) << revoked.text();
  EXPECT_EQ(revoked.text(), "");

  const TestResponse r = api->get("/api/auth/me").header("Authorization", bearer).send();
  EXPECT_EQ(r.status(), 401) << "a revoked token still works (cached principal?)";
  EXPECT_EQ(r.header("WWW-Authenticate"), R"(Bearer error="invalid_token")");
  EXPECT_EQ(r.text(), R"({"detail":"Invalid or revoked token"})");
  EXPECT_EQ(api->post("/api/auth/tokens").header("Authorization", bearer).json(NewToken{"x"}).send().status(), 401);
  EXPECT_EQ(a.client().get("/api/auth/tokens").send().text(), "[]");
  EXPECT_EQ(a.client().del(path).header("X-CSRF-Token", csrf).send().status(), 404) << "revoked twice";
}

TEST(Tokens, SomeoneElsesTokenCannotBeRevoked) {
  AuthApp a;
  a.user("alice");
  a.user("bob");
  const std::string alice_csrf = login(a.client(), "alice");
  const auto info = create_token(a.client(), alice_csrf, "alice's").json<TokenInfo>();
  auto bob = a.new_client();
  const std::string bob_csrf = login(*bob, "bob");

  const TestResponse r =
      bob->del("/api/auth/tokens/" + std::to_string(info.id)).header("X-CSRF-Token", bob_csrf).send();
  EXPECT_EQ(r.status(), 404);
  EXPECT_EQ(r.text(), R"({"detail":"No such token"})");
  EXPECT_EQ(bob->del("/api/auth/tokens/999999").header("X-CSRF-Token", bob_csrf).send().status(), 404);
  EXPECT_EQ(bob->get("/api/auth/tokens").send().text(), "[]") << "bob sees alice's tokens";
  auto api = a.new_client();
  EXPECT_EQ(api->get("/api/auth/me").header("Authorization", "Bearer " + *info.token).send().status(), 200);
}

TEST(Tokens, UnknownOrMalformedBearerTokensAre401) {
  AuthApp a;
  auto& c = a.client();
  for (const std::string& token :
       {std::string("aegis_") + std::string(43, 'A'), std::string("x"), std::string(300, 'a'),
        std::string("' OR '1'='1"), std::string("aegis_'; DROP TABLE aegis_tokens; --")}) {
    const TestResponse r = c.get("/api/auth/me").header("Authorization", "Bearer " + token).send();
    EXPECT_EQ(r.status(), 401) << token;
    EXPECT_EQ(r.header("WWW-Authenticate"), R"(Bearer error="invalid_token")") << token;
  }
  // Another scheme is left to the app: here nobody handles it, so the request is anonymous.
  const TestResponse basic = c.get("/api/auth/me").header("Authorization", "Basic YWxpY2U6cGFzc3dvcmQtMQ==").send();
  EXPECT_EQ(basic.status(), 401);
  EXPECT_EQ(basic.text(), kAnonymous);
  EXPECT_EQ(a.rows("aegis_tokens"), 0);
}

TEST(Tokens, NamesAreValidatedAndHostileNamesAreStoredExactly) {
  AuthApp a;
  a.user("alice");
  const std::string csrf = login(a.client(), "alice");
  EXPECT_EQ(create_token(a.client(), csrf, "").status(), 422);
  EXPECT_EQ(create_token(a.client(), csrf, std::string(101, 'n')).status(), 422);
  const std::vector<std::string> names = {"'); DROP TABLE aegis_tokens; --", "\" OR \"\"=\"",
                                          "<script>alert(1)</script>", "caf\xC3\xA9 \xF0\x9F\x94\x91"};
  for (const auto& n : names) {
    const TestResponse r = create_token(a.client(), csrf, n);
    EXPECT_EQ(r.status(), 201) << n << ": " << r.text();
  }
  const auto listed = a.client().get("/api/auth/tokens").send().json<std::vector<TokenInfo>>();
  ASSERT_EQ(listed.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(listed[i].name, names[i]);
  EXPECT_EQ(a.rows("aegis_tokens"), static_cast<std::int64_t>(names.size()));
  EXPECT_EQ(a.rows("aegis_users"), 1);
}

// ---- the login rate limit ------------------------------------------------------------------------------------

TEST(AuthRateLimit, TheFourthLoginFromOneAddressIs429AndOtherAddressesAreNotLimited) {
  AuthAppOptions o;
  o.auth.login_attempts = 3;
  AuthApp a(o);
  a.user("alice");
  auto& c = a.client();
  const TestResponse first = post_login(c, "alice", kPassword);
  EXPECT_EQ(first.status(), 200);
  EXPECT_EQ(first.header("RateLimit-Limit"), "3");
  EXPECT_EQ(first.header("RateLimit-Remaining"), "2");
  c.clear_cookies();  // the next attempts come without a session (a logged-in browser would need its CSRF token)
  // Failed attempts count too, and say so: the client sees its budget shrink.
  const TestResponse wrong = post_login(c, "alice", "wrong-password");
  EXPECT_EQ(wrong.status(), 401);
  EXPECT_EQ(wrong.header("RateLimit-Limit"), "3");
  EXPECT_EQ(wrong.header("RateLimit-Remaining"), "1");
  EXPECT_EQ(post_login(c, "mallory", "wrong-password").status(), 401);
  const TestResponse refused = post_login(c, "alice", kPassword);  // the right password does not help
  EXPECT_EQ(refused.status(), 429);
  EXPECT_EQ(refused.text(), R"({"detail":"Too Many Requests"})");
  ASSERT_TRUE(refused.header("Retry-After"));
  const int retry = std::stoi(*refused.header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  EXPECT_EQ(refused.header("RateLimit-Limit"), "3");
  EXPECT_EQ(refused.header("RateLimit-Remaining"), "0");
  EXPECT_TRUE(refused.header("RateLimit-Reset"));
  EXPECT_TRUE(refused.headers("Set-Cookie").empty());

  auto other = a.new_client();
  other->set_client("203.0.113.7", 40000);
  EXPECT_EQ(post_login(*other, "alice", kPassword).status(), 200) << "another address does not share the budget";
  EXPECT_EQ(post_login(c, "alice", kPassword).status(), 429) << "the limited address is still limited";
}

TEST(AuthRateLimit, TheFourthLoginToOneAccountIs429FromAnyAddressAndOtherAccountsAreNotLimited) {
  AuthAppOptions o;
  o.auth.account_login_attempts = 3;
  AuthApp a(o);
  a.user("alice");
  a.user("bob");
  // Three guesses from three addresses: the per-address limit (1000 here) never trips.
  for (int i = 0; i < 3; ++i) {
    auto c = a.new_client();
    c->set_client("198.51.100." + std::to_string(i + 1), 40000);
    EXPECT_EQ(post_login(*c, "alice", "wrong-password").status(), 401) << "guess " << i;
  }
  auto fourth = a.new_client();
  fourth->set_client("198.51.100.99", 40000);
  const TestResponse refused = post_login(*fourth, "alice", kPassword);  // the right password does not help
  EXPECT_EQ(refused.status(), 429);
  EXPECT_EQ(refused.text(), R"({"detail":"Too many login attempts for this account"})");
  ASSERT_TRUE(refused.header("Retry-After"));
  const int retry = std::stoi(*refused.header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 15 * 60);
  // The account policy's own budget, not the per-address one (1000, barely touched) that allowed it through.
  EXPECT_EQ(refused.headers("RateLimit-Limit"), std::vector<std::string>{"3"});
  EXPECT_EQ(refused.headers("RateLimit-Remaining"), std::vector<std::string>{"0"});
  EXPECT_EQ(refused.headers("RateLimit-Reset"), std::vector<std::string>{std::to_string(retry)});
  EXPECT_TRUE(refused.headers("Set-Cookie").empty());
  // Another account is not limited, from the same address; an unknown name has a budget of its own too,
  // so the 429 says nothing about which names exist.
  EXPECT_EQ(post_login(*fourth, "bob", kPassword).status(), 200);
  fourth->clear_cookies();  // logged in now: further posts would need the session's CSRF token
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post_login(*fourth, "nobody", "x").status(), 401);
  EXPECT_EQ(post_login(*fourth, "nobody", "x").status(), 429);
}

TEST(AuthRateLimit, AnAccountLimitOfZeroStopsTheBoot) {
  AuthAppOptions o;
  o.auth.account_login_attempts = 0;
  EXPECT_THROW(AuthApp a(o), StartupError);
}

// ---- the secret key ------------------------------------------------------------------------------------------

TEST(AuthSecret, ProductionRefusesAMissingShortOrPlaceholderKey) {
  auto db = sql::Database::open("sqlite::memory:");
  App app;
  AppSettings production;
  production.environment = "production";
  for (const std::string& key :
       {std::string(), std::string("short-key"), std::string(31, 'k'),
        std::string("change-me-change-me-change-me-change-me"), std::string("changeme0123456789abcdefghijklmnopq"),
        std::string("your-secret-key-goes-here-0123456789"), std::string("MySecretKey-is-long-enough-0123456789"),
        std::string(40, 'a'), std::string("abababababababababababababababab0123")}) {
    AuthSettings s;
    s.secret_key = key;
    AuthService service(app, db, s);
    EXPECT_THROW(service.check_secret(production), StartupError) << "'" << key << "' was accepted in production";
    EXPECT_EQ(service.settings().secret_key, key) << "the key was replaced in production";
  }
  AuthSettings good;
  good.secret_key = std::string(kKey);
  AuthService service(app, db, good);
  EXPECT_NO_THROW(service.check_secret(production));
  EXPECT_EQ(service.settings().secret_key, kKey);
}

TEST(AuthSecret, DevelopmentMakesARandomKeyWhenNoneIsSet) {
  auto db = sql::Database::open("sqlite::memory:");
  App app;
  AppSettings development;
  AuthService one(app, db, AuthSettings{});
  AuthService two(app, db, AuthSettings{});
  one.check_secret(development);
  two.check_secret(development);
  EXPECT_GE(one.settings().secret_key.size(), 32u);
  EXPECT_NE(one.settings().secret_key, two.settings().secret_key) << "the made-up key is not random";
  AuthSettings given;
  given.secret_key = "dev";
  AuthService three(app, db, given);
  three.check_secret(development);
  EXPECT_EQ(three.settings().secret_key, "dev") << "a key that is set is kept in development";
}

TEST(AuthSecret, AProductionAppWithAPlaceholderKeyDoesNotStart) {
  TempDir dir;
  AppSettings s;
  s.environment = "production";
  App app(s);
  use_database(app, "sqlite:///" + dir.path() + "/app.db");
  AuthSettings auth;
  auth.secret_key = "change-me-change-me-change-me-change-me";
  use_auth(app, auth);
  app.freeze();
  try {
    run(app.start());
    FAIL() << "the app started";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("AEGIS_SECRET_KEY"), std::string::npos) << e.what();
  }
}

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  void set(const char* name, const char* value) {
    if (const char* old = std::getenv(name)) {
      saved_.emplace_back(name, std::string(old));
    } else {
      saved_.emplace_back(name, std::nullopt);
    }
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(AuthSettingsFromEnv, ReadsTheKeyTheTtlAndTheTrustedOrigins) {
  ScopedEnv env;
  env.set("AEGIS_SECRET_KEY", "from-the-environment-0123456789abcdef");
  env.set("AEGIS_SESSION_TTL", "3600");
  env.set("AEGIS_TRUSTED_ORIGINS", " https://a.example , https://b.example:8443,,");
  std::vector<std::string> errors;
  const AuthSettings s = auth_settings_from_env(AuthSettings{}, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(s.secret_key, "from-the-environment-0123456789abcdef");
  EXPECT_EQ(s.session_ttl, 3600s);
  EXPECT_EQ(s.trusted_origins, (std::vector<std::string>{"https://a.example", "https://b.example:8443"}));

  for (const char* bad : {"59", "abc", "3600s", "-5", "31536001"}) {
    env.set("AEGIS_SESSION_TTL", bad);
    std::vector<std::string> errs;
    const AuthSettings d = auth_settings_from_env(AuthSettings{}, errs);
    ASSERT_EQ(errs.size(), 1u) << bad;
    EXPECT_NE(errs[0].find("AEGIS_SESSION_TTL"), std::string::npos) << errs[0];
    EXPECT_EQ(d.session_ttl, AuthSettings{}.session_ttl) << bad;
  }
}

TEST(AuthSetup, TheRoutersAndTheMiddlewareNeedUseAuth) {
  App app;
  EXPECT_THROW(auth_router(app), StartupError);
  EXPECT_THROW(settings_router(app), StartupError);
  EXPECT_THROW(add_session_auth(app), StartupError);
  EXPECT_THROW(use_auth(app, test_auth()), StartupError) << "use_auth without use_database";
}

}  // namespace
