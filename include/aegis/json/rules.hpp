#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>

namespace aegis {

/// A string usable as a template argument: `aegis::Query<int, "limit">`, `aegis::Pattern<"^[a-z]+$">`.
template <std::size_t N>
struct FixedString {
  char data[N]{};
  consteval FixedString(const char (&s)[N]) {  // NOLINT(google-explicit-constructor): literals convert
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  constexpr std::string_view view() const noexcept { return {data, N - 1}; }
};

namespace detail {
/// What a rule tag applies to: numbers (bounds), strings or lists (lengths), strings (a pattern).
enum class RuleTarget { number, sized, text };

template <class T>
concept OptionalLike = requires(const T& t) {
  t.has_value();
  *t;
};
template <class T>
concept TextLike = std::is_convertible_v<const T&, std::string_view>;
template <class T>
concept ListLike = !TextLike<T> && requires(const T& t) {
  typename T::value_type;
  t.begin();
  t.size();
};
template <class T>
struct RuleSubject {
  using type = T;
};
template <OptionalLike T>
struct RuleSubject<T> {
  using type = std::remove_cvref_t<decltype(*std::declval<const T&>())>;
};
/// The value a bound or a pattern checks: T, the U of `std::optional<U>`, or a list's items.
template <class T>
struct RuleScalar {
  using type = typename RuleSubject<T>::type;
};
template <class T>
  requires ListLike<typename RuleSubject<T>::type>
struct RuleScalar<T> {
  using type = typename RuleSubject<typename RuleSubject<T>::type::value_type>::type;
};
template <class Tag, RuleTarget target>
constexpr bool rule_targets() {
  if constexpr (requires { Tag::target; }) {
    return Tag::target == target;
  } else {
    return false;
  }
}

/// Checked where rules meet the type they constrain (a parameter, a struct member): a rule that cannot
/// apply to it is a compile error, not a constraint that is silently never checked.
template <class T, class... Tags>
struct RulesFit {
  using Subject = typename RuleSubject<T>::type;
  using Scalar = typename RuleScalar<T>::type;
  static_assert(!(rule_targets<Tags, RuleTarget::number>() || ...) ||
                    (std::is_arithmetic_v<Scalar> && !std::is_same_v<Scalar, bool>),
                "aegis: Min, Max, Gt and Lt apply to numbers (or a list's numbers); for a string's or a list's "
                "length use MinLength and MaxLength");
  static_assert(!(rule_targets<Tags, RuleTarget::sized>() || ...) || TextLike<Subject> || ListLike<Subject>,
                "aegis: MinLength and MaxLength apply to strings and lists");
  static_assert(!(rule_targets<Tags, RuleTarget::text>() || ...) || TextLike<Scalar>,
                "aegis: Pattern applies to strings (or a list's strings)");
  static constexpr bool value = true;
};

struct Pattern;
/// Compiles `pattern` (ECMAScript syntax) once and keeps it for the life of the process. Throws
/// `std::invalid_argument` naming the pattern when it does not compile.
const Pattern* compile_pattern(std::string_view pattern);
/// True when `pattern` matches somewhere in `text` (JSON Schema's and pydantic's `pattern` semantics).
bool pattern_matches(const Pattern* pattern, std::string_view text);
}  // namespace detail

/// The constraints of one value, declared once and used both to validate input and to document it:
/// bounds for numbers, lengths for strings and lists, a pattern for strings.
struct Rules {
  double minimum = 0, maximum = 0, exclusive_minimum = 0, exclusive_maximum = 0;
  bool has_minimum = false, has_maximum = false, has_exclusive_minimum = false, has_exclusive_maximum = false;
  std::size_t min_length = 0;
  std::size_t max_length = std::numeric_limits<std::size_t>::max();
  std::string_view pattern;
  const detail::Pattern* compiled = nullptr;
  std::string_view description;
  /// A struct member that may be absent from the input; it then keeps its default value.
  bool optional = false;

  bool has_bounds() const noexcept {
    return has_minimum || has_maximum || has_exclusive_minimum || has_exclusive_maximum;
  }
  bool has_lengths() const noexcept {
    return min_length != 0 || max_length != std::numeric_limits<std::size_t>::max();
  }
  bool empty() const noexcept { return !has_bounds() && !has_lengths() && pattern.empty(); }
};

/// Rule tags, used as extra template arguments of parameters (`aegis::Query<int, "limit", aegis::Min<1>>`)
/// and in `AEGIS_FIELD_RULES` for the members of a described struct.
template <auto V>
struct Min {  ///< value >= V (FastAPI's `ge`)
  static constexpr detail::RuleTarget target = detail::RuleTarget::number;
  static void apply(Rules& r) noexcept { r.minimum = static_cast<double>(V), r.has_minimum = true; }
};
template <auto V>
struct Max {  ///< value <= V (`le`)
  static constexpr detail::RuleTarget target = detail::RuleTarget::number;
  static void apply(Rules& r) noexcept { r.maximum = static_cast<double>(V), r.has_maximum = true; }
};
template <auto V>
struct Gt {  ///< value > V
  static constexpr detail::RuleTarget target = detail::RuleTarget::number;
  static void apply(Rules& r) noexcept {
    r.exclusive_minimum = static_cast<double>(V), r.has_exclusive_minimum = true;
  }
};
template <auto V>
struct Lt {  ///< value < V
  static constexpr detail::RuleTarget target = detail::RuleTarget::number;
  static void apply(Rules& r) noexcept {
    r.exclusive_maximum = static_cast<double>(V), r.has_exclusive_maximum = true;
  }
};
template <std::size_t N>
struct MinLength {  ///< at least N characters (strings, counted in code points) or N items (lists)
  static constexpr detail::RuleTarget target = detail::RuleTarget::sized;
  static void apply(Rules& r) noexcept { r.min_length = N; }
};
template <std::size_t N>
struct MaxLength {  ///< at most N characters or items
  static constexpr detail::RuleTarget target = detail::RuleTarget::sized;
  static void apply(Rules& r) noexcept { r.max_length = N; }
};
template <FixedString P>
struct Pattern {  ///< the string must contain a match of the ECMAScript regular expression P
  static constexpr detail::RuleTarget target = detail::RuleTarget::text;
  static void apply(Rules& r) {
    r.pattern = P.view();
    r.compiled = detail::compile_pattern(P.view());
  }
};
template <FixedString D>
struct Description {  ///< documentation only
  static void apply(Rules& r) noexcept { r.description = D.view(); }
};
/// A struct member that may be missing from the input (it keeps its default value).
struct Optional {
  static void apply(Rules& r) noexcept { r.optional = true; }
};

/// A default value as a template argument: a number, a bool, an enumerator, or a string literal.
template <class T>
struct DefaultValue {
  T value;
  constexpr DefaultValue(T v) : value(v) {}  // NOLINT(google-explicit-constructor): `Default<10>`
};
template <std::size_t N>
struct DefaultValue<FixedString<N>> {
  FixedString<N> value;
  consteval DefaultValue(const char (&s)[N]) : value(s) {}  // NOLINT(google-explicit-constructor)
};
template <class T>
DefaultValue(T) -> DefaultValue<T>;
template <std::size_t N>
DefaultValue(const char (&)[N]) -> DefaultValue<FixedString<N>>;

/// The value a parameter takes when the request does not carry it: `aegis::Query<int, "limit",
/// aegis::Default<10>>`, `aegis::Query<std::string, "sort", aegis::Default<"name">>`.
template <DefaultValue V>
struct Default {
  using is_default = void;
  static constexpr auto value = V.value;
};

namespace detail {
template <class Tag>
concept RuleTag = requires(Rules& r) { Tag::apply(r); };

/// The Rules built from `Tags` (tags that are not rules, like Default, are skipped). Built once, on first
/// use, which is when the route or type is registered at boot.
template <class... Tags>
const Rules& rules_of() {
  static const Rules rules = [] {
    Rules r;
    (
        [&r] {
          if constexpr (RuleTag<Tags>) Tags::apply(r);
        }(),
        ...);
    return r;
  }();
  return rules;
}

template <class D>
struct DefaultFound {
  static constexpr bool found = true;
  static constexpr auto value = D::value;
};
/// The first Default<...> among `Tags`: `found`, and its `value`.
template <class... Tags>
struct FindDefault {
  static constexpr bool found = false;
};
template <class First, class... Rest>
struct FindDefault<First, Rest...>
    : std::conditional_t<requires { typename First::is_default; }, DefaultFound<First>, FindDefault<Rest...>> {};
}  // namespace detail

/// One struct member's rules, as `AEGIS_FIELD_RULES` lists them.
struct FieldRule {
  std::string_view name;
  const Rules* rules;
};

/// The rules declared for the members of one struct.
struct FieldRules {
  const FieldRule* begin_ = nullptr;
  std::size_t size_ = 0;
  const Rules* find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < size_; ++i) {
      if (begin_[i].name == name) return begin_[i].rules;
    }
    return nullptr;
  }
};

}  // namespace aegis

// ---- AEGIS_FIELD_RULES(Type, (member, Rule...), ...) ----------------------------------------------------

#define AEGIS_PP_EXPAND(x) x
#define AEGIS_PP_UNPAREN(...) __VA_ARGS__
#define AEGIS_PP_FE_1(m, d, x) m(d, x)
#define AEGIS_PP_FE_2(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_1(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_3(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_2(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_4(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_3(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_5(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_4(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_6(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_5(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_7(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_6(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_8(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_7(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_9(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_8(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_10(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_9(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_11(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_10(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_12(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_11(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_13(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_12(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_14(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_13(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_15(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_14(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_16(m, d, x, ...) m(d, x) AEGIS_PP_EXPAND(AEGIS_PP_FE_15(m, d, __VA_ARGS__))
#define AEGIS_PP_FE_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, NAME, ...) NAME
#define AEGIS_PP_FOR_EACH(m, d, ...)                                                                           \
  AEGIS_PP_EXPAND(AEGIS_PP_FE_PICK(__VA_ARGS__, AEGIS_PP_FE_16, AEGIS_PP_FE_15, AEGIS_PP_FE_14, AEGIS_PP_FE_13, \
                                   AEGIS_PP_FE_12, AEGIS_PP_FE_11, AEGIS_PP_FE_10, AEGIS_PP_FE_9, AEGIS_PP_FE_8,  \
                                   AEGIS_PP_FE_7, AEGIS_PP_FE_6, AEGIS_PP_FE_5, AEGIS_PP_FE_4, AEGIS_PP_FE_3,     \
                                   AEGIS_PP_FE_2, AEGIS_PP_FE_1)(m, d, __VA_ARGS__))

#define AEGIS_DETAIL_FIELD_RULE(Type, entry) AEGIS_DETAIL_FIELD_RULE_I(Type, AEGIS_PP_UNPAREN entry)
#define AEGIS_DETAIL_FIELD_RULE_I(...) AEGIS_PP_EXPAND(AEGIS_DETAIL_FIELD_RULE_II(__VA_ARGS__))
#define AEGIS_DETAIL_FIELD_RULE_II(Type, member, ...)                                                        \
  ::aegis::FieldRule{(static_cast<void>(&Type::member),                                                      \
                      static_cast<void>(::aegis::detail::RulesFit<                                           \
                                        std::remove_cvref_t<decltype(std::declval<Type&>().member)>,         \
                                        __VA_ARGS__>::value),                                                \
                      #member),                                                                              \
                     &::aegis::detail::rules_of<__VA_ARGS__>()},

/// Declares the rules of the members of a described struct, next to its BOOST_DESCRIBE_STRUCT, in the same
/// namespace:
///
///     AEGIS_FIELD_RULES(Item, (name, aegis::MinLength<1>, aegis::MaxLength<50>), (qty, aegis::Min<1>))
///
/// Up to 16 members. The rules validate request bodies and forms and appear in the JSON Schema.
#define AEGIS_FIELD_RULES(Type, ...)                                                   \
  [[maybe_unused]] inline ::aegis::FieldRules aegis_field_rules(const Type*) {         \
    static const ::aegis::FieldRule entries[] = {                                      \
        AEGIS_PP_FOR_EACH(AEGIS_DETAIL_FIELD_RULE, Type, __VA_ARGS__)};                \
    return ::aegis::FieldRules{entries, sizeof(entries) / sizeof(entries[0])};         \
  }
