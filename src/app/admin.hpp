#pragma once

#include <aegis/app/app.hpp>
#include <aegis/http/request.hpp>

#include <string_view>

namespace aegis::detail {

/// True for a loopback client address (127.0.0.0/8, ::1, or an IPv4-mapped loopback).
bool is_loopback(std::string_view ip) noexcept;

/// Guards the admin surfaces (/admin/*, /settings/*, /overseer, /metrics). In development they are open
/// to loopback clients only; elsewhere they need an authenticated principal with the permission, which
/// arrives with authentication: until then they answer 403. Throws HttpError(403).
void require_admin(const Request& req, const AppSettings& settings);

}  // namespace aegis::detail
