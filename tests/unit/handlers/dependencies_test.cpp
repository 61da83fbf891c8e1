// Depends<T>: providers on the app and on routers, route dependencies (guards), coroutine providers,
// validation of provider parameters, cleanup order and boot errors.
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace aegis;
using aegis::testing::TestClient;

struct Greeting {
  std::string text;
};
struct User {
  std::string name;
};

TEST(Dependencies, RouterProviderOverridesTheAppProviderForItsRoutesOnly) {
  App app;
  app.provide<Greeting>([] { return Greeting{"app"}; });
  Router admin;
  admin.provide<Greeting>([] { return Greeting{"router"}; });
  admin.get("/hello", [](Depends<Greeting> g) { return g->text; });
  Router plain;
  plain.get("/hello", [](Depends<Greeting> g) { return g->text; });
  app.include_router(admin, {.prefix = "/admin"});
  app.include_router(plain, {.prefix = "/plain"});
  TestClient client(app);
  EXPECT_EQ(client.get("/admin/hello").send().text(), "router");
  EXPECT_EQ(client.get("/plain/hello").send().text(), "app");
}

TEST(Dependencies, IncludeRouterDependenciesGuardEveryRouteInOrder) {
  App app;
  auto log = std::make_shared<std::vector<std::string>>();
  auto token = dependency([log](Header<std::optional<std::string>, "x_token"> t) {
    log->push_back("token");
    if (!t->has_value() || **t != "secret") throw HttpError(401, "Not authenticated", {{"WWW-Authenticate", "Bearer"}});
  });
  auto audit = dependency([log] { log->push_back("audit"); });
  Router r;
  r.get("/a", [log] {
    log->push_back("handler a");
    return std::string("a");
  });
  r.get("/b", [log] { return std::string("b"); }).dependencies({dependency([log] { log->push_back("route"); })});
  app.include_router(r, {.prefix = "/p", .dependencies = {token, audit}});
  TestClient client(app);

  auto denied = client.get("/p/a").send();
  EXPECT_EQ(denied.status(), 401);
  EXPECT_EQ(denied.header("www-authenticate"), "Bearer");
  EXPECT_EQ(*log, std::vector<std::string>{"token"});

  log->clear();
  EXPECT_EQ(client.get("/p/a").header("X-Token", "secret").send().text(), "a");
  EXPECT_EQ(*log, (std::vector<std::string>{"token", "audit", "handler a"}));
  log->clear();
  EXPECT_EQ(client.get("/p/b").header("X-Token", "secret").send().text(), "b");
  EXPECT_EQ(*log, (std::vector<std::string>{"token", "audit", "route"}));
}

TEST(Dependencies, CoroutineProvidersAreAwaited) {
  App app;
  app.provide<User>([](Query<std::string, "name">) -> Task<User> {
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    co_return User{"awaited"};
  });
  app.router().get("/me", [](Depends<User> u) { return u->name; });
  TestClient client(app);
  EXPECT_EQ(client.get("/me?name=x").send().text(), "awaited");
}

TEST(Dependencies, ProviderParameterErrorsJoinTheHandlersInOne422) {
  App app;
  app.provide<User>([](Query<int, "uid", Min<1>> uid) { return User{std::to_string(*uid)}; });
  app.router().get("/u/{id}", [](Path<int, "id">, Depends<User> u) { return u->name; });
  TestClient client(app);
  auto r = client.get("/u/x?uid=0").send();
  EXPECT_EQ(r.status(), 422);
  const auto detail = r.json().at("detail").as_array();
  ASSERT_EQ(detail.size(), 2u) << r.text();
  EXPECT_EQ(boost::json::serialize(detail[0].at("loc")), R"(["query","uid"])");
  EXPECT_EQ(boost::json::serialize(detail[1].at("loc")), R"(["path","id"])");
}

TEST(Dependencies, CleanupRunsInReverseOrderEvenWhenTheHandlerThrows) {
  App app;
  auto log = std::make_shared<std::vector<std::string>>();
  app.provide<Greeting>([log] {
    log->push_back("open greeting");
    return Yield(Greeting{"hi"}, [log](Greeting&) { log->push_back("close greeting"); });
  });
  app.provide<User>([log](Depends<Greeting>) {
    log->push_back("open user");
    return Yield(User{"u"}, [log](User&) { log->push_back("close user"); });
  });
  app.router().get("/boom", [](Depends<User>) -> int { throw HttpError(409, "no"); });
  TestClient client(app);
  EXPECT_EQ(client.get("/boom").send().status(), 409);
  EXPECT_EQ(*log, (std::vector<std::string>{"open greeting", "open user", "close user", "close greeting"}));
}

TEST(Dependencies, SharedPointerProvidersServeAppLifetimeObjects) {
  App app;
  auto shared = std::make_shared<Greeting>(Greeting{"singleton"});
  app.provide<Greeting>([shared] { return shared; });
  app.router().get("/g", [](Depends<Greeting> g) { return g->text; });
  app.router().get("/addr", [shared](Depends<Greeting> g) { return std::string(&*g == shared.get() ? "same" : "copy"); });
  TestClient client(app);
  EXPECT_EQ(client.get("/g").send().text(), "singleton");
  EXPECT_EQ(client.get("/addr").send().text(), "same");
}

struct A {};
struct B {};

TEST(Dependencies, CyclesAreBootErrorsNamingThePath) {
  App app;
  app.provide<A>([](Depends<B>) { return A{}; });
  app.provide<B>([](Depends<A>) { return B{}; });
  app.router().get("/c", [](Depends<A>) { return 1; });
  try {
    app.freeze();
    FAIL() << "expected a boot error";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("dependency cycle"), std::string::npos) << what;
    EXPECT_NE(what.find("A -> "), std::string::npos) << what;
    EXPECT_NE(what.find("GET /c"), std::string::npos) << what;
  }
}

TEST(Dependencies, ProviderPathParameterMissingFromTheTemplateIsABootError) {
  App app;
  app.provide<User>([](Path<int, "user_id"> id) { return User{std::to_string(*id)}; });
  app.router().get("/orders", [](Depends<User> u) { return u->name; });
  EXPECT_THROW(app.freeze(), std::invalid_argument);
}

}  // namespace
