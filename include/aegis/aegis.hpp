#pragma once

// The common set: what an app's main.cpp and routers need.
#include <aegis/app/app.hpp>
#include <aegis/app/backend.hpp>
#include <aegis/app/guards.hpp>
#include <aegis/http/http_error.hpp>
#include <aegis/http/method.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/http/status.hpp>
#include <aegis/modules/module.hpp>
#include <aegis/net/server.hpp>
#include <aegis/routing/router.hpp>
