// The Overseer's JSON API: the structure captured at boot, the components' live status, host metrics, and
// who may see them.
#include <aegis/aegis.hpp>
#include <aegis/overseer/overseer.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <set>

namespace {

using namespace aegis;
using aegis::testing::TestClient;
namespace json = boost::json;

class Stamp final : public Middleware {
 public:
  struct Options {
    std::string value = "x";
  };
  explicit Stamp(Options o) : value_(std::move(o.value)) {}
  void on_response(Request&, Response& res) override { res.set_header("X-Stamp", value_); }
  std::string options_json() const override { return R"({"value":")" + value_ + R"("})"; }

 private:
  std::string value_;
};

class Gate final : public Middleware {
 public:
  bool security_layer() const override { return true; }
};

struct Item {
  int id = 0;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(Item, (), (id, name))

// An app with routes of every kind the Overseer describes.
struct Fixture {
  App app;
  Overseer& overseer = use_overseer(app);
  Fixture() {
    app.permissions().add_group("Items", {"items.edit"});
    // As a discovered middleware file installs it (AEGIS_MIDDLEWARE(stamp, "Stamp every answer")).
    app.set_registration_source("middleware/stamp.cpp", "Stamp every answer");
    app.add_middleware<Stamp>({.value = "v1"});
    app.set_registration_source({});
    app.add_middleware<Gate>();
    app.add_startup_hook({LifecycleHook::Kind::startup, "warm", "Warm the cache", "startup/warm.cpp", 0,
                          [](App&) -> Task<> { co_return; }});
    app.add_shutdown_hook({LifecycleHook::Kind::shutdown, "flush", "Flush the queue", "shutdown/flush.cpp", 0,
                           [](App&) -> Task<> { co_return; }});
    app.health().add("items.store", [] { return HealthStatus::healthy("12 items"); });
    Router r;
    r.get("/items/{id:int}", [](Path<int, "id"> id) { return Item{*id, "pen"}; }).summary("One item");
    r.put("/items/{id:int}", [](Path<int, "id"> id, Body<Item> body) { return Item{*id, body->name}; })
        .dependencies({require_permission("items.edit")});
    r.get("/items", [] { return std::vector<Item>{}; });
    r.get("/me", [](Depends<Principal> me) { return me->name; });
    r.get("/plain", [] { return std::string("text"); });
    app.include_router(r, {.prefix = "/api", .tags = {"items"}});
    app.include_router(overseer_router(app));
  }
};

const json::object* route(const json::value& doc, std::string_view method, std::string_view path) {
  for (const auto& r : doc.at("routes").as_array()) {
    if (r.at("method").as_string() == method && r.at("path").as_string() == path) return &r.as_object();
  }
  return nullptr;
}

TEST(Overseer, MetadataIsUnavailableUntilCaptured) {
  Fixture f;
  TestClient client(f.app);
  auto r = client.get("/overseer/api/metadata").send();
  EXPECT_EQ(r.status(), 503);
  EXPECT_NE(r.text().find("capture"), std::string::npos) << r.text();
  EXPECT_THROW(Overseer({}).capture(App()), std::logic_error);  // not frozen
}

TEST(Overseer, MetadataCountsMatchTheRouteTableAndTheMiddlewareStack) {
  Fixture f;
  TestClient client(f.app);
  f.overseer.capture(f.app);
  EXPECT_THROW(f.overseer.capture(f.app), std::logic_error) << "requests read the capture without a lock";
  auto r = client.get("/overseer/api/metadata").send();
  ASSERT_EQ(r.status(), 200) << r.text();
  EXPECT_EQ(r.header("content-type"), "application/json");
  const json::value doc = json::parse(r.text());
  const auto& overview = doc.at("overview");

  std::set<std::string> paths;
  std::map<std::string, std::int64_t> methods;
  for (const auto& route : f.app.routes()) {
    paths.insert(route.info.path);
    ++methods[std::string(to_string(route.info.method))];
  }
  EXPECT_EQ(overview.at("endpoints").as_int64(), static_cast<std::int64_t>(f.app.routes().size()));
  EXPECT_EQ(overview.at("routes").as_int64(), static_cast<std::int64_t>(paths.size()));
  EXPECT_EQ(doc.at("routes").as_array().size(), f.app.routes().size());
  for (const auto& [m, n] : methods) EXPECT_EQ(overview.at("methods").at(m).as_int64(), n) << m;

  const auto stack = f.app.middleware_stack();
  ASSERT_EQ(doc.at("middleware").as_array().size(), stack.size());
  EXPECT_EQ(overview.at("middleware").as_int64(), static_cast<std::int64_t>(stack.size()));
  std::int64_t security = 0;
  for (std::size_t i = 0; i < stack.size(); ++i) {
    const auto& m = doc.at("middleware").as_array()[i];
    EXPECT_EQ(m.at("type").as_string(), stack[i].type);  // outermost first, as the stack runs
    EXPECT_EQ(m.at("position").as_int64(), static_cast<std::int64_t>(i + 1));
    security += stack[i].security_layer ? 1 : 0;
  }
  EXPECT_EQ(overview.at("security_layers").as_int64(), security);
  EXPECT_EQ(f.overseer.summary().endpoints, f.app.routes().size());
}

TEST(Overseer, RoutesCarryParametersModelsDependenciesAndSecurity) {
  Fixture f;
  TestClient client(f.app);
  f.overseer.capture(f.app);
  const json::value doc = json::parse(client.get("/overseer/api/metadata").send().text());

  const auto* get = route(doc, "GET", "/api/items/{id:int}");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->at("summary").as_string(), "One item");
  EXPECT_EQ(get->at("tags"), json::parse(R"(["items"])"));
  EXPECT_EQ(get->at("path_params"), json::parse(R"js([{"name":"id","type":"integer (int32)"}])js"));
  EXPECT_EQ(get->at("response_model").as_string(), "Item");
  EXPECT_EQ(get->at("status").as_int64(), 200);
  EXPECT_EQ(route(doc, "GET", "/overseer")->at("status"), json::value(nullptr));  // a raw route, not documented
  EXPECT_FALSE(get->at("secured").as_bool());
  EXPECT_NE(get->at("source").as_string().find("overseer_test.cpp:"), std::string::npos);

  const auto* put = route(doc, "PUT", "/api/items/{id:int}");
  ASSERT_NE(put, nullptr);
  EXPECT_TRUE(put->at("secured").as_bool());
  EXPECT_EQ(put->at("dependencies"),
            json::parse(R"([{"kind":"guard","name":"require_permission","permission":"items.edit"}])"));

  EXPECT_EQ(route(doc, "GET", "/api/items")->at("response_model").as_string(), "array<Item>");
  EXPECT_EQ(route(doc, "GET", "/api/plain")->at("response_model").as_string(), "text/plain");
  const auto* me = route(doc, "GET", "/api/me");
  EXPECT_TRUE(me->at("secured").as_bool());  // Depends<Principal>: 401 without one
  EXPECT_EQ(me->at("dependencies").as_array()[0].at("name").as_string(), "aegis::Principal");

  // The Overseer's own routes are guarded by overseer.view.
  const auto* metrics = route(doc, "GET", "/overseer/api/metrics");
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(metrics->at("dependencies").as_array()[0].at("permission").as_string(), "overseer.view");
  // The page checks the permission in its body (an anonymous visitor is sent to the login page): it is
  // secured all the same, and says by what.
  const auto* page = route(doc, "GET", "/overseer");
  ASSERT_NE(page, nullptr);
  EXPECT_TRUE(page->at("secured").as_bool());
  EXPECT_EQ(page->at("dependencies"),
            json::parse(R"([{"kind":"guard","name":"checked by the handler","permission":"overseer.view"}])"));

  // Sorted by path, then method.
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& r : doc.at("routes").as_array()) {
    order.emplace_back(std::string(r.at("path").as_string()), std::string(r.at("method").as_string()));
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
}

// Production apps often publish no OpenAPI document: the Routes view keeps its models and types.
TEST(Overseer, RouteDetailsDoNotNeedThePublishedDocument) {
  Fixture f;
  f.app.settings().openapi_url.clear();
  TestClient client(f.app);
  f.overseer.capture(f.app);
  EXPECT_EQ(client.get("/openapi.json").send().status(), 404);
  const json::value doc = json::parse(client.get("/overseer/api/metadata").send().text());
  const auto* get = route(doc, "GET", "/api/items/{id:int}");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->at("response_model").as_string(), "Item");
  EXPECT_EQ(get->at("status").as_int64(), 200);
  EXPECT_EQ(get->at("path_params"), json::parse(R"js([{"name":"id","type":"integer (int32)"}])js"));
  EXPECT_EQ(route(doc, "GET", "/api/items")->at("response_model").as_string(), "array<Item>");
}

TEST(Overseer, LifecycleMiddlewareOptionsModulesAndChecksAreDescribed) {
  Fixture f;
  TestClient client(f.app);
  f.overseer.capture(f.app);
  const json::value doc = json::parse(client.get("/overseer/api/metadata").send().text());
  bool stamp = false;
  bool gate = false;
  for (const auto& m : doc.at("middleware").as_array()) {
    if (m.at("type").as_string().ends_with("Stamp")) {
      stamp = true;
      EXPECT_EQ(m.at("options"), json::parse(R"({"value":"v1"})"));
      EXPECT_FALSE(m.at("security_layer").as_bool());
      EXPECT_FALSE(m.at("builtin").as_bool());
      EXPECT_EQ(m.at("file").as_string(), "middleware/stamp.cpp");
      EXPECT_EQ(m.at("description").as_string(), "Stamp every answer");
    }
    if (m.at("type").as_string().ends_with("Gate")) gate = m.at("security_layer").as_bool();
  }
  EXPECT_TRUE(stamp);
  EXPECT_TRUE(gate);
  EXPECT_EQ(doc.at("startup_hooks"),
            json::parse(R"([{"name":"warm","description":"Warm the cache","file":"startup/warm.cpp"}])"));
  EXPECT_EQ(doc.at("shutdown_hooks"),
            json::parse(R"([{"name":"flush","description":"Flush the queue","file":"shutdown/flush.cpp"}])"));
  EXPECT_EQ(doc.at("health_checks"), json::parse(R"([{"name":"items.store","critical":true}])"));
  EXPECT_EQ(doc.at("modules").as_array().size(), 0u);
}

TEST(Overseer, ComponentsReportTheHealthOfEachPart) {
  Fixture f;
  f.app.health().add("database", [] { return HealthStatus::failing("connection refused"); });
  TestClient client(f.app);
  f.overseer.capture(f.app);
  auto r = client.get("/overseer/api/components").send();
  ASSERT_EQ(r.status(), 200) << r.text();
  const json::value doc = json::parse(r.text());
  EXPECT_EQ(doc.at("status").as_string(), "unhealthy");  // the database check is critical
  const auto& cards = doc.at("components").as_array();
  ASSERT_GE(cards.size(), 2u);
  EXPECT_EQ(cards[0].at("name").as_string(), "Backend");
  EXPECT_EQ(cards[0].at("status").as_string(), "healthy");
  EXPECT_EQ(cards[1].at("name").as_string(), "Database");
  EXPECT_EQ(cards[1].at("status").as_string(), "failing");
  EXPECT_EQ(cards[1].at("detail").as_string(), "connection refused");
  std::set<std::string> checks;
  for (const auto& c : doc.at("checks").as_array()) checks.insert(std::string(c.at("name").as_string()));
  EXPECT_EQ(checks, (std::set<std::string>{"database", "items.store"}));
}

TEST(Overseer, MetricsAreReadFromTheHost) {
  Fixture f;
  TestClient client(f.app);
  auto r = client.get("/overseer/api/metrics").send();
  ASSERT_EQ(r.status(), 200) << r.text();
  EXPECT_EQ(r.header("cache-control"), "no-store");
  const json::value m = json::parse(r.text());
  auto number = [](const json::value& v) { return v.is_double() ? v.as_double() : static_cast<double>(v.to_number<double>()); };
  for (const char* key : {"cpu_percent", "process_cpu_percent"}) {
    EXPECT_GE(number(m.at(key)), 0.0) << key;
    EXPECT_LE(number(m.at(key)), 100.0) << key;
  }
  EXPECT_GE(m.at("cpus").as_int64(), 1);
  const auto& mem = m.at("memory");
  EXPECT_GT(mem.at("total_bytes").to_number<double>(), 0);
  EXPECT_LE(mem.at("used_bytes").to_number<double>(), mem.at("total_bytes").to_number<double>());
  const auto& disk = m.at("disk");
  EXPECT_GT(disk.at("total_bytes").to_number<double>(), 0);
  EXPECT_LE(number(disk.at("used_percent")), 100.0);
  EXPECT_EQ(m.at("process").at("pid").as_int64(), ::getpid());
  EXPECT_GT(m.at("process").at("rss_bytes").to_number<double>(), 1024 * 1024);  // a live process holds megabytes
  EXPECT_GE(m.at("process").at("threads").as_int64(), 1);
  EXPECT_GT(number(m.at("uptime").at("host_seconds")), 0.0);
}

TEST(Overseer, OnlyThoseWithOverseerViewGetIn) {
  AppSettings prod;
  prod.environment = "production";
  App app(prod);
  use_overseer(app);
  app.include_router(overseer_router(app));
  TestClient client(app);
  for (const char* path : {"/overseer", "/overseer/api/metadata", "/overseer/api/components", "/overseer/api/metrics"}) {
    EXPECT_EQ(client.get(path).send().status(), 401) << path;  // production: loopback is not enough
  }
  // Without a login page to send the visitor to, the page itself comes with the 401 (its script shows
  // "Sign in to see the Overseer"), rather than a JSON error or a redirect to a page that is not there.
  const auto refused = client.get("/overseer").send();
  EXPECT_EQ(refused.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(refused.text().find("/overseer/assets/overseer.js"), std::string::npos);
  EXPECT_FALSE(refused.header("location"));
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer");
  App dev;
  use_overseer(dev);
  dev.include_router(overseer_router(dev));
  TestClient local(dev);
  auto page = local.get("/overseer").send();
  EXPECT_EQ(page.status(), 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.text().find("/overseer/assets/overseer.js"), std::string::npos);
  EXPECT_EQ(local.get("/overseer/assets/overseer.css").send().status(), 200);
  local.set_client("203.0.113.7", 5000);
  EXPECT_EQ(local.get("/overseer/api/metrics").send().status(), 401);  // not loopback
}

}  // namespace
