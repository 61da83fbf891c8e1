// Size limits, deadlines and per-connection limits over real sockets.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "integration/http_fixtures.hpp"

namespace aegis {
namespace {

using itest::answers_a_new_connection;
using itest::expect_rejected_and_closed;
using itest::kCloseWait;
using itest::kStaysOpenWait;
using itest::Ms;
using Clock = std::chrono::steady_clock;

// A header section of `count` fields named X-Fill-<i>, each line `line_bytes` long including CRLF.
std::string filler_fields(std::size_t count, std::size_t line_bytes) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string line = "X-Fill-" + std::to_string(i) + ": ";
    line.append(line_bytes - line.size() - 2, 'v');
    line.append("\r\n");
    out += line;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Size limits (defaults)

class Limits : public ::testing::Test {
 protected:
  Limits() {
    itest::add_basic_routes(app_);
    server_ = std::make_unique<test::TestServer>(app_);
  }
  std::uint16_t port() const { return server_->port(); }

  App app_;
  std::unique_ptr<test::TestServer> server_;
};

TEST_F(Limits, RequestLineOver8KiBAnswers414) {
  expect_rejected_and_closed(port(), test::get_request("/" + std::string(9000, 'a')), 414);
}

TEST_F(Limits, IncompleteRequestLineOver8KiBAnswers414WithoutWaitingForTheRest) {
  test::RawClient client(port());
  client.send("GET /" + std::string(9000, 'a'));
  const auto reply = itest::read_or_describe(client, false, Ms(1000));
  EXPECT_EQ(reply.status, 414) << reply.body;
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(Limits, RequestLineJustUnder8KiBIsServed) {
  test::RawClient client(port());
  const std::string path = "/seq/" + std::string(8000, 'n');
  const auto reply = client.roundtrip(test::get_request(path));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, std::string(8000, 'n'));
}

TEST_F(Limits, LongQueryStringCountsTowardsTheRequestLine) {
  expect_rejected_and_closed(port(), test::get_request("/ping?q=" + std::string(9000, 'q')), 414);
}

TEST_F(Limits, HeaderSectionOver16KiBAnswers431) {
  expect_rejected_and_closed(port(), test::get_request("/ping", filler_fields(17, 1024)), 431);
}

TEST_F(Limits, SingleFieldOver16KiBAnswers431) {
  expect_rejected_and_closed(port(), test::get_request("/ping", "X-Huge: " + std::string(20 * 1024, 'h') + "\r\n"),
                             431);
}

TEST_F(Limits, IncompleteHeaderSectionOver16KiBAnswers431WithoutWaitingForTheRest) {
  test::RawClient client(port());
  client.send("GET /ping HTTP/1.1\r\nHost: localhost\r\n" + filler_fields(40, 1024));
  const auto reply = itest::read_or_describe(client, false, Ms(1000));
  EXPECT_EQ(reply.status, 431) << reply.body;
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(Limits, HeaderSectionJustUnder16KiBIsServed) {
  test::RawClient client(port());
  const auto reply = client.roundtrip(test::get_request("/ping", filler_fields(15, 1024)));
  EXPECT_EQ(reply.status, 200);
}

TEST_F(Limits, MoreThan100FieldsAnswers431) {
  // Host plus 100 more: 101 field lines.
  expect_rejected_and_closed(port(), test::get_request("/ping", filler_fields(100, 16)), 431);
}

TEST_F(Limits, Exactly100FieldsAreServed) {
  test::RawClient client(port());
  const auto reply = client.roundtrip(test::get_request("/ping", filler_fields(99, 16)));
  EXPECT_EQ(reply.status, 200);
}

TEST_F(Limits, BodyOver1MiBByContentLengthAnswers413BeforeTheBodyIsSent) {
  test::RawClient client(port());
  client.send("POST /size HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1048577\r\n\r\n");
  const auto reply = itest::read_or_describe(client, false, Ms(1000));
  EXPECT_EQ(reply.status, 413) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(Limits, BodyOfExactly1MiBIsAccepted) {
  test::RawClient client(port());
  const auto reply = client.roundtrip(itest::post_request("/size", std::string(1024 * 1024, 'b')));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "1048576");
}

TEST_F(Limits, ChunkedBodyExceeding1MiBAnswers413) {
  test::RawClient client(port());
  client.send("POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'c') + "\r\n";  // 64 KiB
  for (int i = 0; i < 17; ++i) itest::send_ignoring_errors(client, chunk);
  itest::send_ignoring_errors(client, "0\r\n\r\n");
  const auto reply = itest::read_or_describe(client);
  EXPECT_EQ(reply.status, 413) << reply.body;
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(Limits, ChunkedBodyOfExactly1MiBIsAccepted) {
  test::RawClient client(port());
  std::string request = "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 16; ++i) request += "10000\r\n" + std::string(0x10000, 'c') + "\r\n";
  request += "0\r\n\r\n";
  const auto reply = client.roundtrip(request);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "1048576");
}

TEST_F(Limits, OneChunkLargerThan1MiBAnswers413) {
  test::RawClient client(port());
  itest::send_ignoring_errors(
      client, "POST /size HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n" +
                  std::string(1024 * 1024 + 4096, 'c'));
  const auto reply = itest::read_or_describe(client, false, Ms(2000));
  EXPECT_EQ(reply.status, 413) << reply.body;
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
}

// ---------------------------------------------------------------------------------------------------------
// Configured limits

TEST(ConfiguredLimits, SmallerLimitsAreHonoured) {
  App app;
  itest::add_basic_routes(app);
  auto settings = test::test_settings();
  settings.max_request_line = 256;
  settings.max_header_bytes = 512;
  settings.max_header_count = 5;
  settings.max_body_bytes = 16;
  settings.max_trailer_bytes = 64;
  test::TestServer server(app, settings);
  const auto port = server.port();

  expect_rejected_and_closed(port, test::get_request("/seq/" + std::string(300, 'x')), 414);
  expect_rejected_and_closed(port, test::get_request("/ping", "X-Big: " + std::string(600, 'h') + "\r\n"), 431);
  expect_rejected_and_closed(port, test::get_request("/ping", filler_fields(5, 16)), 431);
  expect_rejected_and_closed(port, itest::post_request("/size", std::string(17, 'b')), 413);
  expect_rejected_and_closed(port, itest::chunked_post("/size", "9\r\n123456789\r\n9\r\n123456789\r\n0\r\n\r\n"), 413);
  expect_rejected_and_closed(
      port, itest::chunked_post("/size", "1\r\na\r\n0\r\nX-Trailer: " + std::string(200, 't') + "\r\n\r\n"), 431);

  // Right at each limit, requests are served.
  test::RawClient client(port);
  EXPECT_EQ(client.roundtrip(test::get_request("/seq/" + std::string(200, 'x'))).status, 200);
  EXPECT_EQ(client.roundtrip(test::get_request("/ping", filler_fields(4, 16))).status, 200);
  EXPECT_EQ(client.roundtrip(itest::post_request("/size", std::string(16, 'b'))).body, "16");
  EXPECT_EQ(client.roundtrip(itest::chunked_post("/size", "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")).body, "16");
}

// ---------------------------------------------------------------------------------------------------------
// Deadlines (the server checks them every 250 ms, so a 300 ms deadline fires within about 550 ms)

ServerSettings short_deadlines() {
  auto s = test::test_settings();
  s.header_timeout = Ms(300);
  s.idle_timeout = Ms(300);
  s.body_timeout = Ms(300);
  return s;
}

TEST(Timeouts, PartialHeaderAnswers408AndCloses) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());
  test::RawClient client(server.port());
  client.send("GET /ping HTTP/1.1\r\nHost: localhost\r\n");
  const auto reply = itest::read_or_describe(client, false, Ms(1500));
  EXPECT_EQ(reply.status, 408) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(answers_a_new_connection(server.port()));
}

TEST(Timeouts, HeaderTrickledByteByByteStillTimesOut) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());
  test::RawClient client(server.port());
  const std::string request = test::get_request("/ping", "X-Slow: " + std::string(200, 's') + "\r\n");
  const auto start = Clock::now();
  bool closed = false;
  for (std::size_t i = 0; i < request.size() - 2 && !closed; ++i) {
    itest::send_ignoring_errors(client, request.substr(i, 1));
    closed = client.closed_by_server(Ms(50));
    if (Clock::now() - start > Ms(2500)) break;
  }
  const auto elapsed = std::chrono::duration_cast<Ms>(Clock::now() - start);
  EXPECT_TRUE(closed) << "a header sent one byte every 50 ms kept the connection open for " << elapsed.count()
                      << " ms";
  EXPECT_LT(elapsed.count(), 1500);
  const auto reply = itest::read_or_describe(client, false, Ms(100));
  EXPECT_EQ(reply.status, 408) << reply.body;
}

TEST(Timeouts, IdleKeepAliveConnectionIsClosedWithoutAResponse) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());
  test::RawClient client(server.port());
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
  const auto start = Clock::now();
  EXPECT_TRUE(client.closed_by_server(Ms(1500)));
  EXPECT_GE(std::chrono::duration_cast<Ms>(Clock::now() - start).count(), 250);
  EXPECT_TRUE(client.pending().empty()) << "an idle connection got: " << client.pending();
}

// Empty lines before a request line are skipped (RFC 9112 section 2.2), but they are not a request: a
// client that sends nothing else is closed when the idle timeout runs out, however often it sends one.
TEST(Timeouts, EmptyLinesDoNotKeepAnIdleConnectionOpen) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());  // idle timeout 300 ms
  test::RawClient client(server.port());
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
  const auto start = Clock::now();
  bool closed = false;
  while (!closed && Clock::now() - start < Ms(2000)) {
    itest::send_ignoring_errors(client, "\r\n");
    closed = client.closed_by_server(Ms(100));
  }
  EXPECT_TRUE(closed) << "empty lines every 100 ms kept the connection open for 2 s";
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - start).count(), 1000);
  EXPECT_TRUE(client.pending().empty()) << client.pending();

  // Empty lines before a request still precede a request that is answered.
  test::RawClient fresh(server.port());
  EXPECT_EQ(fresh.roundtrip("\r\n\r\n" + test::get_request("/ping")).body, "pong");
  // Well inside the 300 ms idle timeout (deadlines are checked on a 250 ms tick).
  std::this_thread::sleep_for(Ms(30));
  itest::send_ignoring_errors(fresh, "\r\n");
  std::this_thread::sleep_for(Ms(30));
  EXPECT_EQ(fresh.roundtrip(test::get_request("/ping")).body, "pong") << "a request within the idle timeout";
}

TEST(Timeouts, ConnectionThatNeverSendsIsClosedWithoutAResponse) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());
  test::RawClient client(server.port());
  EXPECT_TRUE(client.closed_by_server(Ms(1500)));
  EXPECT_TRUE(client.pending().empty()) << "a silent connection got: " << client.pending();
}

TEST(Timeouts, KeepAliveConnectionUsedWithinTheIdleTimeoutStaysOpen) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());
  test::RawClient client(server.port());
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(client.roundtrip(test::get_request("/seq/" + std::to_string(i))).body, std::to_string(i));
    std::this_thread::sleep_for(Ms(100));
  }
}

TEST(Timeouts, StalledBodyAnswers408AndCloses) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc");
  const auto reply = itest::read_or_describe(client, false, Ms(1500));
  EXPECT_EQ(reply.status, 408) << reply.body;
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(answers_a_new_connection(server.port()));
}

TEST(Timeouts, StalledChunkedBodyAnswers408AndCloses) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app, short_deadlines());
  test::RawClient client(server.port());
  client.send(itest::chunked_post("/echo", "5\r\nhel"));
  const auto reply = itest::read_or_describe(client, false, Ms(1500));
  EXPECT_EQ(reply.status, 408) << reply.body;
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
}

TEST(Timeouts, BodyThatKeepsProgressingIsNotCutOff) {
  App app;
  itest::add_basic_routes(app);
  auto settings = short_deadlines();
  settings.header_timeout = Ms(10'000);  // only the body deadline is under test
  // Each byte comes well within the deadline, even on a loaded machine; the whole body takes longer.
  settings.body_timeout = Ms(600);
  test::TestServer server(app, settings);
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8\r\n\r\n");
  for (char c : std::string("12345678")) {
    std::this_thread::sleep_for(Ms(120));
    client.send(std::string_view(&c, 1));
  }
  const auto reply = itest::read_or_describe(client);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, "12345678");
}

// ---------------------------------------------------------------------------------------------------------
// Per-connection and connection-count limits

TEST(ConnectionLimits, ThirdResponseCarriesConnectionCloseWhenMaxRequestsIsThree) {
  App app;
  itest::add_basic_routes(app);
  auto settings = test::test_settings();
  settings.max_requests_per_connection = 3;
  test::TestServer server(app, settings);
  test::RawClient client(server.port());
  const auto first = client.roundtrip(test::get_request("/seq/1"));
  const auto second = client.roundtrip(test::get_request("/seq/2"));
  const auto third = client.roundtrip(test::get_request("/seq/3"));
  EXPECT_FALSE(first.header("connection").has_value());
  EXPECT_FALSE(second.header("connection").has_value());
  EXPECT_EQ(third.body, "3");
  EXPECT_EQ(third.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
}

TEST(ConnectionLimits, PipelinedRequestsBeyondMaxRequestsAreNotAnswered) {
  App app;
  itest::add_basic_routes(app);
  auto settings = test::test_settings();
  settings.max_requests_per_connection = 3;
  test::TestServer server(app, settings);
  test::RawClient client(server.port());
  std::string batch;
  for (int i = 1; i <= 5; ++i) batch += test::get_request("/seq/" + std::to_string(i));
  client.send(batch);
  EXPECT_EQ(client.read_response().body, "1");
  EXPECT_EQ(client.read_response().body, "2");
  const auto third = client.read_response();
  EXPECT_EQ(third.body, "3");
  EXPECT_EQ(third.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(client.pending().empty()) << "answered beyond the limit: " << client.pending();
  EXPECT_TRUE(answers_a_new_connection(server.port()));
}

TEST(ConnectionLimits, ThirdClientIsServedOnlyAfterOneOfTwoAllowedConnectionsCloses) {
  App app;
  itest::add_basic_routes(app);
  auto settings = test::test_settings();
  settings.max_connections = 2;
  test::TestServer server(app, settings);
  auto first = std::make_unique<test::RawClient>(server.port());
  test::RawClient second(server.port());
  EXPECT_EQ(first->roundtrip(test::get_request("/seq/1")).body, "1");
  EXPECT_EQ(second.roundtrip(test::get_request("/seq/2")).body, "2");

  test::RawClient third(server.port());  // the kernel completes the handshake; the server does not accept
  third.send(test::get_request("/seq/3"));
  EXPECT_FALSE(third.closed_by_server(Ms(400)));
  EXPECT_TRUE(third.pending().empty()) << "a third connection was served at max_connections = 2";

  first.reset();
  const auto reply = itest::read_or_describe(third, false, Ms(2000));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "3");
  EXPECT_EQ(second.roundtrip(test::get_request("/seq/2b")).body, "2b");
}

}  // namespace
}  // namespace aegis
