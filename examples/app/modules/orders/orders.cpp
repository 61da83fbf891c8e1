#include "app/modules/orders/orders.hpp"

#include <aegis/auth/auth.hpp>
#include <aegis/modules/settings.hpp>

#include <spdlog/spdlog.h>

#include <cmath>

#include "app/modules/products/products.hpp"
#include "app/modules/users/users.hpp"

namespace app::orders {

namespace {

Order order_from(const aegis::sql::Row& r) {
  Order o;
  o.id = r.get<std::int64_t>(0);
  o.user_id = r.get<std::string>(1);
  o.total = r.get<double>(2);
  o.currency = r.get<std::string>(3);
  o.status = r.get<std::string>(4);
  return o;
}

void load_lines(aegis::sql::Connection& c, Order& o) {
  for (const auto& l : c.query("SELECT sku, quantity FROM order_lines WHERE order_id = ? ORDER BY line", o.id)) {
    o.lines.push_back({l.get<std::string>(0), l.get<std::int64_t>(1)});
  }
}

}  // namespace

aegis::Task<Order> OrdersState::add(Order order) {
  co_return co_await db_->run([&order](aegis::sql::Connection& c) {
    return c.transaction([&] {
      c.execute("INSERT INTO orders (user_id, total, currency, status) VALUES (?, ?, ?, ?)", order.user_id, order.total,
                order.currency, order.status);
      order.id = c.last_insert_id();
      std::int64_t line = 0;
      for (const auto& l : order.lines) {
        c.execute("INSERT INTO order_lines (order_id, line, sku, quantity) VALUES (?, ?, ?, ?)", order.id, ++line, l.sku,
                  l.quantity);
      }
      return order;
    });
  });
}

aegis::Task<Order> OrdersState::get(std::int64_t id, std::optional<std::string> owner) {
  auto found = co_await db_->run([id, &owner](aegis::sql::Connection& c) -> std::optional<Order> {
    auto row = owner ? c.query_one("SELECT id, user_id, total, currency, status FROM orders WHERE id = ? AND user_id = ?",
                                   id, *owner)
                     : c.query_one("SELECT id, user_id, total, currency, status FROM orders WHERE id = ?", id);
    if (!row) return std::nullopt;
    Order o = order_from(*row);
    load_lines(c, o);
    return o;
  });
  if (!found) throw OrderNotFound(id);
  co_return std::move(*found);
}

aegis::Task<std::vector<Order>> OrdersState::page(std::int64_t offset, std::int64_t limit,
                                                  std::optional<std::string> owner) {
  co_return co_await db_->run([offset, limit, &owner](aegis::sql::Connection& c) {
    std::vector<Order> out;
    // Every user's orders only when no owner is given (staff), never for an empty id.
    for (const auto& r : c.query("SELECT id, user_id, total, currency, status FROM orders WHERE (? = 1 OR user_id = ?) "
                                 "ORDER BY id LIMIT ? OFFSET ?",
                                 owner ? 0 : 1, owner.value_or(std::string()), limit, offset)) {
      out.push_back(order_from(r));
      load_lines(c, out.back());
    }
    return out;
  });
}

aegis::Task<std::vector<std::pair<std::string, std::int64_t>>> OrdersState::sold_per_sku() {
  co_return co_await db_->run([](aegis::sql::Connection& c) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& r : c.query("SELECT sku, SUM(quantity) FROM order_lines GROUP BY sku ORDER BY sku")) {
      out.emplace_back(r.get<std::string>(0), r.get<std::int64_t>(1));
    }
    return out;
  });
}

aegis::Task<std::int64_t> OrdersState::count() {
  co_return co_await db_->run(
      [](aegis::sql::Connection& c) { return c.query_one("SELECT COUNT(*) FROM orders")->get<std::int64_t>(0); });
}

namespace {

// The module's middleware: every /api/orders answer says which version of the orders API produced it.
class OrdersApiVersion final : public aegis::Middleware {
 public:
  void on_response(aegis::Request& req, aegis::Response& res) override {
    if (req.path().starts_with("/api/orders")) res.set_header("X-Orders-API", "1");
  }
};

}  // namespace

aegis::ModuleMeta OrdersModule::meta() const {
  return {.name = "Orders",
          .route_prefix = "/api/orders",
          .view_prefix = "/orders",
          .depends_on = {"Users", "Products"},
          .version = "1.0.0"};
}

void OrdersModule::register_settings(aegis::App& app) {
  app_ = &app;
  state_ = &app.state().emplace<OrdersState>("orders", aegis::load_settings<OrdersSettings>("ORDERS"),
                                             app.state().get<aegis::sql::Database>());
  // The module's own tables, applied at boot with the framework's (and recorded, so only once).
  aegis::migrations(app).add({"orders", 1, "orders and their lines", R"sql(
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  total REAL NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE order_lines (
  order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (order_id, line)
);
)sql"});
}

void OrdersModule::register_menu_items(aegis::MenuRegistry& registry) {
  registry.add({.section = aegis::MenuSection::sidebar, .key = "orders", .label_key = "orders.menu.orders",
                .href = "/orders", .icon = "package", .required_permission = "orders.view", .order = 20});
  registry.add({.section = aegis::MenuSection::navbar, .key = "new-order", .label_key = "orders.menu.new",
                .href = "/orders#new", .icon = "plus", .required_permission = "orders.create", .order = 5});
}

void OrdersModule::register_permissions(aegis::PermissionRegistry& registry) {
  registry.add_group("Orders", {"orders.view", "orders.create", "orders.edit", "orders.delete"});
}

void OrdersModule::register_feature_flags(aegis::FeatureFlagRegistry& registry) {
  registry.add("orders.new_checkout", false, "The redesigned checkout flow");
}

void OrdersModule::register_event_handlers(aegis::EventBus& bus) {
  bus.subscribe<OrderEvent>([this](const OrderEvent&) { ++state_->events_seen; }, "orders.audit");
  bus.subscribe<OrderPlaced>(
      [this](const OrderPlaced& e) -> aegis::Task<> {
        ++state_->placed_seen;
        spdlog::info("order {} placed by {}: {:.2f} {}", e.order_id, e.user_id, e.total, state_->settings().currency);
        co_return;
      },
      "orders.announce");
}

void OrdersModule::register_health_checks(aegis::HealthRegistry& registry) {
  registry.add("orders.store", [this]() -> aegis::Task<aegis::HealthStatus> {
    const std::int64_t placed = co_await state_->count();
    co_return aegis::HealthStatus::healthy(std::to_string(placed) + " orders");
  });
}

void OrdersModule::register_exception_handlers(aegis::App& app) {
  app.add_exception_handler<OrderNotFound>([](const aegis::Request&, aegis::Response& res, const OrderNotFound& e) {
    res.error(404, "Order " + std::to_string(e.id()) + " not found");
  });
}

void OrdersModule::register_middleware(aegis::App& app) { app.add_middleware<OrdersApiVersion>(); }

namespace {

// Whose orders a caller sees: staff (orders.edit) every user's (none named), a customer only their own.
std::optional<std::string> owner_filter(const aegis::Principal& me) {
  if (me.has_permission("orders.edit")) return std::nullopt;
  return me.id;
}

// The money of `quantity` items at `price`, in cents: sums of doubles drift (3 x 3.20 = 9.600000000000001).
std::int64_t cents(double price, std::int64_t quantity) {
  return static_cast<std::int64_t>(std::llround(price * 100)) * quantity;
}

aegis::ValidationIssue line_issue(std::string type, std::string loc, std::string msg, std::string input,
                                  std::string ctx = {}) {
  return {std::move(type), std::move(loc), std::move(msg), std::move(input), std::move(ctx)};
}

}  // namespace

void OrdersModule::register_routes(aegis::Router& api, aegis::Router& views) {
  aegis::Router r;
  r.get("", [](aegis::State<OrdersState> orders, aegis::Depends<aegis::Principal> me,
               aegis::Query<int, "offset", aegis::Default<0>, aegis::Min<0>> offset,
               aegis::Query<std::optional<int>, "limit", aegis::Min<1>, aegis::Max<500>> limit)
               -> aegis::Task<std::vector<Order>> {
     co_return co_await orders->page(*offset, limit->value_or(orders->settings().page_size), owner_filter(*me));
   })
      .summary("A page of orders")
      .description("A customer sees their own orders; staff (orders.edit) see every user's.")
      .dependencies({aegis::require_permission("orders.view")});
  r.get("/checkout", [this](aegis::Depends<aegis::Principal> me) {
     // Gated by a feature flag: off, the route does not exist for this user.
     if (!app_->feature_flags().is_enabled("orders.new_checkout", &*me)) throw aegis::HttpError(404, "Not Found");
     return std::string("new checkout for ") + me->name;
   })
      .summary("The new checkout flow (feature flag orders.new_checkout)")
      .responses({{404, "The flag is off for this user"}});
  r.get("/{id}", [](aegis::State<OrdersState> orders, aegis::Depends<aegis::Principal> me,
                    aegis::Path<std::int64_t, "id"> id) -> aegis::Task<Order> {
     co_return co_await orders->get(*id, owner_filter(*me));
   })
      .summary("One order")
      .description("Another user's order is not found, unless the caller is staff (orders.edit).")
      .responses({{404, "No such order"}})
      .dependencies({aegis::require_permission("orders.view")});
  r.post("", [this](aegis::State<OrdersState> orders, aegis::State<products::ProductsState> products,
                    aegis::Depends<aegis::Principal> me, aegis::Body<NewOrder> in) -> aegis::Task<Order> {
     // What the body's rules cannot say (the line limit is a setting, the catalogue lives in memory) is
     // answered in the same 422 shape as they are.
     const std::size_t max_lines = static_cast<std::size_t>(orders->settings().max_lines);
     if (in->lines.size() > max_lines) {
       throw aegis::RequestValidationError({line_issue(
           "too_long", R"(["body","lines"])",
           "List should have at most " + std::to_string(max_lines) + " items after validation, not " +
               std::to_string(in->lines.size()),
           "null",
           R"({"field_type":"List","max_length":)" + std::to_string(max_lines) + R"(,"actual_length":)" +
               std::to_string(in->lines.size()) + "}")});
     }
     Order order;
     order.user_id = me->id;
     order.currency = orders->settings().currency;
     std::vector<products::ProductsState::Line> wanted;
     std::vector<aegis::ValidationIssue> unknown;
     std::vector<double> prices;
     for (std::size_t i = 0; i < in->lines.size(); ++i) {
       const auto& line = in->lines[i];
       const auto product = products->find(line.sku);
       if (!product) {
         unknown.push_back(line_issue("value_error", R"(["body","lines",)" + std::to_string(i) + R"(,"sku"])",
                                      "Value error, no product '" + line.sku + "'", aegis::detail::json_quote(line.sku)));
         continue;
       }
       prices.push_back(product->price);
       wanted.push_back({line.sku, line.quantity});
     }
     if (!unknown.empty()) throw aegis::RequestValidationError(std::move(unknown));
     // All lines or none: a rejected order takes no stock.
     if (const std::string short_of = products->reserve(wanted); !short_of.empty()) {
       throw aegis::HttpError(409, "Not enough stock for '" + short_of + "'");
     }
     // Reserved, so each quantity is at most the stock: the sum cannot overflow.
     std::int64_t total_cents = 0;
     for (std::size_t i = 0; i < wanted.size(); ++i) total_cents += cents(prices[i], wanted[i].quantity);
     order.total = static_cast<double>(total_cents) / 100;
     order.lines = in->lines;
     order.status = "placed";
     std::exception_ptr failed;
     try {
       order = co_await orders->add(std::move(order));
     } catch (...) {
       failed = std::current_exception();
     }
     if (failed) {
       products->release(wanted);  // the order was not stored: its stock goes back
       std::rethrow_exception(failed);
     }
     OrderPlaced event;
     event.order_id = order.id;
     event.user_id = order.user_id;
     event.total = order.total;
     for (const auto& line : order.lines) event.lines.push_back({line.sku, line.quantity});
     co_await app_->events().publish(event);
     co_return order;
   })
      .status(201)
      .summary("Place an order")
      .description("Every line's product must exist (422 names the unknown ones) and have the stock: all lines or none.")
      .responses({{409, "Not enough stock for one of the lines"}})
      .dependencies({aegis::require_permission("orders.create")});
  api.include_router(r, {.prefix = "/orders", .tags = {"orders"}});

  views.get("/orders", [](aegis::State<OrdersState> orders) -> aegis::Task<aegis::Html> {
         // Awaited into a local first: g++ 12 destroys a temporary twice when a co_await sits inside the
         // braced initializer of a co_return (README, "Coroutine handlers").
         const std::int64_t placed = co_await orders->count();
         co_return aegis::Html{"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Orders</title>"
                               "</head><body><main><h1>Orders</h1><p>" +
                               std::to_string(placed) + " orders placed so far.</p></main></body></html>"};
       })
      .summary("The orders page")
      .tags({"orders", "views"})
      .dependencies({aegis::require_permission("orders.view")});
}

aegis::Task<> OrdersModule::on_startup() {
  // Stock lives in memory: the orders already in the database have taken theirs.
  auto* products = app_->state().find<products::ProductsState>();
  const auto sold = co_await state_->sold_per_sku();
  if (products != nullptr) {
    for (const auto& [sku, quantity] : sold) products->restore_sale(sku, quantity);
  }
  spdlog::info("orders: page size {}, currency {}", state_->settings().page_size, state_->settings().currency);
}

aegis::Task<> OrdersModule::on_shutdown() {
  spdlog::info("orders: {} orders, {} events seen", co_await state_->count(), state_->events_seen.load());
}

}  // namespace app::orders

AEGIS_MODULE(app::orders::OrdersModule);
