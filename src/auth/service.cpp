#include <aegis/auth/auth.hpp>

#include <aegis/json/convert.hpp>
#include <aegis/middleware/rate_limit.hpp>
#include <aegis/modules/settings.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "auth/crypto.hpp"
#include "auth/internal.hpp"
#include "handlers/blocking.hpp"

namespace aegis {

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

DateTime date_time(std::int64_t unix_seconds) {
  DateTime d;
  d.time = std::chrono::sys_time<std::chrono::microseconds>(std::chrono::seconds(unix_seconds));
  d.offset_minutes = 0;
  return d;
}

bool valid_username(std::string_view u) noexcept {
  if (u.empty() || u.size() > 64) return false;
  for (char c : u) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

// A key a person typed rather than generated: a placeholder word in any case, or too few different
// characters to be random (32 random hex digits hold 10 or more different ones all but always).
bool placeholder_key(std::string_view k) {
  std::string lower(k);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view p : {"change-me", "changeme", "secret", "replace-me", "password", "xxxx"}) {
    if (lower.find(p) != std::string::npos) return true;
  }
  bool seen[256] = {};
  int distinct = 0;
  for (const char c : k) {
    auto& s = seen[static_cast<unsigned char>(c)];
    distinct += s ? 0 : 1;
    s = true;
  }
  return distinct < 10;
}

}  // namespace

AuthSettings auth_settings_from_env(AuthSettings s, std::vector<std::string>& errors) {
  if (auto v = detail::settings_value("AEGIS_SECRET_KEY")) s.secret_key = *v;
  if (auto v = detail::settings_value("AEGIS_SESSION_TTL")) {
    long long n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || end != v->data() + v->size() || n < 60 || n > 365LL * 24 * 3600) {
      errors.push_back("AEGIS_SESSION_TTL: expected seconds from 60 to one year, got '" + *v + "'");
    } else {
      s.session_ttl = std::chrono::seconds(n);
    }
  }
  if (auto v = detail::settings_value("AEGIS_TRUSTED_ORIGINS")) {
    s.trusted_origins.clear();
    for (const std::string_view o : detail::settings_list(*v)) s.trusted_origins.emplace_back(o);
  }
  return s;
}

// ---- the principal cache -----------------------------------------------------------------------------------

struct AuthService::Impl {
  App& app;
  std::shared_ptr<sql::Database> db;
  AuthSettings settings;
  std::once_flag dummy_once;
  std::string dummy_hash;  // verified against for unknown users, so they cost the same as a wrong password
  // argon2id costs CPU and 64 MiB per hash: it runs on threads of its own, one per core up to four (at
  // most 256 MiB hashing at once, however many cores a container is shown), with a bounded queue (beyond
  // it, 503), so that a flood of logins neither starves the database's threads nor exhausts memory.
  detail::BlockingPool hashing{"aegis-hashing", std::clamp(std::thread::hardware_concurrency(), 1u, 4u), 256};

  struct Cached {
    std::shared_ptr<const Principal> principal;
    std::string csrf;
    std::int64_t session_expires = 0;       // unix seconds
    std::chrono::steady_clock::time_point fetched;
    std::uint64_t generation = 0;
  };
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMaxPerShard = 4096;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Cached> entries;  // by session id hash or token hash
    // Logouts of sessions in this shard so far: a lookup that read the database before one ended must not
    // cache what it read (the session it found may be the one that just ended).
    std::uint64_t logouts = 0;
  };
  Shard shards[kShards];
  std::atomic<std::uint64_t> generation{1};

  std::shared_ptr<RateLimitStore> account_attempts;

  Impl(App& a, std::shared_ptr<sql::Database> d, AuthSettings s) : app(a), db(std::move(d)), settings(std::move(s)) {
    if (settings.account_login_attempts == 0 || settings.account_login_window < std::chrono::seconds(1)) {
      throw StartupError("invalid authentication settings: account_login_attempts must be at least 1 and "
                         "account_login_window at least one second");
    }
    account_attempts = settings.account_login_store ? settings.account_login_store
                                                    : std::make_shared<MemoryRateLimitStore>(100000);
  }

  Shard& shard(const std::string& key) { return shards[std::hash<std::string>{}(key) % kShards]; }

  std::optional<Cached> cached(const std::string& key) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    auto it = s.entries.find(key);
    if (it == s.entries.end()) return std::nullopt;
    const Cached& c = it->second;
    if (c.generation != generation.load() || std::chrono::steady_clock::now() - c.fetched > settings.principal_cache ||
        (c.session_expires != 0 && c.session_expires <= unix_now())) {
      s.entries.erase(it);
      return std::nullopt;
    }
    return c;
  }

  // Caches `c`, unless a session of the shard ended since `logouts_before` was read (before the lookup's
  // database read): what it read may be a session that no longer exists.
  void remember(const std::string& key, Cached c, std::optional<std::uint64_t> logouts_before = std::nullopt) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    if (logouts_before && *logouts_before != s.logouts) return;
    if (s.entries.size() >= kMaxPerShard) s.entries.clear();  // bounded: a flood of tokens cannot grow it
    s.entries[key] = std::move(c);
  }

  std::uint64_t logouts(const std::string& key) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    return s.logouts;
  }

  // After the session's row is gone: drops it from the cache, and keeps a lookup already under way from
  // caching it again.
  void forget_ended_session(const std::string& key) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    ++s.logouts;
    s.entries.erase(key);
  }

  // The principal of a user: their roles and the permissions the roles grant (from the database).
  static std::shared_ptr<const Principal> load_principal(sql::Connection& c, std::int64_t user_id) {
    auto user = c.query_one("SELECT username FROM aegis_users WHERE id = ?", user_id);
    if (!user) return nullptr;
    auto p = std::make_shared<Principal>();
    p->id = std::to_string(user_id);
    p->name = user->get<std::string>(0);
    for (const auto& r : c.query("SELECT role FROM aegis_user_roles WHERE user_id = ? ORDER BY role", user_id)) {
      p->roles.push_back(r.get<std::string>(0));
    }
    for (const auto& r : c.query("SELECT DISTINCT rp.permission FROM aegis_role_permissions rp JOIN aegis_user_roles ur "
                                 "ON ur.role = rp.role WHERE ur.user_id = ? ORDER BY rp.permission",
                                 user_id)) {
      p->permissions.push_back(r.get<std::string>(0));
    }
    return p;
  }
};

AuthService::AuthService(App& app, std::shared_ptr<sql::Database> db, AuthSettings settings)
    : impl_(std::make_unique<Impl>(app, std::move(db), std::move(settings))) {}

AuthService::~AuthService() = default;

const AuthSettings& AuthService::settings() const noexcept { return impl_->settings; }

void AuthService::invalidate_principals() noexcept { impl_->generation.fetch_add(1); }

std::int64_t AuthService::create_user(std::string_view username, std::string_view password,
                                      const std::vector<std::string>& roles) {
  if (!valid_username(username)) {
    throw std::invalid_argument("a username has 1 to 64 letters, digits, '.', '_', '-' or '@'");
  }
  // Counted in characters, as the login's MaxLength<1024> counts them: a longer password could never be used.
  const std::size_t characters = detail::code_points(password);
  if (characters < 8) throw std::invalid_argument("a password has at least 8 characters");
  if (characters > 1024) throw std::invalid_argument("a password has at most 1024 characters");
  const std::string hash = detail::hash_password(password);
  return impl_->db->with_connection([&](sql::Connection& c) {
    return c.transaction([&] {
      // 'admin' and 'ADMIN' would look alike wherever users are listed: names differ by more than case.
      if (c.query_one("SELECT 1 FROM aegis_users WHERE username = ? COLLATE NOCASE", username)) {
        throw sql::SqlError("a user named '" + std::string(username) + "' exists already (names ignore case)", true);
      }
      c.execute("INSERT INTO aegis_users (username, password_hash) VALUES (?, ?)", username, hash);
      const std::int64_t id = c.last_insert_id();
      for (const auto& role : roles) {
        c.execute("INSERT OR IGNORE INTO aegis_roles (name) VALUES (?)", role);
        c.execute("INSERT INTO aegis_user_roles (user_id, role) VALUES (?, ?)", id, role);
      }
      return id;
    });
  });
}

Task<std::optional<UserInfo>> AuthService::authenticate(std::string username, std::string password) {
  Impl& impl = *impl_;
  struct Stored {
    std::int64_t id = 0;
    std::string hash;
  };
  const std::optional<Stored> stored = co_await impl.db->run([&username](sql::Connection& c) -> std::optional<Stored> {
    auto row = c.query_one("SELECT id, password_hash FROM aegis_users WHERE username = ?", username);
    if (!row) return std::nullopt;
    return Stored{row->get<std::int64_t>(0), row->get<std::string>(1)};
  });
  bool ok = false;
  auto verify = [&] {
    std::call_once(impl.dummy_once, [&impl] { impl.dummy_hash = detail::hash_password(detail::random_token(16)); });
    // An unknown user is checked against a hash too: the same work, the same time, the same answer.
    ok = detail::verify_password(stored ? stored->hash : impl.dummy_hash, password) && stored.has_value();
  };
  co_await detail::run_blocking(impl.hashing, verify);
  if (!ok) co_return std::nullopt;
  const std::int64_t id = stored->id;
  auto principal = co_await impl.db->run([id](sql::Connection& c) { return Impl::load_principal(c, id); });
  if (!principal) co_return std::nullopt;
  co_return UserInfo{id, principal->name, principal->roles, principal->permissions};
}

bool AuthService::count_login_attempt(std::string_view username, std::uint32_t& retry_after) {
  std::string key = "aegis.login-account:";
  key += username;
  const RateLimitDecision d = impl_->account_attempts->hit(key, impl_->settings.account_login_window,
                                                           impl_->settings.account_login_attempts,
                                                           std::chrono::steady_clock::now());
  retry_after = d.reset_after_seconds;
  return d.allowed;
}

Task<AuthService::Session> AuthService::create_session(std::int64_t user_id) {
  Session s;
  const std::string id = detail::random_token(32);
  s.cookie = id + "." + detail::hmac_b64(impl_->settings.secret_key, id);
  s.csrf_token = detail::random_token(24);
  const std::int64_t now = unix_now();
  const std::int64_t expires = now + impl_->settings.session_ttl.count();
  s.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(expires));
  const std::string key = detail::sha256_hex(id);
  const std::string csrf = s.csrf_token;
  co_await impl_->db->run([&](sql::Connection& c) {
    c.execute("DELETE FROM aegis_sessions WHERE expires_at <= ?", now);
    c.execute("INSERT INTO aegis_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
              key, user_id, csrf, now, expires);
  });
  co_return s;
}

namespace {
// "<id>.<mac>" with a valid MAC: the id, else empty.
std::string verified_id(std::string_view cookie, std::string_view secret) {
  const std::size_t dot = cookie.find('.');
  if (dot == std::string_view::npos || dot == 0 || cookie.size() > 256) return {};
  const std::string_view id = cookie.substr(0, dot);
  if (!detail::equal_constant_time(cookie.substr(dot + 1), detail::hmac_b64(secret, id))) return {};
  return std::string(id);
}
}  // namespace

Task<std::shared_ptr<const Principal>> AuthService::session_principal(std::string cookie, std::string* csrf_token) {
  const std::string id = verified_id(cookie, impl_->settings.secret_key);
  if (id.empty()) co_return nullptr;
  const std::string key = detail::sha256_hex(id);
  if (auto hit = impl_->cached(key)) {
    if (csrf_token != nullptr) *csrf_token = hit->csrf;
    co_return hit->principal;
  }
  const std::uint64_t generation = impl_->generation.load();
  const std::uint64_t logouts = impl_->logouts(key);
  Impl::Cached fresh;
  const bool found = co_await impl_->db->run([&](sql::Connection& c) {
    auto row = c.query_one("SELECT user_id, csrf_token, expires_at FROM aegis_sessions WHERE id_hash = ? AND expires_at > ?",
                           key, unix_now());
    if (!row) return false;
    fresh.principal = Impl::load_principal(c, row->get<std::int64_t>(0));
    fresh.csrf = row->get<std::string>(1);
    fresh.session_expires = row->get<std::int64_t>(2);
    return fresh.principal != nullptr;
  });
  if (!found) co_return nullptr;
  fresh.fetched = std::chrono::steady_clock::now();
  fresh.generation = generation;
  if (csrf_token != nullptr) *csrf_token = fresh.csrf;
  auto principal = fresh.principal;
  impl_->remember(key, std::move(fresh), logouts);
  co_return principal;
}

Task<> AuthService::end_session(std::string cookie) {
  const std::string id = verified_id(cookie, impl_->settings.secret_key);
  if (id.empty()) co_return;
  const std::string key = detail::sha256_hex(id);
  // The row goes first, then the cache entry: a lookup that read the row before it went does not cache it
  // again (see forget_ended_session), and one that starts now finds no row.
  try {
    co_await impl_->db->run([&](sql::Connection& c) { c.execute("DELETE FROM aegis_sessions WHERE id_hash = ?", key); });
  } catch (...) {
    impl_->forget_ended_session(key);  // not cached either way: the next request asks the database
    throw;
  }
  impl_->forget_ended_session(key);
}

Task<TokenInfo> AuthService::create_token(std::int64_t user_id, std::string name) {
  if (name.empty() || name.size() > 100) throw HttpError(422, "A token needs a name of 1 to 100 characters");
  const std::string token = "aegis_" + detail::random_token(32);
  const std::string hash = detail::sha256_hex(token);
  const std::int64_t now = unix_now();
  const std::int64_t id = co_await impl_->db->run([&](sql::Connection& c) {
    c.execute("INSERT INTO aegis_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)", user_id, name,
              hash, now);
    return c.last_insert_id();
  });
  co_return TokenInfo{id, name, date_time(now), token};
}

Task<std::vector<TokenInfo>> AuthService::tokens(std::int64_t user_id) {
  co_return co_await impl_->db->run([&](sql::Connection& c) {
    std::vector<TokenInfo> out;
    for (const auto& r : c.query("SELECT id, name, created_at FROM aegis_tokens WHERE user_id = ? AND revoked = 0 ORDER BY id",
                                 user_id)) {
      out.push_back({r.get<std::int64_t>(0), r.get<std::string>(1), date_time(r.get<std::int64_t>(2)), std::nullopt});
    }
    return out;
  });
}

Task<bool> AuthService::revoke_token(std::int64_t user_id, std::int64_t token_id) {
  const bool revoked = co_await impl_->db->run([&](sql::Connection& c) {
    return c.execute("UPDATE aegis_tokens SET revoked = 1 WHERE id = ? AND user_id = ? AND revoked = 0", token_id,
                     user_id) == 1;
  });
  if (revoked) invalidate_principals();  // its cached principal must not outlive it
  co_return revoked;
}

Task<std::shared_ptr<const Principal>> AuthService::token_principal(std::string token) {
  if (token.size() < 10 || token.size() > 200) co_return nullptr;
  const std::string key = detail::sha256_hex(token);
  if (auto hit = impl_->cached("t:" + key)) co_return hit->principal;
  const std::uint64_t generation = impl_->generation.load();
  auto principal = co_await impl_->db->run([&](sql::Connection& c) -> std::shared_ptr<const Principal> {
    auto row = c.query_one("SELECT user_id FROM aegis_tokens WHERE token_hash = ? AND revoked = 0", key);
    if (!row) return nullptr;
    return Impl::load_principal(c, row->get<std::int64_t>(0));
  });
  if (!principal) co_return nullptr;
  impl_->remember("t:" + key, {principal, {}, 0, std::chrono::steady_clock::now(), generation});
  co_return principal;
}

Task<> AuthService::start(App& app) {
  check_secret(app.settings());
  Impl& impl = *impl_;
  co_await impl.db->run([&app, &impl](sql::Connection& c) {
    detail::load_persisted_state(c, app);
    std::call_once(impl.dummy_once, [&impl] { impl.dummy_hash = detail::hash_password(detail::random_token(16)); });
  });
}

void AuthService::check_secret(const AppSettings& app_settings) {
  detail::check_secret_key(app_settings, impl_->settings);
}

namespace detail {

void check_secret_key(const AppSettings& app, AuthSettings& s) {
  if (app.environment == "production") {
    if (s.secret_key.empty()) throw StartupError("AEGIS_SECRET_KEY is required in production (32 characters or more)");
    if (s.secret_key.size() < 32 || placeholder_key(s.secret_key)) {
      throw StartupError("AEGIS_SECRET_KEY is too short or a placeholder; use 32 or more random characters");
    }
    return;
  }
  if (s.secret_key.empty()) {
    s.secret_key = random_token(32);
    spdlog::warn("AEGIS_SECRET_KEY is not set: sessions are signed with a key made for this process and end with it");
  }
}

std::shared_ptr<const Principal> load_principal_for(sql::Connection& c, std::int64_t user_id) {
  return AuthService::Impl::load_principal(c, user_id);
}

}  // namespace detail
}  // namespace aegis
