// Typed handler parameters through the in-process TestClient: extraction, conversion, defaults, rules and
// FastAPI-shaped 422 answers.
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace demo {

enum class Color { red, green, blue };
BOOST_DESCRIBE_ENUM(Color, red, green, blue)

struct Item {
  std::string name;
  int qty = 0;
  std::optional<double> price;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, price))
AEGIS_FIELD_RULES(Item, (name, aegis::MinLength<1>, aegis::MaxLength<10>), (qty, aegis::Min<1>, aegis::Max<100>))

// A form as an HTML page sends it: a cleared input arrives empty.
struct Signup {
  std::string name;
  int age = 0;
  std::vector<std::string> tags;
  std::optional<std::string> note;
  int score = 7;
};
BOOST_DESCRIBE_STRUCT(Signup, (), (name, age, tags, note, score))
AEGIS_FIELD_RULES(Signup, (tags, aegis::MaxLength<2>), (score, aegis::Optional))

struct Order {
  std::int64_t id = 0;
  std::vector<Item> items;
  Color color = Color::red;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, items, color))

}  // namespace demo

namespace {

using aegis::testing::TestClient;
using namespace aegis;

TEST(TypedParams, PathIsConvertedAndBadInputIs422) {
  App app;
  app.router().get("/items/{id}", [](Path<std::int64_t, "id"> id) { return std::to_string(*id * 2); });
  TestClient client(app);
  auto ok = client.get("/items/21").send();
  EXPECT_EQ(ok.status(), 200);
  EXPECT_EQ(ok.text(), "42");

  auto bad = client.get("/items/abc").send();
  EXPECT_EQ(bad.status(), 422);
  EXPECT_EQ(bad.text(),
            R"({"detail":[{"type":"int_parsing","loc":["path","id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]})");
}

TEST(TypedParams, QueryDefaultsOptionalsListsAndEveryErrorAtOnce) {
  App app;
  app.router().get("/search", [](Query<int, "limit", Default<10>, Min<1>, Max<50>> limit,
                                 Query<std::optional<std::string>, "q"> q, Query<std::vector<int>, "tag"> tags,
                                 Query<bool, "flag", Default<false>> flag, Query<demo::Color, "color", Default<demo::Color::green>> color) {
    std::string out = std::to_string(*limit) + "|" + (q->has_value() ? **q : "-") + "|";
    for (int t : *tags) out += std::to_string(t) + ",";
    out += std::string("|") + (*flag ? "on" : "off") + "|" + std::string(aegis::detail::enum_to_name(*color));
    return out;
  });
  TestClient client(app);
  EXPECT_EQ(client.get("/search").send().text(), "10|-||off|green");
  EXPECT_EQ(client.get("/search?limit=5&q=hi&tag=1&tag=2&flag=yes&color=blue").send().text(), "5|hi|1,2,|on|blue");

  auto bad = client.get("/search?limit=0&tag=x&flag=maybe&color=pink").send();
  EXPECT_EQ(bad.status(), 422);
  const auto detail = bad.json().at("detail").as_array();
  ASSERT_EQ(detail.size(), 4u) << bad.text();
  EXPECT_EQ(detail[0].at("type"), "greater_than_equal");
  EXPECT_EQ(boost::json::serialize(detail[0].at("loc")), R"(["query","limit"])");
  EXPECT_EQ(boost::json::serialize(detail[0].at("ctx")), R"({"ge":1})");
  EXPECT_EQ(detail[1].at("type"), "int_parsing");
  EXPECT_EQ(boost::json::serialize(detail[1].at("loc")), R"(["query","tag",0])");
  EXPECT_EQ(detail[2].at("type"), "bool_parsing");
  EXPECT_EQ(detail[3].at("type"), "enum");
  EXPECT_EQ(detail[3].at("msg"), "Input should be 'red', 'green' or 'blue'");
}

TEST(TypedParams, MissingRequiredQueryIsFieldRequired) {
  App app;
  app.router().get("/need", [](Query<std::string, "name"> name) { return *name; });
  TestClient client(app);
  auto r = client.get("/need").send();
  EXPECT_EQ(r.status(), 422);
  EXPECT_EQ(r.text(), R"({"detail":[{"type":"missing","loc":["query","name"],"msg":"Field required","input":null}]})");
}

TEST(TypedParams, HeaderNameConventionAndCookies) {
  App app;
  app.router().get("/h", [](Header<std::string, "user_agent"> ua, Header<std::optional<int>, "x_count"> count,
                            Cookie<std::string, "session", Default<"none">> session) {
    return *ua + "|" + std::to_string(count->value_or(-1)) + "|" + *session;
  });
  TestClient client(app);
  EXPECT_EQ(client.get("/h").header("User-Agent", "curl").send().text(), "curl|-1|none");
  EXPECT_EQ(client.get("/h").header("user-agent", "x").header("X-Count", "3").cookie("session", "abc").send().text(),
            "x|3|abc");
  auto bad = client.get("/h").send();
  EXPECT_EQ(bad.status(), 422);
  EXPECT_NE(bad.text().find(R"("loc":["header","user-agent"])"), std::string::npos) << bad.text();
}

TEST(TypedParams, JsonBodyIntoNestedStructsWithRules) {
  App app;
  app.router().post("/orders", [](Body<demo::Order> order) {
    order->id += 1;
    return *order;
  }).status(201);
  TestClient client(app);
  auto ok = client.post("/orders").json(R"({"id":1,"items":[{"name":"pen","qty":2}],"color":"blue"})").send();
  EXPECT_EQ(ok.status(), 201);
  EXPECT_EQ(ok.header("content-type"), "application/json");
  EXPECT_EQ(ok.text(), R"({"id":2,"items":[{"name":"pen","qty":2,"price":null}],"color":"blue"})");
  EXPECT_EQ(ok.json<demo::Order>().items.at(0).name, "pen");

  auto bad = client.post("/orders").json(R"({"id":"x","items":[{"name":"","qty":0},{"qty":5}],"color":"pink"})").send();
  EXPECT_EQ(bad.status(), 422);
  const auto detail = bad.json().at("detail").as_array();
  ASSERT_EQ(detail.size(), 5u) << bad.text();
  EXPECT_EQ(boost::json::serialize(detail[0].at("loc")), R"(["body","id"])");
  EXPECT_EQ(detail[0].at("type"), "int_type");
  EXPECT_EQ(boost::json::serialize(detail[1].at("loc")), R"(["body","items",0,"name"])");
  EXPECT_EQ(detail[1].at("type"), "string_too_short");
  EXPECT_EQ(boost::json::serialize(detail[2].at("loc")), R"(["body","items",0,"qty"])");
  EXPECT_EQ(boost::json::serialize(detail[3].at("loc")), R"(["body","items",1,"name"])");
  EXPECT_EQ(detail[3].at("type"), "missing");
  EXPECT_EQ(boost::json::serialize(detail[4].at("loc")), R"(["body","color"])");
}

// A JSON value keeps every number as written or refuses it: an integer beyond 64 bits would become an
// approximate double, a number beyond a double's range infinite (written back as null).
TEST(TypedParams, AJsonBodyRefusesNumbersItCouldNotKeepExactly) {
  App app;
  app.router().post("/j", [](Body<Json> body) { return *body; });
  TestClient client(app);
  const auto big = client.post("/j").json(R"({"id":123456789012345678901234567890})").send();
  EXPECT_EQ(big.status(), 422);
  EXPECT_EQ(big.text(), R"({"detail":[{"type":"int_parsing_size","loc":["body"],"msg":"Unable to parse input string as )"
                        R"(an integer, exceeded maximum size","input":123456789012345678901234567890}]})");
  EXPECT_EQ(client.post("/j").json("[1, -9223372036854775809]").send().status(), 422);
  const auto huge = client.post("/j").json(R"({"x":[1e400]})").send();
  EXPECT_EQ(huge.status(), 422);
  EXPECT_EQ(huge.json().at("detail").as_array()[0].at("type"), "finite_number");
  // The limits themselves, numbers inside strings, and ordinary floats stay as they are.
  EXPECT_EQ(client.post("/j").json(R"([18446744073709551615,-9223372036854775808,"123456789012345678901234567890",1e-400,2.5])")
                .send()
                .text(),
            R"([18446744073709551615,-9223372036854775808,"123456789012345678901234567890",0.0,2.5])");
}

// As FastAPI reads a body: a JSON null is no body (a required one is missing), and a byte order mark
// before the JSON is skipped.
TEST(TypedParams, ANullBodyIsMissingAndAByteOrderMarkIsSkipped) {
  App app;
  app.router().post("/j", [](Body<Json> body) { return *body; });
  app.router().post("/item", [](Body<demo::Item> item) { return item->name; });
  TestClient client(app);
  for (const char* path : {"/j", "/item"}) {
    const auto r = client.post(path).json(" null\n").send();
    EXPECT_EQ(r.status(), 422) << path;
    EXPECT_EQ(r.text(), R"({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]})") << path;
  }
  EXPECT_EQ(client.post("/j").json("\xEF\xBB\xBF[1]").send().text(), "[1]");
  EXPECT_EQ(client.post("/item").json("\xEF\xBB\xBF{\"name\":\"pen\",\"qty\":1}").send().text(), "pen");
  EXPECT_EQ(client.post("/j").json(R"({"a":null})").send().text(), R"({"a":null})");
}

TEST(TypedParams, MalformedJsonNamesThePositionAndWrongTypeIs415) {
  App app;
  app.router().post("/j", [](Body<Json> body) { return *body; });
  TestClient client(app);
  auto bad = client.post("/j").json(R"({"a":1,})").send();
  EXPECT_EQ(bad.status(), 422);
  const auto d = bad.json().at("detail").as_array().at(0);
  EXPECT_EQ(d.at("type"), "json_invalid");
  EXPECT_EQ(boost::json::serialize(d.at("loc")), R"(["body",7])");
  EXPECT_EQ(client.post("/j").body("a=1", "text/plain").send().status(), 415);
  EXPECT_EQ(client.post("/j").json(R"([1,2])").send().text(), "[1,2]");
  auto missing = client.post("/j").send();
  EXPECT_EQ(missing.status(), 422);
  EXPECT_EQ(missing.text(), R"({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]})");
}

TEST(TypedParams, FormBody) {
  App app;
  app.router().post("/f", [](Form<demo::Item> item) { return item->name + ":" + std::to_string(item->qty); });
  TestClient client(app);
  EXPECT_EQ(client.post("/f").form({{"name", "a b"}, {"qty", "3"}}).send().text(), "a b:3");
  auto bad = client.post("/f").form({{"qty", "300"}}).send();
  EXPECT_EQ(bad.status(), 422);
  EXPECT_EQ(bad.json().at("detail").as_array().size(), 2u) << bad.text();
  EXPECT_EQ(client.post("/f").json(R"({"name":"x"})").send().status(), 415);
}

// Read as FastAPI reads a form: an empty value is absent (required: missing; optional: its default),
// a list is required like any field and gets every value.
TEST(TypedParams, FormEmptyValuesAreAbsentAndListsAreRequired) {
  App app;
  app.router().post("/signup", [](Form<demo::Signup> s) {
    std::string tags;
    for (const auto& t : s->tags) tags += "[" + t + "]";
    return s->name + "|" + std::to_string(s->age) + "|" + tags + "|" + s->note.value_or("-") + "|" +
           std::to_string(s->score);
  });
  TestClient client(app);
  EXPECT_EQ(client.post("/signup").form({{"name", "ann"}, {"age", "30"}, {"tags", "a"}, {"tags", ""}, {"note", ""},
                                         {"score", ""}})
                .send()
                .text(),
            "ann|30|[a][]|-|7");
  const auto missing = client.post("/signup").form({{"name", ""}, {"age", "5"}}).send();
  EXPECT_EQ(missing.status(), 422);
  EXPECT_EQ(missing.text(),
            R"({"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":null},)"
            R"({"type":"missing","loc":["body","tags"],"msg":"Field required","input":null}]})");
  // The last of repeated values, as Starlette's form reads a field.
  EXPECT_EQ(client.post("/signup").form({{"name", "a"}, {"name", "b"}, {"age", "1"}, {"tags", "t"}}).send().text(),
            "b|1|[t]|-|7");
  // A list's length rule counts its values, not the characters of each.
  EXPECT_EQ(client.post("/signup").form({{"name", "a"}, {"age", "1"}, {"tags", "long tag"}}).send().status(), 200);
  const auto three = client.post("/signup").form({{"name", "a"}, {"age", "1"}, {"tags", "x"}, {"tags", "y"}, {"tags", "z"}}).send();
  EXPECT_EQ(three.status(), 422);
  EXPECT_NE(three.text().find(R"("type":"too_long","loc":["body","tags"])"), std::string::npos) << three.text();
}

// A repeated header is read from its first line, as Starlette does (a query parameter from its last).
TEST(TypedParams, ARepeatedHeaderIsItsFirstLine) {
  App app;
  app.router().get("/h", [](Header<std::string, "x_token"> token, Header<std::vector<std::string>, "x_tag"> tags) {
    return *token + "|" + std::to_string(tags->size());
  });
  TestClient client(app);
  EXPECT_EQ(client.get("/h").header("X-Token", "first").header("X-Token", "second").header("X-Tag", "a").header("X-Tag", "b")
                .send()
                .text(),
            "first|2");
}

// One issue per value: the first rule it breaks, as pydantic reports it.
TEST(TypedParams, AValueBreakingSeveralRulesIsOneIssue) {
  App app;
  app.router().get("/r", [](Query<std::string, "s", Default<"abc">, MinLength<3>, Pattern<"^[a-z]+$">> s,
                            Query<double, "x", Default<0.5>, Gt<0>, Lt<1>> x) { return *s + std::to_string(*x); });
  TestClient client(app);
  const auto short_upper = client.get("/r?s=AB").send();
  EXPECT_EQ(short_upper.status(), 422);
  const auto issues = short_upper.json().at("detail").as_array();
  ASSERT_EQ(issues.size(), 1u) << short_upper.text();
  EXPECT_EQ(issues[0].at("type"), "string_too_short");
  const auto nan = client.get("/r?x=nan").send();
  ASSERT_EQ(nan.json().at("detail").as_array().size(), 1u) << nan.text();
  EXPECT_EQ(nan.json().at("detail").as_array()[0].at("type"), "less_than") << nan.text();
  EXPECT_EQ(client.get("/r?s=AB1").send().json().at("detail").as_array()[0].at("type"), "string_pattern_mismatch");
}

// A list parameter's length issue quotes the values it received.
TEST(TypedParams, AListLengthIssueQuotesTheValues) {
  App app;
  app.router().get("/l", [](Query<std::vector<int>, "v", MaxLength<2>> v) { return std::to_string(v->size()); });
  TestClient client(app);
  const auto r = client.get("/l?v=1&v=2&v=3").send();
  EXPECT_EQ(r.status(), 422);
  EXPECT_NE(r.text().find(R"({"type":"too_long","loc":["query","v"],)"), std::string::npos) << r.text();
  EXPECT_NE(r.text().find(R"("input":["1","2","3"])"), std::string::npos) << r.text();
}

// A number beyond a double's range reads as the same number in a JSON body does: infinity, or zero.
TEST(TypedParams, AFloatBeyondADoublesRangeIsInfinityOrZero) {
  App app;
  app.router().get("/f", [](Query<double, "v"> v) { return std::string(*v == 0 ? "zero" : std::isinf(*v) ? "inf" : "finite"); });
  app.router().get("/positive", [](Query<double, "v", Gt<0>> v) { return std::to_string(*v); });
  TestClient client(app);
  EXPECT_EQ(client.get("/f?v=1e400").send().text(), "inf");
  EXPECT_EQ(client.get("/f?v=-1e400").send().text(), "inf");
  EXPECT_EQ(client.get("/f?v=1e-400").send().text(), "zero");
  EXPECT_EQ(client.get("/positive?v=1e-400").send().json().at("detail").as_array()[0].at("type"), "greater_than");
  EXPECT_EQ(client.get("/f?v=1e400x").send().status(), 422);
}

struct Counter {
  int value = 0;
};

struct Db {
  std::vector<std::string>* log;
};

TEST(TypedParams, DependsResolvesOncePerRequestAndCleansUpAfter) {
  App app;
  std::vector<std::string> log;
  int made = 0;
  app.provide<Db>([&] {
    ++made;
    log.push_back("db opened");
    return Yield(Db{&log}, [](Db& db) { db.log->push_back("db closed"); });
  });
  app.provide<Counter>([](Depends<Db> db) {
    db->log->push_back("counter");
    return Counter{7};
  });
  app.router().get("/d", [&log](Depends<Db> db, Depends<Counter> c) {
    log.push_back("handler");
    return std::to_string(c->value) + (db->log == &log ? "" : "?");
  });
  TestClient client(app);
  EXPECT_EQ(client.get("/d").send().text(), "7");
  EXPECT_EQ(made, 1);
  ASSERT_GE(log.size(), 4u);
  EXPECT_EQ(log[0], "db opened");
  EXPECT_EQ(log[1], "counter");
  EXPECT_EQ(log[2], "handler");
  EXPECT_EQ(log.back(), "db closed");
}

TEST(TypedParams, StateAndRequestAndResponseParameters) {
  App app;
  app.state().emplace<Counter>("counter", Counter{5});
  app.router().get("/s", [](State<Counter> c, const Request& req, Response& res) {
    res.set_header("X-Path", req.path());
    return c->value;
  });
  TestClient client(app);
  auto r = client.get("/s").send();
  EXPECT_EQ(r.text(), "5");
  EXPECT_EQ(r.header("x-path"), "/s");
}

TEST(TypedParams, BootErrorsNameTheRoute) {
  {
    App app;
    app.router().get("/x", [](Depends<Counter>) { return 1; });
    try {
      app.freeze();
      FAIL() << "freeze should throw";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("GET /x"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("Depends<(anonymous namespace)::Counter>"), std::string::npos) << e.what();
    }
  }
  {
    App app;
    app.router().get("/y", [](State<Counter>) { return 1; });
    EXPECT_THROW(app.freeze(), std::invalid_argument);
  }
  {
    App app;
    app.router().get(std::string("/z/{id}"), [](Path<int, "other">) { return 1; });
    EXPECT_THROW(app.freeze(), std::invalid_argument);
  }
}

Task<int> twice(int v) { co_return v * 2; }

TEST(TypedParams, CoroutineAndBlockingHandlers) {
  App app;
  app.router().get("/co/{n}", [](Path<int, "n"> n) -> Task<int> { co_return co_await twice(*n); });
  app.router().get("/block/{n}", [](Path<int, "n"> n) { return *n + 1; }).blocking();
  app.router().get("/throws", []() -> Task<int> {
    throw HttpError(409, "conflict");
    co_return 1;
  });
  app.router().get("/block-throws", []() -> int { throw HttpError(418, "teapot"); }).blocking();
  TestClient client(app);
  EXPECT_EQ(client.get("/co/4").send().text(), "8");
  EXPECT_EQ(client.get("/block/4").send().text(), "5");
  auto t = client.get("/throws").send();
  EXPECT_EQ(t.status(), 409);
  EXPECT_EQ(t.text(), R"({"detail":"conflict"})");
  EXPECT_EQ(client.get("/block-throws").send().status(), 418);
}

TEST(TypedParams, VoidIs204AndExceptionHandlersPickMostDerived) {
  struct Base : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  struct Derived : Base {
    using Base::Base;
  };
  App app;
  app.router().del("/v", [] {});
  app.router().get("/base", []() -> int { throw Base("b"); });
  app.router().get("/derived", []() -> int { throw Derived("d"); });
  app.add_exception_handler<Base>([](const Request&, Response& res, const Base& e) { res.text(std::string("base:") + e.what(), 400); });
  app.add_exception_handler<Derived>([](const Request&, Response& res, const Derived& e) { res.text(std::string("derived:") + e.what(), 409); });
  TestClient client(app);
  EXPECT_EQ(client.del("/v").send().status(), 204);
  auto b = client.get("/base").send();
  EXPECT_EQ(b.status(), 400);
  EXPECT_EQ(b.text(), "base:b");
  auto d = client.get("/derived").send();
  EXPECT_EQ(d.status(), 409);
  EXPECT_EQ(d.text(), "derived:d");
}

// The built-in answers for HttpError and validation errors are handlers at those types: a catch-all for
// std::exception (a logging handler, say) takes the 500s only, as Starlette's Exception handler does.
TEST(TypedParams, AHandlerForStdExceptionLeavesHttpErrorsAndValidationErrorsToTheirDefaults) {
  struct Teapot : HttpError {
    Teapot() : HttpError(418, "short and stout") {}
  };
  App app;
  app.router().get("/missing", []() -> int { throw HttpError(404, "nf", {{"WWW-Authenticate", "Bearer"}}); });
  app.router().get("/teapot", []() -> int { throw Teapot(); });
  app.router().get("/n", [](Query<int, "n"> n) { return *n; });
  app.router().get("/boom", []() -> int { throw std::runtime_error("kaput"); });
  app.add_exception_handler<std::exception>(
      [](const Request&, Response& res, const std::exception& e) { res.text(std::string("generic:") + e.what(), 599); });
  app.add_exception_handler<Teapot>([](const Request&, Response& res, const Teapot&) { res.text("teapot", 418); });
  TestClient client(app);
  const auto nf = client.get("/missing").send();
  EXPECT_EQ(nf.status(), 404);
  EXPECT_EQ(nf.text(), R"({"detail":"nf"})");
  EXPECT_EQ(nf.header("WWW-Authenticate"), "Bearer");
  const auto invalid = client.get("/n").send();
  EXPECT_EQ(invalid.status(), 422);
  EXPECT_NE(invalid.text().find("\"missing\""), std::string::npos) << invalid.text();
  EXPECT_EQ(client.get("/boom").send().text(), "generic:kaput");
  EXPECT_EQ(client.get("/boom").send().status(), 599);
  // A handler for a type derived from HttpError is more derived than the default: it answers.
  EXPECT_EQ(client.get("/teapot").send().text(), "teapot");
}

TEST(TypedParams, AHandlerForHttpErrorItselfReplacesTheDefault) {
  App app;
  app.router().get("/missing", []() -> int { throw HttpError(404, "nf"); });
  app.router().get("/n", [](Query<int, "n"> n) { return *n; });
  app.add_exception_handler<HttpError>(
      [](const Request&, Response& res, const HttpError& e) { res.text("mine:" + e.detail(), e.status()); });
  app.add_exception_handler<RequestValidationError>(
      [](const Request&, Response& res, const RequestValidationError&) { res.text("invalid", 400); });
  TestClient client(app);
  EXPECT_EQ(client.get("/missing").send().text(), "mine:nf");
  const auto invalid = client.get("/n").send();
  EXPECT_EQ(invalid.status(), 400);
  EXPECT_EQ(invalid.text(), "invalid");
}

// A path parameter from the router's prefix: the route's template is a runtime string (the compile-time
// check sees only its own template), and the boot checks the whole path.
TEST(TypedParams, APathParameterCanComeFromTheRoutersPrefix) {
  App app;
  Router orders;
  orders.get(std::string("/orders/{oid}"),
             [](Path<int, "uid"> uid, Path<int, "oid"> oid) { return std::to_string(*uid) + "/" + std::to_string(*oid); });
  app.include_router(orders, {.prefix = "/users/{uid}"});
  TestClient client(app);
  EXPECT_EQ(client.get("/users/7/orders/3").send().text(), "7/3");
  EXPECT_EQ(client.get("/users/x/orders/3").send().status(), 422);

  App wrong;
  Router lost;
  lost.get(std::string("/orders/{oid}"), [](Path<int, "uid"> uid, Path<int, "oid"> oid) { return *uid + *oid; });
  wrong.include_router(lost, {.prefix = "/users/{id}"});
  EXPECT_THROW(wrong.freeze(), std::invalid_argument);
}

TEST(TypedParams, APatternThatDoesNotCompileStopsTheBootNamingTheRoute) {
  // The boot error `app.freeze()` throws, or a failure when it boots.
  auto boot_error = [](App& app) -> std::string {
    try {
      app.freeze();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    ADD_FAILURE() << "the app booted with a pattern that does not compile";
    return {};
  };
  for (const bool served : {true, false}) {
    AppSettings settings;
    if (!served) settings.openapi_url.clear();  // the rules are still built at boot
    App app(std::move(settings));
    app.router().get("/s", [](Query<std::string, "s", Pattern<"([a-z">> s) { return *s; });
    const std::string error = boot_error(app);
    EXPECT_NE(error.find("GET /s"), std::string::npos) << error;
    EXPECT_NE(error.find("([a-z"), std::string::npos) << error;
  }
  // A route hidden from the document is checked all the same.
  App hidden_only;
  hidden_only.router().get("/hidden", [](Query<std::string, "h", Pattern<"(x">> h) { return *h; }).include_in_schema(false);
  const std::string error = boot_error(hidden_only);
  EXPECT_NE(error.find("GET /hidden"), std::string::npos) << error;
}

}  // namespace
