#pragma once

// The Users module: the people who use the example app, their roles, and (in development) a stand-in for
// authentication so that the guarded routes can be tried before the auth layer exists.

#include <aegis/aegis.hpp>

#include <boost/describe.hpp>

#include <map>
#include <optional>
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
  /// Accept the X-Demo-User header as the principal (development only).
  bool demo_principal = true;
};
BOOST_DESCRIBE_STRUCT(UsersSettings, (), (demo_principal))

/// The module's state (app.state "users"): the directory of users. Read-only after boot.
class UsersState {
 public:
  explicit UsersState(UsersSettings settings);
  const UsersSettings& settings() const noexcept { return settings_; }
  const User* find(std::string_view id) const;
  const std::vector<User>& all() const noexcept { return users_; }

 private:
  UsersSettings settings_;
  std::vector<User> users_;
};

class UsersModule final : public aegis::Module {
 public:
  aegis::ModuleMeta meta() const override;
  void register_settings(aegis::App& app) override;
  void register_menu_items(aegis::MenuRegistry& registry) override;
  void register_permissions(aegis::PermissionRegistry& registry) override;
  void register_middleware(aegis::App& app) override;
  void register_routes(aegis::Router& api, aegis::Router& views) override;
};

}  // namespace app::users
