#include <aegis/net/server_settings.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/modules/settings.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace aegis {

namespace {

template <class T>
void read_unsigned(const char* name, T& field, std::uint64_t max, std::vector<std::string>& errors) {
  const auto raw = detail::settings_value(name);
  if (!raw) return;
  std::string_view text(*raw);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v > max) {
    errors.push_back(std::string(name) + ": expected a whole number from 0 to " + std::to_string(max) +
                     ", got '" + std::string(text) + "'");
    return;
  }
  field = static_cast<T>(v);
}

void read_seconds(const char* name, std::chrono::milliseconds& field, std::vector<std::string>& errors) {
  const auto raw = detail::settings_value(name);
  if (!raw) return;
  const std::string& text = *raw;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  // At least a millisecond (the unit the server counts in), at most a year.
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < 0.001 || v > 86400.0 * 365) {
    errors.push_back(std::string(name) + ": expected a number of seconds from 0.001 to 31536000, got '" + text + "'");
    return;
  }
  field = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(v * 1000)));
}

void read_string(const char* name, std::string& field) {
  if (auto raw = detail::settings_value(name)) field = std::move(*raw);
}

}  // namespace

ServerSettings server_settings_from_env(ServerSettings s, std::vector<std::string>& errors) {
  constexpr auto kMaxSize = std::uint64_t{1} << 40;
  read_string("AEGIS_HOST", s.host);
  if (s.host.empty()) errors.push_back("AEGIS_HOST: must not be empty");
  read_unsigned("AEGIS_PORT", s.port, 65535, errors);
  read_unsigned("AEGIS_WORKERS", s.workers, 1024, errors);
  read_unsigned("AEGIS_MAX_REQUEST_LINE", s.max_request_line, 1 << 20, errors);
  read_unsigned("AEGIS_MAX_HEADER_BYTES", s.max_header_bytes, 1 << 20, errors);
  read_unsigned("AEGIS_MAX_HEADER_COUNT", s.max_header_count, 10000, errors);
  read_unsigned("AEGIS_MAX_BODY_BYTES", s.max_body_bytes, kMaxSize, errors);
  read_unsigned("AEGIS_MAX_CHUNK_EXTENSION", s.max_chunk_extension, 1 << 20, errors);
  read_unsigned("AEGIS_MAX_TRAILER_BYTES", s.max_trailer_bytes, 1 << 20, errors);
  read_seconds("AEGIS_HEADER_TIMEOUT", s.header_timeout, errors);
  read_seconds("AEGIS_BODY_TIMEOUT", s.body_timeout, errors);
  read_seconds("AEGIS_IDLE_TIMEOUT", s.idle_timeout, errors);
  read_seconds("AEGIS_WRITE_TIMEOUT", s.write_timeout, errors);
  read_seconds("AEGIS_GRACEFUL_TIMEOUT", s.graceful_timeout, errors);
  read_unsigned("AEGIS_MAX_CONNECTIONS", s.max_connections, 10'000'000, errors);
  read_unsigned("AEGIS_MAX_REQUESTS_PER_CONNECTION", s.max_requests_per_connection,
                std::numeric_limits<std::uint32_t>::max(), errors);
  read_string("AEGIS_SERVER_HEADER", s.server_header);
  if (!is_valid_header_value(s.server_header)) {
    errors.push_back("AEGIS_SERVER_HEADER: control characters are not allowed");
    s.server_header = "aegis";
  }
  if (s.max_connections == 0) errors.push_back("AEGIS_MAX_CONNECTIONS: must be at least 1");
  if (s.max_request_line < 64) errors.push_back("AEGIS_MAX_REQUEST_LINE: must be at least 64");
  if (s.max_header_bytes < 256) errors.push_back("AEGIS_MAX_HEADER_BYTES: must be at least 256");
  return s;
}

}  // namespace aegis
