// Unit tests for aegis::Request (include/aegis/http/request.hpp), built directly through
// aegis::detail::RequestAccess the way the connection and the router fill it in.

#include <aegis/http/request.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "http/access.hpp"

namespace {

using aegis::Method;
using aegis::Request;
using aegis::detail::RequestAccess;

// Returns the view of `needle` inside `buffer` (so that the request's views point into the buffer).
std::string_view slice(const std::string& buffer, std::string_view needle) {
  const std::size_t pos = buffer.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  return std::string_view(buffer).substr(pos, needle.size());
}

TEST(Request, DefaultsBeforeAnythingIsSet) {
  Request req;
  EXPECT_EQ(req.method(), Method::get);
  EXPECT_EQ(req.version(), 11);
  EXPECT_TRUE(req.keep_alive());
  EXPECT_TRUE(req.headers().empty());
  EXPECT_TRUE(req.query_params().empty());
  EXPECT_TRUE(req.cookies().empty());
  EXPECT_EQ(req.body(), "");
  EXPECT_EQ(req.request_id(), "");
}

TEST(Request, LineAndTargetParts) {
  const std::string buf = "/a%20b/./c?x=1";
  Request req;
  RequestAccess::set_line(req, Method::post, buf, 10);
  ASSERT_TRUE(RequestAccess::set_target_parts(req, slice(buf, "/a%20b/./c"), slice(buf, "x=1")));
  EXPECT_EQ(req.method(), Method::post);
  EXPECT_EQ(req.method_name(), "POST");
  EXPECT_EQ(req.version(), 10);
  EXPECT_EQ(req.target(), "/a%20b/./c?x=1");
  EXPECT_EQ(req.path(), "/a b/c");
  EXPECT_EQ(req.query_string(), "x=1");
}

TEST(Request, SetTargetPartsRejectsBadPaths) {
  Request req;
  EXPECT_FALSE(RequestAccess::set_target_parts(req, "/a%00", ""));
  EXPECT_FALSE(RequestAccess::set_target_parts(req, "/a%zz", ""));
  EXPECT_TRUE(RequestAccess::set_target_parts(req, "/../x", ""));
  EXPECT_EQ(req.path(), "/x");
}

TEST(Request, HeaderLookupIsCaseInsensitiveAndReturnsTheFirst) {
  const std::string buf = "Host example.com X-Tag one x-tag two";
  Request req;
  RequestAccess::add_header(req, slice(buf, "Host"), slice(buf, "example.com"));
  RequestAccess::add_header(req, slice(buf, "X-Tag"), slice(buf, "one"));
  RequestAccess::add_header(req, slice(buf, "x-tag"), slice(buf, "two"));
  EXPECT_EQ(req.header("host"), "example.com");
  EXPECT_EQ(req.header("HOST"), "example.com");
  EXPECT_EQ(req.header("X-TAG"), "one");
  EXPECT_EQ(req.header("Missing"), "");
  EXPECT_TRUE(req.has_header("x-TAG"));
  EXPECT_FALSE(req.has_header("Missing"));
  EXPECT_FALSE(req.has_header("Hos"));
  ASSERT_EQ(req.headers().size(), 3u);
  EXPECT_EQ(req.headers()[2].value, "two");
}

TEST(Request, QueryParamsDecodedOnFirstUse) {
  const std::string buf = "a=1&b=x+y%21&a=2&empty=";
  Request req;
  ASSERT_TRUE(RequestAccess::set_target_parts(req, "/", buf));
  const auto params = req.query_params();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].name, "a");
  EXPECT_EQ(params[0].value, "1");
  EXPECT_EQ(params[1].value, "x y!");
  EXPECT_EQ(params[2].value, "2");
  EXPECT_EQ(params[3].name, "empty");
  EXPECT_EQ(params[3].value, "");
  EXPECT_EQ(req.query("a"), "1");
  EXPECT_EQ(req.query("b"), "x y!");
  EXPECT_EQ(req.query("empty"), "");
  EXPECT_FALSE(req.query("missing").has_value());
  // Decoded once: later calls return the same storage.
  EXPECT_EQ(req.query_params().data(), params.data());
  EXPECT_EQ(req.query_params().size(), 4u);
}

TEST(Request, ResetDropsParsedQueryAndCookies) {
  Request req;
  RequestAccess::set_target_parts(req, "/", "a=1");
  RequestAccess::add_header(req, "Cookie", "c=1");
  ASSERT_EQ(req.query("a"), "1");
  ASSERT_EQ(req.cookie("c"), "1");

  RequestAccess::reset(req);
  RequestAccess::set_target_parts(req, "/", "b=2");
  RequestAccess::add_header(req, "Cookie", "d=2");
  EXPECT_FALSE(req.query("a").has_value());
  EXPECT_EQ(req.query("b"), "2");
  EXPECT_FALSE(req.cookie("c").has_value());
  EXPECT_EQ(req.cookie("d"), "2");
  ASSERT_EQ(req.headers().size(), 1u);
}

TEST(Request, CookiesFromEveryCookieHeader) {
  Request req;
  RequestAccess::add_header(req, "Cookie", "a=1; b=\"two\"");
  RequestAccess::add_header(req, "Accept", "x=9");
  RequestAccess::add_header(req, "cookie", "c=3");
  const auto cookies = req.cookies();
  ASSERT_EQ(cookies.size(), 3u);
  EXPECT_EQ(cookies[0].name, "a");
  EXPECT_EQ(cookies[1].value, "two");
  EXPECT_EQ(cookies[2].name, "c");
  EXPECT_EQ(req.cookie("a"), "1");
  EXPECT_EQ(req.cookie("b"), "two");
  EXPECT_EQ(req.cookie("c"), "3");
  EXPECT_FALSE(req.cookie("x").has_value());
  EXPECT_FALSE(req.cookie("A").has_value());
}

TEST(Request, PathParamLookup) {
  Request req;
  RequestAccess::path_params(req).push_back({"id", "42"});
  RequestAccess::path_params(req).push_back({"slug", "hello-world"});
  EXPECT_EQ(req.path_param("id"), "42");
  EXPECT_EQ(req.path_param("slug"), "hello-world");
  EXPECT_EQ(req.path_param("ID"), "");
  EXPECT_EQ(req.path_param("missing"), "");
  ASSERT_EQ(req.path_params().size(), 2u);
  EXPECT_EQ(req.path_params()[1].name, "slug");
}

TEST(Request, ClientRequestIdBodyAndKeepAlive) {
  Request req;
  RequestAccess::set_client(req, "::1", 54321);
  RequestAccess::set_body(req, "payload");
  RequestAccess::set_keep_alive(req, false);
  req.set_request_id("req-1");
  EXPECT_EQ(req.client_ip(), "::1");
  EXPECT_EQ(req.client_port(), 54321);
  EXPECT_EQ(req.body(), "payload");
  EXPECT_FALSE(req.keep_alive());
  EXPECT_EQ(req.request_id(), "req-1");
}

TEST(Request, RelocateMovesViewsIntoTheNewBuffer) {
  const std::string raw = "GET /plain/path?q=1 HTTP/1.1\r\nHost: h\r\nX-A: b\r\n\r\nBODY";
  std::vector<char> old_buf(raw.begin(), raw.end());
  const std::string_view old_view(old_buf.data(), old_buf.size());
  auto at = [&](std::string_view needle) {
    const std::size_t pos = old_view.find(needle);
    EXPECT_NE(pos, std::string_view::npos) << needle;
    return old_view.substr(pos, needle.size());
  };

  Request req;
  RequestAccess::set_line(req, Method::get, at("/plain/path?q=1"), 11);
  ASSERT_TRUE(RequestAccess::set_target_parts(req, at("/plain/path"), at("q=1")));
  RequestAccess::add_header(req, at("Host"), at("h\r\n").substr(0, 1));
  RequestAccess::add_header(req, at("X-A"), at("b\r\n").substr(0, 1));
  RequestAccess::set_body(req, at("BODY"));
  // A header whose view lives elsewhere must not be moved.
  const std::string outside = "Outside";
  RequestAccess::add_header(req, outside, outside);

  std::vector<char> new_buf(old_buf.size() + 64, '\0');
  std::memcpy(new_buf.data() + 64, old_buf.data(), old_buf.size());
  const char* new_begin = new_buf.data() + 64;
  RequestAccess::relocate(req, old_buf.data(), old_buf.data() + old_buf.size(), new_begin);
  std::memset(old_buf.data(), '#', old_buf.size());  // the old buffer is gone

  const char* new_end = new_begin + old_buf.size();
  auto inside_new = [&](std::string_view v) { return v.data() >= new_begin && v.data() + v.size() <= new_end; };
  EXPECT_EQ(req.target(), "/plain/path?q=1");
  EXPECT_TRUE(inside_new(req.target()));
  EXPECT_EQ(req.path(), "/plain/path");
  EXPECT_TRUE(inside_new(req.path()));
  EXPECT_EQ(req.query_string(), "q=1");
  EXPECT_EQ(req.query("q"), "1");
  EXPECT_EQ(req.header("host"), "h");
  EXPECT_EQ(req.header("X-A"), "b");
  EXPECT_TRUE(inside_new(req.headers()[1].name));
  EXPECT_EQ(req.body(), "BODY");
  EXPECT_TRUE(inside_new(req.body()));
  EXPECT_EQ(req.headers()[2].name.data(), outside.data());
  EXPECT_EQ(req.header("Outside"), "Outside");
}

TEST(Request, RelocateLeavesADecodedPathAlone) {
  std::vector<char> old_buf;
  const std::string raw = "/a%20b";
  old_buf.assign(raw.begin(), raw.end());
  const std::string_view old_view(old_buf.data(), old_buf.size());

  Request req;
  RequestAccess::set_line(req, Method::get, old_view, 11);
  ASSERT_TRUE(RequestAccess::set_target_parts(req, old_view, {}));
  const char* path_before = req.path().data();

  std::vector<char> new_buf(old_buf);
  RequestAccess::relocate(req, old_buf.data(), old_buf.data() + old_buf.size(), new_buf.data());
  std::memset(old_buf.data(), '#', old_buf.size());

  EXPECT_EQ(req.path(), "/a b");
  EXPECT_EQ(req.path().data(), path_before);
  EXPECT_EQ(req.target(), "/a%20b");
  EXPECT_EQ(req.target().data(), new_buf.data());
}

}  // namespace
