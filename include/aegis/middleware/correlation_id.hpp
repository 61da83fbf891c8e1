#pragma once

#include <aegis/app/middleware.hpp>

#include <cstdint>
#include <string>

namespace aegis {

struct CorrelationIdOptions {
  std::string header = "X-Request-ID";
};

/// Gives every request an id: a valid incoming `X-Request-ID` (1 to 128 characters of letters, digits and
/// `-_.:`) is kept, anything else is replaced by a fresh UUID (version 4). The id is on the request for
/// handlers and logs (`req.request_id()`) and echoed in the response (the layer owns that header:
/// handlers must not set it). A fixed built-in layer
/// (AEGIS_REQUEST_ID=false turns it off).
class CorrelationId final : public Middleware {
 public:
  using Options = CorrelationIdOptions;
  explicit CorrelationId(Options options = {});

  bool on_request(Request& req, Response& res) override;
  void on_response(Request& req, Response& res) override;
  std::string options_json() const override;

  /// True when `id` is acceptable as an incoming request id.
  static bool is_valid_id(std::string_view id) noexcept;

 private:
  Options options_;
  std::string line_prefix_;  // "X-Request-ID: "
  std::uint64_t name_bit_ = 0;  // the header's bit in Response's name mask
};

}  // namespace aegis
