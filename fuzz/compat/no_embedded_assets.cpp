// The library build embeds Swagger UI's files and the admin pages' files (generated sources); the fuzz
// build does not need them.
#include "openapi/assets.hpp"

namespace aegis::detail {
std::span<const EmbeddedAsset> swagger_ui_assets() { return {}; }
std::span<const EmbeddedAsset> admin_assets() { return {}; }
std::span<const EmbeddedAsset> overseer_assets() { return {}; }
}  // namespace aegis::detail
