#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aegis {

/// The permission strings modules enforce, grouped for the role admin page (`/settings/permissions`), and
/// the roles that grant them. Filled during boot (modules' register_permissions), read-only afterwards.
class PermissionRegistry {
 public:
  struct Group {
    std::string name;
    std::vector<std::string> permissions;
  };

  /// Declares `permissions` under the display group `group` (added to it when it exists). Throws
  /// std::invalid_argument for an empty or malformed permission ("orders.view": letters, digits, '.', '_',
  /// '-', ':') and std::logic_error after the registry is frozen.
  void add_group(std::string group, std::vector<std::string> permissions);
  /// True when some group declares `permission`.
  bool declared(std::string_view permission) const noexcept;
  const std::vector<Group>& groups() const noexcept { return groups_; }
  /// Every declared permission, sorted.
  std::vector<std::string> all() const;

  /// The default grant of a role ("admin" -> {"*"}); roles stored later by the auth layer override these.
  void add_role(std::string role, std::vector<std::string> permissions);
  const std::vector<std::pair<std::string, std::vector<std::string>>>& roles() const noexcept { return roles_; }
  /// The permissions `roles` grant, by the default grants ("*" included as is).
  std::vector<std::string> grants(const std::vector<std::string>& roles) const;

  void freeze() noexcept { frozen_ = true; }

 private:
  std::vector<Group> groups_;
  std::vector<std::pair<std::string, std::vector<std::string>>> roles_;
  bool frozen_ = false;
};

}  // namespace aegis
