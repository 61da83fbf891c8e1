#pragma once

#include <aegis/registries/principal.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

enum class FlagScope { system, tenant, user };

/// One flag as the admin page shows it.
struct FeatureFlag {
  std::string name;
  bool default_value = false;
  std::string description;
  std::optional<bool> system_override;
  std::vector<std::pair<std::string, bool>> tenant_overrides;  ///< (tenant, value), sorted by tenant
  std::vector<std::pair<std::string, bool>> user_overrides;    ///< (user id, value), sorted by user
};

/// One stored override, as `set_overrides` takes them.
struct FeatureFlagOverride {
  FlagScope scope = FlagScope::system;
  std::string subject;  ///< the tenant or user id; empty for the system scope
  std::string flag;
  bool value = false;
};

/// Feature flags declared by modules with their defaults, and the overrides admins set. `is_enabled`
/// resolves user override > tenant override > system override > default, and reads an immutable snapshot
/// through one atomic load: no lock on the read path. Changing an override publishes a new snapshot.
class FeatureFlagRegistry {
 public:
  FeatureFlagRegistry();
  ~FeatureFlagRegistry();
  FeatureFlagRegistry(const FeatureFlagRegistry&) = delete;
  FeatureFlagRegistry& operator=(const FeatureFlagRegistry&) = delete;

  /// Declares a flag (during boot). Throws std::invalid_argument for a duplicate or empty name.
  void add(std::string name, bool default_value, std::string description = {});
  bool declared(std::string_view name) const noexcept;

  /// Whether `name` is on for `principal` (null: nobody in particular). An undeclared flag is off; the
  /// check is recorded for the diagnostics and logged once.
  bool is_enabled(std::string_view name, const Principal* principal = nullptr) const noexcept;

  /// Sets or clears an override. `subject` is the tenant or user id (ignored for the system scope). Throws
  /// std::invalid_argument for an undeclared flag. Thread-safe; readers see the change at once.
  void set_override(FlagScope scope, std::string_view subject, std::string_view name, bool value);
  void clear_override(FlagScope scope, std::string_view subject, std::string_view name);
  /// Sets many overrides at once (the stored ones, at boot), publishing one snapshot: each change
  /// publishes a copy of every flag, and a replaced snapshot is kept a minute for the readers that may still
  /// hold it, so setting them one by one would hold memory quadratic in their number. All or nothing:
  /// throws std::invalid_argument, changing nothing, when a flag is undeclared or a subject missing.
  void set_overrides(std::span<const FeatureFlagOverride> overrides);

  /// Every declared flag with its overrides, sorted by name.
  std::vector<FeatureFlag> flags() const;
  /// Names checked with is_enabled but never declared.
  std::vector<std::string> undeclared_checks() const;

 private:
  struct Snapshot;
  void publish(std::unique_ptr<const Snapshot> next);

  std::atomic<const Snapshot*> current_;
  mutable std::mutex write_mutex_;  // writers only
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::unique_ptr<const Snapshot>>> retired_;
  std::unique_ptr<const Snapshot> owned_current_;
  mutable std::mutex undeclared_mutex_;  // only taken when an undeclared flag is checked
  mutable std::vector<std::string> undeclared_;
};

}  // namespace aegis
