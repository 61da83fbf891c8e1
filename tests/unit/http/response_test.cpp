// Unit tests for aegis::Response (include/aegis/http/response.hpp): header management, body helpers, and
// the checks that keep an injected or server-managed header line out of a response.

#include <aegis/http/headers.hpp>
#include <aegis/http/response.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "http/access.hpp"

namespace {

using aegis::Response;

std::size_t count_lines_named(std::string_view block, std::string_view lower_name) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = block.size();
    std::string line(block.substr(pos, eol - pos));
    const std::size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (name == lower_name) ++count;
    pos = eol + 2;
  }
  return count;
}

TEST(Response, DefaultIsAnEmpty200) {
  Response res;
  EXPECT_EQ(res.status(), 200);
  EXPECT_EQ(res.header_block(), "");
  EXPECT_EQ(res.body(), "");
  EXPECT_FALSE(res.header("Content-Type").has_value());
}

TEST(Response, HeaderBlockFormatInInsertionOrder) {
  Response res;
  res.set_header("X-First", "1").add_header("X-Second", "two words").set_header("Cache-Control", "no-store");
  EXPECT_EQ(res.header_block(), "X-First: 1\r\nX-Second: two words\r\nCache-Control: no-store\r\n");
}

TEST(Response, SetHeaderReplacesCaseInsensitively) {
  Response res;
  res.set_header("X-Token", "a");
  res.add_header("x-token", "b");
  res.set_header("Other", "keep");
  res.set_header("X-TOKEN", "c");
  EXPECT_EQ(count_lines_named(res.header_block(), "x-token"), 1u);
  EXPECT_EQ(res.header("x-token"), "c");
  EXPECT_EQ(res.header("Other"), "keep");
  EXPECT_NE(res.header_block().find("X-TOKEN: c\r\n"), std::string_view::npos);
}

TEST(Response, AddHeaderKeepsDuplicatesInOrder) {
  Response res;
  res.add_header("Set-Cookie", "a=1").add_header("Set-Cookie", "b=2");
  EXPECT_EQ(res.header_block(), "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n");
  EXPECT_EQ(res.header("set-cookie"), "a=1");
}

TEST(Response, RemoveHeaderRemovesEveryMatchingLineOnly) {
  Response res;
  res.add_header("Set-Cookie", "a=1");
  res.add_header("X-Set-Cookie", "not me");
  res.add_header("SET-COOKIE", "b=2");
  res.add_header("Set-Cookie2", "nor me");
  res.add_header("set-cookie", "c=3");
  res.remove_header("Set-Cookie");
  EXPECT_EQ(res.header_block(), "X-Set-Cookie: not me\r\nSet-Cookie2: nor me\r\n");
  EXPECT_FALSE(res.header("Set-Cookie").has_value());
}

TEST(Response, RemoveAbsentHeaderIsANoOp) {
  Response res;
  res.set_header("A", "1");
  res.remove_header("B");
  EXPECT_EQ(res.header_block(), "A: 1\r\n");
}

TEST(Response, HeaderLookup) {
  Response res;
  res.set_header("Location", "http://example.com:8080/x?y=1");
  res.set_header("X-Empty", "");
  res.set_header("X-Tab", "a\tb");
  EXPECT_EQ(res.header("location"), "http://example.com:8080/x?y=1");
  EXPECT_EQ(res.header("X-Empty"), "");
  EXPECT_EQ(res.header("x-tab"), "a\tb");
  EXPECT_FALSE(res.header("X-Missing").has_value());
  // A name that is a prefix of a set header is a different header.
  EXPECT_FALSE(res.header("X").has_value());
  EXPECT_FALSE(res.header("Locatio").has_value());
}

TEST(Response, TextSetsStatusContentTypeAndBody) {
  Response res;
  res.text("hello", 201);
  EXPECT_EQ(res.status(), 201);
  EXPECT_EQ(res.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.body(), "hello");
  res.text("again");
  EXPECT_EQ(res.status(), 200);
  EXPECT_EQ(res.body(), "again");
  EXPECT_EQ(count_lines_named(res.header_block(), "content-type"), 1u);
}

TEST(Response, HelpersReplaceAContentTypeSetBefore) {
  Response res;
  res.set_header("content-type", "text/html");
  res.json_text("[1,2]", 202);
  EXPECT_EQ(res.status(), 202);
  EXPECT_EQ(count_lines_named(res.header_block(), "content-type"), 1u);
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  EXPECT_EQ(res.body(), "[1,2]");
}

TEST(Response, JsonBodyIsReadyForAppending) {
  Response res;
  res.text("old");
  res.json_body(201).append(R"({"n":3})");
  EXPECT_EQ(res.status(), 201);
  EXPECT_EQ(count_lines_named(res.header_block(), "content-type"), 1u);
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  EXPECT_EQ(res.body(), R"({"n":3})");
}

TEST(Response, ErrorIsJsonDetailWithEscaping) {
  Response res;
  const std::string detail = "bad \"name\" \\ here\n\x01";
  res.error(422, detail);
  EXPECT_EQ(res.status(), 422);
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  EXPECT_EQ(res.body(), R"({"detail":"bad \"name\" \\ here\n\u0001"})");
  const boost::json::value v = boost::json::parse(res.body());
  EXPECT_EQ(std::string_view(v.at("detail").as_string()), detail);
}

TEST(Response, SetBodyAndMutableBody) {
  Response res;
  res.set_body("abc");
  res.body() += "def";
  EXPECT_EQ(std::as_const(res).body(), "abcdef");
}

TEST(Response, SetStatusAcceptsThreeDigitCodes) {
  Response res;
  res.set_status(100);
  EXPECT_EQ(res.status(), 100);
  res.set_status(999);
  EXPECT_EQ(res.status(), 999);
  res.set_status(404);
  EXPECT_EQ(res.status(), 404);
}

TEST(Response, SetStatusRejectsOutOfRangeAndKeepsTheOldStatus) {
  Response res;
  res.set_status(204);
  for (int bad : {-1, 0, 99, 1000, 2000}) {
    EXPECT_THROW(res.set_status(bad), std::invalid_argument) << bad;
    EXPECT_EQ(res.status(), 204);
  }
  EXPECT_THROW(res.text("x", 42), std::invalid_argument);
  EXPECT_THROW(res.error(1000, "x"), std::invalid_argument);
  EXPECT_EQ(res.status(), 204);
}

TEST(Response, ControlCharactersInNameOrValueThrowAndLeaveBlockUnchanged) {
  const std::string nul_value("a\0b", 3);
  const std::string nul_name("X-A\0B", 5);
  const std::string_view bad_values[] = {"a\r\nInjected: yes", "a\rb", "a\nb", nul_value, "a\x01", "a\x7f"};
  const std::string_view bad_names[] = {"X-A\r\nInjected", "X\r", "X\n", nul_name};

  Response res;
  res.set_header("Keep", "me");
  const std::string before(res.header_block());
  for (std::string_view v : bad_values) {
    EXPECT_THROW(res.set_header("X-Value", v), std::invalid_argument);
    EXPECT_THROW(res.add_header("X-Value", v), std::invalid_argument);
    EXPECT_THROW(res.set_header("Keep", v), std::invalid_argument);
  }
  for (std::string_view n : bad_names) {
    EXPECT_THROW(res.set_header(n, "v"), std::invalid_argument);
    EXPECT_THROW(res.add_header(n, "v"), std::invalid_argument);
  }
  EXPECT_EQ(res.header_block(), before);
  EXPECT_EQ(res.header("Keep"), "me");
}

TEST(Response, HorizontalTabAndObsTextAreAllowedInValues) {
  Response res;
  EXPECT_NO_THROW(res.set_header("X-Tab", "a\tb"));
  EXPECT_NO_THROW(res.set_header("X-Utf8", "caf\xC3\xA9"));
  EXPECT_EQ(res.header("X-Utf8"), "caf\xC3\xA9");
}

TEST(Response, InvalidHeaderNamesThrow) {
  Response res;
  for (std::string_view bad : {"Bad Name", "X:Y", "", "X-(a)", "X/Y", "\"q\"", "X@Y", "X,Y"}) {
    EXPECT_THROW(res.set_header(bad, "v"), std::invalid_argument) << bad;
    EXPECT_THROW(res.add_header(bad, "v"), std::invalid_argument) << bad;
  }
  EXPECT_EQ(res.header_block(), "");
  // Every tchar is accepted.
  EXPECT_NO_THROW(res.set_header("X!#$%&'*+-.^_`|~09azAZ", "ok"));
}

TEST(Response, ServerManagedHeadersThrow) {
  Response res;
  for (std::string_view managed : {"Content-Length", "content-length", "Transfer-Encoding", "TRANSFER-ENCODING",
                                   "Date", "date", "Server", "SERVER", "Connection", "connection"}) {
    EXPECT_THROW(res.set_header(managed, "x"), std::invalid_argument) << managed;
    EXPECT_THROW(res.add_header(managed, "x"), std::invalid_argument) << managed;
  }
  EXPECT_EQ(res.header_block(), "");
  // Names that merely resemble managed ones are fine.
  EXPECT_NO_THROW(res.set_header("Dates", "x"));
  EXPECT_NO_THROW(res.set_header("X-Server", "x"));
  EXPECT_NO_THROW(res.set_header("Content-Type", "x"));
}

TEST(Response, NamesSharingALookupBitAreStillDistinctHeaders) {
  // Same length, first and last letter: the same bit in the response's name mask.
  static_assert(aegis::detail::header_name_bit("X-Frame-Options") == aegis::detail::header_name_bit("x-other-headers"));
  Response res;
  res.add_header("X-Other-Headers", "1");
  EXPECT_FALSE(res.header("X-Frame-Options").has_value());
  res.remove_header("X-Frame-Options");
  EXPECT_EQ(res.header_block(), "X-Other-Headers: 1\r\n");
  res.add_header("X-FRAME-OPTIONS", "DENY");
  EXPECT_EQ(res.header("x-frame-options"), "DENY");
  res.remove_header("x-frame-options");
  EXPECT_EQ(res.header_block(), "X-Other-Headers: 1\r\n");
}

TEST(Response, LinesAppendedByTheFrameworkAreFoundAndRemovable) {
  Response res;
  aegis::detail::ResponseAccess::append_lines(res, "Vary: Origin\r\nX-Request-ID: abc\r\n");
  EXPECT_EQ(res.header("vary"), "Origin");
  EXPECT_EQ(res.header("x-request-id"), "abc");
  res.remove_header("Vary");
  EXPECT_EQ(res.header_block(), "X-Request-ID: abc\r\n");
}

TEST(Response, LongHeaderLinesAreWrittenWhole) {
  Response res;
  const std::string value(1000, 'v');
  res.add_header("X-Long", value);
  res.add_header("X-Short", "s");
  EXPECT_EQ(res.header_block(), "X-Long: " + value + "\r\nX-Short: s\r\n");
  EXPECT_EQ(res.header("x-long"), value);
}

// Every byte value at every position of short and word-sized values: only control characters other
// than HTAB, and DEL, make a value invalid.
TEST(HeaderValue, ValidityIsDecidedByEveryByte) {
  for (std::size_t size : {1u, 7u, 8u, 9u, 16u, 21u}) {
    for (std::size_t at = 0; at < size; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string value(size, 'v');
        value[at] = static_cast<char>(b);
        const bool expected = b == '\t' || (b >= 0x20 && b != 0x7f);
        ASSERT_EQ(aegis::is_valid_header_value(value), expected) << "size " << size << " byte " << b << " at " << at;
      }
    }
  }
  EXPECT_TRUE(aegis::is_valid_header_value(""));
  EXPECT_TRUE(aegis::is_valid_header_value("caf\xC3\xA9 \x80\xFF\x21\x7E"));
}

// Case-insensitive comparison folds ASCII letters only: '@' and '`', '[' and '{' differ by the same bit as
// 'A' and 'a' but are different characters. Every byte pair at every position of word-sized names.
TEST(HeaderName, IequalsFoldsLettersOnly) {
  auto fold = [](int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
  for (std::size_t size : {1u, 8u, 12u, 17u}) {
    for (std::size_t at = 0; at < size; ++at) {
      for (int c = 0; c < 256; ++c) {
        for (int flip : {0x00, 0x20, 0x01, 0x80}) {
          std::string a(size, 'k');
          std::string b(size, 'K');
          a[at] = static_cast<char>(c);
          b[at] = static_cast<char>(c ^ flip);
          const bool expected = fold(c) == fold(c ^ flip);
          ASSERT_EQ(aegis::iequals(a, b), expected) << "size " << size << " byte " << c << " flip " << flip;
        }
      }
    }
  }
  EXPECT_TRUE(aegis::iequals("Content-Type", "content-type"));
  EXPECT_FALSE(aegis::iequals("Content-Type", "X-Request-ID"));
  EXPECT_FALSE(aegis::iequals("Content-Type", "Content-Typ"));
}

TEST(Response, ClearResetsEverything) {
  Response res;
  res.error(503, "down");
  res.add_header("Retry-After", "5");
  aegis::detail::ResponseAccess::request_close(res);
  res.clear();
  EXPECT_EQ(res.status(), 200);
  EXPECT_EQ(res.header_block(), "");
  EXPECT_EQ(res.body(), "");
  EXPECT_FALSE(res.header("Retry-After").has_value());
  EXPECT_FALSE(aegis::detail::ResponseAccess::close_requested(res));
  // Usable again after clear().
  res.text("ok");
  EXPECT_EQ(res.header_block(), "Content-Type: text/plain; charset=utf-8\r\n");
}

}  // namespace
