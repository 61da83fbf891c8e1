#pragma once

#include <boost/asio/awaitable.hpp>

namespace aegis {

/// A coroutine that handlers, dependency providers, middleware and hooks return. It is Boost.Asio's
/// `awaitable<T>`, so a Task can `co_await` other Tasks and any Asio operation completed with
/// `boost::asio::use_awaitable`. It runs on the I/O thread that owns the request unless it moves itself.
///
/// A default-constructed `Task<>` is empty (`valid()` is false); the server treats an empty Task returned
/// by a request handler as "answered synchronously" and never creates a coroutine frame for it.
template <class T = void>
using Task = boost::asio::awaitable<T>;

}  // namespace aegis
