#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace aegis {
class Request;
class Response;
}  // namespace aegis

namespace aegis::detail {

/// A file embedded in the library at build time, gzip-compressed (tools/embed_assets.py).
struct EmbeddedAsset {
  std::string_view name;          ///< "swagger-ui-bundle.js"
  std::string_view content_type;  ///< "application/javascript; charset=utf-8"
  const unsigned char* gzip_data;
  std::size_t gzip_size;
  std::size_t size;  ///< uncompressed
};

/// Swagger UI's files, from the pinned npm package swagger-ui-dist.
std::span<const EmbeddedAsset> swagger_ui_assets();

/// The admin pages' stylesheet and scripts (web/admin).
std::span<const EmbeddedAsset> admin_assets();
/// The Overseer's stylesheet and script (web/overseer).
std::span<const EmbeddedAsset> overseer_assets();

/// The asset decompressed, for a client that does not accept gzip (done once per asset, then kept).
const std::string& inflated(const EmbeddedAsset& asset);

/// Answers with the asset: gzip-encoded when the client accepts it, else inflated; Content-Type and
/// `Vary: Accept-Encoding` set.
void send_asset(const Request& req, Response& res, const EmbeddedAsset& asset);

/// `s` with &, <, >, " and ' escaped for HTML text and attribute values.
std::string html_escape(std::string_view s);

}  // namespace aegis::detail
