#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aegis {

namespace detail {
struct ResponseAccess;
}

/// A handler result served as `text/html; charset=utf-8` (and documented so).
struct Html {
  std::string content;
};

/// The response a handler fills in. The server adds `Server`, `Date`, `Content-Length` and, when the
/// connection closes, `Connection: close`; those four (and `Transfer-Encoding`) cannot be set here.
///
/// Setting a header whose name is not a token, or whose name or value contains CR, LF or NUL, throws
/// `std::invalid_argument`: a response can never carry an injected header line.
class Response {
 public:
  Response() = default;
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;
  Response(Response&&) noexcept = default;
  Response& operator=(Response&&) noexcept = default;

  int status() const noexcept { return status_; }
  Response& set_status(int status);

  /// Replaces every header named `name` with one line `name: value`.
  Response& set_header(std::string_view name, std::string_view value);
  /// Adds a header line, keeping existing ones of the same name (for `Set-Cookie`).
  Response& add_header(std::string_view name, std::string_view value);
  /// Removes every header named `name`.
  Response& remove_header(std::string_view name);
  /// The first value of header `name`, if set.
  std::optional<std::string_view> header(std::string_view name) const;
  /// The header block as it will be sent: `Name: value\r\n` lines.
  std::string_view header_block() const noexcept { return head_; }

  std::string& body() noexcept { return body_; }
  std::string_view body() const noexcept { return body_; }
  Response& set_body(std::string_view body);

  /// Status, `Content-Type: text/plain; charset=utf-8` and `body`.
  Response& text(std::string_view body, int status = 200);
  /// Status, `Content-Type: application/json` and `json`, which must already be serialised JSON.
  Response& json_text(std::string_view json, int status = 200);
  /// Status, `Content-Type: application/json` and `{"detail": detail}` (detail JSON-escaped): the shape of
  /// every error Aegis answers.
  Response& error(int status, std::string_view detail);
  /// Sets the status and `Content-Type: application/json`, empties the body and returns it for the caller
  /// to append serialised JSON to (no intermediate string).
  std::string& json_body(int status = 200);

  /// Resets to an empty 200 response (used between requests on a connection; capacity is kept).
  void clear() noexcept;

 private:
  friend struct detail::ResponseAccess;

  void append_header(std::string_view name, std::string_view value);
  void set_content_type(std::string_view line);

  int status_ = 200;
  bool close_ = false;
  // One bit per header name that may be in head_ (a hash of the name's length and first and last letters):
  // looking up or removing a header the response does not carry costs a mask test, not a scan.
  std::uint64_t names_ = 0;
  std::string head_;
  std::string body_;
  // Header lines that outlast an error answer built after them (a route's rate-limit fields): empty for
  // almost every response.
  std::string lasting_;
};

}  // namespace aegis
