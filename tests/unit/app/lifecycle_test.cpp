// Discovery order and failures, the lifespan (startup unwinding, shutdown order and isolation).
#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/run_task.hpp"

namespace {

using namespace aegis;
using aegis::test::run;
using Log = std::vector<std::string>;

BackendHook hook(BackendHook::Kind kind, std::string name, std::string file, std::shared_ptr<Log> log,
                 bool fail = false) {
  BackendHook h;
  h.kind = kind;
  h.name = name;
  h.file = std::move(file);
  h.description = "records " + name;
  if (kind == BackendHook::Kind::middleware) {
    h.install = [log, name, fail](App&) {
      if (fail) throw std::runtime_error("cannot configure " + name);
      log->push_back("install " + name);
    };
  } else {
    h.run = [log, name, fail](App&) -> Task<> {
      log->push_back("run " + name);
      if (fail) throw std::runtime_error(name + " is broken");
      co_return;
    };
  }
  return h;
}

TEST(Discovery, MiddlewareFilesInstallInFileNameOrderAndRoutersAfter) {
  auto log = std::make_shared<Log>();
  BackendHooks hooks;
  hooks.add(hook(BackendHook::Kind::middleware, "session", "/app/backend/middleware/20_session.cpp", log));
  hooks.add(hook(BackendHook::Kind::middleware, "cors", "/app/backend/middleware/10_cors.cpp", log));
  hooks.add(hook(BackendHook::Kind::middleware, "auth", "/app/backend/middleware/15_auth.cpp", log));
  App app;
  static std::shared_ptr<Log> routers_log;
  routers_log = log;
  create_backend_app(app, [](App&) { routers_log->push_back("include_routers"); }, hooks);
  EXPECT_EQ(*log, (Log{"install cors", "install auth", "install session", "include_routers"}));
  EXPECT_EQ(get_configured_app(), &app);
}

TEST(Discovery, AFailingMiddlewareFileStopsTheBootNamingIt) {
  auto log = std::make_shared<Log>();
  BackendHooks hooks;
  hooks.add(hook(BackendHook::Kind::middleware, "cors", "/x/middleware/cors.cpp", log, true));
  App app;
  try {
    create_backend_app(app, nullptr, hooks);
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("middleware/cors.cpp"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot configure cors"), std::string::npos) << e.what();
  }
}

TEST(Discovery, MiddlewareAddedByAFileRecordsThatFile) {
  BackendHooks hooks;
  BackendHook h;
  h.kind = BackendHook::Kind::middleware;
  h.name = "timing";
  h.file = "/src/app/components/backend/middleware/timing.cpp";
  h.install = [](App& app) { app.add_middleware(std::make_shared<Middleware>(), "Timing"); };
  hooks.add(h);
  App app;
  create_backend_app(app, nullptr, hooks);
  const auto stack = app.middleware_stack();
  EXPECT_EQ(stack.back().type, "Timing");
  EXPECT_EQ(stack.back().file, "middleware/timing.cpp");
}

TEST(Lifespan, StartupInFileOrderShutdownInReverse) {
  auto log = std::make_shared<Log>();
  BackendHooks hooks;
  hooks.add(hook(BackendHook::Kind::startup, "cache", "/b/startup/b_cache.cpp", log));
  hooks.add(hook(BackendHook::Kind::startup, "db", "/b/startup/a_db.cpp", log));
  hooks.add(hook(BackendHook::Kind::shutdown, "db", "/b/shutdown/a_db.cpp", log));
  hooks.add(hook(BackendHook::Kind::shutdown, "cache", "/b/shutdown/b_cache.cpp", log));
  App app;
  create_backend_app(app, nullptr, hooks);
  app.freeze();
  run(app.start());
  run(app.stop());
  EXPECT_EQ(*log, (Log{"run db", "run cache", "run cache", "run db"}));
  const auto lifecycle = app.lifecycle();
  ASSERT_EQ(lifecycle.size(), 4u);
  EXPECT_EQ(lifecycle[0].name, "db");
  EXPECT_EQ(lifecycle[0].file, "startup/a_db.cpp");
  EXPECT_EQ(lifecycle[2].kind, LifecycleHook::Kind::shutdown);
  EXPECT_EQ(lifecycle[2].name, "cache");
  EXPECT_EQ(lifecycle[2].description, "records cache");
}

TEST(Lifespan, AFailingStartupHookShutsDownAndNamesTheHook) {
  auto log = std::make_shared<Log>();
  BackendHooks hooks;
  hooks.add(hook(BackendHook::Kind::startup, "db", "/b/startup/a_db.cpp", log));
  hooks.add(hook(BackendHook::Kind::startup, "broker", "/b/startup/b_broker.cpp", log, true));
  hooks.add(hook(BackendHook::Kind::startup, "never", "/b/startup/c_never.cpp", log));
  hooks.add(hook(BackendHook::Kind::shutdown, "db", "/b/shutdown/a_db.cpp", log));
  App app;
  create_backend_app(app, nullptr, hooks);
  try {
    run(app.start());
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("broker (startup/b_broker.cpp)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("broker is broken"), std::string::npos) << e.what();
  }
  EXPECT_EQ(*log, (Log{"run db", "run broker", "run db"}));
}

TEST(Lifespan, AFailingShutdownHookIsLoggedAndTheOthersStillRun) {
  auto log = std::make_shared<Log>();
  BackendHooks hooks;
  hooks.add(hook(BackendHook::Kind::shutdown, "a", "/b/shutdown/a.cpp", log));
  hooks.add(hook(BackendHook::Kind::shutdown, "b", "/b/shutdown/b.cpp", log, true));
  hooks.add(hook(BackendHook::Kind::shutdown, "c", "/b/shutdown/c.cpp", log));
  App app;
  create_backend_app(app, nullptr, hooks);
  EXPECT_NO_THROW(run(app.stop()));
  EXPECT_EQ(*log, (Log{"run c", "run b", "run a"}));
}

}  // namespace
