#pragma once

#include <aegis/auth/auth.hpp>

namespace aegis::detail {

/// See AuthService::check_secret.
void check_secret_key(const AppSettings& app, AuthSettings& settings);
/// The principal of a user, from the database.
std::shared_ptr<const Principal> load_principal_for(sql::Connection& c, std::int64_t user_id);
/// The framework's own tables (component "aegis").
void add_auth_migrations(sql::Migrations& migrations);
/// Copies the roles modules declared (PermissionRegistry::add_role) into the database when they are not
/// there yet, and loads the stored feature-flag overrides into the registry (startup).
void load_persisted_state(sql::Connection& c, App& app);

}  // namespace aegis::detail
