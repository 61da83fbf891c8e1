// MenuRegistry, PermissionRegistry, Principal and the require_permission route guard.
#include <aegis/aegis.hpp>
#include <aegis/app/guards.hpp>
#include <aegis/registries/menus.hpp>
#include <aegis/registries/permissions.hpp>
#include <aegis/registries/principal.hpp>
#include <aegis/testing/test_client.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace aegis;
using aegis::testing::TestClient;

std::vector<std::string> keys(const std::vector<MenuItem>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.key);
  return out;
}

MenuItem item(std::string key, int order, std::string permission = {}, MenuSection section = MenuSection::sidebar) {
  MenuItem i;
  i.section = section;
  i.key = key;
  i.label_key = "test.menu." + key;
  i.href = "/" + key;
  i.icon = "dot";
  i.required_permission = std::move(permission);
  i.order = order;
  return i;
}

Principal principal_with(std::vector<std::string> permissions) {
  Principal p;
  p.id = "u1";
  p.name = "User One";
  p.permissions = std::move(permissions);
  return p;
}

// ---- Menus ----------------------------------------------------------------------------------------------

TEST(MenuRegistry, ItemsAreSortedByOrderThenKey) {
  MenuRegistry menus;
  menus.add(item("zeta", 10));
  menus.add(item("orders", 20));
  menus.add(item("alpha", 10));
  menus.add(item("first", -5));
  menus.add(item("beta", 10));
  EXPECT_EQ(keys(menus.items(MenuSection::sidebar)),
            (std::vector<std::string>{"first", "alpha", "beta", "zeta", "orders"}));
}

TEST(MenuRegistry, SectionsAreSeparateAndAllListsThemInSectionOrder) {
  MenuRegistry menus;
  menus.add(item("profile", 1, {}, MenuSection::user_dropdown));
  menus.add(item("users", 1, {}, MenuSection::admin_sidebar));
  menus.add(item("home", 1, {}, MenuSection::navbar));
  menus.add(item("orders", 1, {}, MenuSection::sidebar));
  EXPECT_EQ(keys(menus.items(MenuSection::sidebar)), std::vector<std::string>{"orders"});
  EXPECT_EQ(keys(menus.items(MenuSection::admin_sidebar)), std::vector<std::string>{"users"});
  EXPECT_EQ(keys(menus.items(MenuSection::navbar)), std::vector<std::string>{"home"});
  EXPECT_EQ(keys(menus.items(MenuSection::user_dropdown)), std::vector<std::string>{"profile"});
  EXPECT_EQ(keys(menus.all()), (std::vector<std::string>{"orders", "users", "home", "profile"}));
  EXPECT_EQ(to_string(MenuSection::sidebar), "SIDEBAR");
  EXPECT_EQ(to_string(MenuSection::admin_sidebar), "ADMIN_SIDEBAR");
  EXPECT_EQ(to_string(MenuSection::navbar), "NAVBAR");
  EXPECT_EQ(to_string(MenuSection::user_dropdown), "USER_DROPDOWN");
}

TEST(MenuRegistry, ItemsKeepEveryField) {
  MenuRegistry menus;
  menus.add({.section = MenuSection::sidebar, .key = "orders", .label_key = "orders.menu.orders", .href = "/orders",
             .icon = "package", .required_permission = "orders.view", .order = 20});
  const auto items = menus.items(MenuSection::sidebar);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].label_key, "orders.menu.orders");
  EXPECT_EQ(items[0].href, "/orders");
  EXPECT_EQ(items[0].icon, "package");
  EXPECT_EQ(items[0].required_permission, "orders.view");
  EXPECT_EQ(items[0].order, 20);
}

TEST(MenuRegistry, ForPrincipalFiltersByPermission) {
  MenuRegistry menus;
  menus.add(item("home", 1));
  menus.add(item("orders", 2, "orders.view"));
  menus.add(item("admin", 3, "admin.manage"));
  menus.add(item("elsewhere", 0, {}, MenuSection::navbar));

  EXPECT_EQ(keys(menus.for_principal(MenuSection::sidebar, nullptr)), std::vector<std::string>{"home"});

  const Principal clerk = principal_with({"orders.view"});
  EXPECT_EQ(keys(menus.for_principal(MenuSection::sidebar, &clerk)), (std::vector<std::string>{"home", "orders"}));

  const Principal nobody = principal_with({});
  EXPECT_EQ(keys(menus.for_principal(MenuSection::sidebar, &nobody)), std::vector<std::string>{"home"});

  const Principal admin = principal_with({"*"});
  EXPECT_EQ(keys(menus.for_principal(MenuSection::sidebar, &admin)),
            (std::vector<std::string>{"home", "orders", "admin"}));
  EXPECT_EQ(keys(menus.for_principal(MenuSection::navbar, &admin)), std::vector<std::string>{"elsewhere"});
}

TEST(MenuRegistry, DuplicateKeysInASectionAreRejected) {
  MenuRegistry menus;
  menus.add(item("orders", 1));
  try {
    menus.add(item("orders", 2));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'orders'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SIDEBAR"), std::string::npos) << e.what();
  }
  // The same key in another section is another item.
  EXPECT_NO_THROW(menus.add(item("orders", 1, {}, MenuSection::navbar)));
  EXPECT_EQ(menus.items(MenuSection::sidebar).size(), 1u);
}

TEST(MenuRegistry, AnItemNeedsAKeyAndAnHrefAndTheFrozenRegistryRefusesItems) {
  MenuRegistry menus;
  MenuItem no_key = item("x", 1);
  no_key.key.clear();
  EXPECT_THROW(menus.add(no_key), std::invalid_argument);
  MenuItem no_href = item("x", 1);
  no_href.href.clear();
  EXPECT_THROW(menus.add(no_href), std::invalid_argument);
  menus.freeze();
  EXPECT_THROW(menus.add(item("late", 1)), std::logic_error);
  EXPECT_TRUE(menus.all().empty());
}

// ---- Permissions ----------------------------------------------------------------------------------------

TEST(PermissionRegistry, GroupsCollectPermissionsAndMergeByName) {
  PermissionRegistry permissions;
  permissions.add_group("Orders", {"orders.view", "orders.create"});
  permissions.add_group("Users", {"users.view", "users.view"});  // listed twice: declared once
  permissions.add_group("Orders", {"orders.create", "orders.delete"});
  ASSERT_EQ(permissions.groups().size(), 2u);
  EXPECT_EQ(permissions.groups()[0].name, "Orders");
  EXPECT_EQ(permissions.groups()[0].permissions,
            (std::vector<std::string>{"orders.view", "orders.create", "orders.delete"}));
  EXPECT_EQ(permissions.groups()[1].name, "Users");
  EXPECT_EQ(permissions.groups()[1].permissions, (std::vector<std::string>{"users.view"}));
  EXPECT_EQ(permissions.all(),
            (std::vector<std::string>{"orders.create", "orders.delete", "orders.view", "users.view"}));
  EXPECT_TRUE(permissions.declared("orders.delete"));
  EXPECT_FALSE(permissions.declared("orders.edit"));
  EXPECT_FALSE(permissions.declared("*"));
}

TEST(PermissionRegistry, MalformedPermissionsAndEmptyGroupsAreRejected) {
  PermissionRegistry permissions;
  EXPECT_THROW(permissions.add_group("Orders", {"orders view"}), std::invalid_argument);
  EXPECT_THROW(permissions.add_group("Orders", {""}), std::invalid_argument);
  EXPECT_THROW(permissions.add_group("Orders", {"*"}), std::invalid_argument);
  EXPECT_THROW(permissions.add_group("", {"orders.view"}), std::invalid_argument);
  EXPECT_NO_THROW(permissions.add_group("Orders", {"orders:view_all-v2"}));
  permissions.freeze();
  EXPECT_THROW(permissions.add_group("Late", {"late.view"}), std::logic_error);
  EXPECT_THROW(permissions.add_role("late", {"late.view"}), std::logic_error);
}

TEST(PermissionRegistry, RolesGrantPermissionsAndStarGrantsEverything) {
  PermissionRegistry permissions;
  permissions.add_group("Orders", {"orders.view", "orders.create", "orders.edit"});
  permissions.add_role("admin", {"*"});
  permissions.add_role("clerk", {"orders.view", "orders.edit"});
  permissions.add_role("customer", {"orders.view", "orders.create"});

  EXPECT_EQ(permissions.grants({"admin"}), std::vector<std::string>{"*"});
  EXPECT_EQ(permissions.grants({"clerk", "customer"}),
            (std::vector<std::string>{"orders.create", "orders.edit", "orders.view"}));
  EXPECT_TRUE(permissions.grants({"nobody"}).empty());
  EXPECT_TRUE(permissions.grants({}).empty());

  Principal admin = principal_with(permissions.grants({"admin"}));
  EXPECT_TRUE(admin.has_permission("orders.view"));
  EXPECT_TRUE(admin.has_permission("anything.at.all"));
  Principal clerk = principal_with(permissions.grants({"clerk"}));
  EXPECT_TRUE(clerk.has_permission("orders.edit"));
  EXPECT_FALSE(clerk.has_permission("orders.create"));
  EXPECT_FALSE(clerk.has_permission("orders"));
}

TEST(PermissionRegistry, AddingARoleAgainReplacesItsGrants) {
  PermissionRegistry permissions;
  permissions.add_role("clerk", {"orders.view"});
  permissions.add_role("clerk", {"orders.edit"});
  ASSERT_EQ(permissions.roles().size(), 1u);
  EXPECT_EQ(permissions.grants({"clerk"}), std::vector<std::string>{"orders.edit"});
  EXPECT_THROW(permissions.add_role("bad", {"no spaces"}), std::invalid_argument);
}

// ---- Guards ---------------------------------------------------------------------------------------------

// The test's stand-in for authentication: `X-Test-User: id` makes a principal, with the comma-separated
// permissions of `X-Test-Permissions`.
class TestPrincipal final : public Middleware {
 public:
  bool on_request(Request& req, Response&) override {
    const std::string_view id = req.header("x-test-user");
    if (id.empty()) return false;
    auto principal = std::make_shared<Principal>();
    principal->id = std::string(id);
    std::string_view rest = req.header("x-test-permissions");
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      principal->permissions.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    req.set_principal(std::move(principal));
    return false;
  }
};

class GuardedApp : public ::testing::Test {
 protected:
  GuardedApp() {
    app_.add_middleware(std::make_shared<TestPrincipal>(), "TestPrincipal");
    app_.permissions().add_group("Orders", {"orders.view", "orders.delete"});
    app_.router()
        .get("/orders", [] { return std::string("orders"); })
        .dependencies({require_permission("orders.view")});
    app_.router().get("/me", [](Depends<Principal> me) { return me->id; });
    Router admin;
    admin.del("/orders/{id}", [](Path<int, "id"> id) { return "deleted " + std::to_string(*id); });
    app_.include_router(admin, {.prefix = "/admin", .dependencies = {require_permission("orders.delete")}});
  }
  App app_;
};

TEST_F(GuardedApp, NoPrincipalIs401) {
  TestClient client(app_);
  auto r = client.get("/orders").send();
  EXPECT_EQ(r.status(), 401);
  EXPECT_NE(r.text().find("Not authenticated"), std::string::npos) << r.text();
  EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer") << "RFC 9110 §15.5.2: a 401 carries a challenge";
  EXPECT_EQ(client.del("/admin/orders/3").send().status(), 401);
}

TEST_F(GuardedApp, APrincipalWithoutThePermissionIs403) {
  TestClient client(app_);
  auto r = client.get("/orders").header("X-Test-User", "bob").send();
  EXPECT_EQ(r.status(), 403);
  EXPECT_NE(r.text().find("orders.view"), std::string::npos) << r.text();
  EXPECT_EQ(client.get("/orders").header("X-Test-User", "bob").header("X-Test-Permissions", "orders.delete").send().status(),
            403);
  EXPECT_EQ(client.del("/admin/orders/3").header("X-Test-User", "bob").header("X-Test-Permissions", "orders.view").send().status(),
            403);
}

TEST_F(GuardedApp, APrincipalWithThePermissionIs200) {
  TestClient client(app_);
  auto r = client.get("/orders").header("X-Test-User", "carol").header("X-Test-Permissions", "orders.view").send();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.text(), "orders");
  auto d = client.del("/admin/orders/3").header("X-Test-User", "carol").header("X-Test-Permissions", "x.y,orders.delete").send();
  EXPECT_EQ(d.status(), 200);
  EXPECT_EQ(d.text(), "deleted 3");
}

TEST_F(GuardedApp, StarGrantsEveryGuard) {
  TestClient client(app_);
  EXPECT_EQ(client.get("/orders").header("X-Test-User", "alice").header("X-Test-Permissions", "*").send().status(), 200);
  EXPECT_EQ(client.del("/admin/orders/9").header("X-Test-User", "alice").header("X-Test-Permissions", "*").send().status(),
            200);
}

TEST_F(GuardedApp, DependsPrincipalIsTheRequestsPrincipalOr401) {
  TestClient client(app_);
  EXPECT_EQ(client.get("/me").send().status(), 401);
  EXPECT_EQ(client.get("/me").header("X-Test-User", "dave").send().text(), "dave");
}

TEST(Guards, AnEmptyPermissionIsRejected) { EXPECT_THROW((void)require_permission(""), std::invalid_argument); }

}  // namespace
