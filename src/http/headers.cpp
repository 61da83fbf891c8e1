#include <aegis/http/headers.hpp>

#include <cstdint>
#include <cstring>

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
  std::size_t i = 0;
  // Eight bytes at a time: equal words are equal, words that differ in any bit but 0x20 (the case bit of
  // a letter) are not; only the rest need the byte-wise case folding.
  for (; i + 8 <= a.size(); i += 8) {
    std::uint64_t u;
    std::uint64_t v;
    std::memcpy(&u, x + i, 8);
    std::memcpy(&v, y + i, 8);
    const std::uint64_t d = u ^ v;
    if (d == 0) continue;
    if ((d & ~0x2020202020202020ull) != 0) return false;
    unsigned diff = 0;
    for (std::size_t k = i; k < i + 8; ++k) diff |= kLower.map[x[k]] ^ kLower.map[y[k]];
    if (diff != 0) return false;
  }
  unsigned diff = 0;
  for (; i < a.size(); ++i) diff |= kLower.map[x[i]] ^ kLower.map[y[i]];
  return diff == 0;
}

bool is_valid_header_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(name.data());
  std::size_t n = name.size();
  // Four lookups per step, their results combined without a branch: names are short and nearly always valid.
  bool ok = true;
  for (; n >= 4; p += 4, n -= 4) {
    ok &= kTables.tchar[p[0]] & kTables.tchar[p[1]] & kTables.tchar[p[2]] & kTables.tchar[p[3]];
  }
  for (; n > 0; ++p, --n) ok &= kTables.tchar[*p];
  return ok;
}

bool is_valid_header_value(std::string_view value) noexcept {
  const char* p = value.data();
  std::size_t n = value.size();
  // Eight bytes at a time: a word holding no byte below 0x20 and no DEL is valid as it stands; one that
  // might (HTAB is below 0x20 and allowed) is checked byte by byte.
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t below_space = (x - kOnes * 0x20) & ~x & kHigh;
    const std::uint64_t del = x ^ (kOnes * 0x7F);
    const std::uint64_t is_del = (del - kOnes) & ~del & kHigh;
    if ((below_space | is_del) != 0) {
      for (int i = 0; i < 8; ++i) {
        if (!kTables.value[static_cast<unsigned char>(p[i])]) return false;
      }
    }
  }
  bool ok = true;
  for (; n > 0; ++p, --n) ok &= kTables.value[static_cast<unsigned char>(*p)];
  return ok;
}

}  // namespace aegis
