#pragma once

// Helpers the built-in middleware share for reading and editing a response's header block.

#include <aegis/http/headers.hpp>
#include <aegis/http/response.hpp>

#include <string>
#include <string_view>

#include "http/access.hpp"

namespace aegis::detail {

inline std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(name, value) for every line of a response header block.
template <class Fn>
inline void for_each_line(std::string_view head, Fn&& fn) {
  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fn(line.substr(0, colon), trim_ows(line.substr(colon + 1)));
  }
}

// Adds `token` to the response's Vary: a new line when there is none, else one line holding the existing
// values followed by the token (Starlette's add_vary_header). Nothing when it is listed already or Vary is "*".
inline void add_vary(Response& res, std::string_view token, std::string_view new_line) {
  thread_local std::string merged;  // capacity kept: no allocation once warm
  merged.clear();
  bool any = false;
  bool listed = false;
  for_each_line(res.header_block(), [&](std::string_view name, std::string_view value) {
    if (name.size() != 4 || !iequals(name, "vary")) return;
    any = true;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = trim_ows(rest.substr(0, comma));
      if (item == "*" || iequals(item, token)) listed = true;
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    if (value.empty()) return;
    if (!merged.empty()) merged += ", ";
    merged += value;
  });
  if (listed) return;
  if (!any) {
    ResponseAccess::append_lines(res, new_line);
    return;
  }
  if (!merged.empty()) merged += ", ";
  merged += token;
  res.set_header("Vary", merged);
}


}  // namespace aegis::detail
