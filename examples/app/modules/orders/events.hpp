#pragma once

#include <aegis/registries/events.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace app::orders {

struct OrderLine {
  std::string sku;
  std::int64_t quantity = 0;
};

/// Anything that happens to an order.
struct OrderEvent {
  std::int64_t order_id = 0;
  std::string user_id;
};

/// An order was placed. Subscribers of OrderEvent receive it too.
struct OrderPlaced : OrderEvent {
  using event_bases = aegis::EventBasesOf<OrderPlaced, OrderEvent>;
  std::vector<OrderLine> lines;
  double total = 0;
};

}  // namespace app::orders
