// A middleware written in the app: the cheap synchronous form. It reports how long the app took in a
// Server-Timing header (browsers' developer tools show it).
#include <aegis/aegis.hpp>

#include <chrono>
#include <string>

namespace {

class ServerTiming final : public aegis::Middleware {
 public:
  bool on_request(aegis::Request& req, aegis::Response&) override {
    if (req.started_at() == std::chrono::steady_clock::time_point{}) req.set_started_at(std::chrono::steady_clock::now());
    return false;
  }
  void on_response(aegis::Request& req, aegis::Response& res) override {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - req.started_at()).count();
    char value[48];
    const int n = std::snprintf(value, sizeof value, "app;dur=%.3f", ms);
    res.add_header("Server-Timing", std::string_view(value, static_cast<std::size_t>(n)));
  }
};

}  // namespace

AEGIS_MIDDLEWARE(server_timing, "Report the app's time per request in Server-Timing") {
  app.add_middleware<ServerTiming>();
}
