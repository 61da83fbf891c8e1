// Fuzzes the urlencoded form binding (aegis::Form<T>) end to end: the input is the body of a POST sent
// through the in-process TestClient to a route that reads it into a described struct. Every input is
// answered 200 (it fits) or 422 with FastAPI's {"detail": [...]} listing what does not.

#include <aegis/aegis.hpp>
#include <aegis/testing/test_client.hpp>

#include <boost/describe.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "http/url.hpp"

namespace fuzz {

enum class Size { small, medium, large };
BOOST_DESCRIBE_ENUM(Size, small, medium, large)

struct Item {
  std::string name;
  int qty = 0;
  std::optional<double> price;
  std::vector<int> tags;
  bool gift = false;
  Size size = Size::small;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, price, tags, gift, size))
AEGIS_FIELD_RULES(Item, (name, aegis::MinLength<1>, aegis::MaxLength<40>), (qty, aegis::Min<0>, aegis::Max<1000>),
                  (price, aegis::Gt<0>), (tags, aegis::Min<-5>, aegis::Max<5>))

}  // namespace fuzz

namespace {

struct Fixture {
  aegis::App app;
  std::optional<aegis::testing::TestClient> client;

  Fixture() {
    app.router().post("/f", [](aegis::Form<fuzz::Item> item) { return item->name; });
    client.emplace(app);
  }
};

// The value the route answers with: the last `name` field of the form, decoded.
std::optional<std::string> last_name(std::string_view body) {
  std::string storage;
  std::vector<aegis::QueryParam> fields;
  aegis::detail::parse_query(body, storage, fields);
  std::optional<std::string> name;
  for (const auto& f : fields) {
    if (f.name == "name") name = std::string(f.value);
  }
  return name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string body(reinterpret_cast<const char*>(data), size);
  const auto response = fixture.client->post("/f").body(body, "application/x-www-form-urlencoded").send();
  const int status = response.status();
  if (aegis_fuzz::verbose()) std::fprintf(stderr, "%d %s\n", status, response.text().c_str());
  AEGIS_FUZZ_CHECK(status == 200 || status == 422, "status %d: %s", status, response.text().c_str());
  if (status == 200) {
    const auto name = last_name(body);
    AEGIS_FUZZ_CHECK(name && response.text() == *name, "a 200 answers the form's name (got \"%s\")",
                     response.text().c_str());
    return 0;
  }
  try {
    const aegis::Json json = response.json();
    const auto* detail = json.is_object() ? json.as_object().if_contains("detail") : nullptr;
    AEGIS_FUZZ_CHECK(detail != nullptr && detail->is_array() && !detail->as_array().empty(),
                     "a 422 lists what is wrong: %s", response.text().c_str());
  } catch (const std::exception& e) {
    AEGIS_FUZZ_CHECK(false, "a 422 body is JSON (%s): %s", e.what(), response.text().c_str());
  }
  return 0;
}
