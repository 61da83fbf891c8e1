#pragma once

#include <aegis/http/task.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace aegis {

class Request;
class Response;

namespace detail {
class MiddlewareChain;
}

/// What every middleware tells introspection (`app.middleware_stack()`, the Overseer, `check`).
class MiddlewareBase {
 public:
  virtual ~MiddlewareBase() = default;
  /// Its options as a JSON object, for introspection (secrets must not appear here).
  virtual std::string options_json() const { return "{}"; }
  /// True for layers that enforce security (CORS, sessions, rate limits, security headers, ...).
  virtual bool security_layer() const { return false; }
};

/// The cheap synchronous middleware form: no coroutine frame per request. Both methods run on the I/O
/// thread that owns the request, concurrently for different requests: a middleware must be thread-safe.
class Middleware : public MiddlewareBase {
 public:
  /// Runs before the layers inside this one. Return true to answer now with `res`: the inner layers and
  /// the handler are skipped, and the `on_response` of this middleware and of those outside it still run.
  virtual bool on_request(Request& req, Response& res) {
    (void)req, (void)res;
    return false;
  }
  /// Runs after the inner layers produced `res` (a handler's answer, an error turned into a response, or
  /// an inner middleware's early answer). May edit it.
  virtual void on_response(Request& req, Response& res) { (void)req, (void)res; }
};

/// Runs the layers inside an async middleware.
class Next {
 public:
  /// Completes when `res` holds the inner layers' answer (errors already turned into a response).
  Task<> operator()() const;

 private:
  friend class detail::MiddlewareChain;
  Next(const detail::MiddlewareChain& chain, std::size_t index, Request& req, Response& res) noexcept
      : chain_(&chain), index_(index), req_(&req), res_(&res) {}
  const detail::MiddlewareChain* chain_;
  std::size_t index_;
  Request* req_;
  Response* res_;
};

/// The full async middleware form (Starlette's `call_next`): `co_await next()` runs the inner layers.
/// Costs a coroutine frame per request; prefer `Middleware` when on_request/on_response suffice.
class AsyncMiddleware : public MiddlewareBase {
 public:
  virtual Task<> handle(Request& req, Response& res, Next next) = 0;
  /// False: this request passes the layer as if it were not there, without a coroutine frame (a session
  /// layer skips requests that carry no credentials). Runs on the I/O thread; must be cheap.
  virtual bool applies(const Request& req) const noexcept {
    (void)req;
    return true;
  }
};

/// One entry of the middleware stack as introspection shows it, outermost first.
struct MiddlewareInfo {
  std::string type;         ///< "aegis::Cors"
  std::string file;         ///< the discovered file that added it, or where add_middleware was called
  std::string options;      ///< JSON object
  bool security_layer = false;
  bool builtin = false;     ///< one of the fixed layers around the stack
  std::string description;  ///< one line
};

}  // namespace aegis
