// Compiled by CTest with -DCASE=<n>: case 0 must compile; every other case must fail to compile with the
// diagnostic its test names (tests/CMakeLists.txt). A rule that cannot apply to its type would otherwise
// never be checked.
#include <aegis/aegis.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct Item {
  std::string name;
  int qty = 0;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, tags))
#if CASE == 4
// Min on a string member.
AEGIS_FIELD_RULES(Item, (name, aegis::Min<1>))
#else
AEGIS_FIELD_RULES(Item, (name, aegis::MinLength<1>, aegis::Pattern<"^[a-z]+$">), (qty, aegis::Min<1>),
                  (tags, aegis::MaxLength<5>, aegis::Pattern<"^#">))
#endif

void register_routes(aegis::Router& r) {
#if CASE == 0
  r.get("/a", [](aegis::Query<int, "n", aegis::Min<1>, aegis::Lt<10>> n,
                 aegis::Query<std::optional<double>, "x", aegis::Gt<0>> x,
                 aegis::Query<std::vector<int>, "ids", aegis::MinLength<1>, aegis::Max<99>> ids,
                 aegis::Query<std::optional<std::string>, "q", aegis::MaxLength<9>, aegis::Pattern<"^a">> q,
                 aegis::Header<std::vector<std::string>, "x_tag", aegis::Pattern<"^t">> tags) {
    return *n + (*x ? 1 : 0) + static_cast<int>(ids->size() + (q->has_value() ? 1 : 0) + tags->size());
  });
  r.post("/items", [](aegis::Body<std::vector<Item>, aegis::MinLength<1>> items) { return items->size(); });
  r.get("/d", [](aegis::Query<int, "n", aegis::Default<10>> n, aegis::Query<std::string, "s", aegis::Default<"x">> s,
                 aegis::Query<std::optional<double>, "f", aegis::Default<1>> f) { return *n + static_cast<int>(s->size() + **f); });
#elif CASE == 1
  // Min on a string: pydantic refuses `ge` on a str, and nothing here would check it.
  r.get("/s", [](aegis::Query<std::string, "s", aegis::Min<3>> s) { return *s; });
#elif CASE == 2
  // A length on a number.
  r.get("/n", [](aegis::Query<int, "n", aegis::MaxLength<3>> n) { return *n; });
#elif CASE == 3
  // A pattern on a number.
  r.get("/p/{id}", [](aegis::Path<std::int64_t, "id", aegis::Pattern<"^[0-9]+$">> id) { return *id; });
#elif CASE == 4
  r.post("/items", [](aegis::Body<Item> item) { return item->qty; });
#elif CASE == 5
  // A string default on a number.
  r.get("/d", [](aegis::Query<int, "n", aegis::Default<"ten">> n) { return *n; });
#endif
}
