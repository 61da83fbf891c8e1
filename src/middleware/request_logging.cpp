#include <aegis/middleware/request_logging.hpp>

#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>

#include "http/byte_buffer.hpp"
#include "http/thread_name.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <charconv>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <cerrno>
#include <ctime>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace aegis {

namespace {

using Clock = std::chrono::steady_clock;
// Lines are handed to the logger in batches of about this size: one queue entry (and one wake-up of the
// logger's thread) per few hundred requests.
constexpr std::size_t kBatchBytes = 256 * 1024;
constexpr auto kFlushEvery = std::chrono::milliseconds(200);

std::atomic<std::uint64_t> next_instance{1};

// "2026-11-24T02:56:13.123Z" (24 characters) at p, for the wall-clock time of the steady time `now`: the
// wall clock is read once a second per thread and the offset applied in between (a clock step shows
// within a second), the text cached per thread for the current millisecond.
char* put_timestamp(char* p, Clock::time_point now) {
  thread_local Clock::time_point calibrated_at{};
  thread_local std::chrono::system_clock::duration offset{};
  thread_local std::int64_t cached_ms = -1;
  thread_local std::int64_t cached_second = -1;
  thread_local char text[24];
  if (now - calibrated_at >= std::chrono::seconds(1) || now < calibrated_at) {
    calibrated_at = now;
    offset = std::chrono::system_clock::now().time_since_epoch() -
             std::chrono::duration_cast<std::chrono::system_clock::duration>(now.time_since_epoch());
  }
  const auto wall = std::chrono::duration_cast<std::chrono::system_clock::duration>(now.time_since_epoch()) + offset;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall).count();
  if (ms != cached_ms) {
    cached_ms = ms;
    const std::int64_t second = ms / 1000;
    if (second != cached_second) {
      cached_second = second;
      const std::time_t t = static_cast<std::time_t>(second);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char prefix[20];
      std::strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
      std::memcpy(text, prefix, 19);
    }
    const auto frac = static_cast<int>(ms % 1000);
    text[19] = '.';
    text[20] = static_cast<char>('0' + frac / 100);
    text[21] = static_cast<char>('0' + frac / 10 % 10);
    text[22] = static_cast<char>('0' + frac % 10);
    text[23] = 'Z';
  }
  std::memcpy(p, text, 24);
  return p + 24;
}

// Milliseconds with microsecond precision: "0.012".
char* put_duration_ms(char* p, Clock::duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  const long long whole = us / 1000;
  if (whole < 10) {
    *p++ = static_cast<char>('0' + whole);
  } else {
    p = std::to_chars(p, p + 24, whole).ptr;
  }
  const auto frac = static_cast<int>(us % 1000);
  p[0] = '.';
  p[1] = static_cast<char>('0' + frac / 100);
  p[2] = static_cast<char>('0' + frac / 10 % 10);
  p[3] = static_cast<char>('0' + frac % 10);
  return p + 4;
}

char* put_status(char* p, int status) {  // 100..999
  p[0] = static_cast<char>('0' + status / 100);
  p[1] = static_cast<char>('0' + status / 10 % 10);
  p[2] = static_cast<char>('0' + status % 10);
  return p + 3;
}

char* put(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Printable ASCII other than '"' and '\\' is written as is inside a JSON string.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

// True when s holds only characters kPlain marks. Eight bytes at a time, then the table: the word tests
// below are exact about whether any byte matches.
bool is_json_plain(std::string_view s) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t bad = (x & kHigh) | ((x - kOnes * 0x20) & ~x & kHigh) | has_zero(x ^ (kOnes * '"')) |
                              has_zero(x ^ (kOnes * '\\')) | has_zero(x ^ (kOnes * 0x7F));
    if (bad != 0) return false;
  }
  bool plain = true;
  for (; n > 0; ++p, --n) plain &= kPlain.plain[static_cast<unsigned char>(*p)];
  return plain;
}

// The characters of s as a JSON string holds them, without the quotes (a percent-decoded path may hold
// anything: escaping keeps a crafted one from forging log lines). Writes at most 6 * s.size() characters.
char* put_json_chars(char* p, std::string_view s) {
  if (is_json_plain(s)) return put(p, s);
  thread_local std::string escaped;
  escaped.clear();
  append_json_string(escaped, s);
  return put(p, std::string_view(escaped).substr(1, escaped.size() - 2));
}

char* put_json_string(char* p, std::string_view s) {
  *p++ = '"';
  p = put_json_chars(p, s);
  *p++ = '"';
  return p;
}

// Batches of finished lines travel beside the logger's messages rather than inside them: spdlog copies a
// message's text into its queue on the calling thread (the I/O thread), so each batch would be copied once
// more than it is written. The queue carries one empty message per batch, in order; for each, the sink
// writes the oldest batch waiting here. Written batches come back, emptied, to be filled again.
struct BatchQueue {
  static constexpr std::size_t kMaxSpare = 4;
  std::mutex mutex;
  std::deque<detail::ByteBuffer> ready;   // handed off, oldest first
  std::vector<detail::ByteBuffer> spare;  // written and emptied, their capacity kept
};

// The access log's sink: writes each batch to the file descriptor as it is, with no pattern formatting
// (and so no copy) in between. Only the logger's one pool thread calls it.
class LineSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  // An empty path: standard error.
  LineSink(const std::string& path, std::shared_ptr<BatchQueue> queue) : queue_(std::move(queue)) {
    if (path.empty()) {
      fd_ = STDERR_FILENO;
      return;
    }
    const std::filesystem::path file(path);
    std::error_code ignored;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ignored);
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(std::strerror(errno));
    owned_ = true;
  }
  ~LineSink() override {
    if (owned_) ::close(fd_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg&) override {
    detail::ByteBuffer batch;
    {
      std::lock_guard lock(queue_->mutex);
      if (queue_->ready.empty()) return;
      batch = std::move(queue_->ready.front());
      queue_->ready.pop_front();
    }
    write_batch(batch.view());
    batch.clear();
    std::lock_guard lock(queue_->mutex);
    if (queue_->spare.size() < BatchQueue::kMaxSpare) queue_->spare.push_back(std::move(batch));
  }
  void flush_() override {}  // write(2) leaves nothing buffered here

 private:
  void write_batch(std::string_view rest) {
    if (owned_) return write_all(rest);
    // Standard error may be a pipe shared with the app's own log: writes of at most PIPE_BUF bytes that end
    // at a line's end are never interleaved with another writer's, so no line is split by one.
    while (!rest.empty()) {
      std::size_t cut = rest.size();
      if (cut > PIPE_BUF) {
        std::size_t newline = rest.rfind('\n', PIPE_BUF - 1);
        if (newline == std::string_view::npos) newline = rest.find('\n');  // one line longer than PIPE_BUF
        cut = newline == std::string_view::npos ? rest.size() : newline + 1;
      }
      write_all(rest.substr(0, cut));
      rest.remove_prefix(cut);
    }
  }

  void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw spdlog::spdlog_ex("cannot write the access log", errno);
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::shared_ptr<BatchQueue> queue_;
  int fd_ = -1;
  bool owned_ = false;
};

}  // namespace

struct RequestLogging::Impl {
  // One I/O thread's pending lines. The spin lock is only ever contended by the flusher thread, for the
  // time it takes to swap the buffer out.
  struct Buffer {
    std::atomic_flag busy = ATOMIC_FLAG_INIT;
    detail::ByteBuffer text;
    void lock() noexcept {
      while (busy.test_and_set(std::memory_order_acquire)) {
      }
    }
    void unlock() noexcept { busy.clear(std::memory_order_release); }
  };

  Options options;
  bool json = false;
  bool off = false;
  std::uint64_t instance = next_instance.fetch_add(1);
  std::shared_ptr<BatchQueue> queue = std::make_shared<BatchQueue>();
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::logger> logger;

  std::mutex registry_mutex;
  std::vector<std::pair<std::thread::id, std::unique_ptr<Buffer>>> buffers;

  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread flusher;

  Buffer& local() {
    thread_local std::uint64_t cached_instance = 0;
    thread_local Buffer* cached = nullptr;
    if (cached_instance == instance) return *cached;
    std::lock_guard lock(registry_mutex);
    const auto me = std::this_thread::get_id();
    Buffer* found = nullptr;
    for (auto& [id, buffer] : buffers) {
      if (id == me) found = buffer.get();
    }
    if (found == nullptr) {
      buffers.emplace_back(me, std::make_unique<Buffer>());
      found = buffers.back().second.get();
      found->text.reserve(kBatchBytes + 1024);
    }
    cached_instance = instance;
    cached = found;
    return *found;
  }

  // One logger call per batch of lines (newlines included). `batch` goes to the queue and comes back as an
  // empty buffer: a written one with its capacity when there is one, else a new one of the batch size.
  void hand_off(detail::ByteBuffer& batch) {
    if (batch.empty()) return;
    {
      std::lock_guard lock(queue->mutex);
      queue->ready.push_back(std::move(batch));  // leaves `batch` empty, without memory
      if (!queue->spare.empty()) {
        batch = std::move(queue->spare.back());
        queue->spare.pop_back();
      }
    }
    if (batch.capacity() == 0) batch.reserve(kBatchBytes + 1024);
    logger->info("");  // the sink takes the oldest batch from the queue
  }

  // Hands every thread's pending lines to the logger.
  void flush_all() {
    std::lock_guard lock(registry_mutex);
    thread_local detail::ByteBuffer batch;
    for (auto& [id, buffer] : buffers) {
      buffer->lock();
      batch.swap(buffer->text);
      buffer->unlock();
      hand_off(batch);
      // Give the (now empty) buffer with its capacity back, unless lines arrived meanwhile.
      buffer->lock();
      if (buffer->text.empty()) batch.swap(buffer->text);
      buffer->unlock();
    }
  }
};

RequestLogging::RequestLogging(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const std::string& format = impl_->options.format;
  if (format != "text" && format != "json" && format != "off") {
    throw std::invalid_argument("RequestLogging: format must be text, json or off, not '" + format + "'");
  }
  impl_->json = format == "json";
  impl_->off = format == "off";
  spdlog::sink_ptr sink;
  try {
    sink = std::make_shared<LineSink>(impl_->options.file, impl_->queue);
  } catch (const std::exception& e) {
    throw std::invalid_argument("RequestLogging: cannot open the access log '" + impl_->options.file + "': " + e.what());
  }
  // Each queued message is a whole batch: a short queue bounds what a slow disk can make pile up.
  impl_->pool = std::make_shared<spdlog::details::thread_pool>(64, 1, [] { detail::name_this_thread("aegis-log"); });
  impl_->logger = std::make_shared<spdlog::async_logger>("aegis.access", sink, impl_->pool,
                                                         spdlog::async_overflow_policy::block);
  impl_->flusher = std::thread([impl = impl_.get()] {
    detail::name_this_thread("aegis-log-flush");
    std::unique_lock lock(impl->stop_mutex);
    while (!impl->stopping) {
      impl->stop_cv.wait_for(lock, kFlushEvery);
      lock.unlock();
      impl->flush_all();
      lock.lock();
    }
  });
}

RequestLogging::~RequestLogging() {
  {
    std::lock_guard lock(impl_->stop_mutex);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  impl_->flusher.join();
  impl_->flush_all();
  impl_->logger->flush();
}

void RequestLogging::flush() {
  impl_->flush_all();
  impl_->logger->flush();
}

bool RequestLogging::on_request(Request& req, Response&) {
  if (req.started_at() == Clock::time_point{}) req.set_started_at(Clock::now());
  return false;
}

void RequestLogging::on_response(Request& req, Response& res) {
  const Options& o = impl_->options;
  if (impl_->off) return;
  for (const auto& p : o.exclude) {
    if (req.path() == p) return;
  }
  const Clock::time_point now = Clock::now();
  const Clock::duration took = now - req.started_at();
  const std::string_view path = req.path();
  const std::string_view id = req.request_id();
  const std::string_view client = req.client_ip();
  // The line is written in place into room made for its longest form: the fixed text is under 128
  // characters, and every variable part is bounded by its escaped size.
  const std::size_t longest =
      160 + req.method_name().size() + 6 * path.size() + (impl_->json ? 6 : 1) * (id.size() + client.size());
  Impl::Buffer& b = impl_->local();
  b.lock();
  detail::ByteBuffer& out = b.text;
  char* const begin = out.prepare(longest);
  char* p = begin;
  if (impl_->json) {
    p = put(p, "{\"time\":\"");
    p = put_timestamp(p, now);
    p = put(p, "\",\"method\":\"");
    p = put(p, req.method_name());
    p = put(p, "\",\"path\":");
    p = put_json_string(p, path);
    p = put(p, ",\"status\":");
    p = put_status(p, res.status());
    p = put(p, ",\"duration_ms\":");
    p = put_duration_ms(p, took);
    p = put(p, ",\"request_id\":");
    p = put_json_string(p, id);
    p = put(p, ",\"client\":");
    p = put_json_string(p, client);
    p = put(p, "}\n");
  } else {
    p = put_timestamp(p, now);
    *p++ = ' ';
    p = put(p, client);
    p = put(p, " \"");
    p = put(p, req.method_name());
    *p++ = ' ';
    p = put_json_chars(p, path);
    p = put(p, "\" ");
    p = put_status(p, res.status());
    *p++ = ' ';
    p = put_duration_ms(p, took);
    p = put(p, "ms id=");
    p = put(p, id.empty() ? std::string_view("-") : id);
    *p++ = '\n';
  }
  out.commit(static_cast<std::size_t>(p - begin));
  if (out.size() < kBatchBytes) {
    b.unlock();
    return;
  }
  thread_local detail::ByteBuffer batch;
  batch.swap(out);
  b.unlock();
  impl_->hand_off(batch);
}

std::string RequestLogging::options_json() const {
  std::string out = "{\"format\":" + detail::json_quote(impl_->options.format) + ",\"exclude\":";
  write_json(out, impl_->options.exclude);
  out += ",\"file\":" + detail::json_quote(impl_->options.file) + "}";
  return out;
}

}  // namespace aegis
