#include "http/url.hpp"

namespace aegis::detail {

namespace {
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space, bool lenient) {
  out.reserve(out.size() + in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        if (!lenient) return false;
        out.push_back(c);
        continue;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool normalize_path(std::string_view raw, std::string& storage, std::string_view& out) {
  // Fast path: nothing to decode and no dot segment to remove.
  if (raw.find('%') == std::string_view::npos &&
      (raw.find('.') == std::string_view::npos || raw.find("/.") == std::string_view::npos)) {
    out = raw;
    return true;
  }
  std::string decoded;
  if (!percent_decode(raw, decoded, false, false)) return false;
  if (decoded.find('\0') != std::string::npos) return false;

  storage.clear();
  storage.reserve(decoded.size());
  // decoded starts with '/': walk its segments, each preceded by a '/'.
  std::size_t pos = 1;
  while (pos <= decoded.size()) {
    std::size_t end = decoded.find('/', pos);
    const bool last = end == std::string::npos;
    if (last) end = decoded.size();
    std::string_view seg(decoded.data() + pos, end - pos);
    if (seg == ".") {
      if (last) storage.push_back('/');
    } else if (seg == "..") {
      const std::size_t slash = storage.rfind('/');
      storage.resize(slash == std::string::npos ? 0 : slash);
      if (last) storage.push_back('/');
    } else {
      storage.push_back('/');
      storage.append(seg);
    }
    pos = end + 1;
  }
  if (storage.empty()) storage.push_back('/');
  out = storage;
  return true;
}

void percent_encode(std::string& out, std::string_view s, std::string_view also_plain) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || c == '.' || c == '~' || also_plain.find(ch) != std::string_view::npos;
    if (plain) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
}

void parse_query(std::string_view query, std::string& storage, std::vector<QueryParam>& out) {
  storage.clear();
  storage.reserve(query.size());
  auto decode = [&storage](std::string_view raw, bool plain) -> std::string_view {
    if (plain) return raw;
    const std::size_t at = storage.size();
    percent_decode(raw, storage, true, true);
    return {storage.data() + at, storage.size() - at};
  };
  // One pass: each pair's '=' and whether its name or value holds '%' or '+' are noted on the way to '&'.
  const char* const data = query.data();
  const std::size_t size = query.size();
  std::size_t pos = 0;
  while (pos <= size) {
    std::size_t eq = std::string_view::npos;
    bool coded[2] = {false, false};  // name, value
    std::size_t end = pos;
    for (; end < size; ++end) {
      const char c = data[end];
      if (c == '&') break;
      if (c == '=' && eq == std::string_view::npos) {
        eq = end;
      } else if (c == '%' || c == '+') {
        coded[eq != std::string_view::npos] = true;
      }
    }
    if (end > pos) {
      QueryParam p;
      if (eq == std::string_view::npos) {
        p.name = decode({data + pos, end - pos}, !coded[0]);
      } else {
        p.name = decode({data + pos, eq - pos}, !coded[0]);
        p.value = decode({data + eq + 1, end - eq - 1}, !coded[1]);
      }
      out.push_back(p);
    }
    pos = end + 1;
  }
}

void parse_cookies(std::string_view header, std::vector<HeaderField>& out) {
  std::size_t pos = 0;
  while (pos <= header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view chunk = header.substr(pos, end - pos);
    const std::size_t eq = chunk.find('=');
    std::string_view name = eq == std::string_view::npos ? std::string_view{} : trim(chunk.substr(0, eq));
    std::string_view value = trim(eq == std::string_view::npos ? chunk : chunk.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (!name.empty() || !value.empty()) out.push_back({name, value});
    pos = end + 1;
  }
}

std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F)) return 0;  // overlong, surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 > 0x8F)) return 0;  // overlong, above U+10FFFF
    return 4;
  }
  return 0;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Fast path: printable ASCII without quotes or backslashes is copied as is.
  bool plain = true;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    plain &= c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  }
  if (plain) {
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  out.push_back('"');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else if (c < 0x80) {
          out.push_back(s[i]);
        } else if (const std::size_t n = utf8_sequence(s, i); n != 0) {
          out.append(s.substr(i, n));
          i += n - 1;
        } else {
          out.append("\\ufffd");  // not UTF-8: the output stays valid JSON
        }
    }
  }
  out.push_back('"');
}

}  // namespace aegis::detail
