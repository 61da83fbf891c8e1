// Persistent connections, pipelining, HEAD and Expect: 100-continue over real sockets.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "integration/http_fixtures.hpp"

namespace aegis {
namespace {

using itest::answers_a_new_connection;
using itest::kCloseWait;
using itest::kStaysOpenWait;
using itest::Ms;

// ---------------------------------------------------------------------------------------------------------
// Keep-alive

TEST(KeepAlive, SeveralRequestsAreServedOnOneConnection) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    const auto reply = client.roundtrip(test::get_request("/seq/" + std::to_string(i)));
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, std::to_string(i));
    EXPECT_FALSE(reply.header("connection").has_value()) << "HTTP/1.1 keep-alive needs no Connection header";
  }
  const auto post = client.roundtrip(itest::post_request("/echo", "after five gets"));
  EXPECT_EQ(post.body, "after five gets");
  EXPECT_FALSE(client.closed_by_server(kStaysOpenWait));
}

// An idle connection's first read is a small one; a request that fills it, or runs past it, must be
// answered as soon as it is whole, without waiting for more bytes.
TEST(KeepAlive, RequestsOfEverySizeAroundTheIdleReadAreAnsweredAtOnce) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const std::string base = "GET /seq/x HTTP/1.1\r\nHost: test\r\nX-Pad: \r\n\r\n";
  for (std::size_t size = 480; size <= 1100; ++size) {
    std::string request = base;
    request.insert(request.find("X-Pad: ") + 7, std::string(size - base.size(), 'p'));
    ASSERT_EQ(request.size(), size);
    const auto reply = client.roundtrip(request, Ms(2000));
    ASSERT_EQ(reply.status, 200) << "a request of " << size << " bytes";
    ASSERT_EQ(reply.body, "x");
  }
  // The same sizes two at a time, the second one cut short until the first is answered.
  for (std::size_t size = 500; size <= 530; ++size) {
    std::string first = base;
    first.insert(first.find("X-Pad: ") + 7, std::string(size - base.size(), 'q'));
    const std::string second = test::get_request("/seq/y");
    client.send(first + second.substr(0, 10));
    ASSERT_EQ(client.read_response(false, Ms(2000)).body, "x") << "a request of " << size << " bytes";
    client.send(second.substr(10));
    ASSERT_EQ(client.read_response(false, Ms(2000)).body, "y");
  }
}

TEST(KeepAlive, Http11RequestSeesKeepAliveByDefault) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  EXPECT_EQ(client.roundtrip(test::get_request("/info")).body, "version=11 keep_alive=1");
}

TEST(KeepAlive, Http10ClosesAfterTheResponseUnlessKeepAliveIsAsked) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto reply = client.roundtrip("GET /info HTTP/1.0\r\n\r\n");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "version=10 keep_alive=0");
  EXPECT_NE(reply.header("connection"), "keep-alive");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
}

TEST(KeepAlive, Http10WithConnectionKeepAliveStaysOpenAndSaysSo) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto first = client.roundtrip("GET /info HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "version=10 keep_alive=1");
  EXPECT_EQ(first.header("connection"), "keep-alive");
  EXPECT_FALSE(client.closed_by_server(kStaysOpenWait));

  const auto second = client.roundtrip("GET /ping HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "pong");
  EXPECT_EQ(second.header("connection"), "keep-alive");

  // A third 1.0 request without the token closes.
  const auto third = client.roundtrip("GET /ping HTTP/1.0\r\n\r\n");
  EXPECT_EQ(third.body, "pong");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
}

TEST(KeepAlive, ConnectionCloseOnHttp11ClosesAfterTheResponseAndSaysSo) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto reply = client.roundtrip(test::get_request("/info", "Connection: close\r\n"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "version=11 keep_alive=0");
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(client.pending().empty()) << "bytes after the last response: " << client.pending();
}

TEST(KeepAlive, RequestsPipelinedAfterConnectionCloseAreNotAnswered) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(test::get_request("/seq/1", "Connection: close\r\n") + test::get_request("/seq/2"));
  const auto reply = client.read_response();
  EXPECT_EQ(reply.body, "1");
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_TRUE(client.pending().empty()) << "a request after Connection: close was answered: " << client.pending();
}

TEST(KeepAlive, ClientHalfCloseAfterARequestStillGetsTheResponse) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(test::get_request("/ping"));
  client.shutdown_write();
  const auto reply = itest::read_or_describe(client);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "pong");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
}

// ---------------------------------------------------------------------------------------------------------
// Pipelining

TEST(Pipelining, TwentyRequestsInOneSendAreAnsweredInOrder) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += test::get_request("/seq/" + std::to_string(i));
  client.send(batch);
  for (int i = 0; i < 20; ++i) {
    const auto reply = client.read_response();
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, std::to_string(i)) << "response " << i << " out of order";
  }
  EXPECT_FALSE(client.closed_by_server(kStaysOpenWait));
  EXPECT_TRUE(client.pending().empty());
}

TEST(Pipelining, RequestsWithBodiesInsideABatchKeepTheirPlace) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  std::string batch;
  batch += test::get_request("/seq/a");
  batch += itest::post_request("/echo", "first body");
  batch += test::get_request("/seq/b");
  batch += itest::chunked_post("/echo", "6\r\nsecond\r\n5\r\n body\r\n0\r\n\r\n");
  batch += itest::post_request("/echo", "");
  batch += test::get_request("/seq/c");
  client.send(batch);
  EXPECT_EQ(client.read_response().body, "a");
  EXPECT_EQ(client.read_response().body, "first body");
  EXPECT_EQ(client.read_response().body, "b");
  EXPECT_EQ(client.read_response().body, "second body");
  EXPECT_EQ(client.read_response().body, "");
  EXPECT_EQ(client.read_response().body, "c");
  EXPECT_FALSE(client.closed_by_server(kStaysOpenWait));
}

TEST(Pipelining, APartialRequestAtTheEndOfABatchIsCompletedLater) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const std::string second = test::get_request("/seq/2");
  client.send(test::get_request("/seq/1") + second.substr(0, 12));
  EXPECT_EQ(client.read_response().body, "1");
  EXPECT_FALSE(client.closed_by_server(kStaysOpenWait));
  EXPECT_TRUE(client.pending().empty()) << "answered a request before it was complete: " << client.pending();
  client.send(second.substr(12));
  EXPECT_EQ(client.read_response().body, "2");
}

TEST(Pipelining, APartialBodyAtTheEndOfABatchIsCompletedLater) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const std::string post = itest::post_request("/echo", "0123456789");
  client.send(test::get_request("/seq/1") + post.substr(0, post.size() - 6));
  EXPECT_EQ(client.read_response().body, "1");
  EXPECT_FALSE(client.closed_by_server(kStaysOpenWait));
  EXPECT_TRUE(client.pending().empty()) << "answered a request before its body was complete: " << client.pending();
  client.send(post.substr(post.size() - 6) + test::get_request("/seq/3"));
  EXPECT_EQ(client.read_response().body, "0123456789");
  EXPECT_EQ(client.read_response().body, "3");
}

TEST(Pipelining, ARequestSentOneByteAtATimeIsServed) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  for (char c : itest::post_request("/echo", "slow")) client.send(std::string_view(&c, 1));
  EXPECT_EQ(client.read_response().body, "slow");
}

TEST(Pipelining, ManyLargeResponsesArriveCompleteAndInOrderWhenTheClientReadsLate) {
  App app;
  app.router().get("/big/{n}", [](Request& req, Response& res) {
    const std::string n(req.path_param("n"));
    res.text(n + ":" + std::string(32 * 1024, static_cast<char>('a' + std::stoi(n) % 26)));
  });
  app.router().get("/ping", [](Request&, Response& res) { res.text("pong"); });
  test::TestServer server(app);
  test::RawClient client(server.port());
  std::string batch;
  constexpr int kCount = 100;
  for (int i = 0; i < kCount; ++i) batch += test::get_request("/big/" + std::to_string(i));
  client.send(batch);
  std::this_thread::sleep_for(Ms(100));  // let the server fill the socket buffers before reading
  for (int i = 0; i < kCount; ++i) {
    const auto reply = client.read_response();
    ASSERT_EQ(reply.status, 200);
    const std::string prefix = std::to_string(i) + ":";
    ASSERT_EQ(reply.body.substr(0, prefix.size()), prefix) << "response " << i << " out of order";
    ASSERT_EQ(reply.body.size(), prefix.size() + 32 * 1024);
  }
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
}

TEST(Pipelining, EmptyLinesBeforeARequestLineAreIgnored) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(test::get_request("/seq/1") + "\r\n" + test::get_request("/seq/2"));
  EXPECT_EQ(client.read_response().body, "1");
  EXPECT_EQ(client.read_response().body, "2");
}

TEST(Pipelining, ARequestsStartTimeIsWhenItsBytesWereReadSoItsWaitInThePipelineCounts) {
  App app;
  // The first handler holds the I/O thread; the second reports how long ago its request started.
  app.router().get("/hold", [](Request&, Response& res) {
    std::this_thread::sleep_for(Ms(300));
    res.text("held");
  });
  app.router().get("/age", [](Request& req, Response& res) {
    if (req.started_at() == std::chrono::steady_clock::time_point{}) {
      res.text("unset");
      return;
    }
    const auto age = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - req.started_at());
    res.text(std::to_string(age.count()));
  });
  test::TestServer server(app);
  test::RawClient client(server.port());

  const auto alone = client.roundtrip(test::get_request("/age"));
  ASSERT_NE(alone.body, "unset");
  EXPECT_LT(std::stol(alone.body), 250) << "a request with nothing before it starts when it is read";

  client.send(test::get_request("/hold") + test::get_request("/age"));
  EXPECT_EQ(client.read_response().body, "held");
  const auto queued = client.read_response();
  ASSERT_NE(queued.body, "unset");
  EXPECT_GE(std::stol(queued.body), 300) << "the time spent behind /hold is part of the second request's";
}

// ---------------------------------------------------------------------------------------------------------
// HEAD

TEST(Head, HasTheHeadersOfGetIncludingItsContentLengthButNoBody) {
  App app;
  itest::add_basic_routes(app);
  app.router().get("/doc", [](Request&, Response& res) {
    res.text("0123456789");
    res.set_header("X-Doc", "yes");
  });
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto get = client.roundtrip(test::get_request("/doc"));
  ASSERT_EQ(get.status, 200);
  ASSERT_EQ(get.body, "0123456789");

  // HEAD then GET in one send: if HEAD carried body bytes, the next response would not parse.
  client.send("HEAD /doc HTTP/1.1\r\nHost: localhost\r\n\r\n" + test::get_request("/ping"));
  const auto head = client.read_response(/*head_request=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "10");
  EXPECT_EQ(head.header("content-type"), get.header("content-type"));
  EXPECT_EQ(head.header("x-doc"), "yes");
  EXPECT_TRUE(head.header("date").has_value());
  EXPECT_EQ(client.pending().rfind("HTTP/1.1 200", 0), 0u) << "body bytes after a HEAD response: "
                                                           << client.pending().substr(0, 40);
  const auto next = client.read_response();
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, "pong");
}

TEST(Head, ErrorResponsesToHeadCarryNoBody) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send("HEAD /missing HTTP/1.1\r\nHost: localhost\r\n\r\n" + test::get_request("/ping"));
  const auto head = client.read_response(/*head_request=*/true);
  EXPECT_EQ(head.status, 404);
  EXPECT_EQ(head.header("content-length"), std::to_string(std::string(R"({"detail":"Not Found"})").size()));
  EXPECT_EQ(client.pending().rfind("HTTP/1.1 200", 0), 0u) << "body bytes after a HEAD response: "
                                                           << client.pending().substr(0, 40);
  EXPECT_EQ(client.read_response().body, "pong");
}

// ---------------------------------------------------------------------------------------------------------
// Expect: 100-continue

TEST(ExpectContinue, InterimResponseArrivesBeforeTheBodyIsSent) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  const auto interim = itest::read_or_describe(client, false, Ms(2000));
  EXPECT_EQ(interim.status, 100) << interim.body;
  EXPECT_EQ(interim.version, "HTTP/1.1");
  client.send("hello");
  const auto final_reply = client.read_response();
  EXPECT_EQ(final_reply.status, 200);
  EXPECT_EQ(final_reply.body, "hello");
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
}

TEST(ExpectContinue, ChunkedBodyAlsoGetsTheInterimResponseFirst) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send(
      "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
  const auto interim = itest::read_or_describe(client, false, Ms(2000));
  EXPECT_EQ(interim.status, 100) << interim.body;
  client.send("3\r\nabc\r\n0\r\n\r\n");
  const auto final_reply = client.read_response();
  EXPECT_EQ(final_reply.status, 200);
  EXPECT_EQ(final_reply.body, "abc");
}

TEST(ExpectContinue, BodyAboveTheLimitAnswers413InsteadOfContinue) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n");
  const auto reply = itest::read_or_describe(client, false, Ms(2000));
  EXPECT_EQ(reply.status, 413) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_TRUE(client.closed_by_server(kCloseWait));
  EXPECT_EQ(client.pending().find("100 Continue"), std::string::npos);
  EXPECT_TRUE(answers_a_new_connection(server.port()));
}

TEST(ExpectContinue, UnknownExpectationAnswers417) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 200-ok\r\n\r\nhello");
  const auto reply = itest::read_or_describe(client);
  EXPECT_EQ(reply.status, 417) << reply.body;
  EXPECT_EQ(reply.body.rfind("{\"detail\":", 0), 0u) << reply.body;
  EXPECT_TRUE(itest::has_date_and_exact_length(reply));
  EXPECT_TRUE(answers_a_new_connection(server.port()));
}

TEST(ExpectContinue, NoInterimResponseWhenTheBodyArrivesWithTheHeader) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");
  auto reply = client.read_response();
  if (reply.status == 100) reply = client.read_response();  // an interim response is allowed, never required
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "hello");
}

TEST(ExpectContinue, IsIgnoredOnHttp10) {
  // RFC 9110 section 10.1.1: a 100-continue expectation in an HTTP/1.0 request must be ignored.
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  client.send("POST /echo HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_FALSE(client.closed_by_server(Ms(300)));
  EXPECT_TRUE(client.pending().empty()) << "sent to an HTTP/1.0 client: " << client.pending();
  client.send("hello");
  const auto reply = itest::read_or_describe(client);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "hello");
}

}  // namespace
}  // namespace aegis
