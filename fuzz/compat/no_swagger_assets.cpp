// The library build embeds Swagger UI's files (a generated source); the fuzz build does not need them.
#include "openapi/assets.hpp"

namespace aegis::detail {
std::span<const EmbeddedAsset> swagger_ui_assets() { return {}; }
}  // namespace aegis::detail
