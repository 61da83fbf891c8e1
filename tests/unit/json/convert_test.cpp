// Unit tests for include/aegis/json/convert.hpp: writing C++ values as JSON (write_json / to_json), reading
// them from a parsed aegis::Json (read_json, which must agree with parse_json), and reading the text of
// path, query and header values (read_text).

#include <aegis/json/convert.hpp>
#include <aegis/json/reader.hpp>

#include <boost/describe.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aegis_json_convert_test {

enum class Letter { a, b, c };
BOOST_DESCRIBE_ENUM(Letter, a, b, c)

struct Point {
  int x = 0;
  int y = 0;
};
BOOST_DESCRIBE_STRUCT(Point, (), (x, y))

struct Point3 : Point {
  int z = 0;
};
BOOST_DESCRIBE_STRUCT(Point3, (Point), (z))

struct Empty {};
BOOST_DESCRIBE_STRUCT(Empty, (), ())

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
  std::optional<aegis::DateTime> until;
};
BOOST_DESCRIBE_STRUCT(Stamped, (), (id, day, at, until))

}  // namespace aegis_json_convert_test

namespace {

using namespace aegis_json_convert_test;
using aegis::Json;
using aegis::to_json;
using aegis::Validator;

constexpr std::string_view kNoIssues = R"({"detail":[]})";

std::string body_of(Validator& val) { return aegis::RequestValidationError(val.issues()).body(); }

// ---------------------------------------------------------------------------------------------------------
// write_json / to_json

TEST(JsonWrite, Booleans) {
  EXPECT_EQ(to_json(true), "true");
  EXPECT_EQ(to_json(false), "false");
}

TEST(JsonWrite, Integers) {
  EXPECT_EQ(to_json(0), "0");
  EXPECT_EQ(to_json(-1), "-1");
  EXPECT_EQ(to_json(std::numeric_limits<int>::max()), "2147483647");
  EXPECT_EQ(to_json(std::numeric_limits<int>::min()), "-2147483648");
  EXPECT_EQ(to_json(std::int8_t{-128}), "-128");
  EXPECT_EQ(to_json(std::uint8_t{255}), "255");  // a number, not a character
  EXPECT_EQ(to_json(std::int16_t{-32768}), "-32768");
  EXPECT_EQ(to_json(std::uint16_t{65535}), "65535");
  EXPECT_EQ(to_json(std::uint32_t{4294967295u}), "4294967295");
  EXPECT_EQ(to_json(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(to_json(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(to_json(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(to_json(42L), "42");
  EXPECT_EQ(to_json(42UL), "42");
}

TEST(JsonWrite, DoublesStayFloats) {
  struct Case {
    double value;
    std::string_view want;
  };
  for (const Case& c : {Case{2.0, "2.0"}, Case{0.0, "0.0"}, Case{-0.0, "-0.0"}, Case{100.0, "100.0"}, Case{0.1, "0.1"},
                        Case{1.5, "1.5"}, Case{-2.5, "-2.5"}, Case{1e300, "1e+300"}, Case{1e22, "1e+22"},
                        Case{1e-7, "1e-07"}, Case{0.1 + 0.2, "0.30000000000000004"}, Case{123456789.0, "123456789.0"},
                        Case{std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
                        Case{std::numeric_limits<double>::denorm_min(), "5e-324"}}) {
    EXPECT_EQ(to_json(c.value), c.want) << c.want;
    // What is written reads back as the same value.
    EXPECT_EQ(boost::json::parse(to_json(c.value)).to_number<double>(), c.value) << c.want;
  }
  EXPECT_EQ(to_json(0.5f), "0.5");
  EXPECT_EQ(to_json(2.0f), "2.0");
}

TEST(JsonWrite, NonFiniteNumbersAreNull) {
  EXPECT_EQ(to_json(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(to_json(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(to_json(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(to_json(std::numeric_limits<float>::infinity()), "null");
  EXPECT_EQ(to_json(std::vector<double>{1.0, std::nan(""), 2.5}), "[1.0,null,2.5]");
}

TEST(JsonWrite, Strings) {
  struct Case {
    std::string value;
    std::string_view want;
  };
  for (const Case& c : {
           Case{"", R"("")"},
           Case{"plain text", R"("plain text")"},
           Case{"a\"b\\c", R"("a\"b\\c")"},
           Case{"\n\r\t\b\f", R"("\n\r\t\b\f")"},
           Case{"\x01", R"("\u0001")"},
           Case{"\x1f", R"("\u001f")"},
           Case{"a\vb", R"("a\u000bb")"},
           Case{std::string("\0", 1), R"("\u0000")"},
           Case{"\x7f", "\"\x7f\""},
           Case{"/", R"("/")"},
           Case{"</script>", R"("</script>")"},
           Case{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
       }) {
    EXPECT_EQ(to_json(c.value), c.want) << c.want;
  }
  EXPECT_EQ(to_json(std::string_view("view")), R"("view")");
  EXPECT_EQ(to_json("literal\n"), R"("literal\n")");
  const char* pointer = "ptr";
  EXPECT_EQ(to_json(pointer), R"("ptr")");
}

TEST(JsonWrite, InvalidUtf8BecomesReplacementCharacters) {
  struct Case {
    std::string value;
    std::string_view want;
  };
  for (const Case& c : {
           Case{"\xff", R"("\ufffd")"},
           Case{"\x80", R"("\ufffd")"},
           Case{"a\xc3", R"("a\ufffd")"},
           Case{"ok\xffok", R"("ok\ufffdok")"},
           Case{"\xe2\x82", R"("\ufffd\ufffd")"},
           Case{"\xc0\xaf", R"("\ufffd\ufffd")"},                      // overlong
           Case{"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},            // encoded surrogate
           Case{"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // above U+10FFFF
           Case{"\xc3\xa9\xff\n", "\"\xc3\xa9\\ufffd\\n\""},
       }) {
    const std::string out = to_json(c.value);
    EXPECT_EQ(out, c.want);
    EXPECT_NO_THROW(boost::json::parse(out)) << out;
  }
}

TEST(JsonWrite, EnumsByName) {
  EXPECT_EQ(to_json(Letter::a), R"("a")");
  EXPECT_EQ(to_json(Letter::c), R"("c")");
  EXPECT_EQ(to_json(std::vector<Letter>{Letter::b, Letter::a}), R"(["b","a"])");
}

TEST(JsonWrite, UuidDateAndDateTime) {
  Stamped s;
  s.id = *aegis::Uuid::parse("123E4567-E89B-12D3-A456-426614174000");
  s.day = *aegis::Date::parse("2024-02-29");
  s.at = *aegis::DateTime::parse("2024-01-02T03:04:05.5-05:30");
  EXPECT_EQ(to_json(s.id), R"("123e4567-e89b-12d3-a456-426614174000")");
  EXPECT_EQ(to_json(s.day), R"("2024-02-29")");
  EXPECT_EQ(to_json(s.at), R"("2024-01-02T03:04:05.500000-05:30")");
  EXPECT_EQ(to_json(s), R"({"id":"123e4567-e89b-12d3-a456-426614174000","day":"2024-02-29",)"
                        R"("at":"2024-01-02T03:04:05.500000-05:30","until":null})");
  s.until = *aegis::DateTime::parse("2024-01-02T03:04:05");
  EXPECT_EQ(to_json(s.until), R"("2024-01-02T03:04:05")");
}

TEST(JsonWrite, Optionals) {
  EXPECT_EQ(to_json(std::optional<int>{}), "null");
  EXPECT_EQ(to_json(std::optional<int>{3}), "3");
  EXPECT_EQ(to_json(std::optional<std::string>{"s"}), R"("s")");
  EXPECT_EQ(to_json(std::optional<double>{2.0}), "2.0");
}

TEST(JsonWrite, Vectors) {
  EXPECT_EQ(to_json(std::vector<int>{}), "[]");
  EXPECT_EQ(to_json(std::vector<int>{1, 2, 3}), "[1,2,3]");
  EXPECT_EQ(to_json(std::vector<std::optional<double>>{1.0, std::nullopt}), "[1.0,null]");
  EXPECT_EQ(to_json(std::vector<std::string>{"a", "\""}), R"(["a","\""])");
  EXPECT_EQ(to_json(std::vector<std::vector<int>>{{}, {1}, {2, 3}}), "[[],[1],[2,3]]");
  EXPECT_EQ(to_json(std::vector<bool>{}), "[]");
}

TEST(JsonWrite, Maps) {
  EXPECT_EQ(to_json(std::map<std::string, int>{}), "{}");
  EXPECT_EQ(to_json(std::map<std::string, int>{{"b", 2}, {"a", 1}}), R"({"a":1,"b":2})");
  EXPECT_EQ(to_json(std::map<std::string, std::string>{{"q\"\n", "v"}}), R"({"q\"\n":"v"})");
  EXPECT_EQ(to_json(std::map<std::string, std::vector<int>>{{"k", {1}}}), R"({"k":[1]})");
  EXPECT_EQ(to_json(std::unordered_map<std::string, int>{{"only", 1}}), R"({"only":1})");
  EXPECT_EQ(to_json(std::map<std::string, Point>{{"p", Point{1, 2}}}), R"({"p":{"x":1,"y":2}})");
}

TEST(JsonWrite, StructsInDeclarationOrder) {
  EXPECT_EQ(to_json(Point{1, -2}), R"({"x":1,"y":-2})");
  EXPECT_EQ(to_json(Empty{}), "{}");
  EXPECT_EQ(to_json(std::vector<Empty>(2)), "[{},{}]");
  Point3 p3;
  p3.x = 1;
  p3.y = 2;
  p3.z = 3;
  EXPECT_EQ(to_json(p3), R"({"x":1,"y":2,"z":3})");

  Order o;
  o.id = 7;
  o.items = {Item{"pen", 2, 1.5, {"a"}}, Item{"ink", 1, std::nullopt, {}}};
  o.letter = Letter::b;
  o.counts = {{"x", 1}};
  o.meta = boost::json::parse(R"({"k":[1,null]})");
  EXPECT_EQ(to_json(o), R"({"id":7,"items":[{"name":"pen","qty":2,"price":1.5,"tags":["a"]},)"
                        R"({"name":"ink","qty":1,"price":null,"tags":[]}],"letter":"b","counts":{"x":1},)"
                        R"("meta":{"k":[1,null]},"note":null})");
}

TEST(JsonWrite, JsonValues) {
  EXPECT_EQ(to_json(Json()), "null");
  EXPECT_EQ(to_json(Json(true)), "true");
  EXPECT_EQ(to_json(Json(-5)), "-5");
  EXPECT_EQ(to_json(Json("s\n")), R"("s\n")");
  EXPECT_EQ(to_json(boost::json::parse(R"({"a":1,"b":[true,null],"c":"\u00e9"})")),
            "{\"a\":1,\"b\":[true,null],\"c\":\"\xc3\xa9\"}");
  EXPECT_EQ(to_json(std::vector<Json>{Json(1), Json("x")}), R"([1,"x"])");
  // A double inside a Json value is written as some JSON number with the same value.
  EXPECT_EQ(boost::json::parse(to_json(Json(2.5))).to_number<double>(), 2.5);
}

TEST(JsonWrite, NonFiniteNumbersInJsonValuesAreNull) {
  // Like a plain double: JSON has no Infinity or NaN, so the output must stay valid JSON.
  EXPECT_EQ(to_json(Json(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(to_json(Json(std::numeric_limits<double>::quiet_NaN())), "null");
  // Such a number in the input is refused rather than turned into one (see JsonReaderSyntax).
  Json parsed;
  Validator val;
  aegis::parse_json("[1e400]", parsed, val);
  ASSERT_EQ(val.issues().size(), 1u);
  EXPECT_EQ(val.issues()[0].type, "finite_number");
}

TEST(JsonWrite, AppendsToTheOutput) {
  std::string out = "x=";
  aegis::write_json(out, std::vector<int>{1});
  aegis::write_json(out, Point{});
  EXPECT_EQ(out, R"(x=[1]{"x":0,"y":0})");
}

TEST(JsonWrite, WhatIsWrittenReadsBack) {
  Order o;
  o.id = -3;
  o.items = {Item{"\xc3\xa9\"\\", 100, 0.1, {"t", ""}}};
  o.letter = Letter::c;
  o.counts = {{"", 0}, {"\x01", -1}};
  o.meta = boost::json::parse(R"([{"nested":{"deep":[1,2.5,"s"]}}])");
  o.note = "line1\nline2\t\x7f";
  const std::string text = to_json(o);
  Order back;
  Validator val;
  aegis::parse_json(text, back, val);
  EXPECT_TRUE(val.ok()) << body_of(val);
  EXPECT_EQ(to_json(back), text);
}

// ---------------------------------------------------------------------------------------------------------
// read_json agrees with parse_json

// An issue with its input and ctx normalised to a value (parse_json quotes the input as written, read_json
// as Boost.JSON prints it).
std::string normalized(const aegis::ValidationIssue& issue) {
  auto value_text = [](const std::string& json) -> std::string {
    if (json.empty()) return "";
    try {
      return boost::json::serialize(boost::json::parse(json));
    } catch (const std::exception&) {
      return "<not JSON: " + json + ">";
    }
  };
  return issue.type + " " + issue.loc + " " + issue.msg + " input=" + value_text(issue.input) +
         " ctx=" + value_text(issue.ctx);
}

std::vector<std::string> normalized(const std::vector<aegis::ValidationIssue>& issues) {
  std::vector<std::string> out;
  for (const auto& i : issues) out.push_back(normalized(i));
  std::sort(out.begin(), out.end());
  return out;
}

template <class T>
void expect_agree(std::string_view text, const aegis::Rules* rules = nullptr) {
  SCOPED_TRACE(std::string("input: ") + std::string(text));
  T from_text{};
  Validator text_val;
  {
    Validator::Scope body(text_val, "body");
    aegis::parse_json(text, from_text, text_val, rules);
  }
  T from_value{};
  Validator value_val;
  const Json value = boost::json::parse(text);
  {
    Validator::Scope body(value_val, "body");
    aegis::read_json(value, from_value, value_val, rules);
  }
  EXPECT_EQ(normalized(text_val.issues()), normalized(value_val.issues()));
  if (text_val.ok() && value_val.ok()) {
    EXPECT_EQ(to_json(from_text), to_json(from_value));
  }
}

TEST(JsonReadJson, AgreesOnIntegers) {
  for (std::string_view text : {"5", "-5", "0", "-0", "5.0", "1e2", "5.5", "-0.5", R"("5")", "true", "null", "[]", "{}",
                                "2147483647", "2147483648", "-2147483648", "-2147483649", "1e10", "300.0"}) {
    expect_agree<int>(text);
  }
  for (std::string_view text : {"0", "255", "256", "-1", "-1.0", "300.0", "255.0"}) expect_agree<std::uint8_t>(text);
  for (std::string_view text : {"-128", "127", "-129", "128"}) expect_agree<std::int8_t>(text);
  for (std::string_view text : {"9223372036854775807", "-9223372036854775808", "9223372036854775808"}) {
    expect_agree<std::int64_t>(text);
  }
  for (std::string_view text : {"18446744073709551615", "0", "-1", "9223372036854775808"}) {
    expect_agree<std::uint64_t>(text);
  }
}

TEST(JsonReadJson, AgreesOnIntegersBeyondSixtyFourBits) {
  // Boost.JSON turns these into doubles; read_json must still report them as out of range, as parse_json does.
  expect_agree<std::uint64_t>("18446744073709551616");
  expect_agree<std::int64_t>("-9223372036854775810000");
  expect_agree<int>("123456789012345678901234567890");
}

TEST(JsonReadJson, ADocumentLosesIntegerPrecisionBeyondSixtyFourBits) {
  // -2^63 - 1 becomes the double -2^63 when Boost.JSON parses it, so read_json (which only sees the value)
  // accepts it as the int64 minimum; parse_json reads the text and refuses it. Request bodies use
  // parse_json.
  std::int64_t from_value = 0;
  Validator value_val;
  aegis::read_json(boost::json::parse("-9223372036854775809"), from_value, value_val);
  EXPECT_TRUE(value_val.ok());
  EXPECT_EQ(from_value, std::numeric_limits<std::int64_t>::min());
  std::int64_t from_text = 0;
  Validator text_val;
  aegis::parse_json("-9223372036854775809", from_text, text_val);
  ASSERT_EQ(text_val.issues().size(), 1u);
  EXPECT_EQ(text_val.issues()[0].type, "greater_than_equal");
}

TEST(JsonReadJson, AgreesOnOtherScalars) {
  for (std::string_view text : {"1.5", "1", "1e400", "-1e400", "1e-400", R"("1.5")", "null", "[]"}) {
    expect_agree<double>(text);
  }
  for (std::string_view text : {"true", "false", "1", R"("true")", "null"}) expect_agree<bool>(text);
  for (std::string_view text : {R"("s")", R"("\u00e9\n\ud83d\ude00")", R"("")", "5", "null", "[\"a\"]"}) {
    expect_agree<std::string>(text);
  }
  for (std::string_view text : {R"("a")", R"("c")", R"("d")", R"("A")", "1", "null"}) expect_agree<Letter>(text);
  for (std::string_view text :
       {R"("123e4567-e89b-12d3-a456-426614174000")", R"("123e4567e89b12d3a456426614174000")", R"("nope")", "1"}) {
    expect_agree<aegis::Uuid>(text);
  }
  for (std::string_view text : {R"("2024-02-29")", R"("2023-02-29")", "20240229"}) expect_agree<aegis::Date>(text);
  for (std::string_view text :
       {R"("2024-01-02T03:04:05.123456789+05:30")", R"("2024-01-02 03:04")", R"("2024-01-02T24:00:00")", "{}"}) {
    expect_agree<aegis::DateTime>(text);
  }
  for (std::string_view text : {"1", "[1,{\"a\":null}]", "\"s\"", "null"}) expect_agree<Json>(text);
}

TEST(JsonReadJson, AgreesOnContainers) {
  for (std::string_view text : {"[]", "[1,2,3]", R"([1,"x",3,null])", "{}", "1"}) expect_agree<std::vector<int>>(text);
  for (std::string_view text : {"[1,null]", "[null,\"x\"]"}) expect_agree<std::vector<std::optional<int>>>(text);
  for (std::string_view text : {"{}", R"({"a":1,"b":2})", R"({"a":"x","b":2.5})", "[]"}) {
    expect_agree<std::map<std::string, int>>(text);
  }
  for (std::string_view text : {"null", "1", R"("x")"}) expect_agree<std::optional<int>>(text);
}

TEST(JsonReadJson, AgreesOnStructs) {
  for (std::string_view text : {
           R"({"x":1,"y":2})",
           R"({"y":2,"x":1,"z":[1,2]})",
           R"({"x":1})",
           "{}",
           R"({"x":null,"y":"2"})",
           "[]",
           R"({"x":5.0,"y":5.5})",
       }) {
    expect_agree<Point>(text);
  }
  for (std::string_view text : {R"({"x":1,"y":2,"z":3})", R"({"x":1,"y":2})"}) expect_agree<Point3>(text);
  for (std::string_view text : {
           R"({"id":1,"items":[],"letter":"a"})",
           R"({"id":9007199254740993,"items":[{"name":"pen","qty":2,"price":1.5,"tags":["a","b"]}],)"
           R"("letter":"c","counts":{"x":1},"meta":{"k":[1,true]},"note":"hi"})",
           R"({"id":"x","items":[{"name":"ok","qty":1},{"name":"","qty":0},{"qty":"many"}],)"
           R"("letter":"z","counts":{"a":1,"b":"two"}})",
           R"({"items":[{"name":"abcdef","qty":101,"tags":["1","2","3"]}],"letter":"b","note":null})",
           R"({"id":1,"items":{},"letter":"a","counts":[]})",
       }) {
    expect_agree<Order>(text);
  }
  for (std::string_view text : {R"({"score":1,"code":"ABC"})", R"({"score":0,"code":"abc","level":0})",
                                R"({"score":10,"code":"ABCD","level":1})"}) {
    expect_agree<Rated>(text);
  }
  expect_agree<Empty>(R"({"anything":[1]})");
}

TEST(JsonReadJson, AgreesOnTopLevelRules) {
  expect_agree<int>("0", &aegis::detail::rules_of<aegis::Min<1>>());
  expect_agree<int>("11", &aegis::detail::rules_of<aegis::Min<1>, aegis::Max<10>>());
  expect_agree<double>("0.5", &aegis::detail::rules_of<aegis::Gt<1>, aegis::Lt<2>>());
  expect_agree<std::string>(R"("ab")", &aegis::detail::rules_of<aegis::MinLength<3>, aegis::Pattern<"^x">>());
  expect_agree<std::vector<int>>("[1,2,3]", &aegis::detail::rules_of<aegis::MaxLength<2>>());
  expect_agree<std::optional<int>>("0", &aegis::detail::rules_of<aegis::Min<1>>());
}

TEST(JsonReadJson, ReportsExactIssues) {
  Validator val;
  Point p;
  {
    Validator::Scope body(val, "body");
    aegis::read_json(boost::json::parse(R"({"x" : "1"})"), p, val);
  }
  EXPECT_EQ(body_of(val),
            R"({"detail":[{"type":"int_type","loc":["body","x"],"msg":"Input should be a valid integer","input":"1"},)"
            R"({"type":"missing","loc":["body","y"],"msg":"Field required","input":{"x":"1"}}]})");
}

TEST(JsonReadJson, CopiesJsonValues) {
  Order o;
  Validator val;
  const Json in = boost::json::parse(R"({"id":1,"items":[],"letter":"a","meta":{"a":[1,"b",null]}})");
  aegis::read_json(in, o, val);
  EXPECT_TRUE(val.ok()) << body_of(val);
  EXPECT_EQ(o.meta, in.at("meta"));
}

TEST(JsonReadJson, IssueInputIsValidJsonForOverflowingNumbers) {
  // 1e400 parses to infinity; the 422 body quoting it must still be JSON.
  Validator val;
  int n = 0;
  {
    Validator::Scope body(val, "body");
    aegis::read_json(boost::json::parse("1e400"), n, val);
  }
  ASSERT_EQ(val.issues().size(), 1u);
  const std::string body = body_of(val);
  EXPECT_NO_THROW(boost::json::parse(body)) << body;
}

// ---------------------------------------------------------------------------------------------------------
// read_text

template <class T>
std::string text_issues(std::string_view text, T& out, const aegis::Rules* rules = nullptr) {
  Validator val;
  Validator::Scope query(val, "query");
  Validator::Scope name(val, "v");
  aegis::read_text(text, out, val, rules);
  return body_of(val);
}

template <class T>
std::string text_issues(std::string_view text) {
  T out{};
  return text_issues(text, out);
}

std::string text_issue(std::string_view type, std::string_view msg, std::string_view input, std::string_view ctx = {}) {
  std::string out = std::string(R"({"detail":[{"type":")") + std::string(type) + R"(","loc":["query","v"],"msg":")" +
                    std::string(msg) + R"(","input":)" + std::string(input);
  if (!ctx.empty()) out += ",\"ctx\":" + std::string(ctx);
  return out + "}]}";
}

constexpr std::string_view kIntParsing = "Input should be a valid integer, unable to parse string as an integer";
constexpr std::string_view kFloatParsing = "Input should be a valid number, unable to parse string as a number";
constexpr std::string_view kBoolParsing = "Input should be a valid boolean, unable to interpret input";

TEST(JsonReadText, Booleans) {
  for (std::string_view text : {"true", "1", "yes", "on", "TRUE", "True", "tRuE", "YES", "Yes", "ON", "On", "oN"}) {
    bool b = false;
    EXPECT_EQ(text_issues(text, b), kNoIssues) << text;
    EXPECT_TRUE(b) << text;
  }
  for (std::string_view text : {"false", "0", "no", "off", "FALSE", "False", "NO", "No", "OFF", "Off", "oFf"}) {
    bool b = true;
    EXPECT_EQ(text_issues(text, b), kNoIssues) << text;
    EXPECT_FALSE(b) << text;
  }
  for (std::string_view text : {"", "2", "-1", "01", "10", "tru", "truee", "y", "n", "t", "f", " true", "true ", "yes!",
                                "nope", "null", "of", "onn", "\u00ffes"}) {
    EXPECT_EQ(text_issues<bool>(text), text_issue("bool_parsing", kBoolParsing, aegis::detail::json_quote(text)))
        << text;
  }
}

TEST(JsonReadText, ControlCharactersAreNotBooleans) {
  // Case folding must not turn other bytes into '0' or '1'.
  for (std::string_view text : {"\x10", "\x11"}) {
    EXPECT_EQ(text_issues<bool>(text), text_issue("bool_parsing", kBoolParsing, aegis::detail::json_quote(text)));
  }
}

TEST(JsonReadText, Integers) {
  struct Case {
    std::string_view text;
    int want;
  };
  for (const Case& c :
       {Case{"42", 42}, Case{"+42", 42}, Case{"-42", -42}, Case{"0", 0}, Case{"+0", 0}, Case{"-0", 0}, Case{"007", 7},
        Case{"2147483647", 2147483647}, Case{"-2147483648", std::numeric_limits<int>::min()}}) {
    int out = -1;
    EXPECT_EQ(text_issues(c.text, out), kNoIssues) << c.text;
    EXPECT_EQ(out, c.want) << c.text;
  }
  for (std::string_view text : {"", "+", "-", "++1", "-+1", "--1", "1.0", "1e3", " 1", "1 ", "0x10", "abc", "1_000",
                                "1,000", "12a", "\xd9\xa1"}) {
    EXPECT_EQ(text_issues<int>(text), text_issue("int_parsing", kIntParsing, aegis::detail::json_quote(text))) << text;
  }
}

TEST(JsonReadText, SignMustBeFollowedByDigits) {
  EXPECT_EQ(text_issues<int>("+-5"), text_issue("int_parsing", kIntParsing, R"("+-5")"));
  EXPECT_EQ(text_issues<std::int64_t>("+-0"), text_issue("int_parsing", kIntParsing, R"("+-0")"));
  EXPECT_EQ(text_issues<double>("+-1.5"), text_issue("float_parsing", kFloatParsing, R"("+-1.5")"));
}

TEST(JsonReadText, IntegersOutOfRange) {
  EXPECT_EQ(text_issues<std::int8_t>("128"),
            text_issue("less_than_equal", "Input should be less than or equal to 127", R"("128")", R"({"le":127})"));
  EXPECT_EQ(text_issues<std::int8_t>("+128"),
            text_issue("less_than_equal", "Input should be less than or equal to 127", R"("+128")", R"({"le":127})"));
  EXPECT_EQ(
      text_issues<std::int8_t>("-129"),
      text_issue("greater_than_equal", "Input should be greater than or equal to -128", R"("-129")", R"({"ge":-128})"));
  EXPECT_EQ(text_issues<std::uint8_t>("256"),
            text_issue("less_than_equal", "Input should be less than or equal to 255", R"("256")", R"({"le":255})"));
  EXPECT_EQ(text_issues<int>("99999999999999999999999"),
            text_issue("less_than_equal", "Input should be less than or equal to 2147483647",
                       R"("99999999999999999999999")", R"({"le":2147483647})"));
  EXPECT_EQ(text_issues<int>("-99999999999999999999999"),
            text_issue("greater_than_equal", "Input should be greater than or equal to -2147483648",
                       R"("-99999999999999999999999")", R"({"ge":-2147483648})"));

  std::int64_t i64 = 0;
  EXPECT_EQ(text_issues("9223372036854775807", i64), kNoIssues);
  EXPECT_EQ(i64, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(text_issues("-9223372036854775808", i64), kNoIssues);
  EXPECT_EQ(i64, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(text_issues<std::int64_t>("9223372036854775808"),
            text_issue("less_than_equal", "Input should be less than or equal to 9223372036854775807",
                       R"("9223372036854775808")", R"({"le":9223372036854775807})"));
  EXPECT_EQ(text_issues<std::int64_t>("-9223372036854775809"),
            text_issue("greater_than_equal", "Input should be greater than or equal to -9223372036854775808",
                       R"("-9223372036854775809")", R"({"ge":-9223372036854775808})"));

  std::uint64_t u64 = 0;
  EXPECT_EQ(text_issues("18446744073709551615", u64), kNoIssues);
  EXPECT_EQ(u64, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(text_issues<std::uint64_t>("18446744073709551616"),
            text_issue("less_than_equal", "Input should be less than or equal to 18446744073709551615",
                       R"("18446744073709551616")", R"({"le":18446744073709551615})"));
}

TEST(JsonReadText, NegativeIntoUnsignedIsARangeIssue) {
  // As in JSON bodies: -1 is a valid integer, outside an unsigned type's range.
  EXPECT_EQ(text_issues<std::uint8_t>("-1"),
            text_issue("greater_than_equal", "Input should be greater than or equal to 0", R"("-1")", R"({"ge":0})"));
  EXPECT_EQ(text_issues<std::uint64_t>("-5"),
            text_issue("greater_than_equal", "Input should be greater than or equal to 0", R"("-5")", R"({"ge":0})"));
  // With a rule, the rule's bound is the one reported, as in a JSON body.
  unsigned u = 0;
  EXPECT_EQ(text_issues("-5", u, &aegis::detail::rules_of<aegis::Min<10>>()),
            text_issue("greater_than_equal", "Input should be greater than or equal to 10", R"("-5")", R"({"ge":10})"));
}

TEST(JsonReadText, IntegerRules) {
  int n = 0;
  EXPECT_EQ(text_issues("0", n, &aegis::detail::rules_of<aegis::Min<1>>()),
            text_issue("greater_than_equal", "Input should be greater than or equal to 1", R"("0")", R"({"ge":1})"));
  EXPECT_EQ(text_issues("5", n, &aegis::detail::rules_of<aegis::Gt<4>, aegis::Lt<6>>()), kNoIssues);
  EXPECT_EQ(n, 5);
  // Beyond the type's range, the rule the client was told about is the one reported.
  EXPECT_EQ(text_issues("99999999999", n, &aegis::detail::rules_of<aegis::Max<1000>>()),
            text_issue("less_than_equal", "Input should be less than or equal to 1000", R"("99999999999")",
                       R"({"le":1000})"));
}

TEST(JsonReadText, Floats) {
  struct Case {
    std::string_view text;
    double want;
  };
  for (const Case& c : {Case{"1.5", 1.5}, Case{"+1.5", 1.5}, Case{"-1.5", -1.5}, Case{"2", 2.0}, Case{"1e3", 1000.0},
                        Case{"-2.5E-1", -0.25}, Case{"0", 0.0}}) {
    double out = 0;
    EXPECT_EQ(text_issues(c.text, out), kNoIssues) << c.text;
    EXPECT_EQ(out, c.want) << c.text;
  }
  float f = 0;
  EXPECT_EQ(text_issues("0.25", f), kNoIssues);
  EXPECT_EQ(f, 0.25f);
  for (std::string_view text : {"", "+", "-", "abc", "1.5x", "1,5", "1.5.1", " 1", "1 ", "++1", "0x1p3", "e5"}) {
    EXPECT_EQ(text_issues<double>(text), text_issue("float_parsing", kFloatParsing, aegis::detail::json_quote(text)))
        << text;
  }
  double d = 0;
  EXPECT_EQ(text_issues("1.5", d, &aegis::detail::rules_of<aegis::Lt<1>>()),
            text_issue("less_than", "Input should be less than 1", R"("1.5")", R"({"lt":1})"));
}

TEST(JsonReadText, Strings) {
  std::string s;
  EXPECT_EQ(text_issues("any text \"quoted\"", s), kNoIssues);
  EXPECT_EQ(s, "any text \"quoted\"");
  EXPECT_EQ(text_issues("", s), kNoIssues);
  EXPECT_EQ(s, "");
  EXPECT_EQ(
      text_issues("a", s, &aegis::detail::rules_of<aegis::MinLength<2>>()),
      text_issue("string_too_short", "String should have at least 2 characters", R"("a")", R"({"min_length":2})"));
  EXPECT_EQ(text_issues("a\"b", s, &aegis::detail::rules_of<aegis::Pattern<"^[a-z]+$">>()),
            text_issue("string_pattern_mismatch", "String should match pattern '^[a-z]+$'", R"("a\"b")",
                       R"({"pattern":"^[a-z]+$"})"));
}

TEST(JsonReadText, Enums) {
  Letter l = Letter::a;
  EXPECT_EQ(text_issues("b", l), kNoIssues);
  EXPECT_EQ(l, Letter::b);
  for (std::string_view text : {"B", "d", "", " b", "b ", "a\"b"}) {
    EXPECT_EQ(text_issues<Letter>(text),
              text_issue("enum", "Input should be 'a', 'b' or 'c'", aegis::detail::json_quote(text),
                         R"({"expected":"'a', 'b' or 'c'"})"))
        << text;
  }
}

TEST(JsonReadText, UuidDateAndDateTime) {
  aegis::Uuid u;
  EXPECT_EQ(text_issues("123E4567E89B12D3A456426614174000", u), kNoIssues);
  EXPECT_EQ(u.to_string(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(text_issues<aegis::Uuid>("123e4567-e89b-12d3-a456-42661417400"),
            text_issue("uuid_parsing", "Input should be a valid UUID", R"("123e4567-e89b-12d3-a456-42661417400")"));

  aegis::Date d;
  EXPECT_EQ(text_issues("2024-02-29", d), kNoIssues);
  EXPECT_EQ(d.to_string(), "2024-02-29");
  EXPECT_EQ(text_issues<aegis::Date>("2023-02-29"),
            text_issue("date_parsing", "Input should be a valid date in the format YYYY-MM-DD", R"("2023-02-29")"));

  aegis::DateTime dt;
  EXPECT_EQ(text_issues("2024-01-02 03:04:05.25-07:00", dt), kNoIssues);
  EXPECT_EQ(dt.to_string(), "2024-01-02T03:04:05.250000-07:00");
  EXPECT_EQ(text_issues<aegis::DateTime>("2024-01-02T03:04:05+24:00"),
            text_issue("datetime_parsing", "Input should be a valid datetime", R"("2024-01-02T03:04:05+24:00")"));
}

}  // namespace
