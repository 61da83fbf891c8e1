#include <aegis/middleware/rate_limit.hpp>

#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>
#include <aegis/registries/principal.hpp>

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "http/access.hpp"

namespace aegis {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxShards = 64;
constexpr std::size_t kMinShardKeys = 64;

std::uint32_t seconds_until(Clock::time_point end, Clock::time_point now) noexcept {
  const auto left = std::chrono::ceil<std::chrono::seconds>(end - now).count();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(left, 1, UINT32_MAX));
}

// "/api" covers "/api" and "/api/..." but not "/apix"; "/api/" covers "/api/..." only.
bool covers(std::string_view prefix, std::string_view path) noexcept {
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || prefix.back() == '/' || path[prefix.size()] == '/';
}

// The longest window a limit takes; a store given a longer one counts it as this long (a window's end
// must not overflow the clock).
constexpr std::chrono::seconds kMaxWindow = std::chrono::hours(24 * 366);

void check_limit(std::string_view who, std::uint32_t limit, std::chrono::seconds window) {
  if (limit == 0) throw std::invalid_argument(std::string(who) + ": the limit must be at least 1");
  if (window < std::chrono::seconds(1) || window > kMaxWindow) {
    throw std::invalid_argument(std::string(who) + ": the window must be from one second to 366 days");
  }
}

// An IPv6 client counts as its /64: one subscriber is given a whole /64, and a key per address would let
// it take a fresh budget from each of its 2^64 addresses. IPv4 (and IPv4-mapped) addresses count alone.
void append_client_address(std::string& out, std::string_view ip) {
  in6_addr a{};
  char text[INET6_ADDRSTRLEN] = {};
  if (ip.find(':') == std::string_view::npos || ip.size() >= sizeof text) {
    out.append(ip);
    return;
  }
  std::copy(ip.begin(), ip.end(), text);
  if (inet_pton(AF_INET6, text, &a) != 1 || IN6_IS_ADDR_V4MAPPED(&a)) {
    out.append(ip);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i > 0 && i % 2 == 0) out.push_back(':');
    out.push_back(kHex[a.s6_addr[i] >> 4]);
    out.push_back(kHex[a.s6_addr[i] & 0xf]);
  }
  out.append("::/64");
}

// The store key for a request: "rl:<name>:user:<id>" or "rl:<name>:ip:<address>". Built in a per-thread
// buffer (no allocation once warm); the view is valid until the next call on this thread.
std::string_view client_key(const Request& req, RateLimitKey key, std::string_view name) {
  thread_local std::string buffer;
  buffer.assign("rl:");
  buffer.append(name);
  const Principal* principal = key == RateLimitKey::principal ? req.principal() : nullptr;
  if (principal != nullptr && !principal->id.empty()) {
    buffer.append(":user:");
    buffer.append(principal->id);
  } else {
    buffer.append(":ip:");
    append_client_address(buffer, req.client_ip());
  }
  return buffer;
}

// "RateLimit-Limit: 10\r\nRateLimit-Remaining: 3\r\nRateLimit-Reset: 42\r\n", numbers only: valid lines.
// `lasting`: the lines outlast an error answer built after them (a route dependency's, set before the
// handler runs); the middleware's are written after the answer and need not.
void append_rate_limit_lines(Response& res, std::uint32_t limit, const RateLimitDecision& d, bool lasting) {
  thread_local std::string lines;  // capacity kept: no allocation once warm
  lines.clear();
  auto line = [](std::string_view name, std::uint32_t value) {
    std::array<char, 10> digits{};  // UINT32_MAX has 10
    const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    lines.append(name);
    if (ec == std::errc{}) lines.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
    lines.append("\r\n");
  };
  line("RateLimit-Limit: ", limit);
  line("RateLimit-Remaining: ", d.remaining);
  line("RateLimit-Reset: ", d.reset_after_seconds);
  if (lasting) {
    detail::ResponseAccess::set_lasting_lines(res, lines);
  } else {
    detail::ResponseAccess::append_lines(res, lines);
  }
}

std::optional<std::uint32_t> parse_uint(std::string_view s) noexcept {
  std::uint32_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Writes this policy's RateLimit-* headers unless the response already shows a policy (an inner layer's or a
// route dependency's) with no more remaining hits: the one closest to exhaustion is the one to show.
void show_policy(Response& res, std::uint32_t limit, const RateLimitDecision& d, bool lasting) {
  if (const auto existing = res.header("RateLimit-Remaining")) {
    const auto shown = parse_uint(*existing);
    if (shown && *shown <= d.remaining) return;
    res.remove_header("RateLimit-Limit");
    res.remove_header("RateLimit-Remaining");
    res.remove_header("RateLimit-Reset");
  }
  append_rate_limit_lines(res, limit, d, lasting);
}

std::string retry_after(const RateLimitDecision& d) { return std::to_string(d.reset_after_seconds); }

}  // namespace

// ---- MemoryRateLimitStore -----------------------------------------------------------------------------------

// One shard: its windows in one list per window length (a "lane"), each in the order its windows started,
// which for one length is also the order they end (front = ends first); beside it, in the same order, the
// lane's windows still under their limit ("open"); and an index by key into the lanes. The index's keys are
// views of the entries' own keys (list nodes never move). A store usually sees one or two window lengths,
// so the lanes stay few and eviction is exact and O(lanes): ended windows first, then the open window that
// ends soonest, and only when no window is open the one that ends soonest. A flood of new keys therefore
// cannot free a key that is being refused (an account under a password-guessing limit) while it can free
// any other. (A window joins its lane's open list only when it starts, which is always the newest start,
// so the open list keeps the lane's order without a search.)
struct alignas(64) MemoryRateLimitStore::Shard {
  struct Window;
  using Windows = std::list<Window>;
  using Open = std::list<Windows::iterator>;
  struct Window {
    std::string key;
    std::uint32_t count = 0;
    // The lowest limit a hit gave in this window: the window refuses once count reaches it, whatever
    // limit a later caller passes.
    std::uint32_t limit = 0;
    Clock::time_point end;
    std::size_t lane = 0;
    bool open = false;         // in its lane's open list, at open_at
    Open::iterator open_at{};
  };
  struct Lane {
    std::chrono::seconds length;
    Windows windows;
    Open open;
  };

  mutable std::mutex mutex;
  std::vector<Lane> lanes;
  std::unordered_map<std::string_view, Windows::iterator> index;
  std::size_t cap = 0;

  std::size_t lane_of(std::chrono::seconds length) {
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      if (lanes[i].length == length) return i;
    }
    lanes.push_back(Lane{length, {}, {}});
    return lanes.size() - 1;
  }

  void close(Window& w) {
    if (!w.open) return;
    lanes[w.lane].open.erase(w.open_at);
    w.open = false;
  }

  void erase(Windows::iterator it) {
    close(*it);
    index.erase(it->key);
    lanes[it->lane].windows.erase(it);
  }

  // Starts `it`'s window (new or reset) at `now`: it ends last in its lane, and is open.
  void start(Windows::iterator it, std::size_t lane, std::chrono::seconds length, std::uint32_t limit,
             Clock::time_point now) {
    close(*it);
    Lane& l = lanes[lane];
    l.windows.splice(l.windows.end(), lanes[it->lane].windows, it);
    it->count = 0;
    it->limit = limit;
    it->end = now + length;
    it->lane = lane;
    if (limit > 0) {
      l.open.push_back(it);
      it->open_at = std::prev(l.open.end());
      it->open = true;
    }
  }

  // Makes room for one more key: drops every window that has ended, then, when still full, the open window
  // that ends soonest, or failing that the window that ends soonest.
  void make_room(Clock::time_point now) {
    for (Lane& lane : lanes) {
      while (!lane.windows.empty() && lane.windows.front().end <= now) erase(lane.windows.begin());
    }
    if (index.size() < cap) return;
    std::optional<Windows::iterator> victim;
    for (Lane& lane : lanes) {
      if (!lane.open.empty() && (!victim || lane.open.front()->end < (*victim)->end)) victim = lane.open.front();
    }
    if (!victim) {
      for (Lane& lane : lanes) {
        if (!lane.windows.empty() && (!victim || lane.windows.front().end < (*victim)->end)) {
          victim = lane.windows.begin();
        }
      }
    }
    if (victim) erase(*victim);
  }

  Window& find_or_insert(std::string_view key, std::chrono::seconds length, std::uint32_t limit,
                         Clock::time_point now) {
    if (auto it = index.find(key); it != index.end()) {
      Window& w = *it->second;
      if (now >= w.end) {
        start(it->second, lane_of(length), length, limit, now);
      } else if (limit < w.limit) {
        w.limit = limit;
      }
      return w;
    }
    make_room(now);
    const std::size_t lane = lane_of(length);
    Windows& windows = lanes[lane].windows;
    windows.push_back(Window{std::string(key), 0, limit, now + length, lane, false, {}});
    const auto it = std::prev(windows.end());
    try {
      index.emplace(it->key, it);
    } catch (...) {
      windows.pop_back();
      throw;
    }
    start(it, lane, length, limit, now);
    return *it;
  }

  // After a hit: a window that reached its limit leaves the open list.
  void counted(Window& w) {
    if (w.count >= w.limit) close(w);
  }
};

MemoryRateLimitStore::MemoryRateLimitStore(std::size_t max_keys) : max_keys_(max_keys), shard_mask_(0) {
  if (max_keys == 0) throw std::invalid_argument("MemoryRateLimitStore: max_keys must be at least 1");
  // At least kMinShardKeys keys per shard, so that eviction picks among enough windows to be meaningful.
  const std::size_t count = std::bit_floor(std::clamp<std::size_t>(max_keys / kMinShardKeys, 1, kMaxShards));
  shard_mask_ = count - 1;
  shards_ = std::make_unique<Shard[]>(count);
  for (std::size_t i = 0; i < count; ++i) shards_[i].cap = max_keys / count + (i < max_keys % count ? 1 : 0);
  std::random_device random;
  for (auto& byte : hash_key_) byte = static_cast<unsigned char>(random());
}

MemoryRateLimitStore::~MemoryRateLimitStore() = default;

RateLimitDecision MemoryRateLimitStore::hit(std::string_view key, std::chrono::seconds window, std::uint32_t limit,
                                            Clock::time_point now) {
  // The shard comes from a keyed hash (SipHash, with this store's random key): which keys share a shard, and
  // so compete for its room, cannot be worked out from outside the process.
  static_assert(sizeof hash_key_ == crypto_shorthash_KEYBYTES);
  unsigned char digest[crypto_shorthash_BYTES];
  crypto_shorthash(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size(), hash_key_.data());
  std::uint64_t h = 0;
  std::memcpy(&h, digest, sizeof h);
  Shard& shard = shards_[h & shard_mask_];
  const std::lock_guard lock(shard.mutex);
  Shard::Window& w =
      shard.find_or_insert(key, std::clamp(window, std::chrono::seconds(1), kMaxWindow), limit, now);
  RateLimitDecision d;
  d.reset_after_seconds = seconds_until(w.end, now);
  if (w.count < limit) {
    ++w.count;
    d.allowed = true;
    d.remaining = limit - w.count;
  } else {
    d.allowed = false;  // refused hits are not counted: the count never passes the limit
    d.remaining = 0;
  }
  shard.counted(w);
  return d;
}

std::size_t MemoryRateLimitStore::size() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    const std::lock_guard lock(shards_[i].mutex);
    n += shards_[i].index.size();
  }
  return n;
}

// ---- RateLimit ----------------------------------------------------------------------------------------------

namespace {

// The decisions made in on_request, waiting for on_response of the same request. Keyed by the Request
// object: a request in flight owns its Request until its on_response has run, so two requests in flight never
// share a key, and a Request reused for a later request overwrites its entry in on_request before on_response
// reads it (on_response only reads for requests the limit applies to, which always went through on_request).
// Not thread_local: a coroutine handler may resume on another thread. An entry is left behind only when
// on_response never runs (an inner layer threw, or the connection dropped mid-request); a full shard is then
// simply emptied, which costs at most the headers of the requests in flight in it.
class PendingDecisions {
 public:
  void put(const Request* req, const RateLimitDecision& d) {
    Shard& s = shard(req);
    const std::lock_guard lock(s.mutex);
    if (s.map.size() >= kShardCap && !s.map.contains(req)) s.map.clear();
    s.map.insert_or_assign(req, d);
  }
  std::optional<RateLimitDecision> take(const Request* req) {
    Shard& s = shard(req);
    const std::lock_guard lock(s.mutex);
    const auto it = s.map.find(req);
    if (it == s.map.end()) return std::nullopt;
    const RateLimitDecision d = it->second;
    s.map.erase(it);
    return d;
  }

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kShardCap = 4096;
  struct alignas(64) Shard {
    std::mutex mutex;
    std::unordered_map<const Request*, RateLimitDecision> map;
  };
  Shard& shard(const Request* req) noexcept {
    const auto v = reinterpret_cast<std::uintptr_t>(req);
    return shards_[((v >> 4) ^ (v >> 12)) & (kShards - 1)];
  }
  std::array<Shard, kShards> shards_;
};

}  // namespace

struct RateLimit::Impl {
  Options options;
  std::shared_ptr<RateLimitStore> store;
  PendingDecisions pending;

  bool applies(const Request& req) const noexcept {
    const Options& o = options;
    if (!o.methods.empty()) {
      const auto listed = [&](Method m) { return std::find(o.methods.begin(), o.methods.end(), m) != o.methods.end(); };
      // HEAD runs the GET handler: leaving it out would let a client use the handler without limit.
      if (!listed(req.method()) && !(req.method() == Method::head && listed(Method::get))) return false;
    }
    const std::string_view path = req.path();
    auto covered = [&](const std::vector<std::string>& prefixes) {
      return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return covers(p, path); });
    };
    if (covered(o.exempt)) return false;
    return o.paths.empty() || covered(o.paths);
  }
};

RateLimit::RateLimit(Options options) : impl_(std::make_unique<Impl>()) {
  check_limit("RateLimit", options.limit, options.window);
  auto check_paths = [](const std::vector<std::string>& paths, std::string_view what) {
    for (const auto& p : paths) {
      if (p.empty() || p.front() != '/') {
        throw std::invalid_argument("RateLimit: " + std::string(what) + " entry '" + p + "' does not start with '/'");
      }
    }
  };
  check_paths(options.paths, "paths");
  check_paths(options.exempt, "exempt");
  impl_->store = options.store ? options.store : std::make_shared<MemoryRateLimitStore>(options.max_keys);
  impl_->options = std::move(options);
}

RateLimit::~RateLimit() = default;

const std::shared_ptr<RateLimitStore>& RateLimit::store() const noexcept { return impl_->store; }

bool RateLimit::on_request(Request& req, Response& res) {
  Impl& m = *impl_;
  if (!m.applies(req)) return false;
  const Options& o = m.options;
  const RateLimitDecision d = m.store->hit(client_key(req, o.key, o.name), o.window, o.limit, Clock::now());
  m.pending.put(&req, d);
  if (d.allowed) return false;
  res.error(429, "Too Many Requests");
  res.set_header("Retry-After", retry_after(d));
  return true;  // on_response adds the RateLimit-* headers
}

void RateLimit::on_response(Request& req, Response& res) {
  Impl& m = *impl_;
  if (!m.applies(req)) return;  // never went through on_request: whatever the table holds for it is stale
  if (const auto d = m.pending.take(&req)) show_policy(res, m.options.limit, *d, false);
}

std::string RateLimit::options_json() const {
  const Options& o = impl_->options;
  std::string out = "{\"limit\":";
  write_json(out, o.limit);
  out += ",\"window\":";
  write_json(out, static_cast<long long>(o.window.count()));
  out += ",\"key\":";
  out += o.key == RateLimitKey::principal ? "\"principal\"" : "\"client_address\"";
  out += ",\"paths\":";
  write_json(out, o.paths);
  out += ",\"methods\":[";
  for (std::size_t i = 0; i < o.methods.size(); ++i) {
    if (i != 0) out += ',';
    out += detail::json_quote(to_string(o.methods[i]));
  }
  out += "],\"exempt\":";
  write_json(out, o.exempt);
  out += ",\"store\":" + detail::json_quote(impl_->store->name());
  if (!o.store) {
    out += ",\"max_keys\":";
    write_json(out, static_cast<unsigned long long>(o.max_keys));
  }
  out += ",\"name\":" + detail::json_quote(o.name);
  out += '}';
  return out;
}

// ---- rate_limit() route dependency --------------------------------------------------------------------------

namespace {

class RouteRateLimit final : public detail::Provider {
 public:
  RouteRateLimit(std::uint32_t limit, std::chrono::seconds window, RouteRateLimitOptions options)
      : limit_(limit), window_(window), options_(std::move(options)) {
    if (!options_.store) options_.store = std::make_shared<MemoryRateLimitStore>();
  }

  detail::TypeKey key() const noexcept override { return this; }
  const std::type_info& type() const noexcept override { return typeid(RouteRateLimit); }
  const detail::Needs& needs() const noexcept override { return needs_; }
  bool is_async() const noexcept override { return false; }

  bool resolve(detail::CallContext& ctx, std::size_t slot) const override {
    const RateLimitDecision d =
        options_.store->hit(client_key(ctx.request, options_.key, options_.name), window_, limit_, Clock::now());
    if (!d.allowed) {
      throw HttpError(429, "Too Many Requests",
                      {{"Retry-After", retry_after(d)},
                       {"RateLimit-Limit", std::to_string(limit_)},
                       {"RateLimit-Remaining", "0"},
                       {"RateLimit-Reset", std::to_string(d.reset_after_seconds)}});
    }
    show_policy(ctx.response, limit_, d, true);
    ctx.scope.set(slot, &ctx.scope);  // ran: any non-null marker
    return true;
  }
  Task<bool> resolve_async(detail::CallContext& ctx, std::size_t slot) const override {
    co_return resolve(ctx, slot);
  }

 private:
  std::uint32_t limit_;
  std::chrono::seconds window_;
  RouteRateLimitOptions options_;
  detail::Needs needs_;
};

}  // namespace

Dependency rate_limit(std::uint32_t limit, std::chrono::seconds window, RouteRateLimitOptions options,
                      std::source_location where) {
  check_limit("rate_limit", limit, window);
  std::string location = std::string(where.file_name()) + ":" + std::to_string(where.line());
  if (options.name.empty()) options.name = location;
  auto guard = std::make_shared<RouteRateLimit>(limit, window, std::move(options));
  guard->where = std::move(location);
  return Dependency(std::move(guard));
}

}  // namespace aegis
