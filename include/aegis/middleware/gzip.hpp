#pragma once

#include <aegis/app/middleware.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

/// When GZip compresses; the defaults are those of Starlette's GZipMiddleware.
struct GZipOptions {
  /// Bodies shorter than this many bytes are sent as they are.
  std::size_t minimum_size = 500;
  /// zlib's level, 1 (fastest) to 9 (smallest).
  int compress_level = 9;
  /// Media types never compressed: "text/event-stream" matches that type (parameters ignored), "image/*"
  /// every image type, and any other entry is a prefix of the media type. Compared case-insensitively.
  std::vector<std::string> exclude_content_types = {"text/event-stream"};
};

/// Compresses response bodies with gzip, as Starlette's GZipMiddleware does.
///
/// A response is compressed when the request's `Accept-Encoding` accepts gzip (q-values honoured: `gzip;q=0`
/// refuses, `*` accepts), the body has at least `minimum_size` bytes, it has no `Content-Encoding` yet, its
/// media type is not excluded, its status allows a body and the request is not HEAD. It then gets
/// `Content-Encoding: gzip`, and a strong `ETag` is weakened (`"x"` becomes `W/"x"`: the compressed bytes
/// are another representation), on a 304 to a client that accepts gzip too. Every response that qualifies apart from the client's `Accept-Encoding`
/// (HEAD included) gets `Accept-Encoding` appended to its `Vary`, so that caches keep both forms apart; so
/// does a 304 whose media type is not excluded, as its 200 would.
///
/// Compression runs on the I/O thread in `on_response`, with a zlib stream kept per thread and level; the
/// constructor throws `std::invalid_argument` for a level outside 1..9. Thread-safe.
class GZip final : public Middleware {
 public:
  using Options = GZipOptions;
  explicit GZip(Options options = {});

  void on_response(Request& req, Response& res) override;
  std::string options_json() const override;

  /// True when an `Accept-Encoding` value accepts gzip (RFC 9110 section 12.5.3).
  static bool accepts_gzip(std::string_view accept_encoding) noexcept;

 private:
  bool excluded(std::string_view content_type) const noexcept;

  Options options_;
  std::vector<std::string> excluded_;  // lower case, parameters removed; "type/*" kept as "type/"
};

}  // namespace aegis
