#include <aegis/middleware/request_logging.hpp>

#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>
#include <aegis/json/convert.hpp>

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

namespace aegis {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatchBytes = 16 * 1024;
constexpr auto kFlushEvery = std::chrono::milliseconds(200);

std::atomic<std::uint64_t> next_instance{1};

// "2026-11-24T02:56:13.123Z", with the part up to the seconds cached per thread.
void append_timestamp(std::string& out) {
  thread_local std::int64_t cached_second = -1;
  thread_local char prefix[20];
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::int64_t second = ms / 1000;
  if (second != cached_second) {
    cached_second = second;
    const std::time_t t = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
  }
  out.append(prefix, 19);
  const auto frac = static_cast<int>(ms % 1000);
  const char tail[6] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                        static_cast<char>('0' + frac % 10), 'Z', '\0'};
  out.append(tail, 5);
}

void append_duration_ms(std::string& out, Clock::duration d) {
  // Milliseconds with microsecond precision: "0.012".
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, us / 1000);
  (void)ec;
  out.append(buf, end);
  const auto frac = static_cast<int>(us % 1000);
  const char tail[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                        static_cast<char>('0' + frac % 10)};
  out.append(tail, 4);
}

void append_uint(std::string& out, unsigned long long v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

}  // namespace

struct RequestLogging::Impl {
  // One I/O thread's pending lines. The spin lock is only ever contended by the flusher thread, for the
  // time it takes to swap the string out.
  struct Buffer {
    std::atomic_flag busy = ATOMIC_FLAG_INIT;
    std::string text;
    void lock() noexcept {
      while (busy.test_and_set(std::memory_order_acquire)) {
      }
    }
    void unlock() noexcept { busy.clear(std::memory_order_release); }
  };

  Options options;
  bool json = false;
  std::uint64_t instance = next_instance.fetch_add(1);
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

  // One logger call per batch of lines; `batch` is emptied (its capacity kept).
  void hand_off(std::string& batch) {
    if (batch.empty()) return;
    batch.pop_back();  // the logger ends the message with a newline of its own
    logger->info(std::string_view(batch));
    batch.clear();
  }

  void flush_all() {
    std::lock_guard lock(registry_mutex);
    std::string batch;
    for (auto& [id, buffer] : buffers) {
      buffer->lock();
      batch.swap(buffer->text);
      buffer->unlock();
      hand_off(batch);
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
  spdlog::sink_ptr sink;
  if (impl_->options.file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(impl_->options.file, false);
    } catch (const std::exception& e) {
      throw std::invalid_argument("RequestLogging: cannot open the access log '" + impl_->options.file + "': " + e.what());
    }
  }
  impl_->pool = std::make_shared<spdlog::details::thread_pool>(1024, 1);
  impl_->logger = std::make_shared<spdlog::async_logger>("aegis.access", sink, impl_->pool,
                                                         spdlog::async_overflow_policy::block);
  impl_->logger->set_pattern("%v");
  impl_->flusher = std::thread([impl = impl_.get()] {
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
  if (o.format == "off") return;
  for (const auto& p : o.exclude) {
    if (req.path() == p) return;
  }
  const Clock::duration took = Clock::now() - req.started_at();
  Impl::Buffer& b = impl_->local();
  b.lock();
  std::string& out = b.text;
  if (impl_->json) {
    out.append("{\"time\":\"");
    append_timestamp(out);
    out.append("\",\"method\":\"");
    out.append(req.method_name());
    out.append("\",\"path\":");
    append_json_string(out, req.path());
    out.append(",\"status\":");
    append_uint(out, static_cast<unsigned>(res.status()));
    out.append(",\"duration_ms\":");
    append_duration_ms(out, took);
    out.append(",\"request_id\":");
    append_json_string(out, req.request_id());
    out.append(",\"client\":");
    append_json_string(out, req.client_ip());
    out.append("}\n");
  } else {
    append_timestamp(out);
    out.push_back(' ');
    out.append(req.client_ip());
    out.append(" \"");
    out.append(req.method_name());
    out.push_back(' ');
    // The path is percent-decoded: escape it as JSON does so that a crafted path cannot forge log lines.
    const std::size_t at = out.size();
    append_json_string(out, req.path());
    out.erase(at, 1);
    out.back() = '"';
    out.push_back(' ');
    append_uint(out, static_cast<unsigned>(res.status()));
    out.push_back(' ');
    append_duration_ms(out, took);
    out.append("ms id=");
    out.append(req.request_id().empty() ? std::string_view("-") : req.request_id());
    out.push_back('\n');
  }
  if (out.size() < kBatchBytes) {
    b.unlock();
    return;
  }
  thread_local std::string batch;
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
