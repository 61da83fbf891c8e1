#include <aegis/middleware/proxy_headers.hpp>

#include <aegis/http/headers.hpp>
#include <aegis/http/request.hpp>
#include <aegis/json/convert.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <arpa/inet.h>

#include <cstring>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "http/access.hpp"
#include "middleware/header_lines.hpp"

namespace aegis {

namespace {

namespace ip = boost::asio::ip;

struct Ip {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};  // IPv4 in the first four
};

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// IPv4-mapped IPv6 addresses are IPv4 ones: a dual-stack listener reports IPv4 peers that way.
Ip from_address(const ip::address& a) noexcept {
  Ip out;
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    std::memcpy(out.bytes.data(), b.data(), 4);
    return out;
  }
  const auto b = a.to_v6().to_bytes();
  if (a.to_v6().is_v4_mapped()) {
    std::memcpy(out.bytes.data(), b.data() + 12, 4);
    return out;
  }
  out.v6 = true;
  std::memcpy(out.bytes.data(), b.data(), 16);
  return out;
}

// An address as a peer or a forwarding entry writes it: "1.2.3.4", "::1", "[::1]", and, as some proxies
// append them, "1.2.3.4:5678" or "[::1]:5678" (the port is dropped).
std::optional<Ip> parse_ip(std::string_view text) noexcept {
  text = detail::trim_ows(text);
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view after = text.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || !all_digits(after.substr(1)))) return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (const std::size_t colon = text.find(':');
             colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    if (!all_digits(text.substr(colon + 1))) return std::nullopt;
    text = text.substr(0, colon);
  }
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  boost::system::error_code ec;
  const ip::address a = ip::make_address(buf, ec);
  if (ec) return std::nullopt;
  return from_address(a);
}

// The client address as text ("203.0.113.9", "2001:db8::1"), or empty when it cannot be formatted.
std::string_view format_ip(const Ip& a, std::array<char, 48>& buffer) noexcept {
  if (inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buffer.data(), static_cast<socklen_t>(buffer.size())) ==
      nullptr) {
    return {};
  }
  return {buffer.data(), std::strlen(buffer.data())};
}

}  // namespace

ProxyHeaders::ProxyHeaders(Options options) : options_(std::move(options)) {
  for (const auto& entry : options_.trusted_proxies) {
    const std::string text(detail::trim_ows(entry));
    if (text == "*") {
      trust_all_ = true;
      continue;
    }
    auto invalid = [&entry](const std::string& why) {
      return std::invalid_argument("ProxyHeaders: trusted proxy '" + entry + "' " + why);
    };
    Network n;
    boost::system::error_code ec;
    if (text.find('/') != std::string::npos) {
      ip::address network_address;
      std::string canonical;
      bool host_bits = false;
      if (text.find(':') != std::string::npos) {
        const ip::network_v6 net = ip::make_network_v6(text, ec);
        if (!ec) {
          network_address = net.address();
          n.prefix = net.prefix_length();
          host_bits = net.address() != net.network();
          canonical = net.canonical().to_string();
        }
      } else {
        const ip::network_v4 net = ip::make_network_v4(text, ec);
        if (!ec) {
          network_address = net.address();
          n.prefix = net.prefix_length();
          host_bits = net.address() != net.network();
          canonical = net.canonical().to_string();
        }
      }
      if (ec) throw invalid("is not an IP address or a CIDR range (10.0.0.0/8, fd00::/8)");
      if (host_bits) throw invalid("has host bits set; did you mean " + canonical + "?");
      const Ip a = from_address(network_address);
      n.v6 = a.v6;
      n.bytes = a.bytes;
      if (network_address.is_v6() && !a.v6) {
        // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
        if (n.prefix < 96) throw invalid("mixes IPv4-mapped and other IPv6 addresses; list the ranges apart");
        n.prefix -= 96;
      }
    } else {
      const ip::address a = ip::make_address(text, ec);
      if (ec) throw invalid("is not an IP address or a CIDR range (10.0.0.0/8, fd00::/8)");
      const Ip parsed = from_address(a);
      n.v6 = parsed.v6;
      n.bytes = parsed.bytes;
      n.prefix = parsed.v6 ? 128 : 32;
    }
    trusted_.push_back(n);
  }
}

bool ProxyHeaders::is_trusted(bool v6, const std::array<unsigned char, 16>& bytes) const noexcept {
  if (trust_all_) return true;
  for (const Network& n : trusted_) {
    if (n.v6 != v6) continue;
    const unsigned full = n.prefix / 8;
    const unsigned rest = n.prefix % 8;
    if (std::memcmp(n.bytes.data(), bytes.data(), full) != 0) continue;
    if (rest != 0) {
      const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
      if (((n.bytes[full] ^ bytes[full]) & mask) != 0) continue;
    }
    return true;
  }
  return false;
}

bool ProxyHeaders::is_trusted(std::string_view ip_text) const noexcept {
  if (trust_all_) return true;
  const std::optional<Ip> a = parse_ip(ip_text);
  return a && is_trusted(a->v6, a->bytes);
}

bool ProxyHeaders::on_request(Request& req, Response&) {
  if (!trust_all_ && trusted_.empty()) return false;
  if (!is_trusted(req.client_ip())) return false;

  // Proxies append: the last X-Forwarded-For line, and its last entry, come from the nearest proxy.
  std::optional<std::string_view> proto;
  std::optional<Ip> client;
  bool walked = false;
  const auto headers = req.headers();
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    const HeaderField& f = *it;
    if (f.name.size() == 17 && !proto && iequals(f.name, "x-forwarded-proto")) {
      proto = detail::trim_ows(f.value);
    } else if (f.name.size() == 15 && !walked && iequals(f.name, "x-forwarded-for")) {
      std::string_view list = f.value;
      while (true) {
        const std::size_t comma = list.rfind(',');
        const std::optional<Ip> entry = parse_ip(comma == std::string_view::npos ? list : list.substr(comma + 1));
        if (!entry) {
          walked = true;
          break;
        }
        client = entry;
        if (!is_trusted(entry->v6, entry->bytes)) {
          walked = true;
          break;
        }
        if (comma == std::string_view::npos) break;
        list = list.substr(0, comma);
      }
    }
  }

  if (proto) {
    if (iequals(*proto, "https") || iequals(*proto, "wss")) {
      req.set_https(true);
    } else if (iequals(*proto, "http") || iequals(*proto, "ws")) {
      req.set_https(false);
    }
  }
  if (client) {
    std::array<char, 48> buffer;
    const std::string_view text = format_ip(*client, buffer);
    if (!text.empty()) req.set_client(text, 0);
  }
  return false;
}

std::string ProxyHeaders::options_json() const {
  std::string out = "{\"trusted_proxies\":";
  write_json(out, options_.trusted_proxies);
  out += '}';
  return out;
}

}  // namespace aegis
