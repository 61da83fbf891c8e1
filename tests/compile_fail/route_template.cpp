// Compiled by CTest with -DCASE=<n>: case 0 must compile; every other case must fail to compile with the
// diagnostic its test names (tests/CMakeLists.txt).
#include <aegis/aegis.hpp>

#include <cstdint>

void register_routes(aegis::Router& r) {
#if CASE == 0
  r.get("/items/{id}/parts/{part:int}",
        [](aegis::Path<std::int64_t, "id"> id, aegis::Path<int, "part"> part) { return *id + *part; });
  r.get("/raw/{anything}", [](aegis::Request&, aegis::Response&) {});
#elif CASE == 1
  // {part} has no aegis::Path<..., "part">.
  r.get("/items/{id}/parts/{part}", [](aegis::Path<std::int64_t, "id"> id) { return *id; });
#elif CASE == 2
  // The handler asks for a Path the template does not have.
  r.get("/items/{id}", [](aegis::Path<std::int64_t, "id"> id, aegis::Path<int, "part"> part) { return *id + *part; });
#elif CASE == 3
  r.get("/items/{id", [](aegis::Path<std::int64_t, "id"> id) { return *id; });
#elif CASE == 4
  // Not a parameter type the framework can extract.
  r.get("/items", [](int x) { return x; });
#endif
}
