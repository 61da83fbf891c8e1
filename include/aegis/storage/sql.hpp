#pragma once

// aegis::sql: a thin layer over SQL databases. SQLite is the embedded default (WAL, a busy timeout, full
// synchronous commits); the interface is what a PostgreSQL backend implements next. Statements are always
// prepared and their parameters bound (`?` placeholders): no SQL is ever built from request data.
//
//     auto db = aegis::sql::Database::open("sqlite:///./aegis.db");
//     auto rows = co_await db->run([&](aegis::sql::Connection& c) {
//       return c.query("SELECT id, name FROM orders WHERE user_id = ? AND total > ?", user_id, 10.0);
//     });
//
// `run` executes on the database's own worker threads (each with its connection), never on an I/O thread,
// and resumes the awaiting coroutine on its I/O thread.

#include <aegis/http/task.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace aegis::sql {

/// A blob column's value.
using Blob = std::vector<std::uint8_t>;

/// A value bound to a statement or read from a row: NULL, integer, real, text or blob.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

/// A database failure. `constraint()` is true for a violated UNIQUE/NOT NULL/FOREIGN KEY/CHECK constraint.
class SqlError : public std::runtime_error {
 public:
  SqlError(std::string what, bool constraint) : std::runtime_error(std::move(what)), constraint_(constraint) {}
  bool constraint() const noexcept { return constraint_; }

 private:
  bool constraint_;
};

namespace detail {
template <class T>
struct IsOptional : std::false_type {};
template <class U>
struct IsOptional<std::optional<U>> : std::true_type {};
}  // namespace detail

/// One result row.
class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values)
      : columns_(std::move(columns)), values_(std::move(values)) {}

  std::size_t size() const noexcept { return values_.size(); }
  const Value& operator[](std::size_t i) const { return values_.at(i); }
  /// The value of column `name`; throws std::out_of_range for an unknown column.
  const Value& at(std::string_view name) const;
  bool is_null(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }

  /// The value converted to T: an integer type, bool, double, std::string, Blob, or std::optional of one
  /// (NULL is empty). Throws SqlError when the column holds something else.
  template <class T>
  T get(std::size_t i) const {
    return convert<T>(values_.at(i), i);
  }
  template <class T>
  T get(std::string_view name) const {
    return convert<T>(at(name), column_index(name));
  }

 private:
  std::size_t column_index(std::string_view name) const;
  [[noreturn]] void type_error(std::size_t i, const char* wanted) const;

  template <class T>
  T convert(const Value& v, std::size_t i) const {
    if constexpr (detail::IsOptional<T>::value) {
      if (std::holds_alternative<std::nullptr_t>(v)) return std::nullopt;
      return convert<typename T::value_type>(v, i);
    } else if constexpr (std::is_same_v<T, bool>) {
      if (const auto* n = std::get_if<std::int64_t>(&v)) return *n != 0;
      type_error(i, "a boolean");
    } else if constexpr (std::is_integral_v<T>) {
      if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<T>(*n);
      type_error(i, "an integer");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (const auto* d = std::get_if<double>(&v)) return static_cast<T>(*d);
      if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<T>(*n);
      type_error(i, "a number");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (const auto* s = std::get_if<std::string>(&v)) return *s;
      type_error(i, "text");
    } else if constexpr (std::is_same_v<T, Blob>) {
      if (const auto* b = std::get_if<Blob>(&v)) return *b;
      type_error(i, "a blob");
    } else {
      static_assert(sizeof(T) == 0, "aegis::sql::Row::get: unsupported type");
    }
  }

  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<Value> values_;
};

namespace detail {
template <class T>
Value to_value(const T& v) {
  if constexpr (std::is_same_v<T, std::nullptr_t>) {
    return nullptr;
  } else if constexpr (std::is_same_v<T, bool>) {
    return std::int64_t{v ? 1 : 0};
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<std::int64_t>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(v);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string(std::string_view(v));
  } else if constexpr (std::is_same_v<T, Blob>) {
    return v;
  } else if constexpr (std::is_same_v<T, Value>) {
    return v;
  } else if constexpr (requires { v.has_value(); *v; }) {
    if (!v.has_value()) return nullptr;
    return to_value(*v);
  } else {
    static_assert(sizeof(T) == 0, "aegis::sql: unsupported parameter type");
  }
}
}  // namespace detail

/// A connection to the database, used by one thread at a time (the Database hands them out).
class Connection {
 public:
  virtual ~Connection() = default;

  /// Runs `sql` (one or more statements separated by ';', no parameters): schema changes, migrations.
  virtual void exec_script(std::string_view sql) = 0;
  /// Runs one statement with `params` bound to its `?` placeholders; returns its rows.
  virtual std::vector<Row> query_values(std::string_view sql, std::span<const Value> params) = 0;
  /// Runs one statement; returns the number of rows it changed.
  virtual std::int64_t execute_values(std::string_view sql, std::span<const Value> params) = 0;
  /// The rowid of the last inserted row.
  virtual std::int64_t last_insert_id() = 0;

  template <class... A>
  std::vector<Row> query(std::string_view sql, const A&... args) {
    const Value params[] = {detail::to_value(args)..., nullptr};
    return query_values(sql, std::span<const Value>(params, sizeof...(A)));
  }
  template <class... A>
  std::optional<Row> query_one(std::string_view sql, const A&... args) {
    auto rows = query(sql, args...);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
  template <class... A>
  std::int64_t execute(std::string_view sql, const A&... args) {
    const Value params[] = {detail::to_value(args)..., nullptr};
    return execute_values(sql, std::span<const Value>(params, sizeof...(A)));
  }

  /// Runs fn() inside a transaction that takes the write lock at once (no upgrade deadlock); commits when
  /// it returns, rolls back when it throws. Not re-entrant.
  template <class F>
  decltype(auto) transaction(F&& fn) {
    begin();
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        fn();
        commit();
      } else {
        decltype(auto) r = fn();
        commit();
        return r;
      }
    } catch (...) {
      rollback();
      throw;
    }
  }

 protected:
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
};

struct DatabaseOptions {
  /// Threads that run `run()` work, each with its own connection.
  unsigned threads = 4;
  /// How long a statement waits for a lock held by another connection.
  std::chrono::milliseconds busy_timeout{5000};
  /// Every commit reaches the disk before it is acknowledged (SQLite synchronous=FULL). Off trades the
  /// last commits before a power loss (not a process crash) for speed.
  bool durable = true;
};

/// A database: a URL, worker threads with their connections, and the migrations applied to it.
class Database {
 public:
  /// Opens `url`: "sqlite:///./aegis.db" (a relative path), "sqlite:////var/lib/app.db" (absolute),
  /// "sqlite::memory:". Throws std::invalid_argument for a malformed URL or an unsupported scheme, and
  /// SqlError when the database cannot be opened.
  static std::shared_ptr<Database> open(std::string_view url, DatabaseOptions options = {});
  virtual ~Database() = default;

  /// The URL it was opened with, with any password masked.
  virtual std::string url() const = 0;
  /// "sqlite" (and, later, "postgresql").
  virtual std::string_view dialect() const noexcept = 0;

  /// Runs fn(Connection&) on one of the database's threads and resumes the caller on its own executor.
  /// Exceptions propagate to the awaiting coroutine.
  template <class F>
  Task<std::invoke_result_t<F&, Connection&>> run(F fn) {
    using R = std::invoke_result_t<F&, Connection&>;
    if constexpr (std::is_void_v<R>) {
      co_await run_work([&fn](Connection& c) { fn(c); });
    } else {
      std::optional<R> result;
      co_await run_work([&fn, &result](Connection& c) { result.emplace(fn(c)); });
      co_return std::move(*result);
    }
  }

  /// Runs fn(Connection&) on the calling thread with a connection of its own (boot, command line, tests).
  template <class F>
  decltype(auto) with_connection(F&& fn) {
    return fn(calling_thread_connection());
  }

 protected:
  virtual Task<> run_work(std::function<void(Connection&)> work) = 0;
  virtual Connection& calling_thread_connection() = 0;
};

/// A versioned schema change of one component ("aegis", or a module's name).
struct Migration {
  std::string component;
  int version = 0;
  std::string name;
  std::string sql;
};

/// The migrations an app applies at boot: the framework's own and the modules'. Each component's
/// migrations run in version order, each in a transaction, and are recorded in `aegis_migrations`, so that
/// applying them again does nothing.
class Migrations {
 public:
  /// Throws std::invalid_argument for a duplicate (component, version).
  void add(Migration m);
  /// Applies what is pending; returns how many ran. Throws SqlError (naming the migration) on failure.
  int apply(Connection& c) const;
  const std::vector<Migration>& all() const noexcept { return migrations_; }

 private:
  std::vector<Migration> migrations_;
};

}  // namespace aegis::sql
