#include "net/connection.hpp"

#include <aegis/http/http_error.hpp>
#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/http/status.hpp>
#include <aegis/http/task.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <sys/socket.h>

#include "http/access.hpp"
#include "http/byte_buffer.hpp"
#include "net/request_parser.hpp"
#include "net/worker.hpp"

namespace aegis::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using detail::RequestAccess;
using detail::ResponseAccess;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::int64_t kLingerMs = 2000;
constexpr std::size_t kFlushThreshold = 64 * 1024;

// "HTTP/1.1 404 Not Found\r\n" for every status, built once.
std::string_view status_line_for(int status) {
  static const auto lines = [] {
    std::vector<std::string> v(900);
    for (int s = 100; s < 1000; ++s) {
      v[static_cast<std::size_t>(s - 100)] =
          "HTTP/1.1 " + std::to_string(s) + " " + std::string(reason_phrase(s)) + "\r\n";
    }
    return v;
  }();
  return lines[static_cast<std::size_t>(status - 100)];
}

class Connection final : public ConnectionNode {
 public:
  Connection(Worker& worker, tcp::socket socket) : worker_(worker), shared_(worker.shared()), socket_(std::move(socket)) {
    error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) {
      client_ip_ = remote.address().to_string();
      client_port_ = remote.port();
    }
    RequestAccess::watch_abandoned(request_, &killed_);
    worker_.add(*this);
  }

  ~Connection() override {
    release_buffer();
    error_code ec;
    socket_.close(ec);
    shared_.connections.fetch_sub(1, std::memory_order_relaxed);
    worker_.remove(*this);
  }

  asio::awaitable<void> run();

  void on_deadline() noexcept override {
    timed_out_ = true;
    deadline_ms = INT64_MAX;
    error_code ec;
    socket_.cancel(ec);
  }

  void on_stop() noexcept override {
    if (state_ == State::idle) {
      error_code ec;
      socket_.cancel(ec);
    }
  }

  void on_kill() noexcept override {
    killed_ = true;
    error_code ec;
    socket_.cancel(ec);
  }

 private:
  enum class State { idle, reading, handling, writing, lingering };
  enum class Next { read, flush, close, await_handler };

  Next process();
  bool start_dispatch();
  asio::awaitable<void> await_handler();
  void answer_exception(std::exception_ptr e) noexcept;
  Next finish_dispatch();
  void append_response(bool head_only, bool close);
  void append_failure(int status, const char* detail);
  bool make_room();
  void move_data(char* new_buffer, std::size_t new_capacity);
  void acquire_buffer();
  void release_buffer() noexcept;
  void set_deadline(std::chrono::milliseconds d) noexcept { deadline_ms = worker_.now_ms() + d.count(); }
  asio::awaitable<bool> flush();
  asio::awaitable<void> linger_close();

  Worker& worker_;
  ServerShared& shared_;
  tcp::socket socket_;
  std::string client_ip_;
  std::uint16_t client_port_ = 0;

  char* buf_ = nullptr;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;  // start of the message being parsed (or of unparsed data)
  std::size_t pos_ = 0;    // next byte the parser has not consumed
  std::size_t end_ = 0;    // end of received data
  // When the last read returned: the start time of the requests it completed (one clock read per read,
  // not per request, when requests arrive pipelined).
  std::chrono::steady_clock::time_point read_at_{};
  // An idle connection holds no pool buffer: its first read lands here and is copied into one.
  char first_bytes_[1024];

  Request request_;
  Response response_;
  std::string chunk_storage_;
  detail::ByteBuffer out_;  // responses not yet written
  std::optional<RequestParser> parser_;
  Task<> pending_;  // the handler's Task while it is suspended
  std::size_t served_ = 0;
  // The idle deadline and how many requests had been served when it was set: empty lines between
  // requests are skipped (RFC 9112 section 2.2) but do not renew it, or a byte every few seconds would
  // hold the connection forever.
  std::int64_t idle_deadline_ms_ = 0;
  std::size_t idle_served_ = SIZE_MAX;
  State state_ = State::reading;
  bool continue_sent_ = false;
  bool timed_out_ = false;
  // Set when the server gives up on the connection (grace period over, or a second stop); read by
  // `.blocking()` jobs on pool threads through Request::abandoned().
  std::atomic<bool> killed_{false};
};

void Connection::acquire_buffer() {
  if (buf_ == nullptr) {
    buf_ = worker_.pool().acquire();
    cap_ = BufferPool::kSize;
    begin_ = pos_ = end_ = 0;
  }
}

void Connection::release_buffer() noexcept {
  if (buf_ == nullptr) return;
  if (cap_ == BufferPool::kSize) {
    worker_.pool().release(buf_);
  } else {
    delete[] buf_;
  }
  buf_ = nullptr;
  cap_ = begin_ = pos_ = end_ = 0;
}

// Moves the unconsumed data [begin_, end_) to the start of `new_buffer` and repoints every view the
// in-progress request holds.
void Connection::move_data(char* new_buffer, std::size_t new_capacity) {
  const std::size_t len = end_ - begin_;
  const char* old_begin = buf_ + begin_;
  if (new_buffer == buf_) {
    std::memmove(buf_, buf_ + begin_, len);
  } else {
    std::memcpy(new_buffer, buf_ + begin_, len);
  }
  if (parser_) {
    RequestAccess::relocate(request_, old_begin, old_begin + len, new_buffer);
    parser_->set_buffer(new_buffer, new_buffer + new_capacity);
  }
  if (new_buffer != buf_) {
    if (cap_ == BufferPool::kSize) {
      worker_.pool().release(buf_);
    } else {
      delete[] buf_;
    }
  }
  buf_ = new_buffer;
  cap_ = new_capacity;
  pos_ -= begin_;
  end_ -= begin_;
  begin_ = 0;
}

// Makes free space after end_: compacts, or grows the buffer up to what the limits allow.
bool Connection::make_room() {
  if (end_ < cap_) return true;
  if (begin_ > 0) {
    move_data(buf_, cap_);
    return true;
  }
  const auto& s = shared_.settings;
  std::size_t limit = s.max_request_line + s.max_header_bytes + 64;
  if (parser_ && parser_->header_complete()) limit += s.max_body_bytes;
  if (cap_ >= limit) return false;
  std::size_t want = cap_ * 2;
  if (parser_ && parser_->header_complete() && parser_->announced_length() > 0) {
    want = std::max<std::size_t>(want, (pos_ - begin_) + static_cast<std::size_t>(parser_->announced_length()));
  }
  want = std::min(want, limit);
  move_data(new char[want], want);
  return true;
}

// Formats the status line, the server's headers, the handler's headers and the body straight into the
// output buffer: one size computation, one resize, then plain copies.
void Connection::append_response(bool head_only, bool close) {
  const Response& r = response_;
  const int status = r.status();
  const bool no_body = status_forbids_body(status);
  const std::string_view status_line = status_line_for(status);
  const std::string_view connection = close                       ? std::string_view("Connection: close\r\n")
                                      : request_.version() == 10 ? std::string_view("Connection: keep-alive\r\n")
                                                                  : std::string_view();
  char length_line[48];
  std::size_t length_size = 0;
  if (!no_body) {
    constexpr std::string_view kName = "Content-Length: ";
    std::memcpy(length_line, kName.data(), kName.size());
    auto [end, ec] = std::to_chars(length_line + kName.size(), length_line + sizeof length_line - 2, r.body().size());
    (void)ec;
    end[0] = '\r';
    end[1] = '\n';
    length_size = static_cast<std::size_t>(end + 2 - length_line);
  }
  const std::string_view pieces[] = {status_line,
                                     shared_.server_line,
                                     worker_.date_line(),
                                     r.header_block(),
                                     connection,
                                     {length_line, length_size},
                                     "\r\n",
                                     (no_body || head_only) ? std::string_view() : r.body()};
  std::size_t total = 0;
  for (auto piece : pieces) total += piece.size();
  char* p = out_.prepare(total);
  for (auto piece : pieces) {
    if (piece.empty()) continue;  // an empty view may hold a null pointer, which memcpy must not see
    std::memcpy(p, piece.data(), piece.size());
    p += piece.size();
  }
  out_.commit(total);
}

void Connection::append_failure(int status, const char* detail) {
  response_.clear();
  response_.error(status, detail);
  append_response(false, true);
}

void Connection::answer_exception(std::exception_ptr e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const HttpError& http) {
    response_.clear();
    try {
      response_.error(http.status(), http.detail());
      for (const auto& [name, value] : http.headers()) response_.add_header(name, value);
      return;
    } catch (const std::exception& inner) {
      spdlog::error("{} {}: invalid HttpError: {}", request_.method_name(), request_.path(), inner.what());
    }
  } catch (const std::exception& ex) {
    spdlog::error("{} {}: unhandled exception: {}", request_.method_name(), request_.path(), ex.what());
  } catch (...) {
    spdlog::error("{} {}: unhandled non-standard exception", request_.method_name(), request_.path());
  }
  response_.clear();
  response_.error(500, "Internal Server Error");
}

// Runs the application for the parsed request. Returns true when the handler suspended: its Task is in
// pending_ and the response is not complete until it has been awaited.
bool Connection::start_dispatch() {
  RequestAccess::set_client(request_, client_ip_, client_port_);
  response_.clear();
  try {
    pending_ = shared_.handler(request_, response_);
    return pending_.valid();
  } catch (...) {
    answer_exception(std::current_exception());
    return false;
  }
}

asio::awaitable<void> Connection::await_handler() {
  state_ = State::handling;
  deadline_ms = INT64_MAX;  // the handler's time is its own; write and read deadlines resume after
  std::exception_ptr error;
  try {
    co_await std::move(pending_);
  } catch (...) {
    error = std::current_exception();
  }
  pending_ = {};
  if (error) answer_exception(error);
}

// Queues the response of the request just handled and moves past it. Returns what the loop does next:
// read (go on with the buffer), flush or close.
Connection::Next Connection::finish_dispatch() {
  ++served_;
  const auto max_requests = shared_.settings.max_requests_per_connection;
  const bool close = !request_.keep_alive() || ResponseAccess::close_requested(response_) ||
                     shared_.stopping.load(std::memory_order_relaxed) ||
                     (max_requests != 0 && served_ >= max_requests);
  append_response(request_.method() == Method::head, close);
  parser_.reset();
  begin_ = pos_;
  if (close) return Next::close;
  if (out_.size() >= kFlushThreshold) return Next::flush;
  return Next::read;
}

// Parses and answers every complete request in the buffer. Returns what the loop must do next.
Connection::Next Connection::process() {
  namespace bhttp = boost::beast::http;
  while (pos_ < end_) {
    if (!parser_) {
      // RFC 9112 section 2.2: ignore empty lines before a request line.
      while (pos_ < end_ && (buf_[pos_] == '\r' || buf_[pos_] == '\n')) ++pos_;
      begin_ = pos_;
      if (pos_ == end_) break;
      RequestAccess::reset(request_);
      request_.set_started_at(read_at_);
      // The common request, complete in the buffer, is read without Beast; any other goes to RequestParser.
      if (const std::size_t n = parse_simple_request(buf_ + pos_, end_ - pos_, request_, shared_.settings); n != 0) {
        pos_ += n;
        set_deadline(shared_.settings.header_timeout);
        if (start_dispatch()) return Next::await_handler;
        if (const Next next = finish_dispatch(); next != Next::read) return next;
        continue;
      }
      RequestAccess::reset(request_);
      request_.set_started_at(read_at_);
      parser_.emplace(request_, chunk_storage_, shared_.settings, buf_, buf_ + cap_);
      continue_sent_ = false;
      set_deadline(shared_.settings.header_timeout);
    }
    const bool had_header = parser_->header_complete();
    error_code ec;
    const std::size_t used = parser_->put(asio::buffer(buf_ + pos_, end_ - pos_), ec);
    pos_ += used;
    if (ec == bhttp::error::need_more) ec = {};
    if (ec) {
      const ParseFailure f = parser_->failure(ec);
      parser_.reset();
      append_failure(f.status, f.detail);
      return Next::close;
    }
    if (!parser_->is_done()) {
      if (!parser_->header_complete()) {
        // An unfinished request line longer than the limit cannot become valid: 414 now.
        const std::size_t scan = std::min(end_ - begin_, shared_.settings.max_request_line);
        if (scan == shared_.settings.max_request_line && std::memchr(buf_ + begin_, '\n', scan) == nullptr) {
          parser_.reset();
          append_failure(414, "Request line too long");
          return Next::close;
        }
      } else {
        if (!had_header || used > 0) set_deadline(shared_.settings.body_timeout);
        if (parser_->expects_continue() && !continue_sent_) {
          out_.append("HTTP/1.1 100 Continue\r\n\r\n");
          continue_sent_ = true;
        }
      }
      return Next::read;
    }
    if (start_dispatch()) return Next::await_handler;
    if (const Next next = finish_dispatch(); next != Next::read) return next;
  }
  if (!parser_) begin_ = pos_ = end_ = 0;
  return Next::read;
}

asio::awaitable<bool> Connection::flush() {
  if (out_.empty()) co_return true;
  state_ = State::writing;
  set_deadline(shared_.settings.write_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out_.data(), out_.size()), kUseTuple);
  (void)n;
  if (out_.capacity() > 4 * kFlushThreshold) {
    out_.release();
  } else {
    out_.clear();
  }
  co_return !ec;
}

// Half-closes, then discards what the client still sends for a short while, so that the kernel does not
// answer unread data with a reset that destroys the response we just wrote.
asio::awaitable<void> Connection::linger_close() {
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  state_ = State::lingering;
  deadline_ms = worker_.now_ms() + kLingerMs;
  acquire_buffer();
  for (;;) {
    auto [rec, n] = co_await socket_.async_read_some(asio::buffer(buf_, cap_), kUseTuple);
    (void)n;
    if (rec) break;
  }
}

asio::awaitable<void> Connection::run() {
  for (;;) {
    Next next = Next::read;
    if (buf_ != nullptr) next = process();
    while (next == Next::await_handler) {
      co_await await_handler();
      // Given up on while the handler ran: the response is not sent (the socket closes unanswered).
      if (killed_) co_return;
      next = finish_dispatch();
      if (next == Next::read) next = process();
    }
    if (!co_await flush()) co_return;
    if (next == Next::close) {
      co_await linger_close();
      co_return;
    }
    if (next == Next::flush) continue;
    if (killed_) co_return;

    if (buf_ == nullptr || (!parser_ && pos_ == end_)) {
      // Idle: hold no pool buffer while waiting for the next request. The wait is a read into a small
      // buffer of the connection's own, not async_wait: asio re-arms epoll (one epoll_ctl system call)
      // for every wait, while a read after one that drained the socket just waits for the next edge.
      release_buffer();
      if (worker_.stopping()) co_return;
      state_ = State::idle;
      if (idle_served_ != served_) {
        idle_served_ = served_;
        idle_deadline_ms_ = worker_.now_ms() + shared_.settings.idle_timeout.count();
      }
      deadline_ms = idle_deadline_ms_;
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(first_bytes_), kUseTuple);
      if (ec || killed_ || timed_out_) co_return;  // idle timeout, stop, or the peer went away
      acquire_buffer();
      std::memcpy(buf_, first_bytes_, n);
      end_ = n;
      if (n == sizeof first_bytes_) {
        // The read may have left more behind (a pipelined batch, a large request): take what is there
        // now, so that the batch is answered in one write. Nothing there (or the peer's end) is for the
        // next read to find; this one must not wait.
        const ssize_t more = ::recv(socket_.native_handle(), buf_ + end_, cap_ - end_, MSG_DONTWAIT);
        if (more > 0) end_ += static_cast<std::size_t>(more);
      }
      read_at_ = std::chrono::steady_clock::now();
      set_deadline(shared_.settings.header_timeout);
      continue;  // parse what arrived; the loop reads on when it is not a whole request
    }
    state_ = State::reading;
    if (!make_room()) {
      parser_.reset();
      append_failure(431, "Request header fields too large");
      if (co_await flush()) co_await linger_close();
      co_return;
    }
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf_ + end_, cap_ - end_), kUseTuple);
    if (ec) {
      if (timed_out_ && !killed_ && (parser_ || end_ > begin_)) {
        // A request was under way and stalled: tell the client why it is being closed.
        timed_out_ = false;
        parser_.reset();
        append_failure(408, "Request timeout");
        if (co_await flush()) co_await linger_close();
      }
      co_return;
    }
    end_ += n;
    read_at_ = std::chrono::steady_clock::now();
  }
}

asio::awaitable<void> serve(Worker& worker, tcp::socket socket) {
  Connection connection(worker, std::move(socket));
  co_await connection.run();
}

}  // namespace

void spawn_connection(Worker& worker, tcp::socket socket) {
  asio::co_spawn(worker.context(), serve(worker, std::move(socket)), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("connection ended by an unexpected exception: {}", ex.what());
    } catch (...) {
      spdlog::error("connection ended by an unexpected exception");
    }
  });
}

}  // namespace aegis::net
