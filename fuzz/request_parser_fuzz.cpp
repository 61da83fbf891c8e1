// Fuzzes the HTTP/1.1 request parser (aegis::net::RequestParser, src/net/request_parser.hpp) the way the
// connection drives it: the bytes are parsed once as if one read delivered them all, and once as if they
// arrived a few bytes at a time (the first input byte picks how many). Both must reach the same outcome, and
// a refusal must carry one of the statuses the server answers parse errors with.

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
  int status = 0;
  std::string detail;
  std::size_t consumed = 0;
  // Of a complete request:
  std::string method, target, path, query, body;
  std::size_t header_count = 0;
  bool keep_alive = false;
};

// Small limits, so that short inputs reach them too.
aegis::ServerSettings fuzz_settings() {
  aegis::ServerSettings s;
  s.max_request_line = 512;
  s.max_header_bytes = 1024;
  s.max_header_count = 16;
  s.max_body_bytes = 1024;
  s.max_chunk_extension = 64;
  s.max_trailer_bytes = 256;
  return s;
}

// Parses `data` as if it arrived `step` bytes at a time (0: all at once). Bytes the parser did not consume
// stay in the buffer and are offered again with the next arrival, as the connection does.
Result parse(const std::vector<char>& data, std::size_t step) {
  static const aegis::ServerSettings settings = fuzz_settings();
  aegis::Request request;
  aegis::detail::RequestAccess::reset(request);
  std::string chunk_storage;
  std::optional<aegis::net::RequestParser> parser;
  parser.emplace(request, chunk_storage, settings, data.data(), data.data() + data.size());

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

  // Every view of a complete request is usable: walk them all.
  r.method = request.method_name();
  r.target = request.target();
  r.path = request.path();
  r.query = request.query_string();
  r.body = request.body();
  r.header_count = request.headers().size();
  r.keep_alive = request.keep_alive();
  AEGIS_FUZZ_CHECK(!r.path.empty() && (r.path.front() == '/' || r.path == "*"), "path \"%s\"", r.path.c_str());
  std::size_t total = 0;
  for (const auto& h : request.headers()) total += h.name.size() + h.value.size();
  for (const auto& p : request.query_params()) total += p.name.size() + p.value.size();
  for (const auto& c : request.cookies()) total += c.name.size() + c.value.size();
  static_cast<void>(request.header("host"));
  AEGIS_FUZZ_CHECK(r.body.size() <= settings.max_body_bytes, "a body of %zu bytes passed the limit", r.body.size());
  static_cast<void>(total);
  return r;
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
    std::fprintf(stderr, "%s %d %s | %s %s, %zu headers, %zu body bytes, %zu of %zu bytes consumed\n",
                 outcome_name(whole.outcome), whole.status, whole.detail.c_str(), whole.method.c_str(),
                 whole.path.c_str(), whole.header_count, whole.body.size(), whole.consumed, bytes.size());
  }
  if (whole.outcome == Outcome::failed) {
    AEGIS_FUZZ_CHECK(is_parse_status(whole.status), "status %d (%s)", whole.status, whole.detail.c_str());
  }
  if (steps.outcome == Outcome::failed) {
    AEGIS_FUZZ_CHECK(is_parse_status(steps.status), "status %d (%s)", steps.status, steps.detail.c_str());
  }
  // Given everything at once, Beast may refuse a malformed request line before the header is complete
  // ("GET / HTTP/1.x" with no blank line yet); arriving in pieces, it waits for the whole header first. So
  // an input that is still incomplete may be refused early; every verdict reached both ways must agree.
  const bool refused_early = whole.outcome == Outcome::failed && steps.outcome == Outcome::incomplete;
  AEGIS_FUZZ_CHECK(refused_early || (whole.outcome == steps.outcome && whole.status == steps.status),
                   "in one piece: %s %d (%s); %zu bytes at a time: %s %d (%s)", outcome_name(whole.outcome),
                   whole.status, whole.detail.c_str(), step, outcome_name(steps.outcome), steps.status,
                   steps.detail.c_str());
  if (whole.outcome == Outcome::complete) {
    AEGIS_FUZZ_CHECK(whole.consumed == steps.consumed, "consumed %zu bytes in one piece, %zu in steps",
                     whole.consumed, steps.consumed);
    AEGIS_FUZZ_CHECK(whole.method == steps.method && whole.target == steps.target && whole.path == steps.path &&
                         whole.query == steps.query && whole.header_count == steps.header_count &&
                         whole.keep_alive == steps.keep_alive,
                     "the request line and headers read the same both ways");
    AEGIS_FUZZ_CHECK(whole.body == steps.body, "the body reads the same both ways (%zu vs %zu bytes)",
                     whole.body.size(), steps.body.size());
  }
  return 0;
}
