// The fuzz build's handler for BOOST_ASSERT (BOOST_ENABLE_ASSERT_HANDLER): every failed assertion prints
// where it failed and aborts, as assert() would, so that the fuzzer reports it with the input.
//
// Beast 1.81's `n >= 5` in basic_parser::parse_chunk_header (the final chunk of an empty chunked body,
// then fewer than two more bytes) used to be let through here as a false alarm; RequestParser::put no
// longer offers Beast a chunked body's bytes fewer than five at a time, so it is checked like any other.

#include <boost/assert.hpp>

#include <cstdio>
#include <cstdlib>

namespace boost {

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost
