#pragma once

// Shared pieces of the HTTP integration suites: a small app most tests serve, and assertions about the
// connection that a raw client observes.

#include <aegis/aegis.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <regex>
#include <string>
#include <string_view>

#include "support/raw_client.hpp"
#include "support/test_server.hpp"

namespace aegis::itest {

using Ms = std::chrono::milliseconds;

/// How long a test waits for the server to close a connection it is expected to close at once.
inline constexpr Ms kCloseWait{1500};
/// How long a test watches a connection that is expected to stay open.
inline constexpr Ms kStaysOpenWait{200};

/// Routes most tests need:
///   GET  /ping          "pong"
///   GET  /seq/{n}       "n"
///   POST /echo          the request body
///   POST /size          the request body's length
///   GET  /info          "version=<10|11> keep_alive=<0|1>"
inline void add_basic_routes(App& app) {
  auto& r = app.router();
  r.get("/ping", [](Request&, Response& res) { res.text("pong"); });
  r.get("/seq/{n}", [](Request& req, Response& res) { res.text(std::string(req.path_param("n"))); });
  r.post("/echo", [](Request& req, Response& res) { res.text(std::string(req.body())); });
  r.post("/size", [](Request& req, Response& res) { res.text(std::to_string(req.body().size())); });
  r.get("/info", [](Request& req, Response& res) {
    res.text("version=" + std::to_string(req.version()) + " keep_alive=" + (req.keep_alive() ? "1" : "0"));
  });
}

/// A POST of `body` to `path` with Content-Length.
inline std::string post_request(std::string_view path, std::string_view body, std::string_view extra_headers = {}) {
  std::string r = "POST ";
  r.append(path);
  r.append(" HTTP/1.1\r\nHost: localhost\r\nContent-Length: ");
  r.append(std::to_string(body.size()));
  r.append("\r\n");
  r.append(extra_headers);
  r.append("\r\n");
  r.append(body);
  return r;
}

/// A POST to `path` whose body is sent with chunked transfer coding; `chunked_body` is the raw chunk data
/// (sizes, chunks, last chunk and trailers).
inline std::string chunked_post(std::string_view path, std::string_view chunked_body) {
  std::string r = "POST ";
  r.append(path);
  r.append(" HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
  r.append(chunked_body);
  return r;
}

/// Succeeds when a new connection to `port` is answered 200 "pong" by GET /ping: the server survived
/// whatever the test did before.
inline ::testing::AssertionResult answers_a_new_connection(std::uint16_t port) {
  try {
    test::RawClient fresh(port);
    const auto reply = fresh.roundtrip(test::get_request("/ping"), Ms(2000));
    if (reply.status != 200 || reply.body != "pong") {
      return ::testing::AssertionFailure() << "GET /ping on a new connection answered " << reply.status << " '"
                                           << reply.body << "'";
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "a new connection was not served: " << e.what();
  }
}

/// Sends `bytes`, ignoring a failure: the server may already have answered and closed.
inline void send_ignoring_errors(test::RawClient& client, std::string_view bytes) {
  try {
    client.send(bytes);
  } catch (const std::exception&) {
  }
}

/// Reads one response, turning a failure into a reply with status 0 and the reason as its body, so that a
/// test reports what it saw instead of aborting.
inline test::HttpReply read_or_describe(test::RawClient& client, bool head_request = false, Ms timeout = Ms(3000)) {
  try {
    return client.read_response(head_request, timeout);
  } catch (const std::exception& e) {
    test::HttpReply failed;
    failed.body = std::string("no response: ") + e.what();
    return failed;
  }
}

/// True when `body` is the 500 answer of an unhandled exception: the generic detail and the request id
/// (a generated UUID), nothing of the exception itself.
inline bool is_internal_error_body(const std::string& body) {
  static const std::regex pattern(R"(\{"detail":"Internal Server Error","request_id":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\})");
  return std::regex_match(body, pattern);
}

/// True when `date` is an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
inline bool is_imf_fixdate(const std::string& date) {
  static const std::regex pattern(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} )"
                                  R"((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT)");
  return std::regex_match(date, pattern);
}

/// Checks the headers every response with a body must carry: exactly one Date (IMF-fixdate) and exactly
/// one Content-Length equal to the body's size.
inline ::testing::AssertionResult has_date_and_exact_length(const test::HttpReply& reply) {
  if (reply.header_count("date") != 1) {
    return ::testing::AssertionFailure() << reply.status << ": " << reply.header_count("date") << " Date headers";
  }
  if (!is_imf_fixdate(*reply.header("date"))) {
    return ::testing::AssertionFailure() << reply.status << ": Date is not an IMF-fixdate: " << *reply.header("date");
  }
  if (reply.header_count("content-length") != 1) {
    return ::testing::AssertionFailure() << reply.status << ": " << reply.header_count("content-length")
                                         << " Content-Length headers";
  }
  if (*reply.header("content-length") != std::to_string(reply.body.size())) {
    return ::testing::AssertionFailure() << reply.status << ": Content-Length " << *reply.header("content-length")
                                         << " for a body of " << reply.body.size() << " bytes";
  }
  return ::testing::AssertionSuccess();
}

/// Sends `request` on a new connection and expects `status` with a JSON `{"detail": ...}` body, then the
/// connection closed by the server, then a new connection still served.
inline void expect_rejected_and_closed(std::uint16_t port, std::string_view request, int status) {
  SCOPED_TRACE(::testing::Message() << "request: " << ::testing::PrintToString(std::string(request)));
  test::RawClient client(port);
  send_ignoring_errors(client, request);
  const auto reply = read_or_describe(client);
  EXPECT_EQ(reply.status, status) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_EQ(reply.body.rfind("{\"detail\":", 0), 0u) << reply.body;
  EXPECT_TRUE(has_date_and_exact_length(reply));
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server(kCloseWait)) << "the connection stayed open after a framing error";
  EXPECT_TRUE(answers_a_new_connection(port));
}

}  // namespace aegis::itest
