#pragma once

#include <aegis/app/app.hpp>
#include <aegis/app/middleware.hpp>

#include <memory>
#include <string>

namespace aegis {

/// One structured line per request (method, path, status, duration_ms, request id, client), in text or
/// JSON, written through an asynchronous spdlog logger. Lines are gathered per I/O thread and handed to
/// the logger in batches (when a batch is large, and at least every 200 ms), so a request costs a format
/// into a thread-owned buffer and no shared lock. A fixed built-in layer configured by
/// AppSettings::access_log; the excluded paths (health probes by default) are not logged.
class RequestLogging final : public Middleware {
 public:
  using Options = AccessLogSettings;
  explicit RequestLogging(Options options = {});
  ~RequestLogging() override;

  bool on_request(Request& req, Response& res) override;
  void on_response(Request& req, Response& res) override;
  std::string options_json() const override;

  /// Writes every gathered line now (tests; shutdown).
  void flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aegis
