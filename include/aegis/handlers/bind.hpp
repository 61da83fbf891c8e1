#pragma once

// Typed handler binding: turns a handler whose parameters are Path/Query/Header/Cookie/Body/Form/State/
// Depends (and `const Request&`, `Response&`) into an Endpoint that extracts, converts and validates them,
// calls the handler (plainly, as a coroutine, or on the blocking pool) and writes its result.

#include <aegis/handlers/doc.hpp>
#include <aegis/handlers/endpoint.hpp>
#include <aegis/handlers/params.hpp>
#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/http/task.hpp>
#include <aegis/json/convert.hpp>
#include <aegis/json/reader.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <limits>
#include <optional>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace aegis {

namespace detail {

// ---- callables ---------------------------------------------------------------------------------------------

template <class... A>
struct TypeList {};

template <class F, class = void>
struct CallableTraits {
  static constexpr bool valid = false;
};
template <class R, class... A>
struct CallableTraits<R (*)(A...)> {
  static constexpr bool valid = true;
  using result = R;
  using args = TypeList<A...>;
};
template <class R, class... A>
struct CallableTraits<R(A...)> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) noexcept> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const noexcept> : CallableTraits<R (*)(A...)> {};
template <class R, class... A>
struct CallableTraits<R (*)(A...) noexcept> : CallableTraits<R (*)(A...)> {};
template <class F>
struct CallableTraits<F, std::void_t<decltype(&F::operator())>> : CallableTraits<decltype(&F::operator())> {};

template <class F>
using Callable = CallableTraits<std::remove_cvref_t<F>>;

template <class R>
struct TaskResult {
  static constexpr bool is_task = false;
  using type = R;
};
template <class R, class E>
struct TaskResult<boost::asio::awaitable<R, E>> {
  static constexpr bool is_task = true;
  using type = R;
};

/// The raw handler form `void(Request&, Response&)`.
template <class Args>
struct IsRawArgs : std::false_type {};
template <>
struct IsRawArgs<TypeList<Request&, Response&>> : std::true_type {};

// ---- parameter kinds ----------------------------------------------------------------------------------------

template <class A>
using Bare = std::remove_cvref_t<A>;

template <class A>
concept KindedParam = requires { Bare<A>::kind; };

template <class A>
constexpr bool is_request_ref = std::is_same_v<Bare<A>, Request> && std::is_reference_v<A>;
template <class A>
constexpr bool is_response_ref =
    std::is_same_v<Bare<A>, Response> && std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>>;

template <class A>
constexpr bool is_param() {
  if constexpr (is_request_ref<A> || is_response_ref<A>) {
    return true;
  } else if constexpr (KindedParam<A>) {
    return true;
  } else {
    return false;
  }
}

template <class A, ParamKind K>
constexpr bool is_kind() {
  if constexpr (KindedParam<A>) {
    return Bare<A>::kind == K;
  } else {
    return false;
  }
}

/// Where an argument lives between extraction and the call.
template <class A>
using SlotOf = std::conditional_t<is_request_ref<A>, Request*, std::conditional_t<is_response_ref<A>, Response*, Bare<A>>>;

template <class A, class S>
decltype(auto) unslot(S& slot) {
  if constexpr (is_request_ref<A> || is_response_ref<A>) {
    return *slot;
  } else if constexpr (std::is_lvalue_reference_v<A>) {
    return static_cast<A>(slot);
  } else {
    return std::move(slot);
  }
}

template <class T>
struct TypeInfoOf {
  static const std::type_info& get() { return typeid(T); }
};

/// The compile-time needs of a parameter list.
template <class... A>
Needs needs_of() {
  Needs n;
  (
      [&] {  // [&n] would warn (clang) for the parameter kinds that add nothing
        if constexpr (is_kind<A, ParamKind::depends>()) {
          using T = typename Bare<A>::value_type;
          n.dependencies.push_back(type_key<T>());
          n.dependency_types.push_back(&typeid(T));
        } else if constexpr (is_kind<A, ParamKind::state>()) {
          using T = typename Bare<A>::value_type;
          n.states.push_back(type_key<T>());
          n.state_types.push_back(&typeid(T));
        } else if constexpr (is_kind<A, ParamKind::path>()) {
          n.path_params.push_back(Bare<A>::name);
        }
      }(),
      ...);
  return n;
}

// ---- value extraction ---------------------------------------------------------------------------------------

/// Rules for the elements of a list parameter: the bounds and pattern apply to each element, the lengths
/// to the list.
template <class... R>
const Rules& element_rules_of() {
  static const Rules rules = item_rules(rules_of<R...>());
  return rules;
}

template <class T, auto V>
void assign_default(T& out) {
  if constexpr (requires { V.view(); }) {
    static_assert(std::is_constructible_v<T, std::string_view>,
                  "aegis: a Default<\"...\"> string is the default of a string parameter; give a number, a bool "
                  "or an enumerator for other types");
    out = T(V.view());
  } else {
    static_assert(requires { static_cast<T>(V); }, "aegis: this Default<...> value does not convert to the parameter's type");
    out = static_cast<T>(V);
  }
}

/// Reads the values a parameter received (`for_each` visits them in request order) into `out`: every value
/// for a vector, the last one otherwise. `set_default` assigns the declared default and returns true, or
/// returns false when there is none.
template <class T, class ForEach, class SetDefault>
void read_values(ForEach&& for_each, T& out, Validator& val, const Rules* rules, const Rules* element_rules,
                 SetDefault&& set_default) {
  if constexpr (IsVector<T>::value) {
    using U = typename IsVector<T>::type;
    static_assert(TextScalar<U>, "aegis: a list parameter holds scalars (numbers, strings, bools, enums, ...)");
    out.clear();
    std::size_t i = 0;
    for_each([&](std::string_view v) {
      Validator::Scope at(val, i++);
      read_text(v, out.emplace_back(), val, element_rules);
    });
    if (rules != nullptr && rules->has_lengths() && (out.size() < rules->min_length || out.size() > rules->max_length)) {
      std::string received = "[";  // the values as the issue's input, built only when it is recorded
      for_each([&](std::string_view v) {
        if (received.size() > 1) received += ',';
        received += json_quote(v);
      });
      received += ']';
      check_size(*rules, out.size(), IssueInput::raw_json(received), val);
    }
  } else {
    std::optional<std::string_view> last;
    for_each([&](std::string_view v) { last = v; });
    if constexpr (IsOptional<T>::value) {
      using U = typename IsOptional<T>::type;
      static_assert(TextScalar<U>, "aegis: an optional parameter holds a scalar");
      if (!last) {
        if (!set_default(out)) out.reset();
        return;
      }
      read_text(*last, out.emplace(), val, rules);
    } else {
      static_assert(TextScalar<T>,
                    "aegis: this parameter type cannot be read from text; use a number, string, bool, described "
                    "enum, Uuid, Date, DateTime, or an optional or vector of one");
      if (!last) {
        if (!set_default(out)) val.fail("missing", "Field required");
        return;
      }
      read_text(*last, out, val, rules);
    }
  }
}

template <auto V>
struct DefaultSetter {
  template <class T>
  bool operator()(T& out) const {
    if constexpr (IsOptional<T>::value) {
      assign_default<typename IsOptional<T>::type, V>(out.emplace());
    } else {
      assign_default<T, V>(out);
    }
    return true;
  }
};
struct NoDefault {
  template <class T>
  bool operator()(T&) const noexcept {
    return false;
  }
};
template <class... R>
auto default_setter() {
  using Found = FindDefault<R...>;
  if constexpr (Found::found) {
    return DefaultSetter<Found::value>{};
  } else {
    return NoDefault{};
  }
}

template <class B>
struct DefaultSetterOf;
template <template <class, FixedString, class...> class P, class T, FixedString N, class... R>
struct DefaultSetterOf<P<T, N, R...>> {
  static auto get() { return default_setter<R...>(); }
};
template <class B>
auto default_setter_of() {
  return DefaultSetterOf<B>::get();
}


/// True for `application/json` and `application/<anything>+json` (parameters ignored).
bool is_json_content_type(std::string_view content_type) noexcept;
/// True for `application/x-www-form-urlencoded`.
bool is_form_content_type(std::string_view content_type) noexcept;

/// A non-owning reference to a callable, for callbacks into library code.
template <class Sig>
class FunctionRef;
template <class R, class... A>
class FunctionRef<R(A...)> {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef>)
  FunctionRef(F& f) noexcept  // NOLINT(google-explicit-constructor)
      : obj_(static_cast<void*>(&f)), call_([](void* o, A... a) -> R { return (*static_cast<F*>(o))(std::forward<A>(a)...); }) {}
  R operator()(A... a) const { return call_(obj_, std::forward<A>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, A...);
};

/// Decodes an urlencoded form body into name/value pairs (views into `body` or `storage`).
void parse_form(std::string_view body, std::string& storage, std::vector<QueryParam>& out);

template <class A>
struct Extract;

template <class T, FixedString N, class... R>
struct Extract<Path<T, N, R...>> {
  static void run(CallContext& c, Path<T, N, R...>& out) {
    Validator::Scope at(c.validator, "path");
    Validator::Scope name(c.validator, Path<T, N, R...>::name);
    read_text(c.request.path_param(Path<T, N, R...>::name), *out, c.validator, &rules_of<R...>());
  }
};

template <class T, FixedString N, class... R>
struct Extract<Query<T, N, R...>> {
  static void run(CallContext& c, Query<T, N, R...>& out) {
    constexpr std::string_view name = Query<T, N, R...>::name;
    Validator::Scope at(c.validator, "query");
    Validator::Scope key(c.validator, name);
    const auto params = c.request.query_params();
    read_values(
        [&](auto&& visit) {
          for (const auto& p : params) {
            if (p.name == name) visit(p.value);
          }
        },
        *out, c.validator, &rules_of<R...>(), &element_rules_of<R...>(), default_setter<R...>());
  }
};

template <class T, FixedString N, class... R>
struct Extract<Header<T, N, R...>> {
  static void run(CallContext& c, Header<T, N, R...>& out) {
    constexpr std::string_view name = Header<T, N, R...>::wire_name.view();
    Validator::Scope at(c.validator, "header");
    Validator::Scope key(c.validator, name);
    read_values(
        [&](auto&& visit) {
          for (const auto& h : c.request.headers()) {
            if (!iequals(h.name, name)) continue;
            visit(h.value);
            if constexpr (!IsVector<T>::value) break;  // a repeated header: the first line, as Starlette reads it
          }
        },
        *out, c.validator, &rules_of<R...>(), &element_rules_of<R...>(), default_setter<R...>());
  }
};

template <class T, FixedString N, class... R>
struct Extract<Cookie<T, N, R...>> {
  static void run(CallContext& c, Cookie<T, N, R...>& out) {
    constexpr std::string_view name = Cookie<T, N, R...>::name;
    Validator::Scope at(c.validator, "cookie");
    Validator::Scope key(c.validator, name);
    const auto cookies = c.request.cookies();
    read_values(
        [&](auto&& visit) {
          for (const auto& ck : cookies) {
            if (ck.name == name) visit(ck.value);
          }
        },
        *out, c.validator, &rules_of<R...>(), &element_rules_of<R...>(), default_setter<R...>());
  }
};

/// True when `text` is the JSON literal null, with JSON whitespace around it.
constexpr bool is_json_null(std::string_view text) noexcept {
  const auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text == "null";
}

template <class T, class... R>
struct Extract<Body<T, R...>> {
  static void run(CallContext& c, Body<T, R...>& out) {
    std::string_view body = c.request.body();
    Validator& val = c.validator;
    if (!body.empty()) {
      const std::string_view type = c.request.content_type();
      if (!type.empty() && !is_json_content_type(type)) {
        throw HttpError(415, "Unsupported Media Type: the body must be application/json");
      }
      if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);  // a byte order mark (RFC 8259 lets readers skip it)
    }
    // No body, or a JSON null: absent, as FastAPI reads a body (required: missing).
    if (body.empty() || is_json_null(body)) {
      if constexpr (IsOptional<T>::value) {
        (*out).reset();
      } else {
        Validator::Scope at(val, "body");
        val.fail("missing", "Field required");
      }
      return;
    }
    Validator::Scope at(val, "body");
    parse_json(body, *out, val, &rules_of<R...>());
  }
};

template <class T>
struct Extract<Form<T>> {
  static_assert(Described<T>, "aegis::Form<T>: T must be a struct described with BOOST_DESCRIBE_STRUCT");
  static void run(CallContext& c, Form<T>& out) {
    const std::string_view type = c.request.content_type();
    if (!c.request.body().empty() && !is_form_content_type(type)) {
      throw HttpError(415, "Unsupported Media Type: the body must be application/x-www-form-urlencoded");
    }
    std::vector<QueryParam> fields;
    std::string storage;
    parse_form(c.request.body(), storage, fields);
    Validator& val = c.validator;
    Validator::Scope at(val, "body");
    const auto& rules = member_rules<T>();
    std::size_t index = 0;
    boost::mp11::mp_for_each<MembersOf<T>>([&](auto D) {
      const Rules* member = rules[index++];
      using M = std::remove_cvref_t<decltype((*out).*D.pointer)>;
      const std::string_view name = D.name;
      Validator::Scope key(val, name);
      const bool optional = member != nullptr && member->optional;
      // As FastAPI reads a form: a field is its last value, and an empty one (what a browser sends for a
      // cleared input) is absent; a list is every value, and none is absent.
      std::size_t count = 0;
      std::string_view last;
      for (const auto& f : fields) {
        if (f.name != name) continue;
        ++count;
        last = f.value;
      }
      const bool present = IsVector<M>::value ? count > 0 : count > 0 && !last.empty();
      if (!present) {
        if (optional) return;  // keeps its default
        if constexpr (IsOptional<M>::value) {
          ((*out).*D.pointer).reset();
        } else {
          val.fail("missing", "Field required");
        }
        return;
      }
      // As for a list parameter: a list's bounds and pattern apply to each value, its lengths to the list.
      Rules items;
      const Rules* element = member;
      if (IsVector<M>::value && member != nullptr) {
        items = item_rules(*member);
        element = &items;
      }
      read_values(
          [&](auto&& visit) {
            if constexpr (IsVector<M>::value) {
              for (const auto& f : fields) {
                if (f.name == name) visit(f.value);
              }
            } else {
              visit(last);
            }
          },
          (*out).*D.pointer, val, member, element, NoDefault{});
    });
  }
};

/// Extraction and the call for one parameter list.
template <class Args>
struct Binder;
template <class... A>
struct Binder<TypeList<A...>> {
  static_assert((is_param<A>() && ...),
                "aegis: every handler parameter must be Path, Query, Header, Cookie, Body, Form, State, Depends, "
                "const Request& or Response&");
  using Slots = std::tuple<SlotOf<A>...>;

  static const Needs& needs() {
    static const Needs n = needs_of<A...>();
    return n;
  }

  static void extract(CallContext& c, Slots& slots) {
    std::size_t dependency = 0;
    std::size_t state = 0;
    extract_all(c, slots, dependency, state, std::index_sequence_for<A...>{});
  }

  template <class F>
  static decltype(auto) call(F& fn, Slots& slots) {
    return call_with(fn, slots, std::index_sequence_for<A...>{});
  }

 private:
  template <std::size_t... I>
  static void extract_all(CallContext& c, Slots& slots, std::size_t& dependency, std::size_t& state,
                          std::index_sequence<I...>) {
    (extract_one<A>(c, std::get<I>(slots), dependency, state), ...);
  }

  template <class Arg, class S>
  static void extract_one(CallContext& c, S& slot, std::size_t& dependency, std::size_t& state) {
    if constexpr (is_request_ref<Arg>) {
      slot = &c.request;
    } else if constexpr (is_response_ref<Arg>) {
      slot = &c.response;
    } else if constexpr (is_kind<Arg, ParamKind::depends>()) {
      using T = typename Bare<Arg>::value_type;
      slot = Bare<Arg>(static_cast<T*>(c.scope.value(c.bindings.dependency_slots[dependency++])));
    } else if constexpr (is_kind<Arg, ParamKind::state>()) {
      using T = typename Bare<Arg>::value_type;
      slot = Bare<Arg>(static_cast<T*>(c.bindings.states[state++]));
    } else {
      Extract<Bare<Arg>>::run(c, slot);
    }
  }

  template <class F, std::size_t... I>
  static decltype(auto) call_with(F& fn, Slots& slots, std::index_sequence<I...>) {
    return fn(unslot<A>(std::get<I>(slots))...);
  }
};

// ---- documentation ------------------------------------------------------------------------------------------

template <class B>
struct ParamTraits;
template <class T, FixedString N, class... R>
struct ParamTraits<Path<T, N, R...>> {
  static const Rules* rules() { return &rules_of<R...>(); }
  static const Rules* element_rules() { return &element_rules_of<R...>(); }
  static constexpr bool has_default = FindDefault<R...>::found;
};
template <class T, FixedString N, class... R>
struct ParamTraits<Query<T, N, R...>> : ParamTraits<Path<T, N, R...>> {};
template <class T, FixedString N, class... R>
struct ParamTraits<Header<T, N, R...>> : ParamTraits<Path<T, N, R...>> {};
template <class T, FixedString N, class... R>
struct ParamTraits<Cookie<T, N, R...>> : ParamTraits<Path<T, N, R...>> {};
template <class T, class... R>
struct ParamTraits<Body<T, R...>> {
  static const Rules* rules() { return &rules_of<R...>(); }
};

/// The default of a parameter as JSON text ("10", "\"name\"", "true"), or empty.
template <class B>
std::string default_json() {
  using T = typename B::value_type;
  if constexpr (requires { ParamTraits<B>::has_default; }) {
    if constexpr (ParamTraits<B>::has_default) {
      T value{};
      using Found = typename std::remove_cvref_t<decltype(default_setter_of<B>())>;
      Found{}(value);
      return to_json(value);
    }
  }
  return {};
}

template <class A>
void add_doc(EndpointDoc& d) {
  using B = Bare<A>;
  if constexpr (is_kind<A, ParamKind::path>() || is_kind<A, ParamKind::query>() || is_kind<A, ParamKind::header>() ||
                is_kind<A, ParamKind::cookie>()) {
    using T = typename B::value_type;
    ParamDoc p;
    if constexpr (is_kind<A, ParamKind::path>()) p.in = "path";
    if constexpr (is_kind<A, ParamKind::query>()) p.in = "query";
    if constexpr (is_kind<A, ParamKind::header>()) p.in = "header";
    if constexpr (is_kind<A, ParamKind::cookie>()) p.in = "cookie";
    if constexpr (is_kind<A, ParamKind::header>()) {
      p.name = B::wire_name.view();
    } else {
      p.name = B::name;
    }
    p.schema = &SchemaRegistry::build<T>;
    p.default_json = default_json<B>();
    p.required = is_kind<A, ParamKind::path>() ||
                 (!IsOptional<T>::value && !IsVector<T>::value && p.default_json.empty());
    if constexpr (IsVector<T>::value) {
      p.rules = ParamTraits<B>::element_rules();
      p.list_rules = ParamTraits<B>::rules();
    } else {
      p.rules = ParamTraits<B>::rules();
    }
    d.params.push_back(std::move(p));
    d.validates = true;
  } else if constexpr (is_kind<A, ParamKind::body>()) {
    using T = typename B::value_type;
    d.body = &SchemaRegistry::build<T>;
    d.body_media_type = "application/json";
    d.body_required = !IsOptional<T>::value;
    d.body_rules = ParamTraits<B>::rules();
    d.validates = true;
  } else if constexpr (is_kind<A, ParamKind::form>()) {
    d.body = &SchemaRegistry::build<typename B::value_type>;
    d.body_media_type = "application/x-www-form-urlencoded";
    d.body_required = true;
    d.validates = true;
  }
}

template <class Args>
struct DocOf;
template <class... A>
struct DocOf<TypeList<A...>> {
  static EndpointDoc params() {
    EndpointDoc d;
    (add_doc<A>(d), ...);
    return d;
  }
};

template <class Args>
struct TakesResponse;
template <class... A>
struct TakesResponse<TypeList<A...>> : std::bool_constant<(std::is_same_v<A, Response&> || ...)> {};

template <class R, class Args>
void add_response_doc(EndpointDoc& d) {
  using V = std::remove_cvref_t<typename TaskResult<std::remove_cvref_t<R>>::type>;
  if constexpr (std::is_void_v<V> && TakesResponse<Args>::value) {
    // Nothing returned, and the handler writes its answer through its Response&: a 200 whose content the
    // documentation cannot know (204 only when it writes nothing, which is not known either).
  } else if constexpr (std::is_void_v<V>) {
    d.no_content = true;
  } else if constexpr (std::is_same_v<V, Response>) {
    // Whatever the handler builds: nothing to document.
  } else if constexpr (std::is_same_v<V, Html>) {
    d.response = &SchemaRegistry::build<std::string>;
    d.response_media_type = "text/html";
  } else if constexpr (std::is_convertible_v<V, std::string_view>) {
    d.response = &SchemaRegistry::build<std::string>;
    d.response_media_type = "text/plain";
  } else {
    d.response = &SchemaRegistry::build<V>;
    d.response_media_type = "application/json";
  }
}

// ---- results ------------------------------------------------------------------------------------------------

struct Unit {};

/// Writes a handler's result into the response: void -> 204 (or the route's status) unless the handler
/// wrote a body or a status through its Response&, std::string -> text, Html -> text/html,
/// Response -> as is, Json and JSON-writable values -> application/json.
template <class R>
void write_result(R&& result, Response& res, int status) {
  using V = std::remove_cvref_t<R>;
  if constexpr (std::is_same_v<V, Unit>) {
    // Nothing returned: 204 (or the route's status), unless the handler wrote a body or a status itself
    // through its Response& parameter.
    if (res.status() == 200 && res.body().empty()) res.set_status(status != 0 ? status : 204);
  } else if constexpr (std::is_same_v<V, Response>) {
    res = std::forward<R>(result);
  } else if constexpr (std::is_same_v<V, Html>) {
    res.set_status(status != 0 ? status : res.status());
    res.set_header("Content-Type", "text/html; charset=utf-8");
    res.set_body(result.content);
  } else if constexpr (std::is_same_v<V, std::string> || std::is_same_v<V, std::string_view> ||
                       std::is_same_v<V, const char*>) {
    res.text(result, status != 0 ? status : res.status());
  } else {
    // The route's status, else one the handler set through its Response& (a 503 with a model), else 200.
    write_json(res.json_body(status != 0 ? status : res.status()), result);
  }
}

/// Calls `fn` with the extracted slots and returns its result (a reference stays a reference), with
/// `void` turned into Unit.
template <class Args, class F>
decltype(auto) call_for_value(F& fn, typename Binder<Args>::Slots& slots) {
  using R = decltype(Binder<Args>::call(fn, slots));
  if constexpr (std::is_void_v<R>) {
    Binder<Args>::call(fn, slots);
    return Unit{};
  } else {
    return Binder<Args>::call(fn, slots);
  }
}

// ---- providers ----------------------------------------------------------------------------------------------

/// How a provider's result R provides a T: by value, through a smart or plain pointer, or a Yield.
template <class T, class R>
constexpr bool provides() {
  using V = std::remove_cvref_t<R>;
  if constexpr (std::is_same_v<T, void>) {
    return true;
  } else if constexpr (std::is_same_v<V, T> || std::is_same_v<V, std::shared_ptr<T>> ||
                       std::is_same_v<V, std::unique_ptr<T>> || std::is_same_v<V, T*>) {
    return true;
  } else if constexpr (std::is_lvalue_reference_v<R> && std::is_same_v<V, T>) {
    return true;
  } else if constexpr (requires { typename V::provided_type; }) {
    return std::is_same_v<typename V::provided_type, T>;
  } else {
    return false;
  }
}

template <class R>
void store_result(DependencyScope& scope, std::size_t slot, R&& r) {
  using V = std::remove_cvref_t<R>;
  if constexpr (std::is_lvalue_reference_v<R>) {
    scope.set(slot, const_cast<V*>(&r));
  } else if constexpr (std::is_pointer_v<V>) {
    scope.set(slot, const_cast<std::remove_const_t<std::remove_pointer_t<V>>*>(r));
  } else if constexpr (requires { r.get(); } && !requires { typename V::provided_type; }) {
    scope.emplace(slot, std::move(r), [](V& p) { return static_cast<void*>(p.get()); });
  } else if constexpr (requires { typename V::provided_type; }) {
    scope.emplace(slot, std::move(r), [](V& y) { return static_cast<void*>(&y.value()); });
  } else {
    scope.emplace(slot, std::move(r), [](V& v) { return static_cast<void*>(&v); });
  }
}

/// A provider for `T` (or, with T = void, a route dependency run for its effect) built from a callable
/// whose parameters are extracted like a handler's.
template <class T, class F>
class TypedProvider final : public Provider {
  using Traits = Callable<F>;
  using Args = typename Traits::args;
  using Result = typename Traits::result;
  static constexpr bool kAsync = TaskResult<Result>::is_task;
  using Value = typename TaskResult<Result>::type;

 public:
  static_assert(provides<T, Value>(),
                "aegis: a provider for T must return T, std::shared_ptr<T>, std::unique_ptr<T>, T*, T&, "
                "aegis::Yield<T, ...> or a Task of one of them");

  explicit TypedProvider(F fn) : fn_(std::move(fn)) {}

  TypeKey key() const noexcept override {
    if constexpr (std::is_same_v<T, void>) {
      return this;  // every route dependency is its own
    } else {
      return type_key<T>();
    }
  }
  const std::type_info& type() const noexcept override {
    if constexpr (std::is_same_v<T, void>) {
      return typeid(F);
    } else {
      return typeid(T);
    }
  }
  const Needs& needs() const noexcept override { return Binder<Args>::needs(); }
  bool is_async() const noexcept override { return kAsync; }
  const EndpointDoc* doc() const override {
    static const EndpointDoc d = DocOf<Args>::params();
    return &d;
  }

  bool resolve(CallContext& ctx, std::size_t slot) const override {
    if constexpr (kAsync) {
      (void)ctx, (void)slot;
      return false;  // never called: a plan with an async step runs asynchronously
    } else {
      typename Binder<Args>::Slots slots{};
      const std::size_t before = ctx.validator.issue_count();
      Binder<Args>::extract(ctx, slots);
      if (ctx.validator.issue_count() != before || !dependencies_ready(ctx)) return false;
      store(ctx, slot, call_for_value<Args>(fn_, slots));
      return true;
    }
  }

  Task<bool> resolve_async(CallContext& ctx, std::size_t slot) const override {
    typename Binder<Args>::Slots slots{};
    const std::size_t before = ctx.validator.issue_count();
    Binder<Args>::extract(ctx, slots);
    if (ctx.validator.issue_count() != before || !dependencies_ready(ctx)) co_return false;
    if constexpr (kAsync) {
      if constexpr (std::is_void_v<Value>) {
        co_await Binder<Args>::call(fn_, slots);
        store(ctx, slot, Unit{});
      } else {
        store(ctx, slot, co_await Binder<Args>::call(fn_, slots));
      }
    } else {
      store(ctx, slot, call_for_value<Args>(fn_, slots));
    }
    co_return true;
  }

 private:
  mutable F fn_;  // providers may be mutable lambdas

  // A dependency whose own provider could not run leaves this one unable to run as well.
  static bool dependencies_ready(CallContext& ctx) noexcept {
    for (std::size_t s : ctx.bindings.dependency_slots) {
      if (ctx.scope.value(s) == nullptr) return false;
    }
    return true;
  }

  template <class V>
  static void store(CallContext& ctx, std::size_t slot, V&& v) {
    if constexpr (std::is_same_v<std::remove_cvref_t<V>, Unit>) {
      ctx.scope.set(slot, &ctx.scope);  // ran: any non-null marker
    } else if constexpr (std::is_same_v<T, void>) {
      store_result(ctx.scope, slot, std::forward<V>(v));
      if (ctx.scope.value(slot) == nullptr) ctx.scope.set(slot, &ctx.scope);
    } else {
      store_result(ctx.scope, slot, std::forward<V>(v));
      if (ctx.scope.value(slot) == nullptr) {
        throw std::logic_error("a dependency provider for " + type_name(typeid(T)) + " returned a null pointer");
      }
    }
  }
};

template <class T, class F>
std::shared_ptr<const Provider> make_provider(F&& fn, std::string where) {
  static_assert(Callable<F>::valid,
                "aegis: a provider must be a function or a lambda with one call operator (not a generic lambda)");
  auto p = std::make_shared<TypedProvider<T, std::decay_t<F>>>(std::forward<F>(fn));
  p->where = std::move(where);
  return p;
}

// ---- endpoints ----------------------------------------------------------------------------------------------

/// Builds the dependency plan of a route (library code): every provider the route needs, each after the
/// ones it needs, resolved once; fills `handler` with the slots and state objects of the handler's own
/// parameters. Throws `std::invalid_argument` naming the route for a missing provider or state, a cycle,
/// or a handler/template mismatch.
std::vector<PlanStep> build_plan(const EndpointSetup& setup, const Needs& handler_needs, Bindings& handler,
                                 bool raw_handler);

/// Runs `fn` on the blocking pool and resumes on the calling I/O thread; rethrows what `fn` throws.
/// Answers 503 (HttpError) when the pool's queue is full, and without running `fn` when `request` was
/// abandoned (a shutdown's grace period ran out) before a pool thread took the job.
Task<> run_blocking(BlockingPool& pool, FunctionRef<void()> fn, const Request* request = nullptr);

/// Resolves the plan's steps in order; a step whose parameters did not validate leaves its slot empty and
/// its issues in `val`.
void resolve_plan(const std::vector<PlanStep>& plan, Request& req, Response& res, Validator& val,
                  DependencyScope& scope);
Task<> resolve_plan_async(const std::vector<PlanStep>& plan, Request& req, Response& res, Validator& val,
                          DependencyScope& scope);

template <class F>
class TypedInvoker final : public Invoker {
  using Traits = Callable<F>;
  using Args = typename Traits::args;
  using Result = typename Traits::result;
  static constexpr bool kCoroutine = TaskResult<Result>::is_task;
  using Value = typename TaskResult<Result>::type;

 public:
  TypedInvoker(F& fn, const EndpointSetup& setup) : fn_(fn), host_(setup.host) {
    plan_ = build_plan(setup, Binder<Args>::needs(), bindings_, false);
    status_ = setup.status;
    if (setup.blocking) {
      if (kCoroutine) {
        throw std::invalid_argument("route " + std::string(setup.where) +
                                    ": a coroutine handler cannot be .blocking(); it must not block instead");
      }
      pool_ = &setup.host.blocking_pool();
    }
    sync_ = !kCoroutine && pool_ == nullptr;
    for (const auto& step : plan_) sync_ = sync_ && !step.provider->is_async();
  }

  Task<> invoke(Request& req, Response& res) const override {
    if (sync_) {
      invoke_sync(req, res);
      return {};
    }
    return invoke_async(req, res);
  }

  std::vector<const Provider*> providers() const override {
    std::vector<const Provider*> out;
    for (const auto& step : plan_) out.push_back(step.provider);
    return out;
  }

 private:
  void invoke_sync(Request& req, Response& res) const {
    Validator val;
    DependencyScope scope;
    scope.reset(plan_.size());
    if (!plan_.empty()) resolve_plan(plan_, req, res, val, scope);
    typename Binder<Args>::Slots slots{};
    CallContext ctx{req, res, val, scope, bindings_};
    Binder<Args>::extract(ctx, slots);
    if (!val.ok()) return host_.render_validation_error(req, res, RequestValidationError(std::move(val.issues())));
    if constexpr (!kCoroutine) write_result(call_for_value<Args>(fn_, slots), res, status_);
  }

  // Coroutine parameters: the request and response are owned by the connection, which awaits this Task
  // before it touches them again.
  Task<> invoke_async(Request& req, Response& res) const {
    Validator val;
    DependencyScope scope;
    scope.reset(plan_.size());
    if (!plan_.empty()) co_await resolve_plan_async(plan_, req, res, val, scope);
    typename Binder<Args>::Slots slots{};
    CallContext ctx{req, res, val, scope, bindings_};
    Binder<Args>::extract(ctx, slots);
    if (!val.ok()) {
      host_.render_validation_error(req, res, RequestValidationError(std::move(val.issues())));
      co_return;
    }
    if constexpr (kCoroutine) {
      if constexpr (std::is_void_v<Value>) {
        co_await Binder<Args>::call(fn_, slots);
        write_result(Unit{}, res, status_);
      } else {
        write_result(co_await Binder<Args>::call(fn_, slots), res, status_);
      }
    } else if (pool_ != nullptr) {
      std::optional<std::remove_cvref_t<decltype(call_for_value<Args>(fn_, slots))>> result;
      auto work = [&] { result.emplace(call_for_value<Args>(fn_, slots)); };
      co_await run_blocking(*pool_, work, &req);
      write_result(std::move(*result), res, status_);
    } else {
      write_result(call_for_value<Args>(fn_, slots), res, status_);
    }
  }

  F& fn_;
  const EndpointHost& host_;
  std::vector<PlanStep> plan_;
  Bindings bindings_;
  BlockingPool* pool_ = nullptr;
  int status_ = 0;
  bool sync_ = true;
};

template <class F>
class TypedEndpoint final : public Endpoint {
 public:
  explicit TypedEndpoint(F fn) : fn_(std::move(fn)) {}
  std::unique_ptr<Invoker> prepare(const EndpointSetup& setup) const override {
    return std::make_unique<TypedInvoker<F>>(fn_, setup);
  }
  const EndpointDoc* doc() const override {
    static const EndpointDoc d = [] {
      EndpointDoc doc = DocOf<typename Callable<F>::args>::params();
      add_response_doc<typename Callable<F>::result, typename Callable<F>::args>(doc);
      return doc;
    }();
    return &d;
  }

 private:
  mutable F fn_;  // handlers may be mutable lambdas; each runs on the thread that owns its request
};

/// The raw form: `void(Request&, Response&)`, no extraction.
class RawEndpoint final : public Endpoint {
 public:
  explicit RawEndpoint(std::function<void(Request&, Response&)> fn);
  std::unique_ptr<Invoker> prepare(const EndpointSetup& setup) const override;
  bool is_raw() const noexcept override { return true; }

 private:
  std::function<void(Request&, Response&)> fn_;
};

template <class F>
std::shared_ptr<const Endpoint> make_endpoint(F&& fn) {
  using D = std::decay_t<F>;
  static_assert(Callable<D>::valid,
                "aegis: a handler must be a function or a lambda with one call operator (not a generic lambda)");
  if constexpr (IsRawArgs<typename Callable<D>::args>::value && std::is_void_v<typename Callable<D>::result>) {
    return std::make_shared<RawEndpoint>(std::function<void(Request&, Response&)>(std::forward<F>(fn)));
  } else {
    return std::make_shared<TypedEndpoint<D>>(std::forward<F>(fn));
  }
}

// ---- compile-time template check ---------------------------------------------------------------------------

template <class Args>
struct PathNames;
template <class... A>
struct PathNames<TypeList<A...>> {
  static constexpr std::size_t count = (std::size_t{0} + ... + (is_kind<A, ParamKind::path>() ? 1 : 0));
  static constexpr std::array<std::string_view, count> get() {
    std::array<std::string_view, count> names{};
    [[maybe_unused]] std::size_t i = 0;
    (
        [&] {
          if constexpr (is_kind<A, ParamKind::path>()) names[i++] = Bare<A>::name;
        }(),
        ...);
    return names;
  }
};

}  // namespace detail

/// Compile-time diagnostics: a route template and its handler that disagree fail to compile with a call to
/// one of these (the function's name is the message).
namespace compile_error {
void route_template_has_a_parameter_the_handler_does_not_declare_as_aegis_Path();
void handler_declares_an_aegis_Path_that_the_route_template_does_not_have();
void route_template_has_an_unbalanced_brace();
}  // namespace compile_error

/// A route template written as a string literal, checked at compile time against the handler F: every
/// `{name}` of the template must be an `aegis::Path<T, "name">` parameter of the handler and every Path
/// parameter must be in the template. (A template built at run time is checked at boot instead.)
template <class F>
class RouteTemplate {
 public:
  template <std::size_t N>
  consteval RouteTemplate(const char (&text)[N])  // NOLINT(google-explicit-constructor): literals convert
      : text_(text, N - 1) {
    using Traits = detail::Callable<F>;
    if constexpr (Traits::valid) {
      using Args = typename Traits::args;
      if constexpr (!detail::IsRawArgs<Args>::value) check(detail::PathNames<Args>::get());
    }
  }
  constexpr std::string_view text() const noexcept { return text_; }

 private:
  template <std::size_t K>
  consteval void check(const std::array<std::string_view, K>& handler_names) const {
    std::size_t found = 0;
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const std::size_t open = text_.find('{', pos);
      const std::size_t stray_close = text_.find('}', pos);
      if (open == std::string_view::npos) {
        if (stray_close != std::string_view::npos) compile_error::route_template_has_an_unbalanced_brace();
        break;
      }
      if (stray_close < open) compile_error::route_template_has_an_unbalanced_brace();
      const std::size_t close = text_.find('}', open);
      if (close == std::string_view::npos) compile_error::route_template_has_an_unbalanced_brace();
      std::string_view name = text_.substr(open + 1, close - open - 1);
      name = name.substr(0, name.find(':'));
      bool declared = false;
      for (const auto& h : handler_names) declared = declared || h == name;
      if (!declared) compile_error::route_template_has_a_parameter_the_handler_does_not_declare_as_aegis_Path();
      ++found;
      pos = close + 1;
    }
    for (const auto& h : handler_names) {
      bool in_template = false;
      std::size_t p = 0;
      while ((p = text_.find('{', p)) != std::string_view::npos) {
        const std::size_t close = text_.find('}', p);
        std::string_view name = text_.substr(p + 1, close - p - 1);
        name = name.substr(0, name.find(':'));
        in_template = in_template || name == h;
        p = close;
      }
      if (!in_template) compile_error::handler_declares_an_aegis_Path_that_the_route_template_does_not_have();
    }
    (void)found;
  }

  std::string_view text_;
};

/// A route dependency run for its effect before the handler (a guard): its parameters are extracted like
/// a handler's; it may throw `HttpError`; a coroutine is awaited.
template <class F>
Dependency dependency(F&& fn, std::source_location where = std::source_location::current()) {
  return Dependency(detail::make_provider<void>(std::forward<F>(fn),
                                                std::string(where.file_name()) + ":" + std::to_string(where.line())));
}

}  // namespace aegis
