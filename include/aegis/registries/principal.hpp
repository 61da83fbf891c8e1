#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aegis {

/// Who makes a request: set on the request by the authentication layer (sessions, bearer tokens), read by
/// permission guards, menus and feature flags.
struct Principal {
  std::string id;      ///< the user's id
  std::string name;    ///< for display
  std::string tenant;  ///< the tenant the user acts for; empty when the app is not multi-tenant
  std::vector<std::string> roles;
  /// The permissions the roles grant, resolved when the principal was loaded. "*" grants all.
  std::vector<std::string> permissions;

  /// True when the principal holds `permission` (directly or through "*").
  bool has_permission(std::string_view permission) const noexcept;
};

/// `Depends<MaybePrincipal>` on a public route: the request's principal when there is one. (A route that
/// needs one takes `Depends<Principal>`, which answers 401 without.)
struct MaybePrincipal {
  const Principal* principal = nullptr;
  explicit operator bool() const noexcept { return principal != nullptr; }
  const Principal* operator->() const noexcept { return principal; }
  const Principal& operator*() const noexcept { return *principal; }
};

}  // namespace aegis
