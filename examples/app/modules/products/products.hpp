#pragma once

// The Products module: the catalogue orders are placed against, and its stock, which falls when an order
// is placed (an event from the Orders module).

#include <aegis/aegis.hpp>

#include <boost/describe.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace app::products {

struct Product {
  std::string sku;
  std::string name;
  double price = 0;
  std::int64_t stock = 0;
  std::int64_t sold = 0;
};
BOOST_DESCRIBE_STRUCT(Product, (), (sku, name, price, stock, sold))

/// The module's state (app.state "products"). Thread-safe: stock changes as orders are placed.
class ProductsState {
 public:
  ProductsState();
  std::vector<Product> all() const;
  std::optional<Product> find(std::string_view sku) const;
  /// One line of an order, as stock sees it.
  struct Line {
    std::string_view sku;
    std::int64_t quantity;
  };
  /// Takes every line's quantity out of stock, or none of them: returns the first SKU there is not enough
  /// of (lines naming the same SKU count together), or an empty string when all were taken.
  std::string reserve(std::span<const Line> lines);
  /// Puts back what reserve() took, for an order that could not be stored.
  void release(std::span<const Line> lines);
  void record_sale(std::string_view sku, std::int64_t quantity);
  /// Counts a sale made before this process started (an order in the database): out of stock, into sold.
  void restore_sale(std::string_view sku, std::int64_t quantity);

 private:
  mutable std::mutex mutex_;
  std::vector<Product> products_;
};

class ProductsModule final : public aegis::Module {
 public:
  aegis::ModuleMeta meta() const override;
  void register_settings(aegis::App& app) override;
  void register_menu_items(aegis::MenuRegistry& registry) override;
  void register_permissions(aegis::PermissionRegistry& registry) override;
  void register_event_handlers(aegis::EventBus& bus) override;
  void register_routes(aegis::Router& api, aegis::Router& views) override;

 private:
  ProductsState* state_ = nullptr;
};

}  // namespace app::products
