#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aegis {

/// Everything the HTTP server can be told. Every field has a safe default and an environment variable
/// (`AEGIS_` + the upper-cased field name, e.g. `AEGIS_MAX_BODY_BYTES`; durations in seconds, fractions
/// allowed).
struct ServerSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  /// I/O threads, each with its own event loop and SO_REUSEPORT listener. 0: one per hardware thread.
  unsigned workers = 0;

  /// Longest request line (method, target, version); longer answers 414.
  std::size_t max_request_line = 8 * 1024;
  /// Largest header section (all field lines, excluding the request line); larger answers 431.
  std::size_t max_header_bytes = 16 * 1024;
  /// Most header field lines; more answers 431.
  std::size_t max_header_count = 100;
  /// Largest request body; larger answers 413 (before reading it when Content-Length announces it).
  std::size_t max_body_bytes = 1024 * 1024;
  /// Longest chunk extension of one chunk of a chunked body; longer answers 400.
  std::size_t max_chunk_extension = 1024;
  /// Largest trailer section of a chunked body; larger answers 431.
  std::size_t max_trailer_bytes = 8 * 1024;

  /// The whole header must arrive within this time of its first byte; otherwise 408 and close.
  std::chrono::milliseconds header_timeout{10'000};
  /// The body must make progress at least this often; otherwise 408 and close.
  std::chrono::milliseconds body_timeout{30'000};
  /// A keep-alive connection with no request in progress is closed after this long.
  std::chrono::milliseconds idle_timeout{30'000};
  /// A response that the client does not read within this time is abandoned and the connection closed.
  std::chrono::milliseconds write_timeout{30'000};
  /// On SIGINT/SIGTERM, in-flight requests get this long to finish before connections are cut.
  std::chrono::milliseconds graceful_timeout{10'000};

  /// Most open connections across all workers; at the limit the server stops accepting until one closes.
  std::size_t max_connections = 10'000;
  /// Requests served on one connection before it is closed (`Connection: close`). 0: no limit.
  std::size_t max_requests_per_connection = 0;
  /// The `Server` header's value; empty omits the header.
  std::string server_header = "aegis";
};

/// Reads `AEGIS_*` variables over `defaults`. Every invalid value is reported (as "AEGIS_PORT: ...")
/// into `errors`; the returned settings keep the default for those fields.
ServerSettings server_settings_from_env(ServerSettings defaults, std::vector<std::string>& errors);

}  // namespace aegis
