#pragma once

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aegis::detail {

/// Percent-decodes `in` onto `out`. With `plus_is_space`, '+' decodes to ' ' (form and query encoding).
/// Returns false on a malformed escape; with `lenient`, a malformed escape is copied through instead.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space, bool lenient);

/// Turns the raw path of a request target into the path handlers see: percent-decoded, dot segments
/// removed (never above the root). `out` views either `raw` or `storage`. Returns false when the path has a
/// malformed escape or decodes to a NUL byte.
bool normalize_path(std::string_view raw, std::string& storage, std::string_view& out);

/// Appends `s` percent-encoded: every byte but RFC 3986's unreserved characters and those in `also_plain`
/// becomes %XX. With kPathChars, a decoded path ('%' and '\\' encoded); with none, a query name or value.
void percent_encode(std::string& out, std::string_view s, std::string_view also_plain = {});
/// RFC 3986's sub-delims, ':', '@' and '/': what a path carries as it is besides the unreserved characters.
inline constexpr std::string_view kPathChars = "!$&'()*+,;=:@/";

/// Decodes `a=1&b=x+y&a=2` into name/value pairs, repeated keys kept, blank values kept, malformed escapes
/// kept literally (as Starlette does). Names and values that need no decoding view `query`; the others
/// view `storage`, which is cleared and reserved once so that it never moves (decoding only shrinks).
void parse_query(std::string_view query, std::string& storage, std::vector<QueryParam>& out);

/// Splits a Cookie header value into name/value pairs; surrounding whitespace and quotes are removed.
void parse_cookies(std::string_view header, std::vector<HeaderField>& out);

/// The length of the well-formed UTF-8 sequence that starts at s[i] (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0 when none does.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept;

/// Appends `s` as a JSON string literal (quotes included), escaping what JSON requires; bytes that are not
/// well-formed UTF-8 become U+FFFD so that the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

}  // namespace aegis::detail
