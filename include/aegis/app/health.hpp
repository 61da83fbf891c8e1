#pragma once

#include <aegis/http/task.hpp>
#include <aegis/json/types.hpp>

#include <boost/describe/class.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aegis {

/// What a health check reports.
struct HealthStatus {
  bool ok = true;
  std::string detail;

  static HealthStatus healthy(std::string detail = {}) { return {true, std::move(detail)}; }
  static HealthStatus failing(std::string detail) { return {false, std::move(detail)}; }
};

struct HealthCheckOptions {
  /// A failing critical check makes the app not ready (503); a non-critical one is only reported.
  bool critical = true;
  /// A check still running after this long counts as failing (positive). It is then cancelled; the
  /// report does not wait for a check that ignores cancellation (a blocking job, a hung query).
  std::chrono::milliseconds timeout{2000};
};

/// The result of one check in one run.
struct HealthCheckResult {
  std::string name;
  bool ok = false;
  bool critical = true;
  std::string detail;
  double duration_ms = 0;
};

/// The /health answer.
struct LivenessReport {
  std::string status;
  std::string app;
  std::string version;
  std::string environment;
};
BOOST_DESCRIBE_STRUCT(LivenessReport, (), (status, app, version, environment))

/// One check in the /health/ready and /admin/health answers.
struct CheckReport {
  std::string name;
  std::string status;  ///< "healthy" or "failing"
  bool critical = true;
  std::string detail;
  double duration_ms = 0;
};
BOOST_DESCRIBE_STRUCT(CheckReport, (), (name, status, critical, detail, duration_ms))

/// The /health/ready and /admin/health answer.
struct ReadinessReport {
  std::string status;  ///< "healthy" or "unhealthy"
  DateTime checked_at;
  std::vector<CheckReport> checks;
};
BOOST_DESCRIBE_STRUCT(ReadinessReport, (), (status, checked_at, checks))

/// One run of every check.
struct HealthReport {
  /// False when a critical check failed.
  bool healthy = true;
  std::vector<HealthCheckResult> checks;
  std::chrono::system_clock::time_point checked_at;
  /// What the endpoints answer.
  ReadinessReport report() const;
  /// report() as JSON text.
  std::string to_json() const;
};

/// The app's health checks, behind `/health/ready`, `/admin/health` and `./app health`. Checks run
/// concurrently, each with its timeout; a throwing or timed-out check is failing. Register during boot.
class HealthRegistry {
 public:
  using Check = std::function<Task<HealthStatus>()>;

  /// Adds a check: a callable returning HealthStatus (run on the I/O thread: it must not block) or
  /// Task<HealthStatus>. Throws `std::invalid_argument` for a duplicate name or a timeout not above 0.
  template <class F>
  void add(std::string name, F check, HealthCheckOptions options = {}) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_same_v<R, HealthStatus>) {
      add_check(std::move(name), [check = std::move(check)]() mutable -> Task<HealthStatus> { co_return check(); },
                options);
    } else {
      static_assert(std::is_same_v<R, Task<HealthStatus>>, "a health check returns HealthStatus or Task<HealthStatus>");
      add_check(std::move(name), Check(std::move(check)), options);
    }
  }

  std::size_t size() const noexcept { return checks_.size(); }
  std::vector<std::string> names() const;
  /// Whether check `name` is critical (false for an unknown name).
  bool critical(std::string_view name) const noexcept;

  /// Runs every check now, concurrently, on a strand of the calling coroutine's executor; ends within the
  /// longest timeout.
  Task<HealthReport> run() const;
  /// The last report if it is younger than `max_age`, else a fresh run. Thread-safe: requests on several
  /// I/O threads share the cached report.
  Task<std::shared_ptr<const HealthReport>> cached(std::chrono::milliseconds max_age) const;

 private:
  struct Entry {
    std::string name;
    Check check;
    HealthCheckOptions options;
  };
  void add_check(std::string name, Check check, HealthCheckOptions options);

  std::vector<Entry> checks_;
  struct Cache;
  std::shared_ptr<Cache> cache_ = make_cache();
  static std::shared_ptr<Cache> make_cache();
};

}  // namespace aegis
