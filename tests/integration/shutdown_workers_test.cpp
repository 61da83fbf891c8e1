// Graceful stop and multi-worker serving over real sockets.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "integration/http_fixtures.hpp"
#include "support/thread_names.hpp"

namespace aegis {
namespace {

using itest::kCloseWait;
using itest::Ms;
using Clock = std::chrono::steady_clock;

// Waits up to `timeout` for `flag`; returns whether it was set.
bool wait_for(const std::atomic<bool>& flag, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!flag.load()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(Ms(2));
  }
  return true;
}

// True when connecting to `port` on loopback is refused (or the connection is closed unanswered).
bool refuses_new_connections(std::uint16_t port) {
  try {
    test::RawClient client(port);
    itest::send_ignoring_errors(client, test::get_request("/ping"));
    return client.closed_by_server(Ms(1000)) && client.pending().empty();
  } catch (const std::exception&) {
    return true;  // connect refused
  }
}

TEST(GracefulStop, SlowInFlightHandlerCompletesWithConnectionClose) {
  std::atomic<bool> started{false};
  App app;
  itest::add_basic_routes(app);
  app.router().get("/slow", [&started](Request&, Response& res) {
    started = true;
    std::this_thread::sleep_for(Ms(300));  // deliberately blocks the I/O thread
    res.text("finished");
  });
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(test::get_request("/slow"));
  ASSERT_TRUE(wait_for(started, Ms(2000)));
  server.server().stop();

  const auto reply = itest::read_or_describe(client, false, Ms(3000));
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, "finished");
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
}

TEST(GracefulStop, PipelinedRequestBehindAnInFlightOneIsNotStartedAfterStop) {
  std::atomic<bool> started{false};
  App app;
  itest::add_basic_routes(app);
  app.router().get("/slow", [&started](Request&, Response& res) {
    started = true;
    std::this_thread::sleep_for(Ms(300));
    res.text("finished");
  });
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(test::get_request("/slow"));
  ASSERT_TRUE(wait_for(started, Ms(2000)));
  server.server().stop();
  itest::send_ignoring_errors(client, test::get_request("/ping"));

  const auto reply = itest::read_or_describe(client, false, Ms(3000));
  EXPECT_EQ(reply.body, "finished");
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(client.pending().empty()) << "a request sent after stop was answered: " << client.pending();
}

TEST(GracefulStop, IdleKeepAliveConnectionsAreClosedByStop) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient first(server.port());
  test::RawClient second(server.port());
  EXPECT_EQ(first.roundtrip(test::get_request("/ping")).body, "pong");
  EXPECT_EQ(second.roundtrip(test::get_request("/ping")).body, "pong");
  const auto start = Clock::now();
  server.server().stop();
  EXPECT_TRUE(first.closed_by_server(kCloseWait));
  EXPECT_TRUE(second.closed_by_server(kCloseWait));
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - start).count(), 1000)
      << "idle connections waited for the grace period";
  EXPECT_TRUE(first.pending().empty());
}

TEST(GracefulStop, NewConnectionsAreRefusedAfterStop) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  ASSERT_TRUE(itest::answers_a_new_connection(server.port()));
  server.server().stop();
  server.server().wait();
  EXPECT_TRUE(refuses_new_connections(server.port()));
}

TEST(GracefulStop, WaitReturnsPromptlyWhenNothingIsInFlight) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient idle(server.port());
  EXPECT_EQ(idle.roundtrip(test::get_request("/ping")).body, "pong");
  const auto start = Clock::now();
  server.server().stop();
  server.server().wait();
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - start).count(), 1000);
  EXPECT_EQ(server.server().connection_count(), 0u);
}

// A handler that is still running when the grace period ends (a coroutine awaiting a long timer) cannot be
// interrupted, and the drain waits for it; an operator's third signal ends the process at once.
TEST(GracefulStop, AThirdSignalExitsWhileAHandlerStillRuns) {
  int port_pipe[2];
  ASSERT_EQ(::pipe(port_pipe), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // the server, in a process of its own (the test process has no other thread now)
    ::close(port_pipe[0]);
    App app;
    app.router().get("/slow", []() -> Task<std::string> {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::seconds(30));
      co_await timer.async_wait(boost::asio::use_awaitable);
      co_return std::string("late");
    });
    app.freeze();
    auto settings = test::test_settings();
    settings.workers = 1;
    settings.graceful_timeout = Ms(200);
    Server server(settings, [&app](Request& req, Response& res) { return app.handle(req, res); });
    server.run([&] {
      const std::uint16_t port = server.port();
      if (::write(port_pipe[1], &port, sizeof port) != sizeof port) ::_exit(3);
    });
    ::_exit(0);
  }
  ::close(port_pipe[1]);
  std::uint16_t port = 0;
  ASSERT_EQ(::read(port_pipe[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  ::close(port_pipe[0]);
  test::RawClient client(port);
  client.send(test::get_request("/slow"));
  std::this_thread::sleep_for(Ms(100));
  auto exited_within = [pid](Ms limit, int& status) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) return true;
      std::this_thread::sleep_for(Ms(10));
    }
    return false;
  };
  int status = 0;
  ::kill(pid, SIGTERM);
  std::this_thread::sleep_for(Ms(100));  // signals that arrive together count once
  ::kill(pid, SIGTERM);
  if (exited_within(Ms(600), status)) return;  // the grace period ran out and nothing was left running
  const auto third = Clock::now();
  ::kill(pid, SIGTERM);
  const bool gone = exited_within(Ms(3000), status);
  if (!gone) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(gone) << "the third signal did not end the process";
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - third).count(), 1000);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
}

TEST(GracefulStop, ConnectionStillMidRequestAfterTheGracePeriodIsCut) {
  App app;
  itest::add_basic_routes(app);
  auto settings = test::test_settings();
  settings.graceful_timeout = Ms(300);
  test::TestServer server(app, settings);
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nnot all of it");
  std::this_thread::sleep_for(Ms(50));
  const auto start = Clock::now();
  server.server().stop();
  EXPECT_TRUE(client.closed_by_server(Ms(2000)));
  const auto elapsed = std::chrono::duration_cast<Ms>(Clock::now() - start).count();
  EXPECT_LT(elapsed, 1500) << "the grace period was not enforced";
  server.server().wait();
}

TEST(GracefulStop, AHandlerStillRunningWhenTheGracePeriodEndsIsNotAnswered) {
  std::atomic<bool> started{false};
  std::atomic<bool> saw_abandoned{false};
  App app;
  itest::add_basic_routes(app);
  app.router().get("/slow", [&](const Request& req) -> Task<std::string> {
    started = true;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, Ms(600));
    co_await timer.async_wait(boost::asio::use_awaitable);
    saw_abandoned = req.abandoned();
    co_return std::string("late");
  });
  auto settings = test::test_settings();
  settings.graceful_timeout = Ms(150);
  test::TestServer server(app, settings);
  test::RawClient client(server.port());
  client.send(test::get_request("/slow"));
  ASSERT_TRUE(wait_for(started, Ms(2000)));
  server.server().stop();
  EXPECT_TRUE(client.closed_by_server(Ms(3000)));
  EXPECT_TRUE(client.pending().empty()) << "a response was sent after the grace period: " << client.pending();
  server.server().wait();
  EXPECT_TRUE(saw_abandoned.load()) << "Request::abandoned() was false after the grace period";
}

TEST(GracefulStop, BlockingJobsStillQueuedWhenTheGracePeriodEndsAreNotRun) {
  std::atomic<int> ran{0};
  std::atomic<bool> started{false};
  AppSettings app_settings;
  app_settings.blocking_threads = 1;
  App app(std::move(app_settings));
  itest::add_basic_routes(app);
  app.router()
      .post("/work",
            [&]() {
              started = true;
              ++ran;
              std::this_thread::sleep_for(Ms(400));
              return std::string("done");
            })
      .blocking();
  auto settings = test::test_settings();
  settings.graceful_timeout = Ms(150);
  test::TestServer server(app, settings);
  std::vector<std::unique_ptr<test::RawClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<test::RawClient>(server.port()));
    clients.back()->send("POST /work HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
  }
  ASSERT_TRUE(wait_for(started, Ms(2000)));
  std::this_thread::sleep_for(Ms(50));  // the other two are queued behind the one pool thread
  const auto stop_at = Clock::now();
  server.server().stop();
  for (auto& c : clients) {
    EXPECT_TRUE(c->closed_by_server(Ms(3000)));
    EXPECT_TRUE(c->pending().empty()) << "answered after the grace period: " << c->pending();
  }
  server.server().wait();
  EXPECT_EQ(ran.load(), 1) << "a queued job ran after the grace period";
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - stop_at).count(), 1000);
}

// ---------------------------------------------------------------------------------------------------------
// Workers

TEST(Workers, TwoWorkersServeTwentyConcurrentClients) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  App app;
  app.router().get("/who/{n}", [&](Request& req, Response& res) {
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    res.text(std::string(req.path_param("n")));
  });
  auto settings = test::test_settings();
  settings.workers = 2;
  test::TestServer server(app, settings);

  std::vector<std::unique_ptr<test::RawClient>> clients;
  for (int i = 0; i < 20; ++i) clients.push_back(std::make_unique<test::RawClient>(server.port()));
  for (std::size_t i = 0; i < clients.size(); ++i) clients[i]->send(test::get_request("/who/" + std::to_string(i)));
  for (int i = 0; i < 20; ++i) {
    const auto reply = itest::read_or_describe(*clients[static_cast<std::size_t>(i)]);
    EXPECT_EQ(reply.status, 200) << "client " << i << ": " << reply.body;
    EXPECT_EQ(reply.body, std::to_string(i));
  }
  // A second round on the same connections: each stays with its worker.
  for (int i = 0; i < 20; ++i) {
    const auto reply = clients[static_cast<std::size_t>(i)]->roundtrip(test::get_request("/who/again"));
    EXPECT_EQ(reply.body, "again");
  }
  std::lock_guard lock(mutex);
  // SO_REUSEPORT spreads 20 connections over both listeners (all on one has odds of about 2 in a million).
  EXPECT_EQ(threads.size(), 2u);
}

// SO_REUSEPORT would let a second server of the same user join a port that is in use and take a share of
// its connections; it must refuse to start instead, as any server does.
TEST(Workers, ASecondServerOnAPortInUseRefusesToStart) {
  App app;
  app.router().get("/who", [](Response& res) { res.text("first"); });
  auto settings = test::test_settings();
  settings.workers = 2;
  test::TestServer first(app, settings);

  App other;
  other.router().get("/who", [](Response& res) { res.text("second"); });
  other.freeze();
  settings.port = first.port();
  Server second(settings, [&other](Request& req, Response& res) { return other.handle(req, res); });
  try {
    second.start();
    ADD_FAILURE() << "the second server started on port " << first.port();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EADDRINUSE);
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
  second.stop();
  second.wait();
  // Every connection still reaches the first server.
  for (int i = 0; i < 10; ++i) {
    test::RawClient client(first.port());
    EXPECT_EQ(client.roundtrip(test::get_request("/who")).body, "first");
  }
}

TEST(Workers, ClientsOnSeparateThreadsAreAllServed) {
  App app;
  itest::add_basic_routes(app);
  auto settings = test::test_settings();
  settings.workers = 2;
  test::TestServer server(app, settings);
  std::atomic<int> served{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 20; ++t) {
    threads.emplace_back([&, t] {
      try {
        test::RawClient client(server.port());
        for (int i = 0; i < 5; ++i) {
          const std::string id = std::to_string(t) + "-" + std::to_string(i);
          if (client.roundtrip(test::get_request("/seq/" + id)).body == id) ++served;
        }
      } catch (const std::exception&) {
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(served.load(), 100);
}

std::string this_thread_name() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

TEST(Workers, ThreadsCarryTheNamesOfTheirJobs) {
  App app;
  app.router().get("/io", [] { return this_thread_name(); });
  app.router().get("/blocking", [] { return this_thread_name(); }).blocking();
  auto settings = test::test_settings();
  settings.workers = 2;
  test::TestServer server(app, settings);
  test::RawClient client(server.port());
  const std::string io = client.roundtrip(test::get_request("/io")).body;
  EXPECT_TRUE(io == "aegis-io-0" || io == "aegis-io-1") << io;
  EXPECT_EQ(client.roundtrip(test::get_request("/blocking")).body, "aegis-blocking");
  // Both I/O threads are named, whichever served the request: ps -L and top -H show them.
  const auto names = test::thread_names();
  EXPECT_EQ(names.count("aegis-io-0"), 1u);
  EXPECT_EQ(names.count("aegis-io-1"), 1u);
}

}  // namespace
}  // namespace aegis
