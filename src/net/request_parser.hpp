#pragma once

#include <aegis/http/request.hpp>
#include <aegis/net/server_settings.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include <string>
#include <system_error>

namespace aegis::net {

/// Why a request was refused before it reached the application: the status to answer and a short detail.
struct ParseFailure {
  int status = 400;
  const char* detail = "Bad Request";
};

/// Beast's request parser, specialised to fill an `aegis::Request` with views into the connection's read
/// buffer instead of building `basic_fields`, and to enforce Aegis's framing rules and limits on top of
/// Beast's own (RFC 9112 section 6: Transfer-Encoding must end in chunked, never beside Content-Length, never
/// on HTTP/1.0; exactly one valid Host on HTTP/1.1; bounded chunk extensions and trailers).
///
/// One parser parses one message; the connection emplaces a fresh one per request.
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser(Request& request, std::string& chunk_storage, const ServerSettings& settings,
                const char* buffer_begin, const char* buffer_end);

  /// Tells the parser where the connection's buffer lives now (after it grew), so that values Beast
  /// rewrote outside the buffer (obsolete line folding) can be told apart.
  void set_buffer(const char* begin, const char* end) noexcept {
    buffer_begin_ = begin;
    buffer_end_ = end;
  }

  /// Parses what `buffers` holds (Beast's `put`), remembering where the header being parsed starts so that a
  /// failure can look at the request line again.
  template <class ConstBufferSequence>
  std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    if (!header_done_) {
      const auto first = *boost::asio::buffer_sequence_begin(buffers);
      header_start_ = {static_cast<const char*>(first.data()), first.size()};
    }
    // Beast 1.81 asserts that a chunked body's last piece (the final chunk and the blank line, "0\r\n\r\n")
    // arrives in one buffer of at least five bytes once it has seen "0\r\n"; Debug builds abort on "0\r\n\r".
    // Fewer than five bytes can never finish a chunked body, so they wait for more without Beast.
    if (chunked_ && boost::asio::buffer_size(buffers) < 5) {
      ec = boost::beast::http::error::need_more;
      return 0;
    }
    const std::size_t n = basic_parser::put(buffers, ec);
    if (!line_done_ && ec == boost::beast::http::error::need_more) refuse_unfinishable_line(ec);
    return n;
  }

  /// The failure to answer for an error code `put()` returned.
  ParseFailure failure(const boost::system::error_code& ec) const noexcept;

  bool header_complete() const noexcept { return header_done_; }
  bool expects_continue() const noexcept { return expect_continue_; }
  /// Content-Length announced by the client, if any.
  std::uint64_t announced_length() const noexcept { return announced_length_; }

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version, boost::system::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::system::error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::system::error_code& ec) override;
  void on_header_impl(boost::system::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::system::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::system::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::system::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::system::error_code& ec) override;
  void on_finish_impl(boost::system::error_code& ec) override;

  void fail(boost::system::error_code& ec, int status, const char* detail) noexcept;
  // Beast waits for the eight characters of the version even when the request line has already ended
  // ("GET / \r\n\r\n"), and may then look for the header's end past that blank line: the answer would
  // depend on how the bytes arrived (400, 431, or a wait until the header deadline). A line that has ended
  // without " HTTP/d.d" before its CRLF can never be completed, so it is refused at once.
  void refuse_unfinishable_line(boost::system::error_code& ec) noexcept;

  Request& request_;
  std::string& chunk_storage_;
  const ServerSettings& settings_;
  const char* buffer_begin_;
  const char* buffer_end_;
  std::string_view header_start_;  // the bytes last offered while the header was incomplete
  ParseFailure own_failure_;
  bool own_failed_ = false;
  std::size_t header_bytes_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::uint64_t announced_length_ = 0;
  int host_count_ = 0;
  bool line_done_ = false;  // Beast has read the request line
  bool header_done_ = false;
  bool expect_continue_ = false;
  bool has_content_length_ = false;
  bool has_transfer_encoding_ = false;
  bool te_last_chunked_ = false;
  bool te_unsupported_ = false;
  bool chunked_ = false;
};

/// Validates a Host field value: uri-host [":" port] (RFC 9110 section 7.2, RFC 3986 section 3.2.2).
bool is_valid_host(std::string_view host) noexcept;

/// Reads the common request without Beast: a complete request at the start of [data, data + size) whose
/// request line and fields are in a strict subset of what RequestParser accepts (visible ASCII only, no
/// Transfer-Encoding, Expect, Upgrade or obs-fold, one plain Content-Length at most, "close" or "keep-alive"
/// as the only Connection values, within every limit) and whose body is all there. Fills `request` as
/// RequestParser would and returns the bytes the request takes. Returns 0 for anything else, leaving
/// `request` partly filled: the caller resets it and lets RequestParser decide, and report, the rest. So a
/// request this function takes is one RequestParser reads the same way (the parser fuzz target checks it).
std::size_t parse_simple_request(const char* data, std::size_t size, Request& request,
                                 const ServerSettings& settings);

}  // namespace aegis::net
