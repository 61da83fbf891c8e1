#include <aegis/aegis.hpp>

namespace {
class First final : public aegis::Middleware {};
}  // namespace

AEGIS_MIDDLEWARE(first, "The first discovered middleware") { app.add_middleware<First>(); }
