#include <aegis/http/headers.hpp>

namespace aegis {

namespace {
struct LowerTable {
  unsigned char map[256] = {};
  constexpr LowerTable() {
    for (int c = 0; c < 256; ++c) map[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  }
};
constexpr LowerTable kLower;

// RFC 9110 tchar and field-value octets as lookup tables: the checks run on every header a handler sets.
struct CharTables {
  bool tchar[256] = {};
  bool value[256] = {};
  constexpr CharTables() {
    for (int c = '0'; c <= '9'; ++c) tchar[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) tchar[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) tchar[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) tchar[static_cast<unsigned char>(c)] = true;
    for (int c = 0; c < 256; ++c) value[c] = (c >= 0x20 && c != 0x7f) || c == '\t';
  }
};
constexpr CharTables kTables;
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const auto* x = reinterpret_cast<const unsigned char*>(a.data());
  const auto* y = reinterpret_cast<const unsigned char*>(b.data());
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= kLower.map[x[i]] ^ kLower.map[y[i]];
  return diff == 0;
}

bool is_valid_header_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  bool ok = true;
  for (char c : name) ok &= kTables.tchar[static_cast<unsigned char>(c)];
  return ok;
}

bool is_valid_header_value(std::string_view value) noexcept {
  bool ok = true;
  for (char c : value) ok &= kTables.value[static_cast<unsigned char>(c)];
  return ok;
}

}  // namespace aegis
