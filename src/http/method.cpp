#include <aegis/http/method.hpp>

#include <array>

namespace aegis {

namespace {
constexpr std::array<std::string_view, kMethodCount> kNames = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"};
}

std::string_view to_string(Method m) noexcept { return kNames[static_cast<std::size_t>(m)]; }

bool parse_method(std::string_view token, Method& out) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == token) {
      out = static_cast<Method>(i);
      return true;
    }
  }
  return false;
}

}  // namespace aegis
