// The router, request decoding, methods and error responses as a client sees them over a real socket.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "integration/http_fixtures.hpp"

namespace aegis {
namespace {

using itest::answers_a_new_connection;
using itest::expect_rejected_and_closed;
using itest::kCloseWait;
using itest::kStaysOpenWait;
using itest::Ms;

// Answers "<route name>:<request path>" so that a test sees which route ran and on what path.
RequestHandler named(std::string name) {
  return [name = std::move(name)](Request& req, Response& res) { res.text(name + ":" + std::string(req.path())); };
}

// ---------------------------------------------------------------------------------------------------------
// Path decoding and query parameters

class PathDecoding : public ::testing::Test {
 protected:
  PathDecoding() {
    itest::add_basic_routes(app_);
    auto& r = app_.router();
    r.get("/a b", named("space"));
    r.get("/secret", named("secret"));
    r.get("/etc", named("etc"));
    r.get("/a/b", named("ab"));
    r.get("/users/{name}", [](Request& req, Response& res) { res.text(std::string(req.path_param("name"))); });
    r.get("/target", [](Request& req, Response& res) {
      res.text(std::string(req.target()) + " | " + std::string(req.path()) + " | " + std::string(req.query_string()));
    });
    r.get("/q", [](Request& req, Response& res) {
      std::string out;
      for (const auto& p : req.query_params()) out += std::string(p.name) + "=" + std::string(p.value) + ";";
      out += " first a=" + std::string(req.query("a").value_or("<none>"));
      out += " missing=" + std::string(req.query("zzz").value_or("<none>"));
      res.text(out);
    });
    server_.emplace(app_);
  }
  std::uint16_t port() const { return server_->port(); }
  test::HttpReply get(const std::string& target) {
    test::RawClient client(port());
    return client.roundtrip(test::get_request(target));
  }

  App app_;
  std::optional<test::TestServer> server_;
};

TEST_F(PathDecoding, PercentEncodedSpaceRoutesToTheDecodedTemplate) {
  const auto reply = get("/a%20b");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "space:/a b");
}

TEST_F(PathDecoding, DotDotSegmentsAreResolved) {
  const auto reply = get("/x/../secret");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "secret:/secret");
}

TEST_F(PathDecoding, DotDotSegmentsNeverEscapeTheRoot) {
  for (const char* target : {"/../../etc", "/../etc", "/a/../../../etc", "/%2e%2e/%2e%2e/etc", "/%2E%2E/etc"}) {
    SCOPED_TRACE(target);
    const auto reply = get(target);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, "etc:/etc");
  }
}

TEST_F(PathDecoding, SingleDotSegmentsAreRemoved) {
  const auto reply = get("/a/./b");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ab:/a/b");
}

TEST_F(PathDecoding, InvalidPercentEncodingAnswers400) {
  for (const char* target : {"/%zz", "/a%2", "/a%", "/users/%g1"}) {
    SCOPED_TRACE(target);
    const auto reply = get(target);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.body.rfind("{\"detail\":", 0), 0u) << reply.body;
  }
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(PathDecoding, EncodedNulAnswers400) {
  const auto reply = get("/users/a%00b");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(PathDecoding, PathParametersAreDecoded) {
  const auto reply = get("/users/J%C3%B6rg%20M");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "J\xC3\xB6rg M");
}

TEST_F(PathDecoding, TargetIsKeptAsReceivedBesideTheDecodedPathAndRawQuery) {
  test::RawClient client(port());
  const auto reply = client.roundtrip(test::get_request("/tar%67et?x=%41&y"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "/tar%67et?x=%41&y | /target | x=%41&y");
}

TEST_F(PathDecoding, QueryParametersAreDecodedAndRepeatedKeysKept) {
  const auto reply = get("/q?a=1&a=2&b=x+y&c=%41&d=&e");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "a=1;a=2;b=x y;c=A;d=;e=; first a=1 missing=<none>");
}

TEST_F(PathDecoding, QueryStringDoesNotAffectRouting) {
  const auto reply = get("/secret?next=/etc&x=../..");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "secret:/secret");
}

TEST_F(PathDecoding, AbsoluteFormTargetRoutesByItsPath) {
  const auto reply = get("http://localhost/secret");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "secret:/secret");
}

// ---------------------------------------------------------------------------------------------------------
// Methods and versions

class Methods : public ::testing::Test {
 protected:
  Methods() {
    itest::add_basic_routes(app_);
    auto& r = app_.router();
    r.get("/doc", [](Request&, Response& res) { res.text("document"); });
    r.get("/multi", named("get"));
    r.del("/multi", named("delete"));
    r.post("/submit", named("post"));
    r.get("/custom-options", named("get"));
    r.options("/custom-options", [](Request&, Response& res) { res.text("handled by the route"); });
    server_.emplace(app_);
  }
  std::uint16_t port() const { return server_->port(); }

  App app_;
  std::optional<test::TestServer> server_;
};

TEST_F(Methods, UnknownMethodTokenAnswers501) {
  test::RawClient client(port());
  client.send("FOO / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto reply = itest::read_or_describe(client);
  EXPECT_EQ(reply.status, 501) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_TRUE(itest::has_date_and_exact_length(reply));
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(Methods, MethodTokensAreCaseSensitive) {
  test::RawClient client(port());
  client.send("get /ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(itest::read_or_describe(client).status, 501);
}

TEST_F(Methods, PutToAGetOnlyRouteAnswers405WithAllow) {
  test::RawClient client(port());
  const auto reply = client.roundtrip("PUT /doc HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(reply.body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_TRUE(itest::has_date_and_exact_length(reply));
  // A 405 is not a framing error: the connection stays usable.
  EXPECT_EQ(client.roundtrip(test::get_request("/doc")).body, "document");
}

TEST_F(Methods, AllowListsEveryMethodOfThePath) {
  test::RawClient client(port());
  const auto on_multi = client.roundtrip("PATCH /multi HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(on_multi.status, 405);
  EXPECT_EQ(on_multi.header("allow"), "GET, HEAD, DELETE, OPTIONS");
  const auto on_post = client.roundtrip(test::get_request("/submit"));
  EXPECT_EQ(on_post.status, 405);
  EXPECT_EQ(on_post.header("allow"), "POST, OPTIONS");
}

TEST_F(Methods, DeleteIsRoutedToItsOwnHandler) {
  test::RawClient client(port());
  EXPECT_EQ(client.roundtrip("DELETE /multi HTTP/1.1\r\nHost: localhost\r\n\r\n").body, "delete:/multi");
  EXPECT_EQ(client.roundtrip(test::get_request("/multi")).body, "get:/multi");
}

TEST_F(Methods, OptionsOnAGetRouteAnswers204WithAllow) {
  test::RawClient client(port());
  const auto reply = client.roundtrip("OPTIONS /doc HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(reply.header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_FALSE(reply.header("content-length").has_value());
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
}

TEST_F(Methods, OptionsHandledByARouteIsNotAnsweredAutomatically) {
  test::RawClient client(port());
  const auto reply = client.roundtrip("OPTIONS /custom-options HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "handled by the route");
}

TEST_F(Methods, OptionsAsteriskAsksAboutTheServer) {
  test::RawClient client(port());
  const auto reply = client.roundtrip("OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(reply.status, 204);
  EXPECT_TRUE(reply.header("allow").has_value());
}

TEST_F(Methods, AsteriskTargetWithAnotherMethodAnswers400) {
  test::RawClient client(port());
  client.send("GET * HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(itest::read_or_describe(client).status, 400);
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(Methods, HeadOnAGetRouteAnswersWithoutABody) {
  test::RawClient client(port());
  client.send("HEAD /doc HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto reply = client.read_response(/*head_request=*/true);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-length"), "8");
  EXPECT_FALSE(client.closed_by_server(kStaysOpenWait));
  EXPECT_TRUE(client.pending().empty()) << "HEAD response carried a body: " << client.pending();
}

TEST_F(Methods, UnsupportedVersionAnswers505) {
  for (const char* version : {"HTTP/2.0", "HTTP/3.0", "HTTP/0.9"}) {
    SCOPED_TRACE(version);
    test::RawClient client(port());
    client.send(std::string("GET /ping ") + version + "\r\nHost: localhost\r\n\r\n");
    const auto reply = itest::read_or_describe(client);
    EXPECT_EQ(reply.status, 505) << reply.body;
    EXPECT_EQ(reply.header("content-type"), "application/json");
  }
  EXPECT_TRUE(answers_a_new_connection(port()));
}

TEST_F(Methods, GarbageRequestLineAnswers400AndCloses) {
  expect_rejected_and_closed(port(), "HELLO\r\n\r\n", 400);
  expect_rejected_and_closed(port(), "GET /ping\r\nHost: localhost\r\n\r\n", 400);
  expect_rejected_and_closed(port(), "GET /ping HTTP/1.1 extra\r\nHost: localhost\r\n\r\n", 400);
  expect_rejected_and_closed(port(), "GET  /ping HTTP/1.1\r\nHost: localhost\r\n\r\n", 400);
  expect_rejected_and_closed(port(), "GET /ping http/1.1\r\nHost: localhost\r\n\r\n", 400);
  expect_rejected_and_closed(port(), "GET ping HTTP/1.1\r\nHost: localhost\r\n\r\n", 400);
  expect_rejected_and_closed(port(), std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n", 400);
}

// ---------------------------------------------------------------------------------------------------------
// The router over HTTP

TEST(RouterOverHttp, UnknownPathAnswers404WithJsonDetail) {
  App app;
  itest::add_basic_routes(app);
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto reply = client.roundtrip(test::get_request("/nowhere"));
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.body, R"({"detail":"Not Found"})");
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_TRUE(itest::has_date_and_exact_length(reply));
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong") << "a 404 must not close the connection";
}

TEST(RouterOverHttp, StaticSegmentBeatsAParameterWhateverTheOrder) {
  App app;
  app.router().get("/users/{id}", [](Request& req, Response& res) {
    res.text("param " + std::string(req.path_param("id")));
  });
  app.router().get("/users/me", named("static"));
  test::TestServer server(app);
  test::RawClient client(server.port());
  EXPECT_EQ(client.roundtrip(test::get_request("/users/me")).body, "static:/users/me");
  EXPECT_EQ(client.roundtrip(test::get_request("/users/42")).body, "param 42");
}

TEST(RouterOverHttp, IntConverterDoesNotMatchText) {
  App app;
  app.router().get("/items/{id:int}", [](Request& req, Response& res) {
    res.text("int " + std::string(req.path_param("id")));
  });
  app.router().get("/items/{name}", [](Request& req, Response& res) {
    res.text("str " + std::string(req.path_param("name")));
  });
  app.router().get("/only/{id:int}", named("only"));
  test::TestServer server(app);
  test::RawClient client(server.port());
  EXPECT_EQ(client.roundtrip(test::get_request("/items/17")).body, "int 17");
  EXPECT_EQ(client.roundtrip(test::get_request("/items/abc")).body, "str abc");
  const auto no_match = client.roundtrip(test::get_request("/only/abc"));
  EXPECT_EQ(no_match.status, 404);
  EXPECT_EQ(no_match.body, R"({"detail":"Not Found"})");
  EXPECT_EQ(client.roundtrip(test::get_request("/only/5")).status, 200);
}

TEST(RouterOverHttp, PathConverterCapturesSlashes) {
  App app;
  app.router().get("/files/{rest:path}", [](Request& req, Response& res) {
    res.text(std::string(req.path_param("rest")));
  });
  test::TestServer server(app);
  test::RawClient client(server.port());
  EXPECT_EQ(client.roundtrip(test::get_request("/files/a/b/c.txt")).body, "a/b/c.txt");
  EXPECT_EQ(client.roundtrip(test::get_request("/files/one")).body, "one");
  EXPECT_EQ(client.roundtrip(test::get_request("/files/a/../b")).body, "b") << "dot segments resolve first";
}

TEST(RouterOverHttp, TrailingSlashRedirectsWith307KeepingTheQuery) {
  App app;
  app.router().get("/manual", named("docs"));
  app.router().get("/dir/", named("dir"));
  app.router().post("/form", named("form"));
  test::TestServer server(app);
  test::RawClient client(server.port());

  const auto extra = client.roundtrip(test::get_request("/manual/?x=1&y=%20"));
  EXPECT_EQ(extra.status, 307);
  EXPECT_EQ(extra.header("location"), "/manual?x=1&y=%20");
  EXPECT_TRUE(itest::has_date_and_exact_length(extra));

  const auto missing = client.roundtrip(test::get_request("/dir"));
  EXPECT_EQ(missing.status, 307);
  EXPECT_EQ(missing.header("location"), "/dir/");

  const auto post = client.roundtrip("POST /form/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post.status, 307) << "307 keeps the method, so it applies to POST too";
  EXPECT_EQ(post.header("location"), "/form");

  EXPECT_EQ(client.roundtrip(test::get_request("/manual")).body, "docs:/manual");
}

// The Location names the path the router matched, so a target whose raw form starts with "//" or "/\\"
// cannot send a browser to another site (an open redirect).
TEST(RouterOverHttp, TrailingSlashRedirectsNeverLeaveTheSite) {
  App app;
  app.router().get("/manual", named("docs"));
  app.router().get("/files/{name}", named("files"));
  test::TestServer server(app);
  test::RawClient client(server.port());

  for (const char* target : {"//evil.example/..%2F..%2Fmanual/", "//evil.example/%2e%2e/%2e%2e/manual/",
                             "/\\evil.example/../manual/", "/%5Cevil.example/../manual/"}) {
    const auto r = client.roundtrip(test::get_request(target));
    EXPECT_EQ(r.status, 307) << target;
    EXPECT_EQ(r.header("location"), "/manual") << target;
  }
  // Characters a path may not carry as they are go out percent-encoded.
  const auto spaced = client.roundtrip(test::get_request("/files/a%20b%5Cc/"));
  EXPECT_EQ(spaced.status, 307);
  EXPECT_EQ(spaced.header("location"), "/files/a%20b%5Cc");
}

TEST(RouterOverHttp, NoTrailingSlashRedirectWhenSwitchedOff) {
  App app;
  app.settings().redirect_slashes = false;
  app.router().get("/manual", named("docs"));
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto reply = client.roundtrip(test::get_request("/manual/"));
  EXPECT_EQ(reply.status, 404);
  EXPECT_FALSE(reply.header("location").has_value());
}

TEST(RouterOverHttp, IncludedRouterIsServedUnderItsPrefix) {
  Router orders;
  orders.get("/orders/{id:int}", [](Request& req, Response& res) {
    res.text("order " + std::string(req.path_param("id")));
  });
  App app;
  app.include_router(orders, {.prefix = "/api", .tags = {"orders"}});
  test::TestServer server(app);
  test::RawClient client(server.port());
  EXPECT_EQ(client.roundtrip(test::get_request("/api/orders/5")).body, "order 5");
  EXPECT_EQ(client.roundtrip(test::get_request("/orders/5")).status, 404);
}

// ---------------------------------------------------------------------------------------------------------
// Requests as handlers see them

TEST(RequestOverHttp, ExposesHeadersCaseInsensitivelyCookiesAndTheClientAddress) {
  App app;
  app.router().get("/who", [](Request& req, Response& res) {
    std::string out = "custom=" + std::string(req.header("x-custom"));
    out += " ip=" + std::string(req.client_ip());
    out += " a=" + std::string(req.cookie("a").value_or("-"));
    out += " b=" + std::string(req.cookie("b").value_or("-"));
    out += " fields=" + std::to_string(req.headers().size());
    res.text(out);
  });
  test::TestServer server(app);
  test::RawClient client(server.port());
  const auto reply = client.roundtrip(test::get_request("/who", "X-CUSTOM: Value\r\nCookie: a=1; b=\"two\"\r\n"));
  EXPECT_EQ(reply.body, "custom=Value ip=127.0.0.1 a=1 b=two fields=3");
}

// ---------------------------------------------------------------------------------------------------------
// Errors raised by handlers

TEST(HandlerErrors, HttpErrorAnswersItsStatusDetailAndHeaders) {
  App app;
  itest::add_basic_routes(app);
  app.router().get("/limited", [](Request&, Response&) -> void {
    throw HttpError(429, "Slow down", {{"Retry-After", "7"}});
  });
  app.router().get("/private", [](Request&, Response& res) -> void {
    res.set_header("X-Lost", "handler headers do not survive an error");
    throw HttpError(401, "Not authenticated", {{"WWW-Authenticate", "Bearer"}});
  });
  test::TestServer server(app);
  test::RawClient client(server.port());

  const auto limited = client.roundtrip(test::get_request("/limited"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body, R"({"detail":"Slow down"})");
  EXPECT_EQ(limited.header("retry-after"), "7");
  EXPECT_EQ(limited.header("content-type"), "application/json");
  EXPECT_TRUE(itest::has_date_and_exact_length(limited));

  const auto denied = client.roundtrip(test::get_request("/private"));
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.body, R"({"detail":"Not authenticated"})");
  EXPECT_EQ(denied.header("www-authenticate"), "Bearer");
  EXPECT_FALSE(denied.header("x-lost").has_value());

  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong") << "an HttpError must not close the connection";
}

TEST(HandlerErrors, EscapingExceptionAnswers500AndTheServerKeepsServing) {
  App app;
  itest::add_basic_routes(app);
  app.router().get("/crash", [](Request&, Response& res) -> void {
    res.text("partial output that must not leak");
    res.set_header("X-Partial", "1");
    throw std::runtime_error("database exploded: secret=hunter2");
  });
  app.router().get("/crash-int", [](Request&, Response&) -> void { throw 42; });
  test::TestServer server(app);
  {
    test::RawClient client(server.port());
    const auto reply = client.roundtrip(test::get_request("/crash"));
    EXPECT_EQ(reply.status, 500);
    EXPECT_TRUE(itest::is_internal_error_body(reply.body)) << reply.body;
    EXPECT_EQ(reply.header("content-type"), "application/json");
    EXPECT_FALSE(reply.header("x-partial").has_value());
    EXPECT_TRUE(itest::has_date_and_exact_length(reply));
  }
  {
    test::RawClient client(server.port());
    const auto reply = client.roundtrip(test::get_request("/crash-int"));
    EXPECT_EQ(reply.status, 500);
    EXPECT_TRUE(itest::is_internal_error_body(reply.body)) << reply.body;
  }
  EXPECT_TRUE(answers_a_new_connection(server.port()));
}

TEST(HandlerErrors, HeaderValueWithCrlfAnswers500AndInjectsNothing) {
  App app;
  itest::add_basic_routes(app);
  app.router().get("/inject-value", [](Request&, Response& res) {
    res.text("ok");
    res.set_header("X-Evil", "ok\r\nSet-Cookie: session=stolen");
  });
  app.router().get("/inject-lf", [](Request&, Response& res) {
    res.text("ok");
    res.add_header("X-Evil", "ok\nSet-Cookie: session=stolen");
  });
  app.router().get("/inject-name", [](Request&, Response& res) {
    res.text("ok");
    res.set_header("X-Evil\r\nSet-Cookie", "session=stolen");
  });
  app.router().get("/inject-nul", [](Request&, Response& res) {
    res.text("ok");
    res.set_header("X-Evil", std::string("a\0b", 3));
  });
  app.router().get("/inject-error", [](Request&, Response&) -> void {
    throw HttpError(400, "bad", {{"X-Evil", "v\r\nSet-Cookie: session=stolen"}});
  });
  test::TestServer server(app);
  test::RawClient client(server.port());
  for (const char* path : {"/inject-value", "/inject-lf", "/inject-name", "/inject-nul", "/inject-error"}) {
    SCOPED_TRACE(path);
    const auto reply = client.roundtrip(test::get_request(path));
    EXPECT_EQ(reply.status, 500);
    EXPECT_TRUE(itest::is_internal_error_body(reply.body)) << reply.body;
    EXPECT_FALSE(reply.header("set-cookie").has_value());
    EXPECT_FALSE(reply.header("x-evil").has_value());
  }
  EXPECT_EQ(client.roundtrip(test::get_request("/ping")).body, "pong");
}

}  // namespace
}  // namespace aegis
