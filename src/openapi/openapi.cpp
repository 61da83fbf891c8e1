// The OpenAPI 3.1 document of a frozen app, built once at boot from the routes' metadata and the types of
// their handlers. The same app always produces the same bytes: routes in registration order, components
// sorted by name, no timestamps.
#include <aegis/app/app.hpp>
#include <aegis/handlers/doc.hpp>
#include <aegis/http/status.hpp>
#include <aegis/json/convert.hpp>
#include <aegis/registries/principal.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <optional>
#include <set>

#include "openapi/csrf.hpp"
#include "openapi/document.hpp"

namespace aegis::detail {

namespace {

namespace json = boost::json;

// "/orders/{id:int}/{rest:path}" -> "/orders/{id}/{rest}": OpenAPI has no converters.
std::string openapi_path(std::string_view path) {
  std::string out;
  bool in_param = false;
  bool in_converter = false;
  for (char c : path) {
    if (c == '{') {
      in_param = true;
    } else if (c == '}') {
      in_param = in_converter = false;
    } else if (in_param && c == ':') {
      in_converter = true;
    }
    if (!in_converter) out.push_back(c);
  }
  return out;
}

std::vector<std::string> template_params(std::string_view path) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  while ((pos = path.find('{', pos)) != std::string_view::npos) {
    const std::size_t close = path.find('}', pos);
    if (close == std::string_view::npos) break;
    const std::string_view name = path.substr(pos + 1, close - pos - 1);
    names.emplace_back(name.substr(0, name.find(':')));
    pos = close + 1;
  }
  return names;
}

std::string method_key(Method m) {
  std::string s(to_string(m));
  for (char& c : s) c = static_cast<char>(c | 0x20);
  return s;
}

// Builds the schemas of what a route reads (its parameters and body) into `scratch`: every rule they carry
// (the members' too) is built on the way, so one that cannot be (a Pattern that does not compile) throws.
void build_input_schemas(const EndpointDoc* doc, SchemaRegistry& scratch) {
  if (doc == nullptr) return;
  Json ignored;
  for (const auto& p : doc->params) {
    if (p.schema != nullptr) p.schema(scratch, ignored);
  }
  if (doc->body != nullptr) doc->body(scratch, ignored);
}

Json schema_with_rules(SchemaRegistry& registry, SchemaRegistry::Builder build, const Rules* rules) {
  Json schema;
  build(registry, schema);
  if (rules != nullptr) apply_rules(*rules, schema);
  return schema;
}

json::object parameter(SchemaRegistry& registry, const ParamDoc& p) {
  json::object o;
  o["name"] = p.name;
  o["in"] = p.in;
  o["required"] = p.required;
  // A list parameter's rules as declared (lengths for the list, bounds and pattern for its items).
  Json schema = schema_with_rules(registry, p.schema, p.list_rules != nullptr ? p.list_rules : p.rules);
  if (!p.default_json.empty() && schema.is_object()) schema.get_object()["default"] = json::parse(p.default_json);
  if (p.rules != nullptr && !p.rules->description.empty()) o["description"] = p.rules->description;
  o["schema"] = std::move(schema);
  return o;
}

json::object error_schema() {
  return json::object{{"type", "object"},
                      {"properties", json::object{{"detail", json::object{{"type", "string"}, {"title", "Detail"}}}}},
                      {"required", json::array{"detail"}},
                      {"title", "HTTPError"}};
}

json::object validation_schemas() {
  json::object validation_error{
      {"type", "object"},
      {"properties",
       json::object{
           {"loc", json::object{{"type", "array"},
                                {"items", json::object{{"anyOf", json::array{json::object{{"type", "string"}},
                                                                            json::object{{"type", "integer"}}}}}},
                                {"title", "Location"}}},
           {"msg", json::object{{"type", "string"}, {"title", "Message"}}},
           {"type", json::object{{"type", "string"}, {"title", "Error Type"}}},
           {"input", json::object{{"title", "Input"}}},
           {"ctx", json::object{{"type", "object"}, {"title", "Context"}}},
       }},
      {"required", json::array{"loc", "msg", "type"}},
      {"title", "ValidationError"}};
  json::object http_validation_error{
      {"type", "object"},
      {"properties",
       json::object{{"detail", json::object{{"type", "array"},
                                            {"items", json::object{{"$ref", "#/components/schemas/ValidationError"}}},
                                            {"title", "Detail"}}}}},
      {"title", "HTTPValidationError"}};
  return json::object{{"HTTPValidationError", std::move(http_validation_error)},
                      {"ValidationError", std::move(validation_error)}};
}

json::object content(std::string_view media_type, Json schema) {
  return json::object{{media_type, json::object{{"schema", std::move(schema)}}}};
}

}  // namespace

std::optional<CsrfToken> csrf_token_of(const std::vector<std::pair<std::string, std::string>>& schemes) {
  for (const auto& [name, scheme] : schemes) {
    boost::system::error_code ec;
    const Json parsed = json::parse(scheme, ec);
    if (ec || !parsed.is_object()) continue;
    const json::value* member = parsed.as_object().if_contains("x-aegis-csrf");
    const json::object* csrf = member != nullptr ? member->if_object() : nullptr;
    if (csrf == nullptr) continue;
    const json::value* cookie = csrf->if_contains("cookie");
    const json::value* header = csrf->if_contains("header");
    if (cookie != nullptr && cookie->is_string() && header != nullptr && header->is_string()) {
      return CsrfToken{std::string(cookie->as_string()), std::string(header->as_string())};
    }
  }
  return std::nullopt;
}

std::string build_openapi(const App& app) {
  const AppSettings& settings = app.settings();
  SchemaRegistry registry;
  json::object paths;
  bool any_validation = false;
  bool any_declared_error = false;
  std::set<std::string> operation_ids;
  // A sign-in scheme that checks a CSRF token on unsafe requests (x-aegis-csrf) answers 403 without it,
  // on any route: a request carrying the session cookie is checked before it is routed.
  const std::optional<CsrfToken> csrf = csrf_token_of(app.security_schemes());
  const std::string csrf_header = csrf ? csrf->header : std::string();
  const auto routes = app.routes();
  std::size_t index = 0;
  try {
    for (; index < routes.size(); ++index) {
      const Router::Route& route = routes[index];
      const RouteInfo& info = route.info;
      if (!info.include_in_schema) {
        // Not documented, but what it reads is built all the same, so that its rules are checked at boot.
        SchemaRegistry scratch;
        build_input_schemas(route.endpoint->doc(), scratch);
        for (const Provider* provider : app.route_providers(index)) build_input_schemas(provider->doc(), scratch);
        continue;
      }
      json::object op;
      if (!info.tags.empty()) {
        json::array tags;
        for (const auto& t : info.tags) tags.emplace_back(t);
        op["tags"] = std::move(tags);
      }
      if (!info.summary.empty()) op["summary"] = info.summary;
      if (!info.description.empty()) op["description"] = info.description;
      std::string id = info.name;
      for (int n = 2; !operation_ids.insert(id).second; ++n) id = info.name + "_" + std::to_string(n);
      op["operationId"] = id;
      if (info.deprecated) op["deprecated"] = true;

      // Parameters: the handler's, then those of the providers and route dependencies it resolves, each
      // (in, name) once. A raw handler documents its path parameters as strings.
      const EndpointDoc* doc = route.endpoint->doc();
      json::array parameters;
      std::set<std::pair<std::string, std::string>> seen;
      bool validates = doc != nullptr && doc->validates;
      auto add_params = [&](const EndpointDoc& d) {
        for (const auto& p : d.params) {
          if (seen.insert({std::string(p.in), std::string(p.name)}).second) {
            parameters.push_back(parameter(registry, p));
          }
        }
      };
      if (doc != nullptr) add_params(*doc);
      bool needs_principal = false;
      std::vector<std::string> permissions;
      for (const Provider* provider : app.route_providers(index)) {
        if (const EndpointDoc* d = provider->doc()) {
          add_params(*d);
          validates = validates || d->validates;
        }
        if (!provider->required_permission().empty()) permissions.emplace_back(provider->required_permission());
        needs_principal = needs_principal || provider->type() == typeid(Principal);
      }
      for (const auto& name : template_params(info.path)) {
        if (seen.insert({"path", name}).second) {
          parameters.push_back(json::object{
              {"name", name}, {"in", "path"}, {"required", true}, {"schema", json::object{{"type", "string"}}}});
        }
      }
      if (!parameters.empty()) op["parameters"] = std::move(parameters);

      // The request body: the handler's, else the one a provider reads.
      const EndpointDoc* body_doc = doc != nullptr && doc->body != nullptr ? doc : nullptr;
      for (const Provider* provider : app.route_providers(index)) {
        const EndpointDoc* d = provider->doc();
        if (body_doc == nullptr && d != nullptr && d->body != nullptr) body_doc = d;
      }
      if (body_doc != nullptr) {
        Json schema = schema_with_rules(registry, body_doc->body, body_doc->body_rules);
        op["requestBody"] =
            json::object{{"required", body_doc->body_required},
                         {"content", content(body_doc->body_media_type, schema)}};
      }

      json::object responses;
      const int status = info.status != 0 ? info.status : (doc != nullptr && doc->no_content ? 204 : 200);
      json::object ok{{"description", "Successful Response"}};
      auto model_content = [&]() -> std::optional<json::object> {
        if (doc == nullptr || doc->response == nullptr) return std::nullopt;
        Json schema;
        doc->response(registry, schema);
        return content(doc->response_media_type, std::move(schema));
      };
      if (!status_forbids_body(status)) {
        if (auto c = model_content()) ok["content"] = std::move(*c);
      }
      responses[std::to_string(status)] = std::move(ok);
      auto error = [&](int code, std::string description) {
        responses[std::to_string(code)] = json::object{
            {"description", std::move(description)},
            {"content", content("application/json", json::object{{"$ref", "#/components/schemas/HTTPError"}})}};
        any_declared_error = true;
      };
      if (needs_principal || !permissions.empty()) {
        error(401, "Not authenticated");
        // Any one of the app's sign-in schemes will do.
        if (!app.security_schemes().empty()) {
          json::array security;
          for (const auto& [name, scheme] : app.security_schemes()) {
            security.push_back(json::object{{name, json::array{}}});
          }
          op["security"] = std::move(security);
        }
      }
      std::string forbidden;
      if (!permissions.empty()) {
        std::string list;
        for (const auto& p : permissions) list += (list.empty() ? "" : ", ") + p;
        forbidden = "Requires the permission" + std::string(permissions.size() > 1 ? "s " : " ") + list;
      }
      const bool unsafe = info.method != Method::get && info.method != Method::head && info.method != Method::options;
      // Any unsafe request that carries a session cookie is checked, whatever route it is for.
      if (unsafe && !csrf_header.empty()) {
        forbidden += forbidden.empty() ? "A" : "; a";
        forbidden += " request signed in with the session cookie needs " + csrf_header +
                     " and must come from the app's own origin";
      }
      if (!forbidden.empty()) error(403, forbidden);
      for (const auto& r : info.responses) {
        json::object answer{{"description", r.description}};
        if (r.response_model) {
          if (auto c = model_content(); c && !status_forbids_body(r.status)) answer["content"] = std::move(*c);
        } else if (!status_forbids_body(r.status)) {
          answer["content"] = content("application/json", json::object{{"$ref", "#/components/schemas/HTTPError"}});
          any_declared_error = true;
        }
        responses[std::to_string(r.status)] = std::move(answer);
      }
      if (validates) {
        responses["422"] = json::object{
            {"description", "Validation Error"},
            {"content",
             content("application/json", json::object{{"$ref", "#/components/schemas/HTTPValidationError"}})}};
        any_validation = true;
      }
      op["responses"] = std::move(responses);

      const std::string path = openapi_path(info.path);
      auto& item = paths[path];
      if (!item.is_object()) item = json::object{};
      item.get_object()[method_key(info.method)] = std::move(op);
    }
  } catch (const std::exception& e) {
    // A rule that cannot be built (a Pattern that does not compile) is found here, at boot: name the route.
    const RouteInfo& info = routes[index].info;
    throw std::invalid_argument("route " + std::string(to_string(info.method)) + " " + info.path + ": " + e.what());
  }

  Json document = json::object{};
  auto& d = document.get_object();
  d["openapi"] = "3.1.0";
  json::object info{{"title", settings.title}, {"version", settings.version}};
  if (!settings.description.empty()) info["description"] = settings.description;
  d["info"] = std::move(info);
  d["paths"] = std::move(paths);
  json::object schemas = registry.finish(document, {"HTTPError", "HTTPValidationError", "ValidationError"});
  if (any_validation) {
    for (auto& kv : validation_schemas()) schemas[kv.key()] = kv.value();
  }
  if (any_declared_error) schemas["HTTPError"] = error_schema();
  json::object components;
  if (!schemas.empty()) {
    // Sorted by name, so that the document does not depend on which route mentioned a schema first.
    std::vector<std::string> names;
    for (const auto& kv : schemas) names.emplace_back(kv.key());
    std::sort(names.begin(), names.end());
    json::object sorted;
    for (const auto& n : names) sorted[n] = schemas[n];
    components["schemas"] = std::move(sorted);
  }
  if (!app.security_schemes().empty()) {
    json::object schemes;
    for (const auto& [name, scheme] : app.security_schemes()) schemes[name] = json::parse(scheme);
    components["securitySchemes"] = std::move(schemes);
  }
  if (!components.empty()) document.get_object()["components"] = std::move(components);
  if (!settings.openapi_tags.empty()) {
    json::array tags;
    for (const auto& [name, description] : settings.openapi_tags) {
      tags.push_back(json::object{{"name", name}, {"description", description}});
    }
    document.get_object()["tags"] = std::move(tags);
  }
  std::string out;
  append_json(out, document);
  return out;
}

}  // namespace aegis::detail
