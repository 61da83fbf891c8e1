#include "app/chain.hpp"

#include <aegis/app/app.hpp>

namespace aegis {

Task<> Next::operator()() const {
  Task<> pending = chain_->run_from(index_, *req_, *res_);
  if (pending.valid()) co_await std::move(pending);
}

namespace detail {

MiddlewareChain::MiddlewareChain(std::vector<ChainEntry> entries, const App& app)
    : entries_(std::move(entries)), app_(app) {
  layers_.reserve(entries_.size());
  for (const ChainEntry& e : entries_) layers_.push_back({e.sync, e.async});
}

// Runs on_response of the sync layers [down_to, from), innermost first.
void MiddlewareChain::unwind(const Layer* from, const Layer* down_to, Request& req, Response& res) const {
  // An async layer inside the range is one the request skipped (applies() said no).
  while (from != down_to) {
    --from;
    if (from->sync != nullptr) from->sync->on_response(req, res);
  }
}

Task<> MiddlewareChain::run_from(std::size_t index, Request& req, Response& res) const {
  const Layer* const first = layers_.data() + index;
  const Layer* const end = layers_.data() + layers_.size();
  for (const Layer* layer = first; layer != end; ++layer) {
    if (layer->sync != nullptr) [[likely]] {
      if (layer->sync->on_request(req, res)) {
        unwind(layer + 1, first, req, res);
        return {};
      }
    } else if (layer->async->applies(req)) {
      return run_async_layer(layer, first, req, res);
    }
  }
  Task<> pending = app_.dispatch(req, res);
  if (pending.valid()) return finish_endpoint(std::move(pending), first, req, res);
  unwind(end, first, req, res);
  return {};
}

// Coroutine parameters: the request and response belong to the connection, which awaits this Task.
Task<> MiddlewareChain::run_async_layer(const Layer* layer, const Layer* first, Request& req, Response& res) const {
  const auto next_index = static_cast<std::size_t>(layer - layers_.data()) + 1;
  co_await layer->async->handle(req, res, Next(*this, next_index, req, res));
  unwind(layer, first, req, res);
}

Task<> MiddlewareChain::finish_endpoint(Task<> pending, const Layer* first, Request& req, Response& res) const {
  co_await std::move(pending);
  unwind(layers_.data() + layers_.size(), first, req, res);
}

}  // namespace detail
}  // namespace aegis
