#pragma once

// libsodium behind the few operations authentication needs.

#include <cstddef>
#include <string>
#include <string_view>

namespace aegis::detail {

/// `bytes` random bytes as unpadded base64url.
std::string random_token(std::size_t bytes);
/// HMAC-SHA-256 of `message` under `key`, as unpadded base64url.
std::string hmac_b64(std::string_view key, std::string_view message);
/// SHA-256 of `data` as lower-case hex (what the database stores instead of a session id or token).
std::string sha256_hex(std::string_view data);
/// Constant-time comparison of two strings (lengths may leak, contents do not).
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;
/// An argon2id hash of `password` in libsodium's string format (CPU and memory heavy: blocking code only).
std::string hash_password(std::string_view password);
/// True when `password` matches `hash` (as heavy as hashing).
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace aegis::detail
