#pragma once

#include <string_view>

namespace aegis {

/// ASCII case-insensitive comparison, as header names compare.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// One header field line of a request, as received (value without surrounding whitespace).
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

/// True when `name` is a valid field name (an RFC 9110 token).
bool is_valid_header_name(std::string_view name) noexcept;

/// True when `value` may be sent as a field value: no CR, LF, NUL or other control character except HTAB.
bool is_valid_header_value(std::string_view value) noexcept;

}  // namespace aegis
