#pragma once

// What OpenAPI needs to know about a typed handler, captured from its parameter and result types when the
// route is registered.

#include <aegis/json/schema.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aegis {

/// One parameter as OpenAPI lists it.
struct ParamDoc {
  std::string_view in;  ///< "path", "query", "header" or "cookie"
  std::string_view name;
  bool required = true;
  SchemaRegistry::Builder schema = nullptr;
  const Rules* rules = nullptr;          ///< the rules of the value (of each item, for a list parameter)
  const Rules* list_rules = nullptr;     ///< for a list parameter: its rules as declared (lengths and items')
  std::string default_json;              ///< empty: no default
};

struct EndpointDoc {
  std::vector<ParamDoc> params;
  /// The request body: its schema and media type; null schema: no body.
  SchemaRegistry::Builder body = nullptr;
  std::string_view body_media_type;
  bool body_required = false;
  const Rules* body_rules = nullptr;
  /// The successful answer: null schema with an empty media type means no content.
  SchemaRegistry::Builder response = nullptr;
  std::string_view response_media_type;
  bool no_content = false;
  /// The route reads input that can fail validation (answers 422).
  bool validates = false;
};

}  // namespace aegis
