// Fuzzes the JSON-to-struct binding (aegis::Body<T>) end to end: the input is a JSON body POSTed through the
// in-process TestClient to a route that reads it into nested described structs with field rules and
// answers the struct back. Every input is answered 200 or 422; a 200's body reads back into the struct and
// serialises to the same text (the round trip is stable).

#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/describe.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"

namespace fuzz {

enum class Status { pending, paid, shipped };
BOOST_DESCRIBE_ENUM(Status, pending, paid, shipped)

struct Line {
  std::string sku;
  int qty = 0;
  std::optional<double> price;
  std::optional<bool> gift;
};
BOOST_DESCRIBE_STRUCT(Line, (), (sku, qty, price, gift))
AEGIS_FIELD_RULES(Line, (sku, aegis::MinLength<1>, aegis::MaxLength<16>), (qty, aegis::Min<1>, aegis::Max<100>),
                  (price, aegis::Gt<0>))

struct Customer {
  std::string name;
  std::optional<std::string> email;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(Customer, (), (name, email, tags))
AEGIS_FIELD_RULES(Customer, (name, aegis::MinLength<1>), (tags, aegis::MaxLength<4>, aegis::Optional))

struct Order {
  aegis::Uuid id;
  std::int64_t number = 0;
  Status status = Status::pending;
  std::vector<Line> lines;
  std::optional<Customer> customer;
  std::map<std::string, int> counts;
  aegis::Date day;
  aegis::DateTime at;
  std::optional<aegis::DateTime> shipped_at;
  std::uint16_t priority = 0;
  double total = 0;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, number, status, lines, customer, counts, day, at, shipped_at, priority, total))
AEGIS_FIELD_RULES(Order, (lines, aegis::MinLength<1>), (number, aegis::Min<1>), (total, aegis::Optional))

}  // namespace fuzz

namespace {

struct Fixture {
  aegis::App app;
  std::optional<aegis::testing::TestClient> client;

  Fixture() {
    app.router().post("/j", [](aegis::Body<fuzz::Order> o) { return *o; });
    client.emplace(app);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const auto response = fixture.client->post("/j").json(json).send();
  const int status = response.status();
  if (aegis_fuzz::verbose()) std::fprintf(stderr, "%d %s\n", status, response.text().c_str());
  const std::string& text = response.text();
  AEGIS_FUZZ_CHECK(status == 200 || status == 422, "status %d: %s", status, text.c_str());
  if (status == 200) {
    fuzz::Order back;
    try {
      back = response.json<fuzz::Order>();
    } catch (const std::exception& e) {
      AEGIS_FUZZ_CHECK(false, "a 200 body reads back into the struct: %s\n  body: %s", e.what(), text.c_str());
    }
    const std::string again = aegis::to_json(back);
    AEGIS_FUZZ_CHECK(again == text, "the round trip is stable\n  body:  %s\n  again: %s", text.c_str(),
                     again.c_str());
    return 0;
  }
  try {
    const aegis::Json body = response.json();
    const auto* detail = body.is_object() ? body.as_object().if_contains("detail") : nullptr;
    AEGIS_FUZZ_CHECK(detail != nullptr && detail->is_array() && !detail->as_array().empty(),
                     "a 422 lists what is wrong: %s", text.c_str());
  } catch (const std::exception& e) {
    AEGIS_FUZZ_CHECK(false, "a 422 body is JSON (%s): %s", e.what(), text.c_str());
  }
  return 0;
}
