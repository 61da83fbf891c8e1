#pragma once

// Reading JSON text straight into C++ values, without building a document first: one pass over the text,
// strings decoded into their destination, numbers converted in place. Request bodies are read this way;
// `read_json` (convert.hpp) reads an already parsed `aegis::Json` the same way.

#include <aegis/json/convert.hpp>

#include <boost/json/parse.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace aegis {

namespace detail {

/// A strict RFC 8259 tokenizer over a whole JSON text. A syntax error is sticky: it records its position
/// and message, and every later call does nothing.
class JsonCursor {
 public:
  enum class Kind { object, array, string, number, literal_true, literal_false, null, invalid };
  /// The deepest nesting of objects and arrays accepted.
  static constexpr std::size_t kMaxDepth = 64;

  explicit JsonCursor(std::string_view text) noexcept : text_(text) {}

  bool failed() const noexcept { return error_ != nullptr; }
  std::size_t error_position() const noexcept { return error_pos_; }
  const char* error_message() const noexcept { return error_; }
  std::size_t position() const noexcept { return pos_; }
  std::string_view text() const noexcept { return text_; }

  /// The kind of the next value (after whitespace), without consuming it.
  Kind peek() noexcept;
  /// Consumes the next value whatever it is and returns its text.
  std::string_view skip_value();
  /// Consumes a string value into `out` (escapes decoded, UTF-8 checked).
  void read_string(std::string& out);
  /// Consumes a string value; returns a view of its decoded text: the raw text when it has no escapes,
  /// else `scratch`.
  std::string_view read_string_view(std::string& scratch);
  /// Consumes a number value and returns its text (grammar checked).
  std::string_view read_number();
  /// Consumes `true`, `false` or `null`.
  void read_literal();
  /// Consumes '{'. Then `next_member` returns true with the key for each member (the cursor before its
  /// value) and false at the closing '}' (consumed).
  void begin_object();
  bool next_member(std::string_view& key, std::string& scratch);
  /// Consumes '['; `next_element` returns true before each element and false at ']' (consumed).
  void begin_array();
  bool next_element();
  /// Only whitespace may follow the top-level value.
  void finish();

 private:
  void fail(const char* message) noexcept { fail_at(pos_, message); }
  void fail_at(std::size_t position, const char* message) noexcept;
  void skip_ws() noexcept;
  bool enter() noexcept;

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  bool first_ = false;
  const char* error_ = nullptr;
  std::size_t error_pos_ = 0;
};

/// Parses a JSON number's text into a signed / unsigned integer or a double. `fraction` is set when the
/// text has a fractional part or an exponent (the value is then read as a double).
bool parse_json_int(std::string_view number, long long& out, bool& overflow) noexcept;
bool parse_json_uint(std::string_view number, unsigned long long& out, bool& overflow) noexcept;
/// The first number in the (valid) JSON text `raw` that an `aegis::Json` cannot hold as written: an
/// integer beyond 64 bits (`integer` set; it would become an approximate double) or a number beyond a
/// double's range (it would become infinite). Empty when there is none.
std::string_view first_unrepresentable_number(std::string_view raw, bool& integer) noexcept;

template <class T>
void read_value(JsonCursor& c, T& out, Validator& val, const Rules* rules);

/// `raw` (a well-formed JSON text) re-written compactly, with numbers beyond a double's range as null:
/// what an issue's `input` quotes, so that a 422 body is always JSON every reader accepts.
std::string quoted_input(std::string_view raw);

// The value at the cursor has the wrong kind: consume it and record `type`.
inline void wrong_kind(JsonCursor& c, Validator& val, std::string_view type, std::string msg) {
  const std::string_view raw = c.skip_value();
  if (!c.failed()) val.fail(type, std::move(msg), quoted_input(raw));
}

template <class T>
void read_value(JsonCursor& c, T& out, Validator& val, const Rules* rules) {
  using Kind = JsonCursor::Kind;
  const Kind kind = c.peek();
  if (c.failed()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (kind != Kind::literal_true && kind != Kind::literal_false) {
      return wrong_kind(c, val, "bool_type", "Input should be a valid boolean");
    }
    out = kind == Kind::literal_true;
    c.read_literal();
  } else if constexpr (Integer<T>) {
    if (kind != Kind::number) return wrong_kind(c, val, "int_type", "Input should be a valid integer");
    const std::string_view number = c.read_number();
    if (c.failed()) return;
    const IssueInput input = IssueInput::number(number);
    bool overflow = false;
    long long s = 0;
    unsigned long long u = 0;
    bool negative = !number.empty() && number.front() == '-';
    bool whole = true;  // written without a fraction or an exponent (a plain loop: numbers are short)
    for (char ch : number) whole &= ch != '.' && ch != 'e' && ch != 'E';
    if (!whole) {
      // A whole number written with a fraction or an exponent (5.0, 1e3) converts; 5.5 does not.
      const double d = parse_json_double(number);
      const IntFromDouble why = int_from_double(d, out);
      if (why != IntFromDouble::ok) return fail_int_from_double<T>(val, why, d, rules, input);
      if (rules != nullptr && rules->has_bounds()) check_number(*rules, static_cast<double>(out), input, val);
      return;
    } else if (negative) {
      parse_json_int(number, s, overflow);
    } else {
      parse_json_uint(number, u, overflow);
    }
    constexpr long long kMin = static_cast<long long>(std::numeric_limits<T>::min());
    constexpr unsigned long long kMax = static_cast<unsigned long long>(std::numeric_limits<T>::max());
    if (overflow || (negative ? s < kMin : u > kMax)) {
      return fail_int_beyond(val, negative, kMin, kMax, parse_json_double(number), rules, input);
    }
    out = negative ? static_cast<T>(s) : static_cast<T>(u);
    if (rules != nullptr && rules->has_bounds()) check_number(*rules, static_cast<double>(out), input, val);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (kind != Kind::number) return wrong_kind(c, val, "float_type", "Input should be a valid number");
    const std::string_view number = c.read_number();
    if (c.failed()) return;
    out = static_cast<T>(parse_json_double(number));
    if (rules != nullptr && rules->has_bounds()) {
      check_number(*rules, static_cast<double>(out), IssueInput::number(number), val);
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (kind != Kind::string) return wrong_kind(c, val, "string_type", "Input should be a valid string");
    const std::size_t start = c.position();
    c.read_string(out);
    if (c.failed()) return;
    if (rules != nullptr && (rules->has_lengths() || rules->compiled != nullptr)) {
      check_string(*rules, out, IssueInput::raw_json(c.text().substr(start, c.position() - start)), val);
    }
  } else if constexpr (DescribedEnum<T> || std::is_same_v<T, Uuid> || std::is_same_v<T, Date> ||
                       std::is_same_v<T, DateTime>) {
    std::string scratch;
    if (kind != Kind::string) {
      const std::string_view raw = c.skip_value();
      if (c.failed()) return;
      if constexpr (DescribedEnum<T>) {
        return fail_enum(val, enum_names<T>(), quoted_input(raw));
      } else if constexpr (std::is_same_v<T, Uuid>) {
        return val.fail("uuid_parsing", "Input should be a valid UUID", quoted_input(raw));
      } else if constexpr (std::is_same_v<T, Date>) {
        return val.fail("date_parsing", "Input should be a valid date in the format YYYY-MM-DD", quoted_input(raw));
      } else {
        return val.fail("datetime_parsing", "Input should be a valid datetime", quoted_input(raw));
      }
    }
    const std::size_t start = c.position();
    const std::string_view s = c.read_string_view(scratch);
    if (c.failed()) return;
    const std::string_view raw = c.text().substr(start, c.position() - start);
    if constexpr (DescribedEnum<T>) {
      if (!enum_from_name(s, out)) fail_enum(val, enum_names<T>(), std::string(raw));
    } else {
      read_text(s, out, val);
      (void)raw;
    }
  } else if constexpr (IsOptional<T>::value) {
    if (kind == Kind::null) {
      c.read_literal();
      out.reset();
      return;
    }
    read_value(c, out.emplace(), val, rules);
  } else if constexpr (IsVector<T>::value) {
    if (kind != Kind::array) return wrong_kind(c, val, "list_type", "Input should be a valid list");
    const std::size_t start = c.position();
    out.clear();
    c.begin_array();
    // A list's bounds and pattern apply to each item (as for a list query parameter); its lengths to it.
    Rules items;
    const bool item_checks = rules != nullptr && (rules->has_bounds() || rules->compiled != nullptr);
    if (item_checks) items = item_rules(*rules);
    std::size_t i = 0;
    while (c.next_element()) {
      Validator::Scope at(val, i++);
      read_value(c, out.emplace_back(), val, item_checks ? &items : nullptr);
    }
    if (!c.failed() && rules != nullptr && (out.size() < rules->min_length || out.size() > rules->max_length)) {
      check_size(*rules, out.size(), IssueInput::raw_json(quoted_input(c.text().substr(start, c.position() - start))), val);
    }
  } else if constexpr (IsMap<T>::value) {
    if (kind != Kind::object) return wrong_kind(c, val, "dict_type", "Input should be a valid dictionary");
    const std::size_t start = c.position();
    out.clear();
    c.begin_object();
    std::string_view key;
    std::string scratch;
    while (c.next_member(key, scratch)) {
      std::string owned(key);
      Validator::Scope at(val, std::string_view(owned));  // issues copy their location when recorded
      read_value(c, out[owned], val, nullptr);
    }
    if (!c.failed() && rules != nullptr && (out.size() < rules->min_length || out.size() > rules->max_length)) {
      check_size(*rules, out.size(), IssueInput::raw_json(quoted_input(c.text().substr(start, c.position() - start))),
                 val, "Dictionary");
    }
  } else if constexpr (std::is_same_v<T, Json>) {
    const std::string_view raw = c.skip_value();
    if (c.failed()) return;
    // Boost.JSON would keep such a number only approximately: refused rather than changed.
    bool integer = false;
    if (const std::string_view bad = first_unrepresentable_number(raw, integer); !bad.empty()) {
      if (integer) {
        return val.fail("int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size",
                        std::string(bad));
      }
      return val.fail("finite_number", "Input should be a finite number", "null");
    }
    // The cursor has checked the text already (and its depth, which Boost.JSON's default would refuse).
    boost::json::parse_options options;
    options.max_depth = JsonCursor::kMaxDepth;
    boost::system::error_code ec;
    out = boost::json::parse(raw, ec, {}, options);
    if (ec) val.fail("json_invalid", "JSON decode error", "{}", "{\"error\":" + json_quote(ec.message()) + "}");
  } else if constexpr (Described<T>) {
    if (kind != Kind::object) {
      return wrong_kind(c, val, "model_attributes_type",
                        "Input should be a valid dictionary or object to extract fields from");
    }
    using Members = MembersOf<T>;
    constexpr std::size_t kCount = boost::mp11::mp_size<Members>::value;
    std::array<bool, kCount> seen{};
    const auto& rules_table = member_rules<T>();
    const std::size_t start = c.position();
    c.begin_object();
    std::string_view key;
    std::string scratch;
    while (c.next_member(key, scratch)) {
      bool matched = false;
      std::size_t index = 0;
      boost::mp11::mp_for_each<Members>([&](auto D) {
        const std::size_t i = index++;
        if (matched || key != std::string_view(D.name)) return;
        matched = true;
        if (seen[i]) val.drop_under(D.name);  // a repeated key: the last value wins, issues included
        seen[i] = true;
        Validator::Scope at(val, std::string_view(D.name));
        read_value(c, out.*D.pointer, val, rules_table[i]);
      });
      if (!matched) c.skip_value();
      if (c.failed()) return;
    }
    if (c.failed()) return;
    std::size_t index = 0;
    boost::mp11::mp_for_each<Members>([&](auto D) {
      const std::size_t i = index++;
      using M = std::remove_cvref_t<decltype(out.*D.pointer)>;
      if (seen[i] || IsOptional<M>::value || (rules_table[i] != nullptr && rules_table[i]->optional)) return;
      Validator::Scope at(val, std::string_view(D.name));
      val.fail("missing", "Field required", quoted_input(c.text().substr(start, c.position() - start)));
    });
  } else {
    static_assert(kAlwaysFalse<T>, "aegis: this type cannot be read from JSON; describe structs with "
                                   "BOOST_DESCRIBE_STRUCT and enums with BOOST_DESCRIBE_ENUM");
  }
}

}  // namespace detail

/// Reads the JSON text `text` into `out`, validating as `read_json` does, in one pass and without building
/// a document. Issues go to `val` at its current location; malformed JSON replaces them with one
/// `json_invalid` issue located at the byte offset of the error (FastAPI's shape).
template <class T>
void parse_json(std::string_view text, T& out, Validator& val, const Rules* rules = nullptr) {
  const std::size_t before = val.issue_count();
  detail::JsonCursor cursor(text);
  detail::read_value(cursor, out, val, rules);
  cursor.finish();
  if (cursor.failed()) {
    val.truncate(before);
    Validator::Scope at(val, cursor.error_position());
    val.fail("json_invalid", "JSON decode error", "{}",
             "{\"error\":" + detail::json_quote(cursor.error_message()) + "}");
  }
}

}  // namespace aegis
