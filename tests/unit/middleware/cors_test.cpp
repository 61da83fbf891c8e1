// Cors against the cases of Starlette's tests/middleware/test_cors.py, through a whole app.
#include <aegis/aegis.hpp>
#include <aegis/middleware/cors.hpp>
#include <aegis/testing/test_client.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace {

using namespace aegis;
using aegis::testing::TestClient;
using aegis::testing::TestResponse;

// An app whose routes answer "Homepage"; `calls` counts the requests that reached a handler.
struct CorsApp {
  explicit CorsApp(CorsOptions options) {
    app.router().get("/", [this] {
      ++calls;
      return std::string("Homepage");
    });
    app.router().post("/", [this] {
      ++calls;
      return std::string("Homepage");
    });
    app.router().get("/vary", [this](Response& res) {
      ++calls;
      res.set_header("Vary", "Accept-Encoding");
      res.text("Homepage");
    });
    app.router().get("/own", [](Response& res) {
      res.set_header("Access-Control-Allow-Origin", "https://wrong.example");
      res.text("Homepage");
    });
    app.add_middleware<Cors>(std::move(options));
  }
  App app;
  int calls = 0;
};

std::string header_or_none(const TestResponse& r, std::string_view name) {
  return r.header(name).value_or("<none>");
}

TEST(Cors, AllowAllWithCredentialsReflectsTheOriginNeverStar) {
  CorsApp a({.allow_origins = {"*"},
             .allow_methods = {"*"},
             .allow_headers = {"*"},
             .allow_credentials = true,
             .expose_headers = {"X-Status"}});
  TestClient client(a.app);

  const auto pre = client.options("/")
                       .header("Origin", "https://example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .header("Access-Control-Request-Headers", "X-Example")
                       .send();
  EXPECT_EQ(pre.status(), 200);
  EXPECT_EQ(pre.text(), "OK");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-origin"), "https://example.org");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-headers"), "X-Example");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-credentials"), "true");
  EXPECT_EQ(header_or_none(pre, "vary"), "Origin");
  EXPECT_EQ(a.calls, 0);

  const auto simple = client.get("/").header("Origin", "https://example.org").send();
  EXPECT_EQ(simple.status(), 200);
  EXPECT_EQ(simple.text(), "Homepage");
  EXPECT_EQ(header_or_none(simple, "access-control-allow-origin"), "https://example.org");
  EXPECT_EQ(header_or_none(simple, "access-control-expose-headers"), "X-Status");
  EXPECT_EQ(header_or_none(simple, "access-control-allow-credentials"), "true");
  EXPECT_EQ(simple.headers("vary"), std::vector<std::string>{"Origin"});

  const auto plain = client.get("/").send();
  EXPECT_EQ(plain.text(), "Homepage");
  EXPECT_FALSE(plain.header("access-control-allow-origin"));
}

TEST(Cors, AllowAllWithoutCredentialsAnswersStar) {
  CorsApp a({.allow_origins = {"*"}, .allow_methods = {"*"}, .allow_headers = {"*"}, .expose_headers = {"X-Status"}});
  TestClient client(a.app);

  const auto pre = client.options("/")
                       .header("Origin", "https://example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .header("Access-Control-Request-Headers", "X-Example")
                       .send();
  EXPECT_EQ(pre.status(), 200);
  EXPECT_EQ(pre.text(), "OK");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-origin"), "*");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-headers"), "X-Example");
  EXPECT_FALSE(pre.header("access-control-allow-credentials"));
  EXPECT_FALSE(pre.header("vary"));

  const auto simple = client.get("/").header("Origin", "https://example.org").send();
  EXPECT_EQ(header_or_none(simple, "access-control-allow-origin"), "*");
  EXPECT_EQ(header_or_none(simple, "access-control-expose-headers"), "X-Status");
  EXPECT_FALSE(simple.header("access-control-allow-credentials"));
  EXPECT_FALSE(simple.header("vary"));
}

TEST(Cors, SpecificOriginIsReflectedWithVary) {
  CorsApp a({.allow_origins = {"https://example.org"}, .allow_headers = {"X-Example", "Content-Type"}});
  TestClient client(a.app);

  const auto pre = client.options("/")
                       .header("Origin", "https://example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .header("Access-Control-Request-Headers", "X-Example, Content-Type")
                       .send();
  EXPECT_EQ(pre.status(), 200);
  EXPECT_EQ(pre.text(), "OK");
  EXPECT_EQ(header_or_none(pre, "content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-origin"), "https://example.org");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-headers"),
            "Accept, Accept-Language, Content-Language, Content-Type, X-Example");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-methods"), "GET");
  EXPECT_EQ(header_or_none(pre, "access-control-max-age"), "600");
  EXPECT_FALSE(pre.header("access-control-allow-credentials"));
  EXPECT_EQ(header_or_none(pre, "vary"), "Origin");

  const auto simple = client.get("/").header("Origin", "https://example.org").send();
  EXPECT_EQ(simple.text(), "Homepage");
  EXPECT_EQ(header_or_none(simple, "access-control-allow-origin"), "https://example.org");
  EXPECT_EQ(simple.headers("vary"), std::vector<std::string>{"Origin"});
  EXPECT_FALSE(simple.header("access-control-allow-credentials"));
  EXPECT_FALSE(simple.header("access-control-expose-headers"));
}

TEST(Cors, DisallowedPreflightNamesEveryFailure) {
  CorsApp a({.allow_origins = {"https://example.org"}, .allow_methods = {"GET"}, .allow_headers = {"X-Example"}});
  TestClient client(a.app);

  const auto all = client.options("/")
                       .header("Origin", "https://another.org")
                       .header("Access-Control-Request-Method", "POST")
                       .header("Access-Control-Request-Headers", "X-Nope")
                       .send();
  EXPECT_EQ(all.status(), 400);
  EXPECT_EQ(all.text(), "Disallowed CORS origin, method, headers");
  EXPECT_EQ(header_or_none(all, "content-type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(all.header("access-control-allow-origin"));
  EXPECT_EQ(header_or_none(all, "vary"), "Origin");

  auto preflight = [&](std::string origin, std::string method, std::optional<std::string> headers) {
    auto r = client.options("/").header("Origin", origin).header("Access-Control-Request-Method", method);
    if (headers) r.header("Access-Control-Request-Headers", *headers);
    return r.send();
  };
  const auto origin = preflight("https://another.org", "GET", std::nullopt);
  EXPECT_EQ(origin.status(), 400);
  EXPECT_EQ(origin.text(), "Disallowed CORS origin");
  EXPECT_FALSE(origin.header("access-control-allow-origin"));

  const auto method = preflight("https://example.org", "POST", std::nullopt);
  EXPECT_EQ(method.status(), 400);
  EXPECT_EQ(method.text(), "Disallowed CORS method");
  EXPECT_EQ(header_or_none(method, "access-control-allow-origin"), "https://example.org");

  const auto headers = preflight("https://example.org", "GET", "X-Example, X-Nope");
  EXPECT_EQ(headers.status(), 400);
  EXPECT_EQ(headers.text(), "Disallowed CORS headers");

  // Header names compare case-insensitively; the safelisted ones are always allowed.
  const auto ok = preflight("https://example.org", "GET", "x-example,content-type , ACCEPT");
  EXPECT_EQ(ok.status(), 200);
  EXPECT_EQ(ok.text(), "OK");

  // Methods compare as sent (Starlette: `requested_method not in allow_methods`).
  EXPECT_EQ(preflight("https://example.org", "get", std::nullopt).status(), 400);
  EXPECT_EQ(a.calls, 0);
}

TEST(Cors, PreflightIsAnsweredBeforeRouting) {
  CorsApp a({.allow_origins = {"https://example.org"}});
  TestClient client(a.app);
  const auto r = client.options("/no-such-route")
                     .header("Origin", "https://example.org")
                     .header("Access-Control-Request-Method", "GET")
                     .send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), "OK");
  EXPECT_EQ(a.calls, 0);
}

TEST(Cors, OptionsWithoutRequestMethodIsNotAPreflight) {
  CorsApp a({.allow_origins = {"https://example.org"}});
  TestClient client(a.app);
  const auto r = client.options("/").header("Origin", "https://example.org").send();
  EXPECT_EQ(r.status(), 204);  // the router's answer
  EXPECT_TRUE(r.header("allow"));
  EXPECT_EQ(header_or_none(r, "access-control-allow-origin"), "https://example.org");
  EXPECT_FALSE(r.header("access-control-allow-methods"));
}

TEST(Cors, AllMethodsWildcard) {
  CorsApp a({.allow_origins = {"*"}, .allow_methods = {"*"}});
  TestClient client(a.app);
  for (const char* method : {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}) {
    const auto r = client.options("/")
                       .header("Origin", "https://example.org")
                       .header("Access-Control-Request-Method", method)
                       .send();
    EXPECT_EQ(r.status(), 200) << method;
    EXPECT_EQ(header_or_none(r, "access-control-allow-methods"), "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  }
}

TEST(Cors, WildcardOriginsWithCredentialsPreflightReflects) {
  CorsApp a({.allow_origins = {"*"}, .allow_methods = {"POST"}, .allow_credentials = true});
  TestClient client(a.app);
  const auto r = client.options("/")
                     .header("Origin", "https://example.org")
                     .header("Access-Control-Request-Method", "POST")
                     .send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(header_or_none(r, "access-control-allow-origin"), "https://example.org");
  EXPECT_EQ(header_or_none(r, "access-control-allow-credentials"), "true");
  EXPECT_EQ(header_or_none(r, "vary"), "Origin");
}

TEST(Cors, OriginRegexIsAFullMatch) {
  CorsApp a({.allow_headers = {"X-Example", "Content-Type"},
             .allow_credentials = true,
             .allow_origin_regex = R"(https://.*\.example\.org)"});
  TestClient client(a.app);

  const auto simple = client.get("/").header("Origin", "https://sub.example.org").send();
  EXPECT_EQ(simple.text(), "Homepage");
  EXPECT_EQ(header_or_none(simple, "access-control-allow-origin"), "https://sub.example.org");
  EXPECT_EQ(header_or_none(simple, "access-control-allow-credentials"), "true");

  const auto suffix = client.get("/").header("Origin", "https://sub.example.org.hacker.com").send();
  EXPECT_EQ(suffix.status(), 200);
  EXPECT_EQ(suffix.text(), "Homepage");
  EXPECT_FALSE(suffix.header("access-control-allow-origin"));
  EXPECT_FALSE(suffix.header("access-control-allow-credentials"));
  EXPECT_FALSE(suffix.header("vary"));

  const auto pre = client.options("/")
                       .header("Origin", "https://another.example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .header("Access-Control-Request-Headers", "X-Example")
                       .send();
  EXPECT_EQ(pre.status(), 200);
  EXPECT_EQ(header_or_none(pre, "access-control-allow-origin"), "https://another.example.org");
  EXPECT_EQ(header_or_none(pre, "access-control-allow-credentials"), "true");

  const auto bad = client.options("/")
                       .header("Origin", "http://another.example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .send();
  EXPECT_EQ(bad.status(), 400);
  EXPECT_EQ(bad.text(), "Disallowed CORS origin");
  EXPECT_FALSE(bad.header("access-control-allow-origin"));
}

TEST(Cors, ListedOriginsAndRegexCombine) {
  CorsApp a({.allow_origins = {"https://listed.example"}, .allow_origin_regex = "https://[a-z]+\\.regex\\.example"});
  TestClient client(a.app);
  EXPECT_EQ(header_or_none(client.get("/").header("Origin", "https://listed.example").send(),
                           "access-control-allow-origin"),
            "https://listed.example");
  EXPECT_EQ(header_or_none(client.get("/").header("Origin", "https://abc.regex.example").send(),
                           "access-control-allow-origin"),
            "https://abc.regex.example");
  EXPECT_FALSE(client.get("/").header("Origin", "https://other.example").send().header("access-control-allow-origin"));
}

TEST(Cors, CookiesGetTheSpecificOriginEvenWithWildcardOrigins) {
  CorsApp a({.allow_origins = {"*"}});
  TestClient client(a.app);
  const auto with_cookie = client.get("/").header("Origin", "https://example.org").cookie("session", "x").send();
  EXPECT_EQ(header_or_none(with_cookie, "access-control-allow-origin"), "https://example.org");
  EXPECT_FALSE(with_cookie.header("access-control-allow-credentials"));
  EXPECT_EQ(header_or_none(with_cookie, "vary"), "Origin");

  // Nothing carries over to the next request.
  const auto without = client.get("/").header("Origin", "https://example.org").send();
  EXPECT_EQ(header_or_none(without, "access-control-allow-origin"), "*");
  EXPECT_FALSE(without.header("vary"));
  const auto other = client.get("/").header("Origin", "https://other.org").send();
  EXPECT_EQ(header_or_none(other, "access-control-allow-origin"), "*");
}

TEST(Cors, VaryIsAppendedToTheHandlersVary) {
  {
    CorsApp a({.allow_origins = {"https://example.org"}});
    TestClient client(a.app);
    const auto r = client.get("/vary").header("Origin", "https://example.org").send();
    EXPECT_EQ(r.headers("vary"), std::vector<std::string>{"Accept-Encoding, Origin"});
    // Without an Origin the response is the handler's own.
    EXPECT_EQ(client.get("/vary").send().headers("vary"), std::vector<std::string>{"Accept-Encoding"});
  }
  {
    CorsApp a({.allow_origins = {"*"}});
    TestClient client(a.app);
    const auto star = client.get("/vary").header("Origin", "https://example.org").send();
    EXPECT_EQ(star.headers("vary"), std::vector<std::string>{"Accept-Encoding"});
    const auto cookie = client.get("/vary").header("Origin", "https://example.org").cookie("a", "b").send();
    EXPECT_EQ(cookie.headers("vary"), std::vector<std::string>{"Accept-Encoding, Origin"});
  }
}

TEST(Cors, RequestWithoutOriginIsUntouched) {
  CorsApp a({.allow_origins = {"https://example.org"}, .allow_credentials = true, .expose_headers = {"X-Status"}});
  TestClient client(a.app);
  const auto r = client.get("/").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), "Homepage");
  for (const auto& [name, value] : r.all_headers()) {
    EXPECT_NE(std::string_view(name).substr(0, 15), "Access-Control-") << name;
    EXPECT_NE(name, "Vary");
  }
  // OPTIONS with Access-Control-Request-Method but no Origin goes to the router.
  EXPECT_EQ(client.options("/").header("Access-Control-Request-Method", "GET").send().status(), 204);
}

TEST(Cors, DisallowedOriginOnASimpleRequestGetsNoCorsHeaders) {
  CorsApp a({.allow_origins = {"https://example.org"}, .allow_credentials = true, .expose_headers = {"X-Status"}});
  TestClient client(a.app);
  const auto r = client.post("/").header("Origin", "https://evil.example").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), "Homepage");
  EXPECT_EQ(a.calls, 1);
  EXPECT_FALSE(r.header("access-control-allow-origin"));
  EXPECT_FALSE(r.header("access-control-allow-credentials"));
  EXPECT_FALSE(r.header("access-control-expose-headers"));
  EXPECT_FALSE(r.header("vary"));
}

TEST(Cors, MaxAgeAndExposeHeaders) {
  CorsApp a({.allow_origins = {"https://example.org"}, .expose_headers = {"X-Total", "X-Page"}, .max_age = 3600});
  TestClient client(a.app);
  const auto pre = client.options("/")
                       .header("Origin", "https://example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .send();
  EXPECT_EQ(header_or_none(pre, "access-control-max-age"), "3600");
  EXPECT_FALSE(pre.header("access-control-expose-headers"));
  const auto simple = client.get("/").header("Origin", "https://example.org").send();
  EXPECT_EQ(header_or_none(simple, "access-control-expose-headers"), "X-Total, X-Page");
  EXPECT_FALSE(simple.header("access-control-max-age"));
}

TEST(Cors, PrivateNetworkPreflight) {
  {
    CorsApp a({.allow_origins = {"https://example.org"}, .allow_private_network = true});
    TestClient client(a.app);
    const auto r = client.options("/")
                       .header("Origin", "https://example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .header("Access-Control-Request-Private-Network", "true")
                       .send();
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(header_or_none(r, "access-control-allow-private-network"), "true");
  }
  {
    CorsApp a({.allow_origins = {"https://example.org"}});
    TestClient client(a.app);
    const auto r = client.options("/")
                       .header("Origin", "https://example.org")
                       .header("Access-Control-Request-Method", "GET")
                       .header("Access-Control-Request-Private-Network", "true")
                       .send();
    EXPECT_EQ(r.status(), 400);
    EXPECT_EQ(r.text(), "Disallowed CORS private-network");
    EXPECT_FALSE(r.header("access-control-allow-private-network"));
  }
}

TEST(Cors, HandlerSetAllowOriginIsReplaced) {
  CorsApp a({.allow_origins = {"https://example.org"}});
  TestClient client(a.app);
  const auto r = client.get("/own").header("Origin", "https://example.org").send();
  EXPECT_EQ(r.headers("access-control-allow-origin"), std::vector<std::string>{"https://example.org"});
}

TEST(Cors, DuplicateAllowHeadersAreListedOnce) {
  CorsApp a({.allow_origins = {"https://example.org"}, .allow_headers = {"content-type", "X-B", "X-A", "X-A"}});
  TestClient client(a.app);
  const auto r = client.options("/")
                     .header("Origin", "https://example.org")
                     .header("Access-Control-Request-Method", "GET")
                     .send();
  EXPECT_EQ(header_or_none(r, "access-control-allow-headers"),
            "Accept, Accept-Language, Content-Language, Content-Type, X-A, X-B");
}

TEST(Cors, InvalidOptionsAreRejected) {
  EXPECT_THROW(Cors({.allow_origin_regex = "https://(unclosed"}), std::invalid_argument);
  EXPECT_THROW(Cors({.allow_methods = {"GE T"}}), std::invalid_argument);
  EXPECT_THROW(Cors({.allow_headers = {"X-Bad Header"}}), std::invalid_argument);
  EXPECT_THROW(Cors({.expose_headers = {"X:Bad"}}), std::invalid_argument);
  EXPECT_THROW(Cors({.max_age = -1}), std::invalid_argument);
  EXPECT_THROW(Cors({.allow_origins = {"https://example.org/"}}), std::invalid_argument);
  EXPECT_THROW(Cors({.allow_origins = {"https://a.example, https://b.example"}}), std::invalid_argument);
  EXPECT_THROW(Cors({.allow_origins = {""}}), std::invalid_argument);
  EXPECT_NO_THROW(Cors({.allow_origins = {"*", "null", "http://localhost:3000"}}));
}

TEST(Cors, IntrospectionReportsOptionsAndSecurityLayer) {
  const Cors cors({.allow_origins = {"https://example.org"}, .allow_credentials = true});
  EXPECT_TRUE(cors.security_layer());
  EXPECT_EQ(cors.options_json(),
            R"({"allow_origins":["https://example.org"],"allow_methods":["GET"],"allow_headers":[],)"
            R"("allow_credentials":true,"allow_origin_regex":"","allow_private_network":false,)"
            R"("expose_headers":[],"max_age":600})");
}

}  // namespace
