// The endpoints bench/run measures against its baselines: TechEmpower's plaintext and json, and a typed
// endpoint (path, query and a validated JSON body in, a model out) for the cost of extraction.
#include <boost/describe.hpp>

#include "app/components/backend/api/routing.hpp"

namespace app {

struct OrderIn {
  std::string item;
  int quantity = 0;
};
BOOST_DESCRIBE_STRUCT(OrderIn, (), (item, quantity))
AEGIS_FIELD_RULES(OrderIn, (item, aegis::MinLength<1>, aegis::MaxLength<100>), (quantity, aegis::Min<1>, aegis::Max<1000>))

struct OrderOut {
  std::int64_t id = 0;
  std::string item;
  int quantity = 0;
  bool expand = false;
};
BOOST_DESCRIBE_STRUCT(OrderOut, (), (id, item, quantity, expand))

struct Message {
  std::string message;
};
BOOST_DESCRIBE_STRUCT(Message, (), (message))

aegis::Router benchmark_router() {
  aegis::Router r;
  r.get("/plaintext", [] { return std::string_view("Hello, World!"); })
      .summary("Plain text hello (TechEmpower plaintext)");
  r.get("/json", [] { return Message{"Hello, World!"}; }).summary("JSON hello (TechEmpower json)");
  r.post("/typed/orders/{id}", [](aegis::Path<std::int64_t, "id"> id,
                                  aegis::Query<bool, "expand", aegis::Default<false>> expand,
                                  aegis::Body<OrderIn> order) {
     return OrderOut{*id, std::move(order->item), order->quantity, *expand};
   }).summary("Typed round trip: path, query and a validated JSON body in, a model out");
  return r;
}

}  // namespace app
