#pragma once

#include <aegis/handlers/endpoint.hpp>

#include <source_location>
#include <string>

namespace aegis {

/// A route dependency that requires an authenticated principal holding `permission`: 401 without a
/// principal, 403 without the permission. Attach it to a route (`.dependencies({require_permission(...)})`)
/// or to every route of a router (`include_router(r, {.dependencies = {...}})`). A permission that no
/// module declares is diagnostic AE105.
Dependency require_permission(std::string permission, std::source_location where = std::source_location::current());

}  // namespace aegis
