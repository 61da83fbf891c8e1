#include <aegis/app/guards.hpp>

#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/registries/principal.hpp>

namespace aegis {

namespace {

class PermissionGuard final : public detail::Provider {
 public:
  explicit PermissionGuard(std::string permission) : permission_(std::move(permission)) {}

  detail::TypeKey key() const noexcept override { return this; }
  const std::type_info& type() const noexcept override { return typeid(PermissionGuard); }
  const detail::Needs& needs() const noexcept override { return needs_; }
  bool is_async() const noexcept override { return false; }
  std::string_view required_permission() const noexcept override { return permission_; }

  bool resolve(detail::CallContext& ctx, std::size_t slot) const override {
    const Principal* principal = ctx.request.principal();
    if (principal == nullptr) throw HttpError(401, "Not authenticated");
    if (!principal->has_permission(permission_)) throw HttpError(403, "Permission '" + permission_ + "' required");
    ctx.scope.set(slot, const_cast<Principal*>(principal));
    return true;
  }
  Task<bool> resolve_async(detail::CallContext& ctx, std::size_t slot) const override {
    co_return resolve(ctx, slot);
  }

 private:
  std::string permission_;
  detail::Needs needs_;
};

}  // namespace

Dependency require_permission(std::string permission, std::source_location where) {
  if (permission.empty()) throw std::invalid_argument("require_permission: the permission is empty");
  auto guard = std::make_shared<PermissionGuard>(std::move(permission));
  guard->where = std::string(where.file_name()) + ":" + std::to_string(where.line());
  return Dependency(std::move(guard));
}

}  // namespace aegis
