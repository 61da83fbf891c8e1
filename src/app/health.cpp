#include <aegis/app/health.hpp>

#include <aegis/json/convert.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>

namespace aegis {

namespace asio = boost::asio;

struct HealthRegistry::Cache {
  struct Entry {
    std::shared_ptr<const HealthReport> report;
    std::chrono::steady_clock::time_point at;  // ages the report (the wall clock may step)
  };
  std::atomic<std::shared_ptr<const Entry>> last;
  std::atomic<bool> refreshing{false};  // one run of the checks at a time, whatever the threads

  // Per check, whether a run of it is still going (one that outlived its timeout, ignoring cancellation):
  // the next run reports it failing rather than starting another beside it, which would pile up jobs on
  // whatever it is stuck on.
  std::mutex flags_mutex;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>, std::less<>> running;
  std::shared_ptr<std::atomic<bool>> running_flag(const std::string& name) {
    std::lock_guard lock(flags_mutex);
    auto& flag = running[name];
    if (!flag) flag = std::make_shared<std::atomic<bool>>(false);
    return flag;
  }
};

std::shared_ptr<HealthRegistry::Cache> HealthRegistry::make_cache() { return std::make_shared<Cache>(); }

void HealthRegistry::add_check(std::string name, Check check, HealthCheckOptions options) {
  if (name.empty()) throw std::invalid_argument("a health check needs a name");
  if (options.timeout <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("health check '" + name + "': the timeout must be positive");
  }
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

using Strand = asio::strand<asio::any_io_executor>;

// One run: everything below happens on its strand, so the counts need no lock whatever the executor.
struct RunState {
  RunState(const Strand& strand, std::size_t n) : done(strand), results(n), remaining(n) {}
  asio::steady_timer done;
  std::vector<HealthCheckResult> results;
  std::size_t remaining;
};

// One check against its timeout. Whichever ends first reports; the other is ignored. On timeout the
// check is asked to stop (cancellation), but the report does not wait for it: a check that cannot be
// cancelled (a blocking job, a hung query) goes on alone and its late result is dropped.
struct Race {
  Race(const Strand& strand, std::chrono::milliseconds timeout) : timer(strand, timeout) {}
  asio::steady_timer timer;
  asio::cancellation_signal stop;
  bool settled = false;
};

// A check that cannot throw: an exception becomes a failing status.
Task<HealthStatus> guarded(HealthRegistry::Check check) {
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

struct CheckToRun {
  std::string name;
  HealthRegistry::Check check;
  HealthCheckOptions options;
  std::shared_ptr<std::atomic<bool>> running;  // set while a run of this check is going
};

Task<HealthReport> run_on(Strand strand, std::vector<CheckToRun> checks) {
  auto state = std::make_shared<RunState>(strand, checks.size());
  state->done.expires_at(asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < checks.size(); ++i) {
    auto race = std::make_shared<Race>(strand, checks[i].options.timeout);
    auto settle = [state, race, i, name = checks[i].name, critical = checks[i].options.critical,
                   start = std::chrono::steady_clock::now()](bool ok, std::string detail) {
      if (race->settled) return;
      race->settled = true;
      HealthCheckResult& r = state->results[i];
      r.name = name;
      r.critical = critical;
      r.ok = ok;
      r.detail = std::move(detail);
      r.duration_ms = ms_since(start);
      if (--state->remaining == 0) state->done.cancel();
    };
    if (checks[i].running->exchange(true)) {
      settle(false, "still running from an earlier run, past its " + std::to_string(checks[i].options.timeout.count()) +
                        " ms timeout");
      continue;
    }
    // The timer first: co_spawn may run a check that does not suspend to its end at once.
    race->timer.async_wait([race, settle, timeout = checks[i].options.timeout](boost::system::error_code ec) {
      if (ec || race->settled) return;  // the check ended first
      settle(false, "timed out after " + std::to_string(timeout.count()) + " ms");
      race->stop.emit(asio::cancellation_type::all);
    });
    asio::co_spawn(
        strand,
        [check = std::move(checks[i].check), race, settle, running = checks[i].running]() -> Task<> {
          struct Done {  // however the run ends
            std::atomic<bool>& running;
            ~Done() { running.store(false); }
          } done{*running};
          const HealthStatus s = co_await guarded(check);
          race->timer.cancel();
          settle(s.ok, s.detail);
        },
        asio::bind_cancellation_slot(race->stop.slot(), asio::detached));
  }
  if (state->remaining > 0) co_await state->done.async_wait(asio::as_tuple(asio::use_awaitable));
  HealthReport report;
  report.checks = state->results;  // copied: a check settling late (after a cancelled wait) writes to the state
  report.checked_at = std::chrono::system_clock::now();
  for (const auto& c : report.checks) report.healthy = report.healthy && (c.ok || !c.critical);
  co_return report;
}

}  // namespace

Task<HealthReport> HealthRegistry::run() const {
  std::vector<CheckToRun> checks;
  checks.reserve(checks_.size());
  for (const Entry& e : checks_) checks.push_back({e.name, e.check, e.options, cache_->running_flag(e.name)});
  // Each check runs concurrently with the others, raced against its own timeout, all on one strand of
  // the caller's executor (a thread pool's included).
  auto strand = asio::make_strand(co_await asio::this_coro::executor);
  co_return co_await asio::co_spawn(strand, run_on(strand, std::move(checks)), asio::use_awaitable);
}

Task<std::shared_ptr<const HealthReport>> HealthRegistry::cached(std::chrono::milliseconds max_age) const {
  auto last = cache_->last.load();
  if (last && std::chrono::steady_clock::now() - last->at < max_age) co_return last->report;
  // While one request runs the checks, the others get the report it is replacing: a burst of probes runs
  // them once, not once per probe. (Before the first report there is nothing to give, so those run them.)
  // A run lasts at most the longest timeout, so that report is never older than max_age plus that.
  const bool leader = !cache_->refreshing.exchange(true);
  if (!leader && last) co_return last->report;
  struct Release {
    Cache* cache;
    bool leader;
    ~Release() {
      if (leader) cache->refreshing.store(false);
    }
  } release{cache_.get(), leader};
  auto fresh = std::make_shared<const HealthReport>(co_await run());
  cache_->last.store(std::make_shared<const Cache::Entry>(Cache::Entry{fresh, std::chrono::steady_clock::now()}));
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
