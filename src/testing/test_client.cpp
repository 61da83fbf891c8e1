#include <aegis/testing/test_client.hpp>

#include <aegis/app/app.hpp>
#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/http/status.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "http/access.hpp"
#include "http/url.hpp"
#include "net/request_parser.hpp"

namespace aegis::testing {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// The leading digits of `s` as a number (at most `max_digits` of them), and how many there were.
std::pair<int, std::size_t> leading_number(std::string_view s, std::size_t max_digits) noexcept {
  int value = 0;
  std::size_t n = 0;
  while (n < s.size() && n < max_digits && is_digit(s[n])) value = value * 10 + (s[n++] - '0');
  return {value, n};
}

// RFC 6265 section 5.1.1: the lenient date of a cookie's Expires attribute ("Wed, 21 Oct 2015 07:28:00
// GMT", "Wednesday, 21-Oct-15 07:28:00 GMT", ...), as a UTC time; nullopt when it is not a date.
std::optional<std::chrono::sys_seconds> parse_cookie_date(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  auto is_delimiter = [](unsigned char c) {
    return c == 0x09 || (c >= 0x20 && c <= 0x2F) || (c >= 0x3B && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
  };
  std::optional<int> hour, minute, second, day, month, year;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view token = text.substr(start, i - start);
    if (token.empty()) continue;
    if (!hour) {
      // hms-time: 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT, then anything but a digit.
      const auto [h, hn] = leading_number(token, 2);
      if (hn > 0 && hn < token.size() && token[hn] == ':') {
        const auto [m, mn] = leading_number(token.substr(hn + 1), 2);
        const std::size_t after_m = hn + 1 + mn;
        if (mn > 0 && after_m < token.size() && token[after_m] == ':') {
          const auto [s, sn] = leading_number(token.substr(after_m + 1), 2);
          const std::size_t end = after_m + 1 + sn;
          if (sn > 0 && (end == token.size() || !is_digit(token[end]))) {
            hour = h, minute = m, second = s;
            continue;
          }
        }
      }
    }
    const auto [number, digits] = leading_number(token, 4);
    const bool ends_number = digits == token.size() || !is_digit(token[digits]);
    if (!day && digits >= 1 && digits <= 2 && ends_number) {
      day = number;
      continue;
    }
    if (!month && token.size() >= 3) {
      bool found = false;
      for (std::size_t m = 0; m < 12 && !found; ++m) {
        if (iequals(token.substr(0, 3), kMonths[m])) {
          month = static_cast<int>(m) + 1;
          found = true;
        }
      }
      if (found) continue;
    }
    if (!year && digits >= 2 && digits <= 4 && ends_number) year = number;
  }
  if (!hour || !day || !month || !year) return std::nullopt;
  int y = *year;
  if (y >= 70 && y <= 99) y += 1900;
  if (y >= 0 && y <= 69) y += 2000;
  if (*day < 1 || *day > 31 || y < 1601 || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
         std::chrono::seconds(*second);
}

// Applies one Set-Cookie value to the jar (RFC 6265 section 5.3): a Max-Age of 0 or less removes the
// cookie; without a Max-Age, an Expires date that is not in the future does.
void apply_set_cookie(std::map<std::string, std::string>& jar, std::string_view header) {
  const std::size_t semi = header.find(';');
  const std::string_view pair = header.substr(0, semi);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return;
  const std::string name(trim(pair.substr(0, eq)));
  std::string_view value = trim(pair.substr(eq + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  std::optional<bool> max_age_expired;  // the last valid Max-Age, which wins over any Expires
  std::optional<bool> expires_expired;  // the last valid Expires
  std::string_view attrs = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
  while (!attrs.empty()) {
    const std::size_t next = attrs.find(';');
    std::string_view attr = trim(attrs.substr(0, next));
    attrs = next == std::string_view::npos ? std::string_view{} : attrs.substr(next + 1);
    // RFC 6265 section 5.2: the attribute's name and value are trimmed around the '='.
    const std::size_t equals = attr.find('=');
    const std::string_view attr_name = trim(attr.substr(0, equals));
    const std::string_view attr_value =
        equals == std::string_view::npos ? std::string_view{} : trim(attr.substr(equals + 1));
    if (iequals(attr_name, "max-age")) {
      // A DIGIT or "-" first, then only DIGITs; anything else is not a Max-Age and is ignored.
      std::string_view n = attr_value;
      const bool negative = n.starts_with('-');
      if (negative) n.remove_prefix(1);
      if (n.empty() || !std::all_of(n.begin(), n.end(), is_digit)) continue;
      max_age_expired = negative || n.find_first_not_of('0') == std::string_view::npos;
    } else if (iequals(attr_name, "expires")) {
      if (const auto when = parse_cookie_date(attr_value)) {
        expires_expired = *when <= std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
      }
    }
  }
  if (max_age_expired.value_or(expires_expired.value_or(false))) {
    jar.erase(name);
  } else {
    jar[name] = std::string(value);
  }
}

}  // namespace

std::optional<std::string> TestResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers_) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> TestResponse::headers(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers_) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

Json TestResponse::json() const {
  boost::system::error_code ec;
  Json v = boost::json::parse(body_, ec);
  if (ec) throw std::runtime_error("the response body is not JSON (" + ec.message() + "): " + body_);
  return v;
}

TestRequest& TestRequest::header(std::string_view name, std::string_view value) {
  headers_.emplace_back(name, value);
  return *this;
}

TestRequest& TestRequest::query(std::string_view name, std::string_view value) {
  if (!has_query_ && target_.find('?') == std::string::npos) {
    target_.push_back('?');
  } else {
    target_.push_back('&');
  }
  has_query_ = true;
  detail::percent_encode(target_, name);
  target_.push_back('=');
  detail::percent_encode(target_, value);
  return *this;
}

TestRequest& TestRequest::cookie(std::string_view name, std::string_view value) {
  cookies_.emplace_back(name, value);
  return *this;
}

TestRequest& TestRequest::body(std::string content, std::string_view content_type) {
  body_ = std::move(content);
  for (auto it = headers_.begin(); it != headers_.end();) {
    it = iequals(it->first, "content-type") ? headers_.erase(it) : it + 1;
  }
  if (!content_type.empty()) headers_.emplace_back("Content-Type", content_type);
  return *this;
}

TestRequest& TestRequest::json(std::string_view json_text) { return body(std::string(json_text), "application/json"); }

TestRequest& TestRequest::form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string encoded;
  for (const auto& [name, value] : fields) {
    if (!encoded.empty()) encoded.push_back('&');
    detail::percent_encode(encoded, name);
    encoded.push_back('=');
    detail::percent_encode(encoded, value);
  }
  return body(std::move(encoded), "application/x-www-form-urlencoded");
}

TestResponse TestRequest::send() { return client_.run(*this); }

struct TestClient::Impl {
  boost::asio::io_context io{1};
  bool started = false;  // the lifespan ran its startup hooks: the destructor runs the shutdown hooks

  // Runs `task` to completion on this thread; rethrows what it threw.
  void complete(Task<> task) {
    std::exception_ptr error;
    boost::asio::co_spawn(io, std::move(task), [&error](std::exception_ptr e) { error = e; });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
  }
};

TestClient::TestClient(App& app) : app_(app), impl_(std::make_unique<Impl>()) { app_.freeze(); }

TestClient::TestClient(App& app, WithLifespan) : TestClient(app) {
  impl_->complete(app_.start());  // on failure App::start has already run the shutdown hooks
  impl_->started = true;
}

TestClient::~TestClient() {
  if (!impl_->started) return;
  try {
    impl_->complete(app_.stop());  // stop() logs a failing hook and runs the rest; it does not throw
  } catch (...) {
  }
}

TestResponse TestClient::run(const TestRequest& r) {
  // The request goes through the server's own parser, so that what a handler sees is what it would see
  // over a socket.
  std::string message(to_string(r.method_));
  message.push_back(' ');
  message.append(r.target_);
  message.append(" HTTP/1.1\r\n");
  bool has_host = false;
  for (const auto& [name, value] : r.headers_) {
    has_host = has_host || iequals(name, "host");
    message.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_host) message.append("Host: localhost\r\n");
  std::string cookie_line;
  for (const auto& entry : jar_) {
    const std::string& name = entry.first;
    const std::string& value = entry.second;
    const bool replaced =
        std::any_of(r.cookies_.begin(), r.cookies_.end(), [&](const auto& c) { return c.first == name; });
    if (replaced) continue;  // this request's own cookie of that name goes instead
    if (!cookie_line.empty()) cookie_line.append("; ");
    cookie_line.append(name).append("=").append(value);
  }
  for (const auto& [name, value] : r.cookies_) {
    if (!cookie_line.empty()) cookie_line.append("; ");
    cookie_line.append(name).append("=").append(value);
  }
  if (!cookie_line.empty()) message.append("Cookie: ").append(cookie_line).append("\r\n");
  if (!r.body_.empty() || r.method_ == Method::post || r.method_ == Method::put || r.method_ == Method::patch) {
    message.append("Content-Length: ").append(std::to_string(r.body_.size())).append("\r\n");
  }
  message.append("\r\n").append(r.body_);

  ServerSettings limits;
  Request req;
  std::string chunks;
  detail::RequestAccess::reset(req);
  net::RequestParser parser(req, chunks, limits, message.data(), message.data() + message.size());
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(message), ec);
  Response res;
  if (ec && ec != boost::beast::http::error::need_more) {
    const net::ParseFailure f = parser.failure(ec);
    res.error(f.status, f.detail);
  } else if (!parser.is_done()) {
    res.error(400, "Incomplete request");
  } else {
    detail::RequestAccess::set_client(req, client_ip_, client_port_);
    Task<> pending = app_.handle(req, res);
    if (pending.valid()) impl_->complete(std::move(pending));
  }

  TestResponse out;
  out.status_ = res.status();
  std::string_view head = res.header_block();
  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out.headers_.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  }
  // What the server would send: no body where the status forbids one (nor its length), none for HEAD (but
  // the length a GET would have).
  if (!status_forbids_body(res.status())) {
    out.headers_.emplace_back("Content-Length", std::to_string(res.body().size()));
    if (r.method_ != Method::head) out.body_ = res.body();
  }
  for (const auto& [name, value] : out.headers_) {
    if (iequals(name, "set-cookie")) apply_set_cookie(jar_, value);
  }
  return out;
}

}  // namespace aegis::testing
