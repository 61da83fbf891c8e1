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

}  // namespace
