// EventBus: delivery to handlers of the event's type and of its declared bases (most-derived first, each
// type once), sync and coroutine handlers, failing handlers, and subscriptions from modules.
#include <aegis/aegis.hpp>
#include <aegis/modules/module.hpp>
#include <aegis/registries/events.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/run_task.hpp"

namespace {

using namespace aegis;
using aegis::test::run;
using Log = std::vector<std::string>;

struct OrderEvent {
  int order_id = 0;
};
struct OrderPlaced : OrderEvent {
  using event_bases = EventBasesOf<OrderPlaced, OrderEvent>;
  double total = 0;
};
struct OrderShipped : OrderEvent {
  using event_bases = EventBasesOf<OrderShipped, OrderEvent>;
};

// A diamond: Bottom specialises Left and Right, which both specialise Root.
struct Root {
  int id = 0;
};
struct Left : Root {
  using event_bases = EventBasesOf<Left, Root>;
};
struct Right : Root {
  using event_bases = EventBasesOf<Right, Root>;
};
struct Bottom : Left, Right {
  using event_bases = EventBasesOf<Bottom, Left, Right>;
};

TEST(EventBus, HandlersOfTheTypeAndOfItsBasesReceiveItMostDerivedFirst) {
  auto log = std::make_shared<Log>();
  EventBus bus;
  bus.subscribe<OrderEvent>([log](const OrderEvent& e) { log->push_back("event " + std::to_string(e.order_id)); });
  bus.subscribe<OrderPlaced>(
      [log](const OrderPlaced& e) { log->push_back("placed " + std::to_string(e.order_id) + " " + std::to_string(static_cast<int>(e.total))); });
  bus.subscribe<OrderShipped>([log](const OrderShipped&) { log->push_back("shipped"); });

  OrderPlaced placed;
  placed.order_id = 7;
  placed.total = 99;
  run(bus.publish(placed));
  EXPECT_EQ(*log, (Log{"placed 7 99", "event 7"}));

  log->clear();
  OrderEvent plain;
  plain.order_id = 3;
  run(bus.publish(plain));
  EXPECT_EQ(*log, Log{"event 3"}) << "a base event does not reach handlers of its specialisations";
}

TEST(EventBus, HandlersOfOneTypeRunInSubscriptionOrder) {
  auto log = std::make_shared<Log>();
  EventBus bus;
  bus.subscribe<OrderEvent>([log](const OrderEvent&) { log->push_back("first"); }, "first");
  bus.subscribe<OrderPlaced>([log](const OrderPlaced&) { log->push_back("placed"); });
  bus.subscribe<OrderEvent>([log](const OrderEvent&) { log->push_back("second"); }, "second");
  run(bus.publish(OrderPlaced{}));
  EXPECT_EQ(*log, (Log{"placed", "first", "second"}));
  EXPECT_EQ(bus.handler_count<OrderEvent>(), 2u);
  EXPECT_EQ(bus.handler_count<OrderPlaced>(), 1u);
  EXPECT_EQ(bus.handler_count<OrderShipped>(), 0u);
  const auto subs = bus.subscriptions();
  ASSERT_EQ(subs.size(), 3u);
  EXPECT_EQ(subs[0].name, "first");
  EXPECT_NE(subs[0].event.find("OrderEvent"), std::string::npos) << subs[0].event;
  EXPECT_NE(subs[1].event.find("OrderPlaced"), std::string::npos) << subs[1].event;
}

TEST(EventBus, ADiamondDeliversToEachTypeOnce) {
  auto log = std::make_shared<Log>();
  EventBus bus;
  bus.subscribe<Root>([log](const Root& e) { log->push_back("Root " + std::to_string(e.id)); });
  bus.subscribe<Left>([log](const Left&) { log->push_back("Left"); });
  bus.subscribe<Right>([log](const Right&) { log->push_back("Right"); });
  bus.subscribe<Bottom>([log](const Bottom&) { log->push_back("Bottom"); });
  Bottom e;
  static_cast<Left&>(e).id = 5;
  run(bus.publish(e));
  ASSERT_EQ(log->size(), 4u) << ::testing::PrintToString(*log);
  for (const char* type : {"Bottom", "Left", "Right"}) EXPECT_EQ(std::count(log->begin(), log->end(), type), 1) << type;
  EXPECT_EQ(std::count(log->begin(), log->end(), "Root 5"), 1);
  EXPECT_EQ(log->front(), "Bottom");
}

TEST(EventBus, ADiamondDeliversMostDerivedFirst) {
  // Most-derived first (the seed walks Python's MRO: Bottom, Left, Right, Root): Root, which both Left and
  // Right specialise, must come after both of them.
  auto log = std::make_shared<Log>();
  EventBus bus;
  bus.subscribe<Root>([log](const Root&) { log->push_back("Root"); });
  bus.subscribe<Left>([log](const Left&) { log->push_back("Left"); });
  bus.subscribe<Right>([log](const Right&) { log->push_back("Right"); });
  bus.subscribe<Bottom>([log](const Bottom&) { log->push_back("Bottom"); });
  run(bus.publish(Bottom{}));
  EXPECT_EQ(*log, (Log{"Bottom", "Left", "Right", "Root"}));
}

TEST(EventBus, CoroutineHandlersAreAwaitedInOrderWithSyncOnes) {
  auto log = std::make_shared<Log>();
  EventBus bus;
  bus.subscribe<OrderPlaced>([log](const OrderPlaced& e) -> Task<> {
    // Copy what is needed before suspending: the event is only borrowed.
    const int id = e.order_id;
    log->push_back("async start " + std::to_string(id));
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    log->push_back("async end " + std::to_string(id));
  });
  bus.subscribe<OrderPlaced>([log](const OrderPlaced&) { log->push_back("sync"); });
  bus.subscribe<OrderEvent>([log](const OrderEvent& e) -> Task<> {
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    log->push_back("base async " + std::to_string(e.order_id));
  });
  OrderPlaced placed;
  placed.order_id = 4;
  run(bus.publish(placed));
  EXPECT_EQ(*log, (Log{"async start 4", "async end 4", "sync", "base async 4"}));
}

TEST(EventBus, AThrowingHandlerDoesNotStopTheOthers) {
  auto log = std::make_shared<Log>();
  EventBus bus;
  bus.subscribe<OrderPlaced>([](const OrderPlaced&) { throw std::runtime_error("sync failure"); }, "sync-thrower");
  bus.subscribe<OrderPlaced>([log](const OrderPlaced&) { log->push_back("after sync thrower"); });
  bus.subscribe<OrderPlaced>([](const OrderPlaced&) -> Task<> {
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
    throw std::runtime_error("async failure");
  });
  bus.subscribe<OrderEvent>([](const OrderEvent&) { throw 42; });  // not even a std::exception
  bus.subscribe<OrderEvent>([log](const OrderEvent&) { log->push_back("base"); });
  EXPECT_NO_THROW(run(bus.publish(OrderPlaced{})));
  EXPECT_EQ(*log, (Log{"after sync thrower", "base"}));
}

TEST(EventBus, PublishingWithoutHandlersCompletes) {
  EventBus bus;
  EXPECT_NO_THROW(run(bus.publish(OrderShipped{})));
}

TEST(EventBus, SubscribingAfterFreezeThrows) {
  EventBus bus;
  bus.freeze();
  EXPECT_THROW(bus.subscribe<OrderEvent>([](const OrderEvent&) {}), std::logic_error);
}

class NotifyModule final : public Module {
 public:
  explicit NotifyModule(std::shared_ptr<Log> log) : log_(std::move(log)) {}
  ModuleMeta meta() const override { return {.name = "Notify"}; }
  void register_event_handlers(EventBus& bus) override {
    bus.subscribe<OrderEvent>([log = log_](const OrderEvent& e) { log->push_back("notify " + std::to_string(e.order_id)); },
                              "notify");
  }

 private:
  std::shared_ptr<Log> log_;
};

TEST(EventBus, ModulesSubscribeInRegisterEventHandlers) {
  auto log = std::make_shared<Log>();
  App app;
  app.add_module<NotifyModule>(log);
  create_backend_app(app, nullptr, BackendHooks{});
  app.freeze();
  EXPECT_EQ(app.events().handler_count<OrderEvent>(), 1u);
  OrderPlaced placed;
  placed.order_id = 11;
  run(app.events().publish(placed));
  EXPECT_EQ(*log, Log{"notify 11"});
  EXPECT_THROW(app.events().subscribe<OrderEvent>([](const OrderEvent&) {}), std::logic_error);
}

}  // namespace
