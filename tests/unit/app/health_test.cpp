// The health registry and the built-in health endpoints.
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "support/raw_client.hpp"
#include "support/test_server.hpp"

namespace {

using namespace aegis;
using aegis::testing::TestClient;
using namespace std::chrono_literals;

Task<> sleep_for(std::chrono::milliseconds d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

// An operation that ignores cancellation, as a blocking job or a hung query does: a thread sleeps, then
// resumes the caller.
Task<> uncancellable_sleep(std::chrono::milliseconds d) {
  co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
      [d](auto handler) {
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        std::thread([d, handler = std::move(handler), work = std::move(work)]() mutable {
          std::this_thread::sleep_for(d);
          boost::asio::post(work.get_executor(), std::move(handler));
        }).detach();
      },
      boost::asio::use_awaitable);
}

TEST(Health, LivenessIsConstant) {
  AppSettings s;
  s.title = "svc";
  App app(s);
  app.health().add("db", [] { return HealthStatus::failing("down"); });
  TestClient client(app);
  const auto r = client.get("/health").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), R"({"status":"healthy","app":"svc","version":"0.1.0","environment":"development"})");
}

TEST(Health, ReadinessIs503WhenACriticalCheckFailsAndReportsEveryCheck) {
  App app;
  app.health().add("db", [] { return HealthStatus::healthy("3 connections"); });
  app.health().add("cache", [] { return HealthStatus::failing("no route to host"); }, {.critical = false});
  TestClient client(app);
  auto r = client.get("/health/ready").send();
  EXPECT_EQ(r.status(), 200) << r.text();
  const auto checks = r.json().at("checks").as_array();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].at("name"), "db");
  EXPECT_EQ(checks[0].at("status"), "healthy");
  EXPECT_EQ(checks[0].at("detail"), "3 connections");
  EXPECT_EQ(checks[1].at("status"), "failing");
  EXPECT_EQ(checks[1].at("critical"), false);
  EXPECT_TRUE(checks[1].at("duration_ms").is_number());

  App broken;
  broken.health().add("db", [] { return HealthStatus::failing("down"); });
  TestClient broken_client(broken);
  const auto down = broken_client.get("/health/ready").send();
  EXPECT_EQ(down.status(), 503);
  EXPECT_EQ(down.json().at("status"), "unhealthy");
}

TEST(Health, ChecksRunConcurrentlyWithTimeoutsAndThrowingChecksFail) {
  App app;
  app.health().add("slow", []() -> Task<HealthStatus> {
    co_await sleep_for(150ms);
    co_return HealthStatus::healthy();
  });
  app.health().add("slow too", []() -> Task<HealthStatus> {
    co_await sleep_for(150ms);
    co_return HealthStatus::healthy();
  });
  app.health().add("stuck", []() -> Task<HealthStatus> {
    co_await sleep_for(10s);
    co_return HealthStatus::healthy();
  }, {.critical = true, .timeout = 100ms});
  app.health().add("throws", []() -> HealthStatus { throw std::runtime_error("exploded"); }, {.critical = false});
  TestClient client(app);
  const auto start = std::chrono::steady_clock::now();
  const auto r = client.get("/health/ready").send();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 280ms) << "checks did not run concurrently: " << r.text();
  EXPECT_EQ(r.status(), 503);
  const auto checks = r.json().at("checks").as_array();
  EXPECT_EQ(checks[2].at("detail"), "timed out after 100 ms");
  EXPECT_EQ(checks[3].at("detail"), "exploded");
}

// The timeout holds for a check that cannot be cancelled: the report comes at the timeout, not when the
// check is done (a hung query would otherwise hang every probe, and the cached report would stay healthy).
TEST(Health, ACheckThatIgnoresCancellationDoesNotHoldTheReport) {
  AppSettings s;
  s.health_cache = 0ms;  // every probe runs the checks
  App app(s);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  app.health().add("hung", [finished]() -> Task<HealthStatus> {
    co_await uncancellable_sleep(1500ms);
    *finished = true;
    co_return HealthStatus::healthy();
  }, {.critical = true, .timeout = 100ms});
  app.health().add("quick", [] { return HealthStatus::healthy("fine"); });
  test::TestServer server(app, test::test_settings());
  test::RawClient client(server.port());
  const auto start = std::chrono::steady_clock::now();
  const auto r = client.roundtrip(test::get_request("/health/ready"));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 1000ms) << r.body;
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find(R"("detail":"timed out after 100 ms")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("detail":"fine")"), std::string::npos) << r.body;
  EXPECT_FALSE(*finished);
  // The next run does not start the check again beside the one still stuck: it reports it.
  const auto again = client.roundtrip(test::get_request("/health/ready"));
  EXPECT_EQ(again.status, 503);
  EXPECT_NE(again.body.find("still running from an earlier run, past its 100 ms timeout"), std::string::npos) << again.body;
}

// run() on an executor of several threads: the checks complete concurrently on their threads, and every
// run ends (a count shared across threads, or a wake-up lost, would hang one now and then).
TEST(Health, RunCompletesOnAThreadPool) {
  HealthRegistry registry;
  for (int i = 0; i < 4; ++i) {
    registry.add("sync " + std::to_string(i), [] { return HealthStatus::healthy(); });
    registry.add("async " + std::to_string(i), []() -> Task<HealthStatus> {
      co_await sleep_for(1ms);
      co_return HealthStatus::healthy();
    });
  }
  boost::asio::thread_pool pool(4);
  for (int i = 0; i < 300; ++i) {
    auto report = boost::asio::co_spawn(pool, registry.run(), boost::asio::use_future);
    ASSERT_EQ(report.wait_for(5s), std::future_status::ready) << "run " << i << " never ended";
    const HealthReport r = report.get();
    EXPECT_EQ(r.checks.size(), 8u);
    EXPECT_TRUE(r.healthy);
  }
  pool.join();
}

TEST(Health, ReportsAreCachedSoAPollingLoopRunsChecksRarely) {
  AppSettings s;
  s.health_cache = 60s;
  App app(s);
  auto runs = std::make_shared<std::atomic<int>>(0);
  app.health().add("counted", [runs] {
    ++*runs;
    return HealthStatus::healthy();
  });
  TestClient client(app);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(client.get("/health/ready").send().status(), 200);
  EXPECT_EQ(runs->load(), 1);
}

// Probes that arrive together while the checks run do not each run them again: one run refreshes the
// report, the others get the report it replaces.
TEST(Health, ABurstOfProbesRunsTheChecksOnce) {
  AppSettings s;
  s.health_cache = 100ms;
  App app(s);
  auto runs = std::make_shared<std::atomic<int>>(0);
  app.health().add("slow", [runs]() -> Task<HealthStatus> {
    ++*runs;
    co_await sleep_for(300ms);
    co_return HealthStatus::healthy();
  });
  auto settings = test::test_settings();
  settings.workers = 2;
  test::TestServer server(app, settings);
  {
    test::RawClient first(server.port());
    EXPECT_EQ(first.roundtrip(test::get_request("/health/ready")).status, 200);
  }
  EXPECT_EQ(runs->load(), 1);
  std::this_thread::sleep_for(150ms);  // the report is now older than health_cache
  std::vector<std::unique_ptr<test::RawClient>> probes;
  for (int i = 0; i < 12; ++i) probes.push_back(std::make_unique<test::RawClient>(server.port()));
  for (auto& p : probes) p->send(test::get_request("/health/ready"));
  for (auto& p : probes) EXPECT_EQ(p->read_response().status, 200);
  EXPECT_EQ(runs->load(), 2) << "each probe of the burst ran the checks";
}

TEST(Health, AdminViewIsForLoopbackClientsInDevelopmentOnly) {
  App app;
  app.health().add("db", [] { return HealthStatus::healthy(); });
  TestClient client(app);
  EXPECT_EQ(client.get("/admin/health").send().status(), 200);
  client.set_client("203.0.113.9", 4000);
  EXPECT_EQ(client.get("/admin/health").send().status(), 401);  // no principal, not loopback

  AppSettings prod;
  prod.environment = "production";
  App production(prod);
  TestClient prod_client(production);
  EXPECT_EQ(prod_client.get("/admin/health").send().status(), 401);  // loopback is not enough outside development
}

// A principal decides, wherever the client is: its permission admin.health opens the view, its absence is 403.
class AsUser final : public Middleware {
 public:
  struct Options {
    std::vector<std::string> permissions;
  };
  explicit AsUser(Options o) : permissions_(std::move(o.permissions)) {}
  bool on_request(Request& req, Response&) override {
    auto p = std::make_shared<Principal>();
    p->id = "7";
    p->permissions = permissions_;
    req.set_principal(std::move(p));
    return false;
  }

 private:
  std::vector<std::string> permissions_;
};

TEST(Health, AdminViewFollowsThePrincipalsPermission) {
  AppSettings prod;
  prod.environment = "production";
  App allowed(prod);
  allowed.add_middleware<AsUser>({.permissions = {"admin.health"}});
  TestClient a(allowed);
  a.set_client("203.0.113.9", 4000);
  EXPECT_EQ(a.get("/admin/health").send().status(), 200);

  App denied;  // development, loopback: a principal without the permission is still refused
  denied.add_middleware<AsUser>({.permissions = {"orders.view"}});
  TestClient d(denied);
  auto r = d.get("/admin/health").send();
  EXPECT_EQ(r.status(), 403);
  EXPECT_NE(r.text().find("admin.health"), std::string::npos) << r.text();
}

TEST(Health, DuplicateCheckNamesAreRefused) {
  App app;
  app.health().add("db", [] { return HealthStatus::healthy(); });
  EXPECT_THROW(app.health().add("db", [] { return HealthStatus::healthy(); }), std::invalid_argument);
  // A timeout of 0 would fail every check that is not done at once: refused, as a negative one.
  EXPECT_THROW(app.health().add("zero", [] { return HealthStatus::healthy(); }, {.timeout = 0ms}), std::invalid_argument);
  EXPECT_THROW(app.health().add("negative", [] { return HealthStatus::healthy(); }, {.timeout = -1ms}),
               std::invalid_argument);
}

}  // namespace
