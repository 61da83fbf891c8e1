#include <aegis/app/health.hpp>

#include <aegis/json/convert.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <atomic>
#include <stdexcept>

namespace aegis {

namespace asio = boost::asio;

struct HealthRegistry::Cache {
  std::atomic<std::shared_ptr<const HealthReport>> last;
  std::atomic<bool> refreshing{false};  // one run of the checks at a time, whatever the threads
};

std::shared_ptr<HealthRegistry::Cache> HealthRegistry::make_cache() { return std::make_shared<Cache>(); }

void HealthRegistry::add_check(std::string name, Check check, HealthCheckOptions options) {
  if (name.empty()) throw std::invalid_argument("a health check needs a name");
  for (const auto& e : checks_) {
    if (e.name == name) throw std::invalid_argument("health check '" + name + "' is registered twice");
  }
  checks_.push_back({std::move(name), std::move(check), options});
}

std::vector<std::string> HealthRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : checks_) out.push_back(e.name);
  return out;
}

bool HealthRegistry::critical(std::string_view name) const noexcept {
  for (const auto& e : checks_) {
    if (e.name == name) return e.options.critical;
  }
  return false;
}

namespace {

struct RunState {
  explicit RunState(const asio::any_io_executor& ex, std::size_t n) : done(ex), results(n), remaining(n) {}
  asio::steady_timer done;
  std::vector<HealthCheckResult> results;
  std::size_t remaining;
};

// A check that cannot throw: the race against the timeout only ends early on success, so an exception
// must become a failing status here rather than leave the timer to win.
Task<HealthStatus> guarded(const HealthRegistry::Check& check) {
  try {
    co_return co_await check();
  } catch (const std::exception& e) {
    co_return HealthStatus::failing(e.what());
  } catch (...) {
    co_return HealthStatus::failing("a non-standard exception");
  }
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Task<HealthReport> HealthRegistry::run() const {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  auto state = std::make_shared<RunState>(ex, checks_.size());
  state->done.expires_at(asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < checks_.size(); ++i) {
    const Entry& entry = checks_[i];
    // Each check runs concurrently with the others, raced against its own timeout.
    asio::co_spawn(
        ex,
        [state, i, check = entry.check, options = entry.options, name = entry.name]() -> Task<> {
          HealthCheckResult r;
          r.name = name;
          r.critical = options.critical;
          const auto start = std::chrono::steady_clock::now();
          try {
            asio::steady_timer timeout(co_await asio::this_coro::executor, options.timeout);
            auto outcome = co_await (guarded(check) || timeout.async_wait(asio::use_awaitable));
            if (outcome.index() == 0) {
              const HealthStatus& s = std::get<0>(outcome);
              r.ok = s.ok;
              r.detail = s.detail;
            } else {
              r.ok = false;
              r.detail = "timed out after " + std::to_string(options.timeout.count()) + " ms";
            }
          } catch (const std::exception& e) {
            r.ok = false;
            r.detail = e.what();
          } catch (...) {
            r.ok = false;
            r.detail = "a non-standard exception";
          }
          r.duration_ms = ms_since(start);
          state->results[i] = std::move(r);
          if (--state->remaining == 0) state->done.cancel();
        },
        asio::detached);
  }
  if (state->remaining > 0) co_await state->done.async_wait(asio::as_tuple(asio::use_awaitable));
  HealthReport report;
  report.checks = std::move(state->results);
  report.checked_at = std::chrono::system_clock::now();
  for (const auto& c : report.checks) report.healthy = report.healthy && (c.ok || !c.critical);
  co_return report;
}

Task<std::shared_ptr<const HealthReport>> HealthRegistry::cached(std::chrono::milliseconds max_age) const {
  auto last = cache_->last.load();
  if (last && std::chrono::system_clock::now() - last->checked_at < max_age) co_return last;
  // While one request runs the checks, the others get the report it is replacing: a burst of probes runs
  // them once, not once per probe. (Before the first report there is nothing to give, so those run them.)
  const bool leader = !cache_->refreshing.exchange(true);
  if (!leader && last) co_return last;
  struct Release {
    Cache* cache;
    bool leader;
    ~Release() {
      if (leader) cache->refreshing.store(false);
    }
  } release{cache_.get(), leader};
  auto fresh = std::make_shared<const HealthReport>(co_await run());
  cache_->last.store(fresh);
  co_return fresh;
}

ReadinessReport HealthReport::report() const {
  ReadinessReport r;
  r.status = healthy ? "healthy" : "unhealthy";
  r.checked_at.time = std::chrono::time_point_cast<std::chrono::microseconds>(checked_at);
  r.checked_at.offset_minutes = 0;
  for (const auto& c : checks) {
    r.checks.push_back({c.name, c.ok ? "healthy" : "failing", c.critical, c.detail,
                        std::round(c.duration_ms * 1000) / 1000});
  }
  return r;
}

std::string HealthReport::to_json() const { return aegis::to_json(report()); }

}  // namespace aegis
