#include "app/modules/users/users.hpp"

#include <aegis/modules/settings.hpp>
#include <aegis/storage/sql.hpp>

namespace app::users {

aegis::ModuleMeta UsersModule::meta() const {
  return {.name = "Users", .route_prefix = "/api/users", .view_prefix = "", .depends_on = {}, .version = "1.0.0"};
}

void UsersModule::register_settings(aegis::App& app) {
  app.state().emplace<UsersSettings>("users", aegis::load_settings<UsersSettings>("USERS"));
}

void UsersModule::register_menu_items(aegis::MenuRegistry& registry) {
  registry.add({.section = aegis::MenuSection::admin_sidebar, .key = "users", .label_key = "users.menu.users",
                .href = "/settings/permissions", .icon = "users", .required_permission = "users.manage", .order = 10});
  registry.add({.section = aegis::MenuSection::user_dropdown, .key = "profile", .label_key = "users.menu.profile",
                .href = "/api/users/me", .icon = "user", .required_permission = "", .order = 10});
}

void UsersModule::register_permissions(aegis::PermissionRegistry& registry) {
  registry.add_group("Users", {"users.view", "users.manage"});
  // The roles a new database starts with; admins change them at /settings/permissions afterwards.
  registry.add_role("clerk", {"users.view", "orders.view", "orders.edit", "products.view"});
  registry.add_role("customer", {"orders.view", "orders.create", "products.view"});
}

void UsersModule::register_routes(aegis::Router& api, aegis::Router&) {
  aegis::Router r;
  r.get("/me", [](aegis::Depends<aegis::Principal> me) { return User{me->id, me->name, me->roles}; })
      .summary("The current user");
  r.get("", [](aegis::State<aegis::sql::Database> db, aegis::State<UsersSettings> settings,
               aegis::Query<int, "offset", aegis::Default<0>, aegis::Min<0>> offset) -> aegis::Task<std::vector<User>> {
     const int limit = settings->page_size;
     co_return co_await db->run([&](aegis::sql::Connection& c) {
       std::vector<User> out;
       for (const auto& u : c.query("SELECT id, username FROM aegis_users ORDER BY id LIMIT ? OFFSET ?", limit, *offset)) {
         User user{std::to_string(u.get<std::int64_t>(0)), u.get<std::string>(1), {}};
         for (const auto& r : c.query("SELECT role FROM aegis_user_roles WHERE user_id = ? ORDER BY role",
                                      u.get<std::int64_t>(0))) {
           user.roles.push_back(r.get<std::string>(0));
         }
         out.push_back(std::move(user));
       }
       return out;
     });
   })
      .summary("A page of users")
      .dependencies({aegis::require_permission("users.view")});
  api.include_router(r, {.prefix = "/users", .tags = {"users"}});
}

}  // namespace app::users

AEGIS_MODULE(app::users::UsersModule);
