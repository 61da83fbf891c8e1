#include <aegis/registries/feature_flags.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace aegis {

// Immutable once published: readers follow one atomic pointer and never lock.
struct FeatureFlagRegistry::Snapshot {
  std::vector<FeatureFlag> flags;  // sorted by name

  const FeatureFlag* find(std::string_view name) const noexcept {
    auto it = std::lower_bound(flags.begin(), flags.end(), name,
                               [](const FeatureFlag& f, std::string_view n) { return f.name < n; });
    return it != flags.end() && it->name == name ? &*it : nullptr;
  }
};

namespace {
using Overrides = std::vector<std::pair<std::string, bool>>;

const bool* find_override(const Overrides& v, std::string_view subject) noexcept {
  auto it = std::lower_bound(v.begin(), v.end(), subject,
                             [](const std::pair<std::string, bool>& o, std::string_view s) { return o.first < s; });
  return it != v.end() && it->first == subject ? &it->second : nullptr;
}

void set_in(Overrides& v, std::string_view subject, std::optional<bool> value) {
  auto it = std::lower_bound(v.begin(), v.end(), subject,
                             [](const std::pair<std::string, bool>& o, std::string_view s) { return o.first < s; });
  const bool found = it != v.end() && it->first == subject;
  if (!value) {
    if (found) v.erase(it);
  } else if (found) {
    it->second = *value;
  } else {
    v.insert(it, {std::string(subject), *value});
  }
}

constexpr auto kRetireAfter = std::chrono::seconds(60);
}  // namespace

FeatureFlagRegistry::FeatureFlagRegistry() : owned_current_(std::make_unique<const Snapshot>()) {
  current_.store(owned_current_.get(), std::memory_order_release);
}

FeatureFlagRegistry::~FeatureFlagRegistry() = default;

void FeatureFlagRegistry::publish(std::unique_ptr<const Snapshot> next) {
  // Called with write_mutex_ held. A reader may still hold the previous snapshot for the few nanoseconds
  // of an is_enabled call: it is retired, and freed only a minute later.
  const auto now = std::chrono::steady_clock::now();
  current_.store(next.get(), std::memory_order_release);
  retired_.emplace_back(now, std::move(owned_current_));
  owned_current_ = std::move(next);
  std::erase_if(retired_, [now](const auto& r) { return now - r.first > kRetireAfter; });
}

void FeatureFlagRegistry::add(std::string name, bool default_value, std::string description) {
  if (name.empty()) throw std::invalid_argument("a feature flag needs a name");
  std::lock_guard lock(write_mutex_);
  auto next = std::make_unique<Snapshot>(*current_.load(std::memory_order_acquire));
  if (next->find(name) != nullptr) throw std::invalid_argument("feature flag '" + name + "' is declared twice");
  FeatureFlag f;
  f.name = std::move(name);
  f.default_value = default_value;
  f.description = std::move(description);
  auto at = std::lower_bound(next->flags.begin(), next->flags.end(), f.name,
                             [](const FeatureFlag& x, const std::string& n) { return x.name < n; });
  next->flags.insert(at, std::move(f));
  publish(std::move(next));
}

bool FeatureFlagRegistry::declared(std::string_view name) const noexcept {
  return current_.load(std::memory_order_acquire)->find(name) != nullptr;
}

bool FeatureFlagRegistry::is_enabled(std::string_view name, const Principal* principal) const noexcept {
  const Snapshot* s = current_.load(std::memory_order_acquire);
  const FeatureFlag* f = s->find(name);
  if (f == nullptr) {
    // A bug in the app, not a request's fault: off, and remembered for `check`.
    try {
      std::lock_guard lock(undeclared_mutex_);
      if (std::find(undeclared_.begin(), undeclared_.end(), name) == undeclared_.end()) {
        undeclared_.emplace_back(name);
        spdlog::warn("feature flag '{}' is checked but was never declared; it is off", name);
      }
    } catch (...) {
    }
    return false;
  }
  if (principal != nullptr) {
    if (!principal->id.empty()) {
      if (const bool* v = find_override(f->user_overrides, principal->id)) return *v;
    }
    if (!principal->tenant.empty()) {
      if (const bool* v = find_override(f->tenant_overrides, principal->tenant)) return *v;
    }
  }
  if (f->system_override) return *f->system_override;
  return f->default_value;
}

void FeatureFlagRegistry::set_override(FlagScope scope, std::string_view subject, std::string_view name, bool value) {
  std::lock_guard lock(write_mutex_);
  auto next = std::make_unique<Snapshot>(*current_.load(std::memory_order_acquire));
  auto* f = const_cast<FeatureFlag*>(next->find(name));
  if (f == nullptr) throw std::invalid_argument("feature flag '" + std::string(name) + "' is not declared");
  if (scope != FlagScope::system && subject.empty()) {
    throw std::invalid_argument("a tenant or user override needs the tenant or user id");
  }
  switch (scope) {
    case FlagScope::system: f->system_override = value; break;
    case FlagScope::tenant: set_in(f->tenant_overrides, subject, value); break;
    case FlagScope::user: set_in(f->user_overrides, subject, value); break;
  }
  publish(std::move(next));
}

void FeatureFlagRegistry::set_overrides(std::span<const FeatureFlagOverride> overrides) {
  std::lock_guard lock(write_mutex_);
  auto next = std::make_unique<Snapshot>(*current_.load(std::memory_order_acquire));
  // Appended, then each changed list sorted once (inserting one by one into a sorted list is quadratic).
  std::vector<Overrides*> changed;
  for (const FeatureFlagOverride& o : overrides) {
    auto* f = const_cast<FeatureFlag*>(next->find(o.flag));
    if (f == nullptr) throw std::invalid_argument("feature flag '" + o.flag + "' is not declared");
    if (o.scope != FlagScope::system && o.subject.empty()) {
      throw std::invalid_argument("a tenant or user override needs the tenant or user id");
    }
    if (o.scope == FlagScope::system) {
      f->system_override = o.value;
      continue;
    }
    Overrides& list = o.scope == FlagScope::tenant ? f->tenant_overrides : f->user_overrides;
    list.emplace_back(o.subject, o.value);
    if (std::find(changed.begin(), changed.end(), &list) == changed.end()) changed.push_back(&list);
  }
  for (Overrides* list : changed) {
    // The last value given for a subject wins: reversed, a stable sort puts it first among its equals.
    std::reverse(list->begin(), list->end());
    std::stable_sort(list->begin(), list->end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    list->erase(std::unique(list->begin(), list->end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                list->end());
  }
  publish(std::move(next));
}

void FeatureFlagRegistry::clear_override(FlagScope scope, std::string_view subject, std::string_view name) {
  std::lock_guard lock(write_mutex_);
  auto next = std::make_unique<Snapshot>(*current_.load(std::memory_order_acquire));
  auto* f = const_cast<FeatureFlag*>(next->find(name));
  if (f == nullptr) throw std::invalid_argument("feature flag '" + std::string(name) + "' is not declared");
  switch (scope) {
    case FlagScope::system: f->system_override.reset(); break;
    case FlagScope::tenant: set_in(f->tenant_overrides, subject, std::nullopt); break;
    case FlagScope::user: set_in(f->user_overrides, subject, std::nullopt); break;
  }
  publish(std::move(next));
}

std::vector<FeatureFlag> FeatureFlagRegistry::flags() const { return current_.load(std::memory_order_acquire)->flags; }

std::vector<std::string> FeatureFlagRegistry::undeclared_checks() const {
  std::lock_guard lock(undeclared_mutex_);
  return undeclared_;
}

}  // namespace aegis
