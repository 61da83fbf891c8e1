// Unit tests for include/aegis/json/reader.hpp: parse_json reads JSON text straight into described structs,
// scalars and containers, validating as it goes and reporting FastAPI-shaped issues.

#include <aegis/json/reader.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aegis_json_reader_test {

enum class Letter { a, b, c };
BOOST_DESCRIBE_ENUM(Letter, a, b, c)

struct Point {
  int x = 0;
  int y = 0;
};
BOOST_DESCRIBE_STRUCT(Point, (), (x, y))

struct Line {
  std::string name;
  Point from;
  Point to;
  std::optional<Point> via;
};
BOOST_DESCRIBE_STRUCT(Line, (), (name, from, to, via))

struct Item {
  std::string name;
  int qty = 0;
  std::optional<double> price;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, price, tags))
AEGIS_FIELD_RULES(Item, (name, aegis::MinLength<1>, aegis::MaxLength<5>), (qty, aegis::Min<1>, aegis::Max<100>),
                  (tags, aegis::Optional, aegis::MaxLength<2>))

struct Order {
  std::int64_t id = 0;
  std::vector<Item> items;
  Letter letter = Letter::a;
  std::map<std::string, int> counts;
  aegis::Json meta;
  std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, items, letter, counts, meta, note))
AEGIS_FIELD_RULES(Order, (counts, aegis::Optional), (meta, aegis::Optional))

struct Rated {
  double score = 0;
  std::string code;
  int level = 7;
};
BOOST_DESCRIBE_STRUCT(Rated, (), (score, code, level))
AEGIS_FIELD_RULES(Rated, (score, aegis::Gt<0>, aegis::Lt<10>), (code, aegis::Pattern<"^[A-Z]{3}$">),
                  (level, aegis::Optional, aegis::Min<1>))

struct Stamped {
  aegis::Uuid id;
  aegis::Date day;
  aegis::DateTime at;
  bool flag = false;
  float ratio = 0;
};
BOOST_DESCRIBE_STRUCT(Stamped, (), (id, day, at, flag, ratio))

}  // namespace aegis_json_reader_test

namespace {

using namespace aegis_json_reader_test;
using aegis::Json;
using aegis::Validator;

constexpr std::string_view kNoIssues = R"({"detail":[]})";

// Parses `text` into `out` under the location ["body"]; returns the issues as the 422 body.
template <class T>
std::string issues_of(std::string_view text, T& out, const aegis::Rules* rules = nullptr) {
  Validator val;
  Validator::Scope body(val, "body");
  aegis::parse_json(text, out, val, rules);
  return aegis::RequestValidationError(val.issues()).body();
}

template <class T>
std::string issues_of(std::string_view text) {
  T out{};
  return issues_of(text, out);
}

// The issues recorded parsing `text` as a T.
template <class T>
std::vector<aegis::ValidationIssue> issue_list(std::string_view text) {
  T out{};
  Validator val;
  Validator::Scope body(val, "body");
  aegis::parse_json(text, out, val);
  return val.issues();
}

// The byte offset of the single json_invalid issue that parsing `text` as a T records; -1 when the result
// is anything else (no issue, another type, several issues).
template <class T = Json>
long long invalid_at(std::string_view text) {
  const auto issues = issue_list<T>(text);
  if (issues.size() != 1 || issues[0].type != "json_invalid") return -1;
  const auto loc = boost::json::parse(issues[0].loc).as_array();
  if (loc.size() != 2 || loc[0] != "body" || !loc[1].is_number()) return -1;
  return loc[1].template to_number<long long>();
}

std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// ---------------------------------------------------------------------------------------------------------
// Syntax

// Texts that are not JSON (RFC 8259).
const std::string_view kMalformed[] = {
    "",
    " ",
    "\n\t\r ",
    "01",
    "-01",
    "00",
    "1.",
    ".5",
    "+1",
    "1e",
    "1e+",
    "1E-",
    "-",
    "--1",
    "- 1",
    "0x10",
    "1.5.2",
    "1..5",
    "1e5.5",
    "NaN",
    "-NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "[1,]",
    "[,]",
    "[,1]",
    "[1,,2]",
    "{\"a\":1,}",
    "{,}",
    "{\"a\" 1}",
    "{\"a\":}",
    "{\"a\"}",
    "{a:1}",
    "{'a':1}",
    "{\"a\":'x'}",
    "'x'",
    "[1 2]",
    "[1;2]",
    "{\"a\":1 \"b\":2}",
    "{\"a\":1;\"b\":2}",
    "{\"a\"=1}",
    "{1:1}",
    "{null:1}",
    "/* c */ 1",
    "1 // c",
    "# c\n1",
    "[1]/**/",
    "[1 /* c */]",
    "tru",
    "True",
    "TRUE",
    "nul",
    "Null",
    "None",
    "falsey",
    "undefined",
    "hello",
    "\"abc",
    "\"abc\\\"",
    "\"\\",
    "[1,2",
    "[",
    "{",
    "{\"a\":1",
    "{\"a\"",
    "{\"a\":",
    "[[]",
    "]",
    "}",
    "[}",
    "{]",
    ":",
    ",",
    "1 2",
    "{} {}",
    "[] x",
    "\"a\" \"b\"",
    "1,",
    "\f1",
    "1\f",
    "\v1",
    "\u00a01",  // no-break space
    "\ufeff1",  // byte order mark
    "\"\\x\"",
    "\"\\a\"",
    "\"\\'\"",
    "\"\\U0041\"",
    "\"\\u12\"",
    "\"\\u12G4\"",
    "\"\\u\"",
    "\"\\u-123\"",
    "\"\t\"",
    "\"\n\"",
    "\"\r\"",
    "\"\x01\"",
    "\"\x1f\"",
    "\"\\\x01\"",
    std::string_view("\"a\0b\"", 5),
    std::string_view("1\0", 2),
    std::string_view("\0", 1),
};

TEST(JsonReaderSyntax, MalformedJsonIsOneJsonInvalidIssue) {
  for (std::string_view text : kMalformed) {
    EXPECT_GE(invalid_at(text), 0) << "input: " << printable(text);
    EXPECT_GE(invalid_at<Point>(text), 0) << "input: " << printable(text);
    EXPECT_GE(invalid_at<std::vector<int>>(text), 0) << "input: " << printable(text);
  }
}

TEST(JsonReaderSyntax, TheOffsetNeverLiesPastTheEndOfTheInput) {
  for (std::string_view text : kMalformed) {
    EXPECT_LE(invalid_at(text), static_cast<long long>(text.size())) << "input: " << printable(text);
  }
  EXPECT_LE(invalid_at("[\"abc\\"), 6);
}

TEST(JsonReaderSyntax, ValidEdgeCasesAreAccepted) {
  const std::string_view good[] = {
      "0",
      "-0",
      "-0.0",
      "1E5",
      "1e-5",
      "-0.0e+0",
      "1E+2",
      " \t\r\n1\r\n",
      "\"\"",
      "\"\\u0000\"",
      "\"\x7f\"",
      "\"/\"",
      "\"\\/\"",
      "[]",
      "{}",
      "[ ]",
      "{ }",
      "[[],{}]",
      "{\"\":1}",
      "true",
      "false",
      "null",
      "[true,false,null]",
      " [ 1 , 2 ] ",
      "{ \"a\" : [ ] , \"b\" : { } }",
  };
  for (std::string_view text : good) {
    Json out;
    EXPECT_EQ(issues_of(text, out), kNoIssues) << "input: " << printable(text);
  }
  // Valid JSON an aegis::Json cannot hold as written: refused by name, not as a syntax error, and never
  // turned into an approximation or an infinity.
  for (std::string_view text : {std::string_view("123456789012345678901234567890"), std::string_view("1e999999")}) {
    Json out;
    Validator val;
    aegis::parse_json(text, out, val);
    ASSERT_EQ(val.issues().size(), 1u) << text;
    EXPECT_NE(val.issues()[0].type, "json_invalid") << text;
  }
}

TEST(JsonReaderSyntax, TheIssueHasFastApisShape) {
  EXPECT_EQ(issues_of<Point>("{\"x\":1,}"),
            R"({"detail":[{"type":"json_invalid","loc":["body",7],"msg":"JSON decode error","input":{},)"
            R"("ctx":{"error":"expected a string"}}]})");
}

TEST(JsonReaderSyntax, TheOffsetIsTheByteWhereTheErrorIs) {
  EXPECT_EQ(invalid_at(""), 0);
  EXPECT_EQ(invalid_at("   "), 3);
  EXPECT_EQ(invalid_at("x"), 0);
  EXPECT_EQ(invalid_at("[1,]"), 3);
  EXPECT_EQ(invalid_at<Point>("{\"a\":1,}"), 7);
  EXPECT_EQ(invalid_at("01"), 1);
  EXPECT_EQ(invalid_at("[1 2]"), 3);
  EXPECT_EQ(invalid_at("1 x"), 2);
  EXPECT_EQ(invalid_at("{} {}"), 3);
  EXPECT_EQ(invalid_at("{\"a\":tru}"), 5);
  EXPECT_EQ(invalid_at<Point>("{\"x\":tru}"), 5);
  EXPECT_EQ(invalid_at("{\"a\" 1}"), 5);
  EXPECT_EQ(invalid_at("\"a\001b\""), 2);
  EXPECT_EQ(invalid_at("\"a\xff\""), 2);
  EXPECT_EQ(invalid_at("[1,\"abc"), 7);
  EXPECT_EQ(invalid_at("[1,2"), 4);
  EXPECT_EQ(invalid_at<Order>("{\"a\":[1,2,{\"b\":01}]}"), 16);
  EXPECT_EQ(invalid_at<Order>("{\"id\":1,\"items\":[{\"name\":\"x\",\"qty\":1,}]}"), 37);
  EXPECT_EQ(invalid_at<std::vector<Point>>("[{\"x\":1,\"y\":2},{\"x\":NaN}]"), 20);
}

TEST(JsonReaderSyntax, EscapeErrorsAreLocatedAtTheEscape) {
  // The error is the backslash at offset 2, not the end of the string (Python's json reports it there too).
  EXPECT_EQ(invalid_at("\"a\\x\""), 2);
  EXPECT_EQ(invalid_at("\"a\\u12G4\""), 2);
  EXPECT_EQ(invalid_at("\"a\\uD800\""), 2);
}

TEST(JsonReaderSyntax, SyntaxErrorReplacesIssuesFromTheSameParse) {
  // Issues found before the syntax error are dropped; issues recorded earlier by the caller stay.
  Validator val;
  val.fail("custom", "Earlier problem");
  Point p;
  {
    Validator::Scope body(val, "body");
    aegis::parse_json("{\"x\":\"bad\",\"y\":01}", p, val);
  }
  ASSERT_EQ(val.issues().size(), 2u);
  EXPECT_EQ(val.issues()[0].type, "custom");
  EXPECT_EQ(val.issues()[1].type, "json_invalid");
  EXPECT_EQ(val.issues()[1].loc, R"(["body",16])");
}

TEST(JsonReaderSyntax, ErrorsInsideSkippedValuesAreStillSyntaxErrors) {
  // Unknown members are skipped, but their text must still be valid JSON.
  EXPECT_GE(invalid_at<Point>("{\"x\":1,\"y\":2,\"z\":[1,]}"), 0);
  EXPECT_GE(invalid_at<Point>("{\"x\":1,\"y\":2,\"z\":{\"a\":NaN}}"), 0);
  EXPECT_GE(invalid_at<Point>("{\"x\":1,\"y\":2,\"z\":\"\\q\"}"), 0);
  // So must values of the wrong kind that are skipped.
  EXPECT_GE(invalid_at<Point>("{\"x\":[1,],\"y\":2}"), 0);
  EXPECT_GE(invalid_at<int>("[01]"), 0);
  EXPECT_GE(invalid_at<int>("{\"a\":}"), 0);
}

// ---------------------------------------------------------------------------------------------------------
// Strings

std::string read_string(std::string_view json) {
  std::string out;
  Validator val;
  aegis::parse_json(json, out, val);
  EXPECT_TRUE(val.ok()) << "input: " << printable(json)
                        << " issues: " << aegis::RequestValidationError(val.issues()).body();
  return out;
}

TEST(JsonReaderStrings, SimpleEscapes) {
  EXPECT_EQ(read_string(R"("plain")"), "plain");
  EXPECT_EQ(read_string(R"("\"\\\/\b\f\n\r\t")"), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(read_string(R"("a\nb")"), "a\nb");
  EXPECT_EQ(read_string(R"("\\\\")"), "\\\\");
  EXPECT_EQ(read_string(R"("")"), "");
}

TEST(JsonReaderStrings, UnicodeEscapes) {
  EXPECT_EQ(read_string(R"("\u0041")"), "A");
  EXPECT_EQ(read_string(R"("\u00e9")"), "\xc3\xa9");
  EXPECT_EQ(read_string(R"("\u00E9")"), "\xc3\xa9");
  EXPECT_EQ(read_string(R"("\u07ff")"), "\xdf\xbf");
  EXPECT_EQ(read_string(R"("\u0800")"), "\xe0\xa0\x80");
  EXPECT_EQ(read_string(R"("\u20ac")"), "\xe2\x82\xac");
  EXPECT_EQ(read_string(R"("\uffff")"), "\xef\xbf\xbf");
  EXPECT_EQ(read_string(R"("\u0000")"), std::string("\0", 1));
  EXPECT_EQ(read_string(R"("x\u0041y\u0042z")"), "xAyBz");
}

TEST(JsonReaderStrings, SurrogatePairs) {
  EXPECT_EQ(read_string(R"("\ud83d\ude00")"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(read_string(R"("\uD83D\uDE00")"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(read_string(R"("\uD800\uDC00")"), "\xf0\x90\x80\x80");  // U+10000
  EXPECT_EQ(read_string(R"("\uDBFF\uDFFF")"), "\xf4\x8f\xbf\xbf");  // U+10FFFF
  EXPECT_EQ(read_string(R"("a\uD83D\uDE00b")"), "a\U0001F600b");
}

TEST(JsonReaderStrings, UnpairedSurrogatesAreInvalid) {
  for (std::string_view text : {R"("\uD800")", R"("\uDBFF")", R"("\uDC00")", R"("\uDFFF")", R"("\uD800x")",
                                R"("\uD800\u0041")", R"("\uD800\uD800")", R"("\uDE00\uD83D")", R"("\uD800\n")",
                                R"("\uD800\")", R"("\uD800\u")", R"("\uD800\uDC0")"}) {
    EXPECT_GE(invalid_at<std::string>(text), 0) << text;
  }
}

TEST(JsonReaderStrings, RawUtf8IsKept) {
  EXPECT_EQ(read_string("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(read_string("\"\xf4\x8f\xbf\xbf\""), "\xf4\x8f\xbf\xbf");
  EXPECT_EQ(read_string("\"\xed\x9f\xbf\""), "\xed\x9f\xbf");  // U+D7FF, just below the surrogates
  EXPECT_EQ(read_string("\"\xee\x80\x80\""), "\xee\x80\x80");  // U+E000, just above
}

TEST(JsonReaderStrings, InvalidUtf8IsInvalid) {
  for (std::string_view text : {
           "\"\xff\"",
           "\"\xfe\"",
           "\"\x80\"",  // lone continuation byte
           "\"\xbf\"",
           "\"\xc3\"",              // truncated
           "\"\xc3\x28\"",          // bad continuation
           "\"\xe2\x82\"",          // truncated three-byte sequence
           "\"\xf0\x9f\x98\"",      // truncated four-byte sequence
           "\"\xc0\xaf\"",          // overlong '/'
           "\"\xc1\xbf\"",          // overlong
           "\"\xe0\x80\xaf\"",      // overlong three-byte
           "\"\xe0\x9f\xbf\"",      // overlong three-byte, highest
           "\"\xf0\x80\x80\xaf\"",  // overlong four-byte
           "\"\xf0\x8f\xbf\xbf\"",  // overlong four-byte, highest
           "\"\xed\xa0\x80\"",      // encoded surrogate U+D800
           "\"\xed\xbf\xbf\"",      // encoded surrogate U+DFFF
           "\"\xf4\x90\x80\x80\"",  // above U+10FFFF
           "\"\xf5\x80\x80\x80\"",
           "\"\xf8\x88\x80\x80\x80\"",  // five-byte form
       }) {
    EXPECT_GE(invalid_at<std::string>(text), 0) << printable(text);
    EXPECT_GE(invalid_at<Json>(text), 0) << printable(text);
  }
  // Keys are strings too.
  EXPECT_GE(invalid_at<Point>("{\"\xff\":1}"), 0);
  EXPECT_GE((invalid_at<std::map<std::string, int>>("{\"\xc0\xaf\":1}")), 0);
}

TEST(JsonReaderStrings, ControlCharactersMustBeEscaped) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string text = std::string("\"a") + static_cast<char>(c) + "b\"";
    EXPECT_EQ(invalid_at<std::string>(text), 2) << "control character " << c;
  }
  EXPECT_EQ(read_string(R"("\u0001\u001f")"), "\x01\x1f");
}

TEST(JsonReaderStrings, EscapedKeysMatchMembers) {
  Point p;
  EXPECT_EQ(issues_of(R"({"\u0078":5,"\u0079":6})", p), kNoIssues);
  EXPECT_EQ(p.x, 5);
  EXPECT_EQ(p.y, 6);
}

// ---------------------------------------------------------------------------------------------------------
// Nesting depth

TEST(JsonReaderDepth, SixtyFourLevelsAreAcceptedInSkippedValues) {
  // The object itself is one level, the skipped member adds 63.
  Point p;
  EXPECT_EQ(issues_of("{\"x\":1,\"y\":2,\"deep\":" + nested_arrays(63) + "}", p), kNoIssues);
  EXPECT_GE(invalid_at<Point>("{\"x\":1,\"y\":2,\"deep\":" + nested_arrays(64) + "}"), 0);
}

TEST(JsonReaderDepth, SixtyFiveLevelsAreJsonInvalid) {
  EXPECT_EQ(invalid_at(nested_arrays(65)), 64);
  EXPECT_EQ(invalid_at<std::vector<int>>(nested_arrays(65)), 64);
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  EXPECT_EQ(invalid_at(objects), 64 * 5);
}

TEST(JsonReaderDepth, DepthIsCountedPerPathNotPerValue) {
  // Many siblings at depth 2 are fine.
  std::string wide = "[";
  for (int i = 0; i < 200; ++i) wide += std::string(i == 0 ? "" : ",") + "[]";
  wide += "]";
  Json out;
  EXPECT_EQ(issues_of(wide, out), kNoIssues);
  // 64 levels reached twice in a row.
  EXPECT_EQ(invalid_at<Point>("{\"x\":1,\"y\":2,\"a\":" + nested_arrays(63) + ",\"b\":" + nested_arrays(63) + "}"), -1);
  EXPECT_EQ(issues_of<Point>("{\"x\":1,\"y\":2,\"a\":" + nested_arrays(63) + ",\"b\":" + nested_arrays(63) + "}"),
            kNoIssues);
}

TEST(JsonReaderDepth, JsonValuesAcceptEveryDepthTheReaderAccepts) {
  // The reader allows 64 levels; an aegis::Json target must then hold them (not throw).
  for (std::size_t depth : {32u, 33u, 40u, 64u}) {
    Json out;
    std::string issues;
    EXPECT_NO_THROW(issues = issues_of(nested_arrays(depth), out)) << "depth " << depth;
    EXPECT_EQ(issues, kNoIssues) << "depth " << depth;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

template <class T>
std::string int_issues(std::string_view text, T& out) {
  return issues_of(text, out);
}

template <class T>
void expect_int(std::string_view text, T want) {
  T out{};
  EXPECT_EQ(int_issues(text, out), kNoIssues) << text;
  EXPECT_EQ(out, want) << text;
}

std::string range_issue(std::string_view type, std::string_view bound, std::string_view input) {
  const bool ge = type == "greater_than_equal";
  return std::string(R"({"detail":[{"type":")") + std::string(type) + R"(","loc":["body"],"msg":"Input should be )" +
         (ge ? "greater than or equal to " : "less than or equal to ") + std::string(bound) + R"(","input":)" +
         std::string(input) + R"(,"ctx":{")" + (ge ? "ge" : "le") + R"(":)" + std::string(bound) + "}}]}";
}

TEST(JsonReaderNumbers, Int8Bounds) {
  expect_int<std::int8_t>("-128", -128);
  expect_int<std::int8_t>("127", 127);
  expect_int<std::int8_t>("-0", 0);
  EXPECT_EQ(issues_of<std::int8_t>("-129"), range_issue("greater_than_equal", "-128", "-129"));
  EXPECT_EQ(issues_of<std::int8_t>("128"), range_issue("less_than_equal", "127", "128"));
}

TEST(JsonReaderNumbers, Uint8Bounds) {
  expect_int<std::uint8_t>("0", 0);
  expect_int<std::uint8_t>("255", 255);
  EXPECT_EQ(issues_of<std::uint8_t>("-1"), range_issue("greater_than_equal", "0", "-1"));
  EXPECT_EQ(issues_of<std::uint8_t>("256"), range_issue("less_than_equal", "255", "256"));
}

TEST(JsonReaderNumbers, Int16AndUint16AndUint32Bounds) {
  expect_int<std::int16_t>("-32768", -32768);
  expect_int<std::int16_t>("32767", 32767);
  EXPECT_EQ(issues_of<std::int16_t>("-32769"), range_issue("greater_than_equal", "-32768", "-32769"));
  EXPECT_EQ(issues_of<std::int16_t>("32768"), range_issue("less_than_equal", "32767", "32768"));
  expect_int<std::uint16_t>("65535", 65535);
  EXPECT_EQ(issues_of<std::uint16_t>("65536"), range_issue("less_than_equal", "65535", "65536"));
  expect_int<std::uint32_t>("4294967295", 4294967295u);
  EXPECT_EQ(issues_of<std::uint32_t>("4294967296"), range_issue("less_than_equal", "4294967295", "4294967296"));
}

TEST(JsonReaderNumbers, IntBounds) {
  expect_int<int>("-2147483648", std::numeric_limits<int>::min());
  expect_int<int>("2147483647", std::numeric_limits<int>::max());
  expect_int<int>("0", 0);
  EXPECT_EQ(issues_of<int>("-2147483649"), range_issue("greater_than_equal", "-2147483648", "-2147483649"));
  EXPECT_EQ(issues_of<int>("2147483648"), range_issue("less_than_equal", "2147483647", "2147483648"));
  EXPECT_EQ(issues_of<int>("123456789012345678901234567890"),
            range_issue("less_than_equal", "2147483647", "123456789012345678901234567890"));
  EXPECT_EQ(issues_of<int>("-123456789012345678901234567890"),
            range_issue("greater_than_equal", "-2147483648", "-123456789012345678901234567890"));
}

TEST(JsonReaderNumbers, Int64Bounds) {
  expect_int<std::int64_t>("-9223372036854775808", std::numeric_limits<std::int64_t>::min());
  expect_int<std::int64_t>("9223372036854775807", std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(issues_of<std::int64_t>("-9223372036854775809"),
            range_issue("greater_than_equal", "-9223372036854775808", "-9223372036854775809"));
  EXPECT_EQ(issues_of<std::int64_t>("9223372036854775808"),
            range_issue("less_than_equal", "9223372036854775807", "9223372036854775808"));
}

TEST(JsonReaderNumbers, Uint64Bounds) {
  expect_int<std::uint64_t>("0", 0);
  expect_int<std::uint64_t>("-0", 0);
  expect_int<std::uint64_t>("18446744073709551615", std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(issues_of<std::uint64_t>("18446744073709551616"),
            range_issue("less_than_equal", "18446744073709551615", "18446744073709551616"));
  EXPECT_EQ(issues_of<std::uint64_t>("-1"), range_issue("greater_than_equal", "0", "-1"));
  EXPECT_EQ(issues_of<std::uint64_t>("-9223372036854775809"),
            range_issue("greater_than_equal", "0", "-9223372036854775809"));
}

TEST(JsonReaderNumbers, WholeFloatsAreIntegers) {
  expect_int<int>("5.0", 5);
  expect_int<int>("-3.0", -3);
  expect_int<int>("1e2", 100);
  expect_int<int>("1E+2", 100);
  expect_int<int>("2.50e1", 25);
  expect_int<int>("-0.0", 0);
  expect_int<int>("1e-400", 0);
  EXPECT_EQ(issues_of<std::uint8_t>("300.0"), range_issue("less_than_equal", "255", "300.0"));
  EXPECT_EQ(issues_of<std::uint8_t>("-1.0"), range_issue("greater_than_equal", "0", "-1.0"));
  EXPECT_EQ(issues_of<int>("1e10"), range_issue("less_than_equal", "2147483647", "1e10"));
}

TEST(JsonReaderNumbers, WholeFloatsBeyondInt64AreRangeCheckedNotFractional) {
  // 1e19 has no fractional part and fits a uint64_t.
  expect_int<std::uint64_t>("1e19", 10000000000000000000ull);
  EXPECT_EQ(issues_of<std::int64_t>("1e19"), range_issue("less_than_equal", "9223372036854775807", "1e19"));
}

// A number beyond the integer type breaks the field's own bound first: FastAPI reports Max<100> as
// `le 100`, not the C++ type's limit, which the client never declared.
TEST(JsonReaderNumbers, AnIntegerBeyondItsTypeIsReportedByTheFieldsBound) {
  Item item;
  for (const char* qty : {"4294967298", "1e10", "123456789012345678901234567890"}) {
    const std::string issues = issues_of(std::string(R"({"name":"pen","qty":)") + qty + "}", item);
    EXPECT_NE(issues.find(R"("type":"less_than_equal","loc":["body","qty"],"msg":"Input should be less than or )"
                          R"(equal to 100","input":)" + std::string(qty) + R"(,"ctx":{"le":100})"),
              std::string::npos)
        << issues;
  }
  const std::string below = issues_of(R"({"name":"pen","qty":-4294967298})", item);
  EXPECT_NE(below.find(R"("type":"greater_than_equal","loc":["body","qty"])"), std::string::npos) << below;
  EXPECT_NE(below.find(R"("ctx":{"ge":1})"), std::string::npos) << below;
}

// 1e400 is beyond a double: for an integer field, not a finite number (pydantic's finite_number). A double
// field takes it as infinity (JsonReaderNumbers.OverflowingDoublesAreInfinite).
TEST(JsonReaderNumbers, ANumberBeyondADoubleIsNotAFiniteInteger) {
  for (const char* text : {"1e400", "-1e400"}) {
    EXPECT_EQ(issues_of<int>(text), R"({"detail":[{"type":"finite_number","loc":["body"],)"
                                    R"("msg":"Input should be a finite number","input":null}]})")
        << text;
  }
  Item item;
  const std::string issues = issues_of(R"({"name":"pen","qty":1e400})", item);
  EXPECT_NE(issues.find(R"("type":"finite_number","loc":["body","qty"])"), std::string::npos) << issues;
}

TEST(JsonReaderNumbers, FractionsAreIntFromFloat) {
  for (std::string_view text : {"5.5", "-0.5", "0.1", "1e-1", "2.000001", "-7.25e0"}) {
    EXPECT_EQ(issues_of<int>(text),
              std::string(R"({"detail":[{"type":"int_from_float","loc":["body"],)"
                          R"("msg":"Input should be a valid integer, got a number with a fractional part","input":)") +
                  std::string(text) + "}]}")
        << text;
  }
}

TEST(JsonReaderNumbers, Doubles) {
  struct Case {
    std::string_view text;
    double want;
  };
  for (const Case& c :
       {Case{"0", 0.0}, Case{"5", 5.0}, Case{"-5", -5.0}, Case{"0.1", 0.1}, Case{"1.5e3", 1500.0}, Case{"1E-3", 0.001},
        Case{"1.7976931348623157e308", 1.7976931348623157e308}, Case{"4.9e-324", 4.9e-324}, Case{"1e-400", 0.0},
        Case{"18446744073709551616", 18446744073709551616.0},
        Case{"123456789012345678901234567890", 123456789012345678901234567890.0}}) {
    double out = -1;
    EXPECT_EQ(issues_of(c.text, out), kNoIssues) << c.text;
    EXPECT_EQ(out, c.want) << c.text;
  }
  double neg_zero = 1;
  EXPECT_EQ(issues_of("-0", neg_zero), kNoIssues);
  EXPECT_TRUE(neg_zero == 0.0 && std::signbit(neg_zero));
}

TEST(JsonReaderNumbers, OverflowingDoublesAreInfinite) {
  double big = 0;
  EXPECT_EQ(issues_of("1e400", big), kNoIssues);
  EXPECT_TRUE(std::isinf(big) && big > 0);
  double small = 0;
  EXPECT_EQ(issues_of("-1e400", small), kNoIssues);
  EXPECT_TRUE(std::isinf(small) && small < 0);
}

TEST(JsonReaderNumbers, Floats) {
  float out = 0;
  EXPECT_EQ(issues_of("3.5", out), kNoIssues);
  EXPECT_EQ(out, 3.5f);
  EXPECT_EQ(issues_of("-2", out), kNoIssues);
  EXPECT_EQ(out, -2.0f);
}

// ---------------------------------------------------------------------------------------------------------
// Type mismatches

std::string one_issue(std::string_view type, std::string_view msg, std::string_view input,
                      std::string_view loc = R"(["body"])") {
  return std::string(R"({"detail":[{"type":")") + std::string(type) + R"(","loc":)" + std::string(loc) + R"(,"msg":")" +
         std::string(msg) + R"(","input":)" + std::string(input) + "}]}";
}

TEST(JsonReaderTypes, IntType) {
  for (std::string_view input : {R"("5")", "true", "false", "null", "[1]", R"({"a":1})", R"("")"}) {
    EXPECT_EQ(issues_of<int>(input), one_issue("int_type", "Input should be a valid integer", input)) << input;
  }
}

TEST(JsonReaderTypes, FloatType) {
  for (std::string_view input : {R"("1.5")", "true", "null", "[]", "{}"}) {
    EXPECT_EQ(issues_of<double>(input), one_issue("float_type", "Input should be a valid number", input)) << input;
  }
}

TEST(JsonReaderTypes, StringType) {
  for (std::string_view input : {"5", "1.5", "true", "null", R"(["a"])", R"({"a":"b"})"}) {
    EXPECT_EQ(issues_of<std::string>(input), one_issue("string_type", "Input should be a valid string", input))
        << input;
  }
}

TEST(JsonReaderTypes, BoolType) {
  for (std::string_view input : {"1", "0", R"("true")", "null", "[]", "{}"}) {
    EXPECT_EQ(issues_of<bool>(input), one_issue("bool_type", "Input should be a valid boolean", input)) << input;
  }
  bool b = false;
  EXPECT_EQ(issues_of("true", b), kNoIssues);
  EXPECT_TRUE(b);
  EXPECT_EQ(issues_of("false", b), kNoIssues);
  EXPECT_FALSE(b);
}

TEST(JsonReaderTypes, ListType) {
  for (std::string_view input : {"{}", R"("abc")", "1", "null", "true"}) {
    EXPECT_EQ(issues_of<std::vector<int>>(input), one_issue("list_type", "Input should be a valid list", input))
        << input;
  }
}

TEST(JsonReaderTypes, DictType) {
  for (std::string_view input : {"[]", "1", R"("a")", "null", "[[\"a\",1]]"}) {
    EXPECT_EQ((issues_of<std::map<std::string, int>>(input)),
              one_issue("dict_type", "Input should be a valid dictionary", input))
        << input;
  }
}

TEST(JsonReaderTypes, ModelAttributesType) {
  for (std::string_view input : {"[1,2]", R"("x")", "1", "null", "false"}) {
    EXPECT_EQ(issues_of<Point>(input),
              one_issue("model_attributes_type", "Input should be a valid dictionary or object to extract fields from",
                        input))
        << input;
  }
}

TEST(JsonReaderTypes, RawInputIsQuotedAsWritten) {
  // The input of an issue is the value as JSON, written compactly with escapes decoded (as pydantic echoes
  // the parsed value), and a number beyond a double quoted as null so that every reader accepts the 422.
  EXPECT_EQ(issues_of<int>("[1, 2]"), one_issue("int_type", "Input should be a valid integer", "[1,2]"));
  EXPECT_EQ(issues_of<int>(R"("\u0041")"), one_issue("int_type", "Input should be a valid integer", R"("A")"));
  EXPECT_EQ(issues_of<int>("[1e99999]"), one_issue("int_type", "Input should be a valid integer", "[null]"));
}

TEST(JsonReaderTypes, Enums) {
  Letter l = Letter::a;
  EXPECT_EQ(issues_of(R"("b")", l), kNoIssues);
  EXPECT_EQ(l, Letter::b);
  EXPECT_EQ(issues_of(R"("\u0063")", l), kNoIssues);
  EXPECT_EQ(l, Letter::c);
  for (std::string_view input : {R"("d")", R"("A")", R"("")", R"(" a")", "1", "null", R"(["a"])"}) {
    EXPECT_EQ(issues_of<Letter>(input),
              std::string(R"({"detail":[{"type":"enum","loc":["body"],"msg":"Input should be 'a', 'b' or 'c'",)"
                          R"("input":)") +
                  std::string(input) + R"(,"ctx":{"expected":"'a', 'b' or 'c'"}}]})")
        << input;
  }
}

TEST(JsonReaderTypes, UuidDateAndDateTime) {
  Stamped s;
  EXPECT_EQ(issues_of(R"({"id":"123e4567-e89b-12d3-a456-426614174000","day":"2024-02-29",)"
                      R"("at":"2024-01-02T03:04:05.5+01:00","flag":true,"ratio":0.25})",
                      s),
            kNoIssues);
  EXPECT_EQ(s.id.to_string(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(s.day.to_string(), "2024-02-29");
  EXPECT_EQ(s.at.to_string(), "2024-01-02T03:04:05.500000+01:00");
  EXPECT_TRUE(s.flag);
  EXPECT_EQ(s.ratio, 0.25f);

  EXPECT_EQ(issues_of<aegis::Uuid>(R"("nope")"),
            one_issue("uuid_parsing", "Input should be a valid UUID", R"("nope")"));
  EXPECT_EQ(issues_of<aegis::Uuid>("1"), one_issue("uuid_parsing", "Input should be a valid UUID", "1"));
  EXPECT_EQ(issues_of<aegis::Date>(R"("2023-02-29")"),
            one_issue("date_parsing", "Input should be a valid date in the format YYYY-MM-DD", R"("2023-02-29")"));
  EXPECT_EQ(issues_of<aegis::Date>("null"),
            one_issue("date_parsing", "Input should be a valid date in the format YYYY-MM-DD", "null"));
  EXPECT_EQ(issues_of<aegis::DateTime>(R"("2024-01-02T24:00:00")"),
            one_issue("datetime_parsing", "Input should be a valid datetime", R"("2024-01-02T24:00:00")"));
  EXPECT_EQ(issues_of<aegis::DateTime>("[]"), one_issue("datetime_parsing", "Input should be a valid datetime", "[]"));

  // Escapes are decoded before the text is parsed.
  aegis::Date d;
  EXPECT_EQ(issues_of(R"("2024\u002d01\u002d02")", d), kNoIssues);
  EXPECT_EQ(d.to_string(), "2024-01-02");
}

// ---------------------------------------------------------------------------------------------------------
// Described structs

TEST(JsonReaderStructs, ReadsEveryKindOfMember) {
  Order o;
  EXPECT_EQ(issues_of(R"({"id":9007199254740993,"items":[{"name":"pen","qty":2,"price":1.5,"tags":["a","b"]},)"
                      R"({"name":"ink","qty":1}],"letter":"c","counts":{"x":1,"y":-2},)"
                      R"("meta":{"k":[1,true,null,"s"]},"note":"hi"})",
                      o),
            kNoIssues);
  EXPECT_EQ(o.id, 9007199254740993);
  ASSERT_EQ(o.items.size(), 2u);
  EXPECT_EQ(o.items[0].name, "pen");
  EXPECT_EQ(o.items[0].qty, 2);
  EXPECT_EQ(o.items[0].price, 1.5);
  EXPECT_EQ(o.items[0].tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.items[1].name, "ink");
  EXPECT_FALSE(o.items[1].price.has_value());
  EXPECT_TRUE(o.items[1].tags.empty());
  EXPECT_EQ(o.letter, Letter::c);
  EXPECT_EQ(o.counts, (std::map<std::string, int>{{"x", 1}, {"y", -2}}));
  EXPECT_EQ(o.meta, boost::json::parse(R"({"k":[1,true,null,"s"]})"));
  EXPECT_EQ(o.note, "hi");
}

TEST(JsonReaderStructs, MemberOrderDoesNotMatter) {
  Point p;
  EXPECT_EQ(issues_of(R"({"y":2,"x":1})", p), kNoIssues);
  EXPECT_EQ(p.x, 1);
  EXPECT_EQ(p.y, 2);
}

TEST(JsonReaderStructs, MissingMembers) {
  EXPECT_EQ(issues_of<Point>(R"({"x":1})"),
            R"({"detail":[{"type":"missing","loc":["body","y"],"msg":"Field required","input":{"x":1}}]})");
  EXPECT_EQ(issues_of<Point>("{}"),
            R"({"detail":[{"type":"missing","loc":["body","x"],"msg":"Field required","input":{}},)"
            R"({"type":"missing","loc":["body","y"],"msg":"Field required","input":{}}]})");
  // A member named differently in case is another member.
  EXPECT_EQ(issues_of<Point>(R"({"X":1,"y":2})"),
            R"({"detail":[{"type":"missing","loc":["body","x"],"msg":"Field required","input":{"X":1,"y":2}}]})");
}

TEST(JsonReaderStructs, OptionalMembersMayBeAbsentOrNull) {
  Line line;
  line.via = Point{9, 9};
  EXPECT_EQ(issues_of(R"({"name":"l","from":{"x":1,"y":2},"to":{"x":3,"y":4},"via":null})", line), kNoIssues);
  EXPECT_FALSE(line.via.has_value());

  Line absent;
  EXPECT_EQ(issues_of(R"({"name":"l","from":{"x":1,"y":2},"to":{"x":3,"y":4}})", absent), kNoIssues);
  EXPECT_FALSE(absent.via.has_value());

  Line given;
  EXPECT_EQ(issues_of(R"({"name":"l","from":{"x":1,"y":2},"to":{"x":3,"y":4},"via":{"x":5,"y":6}})", given), kNoIssues);
  ASSERT_TRUE(given.via.has_value());
  EXPECT_EQ(given.via->x, 5);
  EXPECT_EQ(given.via->y, 6);
}

TEST(JsonReaderStructs, NullIsNotAValueForRequiredMembers) {
  EXPECT_EQ(
      issues_of<Point>(R"({"x":null,"y":1})"),
      R"({"detail":[{"type":"int_type","loc":["body","x"],"msg":"Input should be a valid integer","input":null}]})");
}

TEST(JsonReaderStructs, OptionalRuleKeepsTheDefault) {
  Rated r;
  EXPECT_EQ(issues_of(R"({"score":1,"code":"ABC"})", r), kNoIssues);
  EXPECT_EQ(r.level, 7);
  Order o;
  o.counts = {{"keep", 1}};
  EXPECT_EQ(issues_of(R"({"id":1,"items":[],"letter":"a"})", o), kNoIssues);
  EXPECT_EQ(o.counts, (std::map<std::string, int>{{"keep", 1}}));
  EXPECT_TRUE(o.meta.is_null());
}

TEST(JsonReaderStructs, UnknownKeysAreIgnored) {
  Point p;
  EXPECT_EQ(issues_of(R"({"x":1,"z":{"deep":[1,{"a":null}],"s":"\u00e9"},"y":2,"w":"s","v":[],"u":-1.5e3})", p),
            kNoIssues);
  EXPECT_EQ(p.x, 1);
  EXPECT_EQ(p.y, 2);
}

TEST(JsonReaderStructs, DuplicateKeysLastWins) {
  Point p;
  EXPECT_EQ(issues_of(R"({"x":1,"y":2,"x":3})", p), kNoIssues);
  EXPECT_EQ(p.x, 3);
  std::map<std::string, int> m;
  EXPECT_EQ(issues_of(R"({"k":1,"k":2})", m), kNoIssues);
  EXPECT_EQ(m, (std::map<std::string, int>{{"k", 2}}));
}

TEST(JsonReaderStructs, DuplicateKeysLastWinsEvenWhenAnEarlierValueIsInvalid) {
  // With last-wins semantics the earlier value is discarded, so it cannot fail validation.
  Point p;
  EXPECT_EQ(issues_of(R"({"x":"bad","y":2,"x":3})", p), kNoIssues);
  EXPECT_EQ(p.x, 3);
}

TEST(JsonReaderStructs, NestedStructIssuesCarryTheirPath) {
  EXPECT_EQ(issues_of<Line>(R"({"name":"l","from":{"x":1},"to":{"x":"a","y":2},"via":[]})"),
            R"({"detail":[)"
            R"({"type":"missing","loc":["body","from","y"],"msg":"Field required","input":{"x":1}},)"
            R"({"type":"int_type","loc":["body","to","x"],"msg":"Input should be a valid integer","input":"a"},)"
            R"({"type":"model_attributes_type","loc":["body","via"],)"
            R"("msg":"Input should be a valid dictionary or object to extract fields from","input":[]}]})");
}

TEST(JsonReaderStructs, EveryIssueIsReportedWithItsExactLocation) {
  EXPECT_EQ(
      issues_of<Order>(R"({"id":"x","items":[{"name":"ok","qty":1},{"name":"","qty":0},{"qty":"many"}],)"
                       R"("letter":"z","counts":{"a":1,"b":"two"}})"),
      R"({"detail":[)"
      R"({"type":"int_type","loc":["body","id"],"msg":"Input should be a valid integer","input":"x"},)"
      R"({"type":"string_too_short","loc":["body","items",1,"name"],"msg":"String should have at least 1 character",)"
      R"("input":"","ctx":{"min_length":1}},)"
      R"({"type":"greater_than_equal","loc":["body","items",1,"qty"],"msg":"Input should be greater than or equal to 1",)"
      R"("input":0,"ctx":{"ge":1}},)"
      R"({"type":"int_type","loc":["body","items",2,"qty"],"msg":"Input should be a valid integer","input":"many"},)"
      R"({"type":"missing","loc":["body","items",2,"name"],"msg":"Field required","input":{"qty":"many"}},)"
      R"({"type":"enum","loc":["body","letter"],"msg":"Input should be 'a', 'b' or 'c'","input":"z",)"
      R"("ctx":{"expected":"'a', 'b' or 'c'"}},)"
      R"({"type":"int_type","loc":["body","counts","b"],"msg":"Input should be a valid integer","input":"two"}]})");
}

TEST(JsonReaderStructs, TopLevelListsLocateByIndex) {
  EXPECT_EQ(
      issues_of<std::vector<Point>>(R"([{"x":1,"y":2},{"x":1,"y":"q"}])"),
      R"({"detail":[{"type":"int_type","loc":["body",1,"y"],"msg":"Input should be a valid integer","input":"q"}]})");
  EXPECT_EQ(
      issues_of<std::vector<std::vector<int>>>(R"([[1],[2,"x"],[]])"),
      R"({"detail":[{"type":"int_type","loc":["body",1,1],"msg":"Input should be a valid integer","input":"x"}]})");
}

TEST(JsonReaderStructs, ContainersAreReplacedNotAppended) {
  std::vector<int> v{9, 9};
  EXPECT_EQ(issues_of("[1,2,3]", v), kNoIssues);
  EXPECT_EQ(v, (std::vector<int>{1, 2, 3}));
  std::map<std::string, int> m{{"old", 1}};
  EXPECT_EQ(issues_of(R"({"new":2})", m), kNoIssues);
  EXPECT_EQ(m, (std::map<std::string, int>{{"new", 2}}));
}

TEST(JsonReaderStructs, VectorsOfOptionalsAndMapsOfStructs) {
  std::vector<std::optional<int>> v;
  EXPECT_EQ(issues_of("[1,null,3]", v), kNoIssues);
  EXPECT_EQ(v, (std::vector<std::optional<int>>{1, std::nullopt, 3}));

  std::map<std::string, Point> m;
  EXPECT_EQ(issues_of(R"({"a":{"x":1,"y":2},"b":{"x":3}})", m),
            R"({"detail":[{"type":"missing","loc":["body","b","y"],"msg":"Field required","input":{"x":3}}]})");
  EXPECT_EQ(m.at("a").y, 2);

  std::map<std::string, std::string> keys;
  EXPECT_EQ(issues_of(R"({"":"empty","a\"b":"q","\u00e9":"e"})", keys), kNoIssues);
  EXPECT_EQ(keys, (std::map<std::string, std::string>{{"", "empty"}, {"a\"b", "q"}, {"\xc3\xa9", "e"}}));
  EXPECT_EQ(
      (issues_of<std::map<std::string, int>>(R"({"a\"b":"x"})")),
      R"({"detail":[{"type":"int_type","loc":["body","a\"b"],"msg":"Input should be a valid integer","input":"x"}]})");
}

TEST(JsonReaderStructs, JsonMembersTakeAnyValue) {
  for (std::string_view text : {"1", "-1.5", R"("s")", "true", "null", "[]", "{}", R"([1,{"a":[null]}])"}) {
    Json out;
    EXPECT_EQ(issues_of(text, out), kNoIssues) << text;
    EXPECT_EQ(out, boost::json::parse(text)) << text;
  }
  Order o;
  EXPECT_EQ(issues_of(R"({"id":1,"items":[],"letter":"b","meta":  [1, 2] })", o), kNoIssues);
  EXPECT_EQ(o.meta, boost::json::parse("[1,2]"));
}

// ---------------------------------------------------------------------------------------------------------
// Rules

TEST(JsonReaderRules, NumericBounds) {
  Rated r;
  EXPECT_EQ(issues_of(R"({"score":9.99,"code":"XYZ","level":1})", r), kNoIssues);
  EXPECT_EQ(issues_of<Rated>(R"({"score":0,"code":"XYZ","level":0})"),
            R"({"detail":[)"
            R"({"type":"greater_than","loc":["body","score"],"msg":"Input should be greater than 0","input":0,)"
            R"("ctx":{"gt":0}},)"
            R"({"type":"greater_than_equal","loc":["body","level"],"msg":"Input should be greater than or equal to 1",)"
            R"("input":0,"ctx":{"ge":1}}]})");
  EXPECT_EQ(issues_of<Rated>(R"({"score":10,"code":"XYZ"})"),
            R"({"detail":[{"type":"less_than","loc":["body","score"],"msg":"Input should be less than 10","input":10,)"
            R"("ctx":{"lt":10}}]})");
  EXPECT_EQ(
      issues_of<Item>(R"({"name":"a","qty":101})"),
      R"({"detail":[{"type":"less_than_equal","loc":["body","qty"],"msg":"Input should be less than or equal to 100",)"
      R"("input":101,"ctx":{"le":100}}]})");
  Item edge;
  EXPECT_EQ(issues_of(R"({"name":"a","qty":100})", edge), kNoIssues);
  EXPECT_EQ(issues_of(R"({"name":"a","qty":1})", edge), kNoIssues);
}

TEST(JsonReaderRules, StringLengthsCountCodePoints) {
  Item item;
  EXPECT_EQ(issues_of("{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\",\"qty\":1}", item), kNoIssues);
  EXPECT_EQ(issues_of(R"({"name":"\u00e9\u00e9\u00e9\u00e9\u00e9","qty":1})", item), kNoIssues);
  EXPECT_EQ(item.name, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
  EXPECT_EQ(
      issues_of<Item>(R"({"name":"abcdef","qty":1})"),
      R"({"detail":[{"type":"string_too_long","loc":["body","name"],"msg":"String should have at most 5 characters",)"
      R"("input":"abcdef","ctx":{"max_length":5}}]})");
}

TEST(JsonReaderRules, Patterns) {
  EXPECT_EQ(issues_of<Rated>(R"({"score":1,"code":"abc"})"),
            R"({"detail":[{"type":"string_pattern_mismatch","loc":["body","code"],)"
            R"("msg":"String should match pattern '^[A-Z]{3}$'","input":"abc","ctx":{"pattern":"^[A-Z]{3}$"}}]})");
  Rated r;
  EXPECT_EQ(issues_of(R"({"score":1,"code":"\u0041BC"})", r), kNoIssues);
  EXPECT_EQ(r.code, "ABC");
}

TEST(JsonReaderRules, ListLengths) {
  EXPECT_EQ(issues_of<Item>(R"({"name":"a","qty":1,"tags":["x","y","z"]})"),
            R"({"detail":[{"type":"too_long","loc":["body","tags"],)"
            R"("msg":"List should have at most 2 items after validation, not 3","input":["x","y","z"],)"
            R"("ctx":{"field_type":"List","max_length":2,"actual_length":3}}]})");
}

TEST(JsonReaderRules, RulesForTheTopLevelValue) {
  int n = 0;
  EXPECT_EQ(issues_of("0", n, &aegis::detail::rules_of<aegis::Min<1>>()), range_issue("greater_than_equal", "1", "0"));
  EXPECT_EQ(issues_of("5", n, &aegis::detail::rules_of<aegis::Min<1>, aegis::Max<10>>()), kNoIssues);
  EXPECT_EQ(n, 5);
  std::vector<int> v;
  EXPECT_EQ(issues_of("[]", v, &aegis::detail::rules_of<aegis::MinLength<1>>()),
            R"({"detail":[{"type":"too_short","loc":["body"],)"
            R"("msg":"List should have at least 1 item after validation, not 0","input":[],)"
            R"("ctx":{"field_type":"List","min_length":1,"actual_length":0}}]})");
  std::optional<int> maybe;
  EXPECT_EQ(issues_of("null", maybe, &aegis::detail::rules_of<aegis::Min<1>>()), kNoIssues);
  EXPECT_EQ(issues_of("0", maybe, &aegis::detail::rules_of<aegis::Min<1>>()),
            range_issue("greater_than_equal", "1", "0"));
}

TEST(JsonReaderRules, OutOfTheTypesRangeTheFieldsRuleIsReportedWhenItBreaksOne) {
  // One issue either way: the field's rule (what the document shows the client), else the type's range.
  std::uint8_t n = 0;
  EXPECT_EQ(issues_of("300", n, &aegis::detail::rules_of<aegis::Max<10>>()), range_issue("less_than_equal", "10", "300"));
  EXPECT_EQ(issues_of("300", n, &aegis::detail::rules_of<aegis::Max<1000>>()),
            range_issue("less_than_equal", "255", "300"));
}

}  // namespace
