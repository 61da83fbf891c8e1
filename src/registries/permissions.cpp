#include <aegis/registries/menus.hpp>
#include <aegis/registries/permissions.hpp>
#include <aegis/registries/principal.hpp>

#include <algorithm>
#include <stdexcept>

namespace aegis {

namespace {
bool valid_permission(std::string_view p) noexcept {
  if (p.empty() || p.size() > 128) return false;
  for (char c : p) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}
}  // namespace

bool Principal::has_permission(std::string_view permission) const noexcept {
  for (const auto& p : permissions) {
    if (p == "*" || p == permission) return true;
  }
  return false;
}

void PermissionRegistry::add_group(std::string group, std::vector<std::string> permissions) {
  if (frozen_) throw std::logic_error("permissions cannot be declared after the app is frozen");
  if (group.empty()) throw std::invalid_argument("a permission group needs a name");
  for (const auto& p : permissions) {
    if (!valid_permission(p)) {
      throw std::invalid_argument("permission '" + p + "' (group " + group +
                                  "): use letters, digits, '.', '_', '-' and ':'");
    }
  }
  for (auto& g : groups_) {
    if (g.name == group) {
      for (auto& p : permissions) {
        if (std::find(g.permissions.begin(), g.permissions.end(), p) == g.permissions.end()) g.permissions.push_back(p);
      }
      return;
    }
  }
  std::vector<std::string> unique;  // a permission listed twice is declared once
  for (auto& p : permissions) {
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(std::move(p));
  }
  groups_.push_back({std::move(group), std::move(unique)});
}

bool PermissionRegistry::declared(std::string_view permission) const noexcept {
  for (const auto& g : groups_) {
    for (const auto& p : g.permissions) {
      if (p == permission) return true;
    }
  }
  return false;
}

std::vector<std::string> PermissionRegistry::all() const {
  std::vector<std::string> out;
  for (const auto& g : groups_) out.insert(out.end(), g.permissions.begin(), g.permissions.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void PermissionRegistry::add_role(std::string role, std::vector<std::string> permissions) {
  if (frozen_) throw std::logic_error("roles cannot be added after the app is frozen");
  for (const auto& p : permissions) {
    if (p != "*" && !valid_permission(p)) throw std::invalid_argument("role " + role + ": invalid permission '" + p + "'");
  }
  for (auto& [name, grants] : roles_) {
    if (name == role) {
      grants = std::move(permissions);
      return;
    }
  }
  roles_.emplace_back(std::move(role), std::move(permissions));
}

std::vector<std::string> PermissionRegistry::grants(const std::vector<std::string>& roles) const {
  std::vector<std::string> out;
  for (const auto& r : roles) {
    for (const auto& [name, grants] : roles_) {
      if (name == r) out.insert(out.end(), grants.begin(), grants.end());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string_view to_string(MenuSection section) noexcept {
  switch (section) {
    case MenuSection::sidebar: return "SIDEBAR";
    case MenuSection::admin_sidebar: return "ADMIN_SIDEBAR";
    case MenuSection::navbar: return "NAVBAR";
    case MenuSection::user_dropdown: return "USER_DROPDOWN";
  }
  return "?";
}

void MenuRegistry::add(MenuItem item) {
  if (frozen_) throw std::logic_error("menu items cannot be added after the app is frozen");
  if (item.key.empty()) throw std::invalid_argument("a menu item needs a key");
  if (item.href.empty()) throw std::invalid_argument("menu item '" + item.key + "' needs an href");
  for (const auto& existing : items_) {
    if (existing.section == item.section && existing.key == item.key) {
      throw std::invalid_argument("menu item '" + item.key + "' is added twice to " +
                                  std::string(to_string(item.section)));
    }
  }
  const auto before = [](const MenuItem& a, const MenuItem& b) {
    if (a.section != b.section) return a.section < b.section;
    if (a.order != b.order) return a.order < b.order;
    return a.key < b.key;
  };
  items_.insert(std::upper_bound(items_.begin(), items_.end(), item, before), std::move(item));
}

std::vector<MenuItem> MenuRegistry::items(MenuSection section) const {
  std::vector<MenuItem> out;
  for (const auto& i : items_) {
    if (i.section == section) out.push_back(i);
  }
  return out;
}

std::vector<MenuItem> MenuRegistry::for_principal(MenuSection section, const Principal* principal) const {
  std::vector<MenuItem> out;
  for (const auto& i : items_) {
    if (i.section != section) continue;
    if (i.required_permission.empty() ||
        (principal != nullptr && principal->has_permission(i.required_permission))) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace aegis
