#include <aegis/app/state.hpp>

namespace aegis {

bool StateStore::contains(std::string_view name) const noexcept {
  for (const auto& e : entries_) {
    if (e.name == name) return true;
  }
  return false;
}

void* StateStore::find(detail::TypeKey key) const noexcept {
  for (const auto& e : entries_) {
    if (e.key == key) return e.object.get();
  }
  return nullptr;
}

void StateStore::add(std::string name, detail::TypeKey key, const std::type_info& type, std::shared_ptr<void> object) {
  if (frozen_) throw std::logic_error("app state cannot be added after the app is frozen ('" + name + "')");
  for (const auto& e : entries_) {
    if (e.key == key) {
      throw std::logic_error("app state of type " + detail::type_name(type) + " is already registered (as '" +
                             e.name + "')");
    }
    if (e.name == name) {
      throw std::logic_error("app state '" + name + "' is already registered (type " + detail::type_name(*e.type) +
                             ")");
    }
  }
  entries_.push_back({std::move(name), key, &type, std::move(object)});
}

}  // namespace aegis
