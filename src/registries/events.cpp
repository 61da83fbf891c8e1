#include <aegis/registries/events.hpp>

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace aegis {

void EventBus::add(Handler h) {
  if (frozen_) throw std::logic_error("event handlers cannot be subscribed after the app is frozen");
  handlers_.push_back(std::move(h));
}

std::vector<EventBus::Subscription> EventBus::subscriptions() const {
  std::vector<Subscription> out;
  for (const auto& h : handlers_) out.push_back({h.type_name, h.name});
  return out;
}

Task<> EventBus::deliver(std::vector<std::pair<detail::TypeKey, const void*>> views, std::string event_name) const {
  for (const auto& [type, event] : views) {
    for (const auto& h : handlers_) {
      if (h.type != type) continue;
      std::string failure;
      try {
        if (h.sync) {
          h.sync(event);
        } else {
          co_await h.async(event);
        }
        continue;
      } catch (const std::exception& e) {
        failure = e.what();
      } catch (...) {
        failure = "a non-standard exception";
      }
      spdlog::error("event {}: handler {} for {} failed: {}", event_name, h.name.empty() ? "(unnamed)" : h.name,
                    h.type_name, failure);
    }
  }
}

}  // namespace aegis
