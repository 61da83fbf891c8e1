#include "app/admin.hpp"

#include <aegis/http/http_error.hpp>

namespace aegis::detail {

bool is_loopback(std::string_view ip) noexcept {
  if (ip.starts_with("::ffff:")) ip.remove_prefix(7);
  return ip == "::1" || ip.starts_with("127.");
}

void require_admin(const Request& req, const AppSettings& settings) {
  if (settings.environment == "development" && is_loopback(req.client_ip())) return;
  throw HttpError(403, settings.environment == "development"
                           ? "Admin surfaces are open to loopback clients only in development"
                           : "Admin surfaces need an administrator");
}

}  // namespace aegis::detail
