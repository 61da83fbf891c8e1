#pragma once

#include <aegis/registries/principal.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aegis {

enum class MenuSection { sidebar, admin_sidebar, navbar, user_dropdown };

/// The section's name as the seed spells it ("SIDEBAR", ...).
std::string_view to_string(MenuSection section) noexcept;

struct MenuItem {
  MenuSection section = MenuSection::sidebar;
  std::string key;                  ///< unique within the section
  std::string label_key;            ///< an i18n key ("orders.menu.orders")
  std::string href;
  std::string icon;
  std::string required_permission;  ///< empty: everyone sees it
  int order = 0;                    ///< lower comes first; ties by key
};

/// The navigation entries modules contribute, per section, sorted by order then key. Filled during boot
/// (register_menu_items), read-only afterwards; `for_principal` filters per request.
class MenuRegistry {
 public:
  /// Throws std::invalid_argument for an empty key or href, or a key already used in the section.
  void add(MenuItem item);
  /// Every item of `section`, sorted.
  std::vector<MenuItem> items(MenuSection section) const;
  /// The items of `section` the principal may see (no principal: only items without a permission).
  std::vector<MenuItem> for_principal(MenuSection section, const Principal* principal) const;
  /// Every item of every section, in section order.
  const std::vector<MenuItem>& all() const noexcept { return items_; }

  void freeze() noexcept { frozen_ = true; }

 private:
  std::vector<MenuItem> items_;  // kept sorted by (section, order, key)
  bool frozen_ = false;
};

}  // namespace aegis
