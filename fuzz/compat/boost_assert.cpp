// The fuzz build's handler for BOOST_ASSERT (BOOST_ENABLE_ASSERT_HANDLER): every failed assertion aborts,
// as assert() would, except the known false alarms listed here, which would otherwise stop every run of
// the target that reaches them before it can find anything else.
//
// - Beast 1.81, basic_parser::parse_chunk_header: `n >= 5` fails when the final chunk "0\r\n" of a chunked
//   body arrived and the next read adds fewer than two bytes ("0\r\n", then "\r", then "\n"). The code
//   after it handles that case (it waits for the rest); Beast relaxed the assertion upstream (boostorg/beast
//   pull request 2861, Boost 1.86). Builds with NDEBUG (Release) never check it; Debug builds of Aegis abort
//   on such a request.

#include <boost/assert.hpp>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

bool known_false_alarm(std::string_view expr, std::string_view file) {
  return expr == "n >= 5" && file.ends_with("boost/beast/http/impl/basic_parser.ipp");
}

}  // namespace

namespace boost {

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  if (known_false_alarm(expr, file)) return;
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost
