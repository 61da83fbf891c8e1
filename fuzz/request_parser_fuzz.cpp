// Fuzzes the HTTP/1.1 request parser (aegis::net::RequestParser, src/net/request_parser.hpp) the way the
// connection drives it: the bytes are parsed once as if one read delivered them all, and once as if they
// arrived a few bytes at a time (the first input byte picks how many). Both must reach the same verdict and
// read the same request (with the exceptions explained below), and a refusal must carry one of the statuses
// the server answers parse errors with. The connection's fast path, parse_simple_request, must read every
// request it takes exactly as RequestParser does, and take none RequestParser would refuse.

#include <aegis/net/server_settings.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cstdio>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "http/access.hpp"
#include "net/request_parser.hpp"

namespace {

enum class Outcome { complete, incomplete, failed };

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::complete: return "complete";
    case Outcome::incomplete: return "incomplete";
    case Outcome::failed: return "failed";
  }
  return "?";
}

struct Result {
  Outcome outcome = Outcome::incomplete;
  bool in_header = true;  // whether a failure came before the header was complete
  int status = 0;
  std::string detail;
  std::size_t consumed = 0;
  // Of a complete request:
  std::string method, target, path, query, body;
  std::string fields;  // headers, query parameters and cookies, one a line
  bool keep_alive = false;
};

// Small limits, so that short inputs reach them too.
constexpr std::size_t kMaxRequestLine = 512;
constexpr std::size_t kMaxHeaderBytes = 1024;
// Beast's own bound on the request line and header together, as the parser sets it.
constexpr std::size_t kHeaderLimit = kMaxRequestLine + kMaxHeaderBytes + 4;

aegis::ServerSettings fuzz_settings() {
  aegis::ServerSettings s;
  s.max_request_line = kMaxRequestLine;
  s.max_header_bytes = kMaxHeaderBytes;
  s.max_header_count = 16;
  s.max_body_bytes = 1024;
  s.max_chunk_extension = 64;
  s.max_trailer_bytes = 256;
  return s;
}

// Parses `data` as if it arrived `step` bytes at a time (0: all at once). Bytes the parser did not consume
// stay in the buffer and are offered again with the next arrival, as the connection does.
const aegis::ServerSettings& settings() {
  static const aegis::ServerSettings s = fuzz_settings();
  return s;
}

void describe(const aegis::Request& request, Result& r);

Result parse(const std::vector<char>& data, std::size_t step) {
  const aegis::ServerSettings& limits = settings();
  aegis::Request request;
  aegis::detail::RequestAccess::reset(request);
  std::string chunk_storage;
  std::optional<aegis::net::RequestParser> parser;
  parser.emplace(request, chunk_storage, limits, data.data(), data.data() + data.size());

  Result r;
  std::size_t available = step == 0 ? data.size() : std::min(step, data.size());
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = parser->put(boost::asio::buffer(data.data() + r.consumed, available - r.consumed), ec);
    AEGIS_FUZZ_CHECK(n <= available - r.consumed, "put() consumed %zu of %zu bytes", n, available - r.consumed);
    r.consumed += n;
    if (ec && ec != boost::beast::http::error::need_more) {
      const aegis::net::ParseFailure f = parser->failure(ec);
      r.outcome = Outcome::failed;
      r.in_header = !parser->header_complete();
      r.status = f.status;
      r.detail = f.detail;
      return r;
    }
    if (parser->is_done()) {
      r.outcome = Outcome::complete;
      break;
    }
    if (n == 0 || r.consumed == available) {
      if (available == data.size()) return r;  // incomplete
      available = std::min(available + (step == 0 ? data.size() : step), data.size());
    }
  }

  describe(request, r);
  return r;
}

// The request as the parser that read it took it, through parse_simple_request (`consumed` 0: not taken).
Result parse_simple(const std::vector<char>& data) {
  aegis::Request request;
  aegis::detail::RequestAccess::reset(request);
  Result r;
  r.consumed = aegis::net::parse_simple_request(data.data(), data.size(), request, settings());
  if (r.consumed == 0) return r;
  r.outcome = Outcome::complete;
  describe(request, r);
  return r;
}

// Copies every view of a complete request into r (ASan checks that each points to live memory) so that the
// ways of reading it can be compared.
void describe(const aegis::Request& request, Result& r) {
  r.method = request.method_name();
  r.target = request.target();
  r.path = request.path();
  r.query = request.query_string();
  r.body = request.body();
  r.keep_alive = request.keep_alive();
  for (const auto& h : request.headers()) r.fields.append(h.name).append(": ").append(h.value).append("\n");
  for (const auto& p : request.query_params()) {
    r.fields.append("?").append(p.name).append("=").append(p.value).append("\n");
  }
  for (const auto& c : request.cookies()) {
    r.fields.append("cookie ").append(c.name).append("=").append(c.value).append("\n");
  }
  AEGIS_FUZZ_CHECK(!r.path.empty() && (r.path.front() == '/' || r.path == "*"), "path \"%s\"", r.path.c_str());
  AEGIS_FUZZ_CHECK(r.body.size() <= settings().max_body_bytes, "a body of %zu bytes passed the limit", r.body.size());
}

bool is_parse_status(int status) {
  for (int s : {400, 413, 414, 417, 431, 501, 505}) {
    if (status == s) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 16;
  // A heap copy of exactly the request's bytes, so that ASan notices any read past the end.
  const std::vector<char> bytes(data + 1, data + size);

  const Result whole = parse(bytes, 0);
  const Result steps = parse(bytes, step);

  if (aegis_fuzz::verbose()) {
    std::fprintf(stderr, "%s %d %s | %s %s, %zu body bytes, %zu of %zu bytes consumed\n%s",
                 outcome_name(whole.outcome), whole.status, whole.detail.c_str(), whole.method.c_str(),
                 whole.path.c_str(), whole.body.size(), whole.consumed, bytes.size(), whole.fields.c_str());
  }
  if (whole.outcome == Outcome::failed) {
    AEGIS_FUZZ_CHECK(is_parse_status(whole.status), "status %d (%s)", whole.status, whole.detail.c_str());
  }
  if (steps.outcome == Outcome::failed) {
    AEGIS_FUZZ_CHECK(is_parse_status(steps.status), "status %d (%s)", steps.status, steps.detail.c_str());
  }
  // A request completes both ways or neither. A refusal and a parser still waiting for bytes may differ:
  // given everything at once, Beast may refuse a malformed field early, while arriving in pieces it first
  // waits for the blank line. (A request line that ends before its version is refused at once both ways:
  // RequestParser::refuse_unfinishable_line.) Once the whole header is there, a
  // header refused both ways is refused with the same status. Body refusals may differ: Beast 1.81
  // re-parses a chunk header whose extension is unfinished (an unclosed quote) and subtracts the chunk size
  // from its body limit each time, so pieces can end in 413 where one piece ends in 400 or still waits.
  AEGIS_FUZZ_CHECK((whole.outcome == Outcome::complete) == (steps.outcome == Outcome::complete),
                   "in one piece: %s %d (%s); %zu bytes at a time: %s %d (%s)", outcome_name(whole.outcome),
                   whole.status, whole.detail.c_str(), step, outcome_name(steps.outcome), steps.status,
                   steps.detail.c_str());
  const std::string_view text(bytes.data(), bytes.size());
  const std::size_t header_end = text.find("\r\n\r\n");
  const bool whole_header = header_end != std::string_view::npos && header_end + 4 <= kHeaderLimit;
  if (whole_header && whole.outcome == Outcome::failed && steps.outcome == Outcome::failed && whole.in_header &&
      steps.in_header) {
    AEGIS_FUZZ_CHECK(whole.status == steps.status, "header refused in one piece: %d (%s); %zu bytes at a time: %d (%s)",
                     whole.status, whole.detail.c_str(), step, steps.status, steps.detail.c_str());
  }
  const Result simple = parse_simple(bytes);
  if (simple.outcome == Outcome::complete) {
    AEGIS_FUZZ_CHECK(whole.outcome == Outcome::complete, "the fast path took a request RequestParser left %s %d (%s)",
                     outcome_name(whole.outcome), whole.status, whole.detail.c_str());
    AEGIS_FUZZ_CHECK(simple.consumed == whole.consumed, "the fast path took %zu bytes, RequestParser %zu",
                     simple.consumed, whole.consumed);
    AEGIS_FUZZ_CHECK(simple.method == whole.method && simple.target == whole.target && simple.path == whole.path &&
                         simple.query == whole.query && simple.fields == whole.fields &&
                         simple.keep_alive == whole.keep_alive && simple.body == whole.body,
                     "the fast path read the request as RequestParser did:\n%s %s %d\n%s---\n%s %s %d\n%s",
                     simple.method.c_str(), simple.target.c_str(), simple.keep_alive, simple.fields.c_str(),
                     whole.method.c_str(), whole.target.c_str(), whole.keep_alive, whole.fields.c_str());
  }
  if (whole.outcome == Outcome::complete) {
    AEGIS_FUZZ_CHECK(whole.consumed == steps.consumed, "consumed %zu bytes in one piece, %zu in steps",
                     whole.consumed, steps.consumed);
    AEGIS_FUZZ_CHECK(whole.method == steps.method && whole.target == steps.target && whole.path == steps.path &&
                         whole.query == steps.query && whole.fields == steps.fields &&
                         whole.keep_alive == steps.keep_alive,
                     "the request line and headers read the same both ways");
    AEGIS_FUZZ_CHECK(whole.body == steps.body, "the body reads the same both ways (%zu vs %zu bytes)",
                     whole.body.size(), steps.body.size());
  }
  return 0;
}
