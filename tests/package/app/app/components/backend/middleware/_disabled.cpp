// Skipped by aegis_add_backend: its name starts with an underscore. If it were compiled, `check` would show
// a middleware named Disabled.
#include <aegis/aegis.hpp>

namespace {
class Disabled final : public aegis::Middleware {};
}  // namespace

AEGIS_MIDDLEWARE(disabled, "Must never be installed") { app.add_middleware<Disabled>(); }
