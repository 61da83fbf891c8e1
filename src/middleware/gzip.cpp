#include <aegis/middleware/gzip.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/http/status.hpp>
#include <aegis/json/convert.hpp>

#include <zlib.h>

#include <array>
#include <memory>
#include <optional>
#include <stdexcept>

#include "http/access.hpp"
#include "middleware/header_lines.hpp"

namespace aegis {

using detail::add_vary;
using detail::for_each_line;

namespace {

// Larger bodies are sent as they are: one deflate call must cover the whole body (zlib counts in uInt).
constexpr std::size_t kMaxCompressed = std::size_t{1} << 30;
// A thread keeps the buffer it compressed into (or the body it replaced) for the next response, unless it
// grew past this.
constexpr std::size_t kKeepBuffer = std::size_t{1} << 20;

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// RFC 9110 qvalue: false for 0 (in any spelling) and for text that is not a qvalue.
bool positive_qvalue(std::string_view q) noexcept {
  if (q.empty() || q.size() > 5) return false;
  if (q[0] == '1') {
    for (std::size_t i = 1; i < q.size(); ++i) {
      if ((i == 1 && q[i] != '.') || (i > 1 && q[i] != '0')) return false;
    }
    return true;
  }
  if (q[0] != '0') return false;
  if (q.size() == 1) return false;
  if (q[1] != '.') return false;
  bool nonzero = false;
  for (std::size_t i = 2; i < q.size(); ++i) {
    if (q[i] < '0' || q[i] > '9') return false;
    nonzero = nonzero || q[i] != '0';
  }
  return nonzero;
}

// What the Accept-Encoding lines say about gzip: an explicit gzip (or x-gzip) entry decides, else "*".
struct GzipAcceptance {
  bool explicit_seen = false;
  bool explicit_ok = false;
  bool star_seen = false;
  bool star_ok = false;

  void add(std::string_view value) noexcept {
    while (!value.empty()) {
      const std::size_t comma = value.find(',');
      std::string_view item = value.substr(0, comma);
      value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
      const std::size_t semi = item.find(';');
      const std::string_view coding = detail::trim_ows(item.substr(0, semi));
      if (coding.empty()) continue;
      bool ok = true;
      std::string_view params = semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
      while (!params.empty()) {
        const std::size_t next = params.find(';');
        const std::string_view param = detail::trim_ows(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
          ok = positive_qvalue(detail::trim_ows(param.substr(2)));
        }
      }
      if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
        explicit_seen = true;
        explicit_ok = explicit_ok || ok;
      } else if (coding == "*") {
        star_seen = true;
        star_ok = star_ok || ok;
      }
    }
  }
  bool accepted() const noexcept { return explicit_seen ? explicit_ok : star_seen && star_ok; }
};

// One deflate stream per thread and level, set up on first use and reset between responses: zlib's
// window and hash tables (about 256 KiB at the default memLevel) are allocated once per thread, not per
// response.
class Deflaters {
 public:
  Deflaters() = default;
  Deflaters(const Deflaters&) = delete;
  Deflaters& operator=(const Deflaters&) = delete;
  ~Deflaters() {
    for (auto& s : streams_) {
      if (s) deflateEnd(s.get());
    }
  }

  // A reset stream for `level`, or nullptr when zlib could not set one up.
  z_stream* get(int level) noexcept {
    auto& s = streams_[static_cast<std::size_t>(level)];
    if (s) {
      if (deflateReset(s.get()) == Z_OK) return s.get();
      deflateEnd(s.get());
      s.reset();
      return nullptr;
    }
    auto fresh = std::unique_ptr<z_stream>(new (std::nothrow) z_stream{});
    if (!fresh) return nullptr;
    // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(fresh.get(), level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return nullptr;
    s = std::move(fresh);
    return s.get();
  }

 private:
  std::array<std::unique_ptr<z_stream>, 10> streams_{};
};

// Replaces `body` with its gzip form. False (body untouched) when zlib fails.
bool gzip_in_place(std::string& body, int level) {
  thread_local Deflaters deflaters;
  thread_local std::string out;
  z_stream* zs = deflaters.get(level);
  if (zs == nullptr) return false;
  const uLong bound = deflateBound(zs, static_cast<uLong>(body.size()));
  out.resize(bound);
  zs->next_in = reinterpret_cast<Bytef*>(body.data());
  zs->avail_in = static_cast<uInt>(body.size());
  zs->next_out = reinterpret_cast<Bytef*>(out.data());
  zs->avail_out = static_cast<uInt>(out.size());
  if (deflate(zs, Z_FINISH) != Z_STREAM_END) return false;
  out.resize(out.size() - zs->avail_out);
  body.swap(out);
  // `out` now holds the uncompressed body's buffer: kept for the next response unless it is large.
  if (out.capacity() > kKeepBuffer) {
    std::string().swap(out);
  }
  return true;
}

}  // namespace

GZip::GZip(Options options) : options_(std::move(options)) {
  if (options_.compress_level < 1 || options_.compress_level > 9) {
    throw std::invalid_argument("GZip: compress_level must be 1 to 9, not " + std::to_string(options_.compress_level));
  }
  for (const auto& type : options_.exclude_content_types) {
    std::string_view media = detail::trim_ows(std::string_view(type).substr(0, type.find(';')));
    if (media.empty()) throw std::invalid_argument("GZip: an empty entry in exclude_content_types");
    if (media.size() >= 2 && media.substr(media.size() - 2) == "/*") media.remove_suffix(1);
    std::string normalised(media);
    for (char& c : normalised) c = lower(c);
    excluded_.push_back(std::move(normalised));
  }
}

bool GZip::accepts_gzip(std::string_view accept_encoding) noexcept {
  GzipAcceptance a;
  a.add(accept_encoding);
  return a.accepted();
}

bool GZip::excluded(std::string_view content_type) const noexcept {
  const std::string_view media = detail::trim_ows(content_type.substr(0, content_type.find(';')));
  for (const auto& prefix : excluded_) {
    if (media.size() >= prefix.size() && iequals(media.substr(0, prefix.size()), prefix)) return true;
  }
  return false;
}

void GZip::on_response(Request& req, Response& res) {
  // A 304 has no body to compress, but carries the Vary its 200 would (RFC 9110 §15.4.5).
  const bool not_modified = res.status() == 304;
  if (!not_modified && (status_forbids_body(res.status()) || res.body().size() < options_.minimum_size)) return;
  bool encoded = false;
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> etag;
  for_each_line(res.header_block(), [&](std::string_view name, std::string_view value) {
    switch (name.size()) {
      case 4:
        if (!etag && iequals(name, "etag")) etag = value;
        break;
      case 12:
        if (!content_type && iequals(name, "content-type")) content_type = value;
        break;
      case 13:  // a range of the identity body must not be compressed afterwards
        encoded = encoded || iequals(name, "content-range");
        break;
      case 16:
        encoded = encoded || iequals(name, "content-encoding");
        break;
      default:
        break;
    }
  });
  if (encoded || (content_type && excluded(*content_type))) return;

  // From here on the response depends on Accept-Encoding, whether or not this client gets gzip.
  // A strong validator names the exact bytes of one representation, and the compressed body is another
  // (RFC 9110 §8.8.3): it goes out weakened. Copied now, before the header block changes.
  const std::string weak_etag = etag && etag->starts_with('"') ? "W/" + std::string(*etag) : std::string();
  add_vary(res, "Accept-Encoding", "Vary: Accept-Encoding\r\n");
  if (req.method() == Method::head || (!not_modified && res.body().size() > kMaxCompressed)) return;
  GzipAcceptance acceptance;
  for (const HeaderField& f : req.headers()) {
    if (f.name.size() == 15 && iequals(f.name, "accept-encoding")) acceptance.add(f.value);
  }
  if (!acceptance.accepted()) return;
  if (not_modified) {
    // The validator the 200 this client got carried: weakened. (Had that 200 been too small to compress,
    // the weak tag still matches its strong one under the weak comparison caches use for a 304.)
    if (!weak_etag.empty()) res.set_header("ETag", weak_etag);
    return;
  }
  if (gzip_in_place(res.body(), options_.compress_level)) {
    detail::ResponseAccess::append_lines(res, "Content-Encoding: gzip\r\n");
    if (!weak_etag.empty()) res.set_header("ETag", weak_etag);
  }
}

std::string GZip::options_json() const {
  std::string out = "{\"minimum_size\":";
  write_json(out, options_.minimum_size);
  out += ",\"compress_level\":";
  write_json(out, options_.compress_level);
  out += ",\"exclude_content_types\":";
  write_json(out, options_.exclude_content_types);
  out += '}';
  return out;
}

}  // namespace aegis
