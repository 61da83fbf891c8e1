#include "app/chain.hpp"

#include <aegis/app/app.hpp>

namespace aegis {

Task<> Next::operator()() const {
  Task<> pending = chain_->run_from(index_, *req_, *res_);
  if (pending.valid()) co_await std::move(pending);
}

namespace detail {

// Runs on_response of the sync layers [down_to, from), innermost first.
void MiddlewareChain::unwind(std::size_t from, std::size_t down_to, Request& req, Response& res) const {
  // An async layer inside the range is one the request skipped (applies() said no).
  for (std::size_t i = from; i-- > down_to;) {
    if (entries_[i].sync != nullptr) entries_[i].sync->on_response(req, res);
  }
}

Task<> MiddlewareChain::run_from(std::size_t index, Request& req, Response& res) const {
  const std::size_t n = entries_.size();
  for (std::size_t i = index; i < n; ++i) {
    const ChainEntry& e = entries_[i];
    if (e.async != nullptr) {
      if (!e.async->applies(req)) continue;
      return run_async_layer(i, index, req, res);
    }
    if (e.sync->on_request(req, res)) {
      unwind(i + 1, index, req, res);
      return {};
    }
  }
  Task<> pending = app_.dispatch(req, res);
  if (pending.valid()) return finish_endpoint(std::move(pending), index, req, res);
  unwind(n, index, req, res);
  return {};
}

// Coroutine parameters: the request and response belong to the connection, which awaits this Task.
Task<> MiddlewareChain::run_async_layer(std::size_t index, std::size_t first, Request& req, Response& res) const {
  co_await entries_[index].async->handle(req, res, Next(*this, index + 1, req, res));
  unwind(index, first, req, res);
}

Task<> MiddlewareChain::finish_endpoint(Task<> pending, std::size_t first, Request& req, Response& res) const {
  co_await std::move(pending);
  unwind(entries_.size(), first, req, res);
}

}  // namespace detail
}  // namespace aegis
