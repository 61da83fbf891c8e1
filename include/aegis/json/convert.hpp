#pragma once

// Conversions between C++ values and JSON (and the text of path, query, header, cookie and form values):
// booleans, integers (range-checked), floating point, strings, described enums (by name), Uuid, Date,
// DateTime, std::optional, std::vector, string-keyed maps, aegis::Json, and described structs nested to any
// depth. Reading validates against the Rules declared for a value and reports every issue to a Validator.

#include <aegis/json/rules.hpp>
#include <aegis/json/types.hpp>
#include <aegis/json/validation.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace aegis {

/// A JSON value (Boost.JSON's `value`): a handler may take `Body<Json>` and return `Json`.
using Json = boost::json::value;

// ---- type classification ---------------------------------------------------------------------------------

namespace detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {
  using type = T;
};
template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {
  using type = T;
};
template <class T>
struct IsMap : std::false_type {};
template <class T, class C, class A>
struct IsMap<std::map<std::string, T, C, A>> : std::true_type {
  using type = T;
};
template <class T, class H, class E, class A>
struct IsMap<std::unordered_map<std::string, T, H, E, A>> : std::true_type {
  using type = T;
};

template <class T>
concept Described = boost::describe::has_describe_members<T>::value && std::is_class_v<T>;
template <class T>
concept DescribedEnum = std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;
template <class T>
concept Integer = std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
                  !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t> &&
                  !std::is_same_v<T, wchar_t>;
template <class T>
concept StringLike = std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>;
template <class T>
concept HasFieldRules = requires { aegis_field_rules(static_cast<const T*>(nullptr)); };

template <class T>
inline constexpr bool kAlwaysFalse = false;

/// The public members of a described struct (bases included).
template <class T>
using MembersOf = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;

/// The rules declared for each public member of T, in member order (null where none); built once.
template <class T>
const std::vector<const Rules*>& member_rules() {
  static const std::vector<const Rules*> table = [] {
    std::vector<const Rules*> v;
    [[maybe_unused]] FieldRules declared;
    if constexpr (HasFieldRules<T>) declared = aegis_field_rules(static_cast<const T*>(nullptr));
    boost::mp11::mp_for_each<MembersOf<T>>([&](auto D) { v.push_back(declared.find(D.name)); });
    return v;
  }();
  return table;
}

/// `{"first":`, `,"second":`, ... for the members of T: what write_json appends before each value. Built
/// once (member names are identifiers: nothing to escape).
template <class T>
const std::vector<std::string>& member_prefixes() {
  static const std::vector<std::string> prefixes = [] {
    std::vector<std::string> v;
    boost::mp11::mp_for_each<MembersOf<T>>([&](auto D) {
      v.push_back((v.empty() ? "{\"" : ",\"") + std::string(D.name) + "\":");
    });
    return v;
  }();
  return prefixes;
}

// Library helpers (src/json/convert.cpp).
void append_int(std::string& out, long long v);
void append_uint(std::string& out, unsigned long long v);
void append_double(std::string& out, double v);
/// `v` as JSON text for an issue's `input`.
std::string json_text(const Json& v);
/// `s` as a JSON string literal.
std::string json_quote(std::string_view s);
/// A rule bound as it appears in messages: "1", "2.5".
std::string format_bound(double v);
/// The input an issue quotes, rendered as JSON text only when an issue is actually recorded.
class IssueInput {
 public:
  /// A parsed JSON value.
  static IssueInput of(const Json& v) noexcept { return IssueInput(&v, {}, false); }
  /// A text value (path, query, ...), quoted as a JSON string.
  static IssueInput text(std::string_view s) noexcept { return IssueInput(nullptr, s, false); }
  /// JSON text, used as is.
  static IssueInput raw_json(std::string_view s) noexcept { return IssueInput(nullptr, s, true); }
  /// A JSON number's text: used as is unless it is outside what a double holds (1e400), which is quoted
  /// as null, as write_json prints non-finite numbers.
  static IssueInput number(std::string_view s) noexcept { return IssueInput(nullptr, s, true, true); }
  static IssueInput none() noexcept { return raw_json("null"); }
  std::string render() const;

 private:
  IssueInput(const Json* v, std::string_view s, bool raw, bool number = false) noexcept
      : json_(v), text_(s), raw_(raw), number_(number) {}
  const Json* json_;
  std::string_view text_;
  bool raw_;
  bool number_;
};

/// Checks `rules` against a number / a string (length in code points, pattern) / a list's or (with
/// `field_type` "Dictionary") a map's size.
void check_number(const Rules& rules, double v, const IssueInput& input, Validator& val);
void check_string(const Rules& rules, std::string_view s, const IssueInput& input, Validator& val);
void check_size(const Rules& rules, std::size_t n, const IssueInput& input, Validator& val,
                std::string_view field_type = "List");
/// A list's rules as they apply to each item: the bounds and the pattern; the lengths are the list's.
inline Rules item_rules(Rules list) noexcept {
  list.min_length = 0;
  list.max_length = std::numeric_limits<std::size_t>::max();
  return list;
}
/// Records the issue for an integer outside [min, max].
void fail_int_range(Validator& val, bool too_small, long long min, unsigned long long max, const std::string& input);
/// How many characters (code points) the UTF-8 text `s` holds: what MinLength and MaxLength count.
std::size_t code_points(std::string_view s) noexcept;
/// The double a JSON number's text holds: infinite beyond a double's range, zero below it.
double parse_json_double(std::string_view number) noexcept;
/// Records why an integer beyond T's range [min, max] failed: by the field's own bound when it breaks one
/// (FastAPI reports `le 1000` for a Max<1000> field, not the integer type's limit), else by the type's.
/// `value` is the number as a double (infinite when it is beyond a double too).
void fail_int_beyond(Validator& val, bool too_small, long long min, unsigned long long max, double value,
                     const Rules* rules, const IssueInput& input);
/// Parses `text` as a bool the way query parameters are read: true/false/1/0/yes/no/on/off, any case.
std::optional<bool> parse_bool_text(std::string_view text) noexcept;
/// Records the "enum" issue listing `names`.
void fail_enum(Validator& val, const std::vector<std::string_view>& names, const std::string& input);

/// How a JSON number held as a double converts to the integer type T.
enum class IntFromDouble { ok, fractional, too_small, too_large };
template <class T>
IntFromDouble int_from_double(double d, T& out) noexcept {
  if (std::isnan(d)) return IntFromDouble::fractional;
  if (std::isfinite(d) && std::trunc(d) != d) return IntFromDouble::fractional;
  // Both bounds are exact doubles: min is 0 or minus a power of two, max + 1 is a power of two.
  constexpr double lower = static_cast<double>(std::numeric_limits<T>::min());
  constexpr double upper = static_cast<double>(std::numeric_limits<T>::max()) + 1.0;
  if (d < lower) return IntFromDouble::too_small;
  if (d >= upper) return IntFromDouble::too_large;
  out = static_cast<T>(d);
  return IntFromDouble::ok;
}

/// Records the issue for a double `d` that did not convert to the integer type T.
template <class T>
void fail_int_from_double(Validator& val, IntFromDouble why, double d, const Rules* rules, const IssueInput& input) {
  if (why == IntFromDouble::fractional && !std::isnan(d)) {
    return val.fail("int_from_float", "Input should be a valid integer, got a number with a fractional part",
                    input.render());
  }
  if (!std::isfinite(d)) {
    // 1e400: a number beyond a double's range is not one a reader can hold.
    return val.fail("finite_number", "Input should be a finite number", input.render());
  }
  fail_int_beyond(val, why == IntFromDouble::too_small, static_cast<long long>(std::numeric_limits<T>::min()),
                  static_cast<unsigned long long>(std::numeric_limits<T>::max()), d, rules, input);
}

template <class E>
const std::vector<std::string_view>& enum_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) { v.push_back(D.name); });
    return v;
  }();
  return names;
}

template <class E>
bool enum_from_name(std::string_view name, E& out) noexcept {
  bool found = false;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
    if (!found && name == D.name) {
      out = D.value;
      found = true;
    }
  });
  return found;
}

template <class E>
std::string_view enum_to_name(E value) noexcept {
  std::string_view name;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
    if (name.empty() && value == D.value) name = D.name;
  });
  return name;
}

}  // namespace detail

/// Appends `s` as a JSON string literal (quotes included), escaping what JSON requires.
void append_json_string(std::string& out, std::string_view s);
/// Appends the serialisation of `v`.
void append_json(std::string& out, const Json& v);

// ---- writing ---------------------------------------------------------------------------------------------

/// Appends the JSON form of `value` to `out`. Described structs become objects with their public members in
/// declaration order; an empty optional becomes null; non-finite floating point values become null.
template <class T>
void write_json(std::string& out, const T& value) {
  using namespace detail;
  if constexpr (std::is_same_v<T, bool>) {
    out.append(value ? "true" : "false");
  } else if constexpr (Integer<T>) {
    if constexpr (std::is_signed_v<T>) {
      append_int(out, value);
    } else {
      append_uint(out, value);
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    append_double(out, static_cast<double>(value));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    append_json_string(out, std::string_view(value));
  } else if constexpr (DescribedEnum<T>) {
    append_json_string(out, enum_to_name(value));
  } else if constexpr (std::is_same_v<T, Uuid> || std::is_same_v<T, Date> || std::is_same_v<T, DateTime>) {
    append_json_string(out, value.to_string());
  } else if constexpr (IsOptional<T>::value) {
    if (value) {
      write_json(out, *value);
    } else {
      out.append("null");
    }
  } else if constexpr (IsVector<T>::value) {
    out.push_back('[');
    bool first = true;
    for (const auto& item : value) {
      if (!first) out.push_back(',');
      first = false;
      write_json(out, item);
    }
    out.push_back(']');
  } else if constexpr (IsMap<T>::value) {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, v] : value) {
      if (!first) out.push_back(',');
      first = false;
      append_json_string(out, k);
      out.push_back(':');
      write_json(out, v);
    }
    out.push_back('}');
  } else if constexpr (std::is_same_v<T, Json>) {
    append_json(out, value);
  } else if constexpr (Described<T>) {
    const auto& prefixes = member_prefixes<T>();
    std::size_t i = 0;
    boost::mp11::mp_for_each<MembersOf<T>>([&](auto D) {
      out.append(prefixes[i++]);
      write_json(out, value.*D.pointer);
    });
    out.append(i == 0 ? "{}" : "}");
  } else {
    static_assert(kAlwaysFalse<T>,
                  "aegis::write_json: this type has no JSON form; describe structs with BOOST_DESCRIBE_STRUCT and "
                  "enums with BOOST_DESCRIBE_ENUM");
  }
}

/// `value` as JSON text.
template <class T>
std::string to_json(const T& value) {
  std::string out;
  write_json(out, value);
  return out;
}

// ---- reading JSON ----------------------------------------------------------------------------------------

/// Reads `in` into `out`, validating it against `rules` (when given) and the rules declared for nested
/// struct members. Every issue is reported to `val` at its location; `out` is only meaningful when none
/// was. Unknown object keys are ignored.
template <class T>
void read_json(const Json& in, T& out, Validator& val, const Rules* rules = nullptr) {
  using namespace detail;
  if constexpr (std::is_same_v<T, bool>) {
    if (!in.is_bool()) return val.fail("bool_type", "Input should be a valid boolean", json_text(in));
    out = in.get_bool();
  } else if constexpr (Integer<T>) {
    long long as_signed = 0;
    unsigned long long as_unsigned = 0;
    bool negative = false;
    if (in.is_int64()) {
      as_signed = in.get_int64();
      negative = as_signed < 0;
      as_unsigned = negative ? 0 : static_cast<unsigned long long>(as_signed);
    } else if (in.is_uint64()) {
      as_unsigned = in.get_uint64();
    } else if (in.is_double()) {
      // A whole number written with a fraction or an exponent (5.0, 1e3), or beyond 64 bits.
      const IntFromDouble why = int_from_double(in.get_double(), out);
      if (why != IntFromDouble::ok) return fail_int_from_double<T>(val, why, in.get_double(), rules, IssueInput::of(in));
      if (rules != nullptr && rules->has_bounds()) check_number(*rules, static_cast<double>(out), IssueInput::of(in), val);
      return;
    } else {
      return val.fail("int_type", "Input should be a valid integer", json_text(in));
    }
    constexpr long long kMin = static_cast<long long>(std::numeric_limits<T>::min());
    constexpr unsigned long long kMax = static_cast<unsigned long long>(std::numeric_limits<T>::max());
    if (negative ? as_signed < kMin : as_unsigned > kMax) {
      const double value = negative ? static_cast<double>(as_signed) : static_cast<double>(as_unsigned);
      return fail_int_beyond(val, negative, kMin, kMax, value, rules, IssueInput::of(in));
    }
    out = negative ? static_cast<T>(as_signed) : static_cast<T>(as_unsigned);
    if (rules != nullptr && rules->has_bounds()) check_number(*rules, static_cast<double>(out), IssueInput::of(in), val);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!in.is_number()) return val.fail("float_type", "Input should be a valid number", json_text(in));
    out = static_cast<T>(in.to_number<double>());
    if (rules != nullptr && rules->has_bounds()) check_number(*rules, static_cast<double>(out), IssueInput::of(in), val);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!in.is_string()) return val.fail("string_type", "Input should be a valid string", json_text(in));
    const auto& s = in.get_string();
    out.assign(s.data(), s.size());
    if (rules != nullptr && (rules->has_lengths() || rules->compiled != nullptr)) {
      check_string(*rules, out, IssueInput::of(in), val);
    }
  } else if constexpr (DescribedEnum<T>) {
    if (!in.is_string() || !enum_from_name(std::string_view(in.get_string()), out)) {
      return fail_enum(val, enum_names<T>(), json_text(in));
    }
  } else if constexpr (std::is_same_v<T, Uuid>) {
    std::optional<Uuid> u;
    if (in.is_string()) u = Uuid::parse(std::string_view(in.get_string()));
    if (!u) return val.fail("uuid_parsing", "Input should be a valid UUID", json_text(in));
    out = *u;
  } else if constexpr (std::is_same_v<T, Date>) {
    std::optional<Date> d;
    if (in.is_string()) d = Date::parse(std::string_view(in.get_string()));
    if (!d) return val.fail("date_parsing", "Input should be a valid date in the format YYYY-MM-DD", json_text(in));
    out = *d;
  } else if constexpr (std::is_same_v<T, DateTime>) {
    std::optional<DateTime> d;
    if (in.is_string()) d = DateTime::parse(std::string_view(in.get_string()));
    if (!d) return val.fail("datetime_parsing", "Input should be a valid datetime", json_text(in));
    out = *d;
  } else if constexpr (IsOptional<T>::value) {
    if (in.is_null()) {
      out.reset();
      return;
    }
    read_json(in, out.emplace(), val, rules);
  } else if constexpr (IsVector<T>::value) {
    if (!in.is_array()) return val.fail("list_type", "Input should be a valid list", json_text(in));
    const auto& arr = in.get_array();
    out.clear();
    out.resize(arr.size());
    // A list's bounds and pattern apply to each item (as for a list query parameter); its lengths to it.
    Rules items;
    const bool item_checks = rules != nullptr && (rules->has_bounds() || rules->compiled != nullptr);
    if (item_checks) items = item_rules(*rules);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      Validator::Scope at(val, i);
      read_json(arr[i], out[i], val, item_checks ? &items : nullptr);
    }
    if (rules != nullptr && rules->has_lengths()) check_size(*rules, arr.size(), IssueInput::of(in), val);
  } else if constexpr (IsMap<T>::value) {
    if (!in.is_object()) return val.fail("dict_type", "Input should be a valid dictionary", json_text(in));
    out.clear();
    for (const auto& kv : in.get_object()) {
      const std::string_view key(kv.key().data(), kv.key().size());
      Validator::Scope at(val, key);
      read_json(kv.value(), out[std::string(key)], val);
    }
    if (rules != nullptr && rules->has_lengths()) {
      check_size(*rules, out.size(), IssueInput::of(in), val, "Dictionary");
    }
  } else if constexpr (std::is_same_v<T, Json>) {
    out = in;
  } else if constexpr (Described<T>) {
    if (!in.is_object()) {
      return val.fail("model_attributes_type", "Input should be a valid dictionary or object to extract fields from",
                      json_text(in));
    }
    const auto& obj = in.get_object();
    const auto& rules_table = member_rules<T>();
    std::size_t index = 0;
    boost::mp11::mp_for_each<MembersOf<T>>([&](auto D) {
      const Rules* member_rules = rules_table[index++];
      using M = std::remove_cvref_t<decltype(out.*D.pointer)>;
      Validator::Scope at(val, std::string_view(D.name));
      const Json* field = obj.if_contains(D.name);
      if (field == nullptr) {
        if (!IsOptional<M>::value && (member_rules == nullptr || !member_rules->optional)) {
          val.fail("missing", "Field required", json_text(in));
        }
        return;
      }
      read_json(*field, out.*D.pointer, val, member_rules);
    });
  } else {
    static_assert(kAlwaysFalse<T>,
                  "aegis::read_json: this type cannot be read from JSON; describe structs with BOOST_DESCRIBE_STRUCT "
                  "and enums with BOOST_DESCRIBE_ENUM");
  }
}

// ---- reading text (path, query, header, cookie and form values) -------------------------------------------

namespace detail {
template <class T>
concept TextScalar = std::is_same_v<T, bool> || Integer<T> || std::is_floating_point_v<T> ||
                     std::is_same_v<T, std::string> || DescribedEnum<T> || std::is_same_v<T, Uuid> ||
                     std::is_same_v<T, Date> || std::is_same_v<T, DateTime>;
}  // namespace detail

/// Reads one text value into a scalar `out` (see TextScalar), validating it against `rules`. Issues are
/// reported at the Validator's current location with the text as their input.
template <class T>
  requires detail::TextScalar<T>
void read_text(std::string_view text, T& out, Validator& val, const Rules* rules = nullptr) {
  using namespace detail;
  if constexpr (std::is_same_v<T, bool>) {
    auto b = parse_bool_text(text);
    if (!b) return val.fail("bool_parsing", "Input should be a valid boolean, unable to interpret input", json_quote(text));
    out = *b;
  } else if constexpr (Integer<T>) {
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    if constexpr (std::is_unsigned_v<T>) {
      // "-5" is a number below the type's range, not a malformed one.
      if (digits.size() == text.size() && digits.size() > 1 && digits.front() == '-' && digits[1] >= '0' &&
          digits[1] <= '9') {
        bool all_digits = true;
        for (char c : digits.substr(1)) all_digits = all_digits && c >= '0' && c <= '9';
        bool zero = true;
        for (char c : digits.substr(1)) zero = zero && c == '0';
        if (all_digits && !zero) {
          return fail_int_beyond(val, true, 0, static_cast<unsigned long long>(std::numeric_limits<T>::max()),
                                 parse_json_double(digits), rules, IssueInput::text(text));
        }
        if (all_digits) digits = digits.substr(1);
      }
    }
    T v{};
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc::result_out_of_range && end == digits.data() + digits.size()) {
      return fail_int_beyond(val, !digits.empty() && digits.front() == '-',
                             static_cast<long long>(std::numeric_limits<T>::min()),
                             static_cast<unsigned long long>(std::numeric_limits<T>::max()), parse_json_double(digits),
                             rules, IssueInput::text(text));
    }
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        (digits.size() != text.size() && (digits.front() == '+' || digits.front() == '-'))) {
      return val.fail("int_parsing", "Input should be a valid integer, unable to parse string as an integer",
                      json_quote(text));
    }
    out = v;
    if (rules != nullptr && rules->has_bounds()) check_number(*rules, static_cast<double>(out), IssueInput::text(text), val);
  } else if constexpr (std::is_floating_point_v<T>) {
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    const bool whole = end == digits.data() + digits.size();
    // Beyond a double's range: the infinity or zero the same number in a JSON body holds.
    if (ec == std::errc::result_out_of_range && whole) {
      v = parse_json_double(digits);
      ec = std::errc{};
    }
    const bool signed_twice = digits.size() != text.size() && !digits.empty() && digits.front() == '-';
    if (digits.empty() || ec != std::errc{} || !whole || signed_twice) {
      return val.fail("float_parsing", "Input should be a valid number, unable to parse string as a number",
                      json_quote(text));
    }
    out = static_cast<T>(v);
    if (rules != nullptr && rules->has_bounds()) check_number(*rules, v, IssueInput::text(text), val);
  } else if constexpr (std::is_same_v<T, std::string>) {
    out.assign(text);
    if (rules != nullptr && (rules->has_lengths() || rules->compiled != nullptr)) {
      check_string(*rules, text, IssueInput::text(text), val);
    }
  } else if constexpr (DescribedEnum<T>) {
    if (!enum_from_name(text, out)) return fail_enum(val, enum_names<T>(), json_quote(text));
  } else if constexpr (std::is_same_v<T, Uuid>) {
    auto u = Uuid::parse(text);
    if (!u) return val.fail("uuid_parsing", "Input should be a valid UUID", json_quote(text));
    out = *u;
  } else if constexpr (std::is_same_v<T, Date>) {
    auto d = Date::parse(text);
    if (!d) return val.fail("date_parsing", "Input should be a valid date in the format YYYY-MM-DD", json_quote(text));
    out = *d;
  } else {
    auto d = DateTime::parse(text);
    if (!d) return val.fail("datetime_parsing", "Input should be a valid datetime", json_quote(text));
    out = *d;
  }
}

}  // namespace aegis
