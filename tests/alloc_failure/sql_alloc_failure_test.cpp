// aegis::sql when C++ code throws between two SQLite steps (bad_alloc while a row is converted): the cached
// statement must be reset, so that the next call binds again and reads every row from the first.
//
// This suite has an executable of its own because it replaces the global operator new and delete, which
// would hide ASan's new/delete mismatch reports from every other test in the same binary.
#include <aegis/storage/sql.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>

namespace {
thread_local long allocations_before_failure = -1;  // -1: never fail

void* allocate(std::size_t size) {
  if (allocations_before_failure >= 0 && allocations_before_failure-- == 0) throw std::bad_alloc();
  for (;;) {
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_or_null(std::size_t size) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
}  // namespace

// The replacements behave as the defaults until a test arms them, and only on the arming thread.
void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate_or_null(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate_or_null(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using aegis::sql::Connection;

// While alive, the `n`th allocation on this thread from now (0: the next) throws std::bad_alloc.
class FailingAllocation {
 public:
  explicit FailingAllocation(long n) { allocations_before_failure = n; }
  ~FailingAllocation() { allocations_before_failure = -1; }
  FailingAllocation(const FailingAllocation&) = delete;
  FailingAllocation& operator=(const FailingAllocation&) = delete;
};

// How many of the connection's statements are still active (stepped and not reset), apart from the asking
// one; empty when SQLite was built without the sqlite_stmt table.
std::optional<std::int64_t> active_statements(Connection& c) {
  try {
    return c.query_one("SELECT count(*) FROM sqlite_stmt WHERE busy AND sql NOT LIKE '%sqlite_stmt%'")
        ->get<std::int64_t>(0);
  } catch (const aegis::sql::SqlError&) {
    return std::nullopt;
  }
}

TEST(SqlAllocationFailure, AnExceptionBetweenStepsLeavesTheStatementReadyForTheNextCall) {
  auto db = aegis::sql::Database::open("sqlite::memory:");
  db->with_connection([](Connection& c) {
    c.exec_script(
        "CREATE TABLE v (i INTEGER, t TEXT);"
        "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 40) "
        "INSERT INTO v (i, t) SELECT x, 'row number ' || x FROM s;");
    // Each allocation the query makes fails in turn; the next call with the same text (the cached
    // statement, or a fresh one) binds again and reads every row from the first.
    for (const bool fresh_text : {false, true}) {
      int failures = 0;
      for (long n = 0;; ++n) {
        const std::string sql =
            "SELECT i, t FROM v WHERE i > ? ORDER BY i" + (fresh_text ? " -- " + std::to_string(n) : std::string());
        bool failed = false;
        {
          const FailingAllocation fail(n);
          try {
            c.query(sql, 0);
          } catch (const std::bad_alloc&) {
            failed = true;
          }
        }
        if (!failed) break;  // n is past the query's last allocation
        ++failures;
        const auto rows = c.query(sql, 0);
        ASSERT_EQ(rows.size(), 40u) << "allocation " << n << " failed";
        EXPECT_EQ(rows.front().get<int>(0), 1);
        EXPECT_EQ(rows.back().get<std::string>(1), "row number 40");
        if (const auto active = active_statements(c)) {
          EXPECT_EQ(*active, 0) << "allocation " << n << " failed";
        }
      }
      EXPECT_GT(failures, 40) << "the allocations for the rows never failed";
    }
  });
}

}  // namespace
