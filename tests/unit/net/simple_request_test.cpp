// Unit tests for aegis::net::parse_simple_request (src/net/request_parser.hpp), the connection's fast path:
// the requests it takes are read exactly as RequestParser reads them, and everything else (anything
// RequestParser refuses, and the unusual requests it accepts) is left to RequestParser.

#include "net/request_parser.hpp"

#include <aegis/net/server_settings.hpp>

#include <boost/asio/buffer.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "http/access.hpp"

namespace {

using aegis::Request;
using aegis::detail::RequestAccess;
using aegis::net::parse_simple_request;
using aegis::net::RequestParser;

// Everything a handler can see of a request, as one string.
std::string describe(const Request& r) {
  std::string out = std::string(r.method_name()) + " " + std::string(r.target()) + " path=" + std::string(r.path()) +
                    " query=" + std::string(r.query_string()) + " version=" + std::to_string(r.version()) +
                    " keep_alive=" + (r.keep_alive() ? "1" : "0") + " content_type=" + std::string(r.content_type()) +
                    "\n";
  for (const auto& h : r.headers()) out += std::string(h.name) + ": " + std::string(h.value) + "\n";
  out += "body=" + std::string(r.body());
  return out;
}

class SimpleRequest : public ::testing::Test {
 protected:
  // The bytes parse_simple_request takes (0: left to RequestParser); `simple` holds its reading.
  std::size_t take(const std::string& raw) {
    RequestAccess::reset(simple);
    return parse_simple_request(raw.data(), raw.size(), simple, settings);
  }

  // RequestParser's reading of `raw` given in one piece, or nullopt when it does not complete a request.
  std::optional<std::string> beast(const std::string& raw, std::size_t* consumed = nullptr) {
    RequestAccess::reset(full);
    std::string chunks;
    RequestParser parser(full, chunks, settings, raw.data(), raw.data() + raw.size());
    boost::system::error_code ec;
    const std::size_t n = parser.put(boost::asio::buffer(raw), ec);
    if (ec || !parser.is_done()) return std::nullopt;
    if (consumed != nullptr) *consumed = n;
    return describe(full);
  }

  // Taken, and read as RequestParser reads it.
  void expect_taken(const std::string& raw) {
    const std::size_t n = take(raw);
    ASSERT_NE(n, 0u) << raw;
    std::size_t consumed = 0;
    const auto reference = beast(raw, &consumed);
    ASSERT_TRUE(reference.has_value()) << raw;
    EXPECT_EQ(n, consumed) << raw;
    EXPECT_EQ(describe(simple), *reference) << raw;
  }

  void expect_left(const std::string& raw) { EXPECT_EQ(take(raw), 0u) << raw; }

  aegis::ServerSettings settings;
  Request simple;
  Request full;
};

TEST_F(SimpleRequest, TakesCommonRequestsAndReadsThemAsRequestParserDoes) {
  expect_taken("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
  expect_taken("GET /a/b%20c?x=1&y=%41 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept: */*\r\n\r\n");
  expect_taken("POST /items HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
               "{\"name\":\"a\"}\n");
  expect_taken("GET /x HTTP/1.1\r\nHost: h\r\nX-Padded:   spaced value \t \r\nX-Empty:\r\n\r\n");
  expect_taken("GET /x HTTP/1.1\r\nhost: h\r\nconnection: Close\r\n\r\n");
  expect_taken("GET /x HTTP/1.0\r\n\r\n");
  expect_taken("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  expect_taken("DELETE /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  expect_taken("GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\nabcdefg");
}

// Targets and values are scanned eight bytes at a time: a byte outside visible ASCII is noticed at every
// offset within a word, in long and short strings alike.
TEST_F(SimpleRequest, EveryByteOfATargetOrValueIsChecked) {
  for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 23u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const unsigned char bad : {0x00, 0x09, 0x1f, 0x20, 0x7f, 0x80, 0xff}) {
        SCOPED_TRACE(::testing::Message() << "length " << length << ", byte 0x" << std::hex << int{bad} << " at "
                                          << std::dec << at);
        // (Built with append: GCC 12 warns wrongly about operator+ chains here, -Wrestrict.)
        if (at > 0) {
          std::string line = "GET /";
          line.append(length - 1, 'a');
          line[4 + at] = static_cast<char>(bad);
          // A space ends the target early: the line then has a word too many, which RequestParser judges.
          expect_left(line.append(" HTTP/1.1\r\nHost: h\r\n\r\n"));
        }
        std::string request = "GET / HTTP/1.1\r\nHost: h\r\nX-V: ";
        const std::size_t value_at = request.size();
        request.append(length, 'v').append("x\r\n\r\n");
        request[value_at + at] = static_cast<char>(bad);
        if (bad == 0x09 || bad == 0x20) {
          expect_taken(request);  // HTAB and SP are allowed inside a value
        } else {
          expect_left(request);
        }
      }
    }
  }
  std::string long_target = "GET /";
  long_target.append(40, 'p').append("?q=").append(33, '~').append(" HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_taken(long_target);
}

TEST_F(SimpleRequest, KeepAliveFollowsTheVersionAndConnection) {
  ASSERT_NE(take("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), 0u);
  EXPECT_TRUE(simple.keep_alive());
  ASSERT_NE(take("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), 0u);
  EXPECT_FALSE(simple.keep_alive());
  ASSERT_NE(take("GET / HTTP/1.0\r\n\r\n"), 0u);
  EXPECT_FALSE(simple.keep_alive());
  ASSERT_NE(take("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), 0u);
  EXPECT_TRUE(simple.keep_alive());
}

TEST_F(SimpleRequest, TakesOneRequestOfAPipelineAtATime) {
  const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi";
  const std::string both = first + second + "GET /c HTT";
  EXPECT_EQ(take(both), first.size());
  EXPECT_EQ(simple.path(), "/a");
  const std::string rest = both.substr(first.size());
  EXPECT_EQ(take(rest), second.size());
  EXPECT_EQ(simple.body(), "hi");
  EXPECT_EQ(take(rest.substr(second.size())), 0u);  // incomplete: RequestParser waits for the rest
}

TEST_F(SimpleRequest, LeavesIncompleteRequestsToRequestParser) {
  const std::string whole = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  for (std::size_t n = 0; n < whole.size(); ++n) expect_left(whole.substr(0, n));
  EXPECT_EQ(take(whole), whole.size());
}

TEST_F(SimpleRequest, LeavesEverythingUnusualToRequestParser) {
  // Targets other than origin-form: an absolute-form target's authority replaces Host.
  expect_left("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_left("GET http://example.com/p?q HTTP/1.1\r\nHost: example.com\r\n\r\n");
  // Framing RequestParser decides: chunked bodies, expectations, upgrades, lists.
  expect_left("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  expect_left("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx");
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n");
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nProxy-Connection: close\r\n\r\n");
  expect_left("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx");
  expect_left("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\nx");
  expect_left("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\nx");
  expect_left("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n");
  // What RequestParser refuses.
  expect_left("GET / HTTP/1.1\r\n\r\n");                             // no Host
  expect_left("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");       // two
  expect_left("GET / HTTP/1.1\r\nHost: a b\r\n\r\n");                // invalid
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n");    // obs-fold
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nX : a\r\n\r\n");         // space before the colon
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n");       // bare CR
  expect_left("GET / HTTP/1.1\nHost: h\n\n");                        // bare LF
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nX: caf\xC3\xA9\r\n\r\n");  // obs-text: valid, but not here
  expect_left("GET / HTTP/2.0\r\nHost: h\r\n\r\n");
  expect_left("GET / HTTP/1.1 \r\nHost: h\r\n\r\n");
  expect_left("GET  / HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_left("get / HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_left("BREW / HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_left("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_left("GET x HTTP/1.1\r\nHost: h\r\n\r\n");                  // not a target form
  expect_left("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n");               // bad percent-encoding
  expect_left("GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST_F(SimpleRequest, LeavesEveryLimitToRequestParser) {
  settings.max_request_line = 64;
  settings.max_header_bytes = 64;
  settings.max_header_count = 3;
  settings.max_body_bytes = 4;
  // The request line's limit counts method, target and 10 for the rest: 3 + 51 + 10 = 64.
  expect_taken("GET /" + std::string(50, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_left("GET /" + std::string(51, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_taken("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n");
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
  expect_left("GET / HTTP/1.1\r\nHost: h\r\nA: " + std::string(60, 'v') + "\r\n\r\n");
  expect_taken("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd");
  expect_left("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde");
}

}  // namespace
