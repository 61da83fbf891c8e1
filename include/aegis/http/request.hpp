#pragma once

#include <aegis/http/headers.hpp>
#include <aegis/http/method.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis {

struct Principal;

namespace detail {
struct RequestAccess;
}

/// A decoded query parameter. Repeated keys appear once per occurrence, in request order. The views point
/// into the request (or its decoding buffer) and live as long as the request.
struct QueryParam {
  std::string_view name;
  std::string_view value;
};

/// A path parameter captured by the router: `{id}` in the template, its decoded text in the request.
struct PathParam {
  std::string_view name;
  std::string_view value;
};

/// An HTTP request as a handler sees it.
///
/// A Request belongs to its connection and is valid only while its handler runs: every `string_view` it
/// hands out points into the connection's buffers. Copy what must outlive the handler. Accessors are cheap;
/// the query string and cookies are decoded on first use.
class Request {
 public:
  Request() = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  Method method() const noexcept { return method_; }
  /// The method token as received ("GET").
  std::string_view method_name() const noexcept { return to_string(method_); }
  /// The request target exactly as received (`/a%20b?x=1`).
  std::string_view target() const noexcept { return target_; }
  /// The percent-decoded path with dot segments removed; always starts with '/', never escapes the root.
  std::string_view path() const noexcept { return path_; }
  /// The raw query string, without the '?'.
  std::string_view query_string() const noexcept { return query_; }
  /// 10 for HTTP/1.0, 11 for HTTP/1.1.
  int version() const noexcept { return version_; }

  /// Every header line, in the order received.
  std::span<const HeaderField> headers() const noexcept { return headers_; }
  /// The first value of the header `name` (case-insensitive), or an empty view when it is absent.
  std::string_view header(std::string_view name) const noexcept;
  /// True when at least one header line is named `name`.
  bool has_header(std::string_view name) const noexcept;
  /// The Content-Type header's value (the first line), or an empty view; found while parsing, so free.
  std::string_view content_type() const noexcept { return content_type_; }

  /// All query parameters, decoded ('+' is a space), repeated keys kept in order.
  std::span<const QueryParam> query_params() const;
  /// The first value of query parameter `name`, if present.
  std::optional<std::string_view> query(std::string_view name) const;

  /// The cookies of the Cookie header(s), as name/value pairs (surrounding quotes removed).
  std::span<const HeaderField> cookies() const;
  /// The value of cookie `name`, if present.
  std::optional<std::string_view> cookie(std::string_view name) const;

  /// The whole request body (de-chunked). Empty when there is none.
  std::string_view body() const noexcept { return body_; }

  /// Path parameters captured by the router for the matched route.
  std::span<const PathParam> path_params() const noexcept { return path_params_; }
  /// The value of path parameter `name`, or an empty view.
  std::string_view path_param(std::string_view name) const noexcept;

  /// The client's IP address as text ("127.0.0.1", "::1") and port.
  std::string_view client_ip() const noexcept { return client_ip_; }
  std::uint16_t client_port() const noexcept { return client_port_; }
  /// Replaces the client's address for the rest of the request (a trusted proxy reported the real client).
  /// The request keeps its own copy.
  void set_client(std::string_view ip, std::uint16_t port) {
    client_ip_storage_.assign(ip);
    client_ip_ = client_ip_storage_;
    client_port_ = port;
  }

  /// The request id (set by the CorrelationId middleware); empty until then.
  std::string_view request_id() const noexcept { return request_id_; }
  void set_request_id(std::string_view id) { request_id_.assign(id); }

  /// "https" when the request reached the app over TLS (as a trusted proxy reports it), else "http".
  std::string_view scheme() const noexcept { return https_ ? "https" : "http"; }
  void set_https(bool https) noexcept { https_ = https; }

  /// Who makes the request, as the authentication layer established it; null for an anonymous request.
  const Principal* principal() const noexcept { return principal_.get(); }
  void set_principal(std::shared_ptr<const Principal> principal) noexcept { principal_ = std::move(principal); }

  /// When the request's bytes were read: the server sets it before the first layer runs (as nginx's
  /// $request_time counts, the time a pipelined request waited behind the ones before it is included).
  /// Where no server did (the TestClient), the first layer that times requests sets it; the epoch when
  /// nobody did.
  std::chrono::steady_clock::time_point started_at() const noexcept { return started_at_; }
  void set_started_at(std::chrono::steady_clock::time_point t) noexcept { started_at_ = t; }

  /// True when the connection stays open after this request (HTTP/1.1 default, or keep-alive asked on 1.0).
  bool keep_alive() const noexcept { return keep_alive_; }

  /// True once the server has given up on this request: a shutdown's grace period ran out (or a second
  /// signal came) while it was being handled, so its response will not be sent. A long handler may check
  /// it to stop early; a `.blocking()` handler still waiting for a pool thread then is not run at all.
  /// Safe to call from any thread.
  bool abandoned() const noexcept { return abandoned_ != nullptr && abandoned_->load(std::memory_order_relaxed); }

 private:
  friend struct detail::RequestAccess;

  Method method_ = Method::get;
  int version_ = 11;
  bool keep_alive_ = true;
  bool https_ = false;
  mutable bool query_parsed_ = false;
  mutable bool cookies_parsed_ = false;
  std::uint16_t client_port_ = 0;
  std::string_view target_;
  std::string_view path_;
  std::string_view query_;
  std::string_view body_;
  std::string_view client_ip_;
  std::string_view content_type_;
  std::vector<HeaderField> headers_;
  std::vector<PathParam> path_params_;
  mutable std::vector<QueryParam> query_params_;
  mutable std::string query_storage_;  // decoded names and values that differ from their raw text
  mutable std::vector<HeaderField> cookies_;
  std::string path_storage_;
  std::string request_id_;
  std::string client_ip_storage_;
  std::chrono::steady_clock::time_point started_at_{};
  std::shared_ptr<const Principal> principal_;
  // The serving connection's "given up" flag (set once per connection; null outside a server).
  const std::atomic<bool>* abandoned_ = nullptr;
};

}  // namespace aegis
