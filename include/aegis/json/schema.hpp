#pragma once

// JSON Schema (the dialect OpenAPI 3.1 uses) of the C++ types requests and responses carry, built from the
// same descriptions and rules that read and validate them. Described structs and enums become named
// components referenced with $ref.

#include <aegis/json/convert.hpp>

#include <boost/json/object.hpp>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <typeinfo>

namespace aegis {

/// The components a document collects while schemas are built: one per described struct or enum, keyed by
/// its C++ name until the document names them.
class SchemaRegistry {
 public:
  using Builder = void (*)(SchemaRegistry&, Json&);

  /// The schema of T; described types are registered as components and referenced.
  template <class T>
  Json schema() {
    Json out;
    build<T>(*this, out);
    return out;
  }

  /// Registers a component (once) and returns `{"$ref": ...}` to it. The reference holds a placeholder
  /// that `finish` replaces with the component's final name.
  Json reference(const std::type_info& type, Builder build);

  /// Gives every component its name (the unqualified C++ name, or the qualified one with '::' as '_' when
  /// two types share it or it is one of `reserved`), rewrites the references, and returns the components
  /// sorted by name.
  boost::json::object finish(Json& document, std::initializer_list<std::string_view> reserved = {});

  template <class T>
  static void build(SchemaRegistry& registry, Json& out);

 private:
  struct Component {
    std::string qualified;
    Json schema;
  };
  std::map<std::string, Component> components_;  // by placeholder
};

namespace detail {
/// Adds `rules` to `schema` where they apply: a list's lengths as minItems/maxItems and its bounds and
/// pattern to its items, a map's lengths as minProperties/maxProperties, an optional's to its non-null
/// branch, a scalar's to it.
void apply_rules(const Rules& rules, Json& schema);
}  // namespace detail

template <class T>
void SchemaRegistry::build(SchemaRegistry& registry, Json& out) {
  using namespace detail;
  boost::json::object o;
  if constexpr (std::is_same_v<T, bool>) {
    o["type"] = "boolean";
  } else if constexpr (Integer<T>) {
    o["type"] = "integer";
    if constexpr (sizeof(T) <= 4 && std::is_signed_v<T>) o["format"] = "int32";
    if constexpr (sizeof(T) == 8 && std::is_signed_v<T>) o["format"] = "int64";
  } else if constexpr (std::is_floating_point_v<T>) {
    o["type"] = "number";
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    o["type"] = "string";
  } else if constexpr (std::is_same_v<T, Uuid>) {
    o["type"] = "string";
    o["format"] = "uuid";
  } else if constexpr (std::is_same_v<T, Date>) {
    o["type"] = "string";
    o["format"] = "date";
  } else if constexpr (std::is_same_v<T, DateTime>) {
    o["type"] = "string";
    o["format"] = "date-time";
  } else if constexpr (IsOptional<T>::value) {
    boost::json::array any;
    any.push_back(registry.schema<typename IsOptional<T>::type>());
    any.push_back(boost::json::object{{"type", "null"}});
    o["anyOf"] = std::move(any);
  } else if constexpr (IsVector<T>::value) {
    o["type"] = "array";
    o["items"] = registry.schema<typename IsVector<T>::type>();
  } else if constexpr (IsMap<T>::value) {
    o["type"] = "object";
    o["additionalProperties"] = registry.schema<typename IsMap<T>::type>();
  } else if constexpr (std::is_same_v<T, Json>) {
    // Any JSON value: the empty schema.
  } else if constexpr (DescribedEnum<T> || Described<T>) {
    out = registry.reference(typeid(T), [](SchemaRegistry& reg, Json& component) {
      boost::json::object c;
      if constexpr (DescribedEnum<T>) {
        c["type"] = "string";
        boost::json::array values;
        for (auto name : enum_names<T>()) values.emplace_back(name);
        c["enum"] = std::move(values);
      } else {
        c["type"] = "object";
        boost::json::object properties;
        boost::json::array required;
        const auto& rules = member_rules<T>();
        std::size_t index = 0;
        boost::mp11::mp_for_each<MembersOf<T>>([&](auto D) {
          const Rules* member = rules[index++];
          using M = std::remove_cvref_t<decltype(std::declval<T&>().*D.pointer)>;
          Json schema = reg.schema<M>();
          if (member != nullptr) apply_rules(*member, schema);
          properties[D.name] = std::move(schema);
          if (!IsOptional<M>::value && (member == nullptr || !member->optional)) required.emplace_back(D.name);
        });
        c["properties"] = std::move(properties);
        if (!required.empty()) c["required"] = std::move(required);
      }
      component = std::move(c);
    });
    return;
  } else {
    static_assert(kAlwaysFalse<T>, "aegis: this type has no JSON Schema; describe it with BOOST_DESCRIBE_STRUCT");
  }
  out = std::move(o);
}

}  // namespace aegis
