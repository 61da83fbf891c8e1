// Fuzzes the Cookie header decoder of src/http/url.hpp (parse_cookies): the pairs it returns are views into
// the header, trimmed and unquoted as the header comment says.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "http/url.hpp"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;  // an empty view may point anywhere (or nowhere)
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A heap copy of exactly `size` bytes, so that ASan notices any read past the header's end.
  const std::vector<char> bytes(data, data + size);
  const std::string_view header(bytes.data(), bytes.size());
  std::vector<aegis::HeaderField> cookies;
  cookies.push_back({"kept", "kept"});
  aegis::detail::parse_cookies(header, cookies);
  AEGIS_FUZZ_CHECK(cookies.front().name == "kept", "parse_cookies appends to what `out` holds");

  std::size_t pieces = 1;
  for (char c : header) pieces += c == ';' ? 1 : 0;
  AEGIS_FUZZ_CHECK(cookies.size() - 1 <= pieces, "at most one cookie per ';'-separated piece");

  for (std::size_t i = 1; i < cookies.size(); ++i) {
    const auto& [name, value] = cookies[i];
    AEGIS_FUZZ_CHECK(inside(name, header) && inside(value, header), "cookie %zu views the header", i);
    AEGIS_FUZZ_CHECK(!name.empty() || !value.empty(), "cookie %zu is not empty", i);
    AEGIS_FUZZ_CHECK(name.find_first_of(";=") == std::string_view::npos, "cookie %zu's name holds no ';' or '='", i);
    AEGIS_FUZZ_CHECK(value.find(';') == std::string_view::npos, "cookie %zu's value holds no ';'", i);
    AEGIS_FUZZ_CHECK(name.empty() || (!is_blank(name.front()) && !is_blank(name.back())),
                     "cookie %zu's name is trimmed", i);
    if (!value.empty() && (is_blank(value.front()) || is_blank(value.back()))) {
      // Only a quoted value keeps blanks at its ends: `a=" x "`.
      AEGIS_FUZZ_CHECK(value.data() != header.data() && value.data()[-1] == '"' &&
                           value.data() + value.size() < header.data() + header.size() &&
                           value.data()[value.size()] == '"',
                       "cookie %zu's unquoted value is trimmed", i);
    }
    if (!name.empty()) {
      // A named cookie's value follows its name, after the '='.
      AEGIS_FUZZ_CHECK(value.empty() || value.data() > name.data() + name.size(), "cookie %zu's value follows its name",
                       i);
    }
  }
  // Cookies come in header order.
  for (std::size_t i = 2; i < cookies.size(); ++i) {
    const char* prev = cookies[i - 1].name.empty() ? cookies[i - 1].value.data() : cookies[i - 1].name.data();
    const char* cur = cookies[i].name.empty() ? cookies[i].value.data() : cookies[i].name.data();
    AEGIS_FUZZ_CHECK(prev == nullptr || cur == nullptr || prev < cur, "cookies %zu and %zu are in header order", i - 1,
                     i);
  }
  return 0;
}
