// The TestClient: what it sends, what it keeps (cookies), and typed access to the reply.
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/describe.hpp>

#include <gtest/gtest.h>

namespace {

using namespace aegis;
using aegis::testing::TestClient;

struct Echo {
  std::string method;
  std::string query;
  std::string body;
};
BOOST_DESCRIBE_STRUCT(Echo, (), (method, query, body))

TEST(TestClient, SendsMethodQueryHeadersAndBody) {
  App app;
  auto echo = [](const Request& req) {
    return Echo{std::string(req.method_name()), std::string(req.query_string()), std::string(req.body())};
  };
  app.router().post("/e", echo);
  app.router().get("/e", echo);
  TestClient client(app);
  const auto r = client.post("/e").query("a b", "1&2").json(R"({"x":1})").send();
  EXPECT_EQ(r.status(), 200);
  const Echo e = r.json<Echo>();
  EXPECT_EQ(e.method, "POST");
  EXPECT_EQ(e.query, "a%20b=1%262");
  EXPECT_EQ(e.body, R"({"x":1})");
  EXPECT_EQ(client.get("/e?z=1").query("y", "2").send().json<Echo>().query, "z=1&y=2");
}

TEST(TestClient, KeepsCookiesAcrossCallsAndForgetsExpiredOnes) {
  App app;
  app.router().post("/login", [](Response& res) { res.add_header("Set-Cookie", "session=abc; Path=/; HttpOnly"); });
  app.router().post("/logout", [](Response& res) { res.add_header("Set-Cookie", "session=; Max-Age=0; Path=/"); });
  app.router().get("/whoami", [](Cookie<std::optional<std::string>, "session"> s) { return s->value_or("nobody"); });
  TestClient client(app);
  EXPECT_EQ(client.get("/whoami").send().text(), "nobody");
  EXPECT_EQ(client.post("/login").send().status(), 204);
  EXPECT_EQ(client.cookies().at("session"), "abc");
  EXPECT_EQ(client.get("/whoami").send().text(), "abc");
  client.post("/logout").send();
  EXPECT_TRUE(client.cookies().empty());
  EXPECT_EQ(client.get("/whoami").send().text(), "nobody");
}

// RFC 6265 section 5.3: Max-Age wins over Expires; an Expires date in the past (in any of the formats
// servers write) removes the cookie; one in the future keeps it.
TEST(TestClient, CookieExpiryFollowsRfc6265) {
  App app;
  app.router().post("/set", [](Query<std::string, "line"> line, Response& res) { res.add_header("Set-Cookie", *line); });
  TestClient client(app);
  auto set = [&](std::string line) { client.post("/set").query("line", line).send(); };
  const std::pair<const char*, bool> cases[] = {
      {"c=1; Expires=Thu, 01 Jan 2015 00:00:00 GMT; Path=/", false},
      {"c=1; expires=Thursday, 01-Jan-15 00:00:00 GMT", false},
      {"c=1; Expires=Thu Jan  1 00:00:00 2015", false},
      {"c=1; Expires=Wed, 01 Jan 2110 00:00:00 GMT", true},
      {"c=1; Max-Age=00", false},
      {"c=1; Max-Age=-5", false},
      {"c=1; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT", true},
      {"c=1; Expires=Wed, 01 Jan 2110 00:00:00 GMT; Max-Age=0", false},
      {"c=1; Max-Age = 0", false},  // the name and value are trimmed around '='
      {"c=1; Max-Age=soon", true},  // not a Max-Age: ignored
      {"c=1; Expires=not a date", true},
  };
  for (const auto& [line, kept] : cases) {
    client.clear_cookies();
    client.set_cookie("c", "0");
    set(line);
    EXPECT_EQ(client.cookies().count("c"), kept ? 1u : 0u) << line;
  }
}

TEST(TestClient, ARequestsOwnCookieReplacesTheJarsOfTheSameName) {
  App app;
  app.router().get("/who", [](const Request& req, Cookie<std::string, "sid"> typed) {
    return std::string(req.cookie("sid").value_or("-")) + "/" + *typed + "/" + std::string(req.header("cookie"));
  });
  TestClient client(app);
  client.set_cookie("sid", "alice");
  client.set_cookie("theme", "dark");
  EXPECT_EQ(client.get("/who").cookie("sid", "bob").send().text(), "bob/bob/theme=dark; sid=bob");
  EXPECT_EQ(client.cookies().at("sid"), "alice");  // for that request only
}

// What a client would receive: no body (and no Content-Length) where the status forbids one, the length
// the server would send otherwise, HEAD included.
TEST(TestClient, BodiesAndLengthsAreWhatTheServerWouldSend) {
  App app;
  app.router().get("/204", [] { return Echo{"a", "b", "c"}; }).status(204);
  app.router().get("/304", []() -> int { throw HttpError(304, "not modified"); });
  app.router().get("/x", [] { return std::string("body"); });
  TestClient client(app);
  for (const char* path : {"/204", "/304"}) {
    const auto r = client.get(path).send();
    EXPECT_TRUE(r.text().empty()) << path << ": " << r.text();
    EXPECT_FALSE(r.header("Content-Length").has_value()) << path;
  }
  EXPECT_EQ(client.get("/x").send().header("Content-Length"), "4");
  const auto head = client.head("/x").send();
  EXPECT_EQ(head.header("Content-Length"), "4");
  EXPECT_TRUE(head.text().empty());
}

TEST(TestClient, HeadHasNoBodyAndMalformedRequestsAnswerLikeTheServer) {
  App app;
  app.router().get("/x", [] { return std::string("body"); });
  TestClient client(app);
  const auto head = client.head("/x").send();
  EXPECT_EQ(head.status(), 200);
  EXPECT_TRUE(head.text().empty());
  EXPECT_EQ(client.get("/x").header("Bad Header", "v").send().status(), 400);
  const aegis::testing::TestResponse implicit = client.get("/missing");
  EXPECT_EQ(implicit.status(), 404);
}

TEST(TestClient, TypedReplyAccessReportsMismatches) {
  App app;
  app.router().get("/n", [] { return 5; });
  TestClient client(app);
  const auto r = client.get("/n").send();
  EXPECT_EQ(r.json<int>(), 5);
  EXPECT_THROW(r.json<Echo>(), std::runtime_error);
}

// An app whose hooks write what they did into `events`; /ready answers whether the startup hooks ran.
struct LifespanApp {
  App app;
  std::vector<std::string> events;
  bool ready = false;

  explicit LifespanApp(bool second_startup_fails = false) {
    auto startup = [this](std::string name, bool fails) {
      app.add_startup_hook({LifecycleHook::Kind::startup, name, "", "startup/" + name + ".cpp", 0,
                            [this, name, fails](App&) -> Task<> {
                              events.push_back("start " + name);
                              if (fails) throw std::runtime_error("no database");
                              ready = true;
                              co_return;
                            }});
    };
    auto shutdown = [this](std::string name) {
      app.add_shutdown_hook({LifecycleHook::Kind::shutdown, name, "", "shutdown/" + name + ".cpp", 0,
                             [this, name](App&) -> Task<> {
                               events.push_back("stop " + name);
                               co_return;
                             }});
    };
    startup("cache", false);
    startup("database", second_startup_fails);
    shutdown("flush");
    shutdown("close");
    app.router().get("/ready", [this] { return ready ? std::string("yes") : std::string("no"); });
  }
};

TEST(TestClientLifespan, StartupHooksRunBeforeTheFirstRequestAndShutdownHooksWhenTheClientGoes) {
  LifespanApp s;
  {
    TestClient client(s.app, aegis::testing::with_lifespan);
    EXPECT_EQ(s.events, (std::vector<std::string>{"start cache", "start database"}));
    EXPECT_EQ(client.get("/ready").send().text(), "yes");
  }
  EXPECT_EQ(s.events, (std::vector<std::string>{"start cache", "start database", "stop close", "stop flush"}));
}

TEST(TestClientLifespan, WithoutItNoHookRuns) {
  LifespanApp s;
  {
    TestClient client(s.app);
    EXPECT_EQ(client.get("/ready").send().text(), "no");
  }
  EXPECT_TRUE(s.events.empty());
}

TEST(TestClientLifespan, AFailingStartupHookThrowsAfterShuttingDownWhatStarted) {
  LifespanApp s(/*second_startup_fails=*/true);
  try {
    TestClient client(s.app, aegis::testing::with_lifespan);
    FAIL() << "the client was built although a startup hook failed";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("database"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no database"), std::string::npos) << e.what();
  }
  // The shutdown hooks ran once, when the startup failed, not again when the client went.
  EXPECT_EQ(s.events,
            (std::vector<std::string>{"start cache", "start database", "stop close", "stop flush"}));
}

}  // namespace
