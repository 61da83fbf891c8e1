#include <aegis/storage/sql.hpp>

#include <aegis/handlers/bind.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "handlers/blocking.hpp"

namespace aegis::sql {

const Value& Row::at(std::string_view name) const { return values_.at(column_index(name)); }

std::size_t Row::column_index(std::string_view name) const {
  for (std::size_t i = 0; i < columns_->size(); ++i) {
    if ((*columns_)[i] == name) return i;
  }
  throw std::out_of_range("no column '" + std::string(name) + "' in the row");
}

void Row::type_error(std::size_t i, const char* wanted) const {
  const std::string column = i < columns_->size() ? (*columns_)[i] : std::to_string(i);
  throw SqlError("column '" + column + "' does not hold " + wanted, false);
}

namespace {

std::atomic<std::uint64_t> next_database_id{1};

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  const int base = rc & 0xff;
  std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  throw SqlError(std::move(message), base == SQLITE_CONSTRAINT);
}

// True when `rest` (what follows a statement) holds nothing SQLite would run: whitespace, semicolons and
// comments ("-- to the end of the line", "/* ... */", an unterminated "/*" running to the end).
bool only_separators(std::string_view rest) {
  std::size_t i = 0;
  while (i < rest.size()) {
    const char c = rest[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == ';') {
      ++i;
    } else if (rest.substr(i, 2) == "--") {
      const std::size_t end = rest.find('\n', i);
      i = end == std::string_view::npos ? rest.size() : end + 1;
    } else if (rest.substr(i, 2) == "/*") {
      const std::size_t end = rest.find("*/", i + 2);
      i = end == std::string_view::npos ? rest.size() : end + 2;
    } else {
      return false;
    }
  }
  return true;
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, bool memory, const DatabaseOptions& options) {
    // URIs only for the in-memory database's shared-cache name; a file path is taken as it is.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | (memory ? SQLITE_OPEN_URI : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw SqlError("cannot open the database '" + path + "': " + message, false);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
    std::string pragmas = "PRAGMA foreign_keys = ON;";
    if (!memory) pragmas += "PRAGMA journal_mode = WAL;";
    pragmas += options.durable ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
    try {
      exec_script(pragmas);  // the first statement: a file that is not a database fails here
    } catch (...) {
      sqlite3_close(db_);  // the destructor does not run for a constructor that throws
      db_ = nullptr;
      throw;
    }
  }

  ~SqliteConnection() override {
    for (auto& cached : statements_) sqlite3_finalize(cached.stmt);
    sqlite3_close(db_);
  }

  void exec_script(std::string_view sql) override {
    const std::string text(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      throw SqlError("SQL script failed: " + message, (rc & 0xff) == SQLITE_CONSTRAINT);
    }
  }

  std::vector<Row> query_values(std::string_view sql, std::span<const Value> params) override {
    const StatementInUse use(*this, sql);
    sqlite3_stmt* stmt = use.stmt();
    bind(stmt, sql, params);
    std::vector<Row> rows;
    std::shared_ptr<const std::vector<std::string>> columns;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(db_, rc, "query failed");
      const int n = sqlite3_column_count(stmt);
      if (!columns) {
        auto names = std::make_shared<std::vector<std::string>>();
        for (int i = 0; i < n; ++i) names->emplace_back(sqlite3_column_name(stmt, i));
        columns = std::move(names);
      }
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_INTEGER: values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, i))); break;
          case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, i)); break;
          case SQLITE_TEXT:
            values.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                            static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))));
            break;
          case SQLITE_BLOB: {
            const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, i));
            values.emplace_back(Blob(p, p + sqlite3_column_bytes(stmt, i)));
            break;
          }
          default: values.emplace_back(nullptr);
        }
      }
      rows.emplace_back(columns, std::move(values));
    }
    return rows;
  }

  std::int64_t execute_values(std::string_view sql, std::span<const Value> params) override {
    const StatementInUse use(*this, sql);
    sqlite3_stmt* stmt = use.stmt();
    bind(stmt, sql, params);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) fail(db_, rc, "statement failed");
    return sqlite3_changes64(db_);
  }

  std::int64_t last_insert_id() override { return sqlite3_last_insert_rowid(db_); }

 protected:
  void begin() override { exec_script("BEGIN IMMEDIATE"); }
  void commit() override { exec_script("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

 private:
  // Statements are prepared once per connection and reused, the most recently used first in `statements_`;
  // beyond kMaxCachedStatements the least recently used one that is not running is finalized.
  static constexpr std::size_t kMaxCachedStatements = 128;

  struct CachedStatement {
    std::string sql;
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  using Cache = std::list<CachedStatement>;

  // A cached statement taken for one query or execute. However that ends (its rows read, an SQL error, a
  // failed bind, bad_alloc), the statement is reset and its bindings cleared: an active statement would keep
  // its read snapshot (blocking WAL checkpoints), refuse the next call's binds (SQLITE_MISUSE) and hold
  // pointers into that call's parameters.
  class StatementInUse {
   public:
    StatementInUse(SqliteConnection& connection, std::string_view sql) : entry_(connection.acquire(sql)) {
      entry_->in_use = true;
    }
    ~StatementInUse() {
      sqlite3_reset(entry_->stmt);
      sqlite3_clear_bindings(entry_->stmt);
      entry_->in_use = false;
    }
    StatementInUse(const StatementInUse&) = delete;
    StatementInUse& operator=(const StatementInUse&) = delete;
    sqlite3_stmt* stmt() const noexcept { return entry_->stmt; }

   private:
    Cache::iterator entry_;
  };

  // The cached statement for `sql`, prepared now if it is not cached. `sql` must be exactly one statement.
  Cache::iterator acquire(std::string_view sql) {
    if (const auto found = index_.find(sql); found != index_.end()) {
      statements_.splice(statements_.begin(), statements_, found->second);  // iterators stay valid
      return found->second;
    }
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    // An empty view's data() may be null, which SQLite takes for misuse rather than for empty SQL.
    const int rc = sqlite3_prepare_v3(db_, sql.empty() ? "" : sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    if (rc != SQLITE_OK) fail(db_, rc, "cannot prepare '" + std::string(sql) + "'");
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, &sqlite3_finalize);
    // Empty or comment-only SQL prepares to no statement at all.
    if (!stmt) throw SqlError("cannot prepare '" + std::string(sql) + "': it holds no SQL statement", false);
    // SQLite prepares the first statement and returns the rest; running only the first would silently drop
    // the others ("SELECT 1; DROP TABLE x").
    const std::size_t used = tail == nullptr ? sql.size() : static_cast<std::size_t>(tail - sql.data());
    if (!only_separators(sql.substr(std::min(used, sql.size())))) {
      throw SqlError("cannot prepare '" + std::string(sql) +
                         "': only one statement is allowed (exec_script runs several without parameters)",
                     false);
    }
    evict_one_if_full();
    statements_.push_front(CachedStatement{std::string(sql), nullptr, false});
    try {
      index_.emplace(statements_.front().sql, statements_.begin());
    } catch (...) {
      statements_.pop_front();
      throw;
    }
    statements_.front().stmt = stmt.release();  // the cache finalizes it from now on
    return statements_.begin();
  }

  void evict_one_if_full() noexcept {
    if (statements_.size() < kMaxCachedStatements) return;
    for (auto it = statements_.end(); it != statements_.begin();) {
      --it;
      if (it->in_use) continue;  // running further up the stack
      index_.erase(it->sql);
      sqlite3_finalize(it->stmt);
      statements_.erase(it);
      return;
    }
  }

  // Binds `params` (which must outlive the statement's run: text and blobs are not copied).
  void bind(sqlite3_stmt* stmt, std::string_view sql, std::span<const Value> params) {
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      throw SqlError("'" + std::string(sql) + "' takes " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
                         " parameters, " + std::to_string(params.size()) + " given",
                     false);
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      std::visit(
          [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::nullptr_t>) {
              rc = sqlite3_bind_null(stmt, at);
            } else if constexpr (std::is_same_v<V, std::int64_t>) {
              rc = sqlite3_bind_int64(stmt, at, v);
            } else if constexpr (std::is_same_v<V, double>) {
              rc = sqlite3_bind_double(stmt, at, v);
            } else if constexpr (std::is_same_v<V, std::string>) {
              rc = sqlite3_bind_text64(stmt, at, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
            } else if (v.empty()) {
              rc = sqlite3_bind_zeroblob(stmt, at, 0);  // an empty vector's data() is null: SQLite would bind NULL
            } else {
              rc = sqlite3_bind_blob64(stmt, at, v.data(), v.size(), SQLITE_STATIC);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) fail(db_, rc, "cannot bind a parameter");
    }
  }

  sqlite3* db_ = nullptr;
  Cache statements_;
  std::unordered_map<std::string_view, Cache::iterator> index_;  // keys view the entries' `sql`
};

class SqliteDatabase final : public Database {
 public:
  // An in-memory database is one shared-cache database whose locks are table locks that do not wait (no
  // busy timeout): one thread serves it.
  SqliteDatabase(std::string url, std::string path, bool memory, DatabaseOptions options)
      : url_(std::move(url)), path_(std::move(path)), memory_(memory), options_(options),
        pool_("aegis-db", memory ? 1u : std::max(1u, options.threads), 1 << 20) {
    // Open once now, so that a corrupt file fails at boot, and (in memory) keep the shared database alive
    // as long as this object. A file that does not exist yet is created by its first use (the migrations,
    // when the app starts), not here: `./app --help` or `./app routes` must not leave an empty database
    // behind. Its folder is checked now, so that a wrong path still fails at boot.
    std::error_code unknown;  // a path that cannot be looked at is opened, for SQLite's own error
    if (memory_ || std::filesystem::exists(path_, unknown) || unknown) {
      keeper_ = std::make_unique<SqliteConnection>(path_, memory_, options_);
      return;
    }
    std::filesystem::path folder = std::filesystem::path(path_).parent_path();
    if (folder.empty()) folder = ".";
    if (::access(folder.c_str(), W_OK | X_OK) != 0) {
      throw SqlError("cannot open the database '" + path_ + "': " + std::strerror(errno) + " (its folder '" +
                         folder.string() + "')",
                     false);
    }
  }

  std::string url() const override { return url_; }
  std::string_view dialect() const noexcept override { return "sqlite"; }

 protected:
  Task<> run_work(std::function<void(Connection&)> work) override {
    auto job = [this, &work] { work(calling_thread_connection()); };
    co_await aegis::detail::run_blocking(pool_, job);
  }

  Connection& calling_thread_connection() override {
    // One connection per thread: SQLite connections are used by one thread at a time. The database owns
    // them, so they close with it. (The lock is taken once per database call, next to a thread hop and
    // the statement itself.)
    std::lock_guard lock(connections_mutex_);
    auto& c = connections_[std::this_thread::get_id()];
    if (!c) c = std::make_unique<SqliteConnection>(path_, memory_, options_);
    return *c;
  }

 private:
  std::string url_;
  std::string path_;
  bool memory_;
  DatabaseOptions options_;
  std::mutex connections_mutex_;
  std::map<std::thread::id, std::unique_ptr<SqliteConnection>> connections_;  // outlives the pool's threads
  aegis::detail::BlockingPool pool_;
  std::unique_ptr<SqliteConnection> keeper_;
};

}  // namespace

std::shared_ptr<Database> Database::open(std::string_view url, DatabaseOptions options) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url == "sqlite::memory:") {
    const std::string path =
        "file:aegis-memory-" + std::to_string(next_database_id.fetch_add(1)) + "?mode=memory&cache=shared";
    return std::make_shared<SqliteDatabase>(std::string(url), path, true, options);
  }
  if (url.starts_with(kSqlite)) {
    std::string_view rest = url.substr(kSqlite.size());
    if (rest.empty() || rest.front() != '/' || rest.size() < 2) {
      throw std::invalid_argument("AEGIS_DATABASE_URL: '" + std::string(url) +
                                  "' has no path (sqlite:///./app.db, sqlite:////var/lib/app.db)");
    }
    rest.remove_prefix(1);  // "sqlite:///x" is the relative path "x"; "sqlite:////x" the absolute "/x"
    if (rest.find('?') != std::string_view::npos) {
      throw std::invalid_argument("AEGIS_DATABASE_URL: options in the URL are not supported ('" + std::string(url) + "')");
    }
    // SQLite's own spellings of a private in-memory database would give every connection its own one.
    if (rest == ":memory:" || rest.starts_with("file:")) {
      throw std::invalid_argument("AEGIS_DATABASE_URL: '" + std::string(url) +
                                  "' is not a file path; an in-memory database is sqlite::memory:");
    }
    return std::make_shared<SqliteDatabase>(std::string(url), std::string(rest), false, options);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    throw std::invalid_argument("AEGIS_DATABASE_URL: PostgreSQL is not supported yet; use sqlite:///path");
  }
  // Only the scheme: the rest may hold a password.
  const std::size_t colon = url.find(':');
  const std::string scheme = colon == std::string_view::npos ? std::string("(none)") : std::string(url.substr(0, colon));
  throw std::invalid_argument("AEGIS_DATABASE_URL: unsupported database scheme '" + scheme +
                              "' (expected sqlite:///path or sqlite::memory:)");
}

void Migrations::add(Migration m) {
  for (const auto& existing : migrations_) {
    if (existing.component == m.component && existing.version == m.version) {
      throw std::invalid_argument("migration " + m.component + " " + std::to_string(m.version) +
                                  " is registered twice ('" + existing.name + "' and '" + m.name + "')");
    }
  }
  migrations_.push_back(std::move(m));
}

int Migrations::apply(Connection& c) const {
  c.exec_script(
      "CREATE TABLE IF NOT EXISTS aegis_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, "
      "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
      "PRIMARY KEY (component, version))");
  std::vector<const Migration*> ordered;
  for (const auto& m : migrations_) ordered.push_back(&m);
  std::sort(ordered.begin(), ordered.end(), [](const Migration* a, const Migration* b) {
    return a->component != b->component ? a->component < b->component : a->version < b->version;
  });
  int applied = 0;
  for (const Migration* m : ordered) {
    bool ran = false;
    try {
      // Checked inside the write transaction: instances booting together against one database apply each
      // migration once; the others wait for the lock and then find it recorded.
      c.transaction([&] {
        if (c.query_one("SELECT 1 FROM aegis_migrations WHERE component = ? AND version = ?", m->component,
                        m->version)) {
          return;
        }
        c.exec_script(m->sql);
        c.execute("INSERT INTO aegis_migrations (component, version, name) VALUES (?, ?, ?)", m->component,
                  m->version, m->name);
        ran = true;
      });
    } catch (const SqlError& e) {
      throw SqlError("migration " + m->component + " " + std::to_string(m->version) + " (" + m->name +
                         ") failed: " + e.what(),
                     e.constraint());
    }
    if (ran) ++applied;
  }
  return applied;
}

}  // namespace aegis::sql
