#include <aegis/json/types.hpp>

#include <charconv>

namespace aegis {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads exactly `n` decimal digits at `s[pos]`; false when they are not all digits.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

void put_digits(std::string& out, long value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value < 0 ? -value : value);
  (void)ec;
  const auto len = static_cast<int>(end - buf);
  if (value < 0) out.push_back('-');
  for (int i = len; i < width; ++i) out.push_back('0');
  out.append(buf, static_cast<std::size_t>(end - buf));
}

std::optional<std::chrono::year_month_day> parse_ymd(std::string_view s) noexcept {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return std::nullopt;
  if (y < 1) return std::nullopt;  // ISO 8601's year 0000 is 1 BC: no date Python or most databases hold
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

void put_ymd(std::string& out, const std::chrono::year_month_day& ymd) {
  put_digits(out, static_cast<int>(ymd.year()), 4);
  out.push_back('-');
  put_digits(out, static_cast<unsigned>(ymd.month()), 2);
  out.push_back('-');
  put_digits(out, static_cast<unsigned>(ymd.day()), 2);
}

}  // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) noexcept {
  Uuid u;
  std::size_t nibble = 0;
  const bool hyphenated = text.size() == 36;
  if (!hyphenated && text.size() != 32) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (hyphenated && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    const int v = hex_value(text[i]);
    if (v < 0) return std::nullopt;
    auto& byte = u.bytes[nibble / 2];
    byte = static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : byte | v);
    ++nibble;
  }
  return u;
}

std::string Uuid::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes[i] >> 4]);
    s.push_back(kHex[bytes[i] & 0xf]);
  }
  return s;
}

std::optional<Date> Date::parse(std::string_view text) noexcept {
  auto ymd = parse_ymd(text);
  if (!ymd) return std::nullopt;
  return Date{*ymd};
}

std::string Date::to_string() const {
  std::string s;
  put_ymd(s, ymd);
  return s;
}

std::optional<DateTime> DateTime::parse(std::string_view s) noexcept {
  using namespace std::chrono;
  if (s.size() < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  auto ymd = parse_ymd(s.substr(0, 10));
  if (!ymd) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm)) return std::nullopt;
  std::size_t pos = 16;
  long micros = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, ss)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      std::size_t n = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (n < 6) micros = micros * 10 + (s[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0) return std::nullopt;
      for (std::size_t i = n; i < 6; ++i) micros *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  DateTime dt;
  if (pos < s.size()) {
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      dt.offset_minutes = 0;
    } else if ((s[pos] == '+' || s[pos] == '-') &&
               ((pos + 6 == s.size() && s[pos + 3] == ':') || pos + 5 == s.size())) {
      // +HH:MM, or ISO 8601's basic form +HHMM
      int oh = 0, om = 0;
      const std::size_t minutes_at = pos + 5 == s.size() ? pos + 3 : pos + 4;
      if (!digits(s, pos + 1, 2, oh) || !digits(s, minutes_at, 2, om) || oh > 23 || om > 59) return std::nullopt;
      dt.offset_minutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  const auto local = sys_days(*ymd) + hours(hh) + minutes(mm) + seconds(ss) + microseconds(micros);
  dt.time = local - minutes(dt.offset_minutes.value_or(0));
  return dt;
}

std::string DateTime::to_string() const {
  using namespace std::chrono;
  const auto local = time + minutes(offset_minutes.value_or(0));
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  hh_mm_ss<microseconds> tod(local - day);
  std::string s;
  s.reserve(32);
  put_ymd(s, ymd);
  s.push_back('T');
  put_digits(s, tod.hours().count(), 2);
  s.push_back(':');
  put_digits(s, tod.minutes().count(), 2);
  s.push_back(':');
  put_digits(s, tod.seconds().count(), 2);
  if (tod.subseconds().count() != 0) {
    s.push_back('.');
    put_digits(s, tod.subseconds().count(), 6);
  }
  if (offset_minutes) {
    const int off = *offset_minutes;
    if (off == 0) {
      s.push_back('Z');
    } else {
      s.push_back(off < 0 ? '-' : '+');
      put_digits(s, (off < 0 ? -off : off) / 60, 2);
      s.push_back(':');
      put_digits(s, (off < 0 ? -off : off) % 60, 2);
    }
  }
  return s;
}

}  // namespace aegis
