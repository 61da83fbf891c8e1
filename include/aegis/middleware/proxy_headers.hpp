#pragma once

#include <aegis/app/middleware.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

struct ProxyHeadersOptions {
  /// The proxies whose forwarding headers are believed: IPv4 and IPv6 addresses ("10.0.0.7", "::1") and
  /// CIDR ranges ("10.0.0.0/8", "fd00::/8"); "*" trusts every peer. Empty (the default) trusts nobody.
  std::vector<std::string> trusted_proxies;
};

/// Believes `X-Forwarded-For` and `X-Forwarded-Proto` from trusted reverse proxies, as uvicorn's
/// ProxyHeadersMiddleware does.
///
/// Only when the peer that connected (`req.client_ip()`) is a trusted proxy: the `X-Forwarded-For` entries
/// (every line, in order) are walked from the right, skipping trusted proxies, and the first untrusted
/// address becomes the client (port 0); when all are trusted, the leftmost one is, and with "*" the leftmost
/// one always is. An entry that is not an IP address ends the walk (the address before it stands).
/// `X-Forwarded-Proto` (its last line) set to "https" or "wss" marks the request as https, "http" or "ws"
/// as plain; other values are ignored. IPv4-mapped IPv6 addresses ("::ffff:10.0.0.1") count as IPv4.
///
/// The constructor throws `std::invalid_argument` for an entry that is neither an address nor a CIDR range
/// (or a range with host bits set). Thread-safe; matching allocates nothing.
class ProxyHeaders final : public Middleware {
 public:
  using Options = ProxyHeadersOptions;
  explicit ProxyHeaders(Options options = {});

  bool on_request(Request& req, Response& res) override;
  std::string options_json() const override;
  bool security_layer() const override { return true; }

  /// True when `ip` (an address as text) is one of the trusted proxies.
  bool is_trusted(std::string_view ip) const noexcept;

 private:
  struct Network {
    bool v6 = false;
    std::array<unsigned char, 16> bytes{};  // IPv4 in the first four
    unsigned prefix = 0;
  };
  bool is_trusted(bool v6, const std::array<unsigned char, 16>& bytes) const noexcept;

  Options options_;
  bool trust_all_ = false;
  std::vector<Network> trusted_;
};

}  // namespace aegis
