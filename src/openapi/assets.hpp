#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

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

/// The asset decompressed, for a client that does not accept gzip (done once per asset, then kept).
const std::string& inflated(const EmbeddedAsset& asset);

}  // namespace aegis::detail
