#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis::test {

/// One HTTP response as read off the wire.
struct HttpReply {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first value of header `name` (case-insensitive), if present.
  std::optional<std::string> header(std::string_view name) const;
  /// How many header lines are named `name`.
  std::size_t header_count(std::string_view name) const;
};

/// A blocking TCP client for tests that must control every byte: pipelining, malformed framing, slow
/// senders, half-closes. Every read has a timeout, so a server that hangs fails the test instead of
/// hanging it.
class RawClient {
 public:
  using Ms = std::chrono::milliseconds;

  explicit RawClient(std::uint16_t port, const char* host = "127.0.0.1");
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// Sends all of `bytes`.
  void send(std::string_view bytes);
  /// Reads one response. `head_request`: the response has no body whatever its headers say. Throws
  /// std::runtime_error on timeout, on a malformed response or when the server closes first.
  HttpReply read_response(bool head_request = false, Ms timeout = Ms(5000));
  /// Sends `request` and reads one response.
  HttpReply roundtrip(std::string_view request, Ms timeout = Ms(5000));
  /// True when the server closes the connection (EOF or reset) within `timeout`; bytes that arrive first
  /// are kept for read_response and raw_received.
  bool closed_by_server(Ms timeout = Ms(5000));
  /// Everything received and not yet consumed by read_response.
  const std::string& pending() const noexcept { return buffer_; }
  /// Half-closes the sending side.
  void shutdown_write();
  int fd() const noexcept { return fd_; }

 private:
  /// Reads more bytes into buffer_. Returns false on EOF; throws on timeout.
  bool fill(Ms timeout);

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

/// A well-formed GET request for `path` with Host set.
std::string get_request(std::string_view path, std::string_view extra_headers = {});

}  // namespace aegis::test
