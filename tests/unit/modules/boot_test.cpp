// The module boot sequence (src/modules/boot.cpp): dependency order, boot errors, phase-major hooks,
// routers, the lifespan, middleware order, exception handlers and AEGIS_MODULES_ENABLED.
#include <aegis/aegis.hpp>
#include <aegis/modules/module.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/run_task.hpp"

namespace {

using namespace aegis;
using aegis::test::run;
using aegis::testing::TestClient;
using Log = std::vector<std::string>;

// Sets (or unsets) an environment variable for the scope and restores the previous value after.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      ::setenv(name_.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// Every boot test runs with AEGIS_MODULES_ENABLED unset unless it sets it.
class ModuleBoot : public ::testing::Test {
 protected:
  ScopedEnv enabled_{"AEGIS_MODULES_ENABLED", std::nullopt};
};

// The log `include_routers` (a plain function pointer) writes to.
std::shared_ptr<Log>& routers_log() {
  static std::shared_ptr<Log> log;
  return log;
}
void logging_include_routers(App&) {
  if (routers_log()) routers_log()->push_back("include_routers");
}

// Records every hook it sees as "<name>.<hook>".
class Recorder : public Module {
 public:
  Recorder(std::string name, std::vector<std::string> depends_on, std::shared_ptr<Log> log,
           bool fail_startup = false)
      : name_(std::move(name)), depends_on_(std::move(depends_on)), log_(std::move(log)), fail_startup_(fail_startup) {}

  ModuleMeta meta() const override { return {.name = name_, .depends_on = depends_on_}; }
  void register_settings(App&) override { record("register_settings"); }
  void register_menu_items(MenuRegistry&) override { record("register_menu_items"); }
  void register_permissions(PermissionRegistry&) override { record("register_permissions"); }
  void register_feature_flags(FeatureFlagRegistry&) override { record("register_feature_flags"); }
  void register_event_handlers(EventBus&) override { record("register_event_handlers"); }
  void register_health_checks(HealthRegistry&) override { record("register_health_checks"); }
  void register_exception_handlers(App&) override { record("register_exception_handlers"); }
  void register_middleware(App&) override { record("register_middleware"); }
  void register_routes(Router&, Router&) override { record("register_routes"); }
  Task<> on_startup() override {
    // Suspends once, so that the lifespan really awaits the hook.
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    record("on_startup");
    if (fail_startup_) throw std::runtime_error(name_ + " cannot reach its broker");
  }
  Task<> on_shutdown() override {
    record("on_shutdown");
    co_return;
  }

 private:
  void record(const char* hook) { log_->push_back(name_ + "." + hook); }

  std::string name_;
  std::vector<std::string> depends_on_;
  std::shared_ptr<Log> log_;
  bool fail_startup_;
};

// The entries of `log` that end with ".<hook>", as the module names.
std::vector<std::string> modules_in(const Log& log, const std::string& hook) {
  std::vector<std::string> out;
  const std::string suffix = "." + hook;
  for (const auto& entry : log) {
    if (entry.size() > suffix.size() && entry.compare(entry.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.substr(0, entry.size() - suffix.size()));
    }
  }
  return out;
}

std::vector<std::string> module_names(const App& app) {
  std::vector<std::string> out;
  for (const auto& m : app.modules()) out.push_back(m->meta().name);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- Dependency order ----------------------------------------------------------------------------------

TEST_F(ModuleBoot, IndependentModulesBootInNameOrder) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Charlie", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Alpha", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Bravo", std::vector<std::string>{}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_EQ(module_names(app), (std::vector<std::string>{"Alpha", "Bravo", "Charlie"}));
  EXPECT_EQ(modules_in(*log, "register_settings"), (std::vector<std::string>{"Alpha", "Bravo", "Charlie"}));
}

TEST_F(ModuleBoot, DependenciesBootFirstAndTiesAreBrokenByName) {
  auto log = std::make_shared<Log>();
  App app;
  // Orders needs Users and Products; Audit and Zebra are free. Kahn's algorithm picks the smallest ready
  // name each time, so a module freed by a pick competes with the others on its name only.
  app.add_module<Recorder>("Orders", std::vector<std::string>{"Users", "Products"}, log);
  app.add_module<Recorder>("Zebra", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Users", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Products", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Audit", std::vector<std::string>{}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_EQ(module_names(app), (std::vector<std::string>{"Audit", "Products", "Users", "Orders", "Zebra"}));
  EXPECT_EQ(modules_in(*log, "register_settings"), module_names(app));
}

TEST_F(ModuleBoot, AModuleFreedByAPickCompetesOnItsName) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Delta", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Alpha", std::vector<std::string>{"Charlie"}, log);
  app.add_module<Recorder>("Charlie", std::vector<std::string>{}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  // Charlie (ready, before Delta) frees Alpha, which then sorts before Delta.
  EXPECT_EQ(module_names(app), (std::vector<std::string>{"Charlie", "Alpha", "Delta"}));
}

TEST_F(ModuleBoot, ADiamondBootsEachModuleOnceAfterItsDependencies) {
  auto log = std::make_shared<Log>();
  App app;
  // Added in the reverse of the expected order: registration order must not matter.
  app.add_module<Recorder>("D", std::vector<std::string>{"B", "C"}, log);
  app.add_module<Recorder>("C", std::vector<std::string>{"A"}, log);
  app.add_module<Recorder>("B", std::vector<std::string>{"A"}, log);
  app.add_module<Recorder>("A", std::vector<std::string>{}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_EQ(module_names(app), (std::vector<std::string>{"A", "B", "C", "D"}));
  EXPECT_EQ(modules_in(*log, "register_settings"), (std::vector<std::string>{"A", "B", "C", "D"}));
}

// True when `message` contains the cycle a -> b -> c -> a in one of its rotations.
bool names_cycle(const std::string& message, const std::vector<std::string>& cycle) {
  for (std::size_t start = 0; start < cycle.size(); ++start) {
    std::string path;
    for (std::size_t i = 0; i <= cycle.size(); ++i) {
      if (i != 0) path += " -> ";
      path += cycle[(start + i) % cycle.size()];
    }
    if (contains(message, path)) return true;
  }
  return false;
}

TEST_F(ModuleBoot, ACycleIsAStartupErrorNamingTheCyclePath) {
  auto log = std::make_shared<Log>();
  App app;
  // A needs C, C needs B, B needs A: the cycle A -> C -> B -> A.
  app.add_module<Recorder>("A", std::vector<std::string>{"C"}, log);
  app.add_module<Recorder>("B", std::vector<std::string>{"A"}, log);
  app.add_module<Recorder>("C", std::vector<std::string>{"B"}, log);
  app.add_module<Recorder>("Free", std::vector<std::string>{}, log);
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "cycle")) << message;
    EXPECT_TRUE(names_cycle(message, {"A", "C", "B"})) << message;
    // cycle_path starts at the smallest name left: exactly "A -> C -> B -> A".
    EXPECT_TRUE(contains(message, "A -> C -> B -> A")) << message;
    EXPECT_TRUE(message.starts_with("SM003 ")) << "the catalogue's code leads: " << message;
    EXPECT_FALSE(contains(message, "Free")) << message;
  }
  EXPECT_TRUE(log->empty()) << "no hook runs when the modules cannot be sorted";
}

TEST_F(ModuleBoot, ACycleReachedThroughAnotherModuleNamesOnlyTheCycle) {
  auto log = std::make_shared<Log>();
  App app;
  // "Aa" is stuck behind the cycle B -> C -> B but is not part of it; it sorts first.
  app.add_module<Recorder>("Aa", std::vector<std::string>{"B"}, log);
  app.add_module<Recorder>("B", std::vector<std::string>{"C"}, log);
  app.add_module<Recorder>("C", std::vector<std::string>{"B"}, log);
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(names_cycle(message, {"B", "C"})) << message;
    EXPECT_FALSE(contains(message, "Aa")) << message;
  }
}

TEST_F(ModuleBoot, ASelfDependencyIsACycle) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Loop", std::vector<std::string>{"Loop"}, log);
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "Loop -> Loop")) << e.what();
  }
}

class FirstOrdersModule final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Orders"}; }
};
class SecondOrdersModule final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Orders"}; }
};

TEST_F(ModuleBoot, ADuplicateNameIsAStartupErrorNamingBothModules) {
  App app;
  app.add_module<FirstOrdersModule>();
  app.add_module<SecondOrdersModule>();
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "duplicate module name 'Orders'")) << message;
    EXPECT_TRUE(message.starts_with("SM001 ")) << "the catalogue's code leads: " << message;
    EXPECT_TRUE(contains(message, "FirstOrdersModule")) << message;
    EXPECT_TRUE(contains(message, "SecondOrdersModule")) << message;
  }
}

TEST_F(ModuleBoot, AnUnknownDependencyIsAStartupErrorNamingBothSides) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Orders", std::vector<std::string>{"Payments"}, log);
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "'Orders'")) << message;
    EXPECT_TRUE(contains(message, "'Payments'")) << message;
    EXPECT_TRUE(contains(message, "not registered")) << message;
    EXPECT_TRUE(message.starts_with("SM002 ")) << "the catalogue's code leads: " << message;
  }
  EXPECT_TRUE(log->empty());
}

class NamelessModule final : public Module {
 public:
  ModuleMeta meta() const override { return {}; }
};

TEST_F(ModuleBoot, AnEmptyNameIsAStartupError) {
  App app;
  app.add_module<NamelessModule>();
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "NamelessModule")) << e.what();
  }
}

// ---- Phase-major hooks ----------------------------------------------------------------------------------

TEST_F(ModuleBoot, HooksRunPhaseByPhaseAcrossAllModulesInDependencyOrder) {
  auto log = std::make_shared<Log>();
  routers_log() = log;
  App app;
  app.add_module<Recorder>("Orders", std::vector<std::string>{"Users"}, log);
  app.add_module<Recorder>("Users", std::vector<std::string>{}, log);
  create_backend_app(app, &logging_include_routers, BackendHooks{});
  routers_log().reset();

  Log expected;
  for (const char* hook : {"register_settings", "register_menu_items", "register_permissions",
                           "register_feature_flags", "register_event_handlers", "register_health_checks",
                           "register_exception_handlers", "register_middleware"}) {
    expected.push_back(std::string("Users.") + hook);
    expected.push_back(std::string("Orders.") + hook);
  }
  expected.push_back("include_routers");
  expected.push_back("Users.register_routes");
  expected.push_back("Orders.register_routes");
  EXPECT_EQ(*log, expected);

  // The lifespan hooks did not run at boot (they are probed for SM007 without being started).
  log->clear();
  run(app.start());
  EXPECT_EQ(*log, (Log{"Users.on_startup", "Orders.on_startup"}));
  log->clear();
  run(app.stop());
  EXPECT_EQ(*log, (Log{"Orders.on_shutdown", "Users.on_shutdown"}));
}

TEST_F(ModuleBoot, ARegistrationHookThatThrowsNamesTheModuleAndTheHook) {
  class Broken final : public Module {
   public:
    ModuleMeta meta() const override { return {.name = "Broken"}; }
    void register_permissions(PermissionRegistry&) override { throw std::runtime_error("bad permission list"); }
  };
  App app;
  app.add_module<Broken>();
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "'Broken'")) << message;
    EXPECT_TRUE(contains(message, "register_permissions")) << message;
    EXPECT_TRUE(contains(message, "bad permission list")) << message;
  }
}

// Whatever a hook throws, the boot stops with a StartupError naming the module and the hook, never a
// std::terminate.
TEST_F(ModuleBoot, AHookThrowingSomethingOtherThanAnExceptionStillNamesTheModule) {
  class Odd final : public Module {
   public:
    ModuleMeta meta() const override { return {.name = "Odd"}; }
    void register_permissions(PermissionRegistry&) override { throw 42; }
  };
  class OddMiddleware final : public Module {
   public:
    ModuleMeta meta() const override { return {.name = "OddMiddleware"}; }
    void register_middleware(App&) override { throw 42; }
  };
  for (int which = 0; which < 2; ++which) {
    App app;
    if (which == 0) {
      app.add_module<Odd>();
    } else {
      app.add_module<OddMiddleware>();
    }
    try {
      create_backend_app(app, nullptr, BackendHooks{});
      FAIL() << "expected a StartupError";
    } catch (const StartupError& e) {
      const std::string message = e.what();
      EXPECT_TRUE(contains(message, which == 0 ? "'Odd'" : "'OddMiddleware'")) << message;
      EXPECT_TRUE(contains(message, which == 0 ? "register_permissions" : "register_middleware")) << message;
      EXPECT_TRUE(contains(message, "a non-standard exception")) << message;
    }
  }
}

// ---- Routes ---------------------------------------------------------------------------------------------

class RoutesModule final : public Module {
 public:
  ModuleMeta meta() const override {
    return {.name = "Orders", .route_prefix = "/api/orders", .view_prefix = "/orders"};
  }
  void register_routes(Router& api, Router& views) override {
    api.get("/x", [] { return std::string("api x"); });
    views.get("/page", [] { return std::string("view page"); });
  }
};

TEST_F(ModuleBoot, ApiRoutesMountAtApiAndViewsAtTheRoot) {
  App app;
  app.add_module<RoutesModule>();
  create_backend_app(app, nullptr, BackendHooks{});
  TestClient client(app);
  auto api = client.get("/api/x").send();
  EXPECT_EQ(api.status(), 200);
  EXPECT_EQ(api.text(), "api x");
  auto view = client.get("/page").send();
  EXPECT_EQ(view.status(), 200);
  EXPECT_EQ(view.text(), "view page");
  EXPECT_EQ(client.get("/x").send().status(), 404);
  EXPECT_EQ(client.get("/api/page").send().status(), 404);
  // ModuleMeta's prefixes are documentation only.
  EXPECT_EQ(client.get("/api/orders/x").send().status(), 404);
  EXPECT_EQ(client.get("/orders/page").send().status(), 404);
}

void include_plain_router(App& app) {
  app.router().get("/plain", [] { return std::string("plain"); });
}

TEST_F(ModuleBoot, ModuleRoutesComeAfterTheAppsIncludeRouters) {
  App app;
  app.add_module<RoutesModule>();
  create_backend_app(app, &include_plain_router, BackendHooks{});
  TestClient client(app);
  EXPECT_EQ(client.get("/plain").send().text(), "plain");
  EXPECT_EQ(client.get("/api/x").send().text(), "api x");
  std::vector<std::string> paths;
  for (const auto& r : app.routes()) paths.push_back(r.info.path);
  const auto at = [&](const std::string& p) { return std::find(paths.begin(), paths.end(), p) - paths.begin(); };
  ASSERT_LT(at("/plain"), static_cast<std::ptrdiff_t>(paths.size()));
  ASSERT_LT(at("/api/x"), static_cast<std::ptrdiff_t>(paths.size()));
  ASSERT_LT(at("/page"), static_cast<std::ptrdiff_t>(paths.size()));
  EXPECT_LT(at("/plain"), at("/api/x"));
  EXPECT_LT(at("/plain"), at("/page"));
}

// ---- Lifespan -------------------------------------------------------------------------------------------

TEST_F(ModuleBoot, StartupRunsInDependencyOrderAndShutdownInReverse) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Cache", std::vector<std::string>{"Db"}, log);
  app.add_module<Recorder>("Api", std::vector<std::string>{"Cache", "Db"}, log);
  app.add_module<Recorder>("Db", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Metrics", std::vector<std::string>{}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  app.freeze();
  log->clear();
  run(app.start());
  EXPECT_EQ(modules_in(*log, "on_startup"), (std::vector<std::string>{"Db", "Cache", "Api", "Metrics"}));
  log->clear();
  run(app.stop());
  EXPECT_EQ(modules_in(*log, "on_shutdown"), (std::vector<std::string>{"Metrics", "Api", "Cache", "Db"}));
  // A second stop shuts nothing down twice.
  log->clear();
  run(app.stop());
  EXPECT_TRUE(log->empty());
}

TEST_F(ModuleBoot, AThrowingOnStartupShutsDownOnlyTheStartedModulesInReverseAndNamesTheModule) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("A", std::vector<std::string>{}, log);
  app.add_module<Recorder>("B", std::vector<std::string>{"A"}, log);
  app.add_module<Recorder>("C", std::vector<std::string>{"B"}, log, /*fail_startup=*/true);
  app.add_module<Recorder>("D", std::vector<std::string>{"C"}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  log->clear();
  try {
    run(app.start());
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "module C")) << message;
    EXPECT_TRUE(contains(message, "C cannot reach its broker")) << message;
  }
  EXPECT_EQ(*log, (Log{"A.on_startup", "B.on_startup", "C.on_startup", "B.on_shutdown", "A.on_shutdown"}));
  // What was shut down is not shut down again.
  log->clear();
  run(app.stop());
  EXPECT_TRUE(log->empty()) << ::testing::PrintToString(*log);
}

TEST_F(ModuleBoot, AThrowingOnShutdownIsLoggedAndTheOthersStillShutDown) {
  class FailingShutdown final : public Module {
   public:
    explicit FailingShutdown(std::shared_ptr<Log> log) : log_(std::move(log)) {}
    ModuleMeta meta() const override { return {.name = "B", .depends_on = {"A"}}; }
    Task<> on_shutdown() override {
      log_->push_back("B.on_shutdown");
      throw std::runtime_error("B cannot close");
      co_return;
    }

   private:
    std::shared_ptr<Log> log_;
  };
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("A", std::vector<std::string>{}, log);
  app.add_module<FailingShutdown>(log);
  app.add_module<Recorder>("C", std::vector<std::string>{"B"}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  run(app.start());
  log->clear();
  EXPECT_NO_THROW(run(app.stop()));
  EXPECT_EQ(*log, (Log{"C.on_shutdown", "B.on_shutdown", "A.on_shutdown"}));
}

// ---- Middleware -----------------------------------------------------------------------------------------

class SeenBy final : public Middleware {
 public:
  SeenBy(std::shared_ptr<Log> log, std::string name) : log_(std::move(log)), name_(std::move(name)) {}
  bool on_request(Request&, Response&) override {
    log_->push_back(name_ + " request");
    return false;
  }
  void on_response(Request&, Response&) override { log_->push_back(name_ + " response"); }

 private:
  std::shared_ptr<Log> log_;
  std::string name_;
};

class MiddlewareModule final : public Module {
 public:
  MiddlewareModule(std::string name, std::vector<std::string> depends_on, std::shared_ptr<Log> log)
      : name_(std::move(name)), depends_on_(std::move(depends_on)), log_(std::move(log)) {}
  ModuleMeta meta() const override { return {.name = name_, .depends_on = depends_on_}; }
  void register_middleware(App& app) override {
    app.add_middleware(std::make_shared<SeenBy>(log_, name_), "SeenBy" + name_);
  }
  void register_routes(Router& api, Router&) override {
    if (name_ == "Alpha") api.get("/ping", [log = log_] {
      log->push_back("handler");
      return std::string("pong");
    });
  }

 private:
  std::string name_;
  std::vector<std::string> depends_on_;
  std::shared_ptr<Log> log_;
};

TEST_F(ModuleBoot, ModuleMiddlewareIsLifoTheModuleSortingLaterWrapsOutermost) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<MiddlewareModule>("Beta", std::vector<std::string>{}, log);
  app.add_module<MiddlewareModule>("Alpha", std::vector<std::string>{}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  TestClient client(app);
  EXPECT_EQ(client.get("/api/ping").send().text(), "pong");
  EXPECT_EQ(*log, (Log{"Beta request", "Alpha request", "handler", "Alpha response", "Beta response"}));

  std::vector<std::string> added;
  std::vector<std::string> files;
  for (const auto& m : app.middleware_stack()) {
    if (m.builtin) continue;
    added.push_back(m.type);
    files.push_back(m.file);
  }
  EXPECT_EQ(added, (std::vector<std::string>{"SeenByBeta", "SeenByAlpha"}));
  EXPECT_EQ(files, (std::vector<std::string>{"module Beta", "module Alpha"}));
}

TEST_F(ModuleBoot, ADependentModulesMiddlewareWrapsItsDependencys) {
  auto log = std::make_shared<Log>();
  App app;
  // Alpha depends on Zulu: Zulu registers first, so Alpha's middleware is added later and runs first.
  app.add_module<MiddlewareModule>("Alpha", std::vector<std::string>{"Zulu"}, log);
  app.add_module<MiddlewareModule>("Zulu", std::vector<std::string>{}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  TestClient client(app);
  EXPECT_EQ(client.get("/api/ping").send().status(), 200);
  EXPECT_EQ(*log, (Log{"Alpha request", "Zulu request", "handler", "Zulu response", "Alpha response"}));
}

// ---- Exception handlers ---------------------------------------------------------------------------------

class OrderNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OrdersErrorsModule final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Orders"}; }
  void register_exception_handlers(App& app) override {
    app.add_exception_handler<OrderNotFound>(
        [](const Request&, Response& res, const OrderNotFound& e) { res.error(404, e.what()); });
  }
  void register_routes(Router& api, Router&) override {
    api.get("/orders/missing", []() -> std::string { throw OrderNotFound("order 7 not found"); });
  }
};

class ProductsModule final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Products"}; }
  void register_routes(Router&, Router& views) override {
    views.get("/products/order", []() -> std::string { throw OrderNotFound("order 8 not found"); });
  }
};

void include_throwing_router(App& app) {
  app.router().get("/plain/order", []() -> std::string { throw OrderNotFound("order 9 not found"); });
}

TEST_F(ModuleBoot, ModuleExceptionHandlersAreGlobal) {
  App app;
  app.add_module<OrdersErrorsModule>();
  app.add_module<ProductsModule>();
  create_backend_app(app, &include_throwing_router, BackendHooks{});
  TestClient client(app);
  auto own = client.get("/api/orders/missing").send();
  EXPECT_EQ(own.status(), 404);
  EXPECT_TRUE(contains(own.text(), "order 7 not found")) << own.text();
  auto other_module = client.get("/products/order").send();
  EXPECT_EQ(other_module.status(), 404);
  EXPECT_TRUE(contains(other_module.text(), "order 8 not found")) << other_module.text();
  auto app_route = client.get("/plain/order").send();
  EXPECT_EQ(app_route.status(), 404);
  EXPECT_TRUE(contains(app_route.text(), "order 9 not found")) << app_route.text();
}

// ---- AEGIS_MODULES_ENABLED ------------------------------------------------------------------------------

TEST_F(ModuleBoot, ModulesEnabledSelectsASubset) {
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", "Alpha, Charlie");
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Alpha", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Bravo", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Charlie", std::vector<std::string>{"Alpha"}, log);
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_EQ(module_names(app), (std::vector<std::string>{"Alpha", "Charlie"}));
  EXPECT_EQ(modules_in(*log, "register_settings"), (std::vector<std::string>{"Alpha", "Charlie"}));
  log->clear();
  run(app.start());
  EXPECT_EQ(modules_in(*log, "on_startup"), (std::vector<std::string>{"Alpha", "Charlie"}));
  run(app.stop());
}

TEST_F(ModuleBoot, ModulesEnabledNamingAnUnknownModuleIsAStartupError) {
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", "Alpha,Nope");
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Alpha", std::vector<std::string>{}, log);
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "AEGIS_MODULES_ENABLED")) << e.what();
    EXPECT_TRUE(contains(e.what(), "'Nope'")) << e.what();
  }
  EXPECT_TRUE(log->empty());
}

// An empty value (a placeholder left in .env) would boot no module at all without a word.
TEST_F(ModuleBoot, ModulesEnabledNamingNoModuleIsAStartupError) {
  for (const char* value : {"", " ,\t, "}) {
    ScopedEnv enabled("AEGIS_MODULES_ENABLED", value);
    App app;
    app.add_module<Recorder>("Alpha", std::vector<std::string>{}, std::make_shared<Log>());
    try {
      create_backend_app(app, nullptr, BackendHooks{});
      FAIL() << "expected a StartupError for '" << value << "'";
    } catch (const StartupError& e) {
      EXPECT_TRUE(contains(e.what(), "AEGIS_MODULES_ENABLED names no module")) << e.what();
    }
  }
  ScopedEnv tabbed("AEGIS_MODULES_ENABLED", "Alpha,\tBravo ");
  App app;
  app.add_module<Recorder>("Alpha", std::vector<std::string>{}, std::make_shared<Log>());
  app.add_module<Recorder>("Bravo", std::vector<std::string>{}, std::make_shared<Log>());
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_EQ(module_names(app), (std::vector<std::string>{"Alpha", "Bravo"}));
}

TEST_F(ModuleBoot, ModulesEnabledLeavingOutADependencyIsAStartupError) {
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", "Charlie");
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<Recorder>("Alpha", std::vector<std::string>{}, log);
  app.add_module<Recorder>("Charlie", std::vector<std::string>{"Alpha"}, log);
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "'Charlie'")) << e.what();
    EXPECT_TRUE(contains(e.what(), "'Alpha'")) << e.what();
    EXPECT_TRUE(contains(e.what(), "AEGIS_MODULES_ENABLED")) << e.what();
  }
}

TEST_F(ModuleBoot, TheEnvironmentIsRestoredAfterATestSetsModulesEnabled) {
  // ModuleBoot unsets AEGIS_MODULES_ENABLED; ScopedEnv restores what was there before.
  EXPECT_EQ(std::getenv("AEGIS_MODULES_ENABLED"), nullptr);
  {
    ScopedEnv enabled("AEGIS_MODULES_ENABLED", "X");
    EXPECT_STREQ(std::getenv("AEGIS_MODULES_ENABLED"), "X");
  }
  EXPECT_EQ(std::getenv("AEGIS_MODULES_ENABLED"), nullptr);
}

}  // namespace
