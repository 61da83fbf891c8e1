// Coroutine and blocking handlers over real sockets: the connection awaits a suspended handler, keeps
// pipelined responses in order, serves other connections meanwhile, and finishes on graceful stop.
#include <aegis/aegis.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "integration/http_fixtures.hpp"

namespace aegis {
namespace {

using itest::Ms;
using Clock = std::chrono::steady_clock;

Task<> sleep_for(Ms d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

void add_async_routes(App& app, std::atomic<int>* started = nullptr) {
  itest::add_basic_routes(app);
  app.router().get("/slow/{ms}", [started](Path<int, "ms"> ms) -> Task<std::string> {
    if (started != nullptr) ++*started;
    co_await sleep_for(Ms(*ms));
    co_return "slept " + std::to_string(*ms);
  });
  app.router().get("/fail-later", []() -> Task<int> {
    co_await sleep_for(Ms(10));
    throw HttpError(409, "conflict after a wait", {{"X-Reason", "late"}});
  });
  app.router().get("/crash-later", []() -> Task<int> {
    co_await sleep_for(Ms(10));
    throw std::runtime_error("secret internals");
  });
  app.router().get("/block/{ms}", [](Path<int, "ms"> ms) {
    std::this_thread::sleep_for(Ms(*ms));
    return "blocked " + std::to_string(*ms);
  }).blocking();
}

TEST(AsyncHandlers, SuspendedCoroutineIsAnsweredOverTheSocket) {
  App app;
  add_async_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto reply = client.roundtrip(test::get_request("/slow/30"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "slept 30");
  EXPECT_TRUE(itest::has_date_and_exact_length(reply));
  // The connection stays usable afterwards.
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
}

TEST(AsyncHandlers, PipelinedResponsesStayInRequestOrder) {
  App app;
  add_async_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(test::get_request("/slow/40") + test::get_request("/ping") + test::get_request("/block/20") +
              test::get_request("/seq/4"));
  EXPECT_EQ(client.read_response().body, "slept 40");
  EXPECT_EQ(client.read_response().body, "pong");
  EXPECT_EQ(client.read_response().body, "blocked 20");
  EXPECT_EQ(client.read_response().body, "4");
}

TEST(AsyncHandlers, ASuspendedHandlerDoesNotHoldUpOtherConnections) {
  std::atomic<int> started{0};
  App app;
  add_async_routes(app, &started);
  test::TestServer server(app);  // one worker thread
  test::RawClient slow(server.port());
  slow.send(test::get_request("/slow/400"));
  while (started.load() == 0) std::this_thread::sleep_for(Ms(1));
  const auto begin = Clock::now();
  test::RawClient fast(server.port());
  EXPECT_EQ(fast.roundtrip(test::get_request("/ping")).body, "pong");
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - begin).count(), 300);
  EXPECT_EQ(slow.read_response().body, "slept 400");
}

TEST(AsyncHandlers, ExceptionsAfterSuspensionBecomeResponses) {
  App app;
  add_async_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto conflict = client.roundtrip(test::get_request("/fail-later"));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body, R"({"detail":"conflict after a wait"})");
  EXPECT_EQ(conflict.header("x-reason"), "late");
  const auto crash = client.roundtrip(test::get_request("/crash-later"));
  EXPECT_EQ(crash.status, 500);
  EXPECT_EQ(crash.body.find("secret"), std::string::npos) << crash.body;
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
}

TEST(AsyncHandlers, BlockingRoutesRunConcurrentlyOffTheIoThread) {
  App app;
  add_async_routes(app);
  test::TestServer server(app);
  const auto begin = Clock::now();
  std::vector<std::unique_ptr<test::RawClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<test::RawClient>(server.port()));
    clients.back()->send(test::get_request("/block/200"));
  }
  // While four handlers block, the I/O thread still answers.
  test::RawClient other(server.port());
  EXPECT_EQ(other.roundtrip(test::get_request("/ping")).body, "pong");
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - begin).count(), 150);
  for (auto& c : clients) EXPECT_EQ(c->read_response().body, "blocked 200");
  // Four 200 ms jobs on a pool of 16 threads finish together, not one after another.
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - begin).count(), 700);
}

TEST(AsyncHandlers, FullBlockingQueueAnswers503) {
  AppSettings settings;
  settings.blocking_threads = 1;
  settings.blocking_queue = 0;
  App app(settings);
  add_async_routes(app);
  test::TestServer server(app);
  test::RawClient busy(server.port());
  busy.send(test::get_request("/block/300"));
  std::this_thread::sleep_for(Ms(50));
  test::RawClient refused(server.port());
  const auto reply = refused.roundtrip(test::get_request("/block/1"));
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header("retry-after"), "1");
  EXPECT_EQ(busy.read_response().body, "blocked 300");
}

TEST(AsyncHandlers, GracefulStopLetsASuspendedHandlerFinish) {
  std::atomic<int> started{0};
  App app;
  add_async_routes(app, &started);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(test::get_request("/slow/200"));
  while (started.load() == 0) std::this_thread::sleep_for(Ms(1));
  server.server().stop();
  const auto reply = itest::read_or_describe(client, false, Ms(3000));
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, "slept 200");
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(itest::kCloseWait));
}

}  // namespace
}  // namespace aegis
