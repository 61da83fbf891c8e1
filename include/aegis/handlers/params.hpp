#pragma once

// The parameter types of typed handlers. A handler declares what it needs by type and the framework
// extracts, converts and validates it before the call (422 with every issue when something is missing or
// malformed):
//
//     r.get("/items/{id}", [](aegis::Path<std::int64_t, "id"> id,
//                             aegis::Query<std::optional<std::string>, "q"> q,
//                             aegis::Depends<ItemService> items) { return items->get(*id, *q); });
//
// Each wrapper holds its value: `*p` and `p->` reach it, `p.value()` too.

#include <aegis/json/rules.hpp>

#include <cstddef>
#include <exception>
#include <string_view>
#include <type_traits>
#include <utility>

namespace aegis {

namespace detail {

enum class ParamKind { path, query, header, cookie, body, form, state, depends };

template <class T>
class ValueHolder {
 public:
  using value_type = T;
  ValueHolder() = default;
  explicit ValueHolder(T v) : value_(std::move(v)) {}
  T& operator*() noexcept { return value_; }
  const T& operator*() const noexcept { return value_; }
  T* operator->() noexcept { return &value_; }
  const T* operator->() const noexcept { return &value_; }
  T& value() noexcept { return value_; }
  const T& value() const noexcept { return value_; }

 private:
  T value_{};
};

/// "user_agent" -> "user-agent": FastAPI's convention for header parameters named like identifiers.
template <std::size_t N>
struct HeaderName {
  char data[N]{};
  std::size_t size = 0;
  constexpr explicit HeaderName(std::string_view name) {
    // A plain loop, not string_view::find: g++ 12 under -fsanitize=undefined does not evaluate the
    // latter in a constant expression when it finds something.
    bool convert = true;
    for (char c : name) convert = convert && c != '-';
    for (char c : name) data[size++] = convert && c == '_' ? '-' : c;
  }
  constexpr std::string_view view() const noexcept { return {data, size}; }
};

}  // namespace detail

/// A path parameter: the `{name}` segment of the route template, converted to T (422 when it does not
/// convert or breaks a rule). The template and the handler must agree on the names; a mismatch is a
/// compile error when the template is a string literal, a boot error otherwise.
template <class T, FixedString Name, class... Rules>
class Path : public detail::ValueHolder<T> {
  static_assert(detail::RulesFit<T, Rules...>::value);

 public:
  using detail::ValueHolder<T>::ValueHolder;
  static constexpr detail::ParamKind kind = detail::ParamKind::path;
  static constexpr std::string_view name = Name.view();
};

/// A query parameter. T may be a scalar (required unless a `Default<V>` rule is given; the last value wins
/// when the key repeats), `std::optional<U>` (absent: empty) or `std::vector<U>` (every value of a
/// repeated key, in order).
template <class T, FixedString Name, class... Rules>
class Query : public detail::ValueHolder<T> {
  static_assert(detail::RulesFit<T, Rules...>::value);

 public:
  using detail::ValueHolder<T>::ValueHolder;
  static constexpr detail::ParamKind kind = detail::ParamKind::query;
  static constexpr std::string_view name = Name.view();
};

/// A request header, matched case-insensitively. A name written as an identifier is converted FastAPI's
/// way: `Header<std::string, "user_agent">` reads `User-Agent`. T as for Query; `std::vector<U>` collects
/// every line of a repeated header.
template <class T, FixedString Name, class... Rules>
class Header : public detail::ValueHolder<T> {
  static_assert(detail::RulesFit<T, Rules...>::value);

 public:
  using detail::ValueHolder<T>::ValueHolder;
  static constexpr detail::ParamKind kind = detail::ParamKind::header;
  static constexpr std::string_view name = Name.view();
  static constexpr detail::HeaderName<sizeof(Name.data)> wire_name{Name.view()};
};

/// A cookie. T as for Query (a scalar, `std::optional<U>`).
template <class T, FixedString Name, class... Rules>
class Cookie : public detail::ValueHolder<T> {
  static_assert(detail::RulesFit<T, Rules...>::value);

 public:
  using detail::ValueHolder<T>::ValueHolder;
  static constexpr detail::ParamKind kind = detail::ParamKind::cookie;
  static constexpr std::string_view name = Name.view();
};

/// The JSON request body read into T: a described struct, a vector of them, any JSON-readable type or
/// `aegis::Json`. A body with another Content-Type than JSON answers 415; `std::optional<U>` makes the
/// body optional.
template <class T, class... Rules>
class Body : public detail::ValueHolder<T> {
  static_assert(detail::RulesFit<T, Rules...>::value);

 public:
  using detail::ValueHolder<T>::ValueHolder;
  static constexpr detail::ParamKind kind = detail::ParamKind::body;
};

/// An `application/x-www-form-urlencoded` body read into the described struct T: each member from the
/// field of its name (vectors from repeated fields).
template <class T>
class Form : public detail::ValueHolder<T> {
 public:
  using detail::ValueHolder<T>::ValueHolder;
  static constexpr detail::ParamKind kind = detail::ParamKind::form;
};

/// The app state object of type T (`app.state().emplace<T>(...)`). A route that asks for state nobody
/// registered fails at boot.
template <class T>
class State {
 public:
  static constexpr detail::ParamKind kind = detail::ParamKind::state;
  using value_type = T;
  State() = default;
  explicit State(T* p) noexcept : p_(p) {}
  T& operator*() const noexcept { return *p_; }
  T* operator->() const noexcept { return p_; }
  T& value() const noexcept { return *p_; }

 private:
  T* p_ = nullptr;
};

/// A per-request dependency: the value the provider registered for T produces (`app.provide<T>(fn)` or
/// `router.provide<T>(fn)`). Resolved once per request and shared by everything that asks for it in that
/// request; destroyed (its cleanup run) after the response is produced. A route that needs a provider
/// nobody registered fails at boot.
template <class T>
class Depends {
 public:
  static constexpr detail::ParamKind kind = detail::ParamKind::depends;
  using value_type = T;
  Depends() = default;
  explicit Depends(T* p) noexcept : p_(p) {}
  T& operator*() const noexcept { return *p_; }
  T* operator->() const noexcept { return p_; }
  T& value() const noexcept { return *p_; }

 private:
  T* p_ = nullptr;
};

/// A dependency value with a cleanup, FastAPI's `yield` dependency: a provider returns
/// `aegis::Yield<T>(value, [](T& v) { ... })` and the cleanup runs after the response is produced.
template <class T, class Cleanup>
class Yield {
 public:
  Yield(T value, Cleanup cleanup) : value_(std::move(value)), cleanup_(std::move(cleanup)) {}
  Yield(Yield&& other) noexcept(std::is_nothrow_move_constructible_v<T> &&
                                std::is_nothrow_move_constructible_v<Cleanup>)
      : value_(std::move(other.value_)), cleanup_(std::move(other.cleanup_)), armed_(std::exchange(other.armed_, false)) {}
  Yield(const Yield&) = delete;
  Yield& operator=(const Yield&) = delete;
  Yield& operator=(Yield&&) = delete;
  ~Yield() {
    if (!armed_) return;
    try {
      cleanup_(value_);
    } catch (...) {
      report_cleanup_failure();
    }
  }
  T& value() noexcept { return value_; }
  using provided_type = T;

 private:
  static void report_cleanup_failure() noexcept;
  T value_;
  Cleanup cleanup_;
  bool armed_ = true;
};

namespace detail {
/// Logs an exception escaping a dependency cleanup (cleanups never stop the others).
void log_cleanup_failure(std::exception_ptr e) noexcept;
}  // namespace detail

template <class T, class Cleanup>
void Yield<T, Cleanup>::report_cleanup_failure() noexcept {
  detail::log_cleanup_failure(std::current_exception());
}

}  // namespace aegis
