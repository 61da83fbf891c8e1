// Nothing acknowledged is lost: the example app is killed with SIGKILL while clients are placing orders,
// restarted on the same database file, and every order it answered 201 for is there, whole.
#include <aegis/storage/sql.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "integration/example_process.hpp"
#include "support/raw_client.hpp"

namespace {

using aegis::test::ExampleProcess;
using aegis::test::HttpReply;
using aegis::test::RawClient;
namespace json = boost::json;

std::string request(std::string_view method, std::string_view path, std::string_view headers, std::string_view body = {}) {
  std::string r;
  r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  if (!body.empty()) {
    r.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  r.append(headers).append("\r\n").append(body);
  return r;
}

// "aegis_session=abc; Path=/; ..." -> "aegis_session=abc" for the Set-Cookie named `name`.
std::string cookie_from(const HttpReply& reply, std::string_view name) {
  for (const auto& [k, v] : reply.headers) {
    if (k.size() == 10 && (k == "Set-Cookie" || k == "set-cookie") && v.starts_with(std::string(name) + "=")) {
      return v.substr(0, v.find(';'));
    }
  }
  return {};
}

// Logs in as `user` and returns a bearer token made for the test.
std::string bearer_token(std::uint16_t port, const std::string& user, const std::string& password) {
  RawClient c(port);
  auto login = c.roundtrip(request("POST", "/api/auth/login", "",
                                   R"({"username":")" + user + R"(","password":")" + password + R"("})"));
  EXPECT_EQ(login.status, 200) << login.body;
  const std::string session = cookie_from(login, "aegis_session");
  const std::string csrf(json::parse(login.body).at("csrf_token").as_string());
  auto created = c.roundtrip(request("POST", "/api/auth/tokens",
                                     "Cookie: " + session + "\r\nX-CSRF-Token: " + csrf + "\r\n", R"({"name":"test"})"));
  EXPECT_EQ(created.status, 201) << created.body;
  return json::parse(created.body).at("token").as_string().c_str();
}

// The example's stock: an order is taken whole or not at all, and what stored orders took stays taken
// after a restart.
TEST(ExampleOrders, ARejectedOrderTakesNoStockAndTakenStockSurvivesARestart) {
  aegis::test::TempDir dir;
  const std::map<std::string, std::string> env{{"AEGIS_DATABASE_URL", "sqlite:///" + dir.path() + "/app.db"}};
  auto [code, printed] = aegis::test::run_example(
      {"users", "create-admin", "--username", "buyer", "--password-stdin"}, env, "buyer-password\n");
  ASSERT_EQ(code, 0) << printed;
  auto ink = [](RawClient& c) {
    auto r = c.roundtrip(request("GET", "/api/products/ink", ""));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto p = json::parse(r.body);
    return std::pair{p.at("stock").as_int64(), p.at("sold").as_int64()};
  };
  std::int64_t initial = 0;
  {
    ExampleProcess app(env);
    const std::string auth = "Authorization: Bearer " + bearer_token(app.port(), "buyer", "buyer-password") + "\r\n";
    RawClient c(app.port());
    initial = ink(c).first;
    ASSERT_GT(initial, 60);
    auto place = [&](std::string_view body) { return c.roundtrip(request("POST", "/api/orders", auth, body)); };
    const auto unknown = place(R"({"lines":[{"sku":"ink","quantity":50},{"sku":"nope","quantity":1}]})");
    EXPECT_EQ(unknown.status, 422) << unknown.body;
    // In the shape the route documents (HTTPValidationError), naming the line.
    EXPECT_EQ(unknown.body, R"({"detail":[{"type":"value_error","loc":["body","lines",1,"sku"],)"
                            R"("msg":"Value error, no product 'nope'","input":"nope"}]})");
    EXPECT_NE(place(R"({"lines":[]})").body.find(R"("type":"too_short","loc":["body","lines"])"), std::string::npos);
    const auto short_of = place(R"({"lines":[{"sku":"ink","quantity":50},{"sku":"pad","quantity":100000}]})");
    EXPECT_EQ(short_of.status, 409) << short_of.body;
    EXPECT_NE(short_of.body.find("'pad'"), std::string::npos) << short_of.body;
    const auto twice = place(R"({"lines":[{"sku":"ink","quantity":)" + std::to_string(initial) +
                             R"(},{"sku":"ink","quantity":1}]})");
    EXPECT_EQ(twice.status, 409) << "two lines of one SKU count together: " << twice.body;
    for (const char* q : {"0", "-5"}) {
      const auto bad = place(std::string(R"({"lines":[{"sku":"ink","quantity":)") + q + "}]}");
      EXPECT_EQ(bad.status, 422) << q << ": " << bad.body;
      EXPECT_NE(bad.body.find("greater_than_equal"), std::string::npos) << bad.body;
    }
    EXPECT_EQ(ink(c), std::pair(initial, std::int64_t{0})) << "a rejected order took stock";

    const auto placed = place(R"({"lines":[{"sku":"ink","quantity":50},{"sku":"ink","quantity":10}]})");
    ASSERT_EQ(placed.status, 201) << placed.body;
    EXPECT_EQ(ink(c), std::pair(initial - 60, std::int64_t{60}));
  }
  ExampleProcess again(env);
  RawClient c(again.port());
  EXPECT_EQ(ink(c), std::pair(initial - 60, std::int64_t{60})) << "the restart gave back stock an order took";
}

// A customer sees their own orders only; staff (orders.edit, here the admin's "*") see every user's.
// Totals are exact to the cent. Ingesting data and the orders page need a signed-in user.
TEST(ExampleOrders, CustomersSeeTheirOwnOrdersOnly) {
  aegis::test::TempDir dir;
  const std::map<std::string, std::string> env{{"AEGIS_DATABASE_URL", "sqlite:///" + dir.path() + "/app.db"}};
  for (const char* user : {"ann", "bob"}) {
    auto [code, printed] = aegis::test::run_example(
        {"users", "create", "--username", user, "--role", "customer", "--password-stdin"}, env, "customer-password\n");
    ASSERT_EQ(code, 0) << printed;
  }
  auto [code, printed] = aegis::test::run_example(
      {"users", "create-admin", "--username", "boss", "--password-stdin"}, env, "boss-password\n");
  ASSERT_EQ(code, 0) << printed;
  ExampleProcess app(env);
  const std::string ann = "Authorization: Bearer " + bearer_token(app.port(), "ann", "customer-password") + "\r\n";
  const std::string bob = "Authorization: Bearer " + bearer_token(app.port(), "bob", "customer-password") + "\r\n";
  const std::string boss = "Authorization: Bearer " + bearer_token(app.port(), "boss", "boss-password") + "\r\n";
  RawClient c(app.port());
  const auto placed = c.roundtrip(request("POST", "/api/orders", ann, R"({"lines":[{"sku":"pad","quantity":3}]})"));
  ASSERT_EQ(placed.status, 201) << placed.body;
  const auto order = json::parse(placed.body);
  EXPECT_NE(placed.body.find(R"("total":9.6,)"), std::string::npos) << "3 x 3.20: " << placed.body;
  const std::string path = "/api/orders/" + std::to_string(order.at("id").as_int64());

  EXPECT_EQ(c.roundtrip(request("GET", path, ann)).status, 200);
  EXPECT_EQ(c.roundtrip(request("GET", path, bob)).status, 404) << "another customer read ann's order";
  EXPECT_EQ(c.roundtrip(request("GET", path, boss)).status, 200);
  EXPECT_EQ(json::parse(c.roundtrip(request("GET", "/api/orders", bob)).body).as_array().size(), 0u);
  EXPECT_EQ(json::parse(c.roundtrip(request("GET", "/api/orders", ann)).body).as_array().size(), 1u);
  EXPECT_EQ(json::parse(c.roundtrip(request("GET", "/api/orders", boss)).body).as_array().size(), 1u);

  EXPECT_EQ(c.roundtrip(request("POST", "/api/data/ingest", "")).status, 401);
  EXPECT_EQ(c.roundtrip(request("POST", "/api/data/ingest", ann)).status, 403);
  EXPECT_EQ(c.roundtrip(request("POST", "/api/data/ingest", boss)).status, 202);
  EXPECT_EQ(c.roundtrip(request("GET", "/orders", "")).status, 401);
  EXPECT_EQ(c.roundtrip(request("GET", "/orders", ann)).status, 200);
}

// The orders settings are checked at boot: a page size of 0 (every page empty) or -1 (no limit at all in
// SQLite), a line limit below 1 or a currency that is not a code stop it, naming the variable.
TEST(ExampleOrders, OutOfRangeSettingsStopTheBoot) {
  for (const auto& [variable, value] : std::vector<std::pair<std::string, std::string>>{
           {"AEGIS_ORDERS_PAGE_SIZE", "0"}, {"AEGIS_ORDERS_PAGE_SIZE", "-1"}, {"AEGIS_ORDERS_MAX_LINES", "-1"},
           {"AEGIS_ORDERS_CURRENCY", ""}, {"AEGIS_USERS_PAGE_SIZE", "0"}}) {
    const auto [code, printed] =
        aegis::test::run_example({"routes"}, {{"AEGIS_DATABASE_URL", "sqlite::memory:"}, {variable, value}});
    EXPECT_EQ(code, 1) << variable << "=" << value << ": " << printed;
    EXPECT_NE(printed.find(variable), std::string::npos) << printed;
  }
}

TEST(Durability, EveryAcknowledgedOrderSurvivesKillNine) {
  aegis::test::TempDir dir;
  const std::string db_path = dir.path() + "/app.db";
  const std::map<std::string, std::string> env{{"AEGIS_DATABASE_URL", "sqlite:///" + db_path}};
  auto [code, printed] = aegis::test::run_example(
      {"users", "create-admin", "--username", "durable", "--password-stdin"}, env, "durable-password\n");
  ASSERT_EQ(code, 0) << printed;

  std::string token;
  std::mutex acked_mutex;
  std::set<std::int64_t> acked;
  std::atomic<int> writers_cut_off{0};
  {
    ExampleProcess app(env);
    RawClient c(app.port());
    auto login = c.roundtrip(request("POST", "/api/auth/login", "",
                                     R"({"username":"durable","password":"durable-password"})"));
    ASSERT_EQ(login.status, 200) << login.body;
    const std::string session = cookie_from(login, "aegis_session");
    ASSERT_FALSE(session.empty());
    const std::string csrf(json::parse(login.body).at("csrf_token").as_string());
    auto created = c.roundtrip(request("POST", "/api/auth/tokens",
                                       "Cookie: " + session + "\r\nX-CSRF-Token: " + csrf + "\r\n", R"({"name":"writer"})"));
    ASSERT_EQ(created.status, 201) << created.body;
    token = json::parse(created.body).at("token").as_string().c_str();

    // Four clients place two-line orders as fast as the server acknowledges them.
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, port = app.port()] {
        try {
          RawClient client(port);
          while (!stop.load()) {
            auto r = client.roundtrip(request("POST", "/api/orders", "Authorization: Bearer " + token + "\r\n",
                                              R"({"lines":[{"sku":"ink","quantity":1},{"sku":"pen","quantity":1}]})"));
            if (r.status != 201) return;  // out of stock: this writer is done
            const std::int64_t id = json::parse(r.body).at("id").as_int64();
            std::lock_guard lock(acked_mutex);
            acked.insert(id);
          }
        } catch (const std::exception&) {
          ++writers_cut_off;  // the server died under this client mid-request
        }
      });
    }
    // Let the writes get going, then pull the plug while they are in flight.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(acked_mutex);
        if (acked.size() >= 40) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(app.pid(), SIGKILL);
    for (auto& t : writers) t.join();
    stop = true;
  }
  ASSERT_GE(acked.size(), 40u) << "the writers did not get going";
  EXPECT_GT(writers_cut_off.load(), 0) << "the kill did not land while writes were in flight";

  // Restarted on the same file: every acknowledged order is there with both of its lines.
  ExampleProcess again(env);
  RawClient c(again.port());
  std::map<std::int64_t, std::size_t> stored;  // id -> lines
  for (int offset = 0;; offset += 500) {
    auto page = c.roundtrip(request("GET", "/api/orders?limit=500&offset=" + std::to_string(offset),
                                    "Authorization: Bearer " + token + "\r\n"));
    ASSERT_EQ(page.status, 200) << page.body;
    const auto orders = json::parse(page.body).as_array();
    for (const auto& o : orders) stored[o.at("id").as_int64()] = o.at("lines").as_array().size();
    if (orders.size() < 500) break;
  }
  for (std::int64_t id : acked) {
    ASSERT_TRUE(stored.contains(id)) << "order " << id << " was acknowledged and is gone";
  }
  for (const auto& [id, lines] : stored) EXPECT_EQ(lines, 2u) << "order " << id << " is torn";

  // And the file itself is sound.
  auto db = aegis::sql::Database::open("sqlite:///" + db_path);
  db->with_connection([](aegis::sql::Connection& conn) {
    EXPECT_EQ(conn.query_one("PRAGMA integrity_check")->get<std::string>(0), "ok");
    EXPECT_TRUE(conn.query("PRAGMA foreign_key_check").empty());
  });
}

}  // namespace
