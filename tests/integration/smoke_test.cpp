#include <aegis/aegis.hpp>

#include <gtest/gtest.h>

#include "support/raw_client.hpp"
#include "support/test_server.hpp"

namespace aegis {
namespace {

TEST(Smoke, ServesARouteOverARealSocket) {
  App app;
  app.router().get("/hello/{name}", [](Request& req, Response& res) {
    res.text("hi " + std::string(req.path_param("name")));
  });
  test::TestServer server(app);
  test::RawClient client(server.port());
  auto reply = client.roundtrip(test::get_request("/hello/ada"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "hi ada");
  EXPECT_EQ(reply.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(reply.header("date").has_value());
  EXPECT_EQ(reply.header("content-length"), "6");
}

}  // namespace
}  // namespace aegis
