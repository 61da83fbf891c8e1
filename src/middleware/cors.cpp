#include <aegis/middleware/cors.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>

#include <algorithm>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string_view>

#include "http/access.hpp"
#include "middleware/header_lines.hpp"

namespace aegis {

using detail::add_vary;
using detail::for_each_line;

namespace {

constexpr std::string_view kAllMethods[] = {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"};
constexpr std::string_view kSafelistedHeaders[] = {"Accept", "Accept-Language", "Content-Language", "Content-Type"};

// The regex only ever sees origins up to this length: real origins are far shorter, and libstdc++'s
// recursive matcher must not be handed an attacker-sized string.
constexpr std::size_t kMaxRegexOrigin = 1024;

bool starts_with_icase(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// The CORS-relevant request headers, found in one pass (the first line of each, as Starlette reads them).
struct CorsHeaders {
  std::optional<std::string_view> origin;
  std::optional<std::string_view> request_method;
  std::optional<std::string_view> request_headers;
  std::optional<std::string_view> request_private_network;
  bool cookie = false;
};

CorsHeaders scan(const Request& req) noexcept {
  CorsHeaders h;
  for (const HeaderField& f : req.headers()) {
    switch (f.name.size()) {
      case 6:
        if (!h.origin && iequals(f.name, "origin")) h.origin = f.value;
        else if (iequals(f.name, "cookie")) h.cookie = true;
        break;
      case 29:
        if (!h.request_method && iequals(f.name, "access-control-request-method")) h.request_method = f.value;
        break;
      case 30:
        if (!h.request_headers && iequals(f.name, "access-control-request-headers")) h.request_headers = f.value;
        break;
      case 38:
        if (!h.request_private_network && iequals(f.name, "access-control-request-private-network")) {
          h.request_private_network = f.value;
        }
        break;
      default:
        break;
    }
  }
  return h;
}

}  // namespace

struct Cors::Impl {
  Options options;
  bool allow_all_origins = false;
  bool allow_all_headers = false;
  bool explicit_origin = false;  // reflect the origin rather than answer "*"
  std::vector<std::string> origins;  // sorted, for binary search
  std::optional<std::regex> origin_regex;
  std::vector<std::string> methods;
  std::vector<std::string> allowed_headers;  // lower case, safelisted ones included
  std::string preflight_lines;  // what every preflight answer carries
  std::string simple_lines;     // Allow-Credentials and Expose-Headers lines for simple responses

  bool origin_allowed(std::string_view origin) const {
    if (allow_all_origins) return true;
    if (std::binary_search(origins.begin(), origins.end(), origin, std::less<>{})) return true;
    return origin_regex && origin.size() <= kMaxRegexOrigin &&
           std::regex_match(origin.begin(), origin.end(), *origin_regex);
  }

  bool method_allowed(std::string_view method) const noexcept {
    return std::any_of(methods.begin(), methods.end(), [&](const std::string& m) { return m == method; });
  }

  bool headers_allowed(std::string_view requested) const noexcept {
    while (!requested.empty()) {
      const std::size_t comma = requested.find(',');
      const std::string_view item = detail::trim_ows(requested.substr(0, comma));
      requested = comma == std::string_view::npos ? std::string_view{} : requested.substr(comma + 1);
      if (item.empty()) continue;  // an empty list element means nothing (RFC 9110 section 5.6.1)
      const bool ok = std::any_of(allowed_headers.begin(), allowed_headers.end(),
                                  [&](const std::string& h) { return iequals(h, item); });
      if (!ok) return false;
    }
    return true;
  }
};

Cors::Cors(Options options) : impl_(nullptr) {
  auto m = std::make_unique<Impl>();
  m->options = std::move(options);
  const Options& o = m->options;

  for (const auto& origin : o.allow_origins) {
    if (origin == "*") {
      m->allow_all_origins = true;
      continue;
    }
    if (origin.empty() || !is_valid_header_value(origin) || origin.find_first_of(" \t,") != std::string::npos) {
      throw std::invalid_argument("Cors: '" + origin + "' is not an origin (scheme://host[:port])");
    }
    if (origin.back() == '/') {
      throw std::invalid_argument("Cors: origin '" + origin +
                                  "' ends with '/': browsers send origins without a path, so it would never match");
    }
    m->origins.push_back(origin);
  }
  std::sort(m->origins.begin(), m->origins.end());

  if (!o.allow_origin_regex.empty()) {
    try {
      m->origin_regex.emplace(o.allow_origin_regex, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("Cors: allow_origin_regex '" + o.allow_origin_regex +
                                  "' is not a valid ECMAScript regular expression: " + e.what());
    }
  }

  for (const auto& method : o.allow_methods) {
    if (!is_valid_header_name(method)) throw std::invalid_argument("Cors: '" + method + "' is not a method token");
  }
  if (std::find(o.allow_methods.begin(), o.allow_methods.end(), "*") != o.allow_methods.end()) {
    m->methods.assign(std::begin(kAllMethods), std::end(kAllMethods));
  } else {
    m->methods = o.allow_methods;
  }

  std::vector<std::string> headers(std::begin(kSafelistedHeaders), std::end(kSafelistedHeaders));
  for (const auto& header : o.allow_headers) {
    if (!is_valid_header_name(header)) throw std::invalid_argument("Cors: '" + header + "' is not a header name");
    if (header == "*") m->allow_all_headers = true;
    headers.push_back(header);
  }
  // Starlette lists sorted(SAFELISTED | set(allow_headers)); duplicates are dropped regardless of case.
  std::sort(headers.begin(), headers.end());
  std::vector<std::string> unique;
  for (auto& h : headers) {
    const bool seen = std::any_of(unique.begin(), unique.end(), [&](const std::string& u) { return iequals(u, h); });
    if (!seen) unique.push_back(std::move(h));
  }
  for (const auto& h : unique) {
    std::string lower = h;
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    m->allowed_headers.push_back(std::move(lower));
  }

  for (const auto& header : o.expose_headers) {
    if (!is_valid_header_name(header)) throw std::invalid_argument("Cors: '" + header + "' is not a header name");
  }
  if (o.max_age < 0) throw std::invalid_argument("Cors: max_age must not be negative");

  // Browsers refuse "*" together with credentials, so with credentials the origin is always reflected.
  m->explicit_origin = !m->allow_all_origins || o.allow_credentials;

  std::string& pre = m->preflight_lines;
  pre += m->explicit_origin ? "Vary: Origin\r\n" : "Access-Control-Allow-Origin: *\r\n";
  pre += "Access-Control-Allow-Methods: " + join(m->methods) + "\r\n";
  pre += "Access-Control-Max-Age: " + std::to_string(o.max_age) + "\r\n";
  if (!m->allow_all_headers) pre += "Access-Control-Allow-Headers: " + join(unique) + "\r\n";
  if (o.allow_credentials) pre += "Access-Control-Allow-Credentials: true\r\n";

  if (o.allow_credentials) m->simple_lines += "Access-Control-Allow-Credentials: true\r\n";
  if (!o.expose_headers.empty()) m->simple_lines += "Access-Control-Expose-Headers: " + join(o.expose_headers) + "\r\n";

  impl_ = std::move(m);
}

Cors::~Cors() = default;

bool Cors::on_request(Request& req, Response& res) {
  if (req.method() != Method::options) return false;
  const CorsHeaders h = scan(req);
  if (!h.origin || !h.request_method) return false;
  const Impl& m = *impl_;

  // The 200 or 400 answer carries the same headers (Starlette's preflight_response).
  const bool origin_ok = is_valid_header_value(*h.origin) && m.origin_allowed(*h.origin);
  const bool bad_origin = !origin_ok;
  const bool bad_method = !m.method_allowed(*h.request_method);
  bool bad_headers = false;
  bool bad_private_network = false;
  if (h.request_headers) {
    if (m.allow_all_headers) {
      bad_headers = !is_valid_header_value(*h.request_headers);
    } else {
      bad_headers = !m.headers_allowed(*h.request_headers);
    }
  }
  if (h.request_private_network) bad_private_network = !m.options.allow_private_network;

  if (!bad_origin && !bad_method && !bad_headers && !bad_private_network) {
    res.text("OK", 200);
  } else {
    res.text("Disallowed CORS", 400);
    std::string& body = res.body();
    char sep = ' ';
    auto fail = [&](bool failed, std::string_view what) {
      if (!failed) return;
      body.push_back(sep);
      if (sep == ',') body.push_back(' ');
      body.append(what);
      sep = ',';
    };
    fail(bad_origin, "origin");
    fail(bad_method, "method");
    fail(bad_headers, "headers");
    fail(bad_private_network, "private-network");
  }
  detail::ResponseAccess::append_lines(res, m.preflight_lines);
  if (origin_ok && m.explicit_origin) res.add_header("Access-Control-Allow-Origin", *h.origin);
  if (m.allow_all_headers && h.request_headers && !bad_headers) {
    res.add_header("Access-Control-Allow-Headers", *h.request_headers);
  }
  if (h.request_private_network && m.options.allow_private_network) {
    detail::ResponseAccess::append_lines(res, "Access-Control-Allow-Private-Network: true\r\n");
  }
  return true;
}

void Cors::on_response(Request& req, Response& res) {
  const CorsHeaders h = scan(req);
  if (!h.origin) return;
  if (req.method() == Method::options && h.request_method) return;  // a preflight, answered in on_request
  const Impl& m = *impl_;
  const std::string_view origin = *h.origin;

  bool reflect = true;
  if (m.allow_all_origins) {
    // A request carrying cookies must see its own origin, never "*" (Starlette does the same).
    reflect = m.explicit_origin || h.cookie;
  } else if (!m.origin_allowed(origin)) {
    return;  // the browser enforces the refusal: the response simply carries no CORS headers
  }
  if (reflect && !is_valid_header_value(origin)) return;

  // Starlette replaces what the handler set for the headers this layer owns; the usual response has none.
  bool handler_set_cors = false;
  for_each_line(res.header_block(), [&](std::string_view name, std::string_view) {
    handler_set_cors = handler_set_cors || starts_with_icase(name, "access-control-");
  });
  if (handler_set_cors) {
    res.remove_header("Access-Control-Allow-Origin");
    if (m.options.allow_credentials) res.remove_header("Access-Control-Allow-Credentials");
    if (!m.options.expose_headers.empty()) res.remove_header("Access-Control-Expose-Headers");
  }
  detail::ResponseAccess::append_lines(res, m.simple_lines);
  if (!reflect) {
    detail::ResponseAccess::append_lines(res, "Access-Control-Allow-Origin: *\r\n");
    return;
  }
  res.add_header("Access-Control-Allow-Origin", origin);
  add_vary(res, "Origin", "Vary: Origin\r\n");
}

std::string Cors::options_json() const {
  const Options& o = impl_->options;
  std::string out = "{\"allow_origins\":";
  write_json(out, o.allow_origins);
  out += ",\"allow_methods\":";
  write_json(out, o.allow_methods);
  out += ",\"allow_headers\":";
  write_json(out, o.allow_headers);
  out += ",\"allow_credentials\":";
  write_json(out, o.allow_credentials);
  out += ",\"allow_origin_regex\":" + detail::json_quote(o.allow_origin_regex);
  out += ",\"allow_private_network\":";
  write_json(out, o.allow_private_network);
  out += ",\"expose_headers\":";
  write_json(out, o.expose_headers);
  out += ",\"max_age\":";
  write_json(out, o.max_age);
  out += '}';
  return out;
}

}  // namespace aegis
