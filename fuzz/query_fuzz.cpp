// Fuzzes the query-string and path decoders of src/http/url.hpp: parse_query, percent_decode and
// normalize_path. Besides "never crash", each result is checked against what the header promises.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "http/url.hpp"

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// An independent reading of the decoding the header describes: "%XX" is a byte, '+' a space (query and
// form encoding), and a malformed escape is kept literally.
std::string reference_decode(std::string_view s, bool plus_is_space = true) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' && plus_is_space ? ' ' : s[i]);
    }
  }
  return out;
}

std::string percent_encode_all(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

void check_percent_decode(std::string_view in) {
  for (const bool plus_is_space : {false, true}) {
    std::string strict = "prefix";
    const bool strict_ok = aegis::detail::percent_decode(in, strict, plus_is_space, false);
    std::string lenient = "prefix";
    const bool lenient_ok = aegis::detail::percent_decode(in, lenient, plus_is_space, true);
    AEGIS_FUZZ_CHECK(lenient_ok, "lenient decoding never fails");
    AEGIS_FUZZ_CHECK(lenient.starts_with("prefix"), "decoding appends to what `out` holds");
    AEGIS_FUZZ_CHECK(lenient.size() <= in.size() + 6, "decoding never grows the text");
    if (strict_ok) {
      AEGIS_FUZZ_CHECK(strict == lenient, "without a malformed escape strict and lenient decoding agree");
    } else {
      AEGIS_FUZZ_CHECK(in.find('%') != std::string_view::npos, "only an escape can be malformed");
    }
    if (in.find('%') == std::string_view::npos && (!plus_is_space || in.find('+') == std::string_view::npos)) {
      AEGIS_FUZZ_CHECK(strict_ok && std::string_view(lenient).substr(6) == in, "text without escapes is kept as is");
    }
    AEGIS_FUZZ_CHECK(std::string_view(lenient).substr(6) == reference_decode(in, plus_is_space),
                     "lenient decoding matches the reference decoding");
  }
  // Every byte escaped: strict decoding gives the input back.
  std::string back;
  AEGIS_FUZZ_CHECK(aegis::detail::percent_decode(percent_encode_all(in), back, false, false) && back == in,
                   "decoding an all-escaped text gives the original bytes");
}

bool is_dot_segment(std::string_view seg) { return seg == "." || seg == ".."; }

void check_normalize_path(std::string_view data) {
  // The request parser only ever passes a raw path that starts with '/'.
  const std::string raw = "/" + std::string(data);
  std::string storage;
  std::string_view out;
  if (!aegis::detail::normalize_path(raw, storage, out)) {
    // A malformed escape, or a NUL byte (escaped, or raw in a path that needed dot segments removed; the
    // request parser never passes a raw NUL, Beast refuses it in the target).
    AEGIS_FUZZ_CHECK(raw.find_first_of(std::string_view("%\0", 2)) != std::string::npos,
                     "only an escape or a NUL byte can make a path malformed");
    return;
  }
  const bool views_raw = out.data() >= raw.data() && out.data() + out.size() <= raw.data() + raw.size();
  const bool views_storage =
      out.data() >= storage.data() && out.data() + out.size() <= storage.data() + storage.size();
  AEGIS_FUZZ_CHECK(views_raw || views_storage, "the path views either the raw path or the storage");
  AEGIS_FUZZ_CHECK(!out.empty() && out.front() == '/', "a normalised path starts with '/' (got \"%.*s\")",
                   static_cast<int>(out.size()), out.data());
  AEGIS_FUZZ_CHECK(out.find("/../") == std::string_view::npos, "no \"/../\" left in \"%.*s\"",
                   static_cast<int>(out.size()), out.data());
  std::size_t pos = 1;
  while (pos <= out.size()) {
    std::size_t end = out.find('/', pos);
    if (end == std::string_view::npos) end = out.size();
    AEGIS_FUZZ_CHECK(!is_dot_segment(out.substr(pos, end - pos)), "no dot segment left in \"%.*s\"",
                     static_cast<int>(out.size()), out.data());
    pos = end + 1;
  }
  if (raw.find('%') != std::string::npos) {
    AEGIS_FUZZ_CHECK(out.find('\0') == std::string_view::npos, "a decoded path holds no NUL byte");
  }
  // Normalising is idempotent once nothing is left to decode.
  if (out.find('%') == std::string_view::npos) {
    const std::string first(out);
    std::string storage2;
    std::string_view again;
    AEGIS_FUZZ_CHECK(aegis::detail::normalize_path(first, storage2, again) && again == first,
                     "normalising \"%s\" again changes it", first.c_str());
  }
}

bool views(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_parse_query(std::string_view query) {
  std::string storage = "stale";
  std::vector<aegis::QueryParam> params;
  aegis::detail::parse_query(query, storage, params);
  std::size_t i = 0;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;  // "a=1&&b=2": empty pairs are skipped
    AEGIS_FUZZ_CHECK(i < params.size(), "one parameter per non-empty pair");
    const std::size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    const std::string_view raw_value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    const auto& [name, value] = params[i];
    // Names and values view the query when they needed no decoding, the storage otherwise; the storage
    // never moved after they were taken (ASan would see a read of freed memory below).
    AEGIS_FUZZ_CHECK(views(name, raw_name.find_first_of("%+") == std::string_view::npos ? query : storage),
                     "parameter %zu's name views the query or the storage", i);
    AEGIS_FUZZ_CHECK(views(value, raw_value.find_first_of("%+") == std::string_view::npos ? query : storage),
                     "parameter %zu's value views the query or the storage", i);
    AEGIS_FUZZ_CHECK(name == reference_decode(raw_name), "parameter %zu's name", i);
    AEGIS_FUZZ_CHECK(value == reference_decode(raw_value), "parameter %zu's value", i);
    ++i;
  }
  AEGIS_FUZZ_CHECK(i == params.size(), "no parameter beyond the pairs (%zu pairs, %zu parameters)", i,
                   params.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_parse_query(input);
  check_percent_decode(input);
  check_normalize_path(input);
  return 0;
}
