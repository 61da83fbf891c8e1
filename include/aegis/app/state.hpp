#pragma once

#include <aegis/handlers/endpoint.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

namespace aegis {

/// The app's typed state: one object per type, each under a name (a module registers its state under its
/// own name, the C++ form of `app.state.<module>`). Filled during boot; read by handlers through
/// `aegis::State<T>`. After the app freezes it is only read, from any thread, without locks: what the
/// objects themselves allow concurrently is up to them.
class StateStore {
 public:
  StateStore() = default;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;
  /// Destroys the objects in reverse order of registration: later state may use earlier state.
  ~StateStore() {
    while (!entries_.empty()) entries_.pop_back();
  }

  struct Entry {
    std::string name;
    detail::TypeKey key;
    const std::type_info* type;
    std::shared_ptr<void> object;
  };

  /// Constructs a T from `args` under `name`. Throws `std::logic_error` when a T or the name is already
  /// there, or when the app is frozen.
  template <class T, class... A>
  T& emplace(std::string name, A&&... args) {
    auto object = std::make_shared<T>(std::forward<A>(args)...);
    T& ref = *object;
    add(std::move(name), detail::type_key<T>(), typeid(T), std::move(object));
    return ref;
  }

  /// Registers an existing object as the app's T (an interface, say, with its implementation behind it).
  template <class T>
  T& put(std::string name, std::shared_ptr<T> object) {
    if (!object) throw std::logic_error("app state '" + name + "': the object is null");
    T& ref = *object;
    add(std::move(name), detail::type_key<T>(), typeid(T), std::move(object));
    return ref;
  }

  /// The T registered, or null.
  template <class T>
  T* find() const noexcept {
    return static_cast<T*>(find(detail::type_key<T>()));
  }
  /// The T registered; throws `std::logic_error` naming T when there is none.
  template <class T>
  T& get() const {
    if (T* p = find<T>()) return *p;
    throw std::logic_error("no app state of type " + detail::type_name(typeid(T)));
  }
  /// True when something is registered under `name`.
  bool contains(std::string_view name) const noexcept;

  void* find(detail::TypeKey key) const noexcept;
  const std::vector<Entry>& entries() const noexcept { return entries_; }

  /// Refuses further changes (called when the app freezes).
  void freeze() noexcept { frozen_ = true; }

 private:
  void add(std::string name, detail::TypeKey key, const std::type_info& type, std::shared_ptr<void> object);

  std::vector<Entry> entries_;
  bool frozen_ = false;
};

}  // namespace aegis
