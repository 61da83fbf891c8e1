#pragma once

#include <string>

namespace aegis {
class App;
}

namespace aegis::detail {

/// The OpenAPI document of a frozen app (src/openapi/openapi.cpp), whether or not the app serves it.
std::string build_openapi(const App& app);

}  // namespace aegis::detail
