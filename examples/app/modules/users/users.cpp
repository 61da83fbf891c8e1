#include "app/modules/users/users.hpp"

#include <aegis/modules/settings.hpp>

namespace app::users {

UsersState::UsersState(UsersSettings settings) : settings_(settings) {
  users_ = {{"alice", "Alice Admin", {"admin"}},
            {"bob", "Bob Buyer", {"customer"}},
            {"carol", "Carol Clerk", {"clerk"}}};
}

const User* UsersState::find(std::string_view id) const {
  for (const auto& u : users_) {
    if (u.id == id) return &u;
  }
  return nullptr;
}

namespace {

// Development stand-in for authentication: `X-Demo-User: alice` makes Alice the principal, with the
// permissions her roles grant. Installed only in the development environment.
class DemoPrincipal final : public aegis::Middleware {
 public:
  DemoPrincipal(const UsersState& users, const aegis::PermissionRegistry& permissions)
      : users_(users), permissions_(permissions) {}
  bool on_request(aegis::Request& req, aegis::Response&) override {
    const std::string_view id = req.header("x-demo-user");
    if (id.empty()) return false;
    const User* user = users_.find(id);
    if (user == nullptr) throw aegis::HttpError(401, "Unknown demo user");
    auto principal = std::make_shared<aegis::Principal>();
    principal->id = user->id;
    principal->name = user->name;
    principal->roles = user->roles;
    principal->permissions = permissions_.grants(user->roles);
    req.set_principal(std::move(principal));
    return false;
  }
  bool security_layer() const override { return true; }

 private:
  const UsersState& users_;
  const aegis::PermissionRegistry& permissions_;
};

}  // namespace

aegis::ModuleMeta UsersModule::meta() const {
  return {.name = "Users", .route_prefix = "/api/users", .view_prefix = "", .depends_on = {}, .version = "1.0.0"};
}

void UsersModule::register_settings(aegis::App& app) {
  app.state().emplace<UsersState>("users", aegis::load_settings<UsersSettings>("USERS"));
}

void UsersModule::register_menu_items(aegis::MenuRegistry& registry) {
  registry.add({.section = aegis::MenuSection::admin_sidebar, .key = "users", .label_key = "users.menu.users",
                .href = "/settings/permissions", .icon = "users", .required_permission = "users.manage", .order = 10});
  registry.add({.section = aegis::MenuSection::user_dropdown, .key = "profile", .label_key = "users.menu.profile",
                .href = "/api/users/me", .icon = "user", .required_permission = "", .order = 10});
}

void UsersModule::register_permissions(aegis::PermissionRegistry& registry) {
  registry.add_group("Users", {"users.view", "users.manage"});
  registry.add_role("admin", {"*"});
  registry.add_role("clerk", {"users.view", "orders.view", "orders.edit", "products.view"});
  registry.add_role("customer", {"orders.view", "orders.create", "products.view"});
}

void UsersModule::register_middleware(aegis::App& app) {
  const auto& state = app.state().get<UsersState>();
  if (app.settings().environment == "development" && state.settings().demo_principal) {
    app.add_middleware(std::make_shared<DemoPrincipal>(state, app.permissions()), "app::users::DemoPrincipal");
  }
}

void UsersModule::register_routes(aegis::Router& api, aegis::Router&) {
  aegis::Router r;
  r.get("/me", [](aegis::Depends<aegis::Principal> me) { return User{me->id, me->name, me->roles}; })
      .summary("The current user");
  r.get("", [](aegis::State<UsersState> users) { return users->all(); })
      .summary("Every user")
      .dependencies({aegis::require_permission("users.view")});
  api.include_router(r, {.prefix = "/users", .tags = {"users"}});
}

}  // namespace app::users

AEGIS_MODULE(app::users::UsersModule);
