#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aegis::detail {

/// Where a sign-in scheme's CSRF token travels: its `"x-aegis-csrf": {"cookie": C, "header": H}` member.
struct CsrfToken {
  std::string cookie;
  std::string header;
};

/// The CSRF token of the first of `schemes` (name, Security Scheme JSON) that declares one.
std::optional<CsrfToken> csrf_token_of(const std::vector<std::pair<std::string, std::string>>& schemes);

}  // namespace aegis::detail
