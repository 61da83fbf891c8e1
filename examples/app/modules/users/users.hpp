#pragma once

// The Users module: who uses the example app. Accounts, sessions and roles are Aegis's own (aegis/auth:
// `./app users create-admin`, /api/auth/login, /settings/permissions); the module declares the roles the
// app starts with and offers the user directory.

#include <aegis/aegis.hpp>

#include <boost/describe.hpp>

#include <string>
#include <vector>

namespace app::users {

struct User {
  std::string id;
  std::string name;
  std::vector<std::string> roles;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, roles))

struct UsersSettings {
  /// Users per page of GET /api/users (AEGIS_USERS_PAGE_SIZE).
  int page_size = 50;
};
BOOST_DESCRIBE_STRUCT(UsersSettings, (), (page_size))
AEGIS_FIELD_RULES(UsersSettings, (page_size, aegis::Min<1>, aegis::Max<500>))

class UsersModule final : public aegis::Module {
 public:
  aegis::ModuleMeta meta() const override;
  void register_settings(aegis::App& app) override;
  void register_menu_items(aegis::MenuRegistry& registry) override;
  void register_permissions(aegis::PermissionRegistry& registry) override;
  void register_routes(aegis::Router& api, aegis::Router& views) override;
};

}  // namespace app::users
