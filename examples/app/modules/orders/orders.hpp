#pragma once

// The Orders module uses every hook: settings from the environment, menu items, permissions, the flag
// orders.new_checkout gating a route, an OrderPlaced event derived from OrderEvent with a handler on each,
// a health check, an exception type with its handler, a middleware, API routes under /api/orders and a
// view route at /orders.

#include <aegis/aegis.hpp>
#include <aegis/storage/sql.hpp>

#include <boost/describe.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "app/modules/orders/events.hpp"

namespace app::orders {

struct OrdersSettings {
  int page_size = 20;
  std::string currency = "EUR";
  int max_lines = 10;
};
BOOST_DESCRIBE_STRUCT(OrdersSettings, (), (page_size, currency, max_lines))
AEGIS_FIELD_RULES(OrdersSettings, (page_size, aegis::Min<1>, aegis::Max<500>), (currency, aegis::Pattern<"^[A-Z]{3}$">),
                  (max_lines, aegis::Min<1>, aegis::Max<100>))

struct OrderLineIn {
  std::string sku;
  std::int64_t quantity = 0;
};
BOOST_DESCRIBE_STRUCT(OrderLineIn, (), (sku, quantity))
AEGIS_FIELD_RULES(OrderLineIn, (sku, aegis::MinLength<1>, aegis::MaxLength<64>), (quantity, aegis::Min<1>))

struct NewOrder {
  std::vector<OrderLineIn> lines;
};
BOOST_DESCRIBE_STRUCT(NewOrder, (), (lines))
AEGIS_FIELD_RULES(NewOrder, (lines, aegis::MinLength<1>))

struct Order {
  std::int64_t id = 0;
  std::string user_id;
  std::vector<OrderLineIn> lines;
  double total = 0;
  std::string currency;
  std::string status;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, user_id, lines, total, currency, status))

/// Thrown for an order that does not exist; the module's exception handler answers 404.
class OrderNotFound : public std::runtime_error {
 public:
  explicit OrderNotFound(std::int64_t id) : std::runtime_error("order not found"), id_(id) {}
  std::int64_t id() const noexcept { return id_; }

 private:
  std::int64_t id_;
};

/// The module's state (app.state "orders"): orders live in the app's database (the module's migration
/// creates their tables); the database calls run on its own threads.
class OrdersState {
 public:
  OrdersState(OrdersSettings settings, aegis::sql::Database& db) : settings_(std::move(settings)), db_(&db) {}
  const OrdersSettings& settings() const noexcept { return settings_; }
  /// Stores the order and its lines in one transaction; the result has its id.
  aegis::Task<Order> add(Order order);
  /// Throws OrderNotFound, also for an order of another user than `owner` (none: any user's).
  aegis::Task<Order> get(std::int64_t id, std::optional<std::string> owner);
  /// Orders by id; only `owner`'s when one is given.
  aegis::Task<std::vector<Order>> page(std::int64_t offset, std::int64_t limit, std::optional<std::string> owner);
  aegis::Task<std::int64_t> count();
  /// How much of each SKU the stored orders took.
  aegis::Task<std::vector<std::pair<std::string, std::int64_t>>> sold_per_sku();

  /// Events seen by the module's handlers (for the health check and the stats).
  std::atomic<std::int64_t> events_seen{0};
  std::atomic<std::int64_t> placed_seen{0};

 private:
  OrdersSettings settings_;
  aegis::sql::Database* db_;
};

class OrdersModule final : public aegis::Module {
 public:
  aegis::ModuleMeta meta() const override;
  void register_settings(aegis::App& app) override;
  void register_menu_items(aegis::MenuRegistry& registry) override;
  void register_permissions(aegis::PermissionRegistry& registry) override;
  void register_feature_flags(aegis::FeatureFlagRegistry& registry) override;
  void register_event_handlers(aegis::EventBus& bus) override;
  void register_health_checks(aegis::HealthRegistry& registry) override;
  void register_exception_handlers(aegis::App& app) override;
  void register_middleware(aegis::App& app) override;
  void register_routes(aegis::Router& api, aegis::Router& views) override;
  aegis::Task<> on_startup() override;
  aegis::Task<> on_shutdown() override;

 private:
  aegis::App* app_ = nullptr;
  OrdersState* state_ = nullptr;
};

}  // namespace app::orders
