#include "support/test_server.hpp"

#include <aegis/http/request.hpp>
#include <aegis/http/response.hpp>

namespace aegis::test {

ServerSettings test_settings() {
  ServerSettings s;
  s.host = "127.0.0.1";
  s.port = 0;
  s.workers = 1;
  s.graceful_timeout = std::chrono::milliseconds(2000);
  return s;
}

TestServer::TestServer(App& app, ServerSettings settings) {
  app.freeze();
  server_ = std::make_unique<Server>(std::move(settings), [&app](Request& req, Response& res) { return app.handle(req, res); });
  server_->start();
}

TestServer::~TestServer() {
  server_->stop();
  server_->wait();
}

}  // namespace aegis::test
