// aegis::Module and AEGIS_MODULE (include/aegis/modules/module.hpp), module state read by handlers,
// typed settings (include/aegis/modules/settings.hpp) and the diagnostics the boot computes: SM007, SM012,
// AE105 and AE106.
#include <aegis/aegis.hpp>
#include <aegis/app/guards.hpp>
#include <aegis/modules/module.hpp>
#include <aegis/modules/settings.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/describe/class.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace aegis;
using aegis::testing::TestClient;

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

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<Diagnostic> with_code(const App& app, const std::string& code) {
  std::vector<Diagnostic> out;
  for (auto& d : app.diagnostics()) {
    if (d.code == code) out.push_back(d);
  }
  return out;
}

}  // namespace

// ---- AEGIS_MODULE ---------------------------------------------------------------------------------------
// The registration is taken out of the global registry right after static initialisation registers it, so
// that no other test's boot sees this module; the test below puts it back for one boot.

namespace aegis_module_test {

class DiscoveredProbeModule final : public aegis::Module {
 public:
  aegis::ModuleMeta meta() const override {
    return {.name = "DiscoveredProbe", .route_prefix = "/api/probe", .depends_on = {"Explicit"}, .version = "2.1.0"};
  }
  void register_routes(aegis::Router& api, aegis::Router&) override {
    api.get("/probe", [] { return std::string("discovered"); });
  }
};

}  // namespace aegis_module_test

AEGIS_MODULE(aegis_module_test::DiscoveredProbeModule);

namespace {

std::optional<aegis::detail::ModuleRegistration> take_probe_registration() {
  auto& all = aegis::detail::discovered_modules();
  for (auto it = all.begin(); it != all.end(); ++it) {
    if (it->type_name == "aegis_module_test::DiscoveredProbeModule") {
      auto r = std::move(*it);
      all.erase(it);
      return r;
    }
  }
  return std::nullopt;
}
// Initialised after the registrar above (same translation unit, declared later).
const std::optional<aegis::detail::ModuleRegistration> probe_registration = take_probe_registration();

// Puts the probe registration back into the discovered list for the scope.
class DiscoveredProbe {
 public:
  DiscoveredProbe() { aegis::detail::discovered_modules().push_back(*probe_registration); }
  ~DiscoveredProbe() {
    auto& all = aegis::detail::discovered_modules();
    std::erase_if(all, [](const auto& r) { return r.type_name == "aegis_module_test::DiscoveredProbeModule"; });
  }
  DiscoveredProbe(const DiscoveredProbe&) = delete;
  DiscoveredProbe& operator=(const DiscoveredProbe&) = delete;
};

class ExplicitModule final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Explicit"}; }
  void register_routes(Router& api, Router&) override {
    api.get("/explicit", [] { return std::string("explicit"); });
  }
};

TEST(ModuleRegistration, AegisModuleRegistersAFactoryWithTheTypeAndFile) {
  ASSERT_TRUE(probe_registration.has_value());
  EXPECT_EQ(probe_registration->type_name, "aegis_module_test::DiscoveredProbeModule");
  EXPECT_TRUE(contains(probe_registration->file, "module_test.cpp")) << probe_registration->file;
  ASSERT_NE(probe_registration->make, nullptr);
  std::unique_ptr<Module> made = probe_registration->make();
  ASSERT_NE(made, nullptr);
  const ModuleMeta meta = made->meta();
  EXPECT_EQ(meta.name, "DiscoveredProbe");
  EXPECT_EQ(meta.route_prefix, "/api/probe");
  EXPECT_EQ(meta.depends_on, (std::vector<std::string>{"Explicit"}));
  EXPECT_EQ(meta.version, "2.1.0");
  // Taken out at static initialisation: no other boot sees it.
  for (const auto& r : detail::discovered_modules()) EXPECT_NE(r.type_name, probe_registration->type_name);
}

TEST(ModuleRegistration, DiscoveredModulesBootWithExplicitOnesInDependencyOrder) {
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", std::nullopt);
  DiscoveredProbe probe;
  App app;
  app.add_module<ExplicitModule>();
  create_backend_app(app, nullptr, BackendHooks{});
  std::vector<std::string> names;
  for (const auto& m : app.modules()) names.push_back(m->meta().name);
  EXPECT_EQ(names, (std::vector<std::string>{"Explicit", "DiscoveredProbe"}));
  TestClient client(app);
  EXPECT_EQ(client.get("/api/probe").send().text(), "discovered");
  EXPECT_EQ(client.get("/api/explicit").send().text(), "explicit");
}

TEST(ModuleRegistration, ADiscoveredDuplicateNamesTheFileOfTheDiscoveredModule) {
  class ImpostorModule final : public Module {
   public:
    ModuleMeta meta() const override { return {.name = "DiscoveredProbe"}; }
  };
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", std::nullopt);
  DiscoveredProbe probe;
  App app;
  app.add_module<ExplicitModule>();
  app.add_module<ImpostorModule>();
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "ImpostorModule")) << e.what();
    EXPECT_TRUE(contains(e.what(), "DiscoveredProbeModule (modules/module_test.cpp)")) << e.what();
  }
}

TEST(ModuleRegistration, AddModuleReturnsTheModuleAndKeepsItUntilBoot) {
  App app;
  ExplicitModule& m = app.add_module<ExplicitModule>();
  ASSERT_EQ(app.modules().size(), 1u);
  EXPECT_EQ(app.modules().front().get(), &m);
  EXPECT_EQ(m.defaults_ran(), 0);
}

TEST(ModuleRegistration, DefaultHooksRecordThatTheyRan) {
  class Empty final : public Module {
   public:
    ModuleMeta meta() const override { return {.name = "Empty"}; }
  };
  Empty m;
  App app;
  Router api;
  Router views;
  m.register_settings(app);
  EXPECT_EQ(m.defaults_ran(), Module::kSettings);
  m.register_routes(api, views);
  EXPECT_EQ(m.defaults_ran(), Module::kSettings | Module::kRoutes);
  { Task<> t = m.on_startup(); }
  { Task<> t = m.on_shutdown(); }
  EXPECT_EQ(m.defaults_ran(), Module::kSettings | Module::kRoutes | Module::kStartup | Module::kShutdown);
}

// ---- State ----------------------------------------------------------------------------------------------

struct OrdersState {
  int open_orders = 0;
  std::string currency;
};

class StatefulOrders final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Orders"}; }
  void register_settings(App& app) override { app.state().emplace<OrdersState>("orders", 3, "EUR"); }
  void register_routes(Router& api, Router&) override {
    api.get("/orders/open", [](State<OrdersState> s) { return std::to_string(s->open_orders) + " " + s->currency; });
  }
};

// Reads another module's state in a later phase (every module's settings exist by then).
class Reports final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Reports", .depends_on = {"Orders"}}; }
  void register_settings(App& app) override { app.state().emplace<int>("reports", 0); }
  void register_menu_items(MenuRegistry&) override {}
  void register_middleware(App& app) override { seen_open_orders = app.state().get<OrdersState>().open_orders; }
  int seen_open_orders = -1;
};

TEST(ModuleState, StateRegisteredInRegisterSettingsIsReadByHandlers) {
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", std::nullopt);
  App app;
  app.add_module<StatefulOrders>();
  Reports& reports = app.add_module<Reports>();
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_TRUE(app.state().contains("orders"));
  EXPECT_EQ(app.state().get<OrdersState>().currency, "EUR");
  EXPECT_EQ(reports.seen_open_orders, 3);
  TestClient client(app);
  auto r = client.get("/api/orders/open").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), "3 EUR");
  // Frozen with the app.
  EXPECT_THROW(app.state().emplace<double>("late", 1.0), std::logic_error);
}

TEST(ModuleState, AStateTypeRegisteredTwiceIsABootErrorNamingTheModule) {
  class Thief final : public Module {
   public:
    ModuleMeta meta() const override { return {.name = "Thief"}; }
    void register_settings(App& app) override { app.state().emplace<OrdersState>("thief"); }
  };
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", std::nullopt);
  App app;
  app.add_module<StatefulOrders>();
  app.add_module<Thief>();
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "'Thief'")) << e.what();
    EXPECT_TRUE(contains(e.what(), "register_settings")) << e.what();
  }
}

// ---- Settings -------------------------------------------------------------------------------------------

struct OrdersSettings {
  int page_size = 20;
  bool new_checkout_beta = false;
  std::string currency = "EUR";
  std::vector<std::string> regions = {"eu"};
  std::optional<int> max_items;
};
BOOST_DESCRIBE_STRUCT(OrdersSettings, (), (page_size, new_checkout_beta, currency, regions, max_items))
AEGIS_FIELD_RULES(OrdersSettings, (page_size, aegis::Min<1>, aegis::Max<500>))

// Every test starts with no AEGIS_ORDERS_* variable set, and leaves the environment as it found it.
class ModuleSettings : public ::testing::Test {
 protected:
  ScopedEnv page_size_{"AEGIS_ORDERS_PAGE_SIZE", std::nullopt};
  ScopedEnv beta_{"AEGIS_ORDERS_NEW_CHECKOUT_BETA", std::nullopt};
  ScopedEnv currency_{"AEGIS_ORDERS_CURRENCY", std::nullopt};
  ScopedEnv regions_{"AEGIS_ORDERS_REGIONS", std::nullopt};
  ScopedEnv max_items_{"AEGIS_ORDERS_MAX_ITEMS", std::nullopt};
};

TEST_F(ModuleSettings, DefaultsWhenNothingIsSet) {
  const auto s = load_settings<OrdersSettings>("ORDERS");
  EXPECT_EQ(s.page_size, 20);
  EXPECT_FALSE(s.new_checkout_beta);
  EXPECT_EQ(s.currency, "EUR");
  EXPECT_EQ(s.regions, (std::vector<std::string>{"eu"}));
  EXPECT_FALSE(s.max_items.has_value());
}

TEST_F(ModuleSettings, ExplicitDefaultsAreTheFallback) {
  const auto s = load_settings<OrdersSettings>("ORDERS", OrdersSettings{.page_size = 7, .currency = "CHF"});
  EXPECT_EQ(s.page_size, 7);
  EXPECT_EQ(s.currency, "CHF");
}

TEST_F(ModuleSettings, TheEnvironmentOverridesTheDefaults) {
  ScopedEnv page_size("AEGIS_ORDERS_PAGE_SIZE", "50");
  ScopedEnv beta("AEGIS_ORDERS_NEW_CHECKOUT_BETA", "true");
  ScopedEnv currency("AEGIS_ORDERS_CURRENCY", "USD");
  ScopedEnv regions("AEGIS_ORDERS_REGIONS", "eu,us,apac");
  ScopedEnv max_items("AEGIS_ORDERS_MAX_ITEMS", "9");
  const auto s = load_settings<OrdersSettings>("ORDERS");
  EXPECT_EQ(s.page_size, 50);
  EXPECT_TRUE(s.new_checkout_beta);
  EXPECT_EQ(s.currency, "USD");
  EXPECT_EQ(s.regions, (std::vector<std::string>{"eu", "us", "apac"}));
  EXPECT_EQ(s.max_items, 9);
}

TEST_F(ModuleSettings, ThePrefixIsUpperCasedAndNonIdentifierCharactersBecomeUnderscores) {
  EXPECT_EQ(detail::settings_variable("orders", "page_size"), "AEGIS_ORDERS_PAGE_SIZE");
  EXPECT_EQ(detail::settings_variable("my-shop.v2", "pageSize"), "AEGIS_MY_SHOP_V2_PAGESIZE");
  ScopedEnv page_size("AEGIS_ORDERS_PAGE_SIZE", "42");
  EXPECT_EQ(load_settings<OrdersSettings>("orders").page_size, 42);
}

TEST_F(ModuleSettings, EveryInvalidValueIsReportedAtOnceByVariableName) {
  ScopedEnv page_size("AEGIS_ORDERS_PAGE_SIZE", "abc");
  ScopedEnv beta("AEGIS_ORDERS_NEW_CHECKOUT_BETA", "maybe");
  ScopedEnv max_items("AEGIS_ORDERS_MAX_ITEMS", "lots");
  ScopedEnv currency("AEGIS_ORDERS_CURRENCY", "GBP");  // valid: not reported
  try {
    (void)load_settings<OrdersSettings>("ORDERS");
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "AEGIS_ORDERS_PAGE_SIZE")) << message;
    EXPECT_TRUE(contains(message, "'abc'")) << message;
    EXPECT_TRUE(contains(message, "AEGIS_ORDERS_NEW_CHECKOUT_BETA")) << message;
    EXPECT_TRUE(contains(message, "'maybe'")) << message;
    EXPECT_TRUE(contains(message, "AEGIS_ORDERS_MAX_ITEMS")) << message;
    EXPECT_FALSE(contains(message, "AEGIS_ORDERS_CURRENCY")) << message;
  }
}

TEST_F(ModuleSettings, FieldRulesApplyToEnvironmentValues) {
  ScopedEnv page_size("AEGIS_ORDERS_PAGE_SIZE", "0");
  ScopedEnv regions("AEGIS_ORDERS_REGIONS", "eu,us");
  try {
    (void)load_settings<OrdersSettings>("ORDERS");
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "AEGIS_ORDERS_PAGE_SIZE")) << e.what();
    EXPECT_TRUE(contains(e.what(), "'0'")) << e.what();
  }
  ScopedEnv too_big("AEGIS_ORDERS_PAGE_SIZE", "501");
  EXPECT_THROW((void)load_settings<OrdersSettings>("ORDERS"), StartupError);
  ScopedEnv largest("AEGIS_ORDERS_PAGE_SIZE", "500");
  EXPECT_EQ(load_settings<OrdersSettings>("ORDERS").page_size, 500);
}

struct ListSettings {
  std::vector<std::string> hosts = {"a"};
  std::vector<int> ports = {80};
};
BOOST_DESCRIBE_STRUCT(ListSettings, (), (hosts, ports))
AEGIS_FIELD_RULES(ListSettings, (hosts, aegis::MinLength<1>, aegis::MaxLength<2>, aegis::Pattern<"^[a-z.]+$">),
                  (ports, aegis::Min<1>, aegis::Max<65535>))

// A list setting reads as a list parameter does: items trimmed and empty ones skipped, the lengths
// counting the items, the bounds and the pattern applying to each, and an error naming the item.
TEST(ModuleListSettings, LengthsCountTheItemsAndTheOtherRulesApplyToEach) {
  {
    ScopedEnv hosts("AEGIS_LISTS_HOSTS", " db.local , cache ,");
    ScopedEnv ports("AEGIS_LISTS_PORTS", "80, 443");
    const auto s = load_settings<ListSettings>("LISTS");
    EXPECT_EQ(s.hosts, (std::vector<std::string>{"db.local", "cache"}));
    EXPECT_EQ(s.ports, (std::vector<int>{80, 443}));
  }
  {
    ScopedEnv hosts("AEGIS_LISTS_HOSTS", "alpha,beta,gamma");
    ScopedEnv ports("AEGIS_LISTS_PORTS", "80,0,x");
    try {
      (void)load_settings<ListSettings>("LISTS");
      FAIL() << "expected a StartupError";
    } catch (const StartupError& e) {
      const std::string message = e.what();
      EXPECT_TRUE(contains(message, "AEGIS_LISTS_HOSTS: List should have at most 2 items")) << message;
      EXPECT_FALSE(contains(message, "String should have at most")) << message;
      EXPECT_TRUE(contains(message, "(item '0')")) << message;
      EXPECT_TRUE(contains(message, "(item 'x')")) << message;
    }
  }
  {
    ScopedEnv hosts("AEGIS_LISTS_HOSTS", " , ");
    try {
      (void)load_settings<ListSettings>("LISTS");
      FAIL() << "expected a StartupError";
    } catch (const StartupError& e) {
      EXPECT_TRUE(contains(e.what(), "AEGIS_LISTS_HOSTS: List should have at least 1 item")) << e.what();
    }
  }
  {
    ScopedEnv hosts("AEGIS_LISTS_HOSTS", "UPPER");
    EXPECT_THROW((void)load_settings<ListSettings>("LISTS"), StartupError) << "the pattern applies to each item";
  }
}

class SettingsModule final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Orders"}; }
  void register_settings(App& app) override {
    app.state().emplace<OrdersSettings>("orders", load_settings<OrdersSettings>("ORDERS"));
  }
  void register_routes(Router& api, Router&) override {
    api.get("/orders/page-size", [](State<OrdersSettings> s) { return std::to_string(s->page_size); });
  }
};

TEST_F(ModuleSettings, AModuleLoadsItsSettingsAtBootAndHandlersSeeThem) {
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", std::nullopt);
  ScopedEnv page_size("AEGIS_ORDERS_PAGE_SIZE", "75");
  App app;
  app.add_module<SettingsModule>();
  create_backend_app(app, nullptr, BackendHooks{});
  TestClient client(app);
  EXPECT_EQ(client.get("/api/orders/page-size").send().text(), "75");
}

TEST_F(ModuleSettings, InvalidModuleSettingsStopTheBootNamingTheVariables) {
  ScopedEnv enabled("AEGIS_MODULES_ENABLED", std::nullopt);
  ScopedEnv page_size("AEGIS_ORDERS_PAGE_SIZE", "-3");
  ScopedEnv beta("AEGIS_ORDERS_NEW_CHECKOUT_BETA", "nah");
  App app;
  app.add_module<SettingsModule>();
  try {
    create_backend_app(app, nullptr, BackendHooks{});
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_TRUE(contains(e.what(), "AEGIS_ORDERS_PAGE_SIZE")) << e.what();
    EXPECT_TRUE(contains(e.what(), "AEGIS_ORDERS_NEW_CHECKOUT_BETA")) << e.what();
  }
}

// ---- Diagnostics ----------------------------------------------------------------------------------------

class ModuleDiagnostics : public ::testing::Test {
 protected:
  ScopedEnv enabled_{"AEGIS_MODULES_ENABLED", std::nullopt};
};

class DoesNothing final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Idle"}; }
};

class OnlyShutdown final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Closer"}; }
  Task<> on_shutdown() override {
    closed = true;
    co_return;
  }
  bool closed = false;
};

class OnlyStartup final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Opener"}; }
  Task<> on_startup() override {
    opened = true;
    co_return;
  }
  bool opened = false;
};

TEST_F(ModuleDiagnostics, Sm007FiresForAModuleThatOverridesNoHook) {
  App app;
  app.add_module<DoesNothing>();
  create_backend_app(app, nullptr, BackendHooks{});
  const auto found = with_code(app, "SM007");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].level, Diagnostic::Level::info);
  EXPECT_TRUE(contains(found[0].message, "'Idle'")) << found[0].message;
  EXPECT_TRUE(contains(found[0].where, "DoesNothing")) << found[0].where;
  EXPECT_TRUE(with_code(app, "SM012").empty());
}

TEST_F(ModuleDiagnostics, Sm007DoesNotFireForAModuleOverridingOnlyALifespanCoroutine) {
  App app;
  OnlyShutdown& closer = app.add_module<OnlyShutdown>();
  OnlyStartup& opener = app.add_module<OnlyStartup>();
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_TRUE(with_code(app, "SM007").empty());
  // The probe that detects the override does not run it.
  EXPECT_FALSE(closer.closed);
  EXPECT_FALSE(opener.opened);
  EXPECT_TRUE(with_code(app, "SM012").empty());
}

class SettingsWithoutState final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Billing"}; }
  void register_settings(App& app) override { app.state().emplace<double>("billing_rate", 0.2); }
};

class SettingsWithState final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Invoices"}; }
  void register_settings(App& app) override { app.state().emplace<OrdersState>("invoices"); }
};

TEST_F(ModuleDiagnostics, Sm012FiresWhenRegisterSettingsRegistersNoStateUnderTheLowerCasedName) {
  App app;
  app.add_module<SettingsWithoutState>();
  create_backend_app(app, nullptr, BackendHooks{});
  const auto found = with_code(app, "SM012");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].level, Diagnostic::Level::warning);
  EXPECT_TRUE(contains(found[0].message, "'Billing'")) << found[0].message;
  EXPECT_TRUE(contains(found[0].message, "'billing'")) << found[0].message;
  EXPECT_TRUE(contains(found[0].where, "SettingsWithoutState")) << found[0].where;
  EXPECT_TRUE(with_code(app, "SM007").empty());
}

TEST_F(ModuleDiagnostics, Sm012DoesNotFireWhenTheStateIsRegistered) {
  App app;
  app.add_module<SettingsWithState>();
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_TRUE(with_code(app, "SM012").empty());
  EXPECT_TRUE(with_code(app, "SM007").empty());
}

class MenuModule final : public Module {
 public:
  explicit MenuModule(bool declare) : declare_(declare) {}
  ModuleMeta meta() const override { return {.name = "Orders"}; }
  void register_menu_items(MenuRegistry& registry) override {
    registry.add({.section = MenuSection::sidebar, .key = "orders", .label_key = "orders.menu.orders",
                  .href = "/orders", .icon = "package", .required_permission = "orders.view", .order = 20});
  }
  void register_permissions(PermissionRegistry& registry) override {
    if (declare_) registry.add_group("Orders", {"orders.view", "orders.delete"});
  }
  void register_routes(Router& api, Router&) override {
    api.del("/orders/{id}", [](Path<int, "id"> id) { return std::to_string(*id); })
        .summary("Delete an order")
        .dependencies({require_permission("orders.delete")});
  }

 private:
  bool declare_;
};

TEST_F(ModuleDiagnostics, Ae105FiresForAMenuItemAndAGuardNamingUndeclaredPermissions) {
  App app;
  app.add_module<MenuModule>(false);
  create_backend_app(app, nullptr, BackendHooks{});
  app.freeze();
  const auto found = with_code(app, "AE105");
  ASSERT_EQ(found.size(), 2u);
  const bool menu_first = contains(found[0].message, "menu item");
  const Diagnostic& menu = menu_first ? found[0] : found[1];
  const Diagnostic& guard = menu_first ? found[1] : found[0];
  EXPECT_TRUE(contains(menu.message, "'orders'")) << menu.message;
  EXPECT_TRUE(contains(menu.message, "'orders.view'")) << menu.message;
  EXPECT_EQ(menu.where, "SIDEBAR");
  EXPECT_EQ(menu.level, Diagnostic::Level::warning);
  EXPECT_TRUE(contains(guard.message, "'orders.delete'")) << guard.message;
  EXPECT_TRUE(contains(guard.where, "/api/orders/{id}")) << guard.where;
}

TEST_F(ModuleDiagnostics, Ae105DoesNotFireWhenThePermissionsAreDeclared) {
  App app;
  app.add_module<MenuModule>(true);
  create_backend_app(app, nullptr, BackendHooks{});
  app.freeze();
  EXPECT_TRUE(with_code(app, "AE105").empty());
}

class FlagModule final : public Module {
 public:
  ModuleMeta meta() const override { return {.name = "Checkout"}; }
  void register_feature_flags(FeatureFlagRegistry& registry) override {
    registry.add("checkout.new_flow", false, "The new checkout");
  }
};

TEST_F(ModuleDiagnostics, Ae106FiresForAFlagCheckedButNeverDeclared) {
  App app;
  app.add_module<FlagModule>();
  create_backend_app(app, nullptr, BackendHooks{});
  EXPECT_FALSE(app.feature_flags().is_enabled("checkout.new_flow"));
  EXPECT_TRUE(with_code(app, "AE106").empty());
  EXPECT_FALSE(app.feature_flags().is_enabled("checkout.old_flow"));
  EXPECT_FALSE(app.feature_flags().is_enabled("checkout.old_flow"));
  const auto found = with_code(app, "AE106");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].level, Diagnostic::Level::warning);
  EXPECT_TRUE(contains(found[0].message, "'checkout.old_flow'")) << found[0].message;
}

TEST_F(ModuleDiagnostics, DiagnosticLevelsHaveNames) {
  EXPECT_STREQ(to_string(Diagnostic::Level::info), "INFO");
  EXPECT_STREQ(to_string(Diagnostic::Level::warning), "WARNING");
  EXPECT_STREQ(to_string(Diagnostic::Level::error), "ERROR");
}

}  // namespace
