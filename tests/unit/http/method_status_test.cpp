// Unit tests for method tokens (include/aegis/http/method.hpp) and status helpers
// (include/aegis/http/status.hpp).

#include <aegis/http/method.hpp>
#include <aegis/http/status.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace {

using aegis::Method;

TEST(Method, EveryMethodRoundTrips) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < aegis::kMethodCount; ++i) {
    const auto m = static_cast<Method>(i);
    const std::string_view token = aegis::to_string(m);
    EXPECT_FALSE(token.empty());
    EXPECT_TRUE(seen.insert(token).second) << "duplicate token " << token;
    Method parsed = m == Method::get ? Method::post : Method::get;
    ASSERT_TRUE(aegis::parse_method(token, parsed)) << token;
    EXPECT_EQ(parsed, m) << token;
  }
}

TEST(Method, WireTokens) {
  EXPECT_EQ(aegis::to_string(Method::get), "GET");
  EXPECT_EQ(aegis::to_string(Method::head), "HEAD");
  EXPECT_EQ(aegis::to_string(Method::post), "POST");
  EXPECT_EQ(aegis::to_string(Method::put), "PUT");
  EXPECT_EQ(aegis::to_string(Method::patch), "PATCH");
  EXPECT_EQ(aegis::to_string(Method::del), "DELETE");
  EXPECT_EQ(aegis::to_string(Method::options), "OPTIONS");
  EXPECT_EQ(aegis::to_string(Method::trace), "TRACE");
  EXPECT_EQ(aegis::to_string(Method::connect), "CONNECT");
}

TEST(Method, ParseIsCaseSensitive) {
  for (std::string_view token : {"get", "Get", "gET", "post", "Delete", "options"}) {
    Method m = Method::trace;
    EXPECT_FALSE(aegis::parse_method(token, m)) << token;
  }
}

TEST(Method, ParseRejectsUnknownAndPartialTokens) {
  for (std::string_view token : {"", "G", "GE", "GETS", " GET", "GET ", "DEL", "PROPFIND", "PRI", "BREW"}) {
    Method m = Method::get;
    EXPECT_FALSE(aegis::parse_method(token, m)) << "'" << token << "'";
  }
}

TEST(Method, ParseDelete) {
  Method m = Method::get;
  ASSERT_TRUE(aegis::parse_method("DELETE", m));
  EXPECT_EQ(m, Method::del);
}

TEST(Status, ReasonPhrases) {
  EXPECT_EQ(aegis::reason_phrase(100), "Continue");
  EXPECT_EQ(aegis::reason_phrase(200), "OK");
  EXPECT_EQ(aegis::reason_phrase(204), "No Content");
  EXPECT_EQ(aegis::reason_phrase(307), "Temporary Redirect");
  EXPECT_EQ(aegis::reason_phrase(400), "Bad Request");
  EXPECT_EQ(aegis::reason_phrase(404), "Not Found");
  EXPECT_EQ(aegis::reason_phrase(405), "Method Not Allowed");
  EXPECT_EQ(aegis::reason_phrase(408), "Request Timeout");
  EXPECT_EQ(aegis::reason_phrase(413), "Content Too Large");
  EXPECT_EQ(aegis::reason_phrase(414), "URI Too Long");
  EXPECT_EQ(aegis::reason_phrase(417), "Expectation Failed");
  EXPECT_EQ(aegis::reason_phrase(422), "Unprocessable Content");
  EXPECT_EQ(aegis::reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(aegis::reason_phrase(500), "Internal Server Error");
  EXPECT_EQ(aegis::reason_phrase(501), "Not Implemented");
  EXPECT_EQ(aegis::reason_phrase(505), "HTTP Version Not Supported");
}

TEST(Status, UnknownCodesHaveAGenericPhrase) {
  for (int code : {0, 99, 299, 499, 599, 999, 1000, -1}) {
    EXPECT_EQ(aegis::reason_phrase(code), "Unknown") << code;
  }
}

TEST(Status, BodyForbiddenFor1xx204And304Only) {
  for (int code : {100, 101, 103, 150, 199, 204, 304}) {
    EXPECT_TRUE(aegis::status_forbids_body(code)) << code;
  }
  for (int code : {99, 200, 201, 205, 206, 301, 302, 303, 307, 400, 404, 500, 999}) {
    EXPECT_FALSE(aegis::status_forbids_body(code)) << code;
  }
}

}  // namespace
