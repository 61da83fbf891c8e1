#include <aegis/json/schema.hpp>

#include <boost/core/demangle.hpp>

#include <algorithm>
#include <set>

namespace aegis {

namespace {
constexpr std::string_view kPlaceholder = "#/aegis-component/";

std::string unqualified(const std::string& name) {
  // "app::orders::Order" -> "Order"; template arguments are kept whole.
  const std::size_t angle = name.find('<');
  const std::size_t colons = name.rfind("::", angle);
  std::string out = colons == std::string::npos ? name : name.substr(colons + 2);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

std::string flattened(const std::string& name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == ':' && i + 1 < name.size() && name[i + 1] == ':') {
      out.push_back('_');
      ++i;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
      out.push_back(c);
    } else {
      out.push_back('_');
    }
  }
  return out;
}

void rewrite_refs(Json& v, const std::map<std::string, std::string>& names) {
  if (v.is_object()) {
    auto& o = v.get_object();
    if (auto* ref = o.if_contains("$ref"); ref != nullptr && ref->is_string()) {
      const std::string current(ref->get_string());
      if (auto it = names.find(current); it != names.end()) *ref = "#/components/schemas/" + it->second;
    }
    for (auto& kv : o) rewrite_refs(kv.value(), names);
  } else if (v.is_array()) {
    for (auto& item : v.get_array()) rewrite_refs(item, names);
  }
}
}  // namespace

Json SchemaRegistry::reference(const std::type_info& type, Builder build) {
  const std::string qualified = boost::core::demangle(type.name());
  const std::string placeholder = std::string(kPlaceholder) + qualified;
  if (components_.find(placeholder) == components_.end()) {
    components_[placeholder] = Component{qualified, nullptr};  // recursive types stop here
    Json schema;
    build(*this, schema);
    if (schema.is_object()) schema.get_object()["title"] = unqualified(qualified);
    components_[placeholder].schema = std::move(schema);
  }
  return boost::json::object{{"$ref", placeholder}};
}

boost::json::object SchemaRegistry::finish(Json& document, std::initializer_list<std::string_view> reserved) {
  std::map<std::string, int> uses;
  for (std::string_view r : reserved) ++uses[std::string(r)];
  for (const auto& [placeholder, c] : components_) ++uses[unqualified(c.qualified)];
  auto is_reserved = [&](const std::string& name) {
    return std::find(reserved.begin(), reserved.end(), name) != reserved.end();
  };
  std::map<std::string, std::string> names;  // placeholder -> final name
  for (const auto& [placeholder, c] : components_) {
    const std::string short_name = unqualified(c.qualified);
    std::string name = uses[short_name] == 1 ? short_name : flattened(c.qualified);
    while (is_reserved(name)) name += "_";  // a global type named like a framework schema
    names[placeholder] = std::move(name);
  }
  std::map<std::string, Json> sorted;
  for (auto& [placeholder, c] : components_) {
    rewrite_refs(c.schema, names);
    sorted[names[placeholder]] = c.schema;
  }
  rewrite_refs(document, names);
  boost::json::object out;
  for (auto& [name, schema] : sorted) out[name] = std::move(schema);
  return out;
}

namespace detail {

void apply_rules(const Rules& r, Json& schema) {
  if (!schema.is_object()) schema = boost::json::object{};
  auto& o = schema.get_object();
  if (!r.description.empty()) o["description"] = r.description;
  Rules inner = r;
  inner.description = {};
  // std::optional<T>, anyOf [T, null]: the rules constrain the T.
  if (auto* any = o.if_contains("anyOf"); any != nullptr && any->is_array()) {
    for (auto& branch : any->get_array()) {
      const auto* type = branch.is_object() ? branch.get_object().if_contains("type") : nullptr;
      if (type != nullptr && *type == "null") continue;
      apply_rules(inner, branch);
      break;
    }
    return;
  }
  const Json* type = o.if_contains("type");
  const bool array = type != nullptr && *type == "array";
  const bool map = type != nullptr && *type == "object" && o.contains("additionalProperties");
  if (array || map) {
    // A list's (a map's) lengths count its items; its bounds and pattern apply to each item.
    if (r.min_length != 0) o[array ? "minItems" : "minProperties"] = r.min_length;
    if (r.max_length != std::numeric_limits<std::size_t>::max()) o[array ? "maxItems" : "maxProperties"] = r.max_length;
    if (array && (r.has_bounds() || !r.pattern.empty())) apply_rules(item_rules(inner), o["items"]);
    return;
  }
  auto number = [](double v) -> Json {
    if (v == static_cast<double>(static_cast<long long>(v))) return static_cast<long long>(v);
    return v;
  };
  if (r.has_minimum) o["minimum"] = number(r.minimum);
  if (r.has_maximum) o["maximum"] = number(r.maximum);
  if (r.has_exclusive_minimum) o["exclusiveMinimum"] = number(r.exclusive_minimum);
  if (r.has_exclusive_maximum) o["exclusiveMaximum"] = number(r.exclusive_maximum);
  if (r.min_length != 0) o["minLength"] = r.min_length;
  if (r.max_length != std::numeric_limits<std::size_t>::max()) o["maxLength"] = r.max_length;
  if (!r.pattern.empty()) o["pattern"] = r.pattern;
}

}  // namespace detail
}  // namespace aegis
