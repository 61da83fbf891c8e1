#include <aegis/middleware/security_headers.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>

#include <stdexcept>

#include "http/access.hpp"
#include "middleware/header_lines.hpp"

namespace aegis {

namespace detail {

std::vector<std::string> security_header_problems(const SecurityHeadersSettings& s) {
  std::vector<std::string> problems;
  const std::pair<const char*, const std::string*> values[] = {
      {"content_security_policy (AEGIS_CONTENT_SECURITY_POLICY)", &s.content_security_policy},
      {"frame_options (AEGIS_FRAME_OPTIONS)", &s.frame_options},
      {"referrer_policy (AEGIS_REFERRER_POLICY)", &s.referrer_policy},
      {"strict_transport_security (AEGIS_STRICT_TRANSPORT_SECURITY)", &s.strict_transport_security}};
  for (const auto& [name, value] : values) {
    if (!is_valid_header_value(*value)) problems.push_back(std::string(name) + ": contains control characters");
  }
  const bool same_origin = iequals(s.frame_options, "SAMEORIGIN");
  if (!s.frame_options.empty() && !same_origin && !iequals(s.frame_options, "DENY")) {
    problems.push_back("frame_options (AEGIS_FRAME_OPTIONS): expected DENY or SAMEORIGIN (or empty), got '" +
                       s.frame_options + "'");
  }
  // Referrer-Policy is a comma-separated list; browsers use the last token they know and ignore the rest.
  static constexpr std::string_view kPolicies[] = {"no-referrer", "no-referrer-when-downgrade", "origin",
                                                   "origin-when-cross-origin", "same-origin", "strict-origin",
                                                   "strict-origin-when-cross-origin", "unsafe-url"};
  std::string_view rest = s.referrer_policy;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view token = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    token = detail::trim_ows(token);
    bool known = false;
    for (const std::string_view p : kPolicies) known = known || iequals(token, p);
    if (!known) {
      problems.push_back("referrer_policy (AEGIS_REFERRER_POLICY): '" + std::string(token) +
                         "' is not a policy (no-referrer, same-origin, strict-origin-when-cross-origin, ...)");
    }
  }
  if (same_origin && s.content_security_policy.find("frame-ancestors 'none'") != std::string::npos) {
    problems.push_back(
        "frame_options (AEGIS_FRAME_OPTIONS) is SAMEORIGIN, but the Content-Security-Policy says frame-ancestors "
        "'none', which browsers follow: set the policy's frame-ancestors to 'self' too");
  }
  return problems;
}

}  // namespace detail

SecurityHeaders::SecurityHeaders(Options options) : options_(std::move(options)) {
  if (const auto problems = detail::security_header_problems(options_); !problems.empty()) {
    throw std::invalid_argument("SecurityHeaders: " + problems.front());
  }
  auto add = [this](std::string name, const std::string& value) {
    if (value.empty()) return;
    std::string text = name + ": " + value + "\r\n";
    block_ += text;
    lines_.push_back({std::move(name), std::move(text)});
  };
  add("X-Content-Type-Options", "nosniff");
  add("X-Frame-Options", options_.frame_options);
  add("Referrer-Policy", options_.referrer_policy);
  add("Content-Security-Policy", options_.content_security_policy);
  if (!options_.strict_transport_security.empty()) {
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
