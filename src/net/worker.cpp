#include "net/worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "net/connection.hpp"

namespace aegis::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr auto kTick = std::chrono::milliseconds(250);
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

std::int64_t steady_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool is_resource_exhaustion(const error_code& ec) noexcept {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}
}  // namespace

BufferPool::~BufferPool() {
  for (char* b : free_) delete[] b;
}

char* BufferPool::acquire() {
  if (free_.empty()) return new char[kSize];
  char* b = free_.back();
  free_.pop_back();
  return b;
}

void BufferPool::release(char* buffer) noexcept {
  if (free_.size() < kMaxFree) {
    try {
      free_.push_back(buffer);
      return;
    } catch (...) {
    }
  }
  delete[] buffer;
}

void format_http_date(std::int64_t unix_seconds, char (&out)[29]) noexcept {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  std::memcpy(out, kDays[tm.tm_wday], 3);
  out[3] = ',';
  out[4] = ' ';
  two(out + 5, tm.tm_mday);
  out[7] = ' ';
  std::memcpy(out + 8, kMonths[tm.tm_mon], 3);
  out[11] = ' ';
  const int year = tm.tm_year + 1900;
  two(out + 12, year / 100);
  two(out + 14, year % 100);
  out[16] = ' ';
  two(out + 17, tm.tm_hour);
  out[19] = ':';
  two(out + 20, tm.tm_min);
  out[22] = ':';
  two(out + 23, tm.tm_sec);
  std::memcpy(out + 25, " GMT", 4);
}

Worker::Worker(ServerShared& shared, unsigned index)
    : shared_(shared), index_(index), tick_(ctx_), grace_(ctx_) {
  refresh_clock();
}

void Worker::listen(const tcp::endpoint& endpoint) {
  acceptor_.emplace(ctx_);
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address(true));
  int one = 1;
  if (::setsockopt(acceptor_->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    throw std::system_error(errno, std::generic_category(), "setsockopt(SO_REUSEPORT)");
  }
  boost::system::error_code ec;
  acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + describe(endpoint));
}

std::string describe(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(endpoint.port());
}

std::uint16_t Worker::local_port() const { return acceptor_->local_endpoint().port(); }

void Worker::refresh_clock() noexcept {
  now_ms_ = steady_ms();
  const std::int64_t second = std::time(nullptr);
  if (second != date_second_) {
    date_second_ = second;
    char date[29];
    format_http_date(second, date);
    std::memcpy(date_line_, "Date: ", 6);
    std::memcpy(date_line_ + 6, date, 29);
    std::memcpy(date_line_ + 35, "\r\n", 2);
    date_len_ = 37;
  }
}

void Worker::add(ConnectionNode& c) noexcept {
  c.prev = nullptr;
  c.next = head_;
  if (head_ != nullptr) head_->prev = &c;
  head_ = &c;
  ++count_;
}

void Worker::remove(ConnectionNode& c) noexcept {
  if (c.prev != nullptr) {
    c.prev->next = c.next;
  } else {
    head_ = c.next;
  }
  if (c.next != nullptr) c.next->prev = c.prev;
  c.prev = c.next = nullptr;
  --count_;
  finish_if_drained();
}

void Worker::arm_tick() {
  tick_.expires_after(kTick);
  tick_.async_wait([this](error_code ec) {
    if (ec) return;
    on_tick();
  });
}

void Worker::on_tick() {
  refresh_clock();
  for (ConnectionNode* c = head_; c != nullptr;) {
    ConnectionNode* next = c->next;  // on_deadline never unlinks synchronously, but stay safe
    if (c->deadline_ms <= now_ms_) c->on_deadline();
    c = next;
  }
  if (!(stopping_ && count_ == 0)) arm_tick();
}

void Worker::start() {
  arm_tick();
  asio::co_spawn(
      ctx_,
      [this]() -> asio::awaitable<void> {
        asio::steady_timer backoff(ctx_);
        bool warned = false;
        for (;;) {
          if (shared_.connections.load(std::memory_order_relaxed) >= shared_.settings.max_connections) {
            // At the connection limit: leave new clients in the backlog until one closes.
            backoff.expires_after(kAcceptBackoff);
            co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
            if (stopping_) co_return;
            continue;
          }
          auto [ec, socket] = co_await acceptor_->async_accept(asio::as_tuple(asio::use_awaitable));
          if (stopping_) co_return;
          if (ec) {
            if (ec == asio::error::operation_aborted) co_return;
            if (is_resource_exhaustion(ec)) {
              if (!warned) spdlog::warn("accept failed ({}); pausing accepts briefly", ec.message());
              warned = true;
              backoff.expires_after(kAcceptBackoff);
              co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            continue;
          }
          warned = false;
          error_code opt_ec;
          socket.set_option(tcp::no_delay(true), opt_ec);
          shared_.connections.fetch_add(1, std::memory_order_relaxed);
          spawn_connection(*this, std::move(socket));
        }
      },
      asio::detached);
}

void Worker::run() noexcept {
  for (;;) {
    try {
      ctx_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("worker {}: unexpected exception in the event loop: {}", index_, e.what());
    } catch (...) {
      spdlog::error("worker {}: unexpected exception in the event loop", index_);
    }
  }
}

void Worker::post_stop() {
  asio::post(ctx_, [this] { begin_stop(); });
}

void Worker::begin_stop() {
  if (stopping_) {
    // A second stop cuts the grace period short.
    killed_ = true;
    for (ConnectionNode* c = head_; c != nullptr; c = c->next) c->on_kill();
    return;
  }
  stopping_ = true;
  error_code ec;
  if (acceptor_) acceptor_->close(ec);
  for (ConnectionNode* c = head_; c != nullptr; c = c->next) c->on_stop();
  grace_.expires_after(shared_.settings.graceful_timeout);
  grace_.async_wait([this](error_code wait_ec) {
    if (wait_ec) return;
    if (count_ > 0) spdlog::warn("worker {}: grace period over, closing {} connection(s)", index_, count_);
    killed_ = true;
    for (ConnectionNode* c = head_; c != nullptr; c = c->next) c->on_kill();
  });
  finish_if_drained();
}

void Worker::finish_if_drained() noexcept {
  if (stopping_ && count_ == 0) {
    grace_.cancel();
    tick_.cancel();
  }
}

}  // namespace aegis::net
