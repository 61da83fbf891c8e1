#include <aegis/http/request.hpp>

#include "http/access.hpp"
#include "http/url.hpp"

namespace aegis {

std::string_view Request::header(std::string_view name) const noexcept {
  for (const auto& f : headers_) {
    if (f.name.size() == name.size() && iequals(f.name, name)) return f.value;
  }
  return {};
}

bool Request::has_header(std::string_view name) const noexcept {
  for (const auto& f : headers_) {
    if (f.name.size() == name.size() && iequals(f.name, name)) return true;
  }
  return false;
}

std::span<const QueryParam> Request::query_params() const {
  if (!query_parsed_) {
    query_params_.clear();
    detail::parse_query(query_, query_storage_, query_params_);
    query_parsed_ = true;
  }
  return query_params_;
}

std::optional<std::string_view> Request::query(std::string_view name) const {
  for (const auto& p : query_params()) {
    if (p.name == name) return p.value;
  }
  return std::nullopt;
}

std::span<const HeaderField> Request::cookies() const {
  if (!cookies_parsed_) {
    cookies_.clear();
    for (const auto& f : headers_) {
      if (iequals(f.name, "cookie")) detail::parse_cookies(f.value, cookies_);
    }
    cookies_parsed_ = true;
  }
  return cookies_;
}

std::optional<std::string_view> Request::cookie(std::string_view name) const {
  for (const auto& c : cookies()) {
    if (c.name == name) return c.value;
  }
  return std::nullopt;
}

std::string_view Request::path_param(std::string_view name) const noexcept {
  for (const auto& p : path_params_) {
    if (p.name == name) return p.value;
  }
  return {};
}

}  // namespace aegis

namespace aegis::detail {

bool RequestAccess::set_target_parts(Request& r, std::string_view raw_path, std::string_view query) {
  r.query_ = query;
  return normalize_path(raw_path, r.path_storage_, r.path_);
}

void RequestAccess::set_host(Request& r, std::string_view host) {
  for (auto& h : r.headers_) {
    if (iequals(h.name, "host")) {
      h.value = host;
      return;
    }
  }
  r.headers_.push_back({"Host", host});
}

void RequestAccess::relocate(Request& r, const char* old_begin, const char* old_end,
                             const char* new_begin) noexcept {
  auto move = [&](std::string_view& v) {
    if (v.data() >= old_begin && v.data() < old_end) v = {new_begin + (v.data() - old_begin), v.size()};
  };
  move(r.target_);
  move(r.path_);
  move(r.query_);
  move(r.body_);
  move(r.content_type_);
  for (auto& h : r.headers_) {
    move(h.name);
    move(h.value);
  }
}

}  // namespace aegis::detail
