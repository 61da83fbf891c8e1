#pragma once

#include <aegis/app/middleware.hpp>
#include <aegis/http/task.hpp>

#include <memory>
#include <vector>

namespace aegis {
class App;
}

namespace aegis::detail {

/// One layer of the compiled chain.
struct ChainEntry {
  std::shared_ptr<MiddlewareBase> object;
  Middleware* sync = nullptr;        // exactly one of sync and async is set
  AsyncMiddleware* async = nullptr;
  MiddlewareInfo info;
};

/// The middleware chain, compiled once at boot: outermost first, then the app's router and exception
/// handlers. Synchronous layers run in a plain loop; a coroutine frame is created only from the first
/// async layer (or a suspending handler) inward.
class MiddlewareChain {
 public:
  MiddlewareChain(std::vector<ChainEntry> entries, const App& app);

  /// Runs the layers from `index` inward. Returns an empty Task when the response is complete.
  Task<> run_from(std::size_t index, Request& req, Response& res) const;

  const std::vector<ChainEntry>& entries() const noexcept { return entries_; }

 private:
  // What a request walks: two pointers per layer, contiguous, so a layer costs its own calls and little
  // more (entries_ keeps what introspection shows).
  struct Layer {
    Middleware* sync;  // exactly one of the two is set
    AsyncMiddleware* async;
  };
  void unwind(const Layer* from, const Layer* down_to, Request& req, Response& res) const;
  Task<> run_async_layer(const Layer* layer, const Layer* first, Request& req, Response& res) const;
  Task<> finish_endpoint(Task<> pending, const Layer* first, Request& req, Response& res) const;

  std::vector<ChainEntry> entries_;
  std::vector<Layer> layers_;
  const App& app_;
};

}  // namespace aegis::detail
