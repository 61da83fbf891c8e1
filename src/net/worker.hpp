#pragma once

#include <aegis/net/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aegis::net {

class Worker;

/// What a worker needs from each of its connections: a place in its list, a deadline, and the two ways a
/// worker interrupts a connection. All of it is touched only on the worker's thread.
class ConnectionNode {
 public:
  virtual ~ConnectionNode() = default;
  /// The deadline passed while the connection waited; it should answer 408 if it can and close.
  virtual void on_deadline() noexcept = 0;
  /// The server is stopping: close now if idle, otherwise after the response in progress.
  virtual void on_stop() noexcept = 0;
  /// The grace period is over: close now.
  virtual void on_kill() noexcept = 0;

  std::int64_t deadline_ms = INT64_MAX;
  ConnectionNode* prev = nullptr;
  ConnectionNode* next = nullptr;
};

/// Fixed-size read buffers recycled among one worker's connections, so that an idle connection holds none.
class BufferPool {
 public:
  static constexpr std::size_t kSize = 16 * 1024;
  BufferPool() = default;
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  ~BufferPool();
  char* acquire();
  /// Returns a buffer of kSize bytes; other sizes must be freed with `delete[]` by their owner.
  void release(char* buffer) noexcept;

 private:
  static constexpr std::size_t kMaxFree = 64;
  std::vector<char*> free_;
};

/// State shared by every worker of a server.
struct ServerShared {
  ServerSettings settings;
  ServerHandler handler;
  std::string server_line;  // "Server: aegis\r\n" or empty
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
};

/// "127.0.0.1:8000", "[::1]:8000": an endpoint as error messages name it.
std::string describe(const boost::asio::ip::tcp::endpoint& endpoint);

/// One I/O thread: its event loop, its SO_REUSEPORT listener, its connections, its clock and Date line.
class Worker {
 public:
  Worker(ServerShared& shared, unsigned index);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void listen(const boost::asio::ip::tcp::endpoint& endpoint);
  std::uint16_t local_port() const;
  /// Starts the accept loop and the tick; run() then serves until stopped.
  void start();
  void run() noexcept;
  /// Posts a graceful stop to the worker's thread.
  void post_stop();

  void add(ConnectionNode& c) noexcept;
  void remove(ConnectionNode& c) noexcept;

  boost::asio::io_context& context() noexcept { return ctx_; }
  ServerShared& shared() noexcept { return shared_; }
  BufferPool& pool() noexcept { return pool_; }
  /// Milliseconds of the steady clock, refreshed every tick (coarse on purpose: no clock read per request).
  std::int64_t now_ms() const noexcept { return now_ms_; }
  /// "Date: <IMF-fixdate>\r\n", refreshed every tick.
  std::string_view date_line() const noexcept { return {date_line_, date_len_}; }
  bool stopping() const noexcept { return stopping_; }

 private:
  void refresh_clock() noexcept;
  void arm_tick();
  void on_tick();
  void begin_stop();
  void finish_if_drained() noexcept;

  ServerShared& shared_;
  unsigned index_;
  boost::asio::io_context ctx_{1};
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  boost::asio::steady_timer tick_;
  boost::asio::steady_timer grace_;
  BufferPool pool_;
  ConnectionNode* head_ = nullptr;
  std::size_t count_ = 0;
  std::int64_t now_ms_ = 0;
  std::int64_t date_second_ = -1;
  char date_line_[64] = {};
  std::size_t date_len_ = 0;
  bool stopping_ = false;
  bool killed_ = false;
};

/// Formats `unix_seconds` as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", 29 characters) into `out`.
void format_http_date(std::int64_t unix_seconds, char (&out)[29]) noexcept;

}  // namespace aegis::net
