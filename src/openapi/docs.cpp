// /openapi.json and Swagger UI at /docs, served from memory: the document built at boot and the UI's
// files embedded at build time. Nothing is fetched from anywhere else.
#include <aegis/app/app.hpp>
#include <aegis/http/headers.hpp>
#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/middleware/gzip.hpp>

#include <zlib.h>

#include <mutex>
#include <stdexcept>

#include "openapi/assets.hpp"
#include "openapi/csrf.hpp"

namespace aegis::detail {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

void send_asset(const Request& req, Response& res, const EmbeddedAsset& asset) {
  res.set_header("Content-Type", asset.content_type);
  res.add_header("Vary", "Accept-Encoding");
  if (GZip::accepts_gzip(req.header("accept-encoding"))) {
    res.set_header("Content-Encoding", "gzip");
    res.set_body({reinterpret_cast<const char*>(asset.gzip_data), asset.gzip_size});
  } else {
    res.set_body(inflated(asset));
  }
}

namespace {

// A JavaScript string literal (JSON's escaping is valid JavaScript; '<' escaped so that it cannot close
// the script; every control character, and U+2028/U+2029, which end a line in older JavaScript, escaped).
std::string js_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7F || c == '<') {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else if (c == 0xE2 && i + 2 < s.size() && s[i + 1] == '\x80' && (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')) {
      out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

}  // namespace

const std::string& inflated(const EmbeddedAsset& asset) {
  static std::mutex mutex;
  static std::vector<std::pair<const EmbeddedAsset*, std::string>> cache;
  std::lock_guard lock(mutex);  // only for clients without gzip, once per asset; then a lookup
  for (const auto& [a, text] : cache) {
    if (a == &asset) return text;
  }
  std::string out(asset.size, '\0');
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  z.next_in = const_cast<Bytef*>(asset.gzip_data);
  z.avail_in = static_cast<uInt>(asset.gzip_size);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: an embedded asset does not inflate");
  cache.emplace_back(&asset, std::move(out));
  return cache.back().second;
}

void add_docs_routes(Router& router, const AppSettings& settings, const std::string* document,
                     const std::vector<std::pair<std::string, std::string>>& security_schemes) {
  const std::string& openapi_url = settings.openapi_url;
  const std::string& docs_url = settings.docs_url;
  auto check = [](const std::string& url, const char* name) {
    if (!url.empty() && (url.front() != '/' || (url.size() > 1 && url.back() == '/'))) {
      throw std::invalid_argument(std::string(name) + " must start with '/' and not end with '/' (got '" + url + "')");
    }
  };
  check(openapi_url, "openapi_url");
  check(docs_url, "docs_url");
  if (openapi_url.empty()) return;

  router.get(openapi_url, [document](Response& res) { res.json_text(*document); })
      .include_in_schema(false)
      .summary("The OpenAPI document");

  if (docs_url.empty()) return;
  const std::string page =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      html_escape(settings.title) + " - Swagger UI</title>\n<link rel=\"stylesheet\" href=\"" + html_escape(docs_url) +
      "/swagger-ui.css\">\n<link rel=\"icon\" type=\"image/png\" href=\"" + html_escape(docs_url) +
      "/favicon-32x32.png\">\n</head>\n<body>\n<div id=\"swagger-ui\"></div>\n<script src=\"" + html_escape(docs_url) +
      "/swagger-ui-bundle.js\"></script>\n<script src=\"" + html_escape(docs_url) +
      "/swagger-initializer.js\"></script>\n</body>\n</html>\n";
  // A separate file rather than an inline script, so that the default Content-Security-Policy holds.
  std::string initializer =
      "window.onload = function () {\n  window.ui = SwaggerUIBundle({\n    url: " + js_string(openapi_url) +
      ",\n    dom_id: \"#swagger-ui\",\n    deepLinking: true,\n    presets: [SwaggerUIBundle.presets.apis],\n";
  // A scheme that signs in with a cookie and checks a CSRF token on unsafe requests says where the token
  // is ("x-aegis-csrf": {"cookie", "header"}): Try it out then sends it, as the app's own pages do.
  if (const std::optional<CsrfToken> csrf = csrf_token_of(security_schemes)) {
    // Only to this origin: a document naming other servers must not receive the session's token.
    initializer += "    requestInterceptor: function (request) {\n"
                   "      if (/^(GET|HEAD|OPTIONS)$/i.test(request.method)) return request;\n"
                   "      if (new URL(request.url, window.location.href).origin !== window.location.origin) return request;\n"
                   "      document.cookie.split(\"; \").forEach(function (c) {\n"
                   "        var eq = c.indexOf(\"=\");\n"
                   "        if (eq > 0 && c.slice(0, eq) === " + js_string(csrf->cookie) + ") {\n"
                   "          request.headers[" + js_string(csrf->header) +
                   "] = decodeURIComponent(c.slice(eq + 1));\n"
                   "        }\n"
                   "      });\n"
                   "      return request;\n"
                   "    },\n";
  }
  initializer += "    layout: \"BaseLayout\"\n  });\n};\n";
  router.get(docs_url, [page](Response& res) {
          res.set_header("Content-Type", "text/html; charset=utf-8");
          res.set_body(page);
        })
      .include_in_schema(false)
      .summary("Swagger UI");
  router.get(docs_url + "/swagger-initializer.js", [initializer](Response& res) {
          res.set_header("Content-Type", "application/javascript; charset=utf-8");
          res.set_body(initializer);
        })
      .include_in_schema(false)
      .summary("Swagger UI's configuration");
  for (const EmbeddedAsset& asset : swagger_ui_assets()) {
    router.get(docs_url + "/" + std::string(asset.name), [&asset](const Request& req, Response& res) {
            res.set_header("Cache-Control", "public, max-age=86400");
            send_asset(req, res, asset);
          })
        .include_in_schema(false)
        .summary("A Swagger UI file");
  }
}

}  // namespace aegis::detail
