#include <aegis/http/response.hpp>

#include <aegis/http/headers.hpp>


#include <cstring>
#include <stdexcept>
#include <string>

#include "http/access.hpp"
#include "http/url.hpp"

namespace aegis {

namespace {
bool is_managed(std::string_view name) noexcept {
  switch (name.size()) {
    case 4: return iequals(name, "date");
    case 6: return iequals(name, "server");
    case 10: return iequals(name, "connection");
    case 14: return iequals(name, "content-length");
    case 17: return iequals(name, "transfer-encoding");
    default: return false;
  }
}

void check_header(std::string_view name, std::string_view value) {
  if (!is_valid_header_name(name)) {
    throw std::invalid_argument("invalid response header name: '" + std::string(name) + "'");
  }
  if (!is_valid_header_value(value)) {
    throw std::invalid_argument("invalid value for response header " + std::string(name) +
                                " (control characters are not allowed)");
  }
  if (is_managed(name)) {
    throw std::invalid_argument("response header " + std::string(name) + " is set by the server");
  }
}

// Finds the next line of head whose name equals `name`, from `from`. Returns npos or the line start.
// The block only holds lines this class wrote: "Name: value\r\n", names without ':' and values without CR
// or LF, so the first ':' ends the name and the next '\n' ends the line.
std::size_t find_line(std::string_view head, std::string_view name, std::size_t from, std::size_t& line_end) {
  const char* base = head.data();
  while (from < head.size()) {
    const auto* colon = static_cast<const char*>(std::memchr(base + from, ':', head.size() - from));
    if (colon == nullptr) break;
    const auto name_len = static_cast<std::size_t>(colon - (base + from));
    const auto* lf = static_cast<const char*>(std::memchr(colon, '\n', head.size() - (colon - base)));
    const std::size_t next = lf == nullptr ? head.size() : static_cast<std::size_t>(lf - base) + 1;
    if (name_len == name.size() && iequals({base + from, name_len}, name)) {
      line_end = next;
      return from;
    }
    from = next;
  }
  return std::string_view::npos;
}
}  // namespace

Response& Response::set_status(int status) {
  if (status < 100 || status > 999) {
    throw std::invalid_argument("invalid HTTP status " + std::to_string(status));
  }
  status_ = status;
  return *this;
}

namespace {
constexpr std::string_view kTextPlain = "Content-Type: text/plain; charset=utf-8\r\n";
constexpr std::string_view kJson = "Content-Type: application/json\r\n";
constexpr std::uint64_t kContentTypeBit = detail::header_name_bit("Content-Type");
}  // namespace

// Replaces Content-Type with `line`, a whole constant header line.
void Response::set_content_type(std::string_view line) {
  remove_header("content-type");  // a mask test when there is none
  names_ |= kContentTypeBit;
  head_.append(line);
}

void Response::append_header(std::string_view name, std::string_view value) {
  names_ |= detail::header_name_bit(name);
  const std::size_t size = name.size() + value.size() + 4;
  if (size > 256) {
    head_.append(name).append(": ").append(value).append("\r\n");
    return;
  }
  // One append of the whole line: most lines are short, and the block's capacity is kept between requests.
  char line[256];
  std::memcpy(line, name.data(), name.size());
  std::memcpy(line + name.size(), ": ", 2);
  if (!value.empty()) std::memcpy(line + name.size() + 2, value.data(), value.size());
  std::memcpy(line + size - 2, "\r\n", 2);
  head_.append(line, size);
}

Response& Response::set_header(std::string_view name, std::string_view value) {
  check_header(name, value);
  remove_header(name);
  append_header(name, value);
  return *this;
}

Response& Response::add_header(std::string_view name, std::string_view value) {
  check_header(name, value);
  append_header(name, value);
  return *this;
}

Response& Response::remove_header(std::string_view name) {
  if (name.empty() || (names_ & detail::header_name_bit(name)) == 0) return *this;
  std::size_t end = 0;
  std::size_t pos = find_line(head_, name, 0, end);
  while (pos != std::string::npos) {
    head_.erase(pos, end - pos);
    pos = find_line(head_, name, pos, end);
  }
  return *this;
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  if (name.empty() || (names_ & detail::header_name_bit(name)) == 0) return std::nullopt;
  std::size_t end = 0;
  std::size_t pos = find_line(head_, name, 0, end);
  if (pos == std::string::npos) return std::nullopt;
  std::string_view line(head_.data() + pos, end - pos - 2);
  std::string_view value = line.substr(line.find(':') + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

Response& Response::set_body(std::string_view body) {
  body_.assign(body);
  return *this;
}

Response& Response::text(std::string_view body, int status) {
  set_status(status);
  set_content_type(kTextPlain);
  body_.assign(body);
  return *this;
}

Response& Response::json_text(std::string_view json, int status) {
  set_status(status);
  set_content_type(kJson);
  body_.assign(json);
  return *this;
}

std::string& Response::json_body(int status) {
  set_status(status);
  set_content_type(kJson);
  body_.clear();
  return body_;
}

Response& Response::error(int status, std::string_view detail) {
  set_status(status);
  set_content_type(kJson);
  body_.assign("{\"detail\":");
  detail::append_json_string(body_, detail);
  body_.push_back('}');
  return *this;
}

void Response::clear() noexcept {
  status_ = 200;
  close_ = false;
  names_ = 0;
  head_.clear();
  body_.clear();
  lasting_.clear();
}

namespace detail {

void ResponseAccess::restore_lasting(Response& r) noexcept {
  try {
    std::string_view rest = r.lasting_;
    while (!rest.empty()) {
      const std::size_t end = rest.find('\n');  // each line ends in CRLF
      if (end == std::string_view::npos) break;
      const std::string_view line = rest.substr(0, end + 1);
      rest.remove_prefix(line.size());
      if (!r.header(line.substr(0, line.find(':')))) append_lines(r, line);
    }
  } catch (...) {
    // Out of memory: the error answer goes without them.
  }
}

}  // namespace detail
}  // namespace aegis
