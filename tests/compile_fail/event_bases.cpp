// Compiled by CTest with -DCASE=<n>: case 0 must compile; every other case must fail to compile with the
// diagnostic its test names (tests/CMakeLists.txt).
#include <aegis/registries/events.hpp>

struct OrderEvent {
  int order_id = 0;
};
struct OrderPlaced : OrderEvent {
  using event_bases = aegis::EventBasesOf<OrderPlaced, OrderEvent>;
};

#if CASE == 0
struct BigOrderPlaced : OrderPlaced {
  using event_bases = aegis::EventBasesOf<BigOrderPlaced, OrderPlaced>;
};
#elif CASE == 1
// Inherits OrderPlaced's declaration: its OrderPlaced subscribers would be skipped.
struct BigOrderPlaced : OrderPlaced {};
#elif CASE == 2
// The older spelling, which a derived type inherited without a word.
struct BigOrderPlaced : OrderEvent {
  using bases = aegis::EventBases<OrderEvent>;
};
#elif CASE == 3
// The new name with the old list: it names no type, so a derived type could not be told from its parent.
struct BigOrderPlaced : OrderEvent {
  using event_bases = aegis::EventBases<OrderEvent>;
};
#endif

void publish_one(aegis::EventBus& bus) { auto task = bus.publish(BigOrderPlaced{}); }
