#include "handlers/blocking.hpp"

#include <aegis/handlers/bind.hpp>
#include <aegis/http/http_error.hpp>

#include "http/thread_name.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <latch>
#include <memory>

namespace aegis::detail {

namespace asio = boost::asio;

BlockingPool::BlockingPool(const char* name, unsigned threads, std::size_t max_pending)
    : pool_(threads), threads_(threads), max_in_flight_(threads + max_pending) {
  // One naming job per thread: each waits until all have started, so no thread takes two.
  auto started = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(threads));
  for (unsigned i = 0; i < threads; ++i) {
    asio::post(pool_, [started, name] {
      name_this_thread(name);
      started->arrive_and_wait();
    });
  }
}

BlockingPool::~BlockingPool() { pool_.join(); }

bool BlockingPool::try_acquire() noexcept {
  std::size_t n = in_flight_.load(std::memory_order_relaxed);
  do {
    if (n >= max_in_flight_) return false;
  } while (!in_flight_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  return true;
}

void BlockingPool::release() noexcept { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

Task<> run_blocking(BlockingPool& pool, FunctionRef<void()> fn, const Request* request) {
  if (!pool.try_acquire()) throw HttpError(503, "Server busy", {{"Retry-After", "1"}});
  std::exception_ptr error;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&pool, &fn, &error, request](auto handler) {
        // The guard keeps the I/O thread's event loop alive while the job runs elsewhere.
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        asio::post(pool.executor(), [&pool, &fn, &error, request, handler = std::move(handler),
                                     work = std::move(work)]() mutable {
          try {
            // A route's job still queued when the server gave up on its request (the grace period of a
            // shutdown ran out) has no one to answer: it is dropped, not run, so a full queue of them cannot
            // hold the shutdown up or make changes nobody will hear of. (Jobs queued without a request, the
            // database's and the password hasher's, run as before.)
            if (request != nullptr && request->abandoned()) throw HttpError(503, "Server shutting down");
            fn();
          } catch (...) {
            error = std::current_exception();
          }
          pool.release();
          auto io = work.get_executor();
          asio::post(io, std::move(handler));
          work.reset();
        });
      },
      asio::use_awaitable);
  if (error) std::rethrow_exception(error);
}

}  // namespace aegis::detail
