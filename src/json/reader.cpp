#include <aegis/json/reader.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "http/url.hpp"

namespace aegis::detail {

namespace {
// Bytes a string scan must stop at: the quote, the backslash, control characters and non-ASCII.
struct StringStops {
  bool stop[256] = {};
  constexpr StringStops() {
    for (int c = 0; c < 0x20; ++c) stop[c] = true;
    for (int c = 0x80; c < 0x100; ++c) stop[c] = true;
    stop[static_cast<unsigned char>('"')] = true;
    stop[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr StringStops kStringStops;
}  // namespace

void JsonCursor::fail_at(std::size_t position, const char* message) noexcept {
  if (error_ != nullptr) return;
  error_ = message;
  error_pos_ = std::min(position, text_.size());
  pos_ = text_.size();
}

void JsonCursor::skip_ws() noexcept {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

bool JsonCursor::enter() noexcept {
  if (++depth_ > kMaxDepth) {
    fail("nesting too deep");
    return false;
  }
  return true;
}

JsonCursor::Kind JsonCursor::peek() noexcept {
  if (failed()) return Kind::invalid;
  skip_ws();
  if (pos_ >= text_.size()) {
    fail("unexpected end of input");
    return Kind::invalid;
  }
  switch (text_[pos_]) {
    case '{': return Kind::object;
    case '[': return Kind::array;
    case '"': return Kind::string;
    case 't': return Kind::literal_true;
    case 'f': return Kind::literal_false;
    case 'n': return Kind::null;
    case '-':
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      return Kind::number;
    default:
      fail("syntax error");
      return Kind::invalid;
  }
}

void JsonCursor::read_literal() {
  if (failed()) return;
  skip_ws();
  std::string_view word;
  switch (pos_ < text_.size() ? text_[pos_] : '\0') {
    case 't': word = "true"; break;
    case 'f': word = "false"; break;
    case 'n': word = "null"; break;
    default: return fail("syntax error");
  }
  if (text_.substr(pos_, word.size()) != word) return fail("syntax error");
  pos_ += word.size();
}

std::string_view JsonCursor::read_number() {
  if (failed()) return {};
  skip_ws();
  const std::size_t start = pos_;
  auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
  if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
  if (!digit()) {
    fail("syntax error in number");
    return {};
  }
  if (text_[pos_] == '0') {
    ++pos_;
  } else {
    while (digit()) ++pos_;
  }
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (!digit()) {
      fail("syntax error in number");
      return {};
    }
    while (digit()) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (!digit()) {
      fail("syntax error in number");
      return {};
    }
    while (digit()) ++pos_;
  }
  return text_.substr(start, pos_ - start);
}

namespace {
int hex4(std::string_view s, std::size_t pos) noexcept {
  if (pos + 4 > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + 4; ++i) {
    const char c = s[i];
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}
}  // namespace

std::string_view JsonCursor::read_string_view(std::string& scratch) {
  if (failed()) return {};
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '"') {
    fail("expected a string");
    return {};
  }
  ++pos_;
  const std::size_t start = pos_;
  bool escaped = false;
  // First pass: find the end, check the bytes, note whether anything needs decoding.
  while (pos_ < text_.size()) {
    while (pos_ < text_.size() && !kStringStops.stop[static_cast<unsigned char>(text_[pos_])]) ++pos_;
    if (pos_ >= text_.size()) break;
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') break;
    if (c == '\\') {
      escaped = true;
      if (pos_ + 1 >= text_.size()) {  // a backslash as the last byte: unterminated
        pos_ = text_.size();
        break;
      }
      pos_ += 2;
      continue;
    }
    if (c < 0x20) {
      fail("control character in string");
      return {};
    }
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(text_, pos_);
      if (n == 0) {
        fail("invalid UTF-8 in string");
        return {};
      }
      pos_ += n;
      continue;
    }
    ++pos_;
  }
  if (pos_ >= text_.size()) {
    fail("unterminated string");
    return {};
  }
  const std::string_view raw = text_.substr(start, pos_ - start);
  ++pos_;  // the closing quote
  if (!escaped) return raw;

  scratch.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      scratch.push_back(raw[i]);
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case '"': scratch.push_back('"'); break;
      case '\\': scratch.push_back('\\'); break;
      case '/': scratch.push_back('/'); break;
      case 'b': scratch.push_back('\b'); break;
      case 'f': scratch.push_back('\f'); break;
      case 'n': scratch.push_back('\n'); break;
      case 'r': scratch.push_back('\r'); break;
      case 't': scratch.push_back('\t'); break;
      case 'u': {
        const std::size_t at = start + i - 1;  // the backslash
        int cp = hex4(raw, i + 1);
        if (cp < 0) {
          fail_at(at, "invalid \\u escape");
          return {};
        }
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const int low = (i + 2 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') ? hex4(raw, i + 3) : -1;
          if (low < 0xDC00 || low > 0xDFFF) {
            fail_at(at, "unpaired surrogate in \\u escape");
            return {};
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail_at(at, "unpaired surrogate in \\u escape");
          return {};
        }
        append_utf8(scratch, static_cast<unsigned>(cp));
        break;
      }
      default:
        fail_at(start + i - 1, "invalid escape in string");
        return {};
    }
  }
  return scratch;
}

void JsonCursor::read_string(std::string& out) {
  std::string scratch;
  const std::string_view s = read_string_view(scratch);
  if (failed()) return;
  if (s.data() == scratch.data()) {
    out = std::move(scratch);
  } else {
    out.assign(s);
  }
}

void JsonCursor::begin_object() {
  if (failed()) return;
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '{') return fail("expected an object");
  if (!enter()) return;
  ++pos_;
  first_ = true;
}

bool JsonCursor::next_member(std::string_view& key, std::string& scratch) {
  if (failed()) return false;
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == '}') {
    ++pos_;
    --depth_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (pos_ >= text_.size() || text_[pos_] != ',') {
      fail("expected ',' or '}'");
      return false;
    }
    ++pos_;
    skip_ws();
  }
  first_ = false;
  key = read_string_view(scratch);
  if (failed()) return false;
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != ':') {
    fail("expected ':'");
    return false;
  }
  ++pos_;
  return true;
}

void JsonCursor::begin_array() {
  if (failed()) return;
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '[') return fail("expected an array");
  if (!enter()) return;
  ++pos_;
  first_ = true;
}

bool JsonCursor::next_element() {
  if (failed()) return false;
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == ']') {
    ++pos_;
    --depth_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (pos_ >= text_.size() || text_[pos_] != ',') {
      fail("expected ',' or ']'");
      return false;
    }
    ++pos_;
  }
  first_ = false;
  return true;
}

std::string_view JsonCursor::skip_value() {
  const Kind kind = peek();
  const std::size_t start = pos_;
  std::string scratch;
  switch (kind) {
    case Kind::object: {
      begin_object();
      std::string_view key;
      while (next_member(key, scratch)) skip_value();
      break;
    }
    case Kind::array:
      begin_array();
      while (next_element()) skip_value();
      break;
    case Kind::string: read_string_view(scratch); break;
    case Kind::number: read_number(); break;
    case Kind::literal_true:
    case Kind::literal_false:
    case Kind::null: read_literal(); break;
    case Kind::invalid: return {};
  }
  if (failed()) return {};
  return text_.substr(start, pos_ - start);
}

void JsonCursor::finish() {
  if (failed()) return;
  skip_ws();
  if (pos_ != text_.size()) fail("extra data after the JSON value");
}

namespace {
void requote(JsonCursor& c, std::string& out) {
  std::string scratch;
  switch (c.peek()) {
    case JsonCursor::Kind::object: {
      c.begin_object();
      out.push_back('{');
      std::string_view key;
      bool first = true;
      while (c.next_member(key, scratch)) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        requote(c, out);
      }
      out.push_back('}');
      break;
    }
    case JsonCursor::Kind::array: {
      c.begin_array();
      out.push_back('[');
      bool first = true;
      while (c.next_element()) {
        if (!first) out.push_back(',');
        first = false;
        requote(c, out);
      }
      out.push_back(']');
      break;
    }
    case JsonCursor::Kind::string:
      append_json_string(out, c.read_string_view(scratch));
      break;
    case JsonCursor::Kind::number:
      out.append(IssueInput::number(c.read_number()).render());
      break;
    case JsonCursor::Kind::literal_true:
    case JsonCursor::Kind::literal_false:
    case JsonCursor::Kind::null: {
      const std::string_view raw = c.skip_value();
      out.append(raw);
      break;
    }
    case JsonCursor::Kind::invalid:
      break;
  }
}
}  // namespace

std::string quoted_input(std::string_view raw) {
  JsonCursor c(raw);
  std::string out;
  requote(c, out);
  return c.failed() ? std::string("null") : out;
}

bool parse_json_int(std::string_view number, long long& out, bool& overflow) noexcept {
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), out);
  overflow = ec == std::errc::result_out_of_range;
  return ec == std::errc{} && end == number.data() + number.size();
}

bool parse_json_uint(std::string_view number, unsigned long long& out, bool& overflow) noexcept {
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), out);
  overflow = ec == std::errc::result_out_of_range;
  return ec == std::errc{} && end == number.data() + number.size();
}

std::string_view first_unrepresentable_number(std::string_view raw, bool& integer) noexcept {
  std::size_t i = 0;
  while (i < raw.size()) {
    const char c = raw[i];
    if (c == '"') {  // a string: skipped, escapes included
      for (++i; i < raw.size() && raw[i] != '"'; ++i) {
        if (raw[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    bool fraction = false;
    while (i < raw.size() && ((raw[i] >= '0' && raw[i] <= '9') || raw[i] == '-' || raw[i] == '+' || raw[i] == '.' ||
                              raw[i] == 'e' || raw[i] == 'E')) {
      fraction = fraction || raw[i] == '.' || raw[i] == 'e' || raw[i] == 'E';
      ++i;
    }
    const std::string_view number = raw.substr(start, i - start);
    if (!fraction) {
      bool overflow = false;
      long long s = 0;
      unsigned long long u = 0;
      if (number.front() == '-' ? (parse_json_int(number, s, overflow), overflow)
                                : (parse_json_uint(number, u, overflow), overflow)) {
        integer = true;
        return number;
      }
    } else if (std::isinf(parse_json_double(number))) {
      integer = false;
      return number;
    }
  }
  return {};
}

double parse_json_double(std::string_view number) noexcept {
  double v = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
  (void)end;
  if (ec == std::errc::result_out_of_range) {
    // Too large: an infinity of the right sign; too small: zero.
    v = std::strtod(std::string(number).c_str(), nullptr);
  }
  return v;
}

}  // namespace aegis::detail
