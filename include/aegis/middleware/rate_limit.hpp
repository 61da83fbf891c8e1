#pragma once

#include <aegis/app/middleware.hpp>
#include <aegis/handlers/endpoint.hpp>
#include <aegis/http/method.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

/// What a rate-limit store answers for one hit.
struct RateLimitDecision {
  bool allowed = true;
  /// Hits still allowed in the current window after this one (0 when refused).
  std::uint32_t remaining = 0;
  /// Seconds until the current window ends and the counter starts again (at least 1).
  std::uint32_t reset_after_seconds = 0;
};

/// Where rate-limit counters live: in memory for one instance (`MemoryRateLimitStore`), or in a shared
/// store (Redis) so that every instance behind a load balancer counts against the same budget.
///
/// `hit` is called on the I/O threads, concurrently, once per limited request: an implementation must be
/// thread-safe and must not block for long. What it throws reaches the client as a 500.
class RateLimitStore {
 public:
  virtual ~RateLimitStore() = default;
  /// Counts one hit against `key` and tells whether it is within `limit` hits per `window`. `now` is the
  /// caller's clock (an in-memory store uses it; a shared store may use its own).
  virtual RateLimitDecision hit(std::string_view key, std::chrono::seconds window, std::uint32_t limit,
                                std::chrono::steady_clock::time_point now) = 0;
  /// A short name for introspection ("memory").
  virtual std::string_view name() const noexcept { return "custom"; }
};

/// Counters in process memory, one fixed window per key: the window starts at a key's first hit and lasts
/// `window` (taken as at least one second and at most 366 days); the next hit after it ends starts a new one
/// at zero. (Fixed windows are exact and cheap, and
/// `RateLimit-Reset` is simply the time left; the price is that a client may spend up to twice its limit
/// across a window boundary.)
///
/// Thread-safe with low contention: keys are spread over up to 64 shards by a keyed hash (SipHash with a
/// random key per store, so which keys share a shard cannot be worked out from outside), each with its own
/// mutex (no global lock). Memory is bounded: at most `max_keys` keys are tracked (the cap is divided evenly among the
/// shards, of at least 64 keys each). A new key arriving at a full shard first drops every window that has
/// ended, then, if the shard is still full, the live window that ends soonest among those still under their
/// limit (the counter closest to resetting anyway; a window is at its limit once its count reaches the
/// lowest limit any hit gave it), and only when every window is at its limit the one that ends soonest
/// (each in constant time). A client sending from very many addresses or names therefore cannot grow memory, and
/// cannot free a key that is being refused by pushing new keys in unless it first brings a whole shard's
/// worth of keys to their limits.
class MemoryRateLimitStore final : public RateLimitStore {
 public:
  /// Throws `std::invalid_argument` when `max_keys` is 0.
  explicit MemoryRateLimitStore(std::size_t max_keys = 100000);
  ~MemoryRateLimitStore() override;
  MemoryRateLimitStore(const MemoryRateLimitStore&) = delete;
  MemoryRateLimitStore& operator=(const MemoryRateLimitStore&) = delete;

  RateLimitDecision hit(std::string_view key, std::chrono::seconds window, std::uint32_t limit,
                        std::chrono::steady_clock::time_point now) override;
  std::string_view name() const noexcept override { return "memory"; }

  /// The number of keys tracked now (never more than max_keys()).
  std::size_t size() const;
  std::size_t max_keys() const noexcept { return max_keys_; }

 private:
  struct Shard;
  std::size_t max_keys_;
  std::size_t shard_mask_;
  std::array<unsigned char, 16> hash_key_{};  // the key of the shard choice's keyed hash
  std::unique_ptr<Shard[]> shards_;
};

/// What a rate limit counts per.
enum class RateLimitKey {
  client_address,  ///< `req.client_ip()`; an IPv6 address counts as its /64
  principal,       ///< the principal's id when the request has one, else the client address
};

/// What RateLimit limits, and how.
struct RateLimitOptions {
  /// Requests allowed per window and key (at least 1).
  std::uint32_t limit = 100;
  /// The window length (at least one second, at most 366 days).
  std::chrono::seconds window{60};
  RateLimitKey key = RateLimitKey::client_address;
  /// Path prefixes the limit applies to; empty for every path. A prefix matches whole segments: "/api"
  /// matches "/api" and "/api/items", not "/apix". Each must start with '/'.
  std::vector<std::string> paths;
  /// Methods the limit applies to; empty for every method. HEAD counts where GET does: it runs the GET
  /// handler.
  std::vector<Method> methods;
  /// Path prefixes never limited (health probes: "/health"), matched like `paths`; they win over `paths`.
  std::vector<std::string> exempt = {"/health"};
  /// Where the counters live; null for a MemoryRateLimitStore of `max_keys` keys.
  std::shared_ptr<RateLimitStore> store;
  /// The key cap of the default in-memory store (ignored when `store` is given).
  std::size_t max_keys = 100000;
  /// Names this limit's counters in the store ("rl:<name>:ip:10.0.0.1"), so that several limits can share
  /// one store (and one Redis) without counting against each other.
  std::string name = "app";
};

/// Limits how many requests a client makes per window (a fixed window per key, see MemoryRateLimitStore).
///
/// For a request it applies to (path and method in scope, path not exempt), `on_request` counts a hit
/// against the client's key: `req.client_ip()`, or the principal's id with `RateLimitKey::principal` when
/// an authentication layer outside this one set it. Over the limit it answers at once: 429
/// `{"detail":"Too Many Requests"}` with `Retry-After: <seconds>`; the handler does not run. Trusted-proxy
/// aware through ProxyHeaders: place ProxyHeaders outside this layer (add it later) and `client_ip()` is
/// then the real client a trusted proxy reported; RateLimit itself reads no forwarding header.
///
/// Every response to a limited request, allowed or refused, carries the IETF headers
/// (draft-ietf-httpapi-ratelimit-headers) `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
/// (seconds). They are written in `on_response`, after the handler and error rendering, so that a handler
/// returning a whole Response or an exception turned into an error response cannot drop them; the decision
/// made in `on_request` waits for it in a small table keyed by the request (bounded; correct when coroutine
/// handlers interleave requests on one thread, or resume on another). When an inner layer or a
/// `rate_limit()` route dependency already set these headers, the policy with fewer remaining hits is shown.
///
/// The constructor throws `std::invalid_argument` for a limit of 0, a window under one second or over 366
/// days, a path that
/// does not start with '/' or a max_keys of 0. Thread-safe: one instance serves every I/O thread.
class RateLimit final : public Middleware {
 public:
  using Options = RateLimitOptions;
  explicit RateLimit(Options options = {});
  ~RateLimit() override;

  bool on_request(Request& req, Response& res) override;
  void on_response(Request& req, Response& res) override;
  std::string options_json() const override;
  bool security_layer() const override { return true; }

  /// The store counting the hits (the default MemoryRateLimitStore when none was given).
  const std::shared_ptr<RateLimitStore>& store() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// How a `rate_limit()` route dependency counts.
struct RouteRateLimitOptions {
  RateLimitKey key = RateLimitKey::client_address;
  /// Where the counters live; null for a MemoryRateLimitStore of 100000 keys owned by this dependency.
  std::shared_ptr<RateLimitStore> store;
  /// Names the counters in the store; empty for the file and line where rate_limit() was called (the same
  /// in every instance of one build, so a shared store counts across instances).
  std::string name;
};

/// A route dependency allowing `limit` requests per `window` and client (or principal) to the routes it is
/// attached to: `.dependencies({aegis::rate_limit(5, std::chrono::minutes(1))})`. One dependency attached
/// to several routes (or to a router) is one budget shared by them.
///
/// Over the limit it throws `HttpError(429, "Too Many Requests")` carrying `Retry-After` and the
/// `RateLimit-*` headers. An allowed request gets the `RateLimit-*` headers on the response the handler
/// fills in, and on the error answer when the handler (or a later dependency) throws, unless that error
/// sets them itself (a handler that returns a whole Response replaces them). Throws `std::invalid_argument` for a
/// limit of 0 or a window under one second or over 366 days.
Dependency rate_limit(std::uint32_t limit, std::chrono::seconds window, RouteRateLimitOptions options = {},
                      std::source_location where = std::source_location::current());

}  // namespace aegis
