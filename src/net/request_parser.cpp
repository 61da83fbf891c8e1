#include "net/request_parser.hpp"

#include <aegis/http/headers.hpp>

#include <boost/beast/http/error.hpp>

#include <cstdint>
#include <cstring>

#include "http/access.hpp"

namespace aegis::net {

namespace http = boost::beast::http;
using boost::system::error_code;
using detail::RequestAccess;

namespace {

// unreserved / pct-encoded / sub-delims: the octets of an RFC 3986 reg-name.
struct HostChars {
  bool ok[256] = {};
  constexpr HostChars() {
    for (int c = '0'; c <= '9'; ++c) ok[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) ok[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) ok[c] = true;
    for (char c : std::string_view("-._~%!$&'()*+,;=")) ok[static_cast<unsigned char>(c)] = true;
  }
};
constexpr HostChars kHostChars;

bool all_digits(std::string_view s) noexcept {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// Advances over bytes in [lo, 0x7E], eight at a time while it can; returns the first byte outside the range
// (or end). A word is skipped only when none of its bytes is below lo or at or above 0x7F.
template <unsigned char lo>
const char* skip_range(const char* p, const char* end) noexcept {
  static_assert(lo > 0 && lo <= 0x80);
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t below = (x - kOnes * lo) & ~x & kHigh;
    const std::uint64_t high = ((x + kOnes) | x) & kHigh;  // 0x7F and above
    if ((below | high) != 0) break;
    p += 8;
  }
  while (p < end && static_cast<unsigned char>(*p) >= lo && static_cast<unsigned char>(*p) < 0x7f) ++p;
  return p;
}

// The field-value octets parse_simple_request takes: visible ASCII, SP and HTAB (no obs-text).
const char* skip_simple_value(const char* p, const char* end) noexcept {
  for (;;) {
    p = skip_range<0x20>(p, end);
    if (p == end || *p != '\t') return p;
    ++p;
  }
}

const char* set_target(Request& request, Method method, std::string_view target);

}  // namespace

bool is_valid_host(std::string_view host) noexcept {
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : host.substr(1, close - 1)) {
      const auto u = static_cast<unsigned char>(c);
      const bool ok = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'f') || (u >= 'A' && u <= 'F') || u == ':' ||
                      u == '.' || u == 'v' || u == 'V';
      if (!ok) return false;
    }
    std::string_view rest = host.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = rest.substr(1);
  } else {
    std::size_t i = 0;
    while (i < host.size() && kHostChars.ok[static_cast<unsigned char>(host[i])]) ++i;
    if (i == host.size()) return true;
    if (host[i] != ':') return false;
    port = host.substr(i + 1);
  }
  return port.size() <= 5 && all_digits(port);
}

RequestParser::RequestParser(Request& request, std::string& chunk_storage, const ServerSettings& settings,
                             const char* buffer_begin, const char* buffer_end)
    : request_(request),
      chunk_storage_(chunk_storage),
      settings_(settings),
      buffer_begin_(buffer_begin),
      buffer_end_(buffer_end) {
  eager(true);
  header_limit(static_cast<std::uint32_t>(settings.max_request_line + settings.max_header_bytes + 4));
  body_limit(settings.max_body_bytes);
}

void RequestParser::fail(error_code& ec, int status, const char* detail) noexcept {
  own_failure_ = {status, detail};
  ec = http::error::bad_value;
  own_failed_ = true;
}

namespace {
// What Beast takes in a request target: any octet but controls, space and DEL.
bool is_target_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f;
}

// The answer to a request line Beast refused for its version, or that can never have one. Beast refuses every
// version but 1.0 and 1.1 alike; a well-formed "HTTP/d.d" it refused is one we do not speak (505), anything
// else is malformed (400). Beast judges the version as soon as its eight characters after the target are
// there, before the line ends; so do we, whatever follows them, so that the answer does not depend on how
// the bytes arrived. "GET /a b HTTP/1.1" has no version there and is malformed.
ParseFailure version_failure(std::string_view line_start) noexcept {
  std::string_view rest = line_start;
  for (int word = 0; word < 2; ++word) {
    const std::size_t space = rest.find(' ');
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  }
  const std::string_view version = rest.substr(0, 8);
  const bool well_formed = version.size() == 8 && version.starts_with("HTTP/") && version[5] >= '0' &&
                           version[5] <= '9' && version[6] == '.' && version[7] >= '0' && version[7] <= '9';
  // A version we speak followed by junk ("HTTP/1.1 extra") is a malformed line, not an unsupported one.
  const bool supported = version == "HTTP/1.0" || version == "HTTP/1.1";
  return well_formed && !supported ? ParseFailure{505, "HTTP version not supported"}
                                   : ParseFailure{400, "Invalid HTTP version"};
}
}  // namespace

void RequestParser::refuse_unfinishable_line(error_code& ec) noexcept {
  const std::size_t lf = header_start_.find('\n');
  if (lf == std::string_view::npos) return;  // the line is still arriving
  const std::string_view line = header_start_.substr(0, lf);
  const std::size_t n = line.size();
  // Every line Beast accepts ends in " HTTP/" digit "." digit CR.
  const bool version_shaped = n >= 10 && line[n - 1] == '\r' && line.substr(n - 10, 6) == " HTTP/" &&
                              line[n - 4] >= '0' && line[n - 4] <= '9' && line[n - 3] == '.' &&
                              line[n - 2] >= '0' && line[n - 2] <= '9';
  if (version_shaped) return;  // Beast is waiting for the header's end
  // Judged as Beast judges a whole line: method (a token, then SP), target (visible octets, then SP), version.
  const std::string_view text = header_start_.substr(0, lf + 1);
  const std::size_t method_end = text.find_first_of(" \r\n");
  if (method_end == 0 || text[method_end] != ' ' || !is_valid_header_name(text.substr(0, method_end))) {
    return fail(ec, 400, "Invalid method");
  }
  std::size_t target_end = method_end + 1;
  while (is_target_char(text[target_end])) ++target_end;  // stops at the final '\n' at the latest
  if (target_end == method_end + 1 || text[target_end] != ' ') return fail(ec, 400, "Invalid request target");
  const ParseFailure f = version_failure(header_start_);
  fail(ec, f.status, f.detail);
}

ParseFailure RequestParser::failure(const error_code& ec) const noexcept {
  if (own_failed_) return own_failure_;
  if (ec == http::error::header_limit) return {431, "Request header fields too large"};
  if (ec == http::error::body_limit) return {413, "Request body too large"};
  if (ec == http::error::bad_content_length || ec == http::error::multiple_content_length) {
    return {400, "Invalid Content-Length"};
  }
  if (ec == http::error::bad_transfer_encoding) return {400, "Invalid Transfer-Encoding"};
  if (ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
    return {400, "Invalid chunked body"};
  }
  if (ec == http::error::bad_version) return version_failure(header_start_);
  if (ec == http::error::bad_method) return {400, "Invalid method"};
  if (ec == http::error::bad_target) return {400, "Invalid request target"};
  if (ec == http::error::bad_field || ec == http::error::bad_value || ec == http::error::bad_line_ending) {
    return {400, "Invalid header field"};
  }
  if (ec == http::error::bad_obs_fold) return {400, "Obsolete line folding is not accepted"};
  return {400, "Bad Request"};
}

void RequestParser::on_request_impl(http::verb, boost::beast::string_view method_str,
                                    boost::beast::string_view target_sv, int version, error_code& ec) {
  const std::string_view method_token(method_str.data(), method_str.size());
  const std::string_view target(target_sv.data(), target_sv.size());
  line_done_ = true;
  if (method_token.size() + target.size() + 10 > settings_.max_request_line) {
    return fail(ec, 414, "Request line too long");
  }
  if (version != 10 && version != 11) return fail(ec, 505, "HTTP version not supported");

  Method method = Method::get;
  if (!aegis::parse_method(method_token, method)) return fail(ec, 501, "Method not implemented");
  if (method == Method::connect) return fail(ec, 501, "Method not implemented");
  RequestAccess::set_line(request_, method, target, version);
  if (const char* problem = set_target(request_, method, target)) return fail(ec, 400, problem);
}

namespace {
// Splits the request target into path and query (RFC 9112 section 3.2: origin-form, "*" for OPTIONS, or
// absolute-form). Returns what is wrong with it, or null.
const char* set_target(Request& request, Method method, std::string_view target) {
  std::string_view path_and_query;
  if (!target.empty() && target.front() == '/') {
    path_and_query = target;
  } else if (target == "*") {
    if (method != Method::options) return "Invalid request target";
    path_and_query = target;
  } else if (istarts_with(target, "http://") || istarts_with(target, "https://")) {
    // absolute-form: the path starts after the authority.
    const std::size_t authority = target.find("//") + 2;
    const std::size_t slash = target.find_first_of("/?#", authority);
    path_and_query = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    if (!path_and_query.empty() && path_and_query.front() == '?') {
      // "http://host?x" has an empty path: the query still belongs to "/".
      path_and_query = target.substr(slash);
    }
  } else {
    return "Invalid request target";
  }

  std::string_view raw_path = path_and_query;
  std::string_view query;
  const std::size_t hash = raw_path.find('#');
  if (hash != std::string_view::npos) raw_path = raw_path.substr(0, hash);
  const std::size_t qmark = raw_path.find('?');
  if (qmark != std::string_view::npos) {
    query = raw_path.substr(qmark + 1);
    raw_path = raw_path.substr(0, qmark);
  }
  if (raw_path.empty() || raw_path.front() != '/') {
    if (raw_path != "*") raw_path = "/";
  }
  if (!RequestAccess::set_target_parts(request, raw_path, query)) return "Invalid percent-encoding in path";
  return nullptr;
}
}  // namespace

void RequestParser::on_response_impl(int, boost::beast::string_view, int, error_code& ec) {
  ec = http::error::bad_method;
}

void RequestParser::on_field_impl(http::field name, boost::beast::string_view name_sv,
                                  boost::beast::string_view value_sv, error_code& ec) {
  const std::string_view field_name(name_sv.data(), name_sv.size());
  const std::string_view value(value_sv.data(), value_sv.size());
  if (value.data() < buffer_begin_ || value.data() >= buffer_end_) {
    // Beast rebuilt the value in its own storage: the field was folded across lines (obs-fold).
    if (!value.empty()) return fail(ec, 400, "Obsolete line folding is not accepted");
  }
  // Beast has already refused control characters (NUL, bare CR or LF, DEL) in values.

  if (header_done_) {
    // A trailer field of a chunked body: bounded, then ignored.
    trailer_bytes_ += field_name.size() + value.size() + 4;
    if (trailer_bytes_ > settings_.max_trailer_bytes) return fail(ec, 431, "Trailer section too large");
    return;
  }

  header_bytes_ += field_name.size() + value.size() + 4;
  if (header_bytes_ > settings_.max_header_bytes) return fail(ec, 431, "Request header fields too large");
  if (RequestAccess::header_count(request_) >= settings_.max_header_count) {
    return fail(ec, 431, "Too many header fields");
  }

  switch (name) {
    case http::field::host:
      ++host_count_;
      if (host_count_ > 1) return fail(ec, 400, "Duplicate Host header");
      if (!is_valid_host(value)) return fail(ec, 400, "Invalid Host header");
      break;
    case http::field::content_length:
      has_content_length_ = true;
      break;
    case http::field::content_type:
      RequestAccess::set_content_type(request_, value);
      break;
    case http::field::transfer_encoding: {
      has_transfer_encoding_ = true;
      // The codings of every Transfer-Encoding line, in order: only the last may be (and must be) chunked.
      std::string_view rest = value;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view coding = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (coding.empty()) continue;
        if (te_last_chunked_) return fail(ec, 400, "Transfer-Encoding has codings after chunked");
        if (iequals(coding, "chunked")) {
          te_last_chunked_ = true;
        } else {
          te_unsupported_ = true;
        }
      }
      break;
    }
    case http::field::expect:
      // RFC 9110 section 10.1.1: a 100-continue expectation from an HTTP/1.0 client is ignored (no 1xx
      // may be sent to it).
      if (request_.version() == 10 && iequals(trim(value), "100-continue")) break;
      if (iequals(trim(value), "100-continue")) {
        expect_continue_ = true;
      } else {
        return fail(ec, 417, "Unsupported expectation");
      }
      break;
    default:
      break;
  }
  RequestAccess::add_header(request_, field_name, value);
}

void RequestParser::on_header_impl(error_code& ec) {
  header_done_ = true;
  if (has_transfer_encoding_) {
    if (request_.version() == 10) return fail(ec, 400, "Transfer-Encoding is not allowed in HTTP/1.0");
    if (has_content_length_) return fail(ec, 400, "Content-Length and Transfer-Encoding together");
    if (!te_last_chunked_) return fail(ec, 400, "Transfer-Encoding must end with chunked");
    if (te_unsupported_) return fail(ec, 501, "Transfer coding not implemented");
    chunked_ = true;
  }
  if (request_.version() == 11 && host_count_ == 0) return fail(ec, 400, "Missing Host header");
  // RFC 9112 section 3.2.2: with an absolute-form target, the host is the target's authority and a Host
  // field that names another is ignored (checks of the host, such as the admin surfaces', see the former).
  if (const std::string_view target = request_.target();
      istarts_with(target, "http://") || istarts_with(target, "https://")) {
    const std::size_t start = target.find("//") + 2;
    const std::string_view authority = target.substr(start, target.find_first_of("/?#", start) - start);
    if (authority.empty() || !is_valid_host(authority)) return fail(ec, 400, "Invalid request target");
    RequestAccess::set_host(request_, authority);
  }
  if (has_content_length_) {
    if (auto len = content_length()) announced_length_ = *len;
  }
  RequestAccess::set_keep_alive(request_, keep_alive());
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {
  chunk_storage_.clear();
}

std::size_t RequestParser::on_body_impl(boost::beast::string_view body, error_code&) {
  const std::string_view current = request_.body();
  if (current.empty()) {
    RequestAccess::set_body(request_, {body.data(), body.size()});
  } else {
    // Content-Length bodies arrive contiguously in the read buffer.
    RequestAccess::set_body(request_, {current.data(), current.size() + body.size()});
  }
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, boost::beast::string_view extensions, error_code& ec) {
  if (extensions.size() > settings_.max_chunk_extension) return fail(ec, 400, "Chunk extension too long");
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code& ec) {
  if (chunk_storage_.size() + body.size() > settings_.max_body_bytes) {
    fail(ec, 413, "Request body too large");
    return 0;
  }
  chunk_storage_.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {
  if (chunked_) RequestAccess::set_body(request_, chunk_storage_);
}

std::size_t parse_simple_request(const char* data, std::size_t size, Request& request,
                                 const ServerSettings& settings) {
  const char* p = data;
  const char* const end = data + size;

  // Request line: METHOD SP target SP HTTP/1.x CRLF, with single spaces.
  const char* const method_begin = p;
  while (p < end && *p >= 'A' && *p <= 'Z') ++p;
  if (p == end || *p != ' ' || p == method_begin) return 0;
  const std::string_view method_token(method_begin, static_cast<std::size_t>(p - method_begin));
  Method method = Method::get;
  if (!aegis::parse_method(method_token, method) || method == Method::connect) return 0;
  const char* const target_begin = ++p;
  p = skip_range<0x21>(p, end);  // visible ASCII
  // Origin-form only: "*" and absolute-form targets (whose authority replaces Host) take the full parser.
  if (p == end || *p != ' ' || p == target_begin || *target_begin != '/') return 0;
  const std::string_view target(target_begin, static_cast<std::size_t>(p - target_begin));
  ++p;
  if (end - p < 10 || std::memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != '\r' ||
      p[9] != '\n') {
    return 0;
  }
  const int version = p[7] == '1' ? 11 : 10;
  p += 10;
  if (method_token.size() + target.size() + 10 > settings.max_request_line) return 0;
  RequestAccess::set_line(request, method, target, version);
  if (set_target(request, method, target) != nullptr) return 0;

  // Fields: name ":" OWS value OWS CRLF, up to the empty line.
  const std::size_t head_limit = settings.max_request_line + settings.max_header_bytes + 4;
  std::size_t header_bytes = 0;
  int hosts = 0;
  bool has_length = false;
  std::uint64_t length = 0;
  int connection = -1;  // -1: not said, 0: close, 1: keep-alive
  for (;;) {
    if (end - p < 2) return 0;
    if (p[0] == '\r') {
      if (p[1] != '\n') return 0;
      p += 2;
      break;
    }
    const auto* colon = static_cast<const char*>(std::memchr(p, ':', static_cast<std::size_t>(end - p)));
    if (colon == nullptr) return 0;
    const std::string_view name(p, static_cast<std::size_t>(colon - p));
    if (!is_valid_header_name(name)) return 0;  // empty, or not a token (a space, CR or LF in it)
    p = colon + 1;
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    const char* const value_begin = p;
    p = skip_simple_value(p, end);
    if (end - p < 3 || p[0] != '\r' || p[1] != '\n' || p[2] == ' ' || p[2] == '\t') return 0;  // obs-fold: not here
    const char* value_end = p;
    while (value_end > value_begin && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
    const std::string_view value(value_begin, static_cast<std::size_t>(value_end - value_begin));
    p += 2;
    header_bytes += name.size() + value.size() + 4;
    if (header_bytes > settings.max_header_bytes ||
        RequestAccess::header_count(request) >= settings.max_header_count ||
        static_cast<std::size_t>(p - data) > head_limit) {
      return 0;
    }
    switch (name.size()) {
      case 4:
        if (iequals(name, "host")) {
          if (++hosts > 1 || !is_valid_host(value)) return 0;
        }
        break;
      case 6:
        if (iequals(name, "expect")) return 0;
        break;
      case 7:
        if (iequals(name, "upgrade")) return 0;
        break;
      case 10:
        if (iequals(name, "connection")) {
          if (connection != -1) return 0;
          if (iequals(value, "close")) {
            connection = 0;
          } else if (iequals(value, "keep-alive")) {
            connection = 1;
          } else {
            return 0;
          }
        }
        break;
      case 12:
        if (iequals(name, "content-type")) RequestAccess::set_content_type(request, value);
        break;
      case 14:
        if (iequals(name, "content-length")) {
          if (has_length || value.empty() || value.size() > 18) return 0;
          for (char c : value) {
            if (c < '0' || c > '9') return 0;
            length = length * 10 + static_cast<std::uint64_t>(c - '0');
          }
          has_length = true;
        }
        break;
      case 16:
        if (iequals(name, "proxy-connection")) return 0;
        break;
      case 17:
        if (iequals(name, "transfer-encoding")) return 0;
        break;
      default:
        break;
    }
    RequestAccess::add_header(request, name, value);
  }
  if (static_cast<std::size_t>(p - data) >= head_limit) return 0;  // near Beast's own bound: let it judge
  if (version == 11 && hosts == 0) return 0;
  RequestAccess::set_keep_alive(request, version == 11 ? connection != 0 : connection == 1);

  if (has_length && length > 0) {
    if (length > settings.max_body_bytes || length > static_cast<std::uint64_t>(end - p)) return 0;
    RequestAccess::set_body(request, {p, static_cast<std::size_t>(length)});
    p += length;
  }
  return static_cast<std::size_t>(p - data);
}

}  // namespace aegis::net
