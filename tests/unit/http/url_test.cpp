// Unit tests for the URL helpers of src/http/url.hpp: percent-decoding, path normalisation, query and
// cookie parsing, and JSON string escaping.

#include "http/url.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using aegis::HeaderField;
using aegis::QueryParam;
using aegis::detail::append_json_string;
using aegis::detail::normalize_path;
using aegis::detail::parse_cookies;
using aegis::detail::parse_query;
using aegis::detail::percent_decode;

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs query_pairs(std::string_view query) {
  std::vector<QueryParam> params;
  std::string storage = "stale contents that must not leak";
  parse_query(query, storage, params);
  Pairs out;
  for (const auto& p : params) out.emplace_back(std::string(p.name), std::string(p.value));
  return out;
}

Pairs cookie_pairs(std::string_view header) {
  std::vector<HeaderField> cookies;
  parse_cookies(header, cookies);
  Pairs out;
  for (const auto& c : cookies) out.emplace_back(std::string(c.name), std::string(c.value));
  return out;
}

// Normalises `raw`; returns the result, or "<rejected>" when normalize_path refuses it.
std::string normalized(std::string_view raw) {
  std::string storage;
  std::string_view out;
  if (!normalize_path(raw, storage, out)) return "<rejected>";
  return std::string(out);
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// percent_decode

TEST(PercentDecode, DecodesEscapesInBothCases) {
  std::string out;
  ASSERT_TRUE(percent_decode("a%20b%4a%4A%2f", out, false, false));
  EXPECT_EQ(out, "a bJJ/");
}

TEST(PercentDecode, DecodesEscapeAtTheVeryEnd) {
  std::string out;
  ASSERT_TRUE(percent_decode("%41", out, false, false));
  EXPECT_EQ(out, "A");
  out.clear();
  ASSERT_TRUE(percent_decode("x%41", out, false, false));
  EXPECT_EQ(out, "xA");
}

TEST(PercentDecode, DecodesMultiByteUtf8) {
  std::string out;
  ASSERT_TRUE(percent_decode("caf%C3%A9", out, false, false));
  EXPECT_EQ(out, "caf\xC3\xA9");
}

TEST(PercentDecode, AppendsToExistingOutput) {
  std::string out = "prefix:";
  ASSERT_TRUE(percent_decode("a%21", out, false, false));
  EXPECT_EQ(out, "prefix:a!");
}

TEST(PercentDecode, StrictRejectsMalformedEscapes) {
  for (std::string_view bad : {"%", "a%", "a%4", "%zz", "%4g", "%g4", "a%%20", "100%"}) {
    std::string out;
    EXPECT_FALSE(percent_decode(bad, out, false, false)) << "input: " << bad;
  }
}

TEST(PercentDecode, LenientCopiesMalformedEscapesThrough) {
  struct Case {
    std::string_view in;
    std::string_view want;
  };
  for (const Case& c : {Case{"%", "%"}, Case{"a%", "a%"}, Case{"a%4", "a%4"}, Case{"%zz", "%zz"},
                        Case{"100%", "100%"}, Case{"%%41", "%A"}, Case{"%4g%41", "%4gA"}}) {
    std::string out;
    EXPECT_TRUE(percent_decode(c.in, out, false, true)) << "input: " << c.in;
    EXPECT_EQ(out, c.want) << "input: " << c.in;
  }
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  std::string form;
  ASSERT_TRUE(percent_decode("a+b+%2B", form, true, false));
  EXPECT_EQ(form, "a b +");

  std::string path;
  ASSERT_TRUE(percent_decode("a+b+%2B", path, false, false));
  EXPECT_EQ(path, "a+b++");
}

TEST(PercentDecode, EmptyInputIsValid) {
  std::string out;
  EXPECT_TRUE(percent_decode("", out, false, false));
  EXPECT_EQ(out, "");
}

// ---------------------------------------------------------------------------------------------------------
// normalize_path

TEST(NormalizePath, FastPathReturnsAViewOfTheInput) {
  for (std::string_view raw : {"/", "/users/42", "/a/b/", "/file.txt", "/a.b/c..d", "/v1.2/x"}) {
    std::string storage;
    std::string_view out;
    ASSERT_TRUE(normalize_path(raw, storage, out)) << raw;
    EXPECT_EQ(out, raw);
    EXPECT_EQ(out.data(), raw.data()) << "expected a view of the input for " << raw;
  }
}

TEST(NormalizePath, DecodedPathLivesInStorage) {
  const std::string raw = "/a%20b";
  std::string storage;
  std::string_view out;
  ASSERT_TRUE(normalize_path(raw, storage, out));
  EXPECT_EQ(out, "/a b");
  EXPECT_EQ(out.data(), storage.data());
}

TEST(NormalizePath, PercentDecodes) {
  EXPECT_EQ(normalized("/caf%C3%A9/%7Euser"), "/caf\xC3\xA9/~user");
  // '+' is not a space in a path.
  EXPECT_EQ(normalized("/a%20b+c"), "/a b+c");
}

TEST(NormalizePath, RemovesSingleDotSegments) {
  EXPECT_EQ(normalized("/a/./b"), "/a/b");
  EXPECT_EQ(normalized("/./a"), "/a");
  EXPECT_EQ(normalized("/a/./"), "/a/");
}

TEST(NormalizePath, TrailingDotKeepsTheDirectorySlash) {
  EXPECT_EQ(normalized("/a/."), "/a/");
  EXPECT_EQ(normalized("/."), "/");
}

TEST(NormalizePath, RemovesDoubleDotSegments) {
  EXPECT_EQ(normalized("/a/b/../c"), "/a/c");
  EXPECT_EQ(normalized("/a/b/.."), "/a/");
  EXPECT_EQ(normalized("/a/b/../"), "/a/");
  EXPECT_EQ(normalized("/a/b/c/../../d"), "/a/d");
}

TEST(NormalizePath, NeverClimbsAboveTheRoot) {
  EXPECT_EQ(normalized("/../../x"), "/x");
  EXPECT_EQ(normalized("/.."), "/");
  EXPECT_EQ(normalized("/../"), "/");
  EXPECT_EQ(normalized("/a/../../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(normalized("/a/b/../../.."), "/");
}

TEST(NormalizePath, EncodedDotSegmentsAreDecodedThenRemoved) {
  EXPECT_EQ(normalized("/a/%2e%2e/b"), "/b");
  EXPECT_EQ(normalized("/%2E%2E/%2e%2E/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(normalized("/a/%2e/b"), "/a/b");
  EXPECT_EQ(normalized("/a/.%2e/b"), "/b");
}

TEST(NormalizePath, SegmentsThatMerelyContainDotsAreKept) {
  EXPECT_EQ(normalized("/a/..b/.c/d."), "/a/..b/.c/d.");
  EXPECT_EQ(normalized("/a/.../b"), "/a/.../b");
  EXPECT_EQ(normalized("/.well-known/x"), "/.well-known/x");
}

TEST(NormalizePath, RejectsEncodedNul) {
  EXPECT_EQ(normalized("/a%00b"), "<rejected>");
  EXPECT_EQ(normalized("/%00"), "<rejected>");
}

TEST(NormalizePath, RejectsMalformedEscapes) {
  for (std::string_view bad : {"/a%", "/a%2", "/a%zz/b", "/%g0", "/100%/x"}) {
    EXPECT_EQ(normalized(bad), "<rejected>") << bad;
  }
}

TEST(NormalizePath, PreservesTrailingSlash) {
  EXPECT_EQ(normalized("/a%20b/"), "/a b/");
  EXPECT_EQ(normalized("/a/./b/"), "/a/b/");
  EXPECT_EQ(normalized("/a/b/"), "/a/b/");
  EXPECT_EQ(normalized("/a%20b"), "/a b");
}

TEST(NormalizePath, StorageIsReusedAcrossCalls) {
  std::string storage = "stale contents that must not leak";
  std::string_view out;
  ASSERT_TRUE(normalize_path("/x/%41", storage, out));
  EXPECT_EQ(out, "/x/A");
}

// ---------------------------------------------------------------------------------------------------------
// parse_query

TEST(ParseQuery, RepeatedKeysKeptInOrder) {
  EXPECT_EQ(query_pairs("a=1&b=2&a=3"), (Pairs{{"a", "1"}, {"b", "2"}, {"a", "3"}}));
}

TEST(ParseQuery, BlankValuesKept) {
  EXPECT_EQ(query_pairs("a=&b&c=3"), (Pairs{{"a", ""}, {"b", ""}, {"c", "3"}}));
}

TEST(ParseQuery, PlusIsSpaceAndEscapesDecoded) {
  EXPECT_EQ(query_pairs("q=x+y%2Bz&na%20me=%E2%9C%93"), (Pairs{{"q", "x y+z"}, {"na me", "\xE2\x9C\x93"}}));
}

TEST(ParseQuery, NameAndValueAreDecodedEachOnItsOwn) {
  EXPECT_EQ(query_pairs("a+b=c%2B&d=e+f&g%41=h&i=j%3D&k+"),
            (Pairs{{"a b", "c+"}, {"d", "e f"}, {"gA", "h"}, {"i", "j="}, {"k ", ""}}));
}

TEST(ParseQuery, MalformedEscapesKeptLiterally) {
  EXPECT_EQ(query_pairs("a=%zz&b=100%&c%=1"), (Pairs{{"a", "%zz"}, {"b", "100%"}, {"c%", "1"}}));
}

TEST(ParseQuery, EmptyPairsSkipped) {
  EXPECT_EQ(query_pairs("&&a=1&&b=2&"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(query_pairs("").empty());
  EXPECT_TRUE(query_pairs("&").empty());
}

TEST(ParseQuery, OnlyTheFirstEqualsSplits) {
  EXPECT_EQ(query_pairs("a=1=2&=v"), (Pairs{{"a", "1=2"}, {"", "v"}}));
}

TEST(ParseQuery, EncodedSeparatorsDoNotSplit) {
  EXPECT_EQ(query_pairs("a=1%262&b%3Dc=d"), (Pairs{{"a", "1&2"}, {"b=c", "d"}}));
}

// ---------------------------------------------------------------------------------------------------------
// parse_cookies

TEST(ParseCookies, SplitsOnSemicolonsAndTrimsSpaces) {
  EXPECT_EQ(cookie_pairs("a=1; b=2;c=3"), (Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(cookie_pairs("  a = 1 ;\tb=2\t"), (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST(ParseCookies, RemovesSurroundingQuotes) {
  EXPECT_EQ(cookie_pairs("s=\"hello world\"; t=\"\""), (Pairs{{"s", "hello world"}, {"t", ""}}));
  // A lone quote is not a quoted value.
  EXPECT_EQ(cookie_pairs("u=\""), (Pairs{{"u", "\""}}));
}

TEST(ParseCookies, SkipsEmptyCookies) {
  EXPECT_EQ(cookie_pairs(";; a=1; ; ;b=2;"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(cookie_pairs("").empty());
  EXPECT_TRUE(cookie_pairs(" ; ; ").empty());
}

TEST(ParseCookies, ValueWithoutNameHasAnEmptyName) {
  EXPECT_EQ(cookie_pairs("lonely; a=1"), (Pairs{{"", "lonely"}, {"a", "1"}}));
}

TEST(ParseCookies, ValueMayContainEquals) {
  EXPECT_EQ(cookie_pairs("tok=abc==; x=a=b"), (Pairs{{"tok", "abc=="}, {"x", "a=b"}}));
}

TEST(ParseCookies, AppendsToExistingList) {
  std::vector<HeaderField> cookies;
  parse_cookies("a=1", cookies);
  parse_cookies("b=2", cookies);
  ASSERT_EQ(cookies.size(), 2u);
  EXPECT_EQ(cookies[0].name, "a");
  EXPECT_EQ(cookies[1].name, "b");
}

// ---------------------------------------------------------------------------------------------------------
// append_json_string

TEST(AppendJsonString, QuotesPlainText) {
  EXPECT_EQ(json_string("hello"), "\"hello\"");
  EXPECT_EQ(json_string(""), "\"\"");
}

TEST(AppendJsonString, EscapesQuoteAndBackslash) {
  EXPECT_EQ(json_string("say \"hi\" \\ bye"), R"("say \"hi\" \\ bye")");
}

TEST(AppendJsonString, EscapesCommonControlCharactersShort) {
  EXPECT_EQ(json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
}

TEST(AppendJsonString, EscapesOtherControlCharactersAsUnicode) {
  EXPECT_EQ(json_string(std::string_view("\x00\x01\x1f\x0b", 4)), R"("\u0000\u0001\u001f\u000b")");
}

TEST(AppendJsonString, PassesUtf8AndPrintableAsciiThrough) {
  const std::string s = "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80 / ~ \x7f";
  EXPECT_EQ(json_string(s), "\"" + s + "\"");
}

TEST(AppendJsonString, AppendsToExistingOutput) {
  std::string out = "{\"detail\":";
  append_json_string(out, "x");
  EXPECT_EQ(out, "{\"detail\":\"x\"");
}

TEST(AppendJsonString, OutputParsesBackToTheInput) {
  std::string input;
  for (int c = 0; c < 128; ++c) input.push_back(static_cast<char>(c));
  input += "\xC3\xA9\xE2\x9C\x93";
  const boost::json::value v = boost::json::parse(json_string(input));
  ASSERT_TRUE(v.is_string());
  EXPECT_EQ(std::string_view(v.as_string()), input);
}

}  // namespace
