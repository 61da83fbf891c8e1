#pragma once

#include <string_view>

namespace aegis {

/// The reason phrase for a status code ("Not Found"), or "Unknown" for codes without one.
std::string_view reason_phrase(int status) noexcept;

/// True for statuses that must not carry a body (1xx, 204, 304).
constexpr bool status_forbids_body(int status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace aegis
