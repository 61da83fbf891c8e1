// aegis::sql: opening databases by URL, binding and reading every value type, errors, transactions, the
// database threads behind run(), hostile text bound as parameters, and versioned migrations.
#include <aegis/auth/auth.hpp>
#include <aegis/storage/sql.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/run_task.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace aegis;
using aegis::test::run;
using aegis::test::TempDir;
using namespace aegis::sql;
namespace fs = std::filesystem;

// The message of the std::invalid_argument that opening `url` throws ("" when it throws nothing).
std::string open_error(const std::string& url) {
  try {
    Database::open(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// Runs a task to completion on this thread.
std::int64_t count(Connection& c, const std::string& table) {
  return c.query_one("SELECT COUNT(*) FROM " + table)->get<std::int64_t>(0);
}

bool table_exists(Connection& c, std::string_view name) {
  return c.query_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).has_value();
}

// ---- opening ------------------------------------------------------------------------------------------------

TEST(Sql, OpensAnAbsolutePathWithFourSlashes) {
  TempDir dir;
  const std::string path = dir.path() + "/abs.db";
  auto db = Database::open("sqlite:///" + path);  // "sqlite:////tmp/.../abs.db"
  EXPECT_EQ(db->url(), "sqlite:///" + path);
  EXPECT_EQ(db->dialect(), "sqlite");
  db->with_connection([](Connection& c) { c.exec_script("CREATE TABLE t (x INTEGER)"); });
  EXPECT_TRUE(fs::exists(path)) << "the database file is where the URL says";
}

TEST(Sql, OpensARelativePathWithThreeSlashesRelativeToTheWorkingDirectory) {
  TempDir dir;
  const std::string relative = fs::relative(fs::path(dir.path()) / "rel.db", fs::current_path()).string();
  ASSERT_FALSE(relative.starts_with("/"));
  auto db = Database::open("sqlite:///" + relative);
  db->with_connection([](Connection& c) { c.exec_script("CREATE TABLE t (x INTEGER)"); });
  EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "rel.db"));
}

TEST(Sql, EachInMemoryDatabaseIsOneDatabaseSharedByItsThreads) {
  auto a = Database::open("sqlite::memory:");
  auto b = Database::open("sqlite::memory:");
  a->with_connection([](Connection& c) {
    c.exec_script("CREATE TABLE t (x INTEGER)");
    c.execute("INSERT INTO t (x) VALUES (?)", 7);
  });
  // The database's own thread sees what the calling thread wrote: one database, not one per connection.
  std::int64_t seen = 0;
  run([](std::shared_ptr<Database> db, std::int64_t* out) -> Task<> {
    *out = co_await db->run([](Connection& c) { return c.query_one("SELECT x FROM t")->get<std::int64_t>(0); });
  }(a, &seen));
  EXPECT_EQ(seen, 7);
  b->with_connection([](Connection& c) { EXPECT_FALSE(table_exists(c, "t")) << "another memory database is empty"; });
}

TEST(Sql, AnInMemoryNameInAFileUrlIsOneDatabaseOrRefused) {
  // "sqlite:///:memory:" is how SQLAlchemy spells an in-memory database. SQLite reads the path ":memory:"
  // as a private database per connection: what one of the database's threads writes, the others would
  // not see (migrations applied on one thread, "no such table" on the next). It must be refused or be
  // one shared database.
  std::shared_ptr<Database> db;
  try {
    db = Database::open("sqlite:///:memory:");
  } catch (const std::invalid_argument&) {
    return;  // refused: fine
  }
  db->with_connection([](Connection& c) {
    c.exec_script("CREATE TABLE t (x INTEGER)");
    c.execute("INSERT INTO t (x) VALUES (?)", 1);
  });
  std::string seen;
  run([](std::shared_ptr<Database> db, std::string* out) -> Task<> {
    try {
      *out = std::to_string(co_await db->run([](Connection& c) { return c.query("SELECT x FROM t").size(); }));
    } catch (const std::exception& e) {
      *out = e.what();
    }
  }(db, &seen));
  EXPECT_EQ(seen, "1") << "the database thread sees another database than the calling thread";
  EXPECT_FALSE(std::filesystem::exists(":memory:")) << "a file named ':memory:' was created";
}

TEST(Sql, MalformedUrlsAreRefusedWithAClearMessage) {
  EXPECT_NE(open_error("sqlite://").find("has no path"), std::string::npos) << open_error("sqlite://");
  EXPECT_NE(open_error("sqlite:///").find("has no path"), std::string::npos);
  EXPECT_NE(open_error("sqlite://app.db").find("sqlite:///./app.db"), std::string::npos)
      << "the message shows the right form";
  EXPECT_NE(open_error("sqlite:///./app.db?mode=ro").find("options in the URL are not supported"), std::string::npos);
  EXPECT_NE(open_error("mysql://db.example/app").find("unsupported database scheme 'mysql'"), std::string::npos);
  EXPECT_NE(open_error("").find("unsupported database scheme '(none)'"), std::string::npos);
  EXPECT_NE(open_error("sqlite:memory").find("unsupported"), std::string::npos);
}

TEST(Sql, PostgresUrlsAreRecognisedButNotSupportedYet) {
  for (const char* url : {"postgresql://app@db.example/app", "postgres://app@db.example/app"}) {
    const std::string message = open_error(url);
    EXPECT_NE(message.find("PostgreSQL is not supported yet"), std::string::npos) << url << ": " << message;
  }
}

TEST(Sql, AnErrorAboutAUrlNeverShowsItsPassword) {
  // Boot errors are printed and logged: a database password in them leaks into logs.
  const std::string message = open_error("mysql://app:hunter2@db.example/app");
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(Sql, ANewDatabaseFileIsCreatedByItsFirstUseNotByOpen) {
  TempDir dir;
  const std::string path = dir.path() + "/new.db";
  auto db = Database::open("sqlite:///" + path);
  EXPECT_FALSE(fs::exists(path)) << "opening created the file (an app's --help would leave one behind)";
  db->with_connection([](Connection& c) { c.exec_script("CREATE TABLE t (x INTEGER)"); });
  EXPECT_TRUE(fs::exists(path));
  auto again = Database::open("sqlite:///" + path);
  again->with_connection([](Connection& c) { EXPECT_TRUE(c.query("SELECT x FROM t").empty()); });
}

TEST(Sql, AFileThatCannotBeOpenedIsASqlErrorAtOpen) {
  TempDir dir;
  EXPECT_THROW(Database::open("sqlite:///" + dir.path() + "/no/such/dir/app.db"), SqlError);
}

std::size_t open_file_descriptors() {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator()));
}

TEST(Sql, AFileThatIsNotADatabaseFailsAtOpenAndLeavesNothingOpen) {
  // A corrupt file fails at boot, not at the first request; and a process that retries (or a test suite)
  // does not keep a handle and a file descriptor per attempt.
  TempDir dir;
  const std::string garbage = dir.path() + "/garbage.db";
  std::ofstream(garbage) << std::string(4096, 'x');
  EXPECT_THROW(Database::open("sqlite:///" + garbage), SqlError);  // the first open may map what SQLite keeps
  const std::size_t before = open_file_descriptors();
  for (int i = 0; i < 5; ++i) {
    try {
      Database::open("sqlite:///" + garbage);
      ADD_FAILURE() << "a file that is not a database opened";
    } catch (const SqlError& e) {
      EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(open_file_descriptors(), before)
      << "each failed open left the database file open (the connection is never closed)";
}

TEST(Sql, UseDatabaseTurnsABadUrlIntoAStartupError) {
  App app;
  try {
    use_database(app, "sqlite://nowhere");
    FAIL() << "no StartupError";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open the database"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sqlite://nowhere"), std::string::npos) << e.what();
  }
}

// ---- values ---------------------------------------------------------------------------------------------------

class SqlValues : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Database::open("sqlite::memory:");
    db_->with_connection(
        [](Connection& c) { c.exec_script("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n INTEGER)"); });
  }
  template <class F>
  decltype(auto) with(F&& fn) {
    return db_->with_connection(std::forward<F>(fn));
  }
  std::shared_ptr<Database> db_;
};

TEST_F(SqlValues, EveryValueTypeRoundTrips) {
  with([](Connection& c) {
    const Blob blob{0x00, 0x01, 0x7f, 0x80, 0xff, 0x00};
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(
        c.execute("INSERT INTO v (i, r, t, b, n) VALUES (?, ?, ?, ?, ?)", big, 2.5, std::string("text"), blob, nullptr),
        1);
    const auto row = c.query_one("SELECT i, r, t, b, n FROM v");
    ASSERT_TRUE(row);
    ASSERT_EQ(row->size(), 5u);
    EXPECT_EQ(std::get<std::int64_t>((*row)[0]), big);
    EXPECT_EQ(std::get<double>((*row)[1]), 2.5);
    EXPECT_EQ(std::get<std::string>((*row)[2]), "text");
    EXPECT_EQ(std::get<Blob>((*row)[3]), blob);
    EXPECT_TRUE(row->is_null(4));
    EXPECT_EQ(row->get<std::int64_t>("i"), big);
    EXPECT_EQ(row->get<double>("r"), 2.5);
    EXPECT_EQ(row->get<std::string>("t"), "text");
    EXPECT_EQ(row->get<Blob>("b"), blob);
  });
}

TEST_F(SqlValues, ParametersOfEveryCppTypeBindAsTheirSqlType) {
  with([](Connection& c) {
    const char* literal = "c string";
    const std::string_view view = "a view";
    c.execute("INSERT INTO v (i, r, t) VALUES (?, ?, ?)", 42, 1.5f, literal);
    c.execute("INSERT INTO v (i, r, t) VALUES (?, ?, ?)", true, -0.25, view);
    c.execute("INSERT INTO v (i, t) VALUES (?, ?)", std::uint16_t{65535}, Value(std::string("a variant")));
    const auto rows = c.query("SELECT i, r, t, typeof(i), typeof(r), typeof(t) FROM v ORDER BY rowid");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].get<int>(0), 42);
    EXPECT_EQ(rows[0].get<double>(1), 1.5);
    EXPECT_EQ(rows[0].get<std::string>(2), "c string");
    EXPECT_EQ(rows[0].get<std::string>(3), "integer");
    EXPECT_EQ(rows[0].get<std::string>(4), "real");
    EXPECT_EQ(rows[0].get<std::string>(5), "text");
    EXPECT_EQ(rows[1].get<std::int64_t>(0), 1) << "true is stored as 1";
    EXPECT_TRUE(rows[1].get<bool>(0));
    EXPECT_EQ(rows[1].get<std::string>(2), "a view");
    EXPECT_EQ(rows[2].get<int>(0), 65535);
    EXPECT_EQ(rows[2].get<std::string>(2), "a variant");
  });
}

TEST_F(SqlValues, OptionalsBindAsNullWhenEmptyAndReadBackAsEmpty) {
  with([](Connection& c) {
    const std::optional<int> none;
    const std::optional<std::string> some_text = "here";
    c.execute("INSERT INTO v (i, t) VALUES (?, ?)", none, some_text);
    c.execute("INSERT INTO v (i, t) VALUES (?, ?)", std::optional<int>(5), std::optional<std::string>());
    const auto rows = c.query("SELECT i, t FROM v ORDER BY rowid");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_TRUE(rows[0].is_null(0));
    EXPECT_EQ(rows[0].get<std::optional<int>>(0), std::nullopt);
    EXPECT_EQ(rows[0].get<std::optional<std::string>>(1), "here");
    EXPECT_EQ(rows[1].get<std::optional<int>>("i"), 5);
    EXPECT_EQ(rows[1].get<std::optional<std::string>>("t"), std::nullopt);
    // NULL compares as unknown: `= NULL` finds nothing, IS NULL finds the row.
    EXPECT_TRUE(c.query("SELECT 1 FROM v WHERE i = ?", nullptr).empty());
    EXPECT_EQ(c.query("SELECT 1 FROM v WHERE i IS ?", nullptr).size(), 1u);
  });
}

TEST_F(SqlValues, EmptyTextAndAnEmptyBlobAreValuesNotNull) {
  with([](Connection& c) {
    c.execute("INSERT INTO v (t, b) VALUES (?, ?)", std::string(), Blob{});
    const auto row = c.query_one("SELECT t, b, typeof(t), typeof(b) FROM v");
    ASSERT_TRUE(row);
    EXPECT_EQ(row->get<std::string>(2), "text");
    EXPECT_EQ(row->get<std::string>(0), "");
    EXPECT_EQ(row->get<std::string>(3), "blob") << "an empty Blob was stored as NULL";
    EXPECT_FALSE(row->is_null(1));
  });
}

TEST_F(SqlValues, ReadingAColumnAsTheWrongTypeIsASqlErrorNamingTheColumn) {
  with([](Connection& c) {
    c.execute("INSERT INTO v (i, r, t, b) VALUES (?, ?, ?, ?)", 1, 2.5, "words", Blob{1});
    const auto row = *c.query_one("SELECT i, r, t, b, n FROM v");
    EXPECT_THROW(row.get<std::string>(0), SqlError);
    EXPECT_THROW(row.get<int>("r"), SqlError);
    EXPECT_THROW(row.get<bool>("t"), SqlError);
    EXPECT_THROW(row.get<double>("t"), SqlError);
    EXPECT_THROW(row.get<Blob>("t"), SqlError);
    EXPECT_THROW(row.get<std::string>("b"), SqlError);
    EXPECT_THROW(row.get<int>("n"), SqlError) << "NULL is not an integer; ask for std::optional<int>";
    EXPECT_THROW(row.get<std::optional<int>>("t"), SqlError);
    EXPECT_EQ(row.get<double>("i"), 1.0) << "an integer reads as a number";
    try {
      (void)row.get<int>("t");
      FAIL();
    } catch (const SqlError& e) {
      EXPECT_EQ(std::string(e.what()), "column 't' does not hold an integer");
      EXPECT_FALSE(e.constraint());
    }
    EXPECT_THROW((void)row.at("missing"), std::out_of_range);
    EXPECT_THROW((void)row.get<int>("missing"), std::out_of_range);
    EXPECT_THROW((void)row[5], std::out_of_range);
  });
}

TEST_F(SqlValues, ConstraintViolationsAreFlaggedAndOtherErrorsAreNot) {
  with([](Connection& c) {
    c.exec_script("CREATE TABLE u (name TEXT NOT NULL UNIQUE)");
    c.execute("INSERT INTO u (name) VALUES (?)", "alice");
    try {
      c.execute("INSERT INTO u (name) VALUES (?)", "alice");
      FAIL() << "a duplicate was inserted";
    } catch (const SqlError& e) {
      EXPECT_TRUE(e.constraint()) << e.what();
      EXPECT_NE(std::string(e.what()).find("UNIQUE"), std::string::npos) << e.what();
    }
    try {
      c.execute("INSERT INTO u (name) VALUES (?)", nullptr);
      FAIL();
    } catch (const SqlError& e) {
      EXPECT_TRUE(e.constraint()) << e.what();
    }
    try {
      c.query("SELECT nope FROM u");
      FAIL();
    } catch (const SqlError& e) {
      EXPECT_FALSE(e.constraint());
      EXPECT_NE(std::string(e.what()).find("no such column"), std::string::npos) << e.what();
    }
    // The connection is still usable after the failures.
    EXPECT_EQ(count(c, "u"), 1);
  });
}

TEST_F(SqlValues, AParameterCountMismatchThrowsAndBindsNothing) {
  with([](Connection& c) {
    try {
      c.execute("INSERT INTO v (i, t) VALUES (?, ?)", 1);
      FAIL();
    } catch (const SqlError& e) {
      EXPECT_NE(std::string(e.what()).find("takes 2 parameters, 1 given"), std::string::npos) << e.what();
    }
    EXPECT_THROW(c.query("SELECT ?", 1, 2), SqlError);
    EXPECT_THROW(c.query("SELECT 1 FROM v WHERE i = ?"), SqlError);
    EXPECT_EQ(count(c, "v"), 0);
    // The same statement with the right parameters works afterwards (it is prepared once and reused).
    EXPECT_EQ(c.execute("INSERT INTO v (i, t) VALUES (?, ?)", 1, "one"), 1);
  });
}

TEST_F(SqlValues, ExecuteCountsChangedRowsAndLastInsertIdIsTheNewRow) {
  with([](Connection& c) {
    c.exec_script("CREATE TABLE k (id INTEGER PRIMARY KEY, x INTEGER)");
    c.execute("INSERT INTO k (x) VALUES (?)", 1);
    const std::int64_t first = c.last_insert_id();
    c.execute("INSERT INTO k (x) VALUES (?)", 1);
    EXPECT_EQ(c.last_insert_id(), first + 1);
    EXPECT_EQ(c.execute("UPDATE k SET x = ? WHERE x = ?", 2, 1), 2);
    EXPECT_EQ(c.execute("DELETE FROM k WHERE id = ?", 999), 0);
    EXPECT_EQ(c.query_one("SELECT x FROM k WHERE id = ?", 999), std::nullopt);
  });
}

TEST_F(SqlValues, HostileTextBoundAsAParameterIsStoredExactlyAndNeverRuns) {
  const std::vector<std::string> hostile = {
      "'; DROP TABLE v; --",
      "Robert'); DROP TABLE v;--",
      "\" OR \"\"=\"",
      "' OR '1'='1",
      "?; ?; ?",
      "back\\slash and 'single' and \"double\" quotes",
      "%_ like wildcards",
      "unicode: h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x9A\x80",
      "line\nbreaks\r\tand tabs",
  };
  with([&](Connection& c) {
    for (const auto& s : hostile) c.execute("INSERT INTO v (t) VALUES (?)", s);
    EXPECT_TRUE(table_exists(c, "v"));
    const auto rows = c.query("SELECT t FROM v ORDER BY rowid");
    ASSERT_EQ(rows.size(), hostile.size());
    for (std::size_t i = 0; i < hostile.size(); ++i) EXPECT_EQ(rows[i].get<std::string>(0), hostile[i]);
    // A hostile value in a WHERE clause matches only itself.
    for (const auto& s : hostile) {
      EXPECT_EQ(c.query("SELECT t FROM v WHERE t = ?", s).size(), 1u) << s;
    }
    EXPECT_TRUE(c.query("SELECT t FROM v WHERE t = ?", "' OR 1=1 --").empty());
  });
}

// ---- statements and the statement cache ----------------------------------------------------------------------

// How many prepared statements the connection holds (those with text `sql` only, when given), from SQLite's
// sqlite_stmt table; empty when SQLite was built without it (SQLITE_ENABLE_STMTVTAB).
std::optional<std::int64_t> prepared_statements(Connection& c, std::optional<std::string> sql = std::nullopt) {
  try {
    if (sql) return c.query_one("SELECT count(*) FROM sqlite_stmt WHERE sql = ?", *sql)->get<std::int64_t>(0);
    return c.query_one("SELECT count(*) FROM sqlite_stmt")->get<std::int64_t>(0);
  } catch (const SqlError&) {
    return std::nullopt;
  }
}

TEST_F(SqlValues, EmptyOrCommentOnlySqlIsASqlErrorNotACrash) {
  with([](Connection& c) {
    for (const std::string sql : {"", "  ", "-- x", "/* x */", ";", " ; -- only a comment\n"}) {
      try {
        c.query(sql);
        FAIL() << "query ran '" << sql << "'";
      } catch (const SqlError& e) {
        EXPECT_NE(std::string(e.what()).find("holds no SQL statement"), std::string::npos) << e.what();
        EXPECT_FALSE(e.constraint());
      }
      EXPECT_THROW(c.execute(sql), SqlError) << "'" << sql << "'";
      EXPECT_THROW(c.query(sql, 1), SqlError) << "'" << sql << "'";
    }
    EXPECT_THROW(c.query(std::string_view()), SqlError);
    EXPECT_EQ(count(c, "v"), 0);  // the connection is still usable
  });
}

TEST_F(SqlValues, QueryAndExecuteRefuseASecondStatementAndRunNothing) {
  with([](Connection& c) {
    try {
      c.query("SELECT 1; DROP TABLE v");
      FAIL() << "the query ran";
    } catch (const SqlError& e) {
      EXPECT_NE(std::string(e.what()).find("only one statement is allowed"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("SELECT 1; DROP TABLE v"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(table_exists(c, "v"));
    EXPECT_THROW(c.execute("INSERT INTO v (i) VALUES (?); INSERT INTO v (i) VALUES (2)", 1), SqlError);
    EXPECT_THROW(c.execute("INSERT INTO v (i) VALUES (1);\n-- and\nDELETE FROM v"), SqlError);
    EXPECT_THROW(c.query("SELECT 1 /* a */; SELECT 2"), SqlError);
    EXPECT_EQ(count(c, "v"), 0);
    // Semicolons, whitespace and comments after the statement are not a second one, nor is a ';' in a string.
    EXPECT_EQ(c.query_one("SELECT 1;")->get<int>(0), 1);
    EXPECT_EQ(c.query_one("SELECT 2; ;\n")->get<int>(0), 2);
    EXPECT_EQ(c.query_one("SELECT 3; -- three\n/* done */ ;")->get<int>(0), 3);
    EXPECT_EQ(c.query_one("SELECT 4 -- four")->get<int>(0), 4);
    EXPECT_EQ(c.query_one("SELECT ? || '; DROP TABLE v'", "x")->get<std::string>(0), "x; DROP TABLE v");
    EXPECT_EQ(c.execute("INSERT INTO v (i) VALUES (?);", 1), 1);
    EXPECT_EQ(count(c, "v"), 1);
    // Scripts (migrations) still run several statements.
    c.exec_script("CREATE TABLE s (x INTEGER); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2);");
    EXPECT_EQ(count(c, "s"), 2);
  });
}

TEST_F(SqlValues, AnSqlErrorWhileReadingRowsLeavesTheStatementReadyForTheNextCall) {
  with([](Connection& c) {
    c.exec_script(
        "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 40) "
        "INSERT INTO v (i, t) SELECT x, 'row number ' || x FROM s");
    // An SQL error on the third row.
    const std::string overflow = "SELECT CASE WHEN i = ? THEN abs(-9223372036854775807 - 1) ELSE i END FROM v";
    EXPECT_THROW(c.query(overflow, 3), SqlError);
    EXPECT_EQ(c.query(overflow, 0).size(), 40u);
    // (A C++ exception between two steps, such as bad_alloc, is tested in tests/alloc_failure.)
  });
}

TEST_F(SqlValues, ThePreparedStatementCacheIsBoundedAndKeepsWhatIsUsed) {
  with([](Connection& c) {
    const std::string hot = "SELECT ? * 2";
    for (int k = 0; k < 300; ++k) {
      ASSERT_EQ(c.query_one("SELECT ? + " + std::to_string(k), 1000)->get<int>(0), 1000 + k);
      ASSERT_EQ(c.execute("INSERT INTO v (i) VALUES (? + " + std::to_string(k) + ")", 0), 1);
      ASSERT_EQ(c.query_one(hot, k)->get<int>(0), 2 * k);
    }
    EXPECT_EQ(count(c, "v"), 300);
    EXPECT_EQ(c.query_one("SELECT sum(i) FROM v")->get<int>(0), 299 * 300 / 2);
    // Texts that were evicted are prepared again and give the right answers.
    for (int k = 0; k < 10; ++k) EXPECT_EQ(c.query_one("SELECT ? + " + std::to_string(k), 5)->get<int>(0), 5 + k);
    const auto total = prepared_statements(c);
    if (!total) GTEST_SKIP() << "this SQLite has no sqlite_stmt table to count the statements";
    EXPECT_LE(*total, 128);
    EXPECT_EQ(prepared_statements(c, hot), 1) << "the statement used on every round was evicted";
    EXPECT_EQ(prepared_statements(c, "SELECT ? + 20"), 0) << "a statement unused since round 20 was kept";
  });
}

// ---- transactions ---------------------------------------------------------------------------------------------

TEST_F(SqlValues, ATransactionCommitsWhenItsFunctionReturns) {
  with([](Connection& c) {
    const int r = c.transaction([&] {
      c.execute("INSERT INTO v (i) VALUES (?)", 1);
      c.execute("INSERT INTO v (i) VALUES (?)", 2);
      return 7;
    });
    EXPECT_EQ(r, 7);
    EXPECT_EQ(count(c, "v"), 2);
  });
}

TEST_F(SqlValues, ATransactionRollsBackEverythingWhenItsFunctionThrows) {
  with([](Connection& c) {
    c.execute("INSERT INTO v (i) VALUES (?)", 0);
    EXPECT_THROW(c.transaction([&] {
      c.execute("INSERT INTO v (i) VALUES (?)", 1);
      c.execute("UPDATE v SET i = 100");
      throw std::runtime_error("changed my mind");
    }),
                 std::runtime_error);
    EXPECT_EQ(count(c, "v"), 1);
    EXPECT_EQ(c.query_one("SELECT i FROM v")->get<int>(0), 0);
    // A failing statement inside rolls back the statements before it, and the connection can start another.
    EXPECT_THROW(c.transaction([&] {
      c.execute("INSERT INTO v (i) VALUES (?)", 2);
      c.execute("INSERT INTO missing_table (i) VALUES (?)", 3);
    }),
                 SqlError);
    EXPECT_EQ(count(c, "v"), 1);
    c.transaction([&] { c.execute("INSERT INTO v (i) VALUES (?)", 4); });
    EXPECT_EQ(count(c, "v"), 2);
  });
}

TEST(Sql, ACommittedTransactionIsSeenByTheDatabasesOtherConnections) {
  TempDir dir;
  auto db = Database::open("sqlite:///" + dir.path() + "/tx.db");
  db->with_connection([](Connection& c) {
    c.exec_script("CREATE TABLE t (x INTEGER)");
    EXPECT_THROW(c.transaction([&] {
      c.execute("INSERT INTO t (x) VALUES (?)", 1);
      throw std::runtime_error("no");
    }),
                 std::runtime_error);
    c.transaction([&] { c.execute("INSERT INTO t (x) VALUES (?)", 2); });
  });
  std::vector<std::int64_t> seen;
  run([](std::shared_ptr<Database> db, std::vector<std::int64_t>* out) -> Task<> {
    *out = co_await db->run([](Connection& c) {
      std::vector<std::int64_t> xs;
      for (const auto& r : c.query("SELECT x FROM t")) xs.push_back(r.get<std::int64_t>(0));
      return xs;
    });
  }(db, &seen));
  EXPECT_EQ(seen, std::vector<std::int64_t>{2});
}

// ---- run() and threads ----------------------------------------------------------------------------------------

TEST(Sql, RunExecutesOnADatabaseThreadAndResumesOnTheCallersExecutor) {
  auto db = Database::open("sqlite::memory:");
  boost::asio::io_context io;
  std::thread::id io_thread, worker, resumed;
  bool on_io_executor = false;
  std::exception_ptr error;
  boost::asio::co_spawn(
      io,
      [&]() -> Task<> {
        io_thread = std::this_thread::get_id();
        worker = co_await db->run([](Connection& c) {
          c.query("SELECT 1");
          return std::this_thread::get_id();
        });
        resumed = std::this_thread::get_id();
        on_io_executor = io.get_executor().running_in_this_thread();
      },
      [&](std::exception_ptr e) { error = e; });
  // The I/O loop runs on a thread of its own, as a server's does.
  std::thread loop([&] { io.run(); });
  loop.join();
  if (error) std::rethrow_exception(error);
  EXPECT_NE(worker, io_thread) << "the statement ran on the I/O thread";
  EXPECT_NE(worker, std::thread::id());
  EXPECT_EQ(resumed, io_thread) << "the coroutine did not come back to its I/O thread";
  EXPECT_TRUE(on_io_executor);
}

TEST(Sql, RunPropagatesExceptionsToTheAwaitingCoroutine) {
  auto db = Database::open("sqlite::memory:");
  bool caught = false;
  run([](std::shared_ptr<Database> db, bool* caught) -> Task<> {
    try {
      co_await db->run([](Connection& c) { c.query("SELECT * FROM nowhere"); });
    } catch (const SqlError& e) {
      *caught = std::string(e.what()).find("no such table") != std::string::npos;
    }
    // The database thread is fine afterwards.
    const int one = co_await db->run([](Connection& c) { return c.query_one("SELECT 1")->get<int>(0); });
    if (one != 1) *caught = false;
  }(db, &caught));
  EXPECT_TRUE(caught);
}

Task<> writer(std::shared_ptr<Database> db, int id, int rows, std::atomic<int>* done) {
  for (int i = 0; i < rows; ++i) {
    co_await db->run([id, i](Connection& c) {
      c.transaction([&] {
        c.execute("INSERT INTO log (writer, n) VALUES (?, ?)", id, i);
        c.execute("UPDATE counter SET n = n + 1");
      });
    });
  }
  const auto mine = co_await db->run(
      [id](Connection& c) { return c.query_one("SELECT COUNT(*) FROM log WHERE writer = ?", id)->get<int>(0); });
  if (mine == rows) done->fetch_add(1);
}

TEST(Sql, ManyCoroutinesRunConcurrentlyAgainstAFileDatabaseAndEveryWriteLands) {
  TempDir dir;
  // Commits without an fsync each (durable off) keep the test fast; the locking is the same.
  auto db = Database::open("sqlite:///" + dir.path() + "/busy.db", {.threads = 4, .durable = false});
  db->with_connection([](Connection& c) {
    c.exec_script(
        "CREATE TABLE log (writer INTEGER, n INTEGER); CREATE TABLE counter (n INTEGER);"
        "INSERT INTO counter VALUES (0)");
    EXPECT_EQ(c.query_one("PRAGMA journal_mode")->get<std::string>(0), "wal");
  });
  constexpr int kWriters = 48;
  constexpr int kRows = 5;
  boost::asio::io_context io;
  std::atomic<int> done{0};
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    boost::asio::co_spawn(io, writer(db, w, kRows, &done), [&](std::exception_ptr e) {
      if (e) failures.fetch_add(1);
    });
  }
  std::thread second([&] { io.run(); });  // two I/O threads, as a server with two workers
  io.run();
  second.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(done.load(), kWriters);
  db->with_connection([&](Connection& c) {
    EXPECT_EQ(count(c, "log"), kWriters * kRows);
    EXPECT_EQ(c.query_one("SELECT n FROM counter")->get<int>(0), kWriters * kRows) << "an increment was lost";
  });
}

// ---- migrations -----------------------------------------------------------------------------------------------

std::vector<std::string> applied(Connection& c) {
  std::vector<std::string> out;
  for (const auto& r : c.query("SELECT component, version, name FROM aegis_migrations ORDER BY rowid")) {
    out.push_back(r.get<std::string>(0) + " " + std::to_string(r.get<int>(1)) + " " + r.get<std::string>(2));
  }
  return out;
}

TEST(Migrations, RunInVersionOrderPerComponentAndAreRecorded) {
  auto db = Database::open("sqlite::memory:");
  Migrations m;
  // Registered out of order: version 2 needs the table version 1 creates.
  m.add({"orders", 2, "add total", "ALTER TABLE orders ADD COLUMN total REAL NOT NULL DEFAULT 0"});
  m.add({"orders", 1, "create orders", "CREATE TABLE orders (id INTEGER PRIMARY KEY)"});
  m.add({"billing", 1, "create invoices",
         "CREATE TABLE invoices (id INTEGER PRIMARY KEY); "
         "CREATE INDEX invoices_id ON invoices(id)"});
  EXPECT_EQ(m.all().size(), 3u);
  db->with_connection([&](Connection& c) {
    EXPECT_EQ(m.apply(c), 3);
    EXPECT_EQ(applied(c),
              (std::vector<std::string>{"billing 1 create invoices", "orders 1 create orders", "orders 2 add total"}));
    c.execute("INSERT INTO orders (total) VALUES (?)", 9.5);
    EXPECT_TRUE(c.query_one("SELECT applied_at FROM aegis_migrations")->get<std::string>(0).ends_with("Z"));
  });
}

TEST(Migrations, ApplyingAgainDoesNothingAndOnlyNewOnesRun) {
  TempDir dir;
  const std::string url = "sqlite:///" + dir.path() + "/m.db";
  Migrations m;
  m.add({"app", 1, "create t", "CREATE TABLE t (x INTEGER)"});
  {
    auto db = Database::open(url);
    db->with_connection([&](Connection& c) {
      EXPECT_EQ(m.apply(c), 1);
      EXPECT_EQ(m.apply(c), 0) << "a second apply re-ran a migration";
    });
  }
  // A restart against the same file: nothing to do, then a newly registered migration runs alone.
  auto db = Database::open(url);
  db->with_connection([&](Connection& c) {
    EXPECT_EQ(m.apply(c), 0);
    m.add({"app", 2, "add y", "ALTER TABLE t ADD COLUMN y TEXT"});
    EXPECT_EQ(m.apply(c), 1);
    EXPECT_EQ(m.apply(c), 0);
    EXPECT_EQ(applied(c), (std::vector<std::string>{"app 1 create t", "app 2 add y"}));
  });
}

TEST(Migrations, AFailingMigrationRollsBackAndItsErrorNamesIt) {
  auto db = Database::open("sqlite::memory:");
  Migrations m;
  m.add({"shop", 1, "create items", "CREATE TABLE items (id INTEGER PRIMARY KEY)"});
  m.add({"shop", 2, "half done", "CREATE TABLE half (x INTEGER); INSERT INTO missing_table VALUES (1)"});
  m.add({"shop", 3, "after", "CREATE TABLE after_it (x INTEGER)"});
  db->with_connection([&](Connection& c) {
    try {
      m.apply(c);
      FAIL() << "the broken migration applied";
    } catch (const SqlError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("migration shop 2 (half done) failed"), std::string::npos) << what;
      EXPECT_NE(what.find("missing_table"), std::string::npos) << what;
    }
    EXPECT_TRUE(table_exists(c, "items")) << "the migration before it stays applied";
    EXPECT_FALSE(table_exists(c, "half")) << "the failing migration's first statement was not rolled back";
    EXPECT_FALSE(table_exists(c, "after_it")) << "a migration after the failure ran";
    EXPECT_EQ(applied(c), std::vector<std::string>{"shop 1 create items"});
  });
}

TEST(Migrations, RegisteringAComponentVersionTwiceThrows) {
  Migrations m;
  m.add({"orders", 1, "create", "CREATE TABLE a (x INTEGER)"});
  m.add({"users", 1, "create", "CREATE TABLE b (x INTEGER)"});  // another component may reuse the number
  try {
    m.add({"orders", 1, "create again", "CREATE TABLE c (x INTEGER)"});
    FAIL() << "the duplicate was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "migration orders 1 is registered twice ('create' and 'create again')");
  }
  EXPECT_EQ(m.all().size(), 2u);
}

TEST(Migrations, UseDatabaseAppliesThemWhenTheAppStarts) {
  TempDir dir;
  App app;
  use_database(app, "sqlite:///" + dir.path() + "/app.db");
  migrations(app).add({"shop", 1, "create items", "CREATE TABLE items (id INTEGER PRIMARY KEY)"});
  auto& db = app.state().get<Database>();
  db.with_connection([](Connection& c) { EXPECT_FALSE(table_exists(c, "items")) << "applied before the start"; });
  app.freeze();
  run(app.start());
  db.with_connection([](Connection& c) {
    EXPECT_TRUE(table_exists(c, "items"));
    EXPECT_EQ(applied(c), std::vector<std::string>{"shop 1 create items"});
  });
}

}  // namespace
