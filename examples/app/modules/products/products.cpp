#include "app/modules/products/products.hpp"

#include <algorithm>

#include "app/modules/orders/events.hpp"

namespace app::products {

ProductsState::ProductsState()
    : products_{{"pen", "Fountain pen", 12.5, 100}, {"ink", "Ink bottle", 4.0, 250}, {"pad", "Notepad", 3.2, 40}} {}

std::vector<Product> ProductsState::all() const {
  std::lock_guard lock(mutex_);
  return products_;
}

std::optional<Product> ProductsState::find(std::string_view sku) const {
  std::lock_guard lock(mutex_);
  for (const auto& p : products_) {
    if (p.sku == sku) return p;
  }
  return std::nullopt;
}

std::string ProductsState::reserve(std::span<const Line> lines) {
  std::lock_guard lock(mutex_);
  std::vector<std::int64_t> left(products_.size());
  for (std::size_t i = 0; i < products_.size(); ++i) left[i] = products_[i].stock;
  for (const Line& line : lines) {
    std::size_t i = 0;
    while (i < products_.size() && products_[i].sku != line.sku) ++i;
    if (i == products_.size() || line.quantity < 1 || left[i] < line.quantity) return std::string(line.sku);
    left[i] -= line.quantity;
  }
  for (std::size_t i = 0; i < products_.size(); ++i) products_[i].stock = left[i];
  return {};
}

void ProductsState::release(std::span<const Line> lines) {
  std::lock_guard lock(mutex_);
  for (const Line& line : lines) {
    for (auto& p : products_) {
      if (p.sku == line.sku) p.stock += line.quantity;
    }
  }
}

void ProductsState::restore_sale(std::string_view sku, std::int64_t quantity) {
  std::lock_guard lock(mutex_);
  for (auto& p : products_) {
    if (p.sku == sku) {
      p.stock = std::max<std::int64_t>(0, p.stock - quantity);
      p.sold += quantity;
    }
  }
}

void ProductsState::record_sale(std::string_view sku, std::int64_t quantity) {
  std::lock_guard lock(mutex_);
  for (auto& p : products_) {
    if (p.sku == sku) p.sold += quantity;
  }
}

aegis::ModuleMeta ProductsModule::meta() const {
  return {.name = "Products", .route_prefix = "/api/products", .view_prefix = "", .depends_on = {}, .version = "1.0.0"};
}

void ProductsModule::register_settings(aegis::App& app) { state_ = &app.state().emplace<ProductsState>("products"); }

void ProductsModule::register_menu_items(aegis::MenuRegistry& registry) {
  registry.add({.section = aegis::MenuSection::sidebar, .key = "products", .label_key = "products.menu.catalogue",
                .href = "/api/products", .icon = "box", .required_permission = "products.view", .order = 30});
}

void ProductsModule::register_permissions(aegis::PermissionRegistry& registry) {
  registry.add_group("Products", {"products.view", "products.manage"});
}

void ProductsModule::register_event_handlers(aegis::EventBus& bus) {
  // Stock was reserved when the order was validated; the event keeps a count of sales per product.
  bus.subscribe<orders::OrderPlaced>(
      [this](const orders::OrderPlaced& e) {
        for (const auto& line : e.lines) state_->record_sale(line.sku, line.quantity);
      },
      "products.record_sales");
}

void ProductsModule::register_routes(aegis::Router& api, aegis::Router&) {
  aegis::Router r;
  r.get("", [](aegis::State<ProductsState> products) { return products->all(); }).summary("The catalogue");
  r.get("/{sku}", [](aegis::State<ProductsState> products, aegis::Path<std::string, "sku"> sku) {
     auto p = products->find(*sku);
     if (!p) throw aegis::HttpError(404, "Product not found");
     return *p;
   })
      .summary("One product")
      .responses({{404, "No such product"}});
  api.include_router(r, {.prefix = "/products", .tags = {"products"}});
}

}  // namespace app::products

AEGIS_MODULE(app::products::ProductsModule);
