// RateLimit, its in-memory store and the rate_limit() route dependency: 429 with Retry-After and the IETF
// RateLimit-* headers, keys per address and per principal, window reset, scoping, the key cap, exact counts
// under concurrency.
#include <aegis/aegis.hpp>
#include <aegis/middleware/rate_limit.hpp>
#include <aegis/registries/principal.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/access.hpp"

namespace {

using namespace aegis;
using namespace std::chrono_literals;
using aegis::testing::TestClient;
using aegis::testing::TestResponse;
using Clock = std::chrono::steady_clock;

AppSettings bare() {
  AppSettings s;
  s.request_id = false;
  s.access_log.format = "off";
  s.security_headers.enabled = false;
  return s;
}

std::string header_or_none(const TestResponse& r, std::string_view name) { return r.header(name).value_or("<none>"); }

int header_int(const TestResponse& r, std::string_view name) { return std::stoi(r.header(name).value_or("-1")); }

// Sets the principal from X-User (a stand-in for an authentication layer).
class FakeAuth final : public Middleware {
 public:
  bool on_request(Request& req, Response&) override {
    const std::string_view user = req.header("X-User");
    if (!user.empty()) req.set_principal(std::make_shared<const Principal>(Principal{.id = std::string(user)}));
    return false;
  }
};

// An app with a few routes and `calls` counting the requests that reached a handler.
struct LimitedApp {
  explicit LimitedApp(RateLimitOptions options) : app(bare()) {
    app.router().get("/", [this] {
      ++calls;
      return std::string("ok");
    });
    app.router().post("/", [this] {
      ++calls;
      return std::string("posted");
    });
    app.router().get("/api/items", [this] {
      ++calls;
      return std::string("items");
    });
    app.router().post("/api/items", [this] {
      ++calls;
      return std::string("created");
    });
    app.router().post("/api/health", [] { return std::string("fine"); });
    app.router().post("/apix", [] { return std::string("apix"); });
    app.router().get("/throws/http", []() -> std::string { throw HttpError(404, "No such item"); });
    app.router().get("/throws/other", []() -> std::string { throw std::runtime_error("boom"); });
    app.router().get("/whole", [] {
      Response r;
      r.text("whole", 201);
      return r;
    });
    app.router().get("/coro", []() -> Task<std::string> {
      co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
      co_return std::string("coro");
    });
    app.add_middleware<RateLimit>(std::move(options));
    app.add_middleware(std::make_shared<FakeAuth>(), "FakeAuth");  // added last: runs first
  }
  App app;
  int calls = 0;
};

TEST(RateLimit, OverTheLimitAnswers429WithRetryAfterAndTheRateLimitHeaders) {
  LimitedApp a({.limit = 3, .window = 60s});
  TestClient client(a.app);

  for (int i = 0; i < 3; ++i) {
    const auto r = client.get("/").send();
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.text(), "ok");
    EXPECT_EQ(header_or_none(r, "RateLimit-Limit"), "3");
    EXPECT_EQ(header_int(r, "RateLimit-Remaining"), 2 - i);
    EXPECT_GE(header_int(r, "RateLimit-Reset"), 1);
    EXPECT_LE(header_int(r, "RateLimit-Reset"), 60);
    EXPECT_FALSE(r.header("Retry-After"));
  }
  const auto refused = client.get("/").send();
  EXPECT_EQ(refused.status(), 429);
  EXPECT_EQ(refused.text(), R"({"detail":"Too Many Requests"})");
  EXPECT_EQ(header_or_none(refused, "Content-Type"), "application/json");
  EXPECT_GE(header_int(refused, "Retry-After"), 1);
  EXPECT_LE(header_int(refused, "Retry-After"), 60);
  EXPECT_EQ(header_or_none(refused, "RateLimit-Limit"), "3");
  EXPECT_EQ(header_or_none(refused, "RateLimit-Remaining"), "0");
  EXPECT_EQ(header_int(refused, "RateLimit-Reset"), header_int(refused, "Retry-After"));
  EXPECT_EQ(refused.headers("RateLimit-Limit").size(), 1u);
  EXPECT_EQ(a.calls, 3);  // the refused request never reached the handler

  // Every method and path shares the budget of the client by default.
  EXPECT_EQ(client.post("/").send().status(), 429);
  EXPECT_EQ(a.calls, 3);
}

TEST(RateLimit, CountsPerClientAddress) {
  LimitedApp a({.limit = 2, .window = 60s});
  TestClient client(a.app);
  client.set_client("10.0.0.1", 40000);
  EXPECT_EQ(client.get("/").send().status(), 200);
  EXPECT_EQ(client.get("/").send().status(), 200);
  EXPECT_EQ(client.get("/").send().status(), 429);

  client.set_client("10.0.0.2", 40000);
  const auto other = client.get("/").send();
  EXPECT_EQ(other.status(), 200);
  EXPECT_EQ(header_or_none(other, "RateLimit-Remaining"), "1");

  client.set_client("2001:db8::7", 40001);
  EXPECT_EQ(client.get("/").send().status(), 200);

  // The port does not make a new client.
  client.set_client("10.0.0.1", 40999);
  EXPECT_EQ(client.get("/").send().status(), 429);
}

TEST(RateLimit, AnIPv6ClientCountsAsItsSlash64) {
  LimitedApp a({.limit = 2, .window = 60s});
  TestClient client(a.app);
  client.set_client("2001:db8:1:2::7", 40000);
  EXPECT_EQ(client.get("/").send().status(), 200);
  client.set_client("2001:db8:1:2:ffff:1:2:3", 40000);  // the same /64, written out in full
  EXPECT_EQ(client.get("/").send().status(), 200);
  client.set_client("2001:0db8:0001:0002::8", 40000);
  EXPECT_EQ(client.get("/").send().status(), 429) << "a fresh address in the same /64 is the same client";
  client.set_client("2001:db8:1:3::7", 40000);  // the next /64
  EXPECT_EQ(client.get("/").send().status(), 200);
  // IPv4-mapped addresses are IPv4 clients: each address counts alone.
  client.set_client("::ffff:10.0.0.1", 40000);
  EXPECT_EQ(client.get("/").send().status(), 200);
  client.set_client("::ffff:10.0.0.2", 40000);
  const auto mapped = client.get("/").send();
  EXPECT_EQ(mapped.status(), 200);
  EXPECT_EQ(header_or_none(mapped, "RateLimit-Remaining"), "1");
}

TEST(RateLimit, CountsPerPrincipalAndFallsBackToTheAddress) {
  LimitedApp a({.limit = 2, .window = 60s, .key = RateLimitKey::principal});
  TestClient client(a.app);

  EXPECT_EQ(client.get("/").header("X-User", "alice").send().status(), 200);
  EXPECT_EQ(client.get("/").header("X-User", "alice").send().status(), 200);
  EXPECT_EQ(client.get("/").header("X-User", "alice").send().status(), 429);

  // Same address, another principal: its own budget.
  const auto bob = client.get("/").header("X-User", "bob").send();
  EXPECT_EQ(bob.status(), 200);
  EXPECT_EQ(header_or_none(bob, "RateLimit-Remaining"), "1");

  // Alice from another address is still alice.
  client.set_client("10.9.9.9", 1234);
  EXPECT_EQ(client.get("/").header("X-User", "alice").send().status(), 429);

  // Anonymous requests count per address, apart from the principals.
  EXPECT_EQ(client.get("/").send().status(), 200);
  EXPECT_EQ(client.get("/").send().status(), 200);
  EXPECT_EQ(client.get("/").send().status(), 429);
  client.set_client("10.9.9.10", 1234);
  EXPECT_EQ(client.get("/").send().status(), 200);
}

TEST(RateLimit, ByAddressIgnoresThePrincipal) {
  LimitedApp a({.limit = 1, .window = 60s});
  TestClient client(a.app);
  EXPECT_EQ(client.get("/").header("X-User", "alice").send().status(), 200);
  EXPECT_EQ(client.get("/").header("X-User", "bob").send().status(), 429);
}

TEST(RateLimit, TheWindowResets) {
  LimitedApp a({.limit = 1, .window = 1s});
  TestClient client(a.app);
  EXPECT_EQ(client.get("/").send().status(), 200);
  const auto refused = client.get("/").send();
  EXPECT_EQ(refused.status(), 429);
  EXPECT_EQ(header_or_none(refused, "Retry-After"), "1");
  std::this_thread::sleep_for(1100ms);
  const auto again = client.get("/").send();
  EXPECT_EQ(again.status(), 200);
  EXPECT_EQ(header_or_none(again, "RateLimit-Remaining"), "0");
}

TEST(RateLimit, PathsMethodsAndExemptionsScopeTheLimit) {
  LimitedApp a({.limit = 1,
                .window = 60s,
                .paths = {"/api"},
                .methods = {Method::post},
                .exempt = {"/api/health"}});
  TestClient client(a.app);

  const auto first = client.post("/api/items").send();
  EXPECT_EQ(first.status(), 200);
  EXPECT_EQ(header_or_none(first, "RateLimit-Remaining"), "0");
  EXPECT_EQ(client.post("/api/items").send().status(), 429);

  // Another method on the same path: not limited, no headers.
  const auto get = client.get("/api/items").send();
  EXPECT_EQ(get.status(), 200);
  EXPECT_FALSE(get.header("RateLimit-Limit"));
  // Outside the prefix (whole segments only): not limited.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client.post("/").send().status(), 200);
    EXPECT_EQ(client.post("/apix").send().status(), 200);
  }
  // Exempt inside the prefix.
  const auto health = client.post("/api/health").send();
  EXPECT_EQ(health.status(), 200);
  EXPECT_FALSE(health.header("RateLimit-Limit"));
}

// HEAD runs the GET handler, so a limit on GET counts it: else a client could use the handler (and read
// its status) without limit.
TEST(RateLimit, HeadCountsWhereGetIsLimited) {
  LimitedApp a({.limit = 2, .window = 60s, .methods = {Method::get}});
  TestClient client(a.app);
  EXPECT_EQ(client.get("/").send().status(), 200);
  const auto head = client.request(Method::head, "/").send();
  EXPECT_EQ(head.status(), 200);
  EXPECT_EQ(header_or_none(head, "RateLimit-Remaining"), "0");
  EXPECT_EQ(client.request(Method::head, "/").send().status(), 429);
  EXPECT_EQ(client.get("/").send().status(), 429);
  EXPECT_EQ(a.calls, 2);
  // A method the limit does not name stays unlimited.
  EXPECT_EQ(client.post("/").send().status(), 200);
}

TEST(RateLimit, HealthProbesAreExemptByDefault) {
  LimitedApp a({.limit = 1, .window = 60s});
  TestClient client(a.app);
  EXPECT_EQ(client.get("/").send().status(), 200);
  EXPECT_EQ(client.get("/").send().status(), 429);
  for (int i = 0; i < 3; ++i) {
    const auto h = client.get("/health").send();
    EXPECT_EQ(h.status(), 200);
    EXPECT_FALSE(h.header("RateLimit-Limit"));
  }
}

// The headers are written after the handler and error rendering, so nothing inside can drop them.
TEST(RateLimit, HeadersSurviveErrorsWholeResponsesAndCoroutineHandlers) {
  LimitedApp a({.limit = 100, .window = 60s});
  TestClient client(a.app);

  const auto http_error = client.get("/throws/http").send();
  EXPECT_EQ(http_error.status(), 404);
  EXPECT_EQ(header_or_none(http_error, "RateLimit-Remaining"), "99");

  const auto internal = client.get("/throws/other").send();
  EXPECT_EQ(internal.status(), 500);
  EXPECT_EQ(header_or_none(internal, "RateLimit-Remaining"), "98");

  const auto whole = client.get("/whole").send();
  EXPECT_EQ(whole.status(), 201);
  EXPECT_EQ(whole.text(), "whole");
  EXPECT_EQ(header_or_none(whole, "RateLimit-Remaining"), "97");

  const auto coro = client.get("/coro").send();
  EXPECT_EQ(coro.status(), 200);
  EXPECT_EQ(coro.text(), "coro");
  EXPECT_EQ(header_or_none(coro, "RateLimit-Remaining"), "96");

  const auto not_found = client.get("/nowhere").send();
  EXPECT_EQ(not_found.status(), 404);
  EXPECT_EQ(header_or_none(not_found, "RateLimit-Remaining"), "95");
  EXPECT_EQ(not_found.headers("RateLimit-Limit").size(), 1u);
}

TEST(RateLimit, RouteDependencyLimitsItsRoutesOnly) {
  App app(bare());
  int logins = 0;
  app.router()
      .post("/login", [&logins] {
        ++logins;
        return std::string("welcome");
      })
      .dependencies({rate_limit(2, std::chrono::minutes(1))});
  app.router().get("/free", [] { return std::string("free"); });
  TestClient client(app);

  const auto first = client.post("/login").send();
  EXPECT_EQ(first.status(), 200);
  EXPECT_EQ(header_or_none(first, "RateLimit-Limit"), "2");
  EXPECT_EQ(header_or_none(first, "RateLimit-Remaining"), "1");
  EXPECT_EQ(client.post("/login").send().status(), 200);

  const auto refused = client.post("/login").send();
  EXPECT_EQ(refused.status(), 429);
  EXPECT_EQ(refused.text(), R"({"detail":"Too Many Requests"})");
  EXPECT_GE(header_int(refused, "Retry-After"), 59);
  EXPECT_LE(header_int(refused, "Retry-After"), 60);
  EXPECT_EQ(header_or_none(refused, "RateLimit-Limit"), "2");
  EXPECT_EQ(header_or_none(refused, "RateLimit-Remaining"), "0");
  EXPECT_EQ(header_or_none(refused, "RateLimit-Reset"), header_or_none(refused, "Retry-After"));
  EXPECT_EQ(logins, 2);

  EXPECT_EQ(client.get("/free").send().status(), 200);
  client.set_client("10.1.1.1", 5555);
  EXPECT_EQ(client.post("/login").send().status(), 200);
}

// The route dependency's headers are set before the handler runs; an error answer built after them keeps
// them, so a client sees its budget on a 401, a 422 or a 500 as on a 200.
TEST(RateLimit, RouteDependencyHeadersOutlastErrorsRaisedAfterTheCheck) {
  App app(bare());
  app.router().post("/denied", [] { throw HttpError(401, "no"); }).dependencies({rate_limit(5, 60s)});
  app.router().post("/query", [](Query<int, "n">) { return 1; }).dependencies({rate_limit(5, 60s)});
  app.router().post("/boom", []() -> int { throw std::runtime_error("boom"); }).dependencies({rate_limit(5, 60s)});
  app.router()
      .post("/own", [] { throw HttpError(403, "no", {{"RateLimit-Remaining", "7"}}); })
      .dependencies({rate_limit(5, 60s)});
  app.router().post("/custom", [] { throw std::out_of_range("x"); }).dependencies({rate_limit(5, 60s)});
  app.add_exception_handler<std::out_of_range>(
      [](const Request&, Response& res, const std::out_of_range&) { res.error(404, "gone"); });
  TestClient client(app);

  const auto denied = client.post("/denied").send();
  EXPECT_EQ(denied.status(), 401);
  EXPECT_EQ(denied.text(), R"({"detail":"no"})");
  EXPECT_EQ(header_or_none(denied, "RateLimit-Limit"), "5");
  EXPECT_EQ(header_or_none(denied, "RateLimit-Remaining"), "4");
  EXPECT_EQ(denied.headers("RateLimit-Limit").size(), 1u);

  // A validation error, an unhandled exception and a custom exception handler's answer (each route has a
  // budget of its own).
  const std::pair<const char*, int> errors[] = {{"/query?n=x", 422}, {"/boom", 500}, {"/custom", 404}};
  for (const auto& [path, status] : errors) {
    const auto error = client.post(path).send();
    EXPECT_EQ(error.status(), status) << path;
    EXPECT_EQ(header_or_none(error, "RateLimit-Remaining"), "4") << path;
  }

  // An error that sets the header itself keeps its own value, once; the others still come back.
  const auto own = client.post("/own").send();
  EXPECT_EQ(own.status(), 403);
  EXPECT_EQ(own.headers("RateLimit-Remaining").size(), 1u);
  EXPECT_EQ(header_or_none(own, "RateLimit-Remaining"), "7");
  EXPECT_EQ(header_or_none(own, "RateLimit-Limit"), "5");

  // The next request starts clean: nothing lingers from the one before.
  const auto again = client.post("/denied").send();
  EXPECT_EQ(header_or_none(again, "RateLimit-Remaining"), "3");
  EXPECT_EQ(again.headers("RateLimit-Remaining").size(), 1u);
}

TEST(RateLimit, RouteDependencyAndMiddlewareShowThePolicyClosestToExhaustion) {
  App app(bare());
  app.router().post("/login", [] { return std::string("welcome"); }).dependencies({rate_limit(2, 60s)});
  app.router().get("/", [] { return std::string("ok"); });
  app.add_middleware<RateLimit>({.limit = 10, .window = 60s});
  TestClient client(app);

  const auto login = client.post("/login").send();
  EXPECT_EQ(header_or_none(login, "RateLimit-Limit"), "2");
  EXPECT_EQ(header_or_none(login, "RateLimit-Remaining"), "1");
  EXPECT_EQ(login.headers("RateLimit-Remaining").size(), 1u);
  EXPECT_EQ(client.post("/login").send().status(), 200);
  const auto refused = client.post("/login").send();
  EXPECT_EQ(refused.status(), 429);
  EXPECT_EQ(header_or_none(refused, "RateLimit-Limit"), "2");
  EXPECT_EQ(header_or_none(refused, "RateLimit-Remaining"), "0");

  const auto home = client.get("/").send();
  EXPECT_EQ(header_or_none(home, "RateLimit-Limit"), "10");
  EXPECT_EQ(header_or_none(home, "RateLimit-Remaining"), "6");
}

TEST(RateLimit, RejectsOptionsThatCannotWork) {
  EXPECT_THROW(RateLimit({.limit = 0}), std::invalid_argument);
  EXPECT_THROW(RateLimit({.window = 0s}), std::invalid_argument);
  // A window whose end would overflow the clock (about 292 years) would never limit: refused well before.
  EXPECT_THROW(RateLimit({.window = std::chrono::hours(24 * 367)}), std::invalid_argument);
  EXPECT_THROW(rate_limit(1, std::chrono::seconds(1LL << 40)), std::invalid_argument);
  EXPECT_NO_THROW(RateLimit({.window = std::chrono::hours(24 * 366)}));
  EXPECT_THROW(RateLimit({.paths = {"api"}}), std::invalid_argument);
  EXPECT_THROW(RateLimit({.exempt = {""}}), std::invalid_argument);
  EXPECT_THROW(RateLimit({.max_keys = 0}), std::invalid_argument);
  EXPECT_THROW(rate_limit(0, 60s), std::invalid_argument);
  EXPECT_THROW(MemoryRateLimitStore(0), std::invalid_argument);
}

TEST(RateLimit, OptionsJsonDescribesTheLimit) {
  const RateLimit limit({.limit = 5, .window = 30s, .paths = {"/api"}, .methods = {Method::post, Method::put}});
  EXPECT_EQ(limit.options_json(),
            R"({"limit":5,"window":30,"key":"client_address","paths":["/api"],"methods":["POST","PUT"],)"
            R"("exempt":["/health"],"store":"memory","max_keys":100000,"name":"app"})");
  EXPECT_TRUE(limit.security_layer());
}

TEST(RateLimitStore, WindowResetsWithAnInjectedClock) {
  MemoryRateLimitStore store;
  const auto t0 = Clock::now();
  auto d = store.hit("k", 10s, 2, t0);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1u);
  EXPECT_EQ(d.reset_after_seconds, 10u);
  d = store.hit("k", 10s, 2, t0 + 2500ms);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0u);
  EXPECT_EQ(d.reset_after_seconds, 8u);  // 7.5 s left, rounded up
  d = store.hit("k", 10s, 2, t0 + 9999ms);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0u);
  EXPECT_EQ(d.reset_after_seconds, 1u);
  d = store.hit("k", 10s, 2, t0 + 10s);  // the window has ended: a new one starts here
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1u);
  EXPECT_EQ(d.reset_after_seconds, 10u);
  EXPECT_EQ(store.size(), 1u);
}

// The store is public: a caller's window past 366 days counts as 366 days rather than overflowing.
TEST(RateLimitStore, AnOverlongWindowStillLimits) {
  MemoryRateLimitStore store;
  const auto t0 = Clock::now();
  EXPECT_TRUE(store.hit("y", std::chrono::seconds(1LL << 40), 1, t0).allowed);
  const auto d = store.hit("y", std::chrono::seconds(1LL << 40), 1, t0 + 1s);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reset_after_seconds, 366u * 24 * 3600 - 1);
}

TEST(RateLimitStore, TheKeyCapHoldsAndEvictsTheOldestWindows) {
  MemoryRateLimitStore store(1000);
  const auto t0 = Clock::now();
  for (int i = 0; i < 50000; ++i) {
    store.hit("ip:" + std::to_string(i), 60s, 5, t0 + std::chrono::milliseconds(i));
    ASSERT_LE(store.size(), 1000u) << "after " << i + 1 << " keys";
  }
  EXPECT_GE(store.size(), 900u);  // the shards fill up (the hash spreads the keys)

  // One key, one shard: a newcomer evicts the live counter (the oldest window), which then starts afresh.
  MemoryRateLimitStore tiny(1);
  EXPECT_TRUE(tiny.hit("a", 60s, 1, t0).allowed);
  EXPECT_FALSE(tiny.hit("a", 60s, 1, t0 + 1s).allowed);
  EXPECT_TRUE(tiny.hit("b", 60s, 1, t0 + 2s).allowed);  // a is evicted
  EXPECT_EQ(tiny.size(), 1u);
  EXPECT_TRUE(tiny.hit("a", 60s, 1, t0 + 3s).allowed);  // so it starts afresh
  EXPECT_FALSE(tiny.hit("a", 60s, 1, t0 + 4s).allowed);
  EXPECT_EQ(tiny.size(), 1u);
}

TEST(RateLimitStore, EndedWindowsGoFirstThenTheOneEndingSoonest) {
  MemoryRateLimitStore store(2);  // one shard of two keys
  const auto t0 = Clock::now();
  EXPECT_TRUE(store.hit("long", 100s, 1, t0).allowed);
  EXPECT_TRUE(store.hit("short", 1s, 1, t0 + 1s).allowed);
  // Full: "short" has ended and goes, although "long" started first.
  EXPECT_TRUE(store.hit("new", 10s, 1, t0 + 3s).allowed);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(store.hit("long", 100s, 1, t0 + 4s).allowed);  // kept its count
  // Full, nothing ended: "new" (ends at 13 s) goes before "long" (ends at 100 s).
  EXPECT_TRUE(store.hit("short", 1s, 1, t0 + 5s).allowed);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(store.hit("long", 100s, 1, t0 + 5s).allowed);
  EXPECT_TRUE(store.hit("new", 10s, 1, t0 + 7s).allowed);  // evicted, so fresh
  EXPECT_FALSE(store.hit("new", 10s, 1, t0 + 8s).allowed);
  EXPECT_FALSE(store.hit("long", 100s, 1, t0 + 9s).allowed);
  EXPECT_EQ(store.size(), 2u);
}

// A key at its limit (an account under a password-guessing limit) is not pushed out by a flood of new keys
// that are under theirs, although its window is the oldest: the flood's own windows go instead.
TEST(RateLimitStore, AFloodOfNewKeysDoesNotFreeAKeyAtItsLimit) {
  MemoryRateLimitStore store(64);  // one shard of 64 keys
  const auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(store.hit("account:bob", 900s, 3, t0).allowed);
  EXPECT_FALSE(store.hit("account:bob", 900s, 3, t0).allowed);
  for (int i = 0; i < 5000; ++i) {
    store.hit("account:guess" + std::to_string(i), 900s, 3, t0 + std::chrono::milliseconds(1 + i));
    ASSERT_LE(store.size(), 64u);
  }
  EXPECT_FALSE(store.hit("account:bob", 900s, 3, t0 + 10s).allowed) << "the flood freed bob's account";
  // A caller with a higher limit for the same key does not reopen it to eviction.
  EXPECT_TRUE(store.hit("account:bob", 900s, 100, t0 + 11s).allowed);
  for (int i = 0; i < 500; ++i) store.hit("account:more" + std::to_string(i), 900s, 3, t0 + 12s);
  EXPECT_FALSE(store.hit("account:bob", 900s, 3, t0 + 13s).allowed) << "a higher limit let the flood free it";
  // Keys at their limit fill the shard: then the one that ends soonest goes, and memory stays bounded.
  MemoryRateLimitStore full(64);
  for (int i = 0; i < 200; ++i) {
    full.hit("k" + std::to_string(i), 900s, 1, t0 + std::chrono::milliseconds(i));
    ASSERT_LE(full.size(), 64u);
  }
  EXPECT_TRUE(full.hit("k0", 900s, 1, t0 + 1s).allowed);  // the oldest went first
  EXPECT_FALSE(full.hit("k199", 900s, 1, t0 + 1s).allowed);
}

TEST(RateLimit, ManyClientAddressesCannotGrowTheStorePastItsCap) {
  auto limit = std::make_shared<RateLimit>(RateLimitOptions{.limit = 5, .window = 60s, .max_keys = 64});
  const auto* store = dynamic_cast<const MemoryRateLimitStore*>(limit->store().get());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->max_keys(), 64u);
  App app(bare());
  app.router().get("/", [] { return std::string("ok"); });
  app.add_middleware(limit, "aegis::RateLimit");
  TestClient client(app);
  for (int i = 0; i < 2000; ++i) {
    client.set_client("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), 1000);
    ASSERT_EQ(client.get("/").send().status(), 200);
    ASSERT_LE(store->size(), 64u);
  }
  EXPECT_EQ(store->size(), 64u);
}

TEST(RateLimitStore, ConcurrentHitsAreCountedExactly) {
  MemoryRateLimitStore store;
  constexpr int kThreads = 8;
  constexpr int kHits = 5000;
  constexpr std::uint32_t kLimit = 30000;  // less than the 40000 hits on "shared"
  const auto now = Clock::now();
  std::atomic<int> allowed{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kHits; ++i) {
        const auto d = store.hit("shared", 60s, kLimit, now);
        (d.allowed ? allowed : refused).fetch_add(1, std::memory_order_relaxed);
        // Keys spread over every shard, some of them shared between threads.
        store.hit("spread:" + std::to_string(i % 97), 60s, UINT32_MAX, now);
        store.hit("own:" + std::to_string(t), 60s, UINT32_MAX, now);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), static_cast<int>(kLimit));
  EXPECT_EQ(refused.load(), kThreads * kHits - static_cast<int>(kLimit));
  // No lost update anywhere: one more hit sees exactly what was counted.
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(store.hit("own:" + std::to_string(t), 60s, UINT32_MAX, now).remaining,
              UINT32_MAX - static_cast<std::uint32_t>(kHits) - 1);
  }
  int spread_total = 0;
  for (int k = 0; k < 97; ++k) {
    const auto d = store.hit("spread:" + std::to_string(k), 60s, UINT32_MAX, now);
    spread_total += static_cast<int>(UINT32_MAX - d.remaining - 1);
  }
  EXPECT_EQ(spread_total, kThreads * kHits);
}

// The middleware itself from several threads at once (the store and the pending-decision table), with
// requests built by hand as the connection builds them.
TEST(RateLimit, ConcurrentRequestsThroughTheMiddlewareAreCountedExactly) {
  constexpr int kThreads = 8;
  constexpr int kRequests = 2000;
  constexpr std::uint32_t kLimit = 10000;
  RateLimit limit({.limit = kLimit, .window = 60s});
  std::atomic<int> allowed{0};
  std::atomic<int> with_headers{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequests; ++i) {
        Request req;
        detail::RequestAccess::set_line(req, Method::get, "/", 11);
        ASSERT_TRUE(detail::RequestAccess::set_target_parts(req, "/", ""));
        req.set_client("192.0.2.1", 1);
        Response res;
        if (!limit.on_request(req, res)) {
          allowed.fetch_add(1, std::memory_order_relaxed);
          res.clear();  // what error rendering does: the headers must still come
          res.text("ok");
        }
        limit.on_response(req, res);
        if (res.header("RateLimit-Remaining")) with_headers.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), static_cast<int>(kLimit));
  EXPECT_EQ(with_headers.load(), kThreads * kRequests);
}

}  // namespace
