#pragma once

// Internal access to Request and Response for the parts of Aegis that build and send them (the
// connection, the router, the test client). Not part of the public API.

#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace aegis::detail {

struct RequestAccess {
  static void reset(Request& r) noexcept {
    r.headers_.clear();
    r.path_params_.clear();
    r.query_parsed_ = false;
    r.cookies_parsed_ = false;
    r.target_ = r.path_ = r.query_ = r.body_ = r.content_type_ = {};
    r.request_id_.clear();
    r.https_ = false;
    r.started_at_ = {};
    r.principal_.reset();
    r.version_ = 11;
    r.keep_alive_ = true;
  }
  static void set_line(Request& r, Method m, std::string_view target, int version) noexcept {
    r.method_ = m;
    r.target_ = target;
    r.version_ = version;
  }
  static void set_method(Request& r, Method m) noexcept { r.method_ = m; }
  /// Points the request at its connection's "given up" flag (what `Request::abandoned()` reads).
  static void watch_abandoned(Request& r, const std::atomic<bool>* flag) noexcept { r.abandoned_ = flag; }
  /// Splits the target into path and query and normalises the path. False when the target is malformed.
  static bool set_target_parts(Request& r, std::string_view raw_path, std::string_view query);
  static void add_header(Request& r, std::string_view name, std::string_view value) {
    r.headers_.push_back({name, value});
  }
  static std::size_t header_count(const Request& r) noexcept { return r.headers_.size(); }
  /// Makes `host` the value of the request's Host field, adding the field when there is none.
  static void set_host(Request& r, std::string_view host);
  static void set_content_type(Request& r, std::string_view v) noexcept {
    if (r.content_type_.empty()) r.content_type_ = v;
  }
  static void set_body(Request& r, std::string_view body) noexcept { r.body_ = body; }
  static void set_keep_alive(Request& r, bool v) noexcept { r.keep_alive_ = v; }
  static void set_client(Request& r, std::string_view ip, std::uint16_t port) noexcept {
    r.client_ip_ = ip;
    r.client_port_ = port;
  }
  static std::vector<PathParam>& path_params(Request& r) noexcept { return r.path_params_; }
  /// Moves every view that points into [old_begin, old_end) to the same offset from new_begin.
  static void relocate(Request& r, const char* old_begin, const char* old_end, const char* new_begin) noexcept;
};

/// The bit of Response's name mask for a header name (case-insensitive; `name` is not empty).
constexpr std::uint64_t header_name_bit(std::string_view name) noexcept {
  const unsigned first = static_cast<unsigned char>(name.front()) | 0x20u;
  const unsigned last = static_cast<unsigned char>(name.back()) | 0x20u;
  return std::uint64_t{1} << ((name.size() * 7 + first * 3 + last) & 63);
}

/// The name mask of a block of "Name: value\r\n" lines.
constexpr std::uint64_t header_names_mask(std::string_view lines) noexcept {
  std::uint64_t mask = 0;
  while (!lines.empty()) {
    const std::size_t colon = lines.find(':');
    if (colon == 0 || colon == std::string_view::npos) break;
    mask |= header_name_bit(lines.substr(0, colon));
    const std::size_t lf = lines.find('\n', colon);
    if (lf == std::string_view::npos) break;
    lines.remove_prefix(lf + 1);
  }
  return mask;
}

struct ResponseAccess {
  /// Appends header lines ("Name: value\r\n"...) that the caller has already validated.
  static void append_lines(Response& r, std::string_view lines) { append_lines(r, lines, header_names_mask(lines)); }
  /// The same, with the lines' name mask computed once by the caller (header_names_mask).
  static void append_lines(Response& r, std::string_view lines, std::uint64_t mask) {
    r.head_.append(lines);
    r.names_ |= mask;
  }
  /// Appends validated header lines that an error answer built later keeps (restore_lasting), replacing
  /// the lasting lines set before: a rate limit's current RateLimit-* fields.
  static void set_lasting_lines(Response& r, std::string_view lines) {
    append_lines(r, lines);
    r.lasting_.assign(lines);
  }
  /// Empties the response for an error answer, keeping its lasting lines aside for restore_lasting.
  static void clear_for_error(Response& r) noexcept {
    std::string lasting = std::move(r.lasting_);
    r.clear();
    r.lasting_ = std::move(lasting);
  }
  /// Adds back the lasting lines whose header the error answer did not set itself.
  static void restore_lasting(Response& r) noexcept;
  /// False when the response certainly carries none of the headers whose name bits are in `mask`.
  static bool may_have_any(const Response& r, std::uint64_t mask) noexcept { return (r.names_ & mask) != 0; }
  static bool has_headers(const Response& r) noexcept { return !r.head_.empty(); }
  static bool close_requested(const Response& r) noexcept { return r.close_; }
  static void request_close(Response& r) noexcept { r.close_ = true; }
};

}  // namespace aegis::detail
