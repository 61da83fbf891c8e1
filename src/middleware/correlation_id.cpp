#include <aegis/middleware/correlation_id.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <random>

#include "http/access.hpp"

namespace aegis {

namespace {

// A per-thread generator: request ids need to be unique, not secret, and must cost no lock.
struct IdGenerator {
  std::uint64_t s[2];
  IdGenerator() {
    std::random_device rd;
    s[0] = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    s[1] = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ 0x9E3779B97F4A7C15ull;
  }
  std::uint64_t next() noexcept {  // xorshift128+
    std::uint64_t a = s[0];
    const std::uint64_t b = s[1];
    s[0] = b;
    a ^= a << 23;
    s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
    return s[1] + b;
  }
};

// The 8 lowercase hex digits of v, most significant first, computed in one 64-bit word.
static_assert(std::endian::native == std::endian::little, "hex8 orders the digits for a little-endian store");
void hex8(std::uint32_t v, char* out) noexcept {
  std::uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;  // byte i holds nibble i, least significant first
  const std::uint64_t letters = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;  // nibble >= 10
  x += 0x3030303030303030ull + letters * ('a' - '0' - 10);
  x = __builtin_bswap64(x);  // most significant nibble first in memory
  std::memcpy(out, &x, 8);
}

// A version 4 UUID, canonical form, into out[36].
void make_uuid(char (&out)[36]) noexcept {
  thread_local IdGenerator gen;
  std::uint64_t hi = gen.next();
  std::uint64_t lo = gen.next();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  // 32 digits written as 8-digit groups, then the groups after each hyphen shifted right by one.
  char digits[40];
  hex8(static_cast<std::uint32_t>(hi >> 32), digits);
  hex8(static_cast<std::uint32_t>(hi), digits + 8);
  hex8(static_cast<std::uint32_t>(lo >> 32), digits + 16);
  hex8(static_cast<std::uint32_t>(lo), digits + 24);
  std::memcpy(out, digits, 8);            // xxxxxxxx
  out[8] = '-';
  std::memcpy(out + 9, digits + 8, 4);    // -xxxx
  out[13] = '-';
  std::memcpy(out + 14, digits + 12, 4);  // -4xxx
  out[18] = '-';
  std::memcpy(out + 19, digits + 16, 4);  // -yxxx
  out[23] = '-';
  std::memcpy(out + 24, digits + 20, 12);
}

}  // namespace

CorrelationId::CorrelationId(Options options) : options_(std::move(options)) {
  if (!is_valid_header_name(options_.header)) {
    throw std::invalid_argument("CorrelationId: '" + options_.header + "' is not a header name");
  }
  line_prefix_ = options_.header + ": ";
  name_bit_ = detail::header_name_bit(options_.header);
}

bool CorrelationId::is_valid_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

bool CorrelationId::on_request(Request& req, Response&) {
  const std::string_view incoming = req.header(options_.header);
  if (is_valid_id(incoming)) {
    req.set_request_id(incoming);
  } else {
    char id[36];
    make_uuid(id);
    req.set_request_id({id, sizeof id});
  }
  return false;
}

void CorrelationId::on_response(Request& req, Response& res) {
  // The id was validated (or generated) above, so the line cannot inject anything. The layer owns this
  // header: a handler does not set it (doing so would send it twice).
  if (req.request_id().empty()) return;
  char line[128 + 160];
  const std::string_view id = req.request_id();
  if (line_prefix_.size() + id.size() + 2 > sizeof line) return;
  std::memcpy(line, line_prefix_.data(), line_prefix_.size());
  std::memcpy(line + line_prefix_.size(), id.data(), id.size());
  std::memcpy(line + line_prefix_.size() + id.size(), "\r\n", 2);
  detail::ResponseAccess::append_lines(res, {line, line_prefix_.size() + id.size() + 2}, name_bit_);
}

std::string CorrelationId::options_json() const { return "{\"header\":" + detail::json_quote(options_.header) + "}"; }

}  // namespace aegis
