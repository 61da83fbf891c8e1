#pragma once

#include <aegis/http/task.hpp>
#include <aegis/net/server_settings.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace aegis {

class Request;
class Response;

/// What the server calls for every well-formed request: fill in `res`. It runs on the I/O thread that owns
/// the connection and must not block. It returns an empty Task when the response is complete (the fast
/// path: no coroutine frame), or a Task the connection awaits before it sends the response. An exception
/// escaping it answers 500 (an `HttpError` answers its own status).
using ServerHandler = std::function<Task<>(Request& req, Response& res)>;

/// The HTTP/1.1 server: `settings.workers` threads, each with its own event loop and SO_REUSEPORT listener;
/// a connection lives on the thread that accepted it.
class Server {
 public:
  Server(ServerSettings settings, ServerHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listeners and starts the worker threads. Throws `std::system_error` when the address cannot
  /// be bound. Returns once the server accepts connections.
  void start();
  /// The bound port (useful after binding port 0).
  std::uint16_t port() const noexcept;
  /// Graceful stop, callable from any thread: stop accepting, close idle connections, let in-flight
  /// requests finish within `graceful_timeout`, then cut the rest. Returns at once; `wait()` joins.
  void stop() noexcept;
  /// Blocks until every worker has finished.
  void wait() noexcept;
  /// Takes SIGINT and SIGTERM, start(), calls `on_started` (the port is open), then serves until one of
  /// the signals, then stop() and wait(). The signals are taken before the port opens, so one sent as soon
  /// as the server answers drains it rather than killing the process. A second signal cuts the grace
  /// period short.
  void run(const std::function<void()>& on_started = {});

  /// Open connections right now, across workers.
  std::size_t connection_count() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aegis
