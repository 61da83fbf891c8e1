#include <aegis/middleware/security_headers.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>

#include <stdexcept>

#include "http/access.hpp"

namespace aegis {

SecurityHeaders::SecurityHeaders(Options options) : options_(std::move(options)) {
  auto add = [this](std::string name, const std::string& value) {
    if (value.empty()) return;
    if (!is_valid_header_value(value)) {
      throw std::invalid_argument("SecurityHeaders: the value of " + name + " contains control characters");
    }
    std::string text = name + ": " + value + "\r\n";
    block_ += text;
    lines_.push_back({std::move(name), std::move(text)});
  };
  add("X-Content-Type-Options", "nosniff");
  add("X-Frame-Options", options_.frame_options);
  add("Referrer-Policy", options_.referrer_policy);
  add("Content-Security-Policy", options_.content_security_policy);
  if (!options_.strict_transport_security.empty()) {
    if (!is_valid_header_value(options_.strict_transport_security)) {
      throw std::invalid_argument("SecurityHeaders: the Strict-Transport-Security value contains control characters");
    }
    hsts_ = "Strict-Transport-Security: " + options_.strict_transport_security + "\r\n";
  }
  block_names_ = detail::header_names_mask(block_);
}

void SecurityHeaders::on_response(Request& req, Response& res) {
  if (!detail::ResponseAccess::may_have_any(res, block_names_)) {
    // The common case, decided by the response's name mask alone: the handler set none of ours.
    detail::ResponseAccess::append_lines(res, block_, block_names_);
  } else {
    add_missing(res);
  }
  if (!hsts_.empty() && req.scheme() == "https" && !res.header("Strict-Transport-Security")) {
    detail::ResponseAccess::append_lines(res, hsts_);
  }
}

void SecurityHeaders::add_missing(Response& res) const {
  // One pass over the handler's header lines: which of ours did it set already?
  bool present[8] = {};
  bool any = false;
  std::string_view head = res.header_block();
  while (!head.empty()) {
    const std::size_t eol = head.find('\r');
    const std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    const std::string_view name = line.substr(0, line.find(':'));
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (name.size() == lines_[i].name.size() && iequals(name, lines_[i].name)) present[i] = any = true;
    }
  }
  if (!any) {
    detail::ResponseAccess::append_lines(res, block_, block_names_);
  } else {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (!present[i]) detail::ResponseAccess::append_lines(res, lines_[i].text);
    }
  }
}

std::string SecurityHeaders::options_json() const {
  return "{\"content_security_policy\":" + detail::json_quote(options_.content_security_policy) +
         ",\"frame_options\":" + detail::json_quote(options_.frame_options) +
         ",\"referrer_policy\":" + detail::json_quote(options_.referrer_policy) +
         ",\"strict_transport_security\":" + detail::json_quote(options_.strict_transport_security) + "}";
}

}  // namespace aegis
