// A middleware written in the app: the cheap synchronous form. It reports how long the app took in a
// Server-Timing header (browsers' developer tools show it).
#include <aegis/aegis.hpp>

#include <charconv>
#include <chrono>

namespace {

class ServerTiming final : public aegis::Middleware {
 public:
  bool on_request(aegis::Request& req, aegis::Response&) override {
    if (req.started_at() == std::chrono::steady_clock::time_point{}) req.set_started_at(std::chrono::steady_clock::now());
    return false;
  }
  void on_response(aegis::Request& req, aegis::Response& res) override {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                          req.started_at())
                        .count();
    // "app;dur=1.234" (milliseconds), formatted without locale or printf.
    char value[40] = "app;dur=";
    char* p = std::to_chars(value + 8, value + 28, us / 1000).ptr;
    *p++ = '.';
    const auto frac = static_cast<int>(us % 1000);
    *p++ = static_cast<char>('0' + frac / 100);
    *p++ = static_cast<char>('0' + frac / 10 % 10);
    *p++ = static_cast<char>('0' + frac % 10);
    res.add_header("Server-Timing", std::string_view(value, static_cast<std::size_t>(p - value)));
  }
};

}  // namespace

AEGIS_MIDDLEWARE(server_timing, "Report the app's time per request in Server-Timing") {
  app.add_middleware<ServerTiming>();
}
