#pragma once

#include <aegis/handlers/endpoint.hpp>
#include <aegis/http/task.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace aegis {

template <class... B>
struct EventBases {};

/// An event type declares the event types it specialises, the C++ form of the seed's MRO walk, naming
/// itself first:
///
///     struct OrderEvent { std::int64_t order_id; };
///     struct OrderPlaced : OrderEvent {
///       using event_bases = aegis::EventBasesOf<OrderPlaced, OrderEvent>;
///       double total;
///     };
///
/// Subscribers of OrderEvent then receive OrderPlaced events too. A type derived from OrderPlaced inherits
/// the declaration, which names OrderPlaced: publishing it is a compile error until it declares its own
/// (else the OrderPlaced subscribers would be skipped without a word).
template <class Self, class... B>
struct EventBasesOf {
  using self = Self;
  using type = EventBases<B...>;
};

namespace detail {
template <class E>
struct BasesOf {
  static_assert(!requires { typename E::bases; } && !requires { typename E::event_bases; },
                "aegis: declare an event's bases as `using event_bases = aegis::EventBasesOf<Self, Bases...>;`");
  using type = EventBases<>;
};
template <class E>
  requires requires { typename E::event_bases::self; }
struct BasesOf<E> {
  static_assert(std::is_same_v<typename E::event_bases::self, E>,
                "aegis: this event type inherits its parent's event_bases; declare its own, naming the parent: "
                "`using event_bases = aegis::EventBasesOf<ThisType, ParentEvent>;`");
  using type = typename E::event_bases::type;
};

/// E and the bases it declares, depth-first in declaration order, each type once with the pointer of its
/// first path (which subobject a non-virtual diamond's shared base resolves to).
template <class E>
void event_subobjects(const E& e, std::vector<std::pair<TypeKey, const void*>>& out) {
  for (const auto& v : out) {
    if (v.first == type_key<E>()) return;
  }
  out.emplace_back(type_key<E>(), static_cast<const void*>(&e));
  [&]<class... B>(EventBases<B...>) { (event_subobjects<B>(static_cast<const B&>(e), out), ...); }(
      typename BasesOf<E>::type{});
}

/// Appends E and its bases in post-order, visiting the bases last-declared first; reversed, that lists
/// every type before all of its bases, siblings in declaration order (Python's MRO for the usual
/// hierarchies: Bottom, Left, Right, Root for a diamond).
template <class E>
void event_order(std::vector<TypeKey>& out) {
  for (TypeKey k : out) {
    if (k == type_key<E>()) return;
  }
  [&]<class... B>(EventBases<B...>) {
    void (*visit[])(std::vector<TypeKey>&) = {&event_order<B>..., nullptr};
    for (std::size_t i = sizeof...(B); i-- > 0;) visit[i](out);
  }(typename BasesOf<E>::type{});
  for (TypeKey k : out) {
    if (k == type_key<E>()) return;
  }
  out.push_back(type_key<E>());
}

/// (type key, pointer to the event as that type) for E and every base it declares, most-derived first.
template <class E>
void event_views(const E& e, std::vector<std::pair<TypeKey, const void*>>& out) {
  std::vector<std::pair<TypeKey, const void*>> subobjects;
  event_subobjects(e, subobjects);
  std::vector<TypeKey> order;
  event_order<E>(order);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    for (const auto& s : subobjects) {
      if (s.first == *it) out.push_back(s);
    }
  }
}

}  // namespace detail

/// The in-process event bus. Handlers subscribe to an event type during boot (register_event_handlers);
/// `publish` delivers an event to the handlers of its type and of every base type it declares,
/// most-derived first, in subscription order within a type. Plain handlers run inline, coroutine handlers
/// are awaited; a handler that throws is logged and the others still run.
class EventBus {
 public:
  /// `handler` is called as handler(const E&) and returns void or Task<>.
  template <class E, class F>
  void subscribe(F handler, std::string name = {}) {
    using R = std::invoke_result_t<F&, const E&>;
    Handler h;
    h.type = detail::type_key<E>();
    h.type_name = detail::type_name(typeid(E));
    h.name = std::move(name);
    if constexpr (std::is_void_v<R>) {
      h.sync = [handler = std::move(handler)](const void* e) mutable { handler(*static_cast<const E*>(e)); };
    } else {
      static_assert(std::is_same_v<R, Task<>>, "an event handler returns void or aegis::Task<>");
      h.async = [handler = std::move(handler)](const void* e) mutable -> Task<> {
        return handler(*static_cast<const E*>(e));
      };
    }
    add(std::move(h));
  }

  /// Delivers `event` (see the class comment). Completes when every handler has run.
  template <class E>
  Task<> publish(const E& event) const {
    std::vector<std::pair<detail::TypeKey, const void*>> views;
    detail::event_views(event, views);
    return deliver(std::move(views), detail::type_name(typeid(E)));
  }

  /// The number of handlers subscribed to exactly E.
  template <class E>
  std::size_t handler_count() const noexcept {
    std::size_t n = 0;
    for (const auto& h : handlers_) n += h.type == detail::type_key<E>() ? 1 : 0;
    return n;
  }

  struct Subscription {
    std::string event;
    std::string name;
  };
  std::vector<Subscription> subscriptions() const;

  void freeze() noexcept { frozen_ = true; }

 private:
  struct Handler {
    detail::TypeKey type = nullptr;
    std::string type_name;
    std::string name;
    std::function<void(const void*)> sync;
    std::function<Task<>(const void*)> async;
  };
  void add(Handler h);
  Task<> deliver(std::vector<std::pair<detail::TypeKey, const void*>> views, std::string event_name) const;

  std::vector<Handler> handlers_;
  bool frozen_ = false;
};

}  // namespace aegis
