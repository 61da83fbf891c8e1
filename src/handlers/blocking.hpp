#pragma once

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstddef>

namespace aegis::detail {

/// The bounded pool that runs `.blocking()` handlers: a fixed number of threads and a cap on the jobs that
/// may wait for one (beyond it a blocking route answers 503 instead of queueing without bound).
class BlockingPool {
 public:
  /// `name` names the pool's threads (at most 15 characters show).
  BlockingPool(const char* name, unsigned threads, std::size_t max_pending);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  /// Counts one more job in flight; false when the cap is reached.
  bool try_acquire() noexcept;
  void release() noexcept;
  boost::asio::thread_pool::executor_type executor() noexcept { return pool_.get_executor(); }
  unsigned threads() const noexcept { return threads_; }

 private:
  boost::asio::thread_pool pool_;
  unsigned threads_;
  std::size_t max_in_flight_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace aegis::detail
