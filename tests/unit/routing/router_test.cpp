// Unit tests for aegis::Router (include/aegis/routing/router.hpp): registration, route metadata,
// include_router and default route names.

#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/routing/router.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using aegis::IncludeOptions;
using aegis::Method;
using aegis::Request;
using aegis::Response;
using aegis::Router;

void noop(Request&, Response&) {}

using Tags = std::vector<std::string>;

TEST(Router, RegistersEachMethodHelper) {
  Router r;
  r.get("/g", noop);
  r.post("/p", noop);
  r.put("/u", noop);
  r.patch("/a", noop);
  r.del("/d", noop);
  r.options("/o", noop);
  r.route(Method::trace, "/t", noop);
  const auto routes = r.routes();
  ASSERT_EQ(routes.size(), 7u);
  const Method want[] = {Method::get, Method::post,    Method::put,  Method::patch,
                         Method::del, Method::options, Method::trace};
  const char* paths[] = {"/g", "/p", "/u", "/a", "/d", "/o", "/t"};
  for (std::size_t i = 0; i < routes.size(); ++i) {
    EXPECT_EQ(routes[i].info.method, want[i]) << i;
    EXPECT_EQ(routes[i].info.path, paths[i]) << i;
    EXPECT_TRUE(static_cast<bool>(routes[i].endpoint)) << i;
  }
}

TEST(Router, EmptyHandlerThrows) {
  Router r;
  EXPECT_THROW(r.get("/x", aegis::RequestHandler{}), std::invalid_argument);
  EXPECT_TRUE(r.routes().empty());
}

TEST(Router, DefaultsOfAFreshRoute) {
  Router r;
  r.get("/plain", noop);
  const auto& info = r.routes()[0].info;
  EXPECT_EQ(info.name, "");
  EXPECT_EQ(info.summary, "");
  EXPECT_EQ(info.description, "");
  EXPECT_TRUE(info.tags.empty());
  EXPECT_FALSE(info.deprecated);
}

TEST(Router, RouteBuilderSetsMetadata) {
  Router r;
  r.get("/orders/{id:int}", noop)
      .summary("Get an order")
      .description("Returns one order by id.")
      .tags({"orders", "shop"})
      .deprecated()
      .name("read_order");
  r.post("/orders", noop).deprecated(true).deprecated(false).summary("Create");
  const auto& first = r.routes()[0].info;
  EXPECT_EQ(first.summary, "Get an order");
  EXPECT_EQ(first.description, "Returns one order by id.");
  EXPECT_EQ(first.tags, (Tags{"orders", "shop"}));
  EXPECT_TRUE(first.deprecated);
  EXPECT_EQ(first.name, "read_order");
  const auto& second = r.routes()[1].info;
  EXPECT_FALSE(second.deprecated);
  EXPECT_EQ(second.summary, "Create");
  EXPECT_EQ(second.name, "");
}

TEST(Router, RouteBuilderStaysValidAfterMoreRoutesAreAdded) {
  Router r;
  auto builder = r.get("/first", noop);
  for (int i = 0; i < 100; ++i) r.get("/more" + std::to_string(i), noop);
  builder.summary("late");
  EXPECT_EQ(r.routes()[0].info.summary, "late");
  EXPECT_EQ(r.routes()[1].info.summary, "");
}

TEST(Router, RecordsSourceFileAndLine) {
  Router r;
  r.get("/here", noop); const int line = __LINE__;
  r.post("/there", noop); const int line2 = __LINE__;
  EXPECT_EQ(r.routes()[0].info.file, __FILE__);
  EXPECT_EQ(r.routes()[0].info.line, static_cast<std::uint32_t>(line));
  EXPECT_EQ(r.routes()[1].info.file, __FILE__);
  EXPECT_EQ(r.routes()[1].info.line, static_cast<std::uint32_t>(line2));
}

TEST(Router, IncludeRouterAppliesPrefixAndKeepsMetadata) {
  Router sub;
  sub.get("/orders/{id:int}", noop).summary("One order").name("order");
  const int line = __LINE__ - 1;
  sub.post("/orders", noop);

  Router app;
  app.get("/health", noop);
  app.include_router(sub, {.prefix = "/api"});
  const auto routes = app.routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].info.path, "/health");
  EXPECT_EQ(routes[1].info.path, "/api/orders/{id:int}");
  EXPECT_EQ(routes[1].info.method, Method::get);
  EXPECT_EQ(routes[1].info.summary, "One order");
  EXPECT_EQ(routes[1].info.name, "order");
  EXPECT_EQ(routes[1].info.file, __FILE__);
  EXPECT_EQ(routes[1].info.line, static_cast<std::uint32_t>(line));
  EXPECT_EQ(routes[2].info.path, "/api/orders");
  EXPECT_EQ(routes[2].info.method, Method::post);

  // The copied route shares the registered handler.
  EXPECT_EQ(routes[1].endpoint, sub.routes()[0].endpoint);
  EXPECT_TRUE(routes[1].endpoint->is_raw());

  // The included router is not changed.
  EXPECT_EQ(sub.routes()[0].info.path, "/orders/{id:int}");
}

TEST(Router, IncludeRouterWithoutPrefix) {
  Router sub;
  sub.get("/x", noop);
  Router app;
  app.include_router(sub);
  ASSERT_EQ(app.routes().size(), 1u);
  EXPECT_EQ(app.routes()[0].info.path, "/x");
}

TEST(Router, IncludeRouterNests) {
  Router inner;
  inner.get("/leaf", noop).tags({"leaf"});
  Router middle;
  middle.include_router(inner, {.prefix = "/v1", .tags = {"v1"}});
  Router outer;
  outer.include_router(middle, {.prefix = "/api", .tags = {"api"}});
  ASSERT_EQ(outer.routes().size(), 1u);
  EXPECT_EQ(outer.routes()[0].info.path, "/api/v1/leaf");
  EXPECT_EQ(outer.routes()[0].info.tags, (Tags{"api", "v1", "leaf"}));
}

TEST(Router, IncludeRouterMergesTagsWithoutDuplicates) {
  Router sub;
  sub.get("/a", noop).tags({"orders", "api", "extra"});
  sub.get("/b", noop);
  Router app;
  app.include_router(sub, {.prefix = "/p", .tags = {"api", "shop"}});
  EXPECT_EQ(app.routes()[0].info.tags, (Tags{"api", "shop", "orders", "extra"}));
  EXPECT_EQ(app.routes()[1].info.tags, (Tags{"api", "shop"}));
}

TEST(Router, IncludeRouterRejectsBadPrefixes) {
  Router sub;
  sub.get("/x", noop);
  for (const char* bad : {"api", "/api/", "/", "api/"}) {
    Router app;
    EXPECT_THROW(app.include_router(sub, {.prefix = bad}), std::invalid_argument) << bad;
    EXPECT_TRUE(app.routes().empty()) << bad;
  }
}

TEST(Router, IncludeRouterRejectsItself) {
  Router r;
  r.get("/x", noop);
  EXPECT_THROW(r.include_router(r), std::invalid_argument);
  EXPECT_EQ(r.routes().size(), 1u);
}

TEST(DefaultRouteName, FromMethodAndPathWords) {
  EXPECT_EQ(aegis::default_route_name(Method::get, "/api/orders/{id:int}"), "get_api_orders_id");
  EXPECT_EQ(aegis::default_route_name(Method::post, "/api/orders"), "post_api_orders");
  EXPECT_EQ(aegis::default_route_name(Method::del, "/users/{user_id}"), "delete_users_user_id");
  EXPECT_EQ(aegis::default_route_name(Method::get, "/files/{rest:path}"), "get_files_rest");
  EXPECT_EQ(aegis::default_route_name(Method::put, "/a-b/c.d/"), "put_a_b_c_d");
  EXPECT_EQ(aegis::default_route_name(Method::options, "/v2/{a}/{b:uuid}/x"), "options_v2_a_b_x");
  EXPECT_EQ(aegis::default_route_name(Method::get, "/"), "get");
}

}  // namespace
