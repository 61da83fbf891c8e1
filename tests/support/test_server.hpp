#pragma once

#include <aegis/app/app.hpp>
#include <aegis/net/server.hpp>

#include <cstdint>
#include <memory>

namespace aegis::test {

/// Settings for tests: loopback, port 0 (the kernel picks), one worker.
ServerSettings test_settings();

/// Serves `app` over real sockets in this process for the lifetime of the object. The app is frozen
/// first; the destructor stops the server gracefully and joins its threads.
class TestServer {
 public:
  explicit TestServer(App& app, ServerSettings settings = test_settings());
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const noexcept { return server_->port(); }
  Server& server() noexcept { return *server_; }

 private:
  std::unique_ptr<Server> server_;
};

}  // namespace aegis::test
