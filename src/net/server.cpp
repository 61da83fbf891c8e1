#include <aegis/net/server.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "http/thread_name.hpp"
#include "net/worker.hpp"

namespace aegis {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Server::Impl {
  net::ServerShared shared;
  std::vector<std::unique_ptr<net::Worker>> workers;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool started = false;
};

namespace {

tcp::endpoint resolve(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  // An IPv6 address may come as it is written in a URL: "[::1]".
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  auto address = asio::ip::make_address(bracketed ? host.substr(1, host.size() - 2) : host, ec);
  if (!ec) return {address, port};
  asio::io_context ctx(1);
  tcp::resolver resolver(ctx);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    throw std::system_error(ec ? ec : asio::error::host_not_found, "cannot resolve host '" + host + "'");
  }
  return results.begin()->endpoint();
}

// SO_REUSEPORT lets every listener of the same user join a port, another process's included: a second
// instance started on a port in use would quietly take a share of the first one's connections. A bind
// without SO_REUSEPORT fails while anyone listens on the port, so one is tried first and released.
// (Two instances started in the same instant can still both pass it; nothing short of a lock closes that.)
void require_free_port(const tcp::endpoint& endpoint) {
  if (endpoint.port() == 0) return;
  const int fd = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot listen on " + net::describe(endpoint));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // connections in TIME_WAIT do not count
  const int rc = ::bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size()));
  const int error = errno;
  ::close(fd);
  if (rc == 0) return;
  throw std::system_error(error, std::generic_category(),
                          "cannot listen on " + net::describe(endpoint) +
                              (error == EADDRINUSE ? " (another process is listening there)" : ""));
}

// Connections need descriptors: lift the soft limit as far as the hard limit allows.
void raise_descriptor_limit(std::size_t wanted) noexcept {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t target = std::min<rlim_t>(lim.rlim_max, static_cast<rlim_t>(wanted));
  if (lim.rlim_cur < target) {
    lim.rlim_cur = target;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

Server::Server(ServerSettings settings, ServerHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->shared.settings = std::move(settings);
  impl_->shared.handler = std::move(handler);
  if (!impl_->shared.settings.server_header.empty()) {
    impl_->shared.server_line = "Server: " + impl_->shared.settings.server_header + "\r\n";
  }
}

Server::~Server() {
  stop();
  wait();
}

void Server::start() {
  auto& s = impl_->shared.settings;
  if (impl_->started) return;
  unsigned count = s.workers != 0 ? s.workers : std::max(1u, std::thread::hardware_concurrency());
  raise_descriptor_limit(s.max_connections + 64);
  tcp::endpoint endpoint = resolve(s.host, s.port);
  require_free_port(endpoint);
  for (unsigned i = 0; i < count; ++i) {
    auto worker = std::make_unique<net::Worker>(impl_->shared, i);
    worker->listen(endpoint);
    if (i == 0) endpoint.port(worker->local_port());  // port 0: the others share the port the first got
    impl_->workers.push_back(std::move(worker));
  }
  impl_->port = endpoint.port();
  for (auto& w : impl_->workers) w->start();
  for (std::size_t i = 0; i < impl_->workers.size(); ++i) {
    impl_->threads.emplace_back([worker = impl_->workers[i].get(), i] {
      detail::name_this_thread("aegis-io-" + std::to_string(i));
      worker->run();
    });
  }
  impl_->started = true;
}

std::uint16_t Server::port() const noexcept { return impl_->port; }

std::size_t Server::connection_count() const noexcept {
  return impl_->shared.connections.load(std::memory_order_relaxed);
}

void Server::stop() noexcept {
  if (!impl_->started) return;
  impl_->shared.stopping.store(true);
  for (auto& w : impl_->workers) {
    try {
      w->post_stop();
    } catch (...) {
    }
  }
}

void Server::wait() noexcept {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

void Server::run(const std::function<void()>& on_started) {
  // The handlers are in place before the port opens: a SIGTERM sent as soon as the port answers must
  // drain, not kill the process with the default action.
  asio::io_context signal_ctx(1);
  asio::signal_set signals(signal_ctx, SIGINT, SIGTERM);
  start();
  if (on_started) on_started();
  // The first signal drains (in-flight requests get graceful_timeout), the second closes every connection
  // at once. Neither can interrupt a handler that is still running (a coroutine awaiting a timer or a
  // blocking job): the process waits for it. A third signal exits without waiting.
  int received = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (++received >= 3) {
          spdlog::warn("signal {} received a third time: exiting without waiting for the requests still running", sig);
          spdlog::shutdown();
          std::_Exit(128 + sig);
        }
        if (received == 1) {
          spdlog::info("signal {} received: draining connections", sig);
        } else {
          spdlog::warn("signal {} received again: closing every connection now (a third signal exits at once)", sig);
        }
        stop();
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  std::thread waiter([&] {
    wait();
    asio::post(signal_ctx, [&] {
      boost::system::error_code ec;
      signals.cancel(ec);
    });
  });
  signal_ctx.run();
  waiter.join();
}

}  // namespace aegis
