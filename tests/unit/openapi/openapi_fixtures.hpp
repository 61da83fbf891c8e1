#pragma once

// Helpers shared by the OpenAPI tests: the document of a frozen app as JSON, and look-ups by JSON Pointer
// that fail the test (rather than throw) when something is missing.

#include <aegis/app/app.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace aegis::openapi_test {

namespace json = boost::json;

/// The document of `app`, freezing it first. An empty or malformed document fails the test and yields null.
inline json::value document_of(App& app) {
  app.freeze();
  const std::string& text = app.openapi();
  if (text.empty()) {
    ADD_FAILURE() << "the app has no OpenAPI document";
    return nullptr;
  }
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) {
    ADD_FAILURE() << "the OpenAPI document is not JSON: " << ec.message();
    return nullptr;
  }
  return doc;
}

/// One JSON Pointer reference token: '~' and '/' escaped ("/items/{id}" -> "~1items~1{id}").
inline std::string token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

/// True when `v` is the string `s`.
inline bool is_str(const json::value& v, std::string_view s) {
  return v.is_string() && std::string_view(v.get_string().data(), v.get_string().size()) == s;
}

/// The value at `pointer`, or null (and a test failure naming the pointer) when there is none.
inline const json::value& at(const json::value& root, std::string_view pointer) {
  static const json::value null_value;
  boost::system::error_code ec;
  const json::value* v = root.find_pointer(pointer, ec);
  if (v == nullptr) {
    ADD_FAILURE() << "no " << pointer << " in the document";
    return null_value;
  }
  return *v;
}

/// True when `pointer` leads somewhere.
inline bool has(const json::value& root, std::string_view pointer) {
  boost::system::error_code ec;
  return root.find_pointer(pointer, ec) != nullptr;
}

/// The pointer to an operation: op("/items/{id}", "get") -> "/paths/~1items~1{id}/get".
inline std::string op(std::string_view path, std::string_view method) {
  return "/paths/" + token(path) + "/" + std::string(method);
}

/// The parameter (in, name) of the operation at `operation`, or null (and a test failure).
inline const json::value& param(const json::value& root, std::string_view operation, std::string_view in,
                                std::string_view name) {
  static const json::value null_value;
  boost::system::error_code ec;
  const json::value* params = root.find_pointer(std::string(operation) + "/parameters", ec);
  if (params != nullptr && params->is_array()) {
    for (const auto& p : params->get_array()) {
      if (!p.is_object()) continue;
      const auto* pin = p.get_object().if_contains("in");
      const auto* pname = p.get_object().if_contains("name");
      if (pin != nullptr && pname != nullptr && is_str(*pin, in) && is_str(*pname, name)) return p;
    }
  }
  ADD_FAILURE() << "no " << in << " parameter '" << name << "' on " << operation;
  return null_value;
}

/// How many parameters (in, name) the operation lists.
inline std::size_t count_params(const json::value& root, std::string_view operation, std::string_view in,
                                std::string_view name) {
  boost::system::error_code ec;
  const json::value* params = root.find_pointer(std::string(operation) + "/parameters", ec);
  std::size_t n = 0;
  if (params != nullptr && params->is_array()) {
    for (const auto& p : params->get_array()) {
      if (!p.is_object()) continue;
      const auto* pin = p.get_object().if_contains("in");
      const auto* pname = p.get_object().if_contains("name");
      if (pin != nullptr && pname != nullptr && is_str(*pin, in) && is_str(*pname, name)) ++n;
    }
  }
  return n;
}

/// Every "$ref" in `v`, in document order.
inline void collect_references(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (kv.key() == "$ref" && kv.value().is_string()) out.emplace_back(kv.value().get_string());
      collect_references(kv.value(), out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) collect_references(item, out);
  }
}
inline std::vector<std::string> references(const json::value& v) {
  std::vector<std::string> out;
  collect_references(v, out);
  return out;
}

/// `text` parsed, to compare with parts of the document (object comparison ignores key order).
inline json::value js(std::string_view text) { return json::parse(text); }

}  // namespace aegis::openapi_test
