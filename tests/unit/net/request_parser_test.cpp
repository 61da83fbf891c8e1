// Unit tests for aegis::net::RequestParser (src/net/request_parser.hpp): raw request bytes in, a filled
// aegis::Request or a {status, detail} failure out. Covers the request line, Host rules, message framing
// (Transfer-Encoding / Content-Length), limits and Expect.

#include "net/request_parser.hpp"

#include <aegis/net/server_settings.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "http/access.hpp"

namespace {

using aegis::Method;
using aegis::Request;
using aegis::net::is_valid_host;
using aegis::net::ParseFailure;
using aegis::net::RequestParser;

enum class Outcome { complete, incomplete, failed };

class RequestParserTest : public ::testing::Test {
 protected:
  // Parses `raw` given in one piece (as one read would deliver it). Afterwards `consumed` says how many
  // bytes the parser took; on failure `status` and `detail` hold what the server would answer.
  Outcome parse(std::string raw) { return parse_in_steps(std::move(raw), 0); }

  // Parses `raw` as if it arrived `step` bytes at a time (0: all at once). Bytes the parser did not consume
  // stay in the buffer and are offered again with the next arrival, as the connection does.
  Outcome parse_in_steps(std::string raw, std::size_t step) {
    aegis::detail::RequestAccess::reset(request);
    data = std::move(raw);
    parser.emplace(request, chunk_storage, settings, data.data(), data.data() + data.size());
    consumed = 0;
    std::size_t available = step == 0 ? data.size() : std::min(step, data.size());
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = parser->put(boost::asio::buffer(data.data() + consumed, available - consumed), ec);
      consumed += n;
      if (ec && ec != boost::beast::http::error::need_more) {
        const ParseFailure f = parser->failure(ec);
        status = f.status;
        detail = f.detail;
        return Outcome::failed;
      }
      if (parser->is_done()) return Outcome::complete;
      if (n == 0 || consumed == available) {
        if (available == data.size()) return Outcome::incomplete;
        available = std::min(available + (step == 0 ? data.size() : step), data.size());
      }
    }
  }

  // Parses and expects a failure with `want_status`; returns the detail.
  std::string expect_failure(std::string raw, int want_status) {
    const Outcome o = parse(raw);
    EXPECT_EQ(o, Outcome::failed) << raw;
    EXPECT_EQ(status, want_status) << raw << "\ndetail: " << detail;
    return detail;
  }

  void expect_complete(std::string raw) {
    const Outcome o = parse(raw);
    EXPECT_EQ(o, Outcome::complete) << raw << "\nstatus " << status << ": " << detail;
  }

  aegis::ServerSettings settings;
  Request request;
  std::string chunk_storage;
  std::string data;
  std::optional<RequestParser> parser;
  std::size_t consumed = 0;
  int status = 0;
  std::string detail;
};

// ---------------------------------------------------------------------------------------------------------
// Request line and target

TEST_F(RequestParserTest, SimpleGetFillsTheRequest) {
  ASSERT_EQ(parse("GET /a/b?x=1&y=two+words HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\n"
                  "X-Empty:\r\nAccept:  */*  \r\n\r\n"),
            Outcome::complete);
  EXPECT_EQ(request.method(), Method::get);
  EXPECT_EQ(request.method_name(), "GET");
  EXPECT_EQ(request.version(), 11);
  EXPECT_EQ(request.target(), "/a/b?x=1&y=two+words");
  EXPECT_EQ(request.path(), "/a/b");
  EXPECT_EQ(request.query_string(), "x=1&y=two+words");
  EXPECT_EQ(request.query("y"), "two words");
  ASSERT_EQ(request.headers().size(), 4u);
  EXPECT_EQ(request.headers()[0].name, "Host");
  EXPECT_EQ(request.header("host"), "example.com");
  EXPECT_EQ(request.header("user-agent"), "test/1.0");
  EXPECT_TRUE(request.has_header("X-Empty"));
  EXPECT_EQ(request.header("X-Empty"), "");
  EXPECT_EQ(request.header("Accept"), "*/*");
  EXPECT_EQ(request.body(), "");
  EXPECT_TRUE(request.keep_alive());
  EXPECT_TRUE(parser->header_complete());
  EXPECT_FALSE(parser->expects_continue());
  EXPECT_EQ(consumed, data.size());
  // Views point into the read buffer.
  EXPECT_GE(request.target().data(), data.data());
  EXPECT_LT(request.target().data(), data.data() + data.size());
}

TEST_F(RequestParserTest, ConsumesOnlyTheFirstOfPipelinedRequests) {
  const std::string first = "GET /first HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_EQ(parse(first + "GET /second HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(consumed, first.size());
  EXPECT_EQ(request.path(), "/first");
}

TEST_F(RequestParserTest, IncompleteHeaderNeedsMore) {
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\n"), Outcome::incomplete);
  EXPECT_FALSE(parser->header_complete());
}

TEST_F(RequestParserTest, PathIsDecodedAndNormalised) {
  ASSERT_EQ(parse("GET /a/../b%20c/./d?q=%41 HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.path(), "/b c/d");
  EXPECT_EQ(request.target(), "/a/../b%20c/./d?q=%41");
  EXPECT_EQ(request.query_string(), "q=%41");
  ASSERT_EQ(parse("GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.path(), "/etc/passwd");
}

TEST_F(RequestParserTest, BadPathEncodingIs400) {
  expect_failure("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  expect_failure("GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

TEST_F(RequestParserTest, AbsoluteFormTarget) {
  ASSERT_EQ(parse("GET http://example.com:8080/x/y?z=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"),
            Outcome::complete);
  EXPECT_EQ(request.target(), "http://example.com:8080/x/y?z=1");
  EXPECT_EQ(request.path(), "/x/y");
  EXPECT_EQ(request.query_string(), "z=1");

  ASSERT_EQ(parse("GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.path(), "/");
  EXPECT_EQ(request.query_string(), "");

  ASSERT_EQ(parse("GET HTTP://example.com?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.path(), "/");
  EXPECT_EQ(request.query_string(), "q=1");
}

// RFC 9112 section 3.2.2: the target's authority is the host; a Host field naming another is ignored.
TEST_F(RequestParserTest, AnAbsoluteFormTargetsAuthorityIsTheHost) {
  ASSERT_EQ(parse("GET http://localhost:8000/admin HTTP/1.1\r\nHost: evil.example\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.header("host"), "localhost:8000");
  EXPECT_EQ(request.headers().size(), 1u);
  ASSERT_EQ(parse("GET http://evil.example/admin HTTP/1.1\r\nHost: localhost\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.header("host"), "evil.example");
  ASSERT_EQ(parse("GET https://[::1]:8443?x HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.header("host"), "[::1]:8443");
  ASSERT_EQ(parse("GET http://example.com/ HTTP/1.0\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.header("host"), "example.com") << "HTTP/1.0 without Host";
  for (const char* bad : {"http:///x", "http://user@example.com/x", "http://exa mple/x", "http://h:port/x"}) {
    EXPECT_EQ(parse(std::string("GET ") + bad + " HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::failed) << bad;
    EXPECT_EQ(status, 400) << bad;
  }
}

TEST_F(RequestParserTest, AsteriskFormOnlyForOptions) {
  ASSERT_EQ(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.method(), Method::options);
  EXPECT_EQ(request.target(), "*");
  for (const char* method : {"GET", "POST", "HEAD", "DELETE"}) {
    expect_failure(std::string(method) + " * HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  }
}

TEST_F(RequestParserTest, OtherTargetFormsAre400) {
  expect_failure("GET foo HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  expect_failure("GET example.com:80 HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  expect_failure("GET ftp://example.com/ HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

TEST_F(RequestParserTest, UnsupportedVersionIs505) {
  expect_failure("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505);
  expect_failure("GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505);
  expect_failure("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505);
}

TEST_F(RequestParserTest, MalformedVersionIs400) {
  expect_failure("GET / HTTX/1.1\r\nHost: h\r\n\r\n", 400);
  expect_failure("GET / HTTP/1\r\nHost: h\r\n\r\n", 400);
}

TEST_F(RequestParserTest, ALineEndingBeforeItsVersionIsRefusedHoweverItArrives) {
  // Found by request_parser_fuzz: Beast waits for eight version characters even after the line has ended,
  // so these lines, arriving in pieces, used to be refused with 431 or to wait for the header deadline.
  for (const char* raw : {"GET / \r\n\r\n/1.1\r\nX-A: aaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n", "GET / \r\n\r\n",
                          "GET 1  \r\n\r\n", "GET / HTTP/1\r\nHost: h\r\n\r\n", "GET / HTTP/1.\r\n\r\n"}) {
    for (std::size_t step : {0, 1, 3, 5, 7}) {
      EXPECT_EQ(parse_in_steps(raw, step), Outcome::failed) << raw << " in steps of " << step;
      EXPECT_EQ(status, 400) << raw << " in steps of " << step;
      EXPECT_EQ(detail, "Invalid HTTP version") << raw << " in steps of " << step;
    }
  }
  // An unsupported version on a line with a bad ending is judged by its version, however it arrives.
  for (std::size_t step : {0, 5, 13}) {
    EXPECT_EQ(parse_in_steps("G / HTTP/3.0\r\r\nR\r\n\r\n", step), Outcome::failed) << "steps of " << step;
    EXPECT_EQ(status, 505) << "steps of " << step;
  }
  // The method and the target are judged before the version, as Beast judges a line it has whole.
  for (std::size_t step : {0, 1, 4, 9}) {
    EXPECT_EQ(parse_in_steps("GET \x01/x HTTP/2.1\r\x0eHost: e\r\n\r\n", step), Outcome::failed) << step;
    EXPECT_EQ(detail, "Invalid request target") << "steps of " << step;
    EXPECT_EQ(parse_in_steps("G@T / \r\n\r\nGET / HTTP/1.1\r\n\r\n", step), Outcome::failed) << step;
    EXPECT_EQ(detail, "Invalid method") << "steps of " << step;
  }
  // A valid line whose header is still arriving keeps waiting, however it is cut.
  for (std::size_t step : {1, 2, 15, 16, 17}) {
    EXPECT_EQ(parse_in_steps("GET / HTTP/1.1\r\nHost: h\r\nX-Long-Field: value", step), Outcome::incomplete)
        << "steps of " << step;
    EXPECT_EQ(parse_in_steps("GET / HTTP/1.1\r\nHost: h\r\n\r\n", step), Outcome::complete) << "steps of " << step;
  }
}

TEST_F(RequestParserTest, UnknownMethodsAndConnectAre501) {
  for (const char* method : {"FOO", "PROPFIND", "get", "Post", "CONNECT"}) {
    expect_failure(std::string(method) + " / HTTP/1.1\r\nHost: h\r\n\r\n", 501);
  }
  expect_failure("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501);
}

TEST_F(RequestParserTest, EveryRoutedMethodParses) {
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}) {
    ASSERT_EQ(parse(std::string(method) + " / HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::complete) << method;
    EXPECT_EQ(request.method_name(), method);
  }
}

TEST_F(RequestParserTest, RequestLineTooLongIs414) {
  settings.max_request_line = 64;
  expect_complete("GET /" + std::string(40, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n");
  expect_failure("GET /" + std::string(80, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", 414);
}

// ---------------------------------------------------------------------------------------------------------
// Host

TEST_F(RequestParserTest, MissingHostOnHttp11Is400) {
  const std::string d = expect_failure("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400);
  EXPECT_NE(d.find("Host"), std::string::npos) << d;
}

TEST_F(RequestParserTest, DuplicateHostIs400) {
  EXPECT_NE(expect_failure("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400).find("Duplicate Host"),
            std::string::npos);
  expect_failure("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400);
}

TEST_F(RequestParserTest, InvalidHostIs400) {
  for (const char* host : {"bad host", "a/b", "user@host", "host:port", "[::1", "host:123456"}) {
    const std::string d = expect_failure(std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n", 400);
    EXPECT_NE(d.find("Host"), std::string::npos) << d;
  }
}

TEST_F(RequestParserTest, HostIsOptionalOnHttp10) {
  ASSERT_EQ(parse("GET /old HTTP/1.0\r\n\r\n"), Outcome::complete);
  EXPECT_EQ(request.version(), 10);
  EXPECT_EQ(request.path(), "/old");
  // When present it is still validated.
  expect_failure("GET / HTTP/1.0\r\nHost: bad host\r\n\r\n", 400);
}

TEST_F(RequestParserTest, ValidHostForms) {
  for (const char* host : {"example.com", "example.com:8080", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080",
                           "localhost"}) {
    expect_complete(std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n");
  }
}

// ---------------------------------------------------------------------------------------------------------
// Keep-alive

TEST_F(RequestParserTest, KeepAliveFollowsVersionAndConnection) {
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), Outcome::complete);
  EXPECT_TRUE(request.keep_alive());
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), Outcome::complete);
  EXPECT_FALSE(request.keep_alive());
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n"), Outcome::complete);
  EXPECT_FALSE(request.keep_alive());
  ASSERT_EQ(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), Outcome::complete);
  EXPECT_TRUE(request.keep_alive());
}

// ---------------------------------------------------------------------------------------------------------
// Bodies and framing

TEST_F(RequestParserTest, ContentLengthBody) {
  ASSERT_EQ(parse("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"), Outcome::complete);
  EXPECT_EQ(request.method(), Method::post);
  EXPECT_EQ(request.body(), "hello world");
  EXPECT_EQ(parser->announced_length(), 11u);
  EXPECT_EQ(request.body().data(), data.data() + data.size() - 11);
}

TEST_F(RequestParserTest, ContentLengthBodyArrivingInPieces) {
  ASSERT_EQ(parse_in_steps("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world", 3),
            Outcome::complete);
  EXPECT_EQ(request.body(), "hello world");
}

TEST_F(RequestParserTest, ChunkedBodyIsDechunked) {
  ASSERT_EQ(parse("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "4\r\nWiki\r\n5;note=x\r\npedia\r\nA\r\n in chunks\r\n0\r\nX-Trailer: t\r\n\r\n"),
            Outcome::complete);
  EXPECT_EQ(request.body(), "Wikipedia in chunks");
  EXPECT_EQ(consumed, data.size());
  // The trailer is not a header.
  EXPECT_FALSE(request.has_header("X-Trailer"));
}

TEST_F(RequestParserTest, ChunkedBodyByteByByte) {
  ASSERT_EQ(parse_in_steps("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n",
                           1),
            Outcome::complete);
  EXPECT_EQ(request.body(), "Wikipedia");
  EXPECT_EQ(request.header("transfer-encoding"), "chunked");
}

// An empty chunked body whose last bytes arrive one at a time: Beast 1.81 asserts that its final chunk and
// blank line are there together (n >= 5), which a Debug build checks and aborts on.
TEST_F(RequestParserTest, EmptyChunkedBodyArrivingByteByByte) {
  for (std::size_t step : {1, 2, 3}) {
    ASSERT_EQ(parse_in_steps("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", step),
              Outcome::complete)
        << "steps of " << step;
    EXPECT_EQ(request.body(), "");
    ASSERT_EQ(parse_in_steps("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n", step),
              Outcome::complete)
        << "steps of " << step;
  }
}

TEST_F(RequestParserTest, TransferEncodingIsCaseInsensitive) {
  ASSERT_EQ(parse("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
            Outcome::complete);
  EXPECT_EQ(request.body(), "abc");
}

TEST_F(RequestParserTest, ContentLengthWithTransferEncodingIs400) {
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                 "3\r\nabc\r\n0\r\n\r\n",
                 400);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "3\r\nabc\r\n0\r\n\r\n",
                 400);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", 400);
}

TEST_F(RequestParserTest, TransferEncodingNotEndingInChunkedIs400) {
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                 400);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n"
                 "3\r\nabc\r\n0\r\n\r\n",
                 400);
}

TEST_F(RequestParserTest, ChunkedTwiceIs400) {
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\n\r\n",
                 400);
}

TEST_F(RequestParserTest, UnsupportedCodingBeforeChunkedIs501) {
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\n\r\n",
                 501);
}

TEST_F(RequestParserTest, TransferEncodingOnHttp10Is400) {
  expect_failure("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400);
}

TEST_F(RequestParserTest, InvalidContentLengthIs400) {
  for (const char* cl : {"abc", "-1", "+5", "5 5", "0x10", "99999999999999999999999"}) {
    expect_failure(std::string("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ") + cl + "\r\n\r\nabcde", 400);
  }
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef", 400);
}

TEST_F(RequestParserTest, InvalidChunkFramingIs400) {
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 400);
}

TEST_F(RequestParserTest, BodyOverLimitIs413) {
  settings.max_body_bytes = 4;
  expect_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd");
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde", 413);
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
                 413);
}

TEST_F(RequestParserTest, ObsFoldIs400) {
  expect_failure("GET / HTTP/1.1\r\nHost: h\r\nX-Folded: one\r\n  two\r\n\r\n", 400);
  expect_failure("GET / HTTP/1.1\r\nHost: h\r\nX-Folded: one\r\n\ttwo\r\n\r\n", 400);
}

TEST_F(RequestParserTest, ControlCharactersInHeadersAre400) {
  expect_failure(std::string("GET / HTTP/1.1\r\nHost: h\r\nX-A: a") + '\0' + "b\r\n\r\n", 400);
  expect_failure("GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n", 400);
}

// ---------------------------------------------------------------------------------------------------------
// Limits

TEST_F(RequestParserTest, TooManyHeaderFieldsIs431) {
  settings.max_header_count = 3;
  expect_complete("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n");
  expect_failure("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431);
}

TEST_F(RequestParserTest, HeaderSectionTooLargeIs431) {
  settings.max_header_bytes = 64;
  expect_complete("GET / HTTP/1.1\r\nHost: h\r\nX-Val: " + std::string(20, 'v') + "\r\n\r\n");
  expect_failure("GET / HTTP/1.1\r\nHost: h\r\nX-Val: " + std::string(100, 'v') + "\r\n\r\n", 431);
  expect_failure("GET / HTTP/1.1\r\nHost: h\r\nA: " + std::string(30, 'a') + "\r\nB: " + std::string(30, 'b') +
                     "\r\n\r\n",
                 431);
}

TEST_F(RequestParserTest, UnterminatedHeaderBeyondTheLimitIs431) {
  settings.max_request_line = 64;
  settings.max_header_bytes = 64;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\nX-Val: " + std::string(500, 'v')), Outcome::failed);
  EXPECT_EQ(status, 431) << detail;
}

TEST_F(RequestParserTest, ChunkExtensionTooLongIs400) {
  settings.max_chunk_extension = 16;
  expect_complete("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\n\r\n");
  const std::string d = expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;name=" +
                                           std::string(40, 'x') + "\r\nabc\r\n0\r\n\r\n",
                                       400);
  EXPECT_NE(d.find("extension"), std::string::npos) << d;
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0;last=" +
                     std::string(40, 'x') + "\r\n\r\n",
                 400);
}

TEST_F(RequestParserTest, TrailerSectionTooLargeIs431) {
  settings.max_trailer_bytes = 32;
  expect_complete("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n\r\n");
  expect_failure("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " + std::string(64, 't') +
                     "\r\n\r\n",
                 431);
}

// ---------------------------------------------------------------------------------------------------------
// Expect

TEST_F(RequestParserTest, AVersionAfterAnExtraWordIsMalformedNotUnsupported) {
  // Found by request_parser_fuzz: the version check must not take the last word of a four-word line.
  expect_failure("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  EXPECT_EQ(parse_in_steps("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 16), Outcome::failed);
  EXPECT_EQ(status, 400);
}

TEST_F(RequestParserTest, Expect100ContinueIsReportedBeforeTheBody) {
  EXPECT_EQ(parse("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"),
            Outcome::incomplete);
  EXPECT_TRUE(parser->header_complete());
  EXPECT_TRUE(parser->expects_continue());
  EXPECT_EQ(parser->announced_length(), 5u);
}

TEST_F(RequestParserTest, Expect100ContinueIsIgnoredOnHttp10) {
  // RFC 9110 section 10.1.1: a 100-continue expectation in an HTTP/1.0 request must be ignored (and no 1xx
  // response may be sent to an HTTP/1.0 client), so the connection must not be told to send 100 Continue.
  EXPECT_EQ(parse("POST /u HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"), Outcome::incomplete);
  EXPECT_TRUE(parser->header_complete());
  EXPECT_FALSE(parser->expects_continue());
}

TEST_F(RequestParserTest, ExpectIsCaseInsensitive) {
  ASSERT_EQ(parse("POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok"),
            Outcome::complete);
  EXPECT_TRUE(parser->expects_continue());
  EXPECT_EQ(request.body(), "ok");
}

TEST_F(RequestParserTest, NoExpectMeansNoContinue) {
  ASSERT_EQ(parse("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"), Outcome::complete);
  EXPECT_FALSE(parser->expects_continue());
}

TEST_F(RequestParserTest, UnknownExpectationIs417) {
  expect_failure("POST /u HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\nok", 417);
}

// ---------------------------------------------------------------------------------------------------------
// is_valid_host

TEST(IsValidHost, AcceptsNamesAddressesAndPorts) {
  for (std::string_view host : {"example.com", "localhost", "a-b.c_d~e", "xn--bcher-kva.example", "EXAMPLE.COM",
                                "127.0.0.1", "10.0.0.1:8000", "example.com:80", "example.com:65535", "[::1]",
                                "[::1]:8080", "[2001:db8::1]", "[::ffff:192.0.2.1]:443", "sub.example.com:1",
                                "%41bc"}) {
    EXPECT_TRUE(is_valid_host(host)) << host;
  }
}

TEST(IsValidHost, EmptyHostIsAllowed) {
  // RFC 9112 section 3.2: a request whose target has no authority sends an empty Host.
  EXPECT_TRUE(is_valid_host(""));
}

TEST(IsValidHost, RejectsBadCharacters) {
  for (std::string_view host : {"bad host", "a/b", "user@host", "a\tb", "host\\x", "h\xC3\xA9", "a\"b", "<x>",
                                "a#b", "a?b"}) {
    EXPECT_FALSE(is_valid_host(host)) << host;
  }
}

TEST(IsValidHost, RejectsBadPorts) {
  for (std::string_view host : {"host:port", "host:80a", "host:123456", "host:-1", "host:80:90", "host: 80",
                                "[::1]:80a", "[::1]:123456", "127.0.0.1:8x"}) {
    EXPECT_FALSE(is_valid_host(host)) << host;
  }
}

TEST(IsValidHost, RejectsBadIpLiterals) {
  for (std::string_view host : {"[::1", "[]", "[::1]x", "[::g]", "[::1]]", "[ ::1]", "[::1]/"}) {
    EXPECT_FALSE(is_valid_host(host)) << host;
  }
}

}  // namespace
