// The settings surfaces (settings_router) as an admin, a user and an anonymous client see them: who may
// reach every endpoint and page, roles and their permissions taking effect at once, feature-flag
// overrides stored and reloaded, and hostile text in every parameter.
#include <aegis/aegis.hpp>
#include <aegis/app/guards.hpp>
#include <aegis/auth/auth.hpp>
#include <aegis/storage/sql.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/run_task.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace aegis;
using aegis::test::run;
using aegis::test::TempDir;
using aegis::testing::TestClient;
using aegis::testing::TestResponse;

constexpr std::string_view kKey = "unit-test-signing-key-0123456789abcdefghij";
constexpr std::string_view kPassword = "password-1";

struct SettingsAppOptions {
  std::string environment = "production";
  /// The database file; empty for a new one in a directory of the app's own.
  std::string database;
  /// Feature flags the app declares: (name, default).
  std::vector<std::pair<std::string, bool>> flags = {{"new_checkout", false}, {"fast_search", true}};
  /// Roles the app declares with their default permissions.
  std::vector<std::pair<std::string, std::vector<std::string>>> roles;
};

// An app with users, sessions, the auth and settings routers, the permissions orders.view and orders.edit,
// and GET /orders guarded by orders.view. Started (migrated) and ready for requests.
class SettingsApp {
 public:
  explicit SettingsApp(SettingsAppOptions o = {}) : app_(app_settings(o.environment)) {
    const std::string file = o.database.empty() ? dir_.path() + "/app.db" : o.database;
    use_database(app_, "sqlite:///" + file);
    AuthSettings auth;
    auth.secret_key = std::string(kKey);
    auth.login_attempts = 1000;
    auth.account_login_attempts = 1000;
    auth_ = &use_auth(app_, auth);
    app_.permissions().add_group("Orders", {"orders.view", "orders.edit"});
    for (const auto& [name, on] : o.flags) app_.feature_flags().add(name, on, "Flag " + name);
    for (const auto& [role, permissions] : o.roles) app_.permissions().add_role(role, permissions);
    add_session_auth(app_);
    app_.include_router(auth_router(app_), {.prefix = "/api/auth"});
    app_.include_router(settings_router(app_));
    app_.router()
        .get("/orders", [] { return std::string("orders"); })
        .dependencies({require_permission("orders.view")});
    client_ = std::make_unique<TestClient>(app_);
    run(app_.start());
  }

  App& app() noexcept { return app_; }
  TestClient& client() noexcept { return *client_; }
  std::unique_ptr<TestClient> new_client() { return std::make_unique<TestClient>(app_); }
  sql::Database& db() { return app_.state().get<sql::Database>(); }
  const FeatureFlagRegistry& flags() const { return app_.feature_flags(); }
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

// Logs the client in; returns the session's CSRF token.
std::string login(TestClient& c, std::string_view username) {
  const TestResponse r =
      c.post("/api/auth/login").json(LoginRequest{std::string(username), std::string(kPassword)}).send();
  EXPECT_EQ(r.status(), 200) << r.text();
  if (r.status() != 200) return {};
  return std::string(r.json().at("csrf_token").as_string());
}

std::string encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

// One request to the settings surface: method, path, body (empty for none).
struct Call {
  Method method;
  std::string path;
  std::string body;
};

// Every endpoint and page of settings_router, with bodies that would succeed for an admin.
std::vector<Call> every_settings_endpoint(std::int64_t user_id) {
  return {
      {Method::get, "/api/settings/permissions", ""},
      {Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.view"]})"},
      {Method::del, "/api/settings/roles/clerk", ""},
      {Method::put, "/api/settings/users/" + std::to_string(user_id) + "/roles", R"({"roles":["admin"]})"},
      {Method::get, "/api/settings/flags", ""},
      {Method::put, "/api/settings/flags/new_checkout", R"({"scope":"system","subject":"","value":true})"},
      {Method::del, "/api/settings/flags/new_checkout?scope=system", ""},
      {Method::get, "/settings/permissions", ""},
      {Method::get, "/settings/feature-flags", ""},
  };
}

TestResponse send(TestClient& c, const Call& call, std::string_view csrf = {}) {
  auto req = c.request(call.method, call.path);
  if (!call.body.empty()) req.json(call.body);
  if (!csrf.empty()) req.header("X-CSRF-Token", csrf);
  return req.send();
}

// ---- who may reach the settings --------------------------------------------------------------------------------

TEST(SettingsGuards, AUserWithoutTheSettingsPermissionsGets403OnEveryEndpointAndPage) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::int64_t bob = a.user("bob");
  const std::string csrf = login(a.client(), "bob");
  for (const Call& call : every_settings_endpoint(bob)) {
    const TestResponse r = send(a.client(), call, csrf);  // with the token: the guard, not CSRF, decides
    EXPECT_EQ(r.status(), 403) << to_string(call.method) << " " << call.path << ": " << r.text();
    EXPECT_NE(r.text().find("settings."), std::string::npos)
        << call.path << " does not name the permission: " << r.text();
    // The pages say so as a page (the browser shows it), the API as JSON.
    const bool page = call.path.starts_with("/settings/");
    EXPECT_EQ(r.header("content-type"), page ? "text/html; charset=utf-8" : "application/json") << call.path;
    if (page) {
      EXPECT_NE(r.text().find("You may not see this page"), std::string::npos) << r.text();
    }
  }
  // Nothing changed.
  EXPECT_EQ(a.rows("aegis_roles"), 1);
  EXPECT_EQ(a.rows("aegis_flag_overrides"), 0);
  EXPECT_FALSE(a.flags().is_enabled("new_checkout"));
  EXPECT_EQ(a.client().get("/api/auth/me").send().json().at("roles").as_array().size(), 0u) << "bob made himself admin";
}

// What the admin surfaces and the account endpoints answer is for the caller alone: no cache keeps it.
TEST(SettingsGuards, AdminAndAccountAnswersAreNotStored) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::string csrf = login(a.client(), "alice");
  for (const std::string path : {"/api/settings/permissions", "/api/settings/flags", "/api/auth/me", "/api/auth/tokens"}) {
    const TestResponse r = a.client().get(path).send();
    EXPECT_EQ(r.status(), 200) << path;
    EXPECT_EQ(r.headers("Cache-Control"), std::vector<std::string>{"no-store"}) << path;
  }
  const TestResponse put =
      send(a.client(), {Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.view"]})"}, csrf);
  EXPECT_EQ(put.status(), 200);
  EXPECT_EQ(put.headers("Cache-Control"), std::vector<std::string>{"no-store"});
}

TEST(SettingsGuards, EachSurfaceNeedsItsOwnPermission) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::string admin_csrf = login(a.client(), "alice");
  ASSERT_EQ(
      send(a.client(), {Method::put, "/api/settings/roles/role-admin", R"({"permissions":["settings.permissions"]})"},
           admin_csrf)
          .status(),
      200);
  ASSERT_EQ(
      send(a.client(), {Method::put, "/api/settings/roles/flag-admin", R"({"permissions":["settings.feature_flags"]})"},
           admin_csrf)
          .status(),
      200);
  const std::int64_t dave = a.user("dave", {"role-admin"});
  a.user("erin", {"flag-admin"});
  auto roles_only = a.new_client();
  login(*roles_only, "dave");
  auto flags_only = a.new_client();
  const std::string erin_csrf = login(*flags_only, "erin");
  EXPECT_EQ(roles_only->get("/api/settings/permissions").send().status(), 200);
  EXPECT_EQ(roles_only->get("/settings/permissions").send().status(), 200);
  EXPECT_EQ(roles_only->get("/api/settings/flags").send().status(), 403);
  EXPECT_EQ(roles_only->get("/settings/feature-flags").send().status(), 403);
  EXPECT_EQ(flags_only->get("/api/settings/flags").send().status(), 200);
  EXPECT_EQ(flags_only->get("/settings/feature-flags").send().status(), 200);
  EXPECT_EQ(flags_only->get("/api/settings/permissions").send().status(), 403);
  EXPECT_EQ(flags_only->get("/settings/permissions").send().status(), 403);
  EXPECT_EQ(
      send(*flags_only,
           {Method::put, "/api/settings/users/" + std::to_string(dave) + "/roles", R"({"roles":["admin"]})"}, erin_csrf)
          .status(),
      403);
}

TEST(SettingsGuards, AnonymousClientsInProductionGet401AndThePagesSendThemToTheLogin) {
  SettingsApp a;
  const std::int64_t alice = a.user("alice", {"admin"});
  for (const char* ip : {"203.0.113.9", "127.0.0.1"}) {  // in production loopback is not enough
    auto c = a.new_client();
    c->set_client(ip, 4000);
    for (const Call& call : every_settings_endpoint(alice)) {
      const TestResponse r = send(*c, call);
      if (call.path.starts_with("/settings/")) {
        EXPECT_EQ(r.status(), 303) << ip << " " << call.path;
        EXPECT_EQ(r.header("Location"), "/settings/login?next=" + call.path) << call.path;
      } else {
        EXPECT_EQ(r.status(), 401) << ip << " " << to_string(call.method) << " " << call.path << ": " << r.text();
        EXPECT_EQ(r.text(), R"({"detail":"Not authenticated"})");
      }
    }
    const TestResponse page = c->get("/settings/login").send();
    EXPECT_EQ(page.status(), 200);
    EXPECT_NE(page.text().find("<form id=\"login\">"), std::string::npos);
  }
  EXPECT_EQ(a.rows("aegis_roles"), 1);
  EXPECT_EQ(a.rows("aegis_flag_overrides"), 0);
}

TEST(SettingsGuards, AnInvalidBodyFromAnAnonymousClientIsStill401) {
  // The guard answers before the body is read: an anonymous client learns nothing of the API's shapes.
  SettingsApp a;
  auto c = a.new_client();
  c->set_client("203.0.113.9", 4000);
  EXPECT_EQ(c->put("/api/settings/roles/clerk").json(R"({"permissions":7})").send().status(), 401);
  EXPECT_EQ(c->put("/api/settings/flags/new_checkout").json("{").send().status(), 401);
}

TEST(SettingsGuards, InDevelopmentALoopbackClientPassesButNotFromAnotherSite) {
  SettingsApp a({.environment = "development"});
  auto& c = a.client();  // anonymous, 127.0.0.1
  EXPECT_EQ(c.get("/api/settings/permissions").send().status(), 200);
  EXPECT_EQ(c.get("/api/settings/flags").send().status(), 200);
  const TestResponse page = c.get("/settings/permissions").send();
  EXPECT_EQ(page.status(), 200);
  EXPECT_NE(page.text().find("Development: open to this computer"), std::string::npos);

  // A web page on another site driving the developer's browser against the local admin API.
  const TestResponse cross = c.put("/api/settings/roles/clerk")
                                 .header("Origin", "https://evil.example")
                                 .json(R"({"permissions":["orders.view"]})")
                                 .send();
  EXPECT_EQ(cross.status(), 403) << cross.text();
  EXPECT_EQ(c.put("/api/settings/flags/new_checkout")
                .header("Origin", "https://evil.example")
                .json(R"({"scope":"system","subject":"","value":true})")
                .send()
                .status(),
            403);
  EXPECT_EQ(c.del("/api/settings/flags/new_checkout?scope=system").header("Origin", "null").send().status(), 403);
  // A client that sends no Origin but a Referer from another site is refused the same way.
  const TestResponse referred = c.put("/api/settings/roles/clerk")
                                    .header("Referer", "http://evil.example/page")
                                    .json(R"({"permissions":["*"]})")
                                    .send();
  EXPECT_EQ(referred.status(), 403) << referred.text();
  EXPECT_EQ(c.del("/api/settings/flags/new_checkout?scope=system")
                .header("Referer", "https://evil.example/")
                .send()
                .status(),
            403);
  EXPECT_EQ(a.rows("aegis_roles"), 1);
  EXPECT_FALSE(a.flags().is_enabled("new_checkout"));

  // The app's own pages (same origin, or a tool sending no Origin) may.
  EXPECT_EQ(c.put("/api/settings/roles/clerk")
                .header("Origin", "http://localhost")
                .json(R"({"permissions":["orders.view"]})")
                .send()
                .status(),
            200);
  EXPECT_EQ(c.put("/api/settings/roles/clerk")
                .header("Referer", "http://localhost/settings/permissions")
                .json(R"({"permissions":["orders.view"]})")
                .send()
                .status(),
            200);
  EXPECT_EQ(
      c.put("/api/settings/flags/new_checkout").json(R"({"scope":"system","subject":"","value":true})").send().status(),
      200);

  // A web page whose own name resolves to 127.0.0.1 (DNS rebinding) is same-origin with itself: the Host
  // it sends is not one of this computer's names, so it is anonymous: 401, and the pages send it to log in.
  for (const char* host : {"evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example", "[::2]:8000"}) {
    const TestResponse rebound = c.get("/api/settings/permissions").header("Host", host).send();
    EXPECT_EQ(rebound.status(), 401) << host;
    EXPECT_EQ(rebound.header("WWW-Authenticate"), "Bearer") << host;
    EXPECT_NE(rebound.text().find("localhost or a loopback address"), std::string::npos) << rebound.text();
    const TestResponse page = c.get("/settings/permissions").header("Host", host).send();
    EXPECT_EQ(page.status(), 303) << host;
    EXPECT_EQ(page.header("Location"), "/settings/login?next=/settings/permissions") << host;
  }
  // An absolute-form target names the host (RFC 9112 section 3.2.2), whatever Host says.
  EXPECT_EQ(c.get("http://evil.example/api/settings/permissions").header("Host", "localhost").send().status(), 401);
  EXPECT_EQ(c.get("http://localhost/api/settings/permissions").header("Host", "evil.example").send().status(), 200);
  EXPECT_EQ(c.put("/api/settings/flags/new_checkout")
                .header("Host", "evil.example")
                .header("Origin", "http://evil.example")
                .json(R"({"scope":"system","subject":"","value":false})")
                .send()
                .status(),
            401);
  EXPECT_TRUE(a.flags().is_enabled("new_checkout"));
  for (const char* host : {"127.0.0.1:8000", "[::1]:8000", "LOCALHOST", "localhost.:8000", "app.localhost:8000",
                           "127.1.2.3", "0.0.0.0:8000", "[::]:8000"}) {
    EXPECT_EQ(c.get("/api/settings/permissions").header("Host", host).send().status(), 200) << host;
  }

  // Another computer is not trusted, even in development.
  auto remote = a.new_client();
  remote->set_client("192.0.2.10", 4000);
  const TestResponse far = remote->get("/api/settings/permissions").send();
  EXPECT_EQ(far.status(), 401);
  EXPECT_EQ(far.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(far.text(), R"({"detail":"Not authenticated"})");
}

// ---- roles and permissions ---------------------------------------------------------------------------------

TEST(SettingsRoles, ARoleEditorCannotHandOutOrTakeAwayWhatItDoesNotHold) {
  SettingsApp a;
  const std::int64_t alice = a.user("alice", {"admin"});
  const std::string admin_csrf = login(a.client(), "alice");
  ASSERT_EQ(
      send(a.client(), {Method::put, "/api/settings/roles/role-admin", R"({"permissions":["settings.permissions"]})"},
           admin_csrf)
          .status(),
      200);
  ASSERT_EQ(send(a.client(), {Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.view"]})"},
                 admin_csrf)
                .status(),
            200);
  const std::int64_t dave = a.user("dave", {"role-admin"});
  const std::int64_t bob = a.user("bob", {"clerk"});
  auto dave_client = a.new_client();
  const std::string csrf = login(*dave_client, "dave");
  const std::string dave_roles = "/api/settings/users/" + std::to_string(dave) + "/roles";

  // Making himself an administrator, directly or through a role, is refused and changes nothing.
  TestResponse r = send(*dave_client, {Method::put, dave_roles, R"({"roles":["role-admin","admin"]})"}, csrf);
  EXPECT_EQ(r.status(), 403) << r.text();
  EXPECT_EQ(r.text(), R"({"detail":"You cannot give or take the role 'admin': it holds '*', which you do not hold"})");
  r = send(*dave_client, {Method::put, "/api/settings/roles/role-admin", R"({"permissions":["settings.permissions","*"]})"},
           csrf);
  EXPECT_EQ(r.status(), 403) << r.text();
  EXPECT_EQ(r.text(), R"({"detail":"You cannot grant '*': you do not hold it"})");
  EXPECT_EQ(send(*dave_client, {Method::put, dave_roles, R"({"roles":["role-admin","clerk"]})"}, csrf).status(), 403)
      << "clerk holds orders.view, which dave does not";
  EXPECT_EQ(send(*dave_client, {Method::put, "/api/settings/roles/viewer", R"({"permissions":["orders.view"]})"}, csrf)
                .status(),
            403);
  const Json me = dave_client->get("/api/auth/me").send().json();
  EXPECT_EQ(me.at("roles").as_array().size(), 1u) << me;
  EXPECT_EQ(me.at("permissions").as_array().size(), 1u) << me;
  EXPECT_EQ(dave_client->get("/orders").send().status(), 403);

  // Nor can he take away what he does not hold.
  EXPECT_EQ(send(*dave_client, {Method::del, "/api/settings/roles/clerk", ""}, csrf).status(), 403);
  EXPECT_EQ(send(*dave_client, {Method::put, "/api/settings/roles/clerk", R"({"permissions":[]})"}, csrf).status(), 403);
  EXPECT_EQ(send(*dave_client,
                 {Method::put, "/api/settings/users/" + std::to_string(alice) + "/roles", R"({"roles":[]})"}, csrf)
                .status(),
            403);
  EXPECT_EQ(send(*dave_client, {Method::put, "/api/settings/users/" + std::to_string(bob) + "/roles", R"({"roles":[]})"},
                 csrf)
                .status(),
            403);
  EXPECT_EQ(a.rows("aegis_user_roles"), 3) << "a refused change must leave every assignment as it was";

  // What he holds he may hand on.
  EXPECT_EQ(send(*dave_client, {Method::put, "/api/settings/roles/deputy", R"({"permissions":["settings.permissions"]})"},
                 csrf)
                .status(),
            200);
  r = send(*dave_client,
           {Method::put, "/api/settings/users/" + std::to_string(bob) + "/roles", R"({"roles":["clerk","deputy"]})"}, csrf);
  EXPECT_EQ(r.status(), 200) << r.text();
}

TEST(SettingsRoles, AnAdminGrantsARoleAndTheUserGainsAccessAtOnce) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::int64_t bob = a.user("bob");
  const std::string csrf = login(a.client(), "alice");
  auto bob_client = a.new_client();
  const std::string bob_csrf = login(*bob_client, "bob");
  EXPECT_EQ(bob_client->get("/orders").send().status(), 403);  // and his principal is cached now
  const TestResponse token =
      bob_client->post("/api/auth/tokens").header("X-CSRF-Token", bob_csrf).json(NewToken{"cli"}).send();
  ASSERT_EQ(token.status(), 201) << token.text();
  const std::string bearer = "Bearer " + std::string(token.json().at("token").as_string());
  auto bob_api = a.new_client();
  EXPECT_EQ(bob_api->get("/orders").header("Authorization", bearer).send().status(), 403);  // cached too

  const TestResponse role = send(
      a.client(), {Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.view","orders.view"]})"}, csrf);
  ASSERT_EQ(role.status(), 200) << role.text();
  EXPECT_EQ(role.text(), R"({"name":"clerk","permissions":["orders.view"]})");
  const std::string bob_roles = "/api/settings/users/" + std::to_string(bob) + "/roles";
  const TestResponse assigned = send(a.client(), {Method::put, bob_roles, R"({"roles":["clerk"]})"}, csrf);
  ASSERT_EQ(assigned.status(), 200) << assigned.text();
  EXPECT_EQ(assigned.text(), R"({"id":)" + std::to_string(bob) +
                                 R"(,"username":"bob","roles":["clerk"],"permissions":["orders.view"]})");

  // Bob's next request has the permission: no new login needed.
  const TestResponse orders = bob_client->get("/orders").send();
  EXPECT_EQ(orders.status(), 200) << "the role change did not reach a logged-in user";
  EXPECT_EQ(orders.text(), "orders");
  EXPECT_EQ(bob_api->get("/orders").header("Authorization", bearer).send().status(), 200) << "nor his bearer token";
  EXPECT_EQ(bob_client->get("/api/auth/me").send().json().at("permissions").as_array().size(), 1u);

  // The overview shows the role and bob's roles.
  const Json view = a.client().get("/api/settings/permissions").send().json();
  bool listed = false;
  for (const auto& r : view.at("roles").as_array()) {
    if (r.at("name") == "clerk") listed = r.at("permissions").as_array().size() == 1;
  }
  EXPECT_TRUE(listed) << view;
  bool bob_listed = false;
  for (const auto& u : view.at("users").as_array()) {
    if (u.at("username") == "bob") bob_listed = u.at("roles").as_array().size() == 1;
  }
  EXPECT_TRUE(bob_listed) << view;
  const TestResponse page = a.client().get("/settings/permissions").send();
  EXPECT_EQ(page.status(), 200);
  EXPECT_NE(page.text().find("data-user-role=\"clerk\" aria-label=\"bob: role clerk\" checked"), std::string::npos);

  // Taking the permission away takes effect at once too, and so does deleting the role.
  ASSERT_EQ(send(a.client(), {Method::put, "/api/settings/roles/clerk", R"({"permissions":[]})"}, csrf).status(), 200);
  EXPECT_EQ(bob_client->get("/orders").send().status(), 403);
  EXPECT_EQ(bob_api->get("/orders").header("Authorization", bearer).send().status(), 403);
  ASSERT_EQ(send(a.client(), {Method::put, "/api/settings/roles/clerk", R"({"permissions":["*"]})"}, csrf).status(),
            200);
  EXPECT_EQ(bob_client->get("/orders").send().status(), 200) << "\"*\" grants every permission";
  EXPECT_EQ(send(a.client(), {Method::del, "/api/settings/roles/clerk", ""}, csrf).status(), 204);
  EXPECT_EQ(bob_client->get("/orders").send().status(), 403);
  EXPECT_EQ(bob_client->get("/api/auth/me").send().json().at("roles").as_array().size(), 0u);
  EXPECT_EQ(send(a.client(), {Method::del, "/api/settings/roles/clerk", ""}, csrf).status(), 404);
}

TEST(SettingsRoles, InvalidChangesAreRefusedWithTheRightStatus) {
  SettingsApp a;
  const std::int64_t alice = a.user("alice", {"admin"});
  const std::int64_t bob = a.user("bob");
  const std::string csrf = login(a.client(), "alice");
  auto expect = [&](Call call, int status, std::string_view detail = {}) {
    const TestResponse r = send(a.client(), call, csrf);
    EXPECT_EQ(r.status(), status) << to_string(call.method) << " " << call.path << " " << call.body << ": " << r.text();
    if (!detail.empty()) {
      EXPECT_EQ(r.text(), R"({"detail":")" + std::string(detail) + R"("})");
    }
  };
  expect({Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.delete"]})"}, 422,
         "Permission 'orders.delete' is not declared by any module");
  expect({Method::put, "/api/settings/roles/Clerk", R"({"permissions":[]})"}, 422,
         "A role name has 1 to 64 lower-case letters, digits, '_', '-' or '.'");
  expect({Method::put, "/api/settings/roles/" + std::string(65, 'r'), R"({"permissions":[]})"}, 422);
  expect({Method::put, "/api/settings/roles/clerk", R"({"permissions":"orders.view"})"}, 422);
  expect({Method::put, "/api/settings/roles/admin", R"({"permissions":["orders.view"]})"}, 409,
         "The admin role holds every permission and cannot be changed");
  expect({Method::del, "/api/settings/roles/admin", ""}, 409, "The admin role cannot be deleted");
  expect({Method::del, "/api/settings/roles/ghost", ""}, 404, "No such role");

  const std::string alice_roles = "/api/settings/users/" + std::to_string(alice) + "/roles";
  expect({Method::put, alice_roles, R"({"roles":[]})"}, 409, "The last administrator cannot lose the admin role");
  expect({Method::put, alice_roles, R"({"roles":["orders"]})"}, 422, "No role named 'orders'");
  expect({Method::put, "/api/settings/users/999999/roles", R"({"roles":[]})"}, 404, "No such user");
  expect({Method::put, "/api/settings/users/" + std::to_string(bob) + "/roles", R"({"roles":["admin","ghost"]})"}, 422,
         "No role named 'ghost'");
  expect({Method::put, "/api/settings/users/bob/roles", R"({"roles":[]})"}, 404);  // ids are integers
  // Nothing of the refused changes landed.
  EXPECT_EQ(a.rows("aegis_roles"), 1);
  EXPECT_EQ(a.rows("aegis_user_roles"), 1);

  // With a second administrator the first may step down.
  expect({Method::put, "/api/settings/users/" + std::to_string(bob) + "/roles", R"({"roles":["admin"]})"}, 200);
  expect({Method::put, alice_roles, R"({"roles":[]})"}, 200);
  EXPECT_EQ(a.client().get("/api/settings/permissions").send().status(), 403) << "alice is no longer an admin";
}

TEST(SettingsRoles, DeclaredRolesAreSeededOnceAndAnAdminsChangesSurviveARestart) {
  TempDir dir;
  const std::string file = dir.path() + "/roles.db";
  const SettingsAppOptions declared{.database = file, .roles = {{"viewer", {"orders.view"}}}};
  std::int64_t bob = 0;
  {
    SettingsApp first(declared);
    first.user("alice", {"admin"});
    bob = first.user("bob", {"viewer"});
    auto bob_client = first.new_client();
    login(*bob_client, "bob");
    EXPECT_EQ(bob_client->get("/orders").send().status(), 200) << "the declared role was not stored with its grant";
    const std::string csrf = login(first.client(), "alice");
    ASSERT_EQ(send(first.client(), {Method::put, "/api/settings/roles/viewer", R"({"permissions":[]})"}, csrf).status(),
              200);
  }
  {
    SettingsApp second(declared);  // the next boot declares the role again
    auto bob_client = second.new_client();
    login(*bob_client, "bob");
    EXPECT_EQ(bob_client->get("/orders").send().status(), 403) << "the boot overwrote what the admin changed";
    const Json me = bob_client->get("/api/auth/me").send().json();
    EXPECT_EQ(me.at("id").as_int64(), bob);
    EXPECT_EQ(me.at("roles").as_array().size(), 1u);
    // Deleted, the declared role stays deleted.
    const std::string csrf = login(second.client(), "alice");
    ASSERT_EQ(send(second.client(), {Method::del, "/api/settings/roles/viewer", ""}, csrf).status(), 204);
  }
  SettingsApp third(declared);
  EXPECT_EQ(third.rows("aegis_roles"), 1) << "the boot brought back a role the admin deleted";
  EXPECT_EQ(third.rows("aegis_role_permissions"), 1);
  login(third.client(), "alice");
  const Json view = third.client().get("/api/settings/permissions").send().json();
  EXPECT_EQ(view.at("roles").as_array().size(), 1u) << view;
}

// A role may hold a permission no module declares any more (its module was removed): the role's other
// permissions can still be edited with it ticked (the page sends every ticked box), and it can be taken
// away, but it cannot be granted anew, to that role or another.
TEST(SettingsRoles, APermissionNoModuleDeclaresAnyMoreCanStayOrGoButIsNotGrantedAnew) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::string csrf = login(a.client(), "alice");
  ASSERT_EQ(send(a.client(), {Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.view"]})"}, csrf)
                .status(),
            200);
  a.db().with_connection([](sql::Connection& c) {
    c.execute("INSERT INTO aegis_role_permissions (role, permission) VALUES ('clerk', 'legacy.export')");
  });

  const TestResponse edited = send(
      a.client(),
      {Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.view","orders.edit","legacy.export"]})"},
      csrf);
  EXPECT_EQ(edited.status(), 200) << edited.text();
  EXPECT_EQ(edited.text(), R"({"name":"clerk","permissions":["legacy.export","orders.edit","orders.view"]})");

  const TestResponse removed =
      send(a.client(), {Method::put, "/api/settings/roles/clerk", R"({"permissions":["orders.edit"]})"}, csrf);
  EXPECT_EQ(removed.status(), 200) << removed.text();
  EXPECT_EQ(a.rows("aegis_role_permissions"), 2);  // admin's "*" and clerk's orders.edit

  for (const std::string role : {"clerk", "other"}) {
    const TestResponse again =
        send(a.client(), {Method::put, "/api/settings/roles/" + role, R"({"permissions":["legacy.export"]})"}, csrf);
    EXPECT_EQ(again.status(), 422) << role;
    EXPECT_EQ(again.text(), R"({"detail":"Permission 'legacy.export' is not declared by any module"})") << role;
  }
  EXPECT_EQ(a.rows("aegis_roles"), 2);
  EXPECT_EQ(a.rows("aegis_role_permissions"), 2);
}

// ---- feature flags ---------------------------------------------------------------------------------------------

std::vector<std::string> stored_overrides(SettingsApp& a) {
  return a.db().with_connection([](sql::Connection& c) {
    std::vector<std::string> out;
    for (const auto& r :
         c.query("SELECT scope, subject, name, value FROM aegis_flag_overrides ORDER BY scope, subject, name")) {
      out.push_back(r.get<std::string>(0) + "|" + r.get<std::string>(1) + "|" + r.get<std::string>(2) + "|" +
                    std::to_string(r.get<int>(3)));
    }
    return out;
  });
}

Principal person(std::string id, std::string tenant = {}) {
  Principal p;
  p.id = std::move(id);
  p.tenant = std::move(tenant);
  return p;
}

TEST(SettingsFlags, ASystemOverrideIsStoredAndAppliesAtOnce) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::string csrf = login(a.client(), "alice");
  EXPECT_FALSE(a.flags().is_enabled("new_checkout"));

  const TestResponse r =
      send(a.client(),
           {Method::put, "/api/settings/flags/new_checkout", R"({"scope":"system","subject":"ignored","value":true})"},
           csrf);
  ASSERT_EQ(r.status(), 200) << r.text();
  EXPECT_EQ(r.text(), R"({"name":"new_checkout","description":"Flag new_checkout","default_value":false,"system":true,)"
                      R"("overrides":[],"enabled":true})");
  EXPECT_TRUE(a.flags().is_enabled("new_checkout")) << "the registry did not change";
  EXPECT_EQ(stored_overrides(a), std::vector<std::string>{"system||new_checkout|1"})
      << "the subject of a system override is empty";

  // Setting it again replaces the value.
  ASSERT_EQ(
      send(a.client(),
           {Method::put, "/api/settings/flags/new_checkout", R"({"scope":"system","subject":"","value":false})"}, csrf)
          .status(),
      200);
  EXPECT_FALSE(a.flags().is_enabled("new_checkout"));
  EXPECT_EQ(stored_overrides(a), std::vector<std::string>{"system||new_checkout|0"});
  const Json listed = a.client().get("/api/settings/flags").send().json();
  ASSERT_EQ(listed.as_array().size(), 2u);
  EXPECT_EQ(listed.as_array()[1].at("name"), "new_checkout");
  EXPECT_EQ(listed.as_array()[1].at("system"), false);

  EXPECT_EQ(a.client().del("/api/settings/flags/fast_search?scope=system").header("X-CSRF-Token", csrf).send().status(),
            404)
      << "no override to remove";
  EXPECT_EQ(
      a.client().del("/api/settings/flags/new_checkout?scope=system").header("X-CSRF-Token", csrf).send().status(),
      204);
  EXPECT_TRUE(stored_overrides(a).empty());
  EXPECT_FALSE(a.flags().is_enabled("new_checkout"));
  EXPECT_EQ(
      a.client().del("/api/settings/flags/new_checkout?scope=system").header("X-CSRF-Token", csrf).send().status(),
      404);
}

TEST(SettingsFlags, UserAndTenantOverridesApplyToTheirSubjectsOnly) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::string csrf = login(a.client(), "alice");
  auto put = [&](std::string_view body) {
    return send(a.client(), {Method::put, "/api/settings/flags/new_checkout", std::string(body)}, csrf);
  };
  ASSERT_EQ(put(R"({"scope":"tenant","subject":"acme","value":true})").status(), 200);
  const TestResponse r = put(R"({"scope":"user","subject":"42","value":false})");
  ASSERT_EQ(r.status(), 200) << r.text();
  EXPECT_EQ(r.json().at("overrides").as_array().size(), 2u);
  EXPECT_EQ(r.json().at("enabled"), false) << "tenant and user overrides do not change the general answer";

  const Principal acme_user = person("7", "acme");
  const Principal acme_42 = person("42", "acme");
  const Principal other = person("8", "globex");
  EXPECT_TRUE(a.flags().is_enabled("new_checkout", &acme_user));
  EXPECT_FALSE(a.flags().is_enabled("new_checkout", &acme_42)) << "the user override beats the tenant's";
  EXPECT_FALSE(a.flags().is_enabled("new_checkout", &other));
  EXPECT_FALSE(a.flags().is_enabled("new_checkout"));
  EXPECT_EQ(stored_overrides(a), (std::vector<std::string>{"tenant|acme|new_checkout|1", "user|42|new_checkout|0"}));

  // Removing names the scope and subject; the other override stays.
  EXPECT_EQ(a.client()
                .del("/api/settings/flags/new_checkout?scope=user&subject=43")
                .header("X-CSRF-Token", csrf)
                .send()
                .status(),
            404);
  EXPECT_EQ(a.client()
                .del("/api/settings/flags/new_checkout?scope=tenant&subject=42")
                .header("X-CSRF-Token", csrf)
                .send()
                .status(),
            404);
  EXPECT_EQ(a.client()
                .del("/api/settings/flags/new_checkout?scope=user&subject=42")
                .header("X-CSRF-Token", csrf)
                .send()
                .status(),
            204);
  EXPECT_TRUE(a.flags().is_enabled("new_checkout", &acme_42));
  EXPECT_EQ(stored_overrides(a), std::vector<std::string>{"tenant|acme|new_checkout|1"});
}

TEST(SettingsFlags, UndeclaredFlagsAndBadScopesAreRefused) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::string csrf = login(a.client(), "alice");
  auto put = [&](std::string_view flag, std::string_view body) {
    return send(a.client(), {Method::put, "/api/settings/flags/" + std::string(flag), std::string(body)}, csrf);
  };
  auto del = [&](std::string_view target) {
    return a.client().del(std::string(target)).header("X-CSRF-Token", csrf).send();
  };

  const TestResponse ghost = put("ghost", R"({"scope":"system","subject":"","value":true})");
  EXPECT_EQ(ghost.status(), 404);
  EXPECT_EQ(ghost.text(), R"({"detail":"No feature flag named 'ghost'"})");
  EXPECT_EQ(del("/api/settings/flags/ghost?scope=system").status(), 404);
  EXPECT_EQ(put("new_checkout", R"({"scope":"global","subject":"","value":true})").status(), 422);
  EXPECT_EQ(put("new_checkout", R"({"scope":"System","subject":"","value":true})").status(), 422);
  EXPECT_EQ(put("new_checkout", R"({"scope":"user","subject":"","value":true})").status(), 422)
      << "a user override needs the user";
  EXPECT_EQ(put("new_checkout", R"({"scope":"tenant","subject":"","value":true})").status(), 422);
  EXPECT_EQ(
      put("new_checkout", R"({"scope":"user","subject":")" + std::string(129, 's') + R"(","value":true})").status(),
      422);
  EXPECT_EQ(put("new_checkout", R"({"scope":"system","subject":"","value":"yes"})").status(), 422);
  // The DELETE answers bad input as the PUT does: a FastAPI-shaped list for a malformed parameter, and
  // a tenant or user scope without its subject is 422, not "no such override".
  const TestResponse bad_scope = del("/api/settings/flags/new_checkout?scope=global");
  EXPECT_EQ(bad_scope.status(), 422);
  EXPECT_EQ(boost::json::serialize(bad_scope.json().at("detail").as_array().at(0).at("loc")), R"(["query","scope"])")
      << bad_scope.text();
  EXPECT_EQ(del("/api/settings/flags/new_checkout").status(), 422) << "the scope is required";
  const TestResponse no_subject = del("/api/settings/flags/new_checkout?scope=tenant");
  EXPECT_EQ(no_subject.status(), 422);
  EXPECT_EQ(no_subject.text(), R"js({"detail":"A tenant override needs a subject (the tenant)"})js");
  EXPECT_EQ(del("/api/settings/flags/new_checkout?scope=user&subject=" + std::string(129, 's')).status(), 422);
  EXPECT_EQ(a.rows("aegis_flag_overrides"), 0);
}

TEST(SettingsFlags, ANewAppOverTheSameDatabaseLoadsTheStoredOverrides) {
  TempDir dir;
  const std::string file = dir.path() + "/flags.db";
  {
    SettingsApp first({.database = file, .flags = {{"new_checkout", false}, {"retired", false}}});
    first.user("alice", {"admin"});
    const std::string csrf = login(first.client(), "alice");
    for (const auto& [flag, body] : std::vector<std::pair<std::string, std::string>>{
             {"new_checkout", R"({"scope":"system","subject":"","value":true})"},
             {"new_checkout", R"({"scope":"user","subject":"42","value":false})"},
             {"retired", R"({"scope":"system","subject":"","value":true})"}}) {
      ASSERT_EQ(send(first.client(), {Method::put, "/api/settings/flags/" + flag, body}, csrf).status(), 200) << body;
    }
  }
  // The next release no longer declares "retired": its stored override is skipped, not a boot failure.
  SettingsApp second({.database = file, .flags = {{"new_checkout", false}}});
  const Principal user_42 = person("42");
  EXPECT_TRUE(second.flags().is_enabled("new_checkout")) << "the stored system override was not loaded";
  EXPECT_FALSE(second.flags().is_enabled("new_checkout", &user_42)) << "the stored user override was not loaded";
  EXPECT_FALSE(second.flags().declared("retired"));
  auto c = second.new_client();
  login(*c, "alice");
  EXPECT_EQ(c->get("/api/settings/flags").send().json().as_array()[0].at("system"), true);
}

// ---- hostile input -----------------------------------------------------------------------------------------------

const std::vector<std::string>& hostile_strings() {
  static const std::vector<std::string> strings = {
      "x'; DROP TABLE aegis_users; --",
      "admin' --",
      "' OR '1'='1",
      "\"; DELETE FROM aegis_roles; --",
      "clerk); DROP TABLE aegis_flag_overrides;--",
      "../../etc/passwd",
      "<script>alert(1)</script>",
      "%27%3B",
      "caf\xC3\xA9",
  };
  return strings;
}

TEST(SettingsInjection, HostileTextInEveryParameterIsACleanAnswerAndTheTablesStayIntact) {
  SettingsApp a;
  a.user("alice", {"admin"});
  const std::int64_t bob = a.user("bob");
  const std::string csrf = login(a.client(), "alice");
  auto& c = a.client();
  const std::string bob_roles = "/api/settings/users/" + std::to_string(bob) + "/roles";
  for (const auto& h : hostile_strings()) {
    const std::string quoted = to_json(h);  // as a JSON string
    const std::vector<std::pair<Call, int>> calls = {
        {{Method::put, "/api/settings/roles/" + encode(h), R"({"permissions":[]})"}, 422},
        {{Method::del, "/api/settings/roles/" + encode(h), ""}, 404},
        {{Method::put, "/api/settings/roles/clerk", R"({"permissions":[)" + quoted + "]}"}, 422},
        {{Method::put, bob_roles, R"({"roles":[)" + quoted + "]}"}, 422},
        {{Method::put, "/api/settings/flags/" + encode(h), R"({"scope":"system","subject":"","value":true})"}, 404},
        {{Method::del, "/api/settings/flags/" + encode(h) + "?scope=system", ""}, 404},
        {{Method::put, "/api/settings/flags/new_checkout", R"({"scope":)" + quoted + R"(,"subject":"","value":true})"},
         422},
        {{Method::del, "/api/settings/flags/new_checkout?scope=" + encode(h), ""}, 422},
    };
    for (const auto& [call, status] : calls) {
      const TestResponse r = send(c, call, csrf);
      // A '/' in a path parameter (%2F) makes the path match no route at all: 404 is as clean an answer.
      const bool no_route =
          h.find('/') != std::string::npos && call.path.substr(0, call.path.find('?')).find("%2F") != std::string::npos;
      EXPECT_EQ(r.status(), no_route ? 404 : status)
          << to_string(call.method) << " " << call.path << " " << call.body << ": " << r.text();
      EXPECT_NO_THROW((void)r.json()) << "not JSON: " << r.text();
    }

    // A hostile subject is data: stored, shown and removed exactly.
    const TestResponse put = send(c,
                                  {Method::put, "/api/settings/flags/new_checkout",
                                   R"({"scope":"user","subject":)" + quoted + R"(,"value":true})"},
                                  csrf);
    ASSERT_EQ(put.status(), 200) << h << ": " << put.text();
    EXPECT_EQ(put.json().at("overrides").as_array()[0].at("subject"), h.c_str());
    const Principal subject = person(h);
    EXPECT_TRUE(a.flags().is_enabled("new_checkout", &subject)) << h;
    EXPECT_EQ(stored_overrides(a), std::vector<std::string>{"user|" + h + "|new_checkout|1"});
    const TestResponse page = c.get("/settings/feature-flags").send();
    EXPECT_EQ(page.text().find("<script>alert(1)</script>"), std::string::npos) << "the page does not escape a subject";
    const TestResponse removed = c.del("/api/settings/flags/new_checkout")
                                     .query("scope", "user")
                                     .query("subject", h)
                                     .header("X-CSRF-Token", csrf)
                                     .send();
    EXPECT_EQ(removed.status(), 204) << h << ": " << removed.text();
  }
  EXPECT_EQ(a.rows("aegis_users"), 2);
  EXPECT_EQ(a.rows("aegis_roles"), 1);
  EXPECT_EQ(a.rows("aegis_role_permissions"), 1);
  EXPECT_EQ(a.rows("aegis_user_roles"), 1);
  EXPECT_EQ(a.rows("aegis_flag_overrides"), 0);
  EXPECT_EQ(a.client().get("/api/auth/me").send().status(), 200);
}

}  // namespace
