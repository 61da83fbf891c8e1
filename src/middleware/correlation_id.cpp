#include <aegis/middleware/correlation_id.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>

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

// "00".."ff" for every byte.
struct HexPairs {
  char pair[256][2];
  constexpr HexPairs() : pair() {
    constexpr char kHex[] = "0123456789abcdef";
    for (int b = 0; b < 256; ++b) {
      pair[b][0] = kHex[b >> 4];
      pair[b][1] = kHex[b & 0xF];
    }
  }
};
constexpr HexPairs kHexPairs;

// A version 4 UUID, canonical form, into out[36].
void make_uuid(char (&out)[36]) noexcept {
  thread_local IdGenerator gen;
  std::uint64_t hi = gen.next();
  std::uint64_t lo = gen.next();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  // Byte i of the UUID goes to these offsets (hyphens at 8, 13, 18, 23).
  static constexpr std::uint8_t kAt[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  for (int i = 0; i < 8; ++i) std::memcpy(out + kAt[i], kHexPairs.pair[(hi >> (56 - 8 * i)) & 0xFF], 2);
  for (int i = 0; i < 8; ++i) std::memcpy(out + kAt[8 + i], kHexPairs.pair[(lo >> (56 - 8 * i)) & 0xFF], 2);
  out[8] = out[13] = out[18] = out[23] = '-';
}

}  // namespace

CorrelationId::CorrelationId(Options options) : options_(std::move(options)) {
  if (!is_valid_header_name(options_.header)) {
    throw std::invalid_argument("CorrelationId: '" + options_.header + "' is not a header name");
  }
  line_prefix_ = options_.header + ": ";
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
  detail::ResponseAccess::append_lines(res, {line, line_prefix_.size() + id.size() + 2});
}

std::string CorrelationId::options_json() const { return "{\"header\":" + detail::json_quote(options_.header) + "}"; }

}  // namespace aegis
