#pragma once

#include <cstdint>
#include <string_view>

namespace aegis {

/// The request methods Aegis routes. A request with any other method token is answered 501 by the server
/// before it reaches the router.
enum class Method : std::uint8_t { get, head, post, put, patch, del, options, trace, connect };

inline constexpr std::size_t kMethodCount = 9;

/// The method's token as it appears on the wire ("GET", "DELETE", ...).
std::string_view to_string(Method m) noexcept;

/// Parses a method token (case-sensitive, as RFC 9110 requires). Returns false for unknown tokens.
bool parse_method(std::string_view token, Method& out) noexcept;

}  // namespace aegis
